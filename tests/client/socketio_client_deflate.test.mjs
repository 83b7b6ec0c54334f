// permessage-deflate in libsio's client (client_driver, public ABI) against
// the official server with perMessageDeflate on (ws's defaults: the server
// keeps its compression context between messages). The client's frames are
// read on the server's raw TCP socket, where each one's RSV1 bit shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Driver, startServer, echoHandlers } from "./socketio_client_driver.mjs";

const BIG = "x".repeat(1500) + "y".repeat(1500);

// Every complete frame the client wrote on this server-side socket:
// {rsv1, opcode, text} (text unmasked, still compressed when rsv1).
function recordFrames(tcp) {
  const frames = [];
  let buf = Buffer.alloc(0);
  tcp.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const payload = Buffer.from(buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      frames.push({ rsv1: (buf[0] & 0x40) !== 0, opcode: buf[0] & 0x0f, text: payload.toString("latin1") });
      buf = buf.subarray(off + 4 + len);
    }
  });
  return frames;
}

async function withDeflateServer(serverOpts, body) {
  let serverSocket;
  const connected = new Promise((resolve) => (serverSocket = resolve));
  const server = await startServer(serverOpts, (io) =>
    io.on("connection", (s) => {
      echoHandlers(s);
      s.on("twice", (text) => {
        s.emit("big", text);
        s.emit("big", text);
      });
      serverSocket(s);
    }),
  );
  const d = new Driver();
  try {
    await body(server, d, connected);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
}

test("the client offers permessage-deflate, inflates with the server's context and deflates from the threshold", async () => {
  await withDeflateServer({ perMessageDeflate: true }, async (server, d, connected) => {
    assert.equal((await d.connect(server.url, { transports: "websocket" })).rc, 0);
    await d.waitFor({ type: "connect" });
    const socket = await connected;
    const ws = socket.conn.transport.socket;
    assert.ok(ws._extensions["permessage-deflate"], "negotiated");
    const frames = recordFrames(ws._socket);
    // The second "big" is deflated against the first: the client must keep
    // the server's context.
    await d.emit("twice", [BIG]);
    assert.deepEqual((await d.waitFor({ type: "event", name: "big" })).data, [BIG]);
    assert.deepEqual((await d.waitFor({ type: "event", name: "big" })).data, [BIG]);
    await d.emit("echo", [BIG]);
    assert.deepEqual((await d.waitFor({ type: "event", name: "echo" })).data, [BIG]);
    await d.emit("echo", [BIG], { compress: false });
    assert.deepEqual((await d.waitFor({ type: "event", name: "echo" })).data, [BIG]);
    await d.emit("echo", ["small"]);
    assert.deepEqual((await d.waitFor({ type: "event", name: "echo" })).data, ["small"]);
    const sent = frames.filter((f) => f.opcode === 1 && f.text !== "3");
    assert.deepEqual(sent.map((f) => f.rsv1), [true, true, false, false]);
    assert.ok(sent[1].text.length < 100, `${sent[1].text.length} bytes deflated`);
  });
});

test("perMessageDeflate false: no offer", async () => {
  await withDeflateServer({ perMessageDeflate: true }, async (server, d, connected) => {
    assert.equal((await d.connect(server.url, { transports: "websocket", perMessageDeflate: "false" })).rc, 0);
    await d.waitFor({ type: "connect" });
    const socket = await connected;
    assert.equal(socket.conn.transport.socket._extensions["permessage-deflate"], undefined);
    await d.emit("echo", [BIG]);
    assert.deepEqual((await d.waitFor({ type: "event", name: "echo" })).data, [BIG]);
  });
});

test("an upgrade from polling negotiates it too, with the threshold given", async () => {
  await withDeflateServer({ perMessageDeflate: { threshold: 0 } }, async (server, d, connected) => {
    assert.equal((await d.connect(server.url, { "perMessageDeflate.threshold": "5" })).rc, 0);
    await d.waitFor({ type: "connect" });
    const socket = await connected;
    for (let i = 0; i < 100 && socket.conn.transport.name !== "websocket"; i++) await new Promise((r) => setTimeout(r, 50));
    const ws = socket.conn.transport.socket;
    assert.ok(ws._extensions["permessage-deflate"]);
    const frames = recordFrames(ws._socket);
    await d.emit("echo", ["abc"]);
    assert.deepEqual((await d.waitFor({ type: "event", name: "echo" })).data, ["abc"]);
    assert.deepEqual(frames.filter((f) => f.opcode === 1 && f.text !== "3").map((f) => f.rsv1), [true]);
  });
});
