// The server over TLS (--tls-cert, --tls-key): the official client over https
// polling, wss and the upgrade, trusting the certificate or not checking it;
// handshake.secure; and peers that do not speak TLS, or stop halfway through
// the handshake, closed without harming the others.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { after } from "node:test";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, TRANSPORT_MODES, waitForWebSocket, withTimeout } from "./helpers/client.mjs";

// A self-signed certificate for localhost, 127.0.0.1 and ::1, made now.
const dir = mkdtempSync(join(tmpdir(), "sio-tls-"));
const CERT = join(dir, "cert.pem");
const KEY = join(dir, "key.pem");
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", KEY, "-out", CERT, "-days", "1",
  "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"], { stdio: "ignore" });
const CA = readFileSync(CERT);
after(() => rmSync(dir, { recursive: true, force: true }));

const HEADERS_TIMEOUT_MS = 1500;

// Resolves to the bytes a raw TCP peer got before the server closed on it.
function rawExchange(port, bytes) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const sock = net.connect(port, "127.0.0.1", () => sock.write(bytes));
      const chunks = [];
      sock.on("data", (c) => chunks.push(c));
      sock.on("error", reject);
      sock.on("close", () => resolve(Buffer.concat(chunks)));
    }),
    HEADERS_TIMEOUT_MS + 5000,
    "the server to close the connection",
  );
}

describeWithServer("TLS", ["--tls-cert", CERT, "--tls-key", KEY, "--headers-timeout", String(HEADERS_TIMEOUT_MS)], (ctx) => {
  const url = () => `https://127.0.0.1:${ctx.port}`;

  for (const [mode, transports] of Object.entries(TRANSPORT_MODES)) {
    test(`${mode}: events flow over TLS and handshake.secure is true`, async () => {
      const socket = await connect(url(), "/", { ...transports, rejectUnauthorized: false, auth: { handshake: true } });
      const [hs] = await socket.events.next("handshake");
      assert.equal(hs.secure, true);
      if (mode === "upgrade") await waitForWebSocket(socket);
      assert.equal(socket.io.engine.transport.name, mode === "polling" ? "polling" : "websocket");
      const big = "x".repeat(200000);
      socket.emit("echo", "over tls", big);
      assert.deepEqual(await socket.events.next("echo"), ["over tls", big]);
      socket.close();
    });
  }

  test("a client that trusts the certificate (ca) connects by name", async () => {
    const socket = await connect(`https://localhost:${ctx.port}`, "/", { ...TRANSPORT_MODES.upgrade, ca: CA });
    await waitForWebSocket(socket);
    socket.emit("echo", 1);
    assert.deepEqual(await socket.events.next("echo"), [1]);
    socket.close();
  });

  test("a client that checks the certificate without trusting it is refused", async () => {
    await assert.rejects(connect(url(), "/", TRANSPORT_MODES.polling), (err) => err.message === "xhr poll error");
  });

  test("plain HTTP on the TLS port is closed without an answer", async () => {
    const got = await rawExchange(ctx.port, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(got.toString("latin1").includes("HTTP/1.1 200"), false);
  });

  test("garbage instead of a TLS handshake is closed", async () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
    garbage[0] = 0x16; // looks like a handshake record at first
    await rawExchange(ctx.port, garbage);
  });

  test("a client that stops halfway through the handshake is closed, the others served meanwhile", async () => {
    // The start of a real ClientHello, never finished.
    const hello = await new Promise((resolve) => {
      const fake = new net.Socket();
      const t = tls.connect({ socket: fake, rejectUnauthorized: false });
      fake.write = (chunk) => {
        resolve(Buffer.from(chunk));
        return true;
      };
      t.on("error", () => {});
      fake.emit("connect");
    });
    const stalled = rawExchange(ctx.port, hello.subarray(0, Math.floor(hello.length / 2)));
    const socket = await connect(url(), "/", { ...TRANSPORT_MODES.websocket, rejectUnauthorized: false });
    socket.emit("echo", "meanwhile");
    assert.deepEqual(await socket.events.next("echo"), ["meanwhile"]);
    socket.close();
    await stalled;
  });

  test("a TLS client that closes during the handshake leaves the server serving", async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => {
        const t = tls.connect({ port: ctx.port, host: "127.0.0.1", rejectUnauthorized: false });
        t.on("error", () => {});
        t.once("secureConnect", () => {});
        setImmediate(() => {
          t.destroy();
          resolve();
        });
      });
    }
    const socket = await connect(url(), "/", { ...TRANSPORT_MODES.polling, rejectUnauthorized: false });
    socket.emit("echo", "still here");
    assert.deepEqual(await socket.events.next("echo"), ["still here"]);
    socket.close();
  });
});

describeWithServer("without TLS", [], (ctx) => {
  test("handshake.secure is false", async () => {
    const socket = await connect(ctx.url, "/", { auth: { handshake: true } });
    const [hs] = await socket.events.next("handshake");
    assert.equal(hs.secure, false);
    socket.close();
  });
});
