// Compression: permessage-deflate (RFC 7692) on WebSockets and
// httpCompression on polling responses, as engine.io 4.8 does them, with
// compress(false) per emit. The wire is read below every library: a raw
// WebSocket on a TCP socket shows each frame's RSV1 bit, and raw HTTP shows
// Content-Encoding and the compressed body.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import zlib from "node:zlib";
import { randomBytes } from "node:crypto";
import { it } from "node:test";
import { describeWithServer, test, TEST_TIMEOUT_MS } from "./helpers/suite.mjs";
import { underTestIsReference } from "./helpers/server.mjs";
import { connect, emitWithAck, MSGPACK, withTimeout } from "./helpers/client.mjs";
import { eioPath, pollingSocket, post, splitPayload } from "./helpers/raw.mjs";

const TIMEOUT_MS = 5000;
const BIG = "x".repeat(2000); // over engine.io's default threshold, 1024
const SMALL = "tiny";

// ---- a raw WebSocket client --------------------------------------------------

function deflateRaw(buf) {
  const z = zlib.deflateRawSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return z.subarray(0, z.length - 4); // without 00 00 ff ff (RFC 7692 7.2.1)
}

function inflateRaw(buf, windowBits = 15) {
  const whole = Buffer.concat([buf, Buffer.from([0, 0, 0xff, 0xff])]);
  return zlib.inflateRawSync(whole, { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

function maskedFrame(opcode, payload, { rsv1 = false, fin = true } = {}) {
  const len = payload.length;
  const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  if (len < 126) header[1] = 0x80 | len;
  else if (len < 65536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] ^= mask[i & 3];
  return Buffer.concat([header, mask, masked]);
}

// Opens a WebSocket by hand, offering `extensions` (or nothing). Resolves
// to {status, headers, body} when the upgrade is refused, else to a client
// whose next() gives each server frame as {rsv1, opcode, payload, text}
// (text: the message inflated when RSV1 is set).
function rawWebSocket(port, extensions, query = {}) {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  const headerLines = [
    `GET ${eioPath({ transport: "websocket", ...query })} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
  ];
  if (extensions !== undefined) headerLines.push(`Sec-WebSocket-Extensions: ${extensions}`);
  socket.write(headerLines.join("\r\n") + "\r\n\r\n");
  let buf = Buffer.alloc(0);
  const frames = [];
  const waiters = [];
  let upgraded = null;
  const closed = new Promise((resolve) => socket.on("close", resolve));
  return withTimeout(
    new Promise((resolve) => {
      const client = {
        socket,
        closed,
        frames,
        next(ms = TIMEOUT_MS) {
          if (frames.length) return Promise.resolve(frames.shift());
          return withTimeout(new Promise((r) => waiters.push(r)), ms, "a WebSocket frame");
        },
        send(text, opts) {
          const payload = Buffer.from(text);
          socket.write(opts?.compress ? maskedFrame(1, deflateRaw(payload), { rsv1: true }) : maskedFrame(1, payload));
        },
        sendRaw(frame) {
          socket.write(frame);
        },
        // The next text frame that is not a ping; pings are answered.
        async message() {
          for (;;) {
            const f = await client.next();
            if (f.opcode === 1 && f.text === "2") {
              client.send("3");
              continue;
            }
            return f;
          }
        },
      };
      const parse = () => {
        if (!upgraded) {
          const end = buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = buf.subarray(0, end).toString("latin1").split("\r\n");
          const status = Number(head[0].split(" ")[1]);
          const headers = {};
          for (const line of head.slice(1)) {
            const i = line.indexOf(":");
            headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
          }
          buf = buf.subarray(end + 4);
          upgraded = { status, headers };
          if (status !== 101) {
            closed.then(() => resolve({ status, headers, body: buf.toString() }));
            return;
          }
          client.headers = headers;
          resolve(client);
        }
        if (upgraded.status !== 101) return;
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
          if (buf.length < off + len) return;
          const payload = buf.subarray(off, off + len);
          const rsv1 = (buf[0] & 0x40) !== 0;
          const opcode = buf[0] & 0x0f;
          const frame = { rsv1, opcode, payload };
          if (opcode === 1 || opcode === 2) frame.text = (rsv1 ? inflateRaw(payload) : payload).toString();
          if (opcode === 8) frame.code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          buf = buf.subarray(off + len);
          if (waiters.length) waiters.shift()(frame);
          else frames.push(frame);
        }
      };
      socket.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        parse();
      });
    }),
    TIMEOUT_MS,
    "the WebSocket upgrade",
  );
}

// A raw WebSocket joined to "/": reads the open packet, connects, reads the
// CONNECT reply and the test server's auth event.
async function joinedWebSocket(port, extensions) {
  const ws = await rawWebSocket(port, extensions);
  assert.equal(ws.headers && (await ws.message()).text[0], "0");
  ws.send("40");
  const reply = (await ws.message()).text;
  assert.match(reply, /^40/);
  ws.id = JSON.parse(reply.slice(2)).sid;
  assert.match((await ws.message()).text, /^42\["auth"/);
  return ws;
}

async function closeFrame(ws) {
  for (;;) {
    const f = await ws.next();
    if (f.opcode === 8) return f;
  }
}

// ---- raw HTTP, the body as bytes ----------------------------------------------

function get(port, path, headers = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    }),
    TIMEOUT_MS,
    `GET ${path}`,
  );
}

function decoded(res) {
  const coding = res.headers["content-encoding"];
  if (coding === "gzip") return zlib.gunzipSync(res.body).toString();
  if (coding === "deflate") return zlib.inflateSync(res.body).toString();
  return res.body.toString();
}

// Posts an event on a polling session and reads the GET that answers it.
async function pollEcho(port, sid, event, arg, headers) {
  const posted = await post(port, sid, `42${JSON.stringify([event, arg])}`);
  assert.equal(posted.body, "ok");
  const res = await get(port, eioPath({ transport: "polling", sid }), headers);
  assert.equal(res.status, 200);
  return res;
}

// ---- the suites ----------------------------------------------------------------

// Tests that write Socket.IO packets as JSON text by hand.
function jsonTest(name, fn) {
  it(name, { timeout: TEST_TIMEOUT_MS, skip: MSGPACK && "raw text packets are JSON-parser packets" }, fn);
}

describeWithServer("perMessageDeflate on", ["--per-message-deflate", "true"], (ctx) => {
  test("an offer is accepted with both no_context_takeover parameters", async () => {
    const ws = await rawWebSocket(ctx.port, "permessage-deflate; client_max_window_bits");
    const ext = ws.headers["sec-websocket-extensions"];
    assert.match(ext, /^permessage-deflate/);
    assert.match(ext, /server_no_context_takeover/);
    assert.match(ext, /client_no_context_takeover/);
    assert.doesNotMatch(ext, /client_max_window_bits/);
    ws.socket.destroy();
  });

  test("no offer, no extension", async () => {
    const ws = await rawWebSocket(ctx.port);
    assert.equal(ws.headers["sec-websocket-extensions"], undefined);
    ws.socket.destroy();
  });

  jsonTest("a server_max_window_bits offer is kept, and the server's messages fit that window", async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate; server_max_window_bits=10");
    assert.match(ws.headers["sec-websocket-extensions"], /server_max_window_bits=10/);
    const text = randomBytes(3000).toString("hex");
    ws.send(`42${JSON.stringify(["echo", text])}`);
    const f = await ws.message();
    assert.equal(f.rsv1, true);
    assert.equal(inflateRaw(f.payload, 10).toString(), `42${JSON.stringify(["echo", text])}`);
    ws.socket.destroy();
  });

  test("a malformed or unknown parameter is refused with 400, as the ws package does", async () => {
    for (const offer of ["permessage-deflate; foo=1", "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover", "permessage-deflate;;"]) {
      const res = await rawWebSocket(ctx.port, offer);
      assert.equal(res.status, 400, offer);
      assert.equal(res.body, "Invalid or unacceptable Sec-WebSocket-Extensions header", offer);
    }
  });

  jsonTest("messages at or over the threshold go deflated (RSV1), smaller ones as they are", async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate");
    ws.send(`42${JSON.stringify(["echo", BIG])}`);
    const big = await ws.message();
    assert.equal(big.rsv1, true);
    assert.equal(big.text, `42${JSON.stringify(["echo", BIG])}`);
    assert.ok(big.payload.length < 200, `deflated to ${big.payload.length} bytes`);
    ws.send(`42${JSON.stringify(["echo", SMALL])}`);
    const small = await ws.message();
    assert.equal(small.rsv1, false);
    assert.equal(small.text, `42${JSON.stringify(["echo", SMALL])}`);
    ws.socket.destroy();
  });

  // engine.io 6.6's WebSocket transport drops the packet's compress option
  // (it calls ws.send(data, callback)), so the reference deflates anyway; the
  // documented behaviour, which libsio has, is checked against libsio only.
  it("compress(false) sends a large message as it is", {
    timeout: TEST_TIMEOUT_MS,
    skip: (MSGPACK && "raw text packets are JSON-parser packets") ||
      (underTestIsReference() && "engine.io 6.6 ignores compress on WebSocket"),
  }, async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate");
    ws.send(`42${JSON.stringify(["echo-uncompressed", BIG])}`);
    const f = await ws.message();
    assert.equal(f.rsv1, false);
    assert.equal(f.text, `42${JSON.stringify(["echo", BIG])}`);
    ws.socket.destroy();
  });

  jsonTest("a broadcast reaches every deflating client deflated, and each inflates it whole", async () => {
    const clients = await Promise.all([1, 2, 3].map(() => joinedWebSocket(ctx.port, "permessage-deflate")));
    const text = randomBytes(2000).toString("hex");
    clients[0].send(`42${JSON.stringify(["bcast", text])}`);
    for (const ws of clients) {
      let f;
      do f = await ws.message();
      while (!f.text.startsWith('42["bcast"'));
      assert.equal(f.rsv1, true);
      assert.equal(f.text, `42${JSON.stringify(["bcast", text])}`);
    }
    for (const ws of clients) ws.socket.destroy();
  });

  jsonTest("a compressed message from the client is inflated", async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate");
    const text = randomBytes(1500).toString("hex");
    ws.send(`42${JSON.stringify(["echo", text])}`, { compress: true });
    assert.equal((await ws.message()).text, `42${JSON.stringify(["echo", text])}`);
    ws.send(`42${JSON.stringify(["echo", SMALL])}`, { compress: true });
    assert.equal((await ws.message()).text, `42${JSON.stringify(["echo", SMALL])}`);
    ws.socket.destroy();
  });

  jsonTest("a deflate bomb (small frame, huge message) is closed with 1009, the server lives on", async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate");
    const bomb = deflateRaw(Buffer.from(`42["echo","${"0".repeat(20_000_000)}"]`));
    assert.ok(bomb.length < 100_000);
    ws.sendRaw(maskedFrame(1, bomb, { rsv1: true }));
    assert.equal((await closeFrame(ws)).code, 1009);
    await withTimeout(ws.closed, TIMEOUT_MS, "the bomb's connection to close");
    const socket = await connect(ctx.url, "/", { transports: ["websocket"] });
    assert.deepEqual(await emitWithAck(socket, "ack", "alive"), ["alive"]);
    const [disconnects] = await emitWithAck(socket, "last-disconnects");
    assert.deepEqual(disconnects.find(([id]) => id === ws.id), [ws.id, "transport error"]);
    socket.close();
  });

  jsonTest("corrupt deflate data closes the connection with 1007", async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate");
    ws.sendRaw(maskedFrame(1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]), { rsv1: true }));
    assert.equal((await closeFrame(ws)).code, 1007);
  });

  test("the official client negotiates it and exchanges large and small messages", async () => {
    const socket = await connect(ctx.url, "/", { transports: ["websocket"] });
    assert.ok(socket.io.engine.transport.ws._extensions["permessage-deflate"], "permessage-deflate negotiated");
    for (const value of [BIG, SMALL, { nested: [BIG, 1, true] }]) {
      socket.emit("echo", value);
      assert.deepEqual(await socket.events.next("echo"), [value]);
    }
    const bin = randomBytes(5000);
    socket.emit("echo", bin);
    assert.deepEqual(Buffer.from((await socket.events.next("echo"))[0]), bin);
    socket.close();
  });

  test("the official client with perMessageDeflate false talks uncompressed", async () => {
    const socket = await connect(ctx.url, "/", { transports: ["websocket"], perMessageDeflate: false });
    assert.equal(socket.io.engine.transport.ws._extensions["permessage-deflate"], undefined);
    socket.emit("echo", BIG);
    assert.deepEqual(await socket.events.next("echo"), [BIG]);
    socket.close();
  });

  test("the official client upgraded from polling deflates too", async () => {
    const socket = await connect(ctx.url, "/", { transports: ["polling", "websocket"] });
    await new Promise((resolve) => (socket.io.engine.transport.name === "websocket" ? resolve() : socket.io.engine.once("upgrade", resolve)));
    assert.ok(socket.io.engine.transport.ws._extensions["permessage-deflate"]);
    socket.emit("echo", BIG);
    assert.deepEqual(await socket.events.next("echo"), [BIG]);
    socket.close();
  });
});

// The threshold counts the bytes of the Engine.IO packet: 42["echo","0123456789"]
// is 23 of them.
describeWithServer("perMessageDeflate threshold", ["--per-message-deflate", "true", "--per-message-deflate-threshold", "23"], (ctx) => {
  jsonTest("a message of the threshold's size is deflated, one byte less is not", async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate");
    ws.send(`42${JSON.stringify(["echo", "0123456789"])}`);
    const at = await ws.message();
    assert.equal(at.rsv1, true);
    assert.equal(at.text, `42${JSON.stringify(["echo", "0123456789"])}`);
    ws.send(`42${JSON.stringify(["echo", "012345678"])}`);
    const under = await ws.message();
    assert.equal(under.rsv1, false);
    assert.equal(under.text, `42${JSON.stringify(["echo", "012345678"])}`);
    ws.socket.destroy();
  });
});

describeWithServer("perMessageDeflate off (engine.io's default)", [], (ctx) => {
  test("an offer is not answered", async () => {
    const ws = await rawWebSocket(ctx.port, "permessage-deflate; client_max_window_bits");
    assert.equal(ws.headers["sec-websocket-extensions"], undefined);
    ws.socket.destroy();
  });

  test("a bad offer is ignored", async () => {
    const ws = await rawWebSocket(ctx.port, "permessage-deflate; foo=1");
    assert.equal(ws.headers["sec-websocket-extensions"], undefined);
    ws.socket.destroy();
  });

  jsonTest("a frame with RSV1 is a protocol error (1002)", async () => {
    const ws = await joinedWebSocket(ctx.port, "permessage-deflate");
    ws.send(`42${JSON.stringify(["echo", SMALL])}`, { compress: true });
    assert.equal((await closeFrame(ws)).code, 1002);
  });

  test("the official client's offer is declined and large messages pass", async () => {
    const socket = await connect(ctx.url, "/", { transports: ["websocket"] });
    assert.equal(socket.io.engine.transport.ws._extensions["permessage-deflate"], undefined);
    socket.emit("echo", BIG);
    assert.deepEqual(await socket.events.next("echo"), [BIG]);
    socket.close();
  });

  jsonTest("polling: a large response is gzipped for a client that accepts gzip", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const res = await pollEcho(ctx.port, sid, "echo", BIG, { "accept-encoding": "gzip, deflate, br" });
    assert.equal(res.headers["content-encoding"], "gzip");
    assert.ok(res.body.length < 200);
    assert.equal(decoded(res), `42${JSON.stringify(["echo", BIG])}`);
  });

  jsonTest("polling: deflate when only deflate is accepted, or ranked first", async () => {
    const { sid } = await pollingSocket(ctx.port);
    for (const accept of ["deflate", "gzip;q=0.5, deflate"]) {
      const res = await pollEcho(ctx.port, sid, "echo", BIG, { "accept-encoding": accept });
      assert.equal(res.headers["content-encoding"], "deflate", accept);
      assert.equal(decoded(res), `42${JSON.stringify(["echo", BIG])}`);
    }
  });

  jsonTest("polling: no Content-Encoding without Accept-Encoding, below the threshold, or with compress(false)", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const plain = await pollEcho(ctx.port, sid, "echo", BIG, {});
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.body.toString(), `42${JSON.stringify(["echo", BIG])}`);
    const small = await pollEcho(ctx.port, sid, "echo", SMALL, { "accept-encoding": "gzip" });
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(small.body.toString(), `42${JSON.stringify(["echo", SMALL])}`);
    const refused = await pollEcho(ctx.port, sid, "echo", BIG, { "accept-encoding": "gzip;q=0, deflate;q=0" });
    assert.equal(refused.headers["content-encoding"], undefined);
    const uncompressed = await pollEcho(ctx.port, sid, "echo-uncompressed", BIG, { "accept-encoding": "gzip" });
    assert.equal(uncompressed.headers["content-encoding"], undefined);
    assert.equal(uncompressed.body.toString(), `42${JSON.stringify(["echo", BIG])}`);
  });

  test("polling: the official client reads gzipped responses", async () => {
    const socket = await connect(ctx.url, "/", { transports: ["polling"] });
    socket.emit("echo", BIG);
    assert.deepEqual(await socket.events.next("echo"), [BIG]);
    socket.close();
  });
});

describeWithServer("httpCompression false", ["--http-compression", "false"], (ctx) => {
  jsonTest("a large polling response goes uncompressed", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const res = await pollEcho(ctx.port, sid, "echo", BIG, { "accept-encoding": "gzip" });
    assert.equal(res.headers["content-encoding"], undefined);
    assert.equal(res.body.toString(), `42${JSON.stringify(["echo", BIG])}`);
  });
});

// A polling body of one packet is that packet: 42["echo","0123456789"] is 23 bytes.
describeWithServer("httpCompression threshold", ["--http-compression-threshold", "23"], (ctx) => {
  jsonTest("a response of the threshold's size is compressed, one byte less is not", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const at = await pollEcho(ctx.port, sid, "echo", "0123456789", { "accept-encoding": "gzip" });
    assert.equal(at.headers["content-encoding"], "gzip");
    assert.equal(decoded(at), `42${JSON.stringify(["echo", "0123456789"])}`);
    const under = await pollEcho(ctx.port, sid, "echo", "012345678", { "accept-encoding": "gzip" });
    assert.equal(under.headers["content-encoding"], undefined);
    assert.equal(under.body.toString(), `42${JSON.stringify(["echo", "012345678"])}`);
  });
});
