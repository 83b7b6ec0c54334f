// Bytes on the TCP socket that are not (complete) HTTP: garbage, half-open
// connections, requests cut short, headers sent byte by byte, oversized
// headers, broken WebSocket handshakes. Each must get a 4xx answer or a clean
// close, and the server must keep serving normal clients meanwhile.
import assert from "node:assert/strict";
import { describeWithServer, test } from "../interop/helpers/suite.mjs";
import { sleep, withTimeout } from "../interop/helpers/client.mjs";
import { eioPath, pollingSocket, tcpConnect } from "../interop/helpers/raw.mjs";
import { assertServerHealthy } from "./healthy.mjs";

const CLOSE_TIMEOUT_MS = 5000;
const HANDSHAKE = `GET ${eioPath({ transport: "polling" })} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

// Sends `bytes` and expects the server to close the connection, having
// answered nothing or an HTTP 4xx status.
async function assertRejected(port, bytes) {
  const conn = await tcpConnect(port);
  conn.socket.write(bytes);
  const answer = await withTimeout(conn.closed, CLOSE_TIMEOUT_MS, "the server to close the connection");
  if (answer.length) assert.match(answer, /^HTTP\/1\.[01] 4\d\d /, `answered ${JSON.stringify(answer.slice(0, 80))}`);
  return answer;
}

const WS_UPGRADE = (extra) =>
  `GET ${eioPath({ transport: "websocket" })} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`;

describeWithServer("bad bytes on the TCP socket", [], (ctx) => {
  const rejected = [
    ["binary garbage", Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])],
    ["a line of text", "hello world\r\n\r\n"],
    ["a TLS ClientHello", Buffer.from("16030100a5010000a10303", "hex")],
    ["an unknown HTTP version", `GET ${eioPath({ transport: "polling" })} HTTP/9.9\r\n\r\n`],
    ["a header line without a colon", `GET ${eioPath({ transport: "polling" })} HTTP/1.1\r\nHost localhost\r\n\r\n`],
    ["an oversized header", `GET ${eioPath({ transport: "polling" })} HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100000)}\r\n\r\n`],
    ["a bad chunk size", `POST ${eioPath({ transport: "polling", sid: "x" })} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`],
    ["a WebSocket upgrade with version 7", WS_UPGRADE("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 7\r\n")],
  ];
  for (const [name, bytes] of rejected) {
    test(`${name} is answered 4xx or closed`, async () => {
      await assertRejected(ctx.port, bytes);
      await assertServerHealthy(ctx.url);
    });
  }

  test("a WebSocket upgrade without a key gets 400", async () => {
    const answer = await assertRejected(ctx.port, WS_UPGRADE("Sec-WebSocket-Version: 13\r\n"));
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });

  test("half-open connections that send nothing do not block other clients", async () => {
    const idle = await Promise.all(Array.from({ length: 50 }, () => tcpConnect(ctx.port)));
    await assertServerHealthy(ctx.url);
    for (const conn of idle) conn.socket.destroy();
    await assertServerHealthy(ctx.url);
  });

  test("half a request line, then close", async () => {
    const conn = await tcpConnect(ctx.port);
    conn.socket.write("GET /socket.io/?EIO=4&transp");
    await sleep(50);
    conn.socket.destroy();
    await assertServerHealthy(ctx.url);
  });

  test("headers without their end, then close", async () => {
    const conn = await tcpConnect(ctx.port);
    conn.socket.write(`GET ${eioPath({ transport: "polling" })} HTTP/1.1\r\nHost: localhost\r\nX-Partial: yes`);
    await sleep(50);
    conn.socket.end();
    await withTimeout(conn.closed, CLOSE_TIMEOUT_MS, "the connection to close");
    await assertServerHealthy(ctx.url);
  });

  test("a POST body cut short, then close: the session goes on", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const conn = await tcpConnect(ctx.port);
    conn.socket.write(`POST ${eioPath({ transport: "polling", sid })} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n42["ech`);
    await sleep(50);
    conn.socket.destroy();
    await assertServerHealthy(ctx.url);
  });

  test("a WebSocket that closes mid-frame", async () => {
    const conn = await tcpConnect(ctx.port);
    conn.socket.write(WS_UPGRADE("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
    await withTimeout((async () => { while (!conn.received().includes("\r\n\r\n")) await sleep(10); })(), 5000, "the 101");
    assert.match(conn.received(), /^HTTP\/1\.1 101 /);
    conn.socket.write(Buffer.from([0x81, 0xfe, 0x01, 0x00, 1, 2, 3, 4, 5]));
    await sleep(50);
    conn.socket.destroy();
    await assertServerHealthy(ctx.url);
  });

  test("an unmasked client WebSocket frame closes the connection", async () => {
    const conn = await tcpConnect(ctx.port);
    conn.socket.write(WS_UPGRADE("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
    await withTimeout((async () => { while (!conn.received().includes("\r\n\r\n")) await sleep(10); })(), 5000, "the 101");
    conn.socket.write(Buffer.concat([Buffer.from([0x81, 2]), Buffer.from("40")]));
    await withTimeout(conn.closed, CLOSE_TIMEOUT_MS, "the server to close the connection");
    await assertServerHealthy(ctx.url);
  });

  test("slow-loris headers: other clients are served meanwhile, and the request completes", async () => {
    const conn = await tcpConnect(ctx.port);
    const started = Date.now();
    for (let i = 0; i < HANDSHAKE.length - 2; i++) {
      conn.socket.write(HANDSHAKE[i]);
      if (i % 4 === 0) await sleep(30);
      if (i % 20 === 0) {
        const before = Date.now();
        await assertServerHealthy(ctx.url);
        assert.ok(Date.now() - before < 1000, "a normal client waited behind the slow one");
      }
    }
    conn.socket.write("\r\n");
    await withTimeout((async () => { while (!conn.received().includes('"sid"')) await sleep(10); })(), 5000, "the handshake answer");
    assert.match(conn.received(), /^HTTP\/1\.1 200 /);
    assert.ok(Date.now() - started > 300);
    conn.socket.destroy();
  });

  test("two pipelined requests on one connection are answered in order", async () => {
    const conn = await tcpConnect(ctx.port);
    conn.socket.write(HANDSHAKE + `GET /socket.io/?EIO=3&transport=polling HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await withTimeout((async () => { while (!conn.received().includes("Unsupported protocol version")) await sleep(10); })(), 5000, "both answers");
    const received = conn.received();
    assert.match(received, /^HTTP\/1\.1 200 /);
    assert.ok(received.indexOf('"sid"') < received.indexOf("HTTP/1.1 400"));
    conn.socket.destroy();
  });
});
