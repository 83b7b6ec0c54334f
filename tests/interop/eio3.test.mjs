// Engine.IO v3 clients (socket.io-client 2.x from npm) with allowEIO3, and
// their refusal without it: the v3 framing and heartbeat direction, "/"
// joined without a CONNECT, the query of a namespace as its auth, a
// middleware's refusal as its data.
import assert from "node:assert/strict";
import http from "node:http";
import { createRequire } from "node:module";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { MSGPACK, sleep, withTimeout } from "./helpers/client.mjs";
import { request } from "./helpers/raw.mjs";

const ioV2 = createRequire(import.meta.url)("socket.io-client-v2");

const WAIT_MS = 5000;
const PING_INTERVAL_MS = 300;
const PING_TIMEOUT_MS = 200;

const MODES = {
  polling: { transports: ["polling"] },
  "polling with base64": { transports: ["polling"], forceBase64: true },
  websocket: { transports: ["websocket"] },
  upgrade: { transports: ["polling", "websocket"] },
};

// Resolves to the arguments of the next `event` on a v2 socket.
function next(socket, event) {
  return withTimeout(new Promise((resolve) => socket.once(event, (...args) => resolve(args))), WAIT_MS, `"${event}"`);
}

// A v2 socket whose first events are recorded before it connects.
function open(url, nsp, opts) {
  const socket = ioV2(url + nsp, { forceNew: true, reconnection: false, timeout: WAIT_MS, ...opts });
  socket.auth = next(socket, "auth");
  return socket;
}

function emitWithAck(socket, event, ...args) {
  return withTimeout(new Promise((resolve) => socket.emit(event, ...args, (...res) => resolve(res))), WAIT_MS, `ack of "${event}"`);
}

function v3Path(query) {
  return `/socket.io/?${new URLSearchParams({ EIO: "3", ...query })}`;
}

// A v3 polling payload: "<length>:<packet>" records, lengths in UTF-16 units.
function v3Records(body) {
  const records = [];
  for (let i = 0; i < body.length; ) {
    const colon = body.indexOf(":", i);
    assert.ok(colon > i, `a length field at ${i} of ${JSON.stringify(body)}`);
    const n = Number(body.slice(i, colon));
    records.push(body.slice(colon + 1, colon + 1 + n));
    i = colon + 1 + n;
  }
  return records;
}

// One request whose answer's body stays bytes.
function requestBytes(port, { method = "GET", path, headers = {}, body }) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end(body);
    }),
    WAIT_MS,
    `${method} ${path}`,
  );
}

// A v3 binary payload: per packet 0 (text) or 1 (binary), the length's
// digits as bytes, 255, the packet.
function binaryPayload(packets) {
  return Buffer.concat(packets.map((p) => {
    const bytes = typeof p === "string" ? Buffer.from(p) : Buffer.concat([Buffer.from([4]), p]);
    const digits = [...String(bytes.length)].map(Number);
    return Buffer.concat([Buffer.from([typeof p === "string" ? 0 : 1, ...digits, 255]), bytes]);
  }));
}

function parseBinaryPayload(buf) {
  const packets = [];
  for (let i = 0; i < buf.length; ) {
    const text = buf[i] === 0;
    let j = i + 1;
    let len = "";
    while (buf[j] !== 255) len += String(buf[j++]);
    const bytes = buf.subarray(j + 1, j + 1 + Number(len));
    packets.push(text ? bytes.toString() : [...bytes]);
    i = j + 1 + Number(len);
  }
  return packets;
}

// Polls a v3 session until the test server's "auth" event came (after
// "40"; the host may emit it a response later); the records seen.
async function pollPastAuth(port, sid) {
  const seen = [];
  while (!seen.includes('42["auth",{}]')) {
    const res = await request(port, { path: v3Path({ transport: "polling", sid }) });
    seen.push(...v3Records(res.body));
  }
  return seen;
}

if (!MSGPACK) {
  describeWithServer("Engine.IO v3 clients with allowEIO3", ["--allow-eio3", "true", "--ping-interval", String(PING_INTERVAL_MS), "--ping-timeout", String(PING_TIMEOUT_MS)], (ctx) => {
    for (const [mode, opts] of Object.entries(MODES)) {
      test(`${mode}: joins "/" without a CONNECT, emits with an ack, gets events and binary`, async () => {
        const socket = open(ctx.url, "/", opts);
        await next(socket, "connect");
        assert.deepEqual(await socket.auth, [{}]);
        assert.deepEqual(await emitWithAck(socket, "ack", "a", { b: [1, "ü ✓ 😀"] }), ["a", { b: [1, "ü ✓ 😀"] }]);
        socket.emit("echo", "bytes", Buffer.from([1, 2, 255]), { nested: Buffer.from("hi") });
        const [text, bytes, nested] = await next(socket, "echo");
        assert.equal(text, "bytes");
        assert.deepEqual([...bytes], [1, 2, 255]);
        assert.equal(Buffer.from(nested.nested).toString(), "hi");
        if (mode === "upgrade") {
          if (socket.io.engine.transport.name !== "websocket")
            await withTimeout(new Promise((resolve) => socket.io.engine.once("upgrade", resolve)), WAIT_MS, "the upgrade");
          assert.equal(socket.io.engine.transport.name, "websocket");
          assert.deepEqual(await emitWithAck(socket, "ack", "after"), ["after"]);
        }
        socket.close();
      });
    }

    test("a second namespace: its query is the auth payload; a middleware refuses with its data", async () => {
      const main = open(ctx.url, "/", {});
      await next(main, "connect");
      // The manager's sockets open as they are made (autoConnect).
      const custom = main.io.socket("/custom", { query: { x: "1", y: "two words" } });
      custom.auth = next(custom, "auth");
      assert.deepEqual(await custom.auth, [{ x: "1", y: "two words" }]);
      assert.deepEqual(await emitWithAck(custom, "ack", "in custom"), ["in custom"]);
      const refused = main.io.socket("/private", { query: { token: "wrong" } });
      const error = next(refused, "error");
      assert.deepEqual(await error, [{ reason: "bad token" }]);
      // A manager keeps one socket per namespace: another manager for this one.
      const admitted = open(ctx.url, "/private", { query: { token: "secret" } });
      assert.deepEqual(await admitted.auth, [{ token: "secret" }]);
      admitted.close();
      const unknown = main.io.socket("/nowhere");
      const invalid = next(unknown, "error");
      assert.deepEqual(await invalid, [{ message: "Invalid namespace" }]);
      main.close();
    });

    for (const mode of ["polling", "websocket"]) {
      test(`${mode}: the client's pings keep it alive past pingInterval + pingTimeout`, async () => {
        const socket = open(ctx.url, "/", MODES[mode]);
        await next(socket, "connect");
        let disconnected = null;
        socket.on("disconnect", (reason) => (disconnected = reason));
        let pongs = 0;
        socket.io.engine.on("pong", () => pongs++);
        await sleep(4 * (PING_INTERVAL_MS + PING_TIMEOUT_MS));
        assert.equal(disconnected, null);
        assert.ok(pongs >= 3, `${pongs} pongs`);
        assert.deepEqual(await emitWithAck(socket, "ack", "alive"), ["alive"]);
        socket.close();
      });

      test(`${mode}: a server-side disconnect reaches the client`, async () => {
        const socket = open(ctx.url, "/", MODES[mode]);
        await next(socket, "connect");
        const reason = next(socket, "disconnect");
        socket.emit("disconnect-me", true);
        assert.deepEqual(await reason, ["io server disconnect"]);
        socket.close();
      });
    }

    test("raw: the handshake is a v3 payload; the server answers the client's ping with a pong", async () => {
      const hs = await request(ctx.port, { path: v3Path({ transport: "polling", b64: "1" }) });
      assert.equal(hs.status, 200);
      const [openPacket] = v3Records(hs.body);
      assert.equal(openPacket[0], "0");
      const { sid, pingInterval, pingTimeout } = JSON.parse(openPacket.slice(1));
      assert.deepEqual([pingInterval, pingTimeout], [PING_INTERVAL_MS, PING_TIMEOUT_MS]);
      assert.deepEqual(await pollPastAuth(ctx.port, sid), ["40", '42["auth",{}]']);
      const post = await request(ctx.port, { method: "POST", path: v3Path({ transport: "polling", sid }), body: "1:2", headers: { "content-type": "text/plain;charset=UTF-8" } });
      assert.equal(post.body, "ok");
      const pong = await request(ctx.port, { path: v3Path({ transport: "polling", sid }) });
      assert.deepEqual(v3Records(pong.body), ["3"]);
      // A UTF-16 length: "😀" is two units, four bytes.
      await request(ctx.port, { method: "POST", path: v3Path({ transport: "polling", sid }), body: '15:42["echo","😀"]', headers: { "content-type": "text/plain;charset=UTF-8" } });
      const echo = await request(ctx.port, { path: v3Path({ transport: "polling", sid }) });
      assert.deepEqual(v3Records(echo.body), ['42["echo","😀"]']);
      assert.ok(echo.body.startsWith("15:"), echo.body);
    });

    test("raw: without b64, binary goes as a v3 binary payload both ways", async () => {
      const hs = await request(ctx.port, { path: v3Path({ transport: "polling" }) });
      const { sid } = JSON.parse(v3Records(hs.body)[0].slice(1));
      await pollPastAuth(ctx.port, sid);
      const event = '451-["echo","é",{"_placeholder":true,"num":0}]';
      const post = await requestBytes(ctx.port, {
        method: "POST",
        path: v3Path({ transport: "polling", sid }),
        headers: { "content-type": "application/octet-stream" },
        body: binaryPayload([event, Buffer.from([1, 2, 255])]),
      });
      assert.equal(post.body.toString(), "ok");
      const echo = await requestBytes(ctx.port, { path: v3Path({ transport: "polling", sid }) });
      assert.equal(echo.headers["content-type"], "application/octet-stream");
      assert.deepEqual(parseBinaryPayload(echo.body), [event, [4, 1, 2, 255]]);
    });

    test("raw: a v3 session that never pings ends after pingInterval + pingTimeout", async () => {
      const hs = await request(ctx.port, { path: v3Path({ transport: "polling", b64: "1" }) });
      const { sid } = JSON.parse(v3Records(hs.body)[0].slice(1));
      await request(ctx.port, { path: v3Path({ transport: "polling", sid }) });
      await sleep(PING_INTERVAL_MS + PING_TIMEOUT_MS + 300);
      const late = await request(ctx.port, { path: v3Path({ transport: "polling", sid }) });
      assert.equal(late.status, 400);
      assert.deepEqual(JSON.parse(late.body), { code: 1, message: "Session ID unknown" });
    });

    test("raw: a malformed v3 payload ends the session, the server goes on", async () => {
      for (const body of ["x:2", "3:2", "2:9"]) {
        const hs = await request(ctx.port, { path: v3Path({ transport: "polling", b64: "1" }) });
        const { sid } = JSON.parse(v3Records(hs.body)[0].slice(1));
        await pollPastAuth(ctx.port, sid);
        await request(ctx.port, { method: "POST", path: v3Path({ transport: "polling", sid }), body, headers: { "content-type": "text/plain;charset=UTF-8" } });
        const after = await request(ctx.port, { path: v3Path({ transport: "polling", sid }) });
        assert.equal(after.status, 400, `${body}: ${after.body}`);
        assert.deepEqual(JSON.parse(after.body), { code: 1, message: "Session ID unknown" });
      }
    });

    test("raw: a v3 session refuses requests that name another revision", async () => {
      const hs = await request(ctx.port, { path: v3Path({ transport: "polling", b64: "1" }) });
      const { sid } = JSON.parse(v3Records(hs.body)[0].slice(1));
      const v4 = await request(ctx.port, { path: `/socket.io/?EIO=4&transport=polling&sid=${sid}` });
      assert.equal(v4.status, 400);
      assert.deepEqual(JSON.parse(v4.body), { code: 3, message: "Bad request" });
    });
  });

  describeWithServer("Engine.IO v3 clients without allowEIO3", [], (ctx) => {
    test("the handshake gets engine.io's error 5", async () => {
      for (const eio of ["3", undefined]) {
        const res = await request(ctx.port, { path: `/socket.io/?${eio ? `EIO=${eio}&` : ""}transport=polling` });
        assert.equal(res.status, 400);
        assert.deepEqual(JSON.parse(res.body), { code: 5, message: "Unsupported protocol version" });
      }
    });

    test("socket.io-client 2.x cannot connect", async () => {
      const socket = ioV2(ctx.url, { forceNew: true, reconnection: false, timeout: WAIT_MS, transports: ["polling"] });
      const [error] = await next(socket, "connect_error");
      assert.ok(error instanceof Error);
      assert.equal(socket.connected, false);
      socket.close();
    });
  });
}
