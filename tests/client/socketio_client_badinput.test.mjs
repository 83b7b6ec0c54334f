// libsio's Socket.IO client (client_driver) against servers that misbehave
// or need TLS: garbage Socket.IO packets, a CONNECT reply without a sid, a
// server that never answers, one that hangs up at once, and an https
// socket.io server checked with and without its CA file. Every case ends
// with a clean exit (no leak under a sanitizer build).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server as EngineServer } from "engine.io";
import { Server } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";
import { Driver, echoHandlers } from "./socketio_client_driver.mjs";

const FAST = { reconnectionDelay: 100, reconnectionDelayMax: 200, randomizationFactor: 0 };

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server.address().port;
}

// A bare engine.io server at /socket.io/ whose Socket.IO side is onMessage.
async function startEngine(onMessage) {
  const httpServer = createServer();
  const engine = new EngineServer({ pingInterval: 1000, pingTimeout: 1000 });
  engine.attach(httpServer, { path: "/socket.io/" });
  let connections = 0;
  engine.on("connection", (socket) => {
    const n = ++connections;
    socket.on("message", (m) => onMessage(socket, m, n));
  });
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        engine.close();
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

async function startRaw(onConnection) {
  const socks = new Set();
  const server = net.createServer((s) => {
    socks.add(s);
    s.on("error", () => {});
    s.on("close", () => socks.delete(s));
    onConnection(s);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of socks) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function withDriver(body) {
  const d = new Driver();
  try {
    await body(d);
    await d.exit();
  } finally {
    d.kill();
  }
}

test("a garbage packet after joining: parse error, then reconnection", async () => {
  const server = await startEngine((socket, m, n) => {
    if (m.startsWith("0")) {
      socket.send(`0{"sid":"socket-${n}-aaaaaaaaaaaa"}`);
      if (n === 1) setTimeout(() => socket.send("2{not json"), 50);
    }
  });
  try {
    await withDriver(async (d) => {
      await d.connect(server.url, { ...FAST, transports: "websocket" });
      assert.equal((await d.waitFor({ type: "connect" })).sid, "socket-1-aaaaaaaaaaaa");
      assert.equal((await d.waitFor({ type: "disconnect" })).reason, "parse error");
      await d.waitFor({ type: "reconnect_attempt" });
      assert.equal((await d.waitFor({ type: "connect" })).sid, "socket-2-aaaaaaaaaaaa");
    });
  } finally {
    await server.close();
  }
});

test("msgpack garbage after joining: parse error each time, then reconnection", async () => {
  const encode = (packet) => Buffer.from(new msgpackParser.Encoder().encode(packet)[0]);
  const GARBAGE = [
    Buffer.from([0xc1]),
    Buffer.from([0x83, 0xa4, ...Buffer.from("type")]),
    Buffer.from([0x83, 0xa4, ...Buffer.from("type"), 2, 0xa3, ...Buffer.from("nsp"), 0xa1, 0x2f,
      0xa4, ...Buffer.from("data"), 0x91, 0xdb, 0xff, 0xff, 0xff, 0xf0]),
    Buffer.concat([Buffer.from([0x83, 0xa4, ...Buffer.from("type"), 2, 0xa3, ...Buffer.from("nsp"), 0xa1, 0x2f,
      0xa4, ...Buffer.from("data")]), Buffer.alloc(100000, 0x91)]),
    encode({ type: 2, nsp: "/", data: { not: "an array" } }),
  ];
  const server = await startEngine((socket, m, n) => {
    // The first binary message of a connection is our client's CONNECT.
    if (Buffer.isBuffer(m) && !socket.joined) {
      socket.joined = true;
      socket.send(encode({ type: 0, nsp: "/", data: { sid: `socket-${n}-aaaaaaaaaaaa` } }));
      if (n <= GARBAGE.length) setTimeout(() => socket.send(GARBAGE[n - 1]), 50);
    }
  });
  try {
    await withDriver(async (d) => {
      await d.connect(server.url, { ...FAST, transports: "websocket", parser: "msgpack" });
      for (let n = 1; n <= GARBAGE.length; n++) {
        assert.equal((await d.waitFor({ type: "connect" })).sid, `socket-${n}-aaaaaaaaaaaa`);
        assert.equal((await d.waitFor({ type: "disconnect" })).reason, "parse error", `garbage ${n}`);
      }
      assert.equal((await d.waitFor({ type: "connect" })).sid, `socket-${GARBAGE.length + 1}-aaaaaaaaaaaa`);
    });
  } finally {
    await server.close();
  }
});

test("a CONNECT reply without sid is a connect_error (a v2 server)", async () => {
  const server = await startEngine((socket, m) => {
    if (m.startsWith("0")) socket.send("0{}");
  });
  try {
    await withDriver(async (d) => {
      await d.connect(server.url, FAST);
      const err = await d.waitFor({ type: "connect_error" });
      assert.match(err.reason, /v2\.x/);
    });
  } finally {
    await server.close();
  }
});

test("a server that never answers: timeout, retries as configured, then gives up", async () => {
  const server = await startRaw(() => {});
  try {
    await withDriver(async (d) => {
      await d.connect(server.url, { ...FAST, timeout: 300, reconnectionAttempts: 1 });
      assert.equal((await d.waitFor({ type: "connect_error" })).reason, "timeout");
      await d.waitFor({ type: "reconnect_attempt" });
      assert.equal((await d.waitFor({ type: "connect_error" })).reason, "timeout");
      await d.waitFor({ type: "reconnect_failed" });
    });
  } finally {
    await server.close();
  }
});

test("a server that hangs up during the handshake: connect_error, retries", async () => {
  const server = await startRaw((s) => s.destroy());
  try {
    await withDriver(async (d) => {
      await d.connect(server.url, { ...FAST, reconnectionAttempts: 2 });
      const first = await d.waitFor({ type: "connect_error" });
      assert.ok(first.reason.length > 0);
      await d.waitFor({ type: "reconnect_failed" }, 5000);
      assert.equal(d.all({ type: "connect_error" }).length, 3);
      assert.equal(d.all({ type: "reconnect_attempt" }).length, 2);
    });
  } finally {
    await server.close();
  }
});

test("https: verified with the CA file, refused clearly without it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sio-client-tls-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  const httpsServer = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) });
  const io = new Server(httpsServer);
  io.on("connection", echoHandlers);
  const port = await listen(httpsServer);
  try {
    for (const transports of ["polling,websocket", "websocket"]) {
      await withDriver(async (d) => {
        await d.connect(`https://localhost:${port}`, { "tls.ca": cert, transports });
        await d.waitFor({ type: "connect" });
        const req = await d.emit("echo", ["secure"], { ack: true, timeout: 2000 });
        assert.deepEqual((await d.waitFor({ type: "ack", req })).data, ["secure"]);
      });
    }
    await withDriver(async (d) => {
      await d.connect(`https://localhost:${port}`, { reconnection: false });
      const err = await d.waitFor({ type: "connect_error" });
      assert.match(err.reason, /certificate|verif/i);
    });
    await withDriver(async (d) => {
      await d.connect(`wss://127.0.0.1:${port}`, { "tls.verify": false, transports: "websocket" });
      await d.waitFor({ type: "connect" });
    });
  } finally {
    io.close();
    httpsServer.closeAllConnections();
    await new Promise((resolve) => httpsServer.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
