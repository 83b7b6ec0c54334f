// Clients that do not take what the server sends them: a polling client that
// POSTs 1 MB echoes (and answers pings) but never GETs, and a WebSocket client
// that stops reading its socket while it asks the server for 1 MB floods.
// libsio holds a session's unsent output to 4 x maxHttpBufferSize + 8 MiB on
// either transport and ends the session with "transport error" past it; the
// server's memory stays bounded. The Node reference server has no such bound
// (it would queue all 300 MB), so those checks are libsio's only. Volatile
// packets to a polling client that is not waiting with a GET are dropped by
// both.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { describeWithServer, TEST_TIMEOUT_MS } from "../interop/helpers/suite.mjs";
import { connect, emitWithAck, sleep, withTimeout } from "../interop/helpers/client.mjs";
import { eioPath, poll, pollingHandshake, post, RECORD_SEPARATOR, splitPayload, tcpConnect } from "../interop/helpers/raw.mjs";
import { underTestIsReference } from "../interop/helpers/server.mjs";
import { assertServerHealthy } from "./healthy.mjs";

// AddressSanitizer keeps freed blocks (256 MB by default) before reusing
// them, which the resident size would count as if they were live.
process.env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, "quarantine_size_mb=8"].filter(Boolean).join(":");

const MESSAGES = 300;
const MESSAGE_BYTES = 1e6 - 100; // one message per POST under maxHttpBufferSize
// The bound is 4 x 1 MB + 8 MiB = 11.8 MiB of output; besides it the server
// holds the request being read, the copies of one message on its way
// through the event queue and the host, and what the allocator keeps (8 MiB
// of quarantine under ASan): up to 16 MiB seen, 26 MiB under ASan. Without
// the bound it grew by 300 MiB.
const RSS_GROWTH_MAX = 40 * 1024 * 1024;
const LIBSIO_ONLY = underTestIsReference() && "the Node server does not bound a session's output";

// The server's resident size in bytes.
function rss(server) {
  const m = readFileSync(`/proc/${server.pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Number(m[1]) * 1024;
}

function libsioOnly(name, fn) {
  it(name, { timeout: TEST_TIMEOUT_MS * 3, skip: LIBSIO_ONLY }, fn);
}

// [id, reason] of each disconnect the server saw in the observer's namespace.
async function disconnects(observer) {
  return (await emitWithAck(observer, "last-disconnects"))[0];
}

// The reasons of the disconnects in the observer's namespace, once there is one.
async function disconnectReasons(observer) {
  for (let tries = 0; tries < 50; tries++) {
    const list = await disconnects(observer);
    if (list.length) return list.map(([, reason]) => reason);
    await sleep(100);
  }
  return [];
}

// A short client frame: text, masked with a zero key (so the payload goes
// as is).
function clientFrame(text) {
  const payload = Buffer.from(text);
  assert.ok(payload.length < 126);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), Buffer.alloc(4), payload]);
}

// A WebSocket session opened by hand on a raw TCP socket, which stops
// reading once the 101 answer is in.
async function stalledWebSocket(port) {
  const conn = await tcpConnect(port);
  conn.socket.write(
    `GET ${eioPath({ transport: "websocket" })} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  await withTimeout(
    new Promise((resolve) => {
      const check = () => (conn.received().includes("\r\n\r\n") ? resolve() : setTimeout(check, 10));
      check();
    }),
    5000,
    "the 101 answer",
  );
  assert.match(conn.received(), /^HTTP\/1\.1 101 /);
  conn.socket.pause();
  return {
    conn,
    send: (text) => new Promise((resolve) => conn.socket.write(clientFrame(text), () => resolve())),
  };
}

describeWithServer("clients that do not read what they asked for", ["--ping-interval", "1000", "--ping-timeout", "5000"], (ctx) => {
  const big = "x".repeat(MESSAGE_BYTES - 20);

  libsioOnly(`polling: ${MESSAGES} x 1 MB echoes never fetched end the session with transport error, memory bounded`, async (t) => {
    await assertServerHealthy(ctx.url);
    const before = rss(ctx.server);
    const nsp = "/dyn-slow-polling";
    const observer = await connect(ctx.url, nsp, { transports: ["websocket"] });
    try {
      const { sid } = await pollingHandshake(ctx.port);
      assert.equal((await post(ctx.port, sid, `40${nsp},`)).body, "ok");
      // The observer's round trip after each keeps the host from falling
      // behind and tells when the session is gone.
      let taken = 0;
      let seen = [];
      let peak = before;
      while (taken < MESSAGES && !seen.length) {
        // A pong with each: the heartbeat does not end the session.
        const res = await post(ctx.port, sid, `3${RECORD_SEPARATOR}42${nsp},["echo","${big}"]`);
        peak = Math.max(peak, rss(ctx.server));
        if (res.status !== 200) break;
        taken++;
        seen = await disconnects(observer);
      }
      t.diagnostic(`${taken} messages taken`);
      const grown = peak - before;
      t.diagnostic(`the server grew by up to ${(grown / 2 ** 20).toFixed(1)} MiB`);
      assert.ok(grown < RSS_GROWTH_MAX, `the server grew by up to ${(grown / 2 ** 20).toFixed(1)} MiB`);
      // Ended once more than the bound's worth was waiting.
      assert.ok(taken > 11 && taken < MESSAGES, `${taken} messages taken`);
      const next = await poll(ctx.port, sid);
      assert.deepEqual([next.status, next.body], [400, '{"code":1,"message":"Session ID unknown"}']);
      assert.deepEqual(await disconnectReasons(observer), ["transport error"]);
    } finally {
      observer.close();
    }
    await assertServerHealthy(ctx.url);
  });

  libsioOnly(`websocket: a reader that stops reading while the server floods it ends with transport error, memory bounded`, async (t) => {
    await assertServerHealthy(ctx.url);
    const before = rss(ctx.server);
    const nsp = "/dyn-slow-websocket";
    const observer = await connect(ctx.url, nsp, { transports: ["websocket"] });
    try {
      const ws = await stalledWebSocket(ctx.port);
      await ws.send(`40${nsp},`);
      // Small requests for 1 MB each, and a pong with each: what the server
      // holds is its own output. The observer's round trip after each keeps
      // the host from falling behind and tells when the session is gone.
      let sent = 0;
      let seen = [];
      let peak = before;
      while (sent < MESSAGES && !seen.length) {
        await ws.send("3");
        await ws.send(`42${nsp},["flood",1,${MESSAGE_BYTES}]`);
        sent++;
        peak = Math.max(peak, rss(ctx.server));
        seen = await disconnects(observer);
      }
      t.diagnostic(`${sent} floods asked for`);
      const grown = peak - before;
      t.diagnostic(`the server grew by up to ${(grown / 2 ** 20).toFixed(1)} MiB`);
      assert.ok(grown < RSS_GROWTH_MAX, `the server grew by up to ${(grown / 2 ** 20).toFixed(1)} MiB`);
      assert.deepEqual(seen.map(([, reason]) => reason), ["transport error"]);
      // The server closed the connection.
      ws.conn.socket.resume();
      await withTimeout(ws.conn.closed, 5000, "the server to close the connection");
    } finally {
      observer.close();
    }
    await assertServerHealthy(ctx.url);
  });

  it("the flood handler sends what was asked for", { timeout: TEST_TIMEOUT_MS }, async () => {
    const socket = await connect(ctx.url, "/", { transports: ["websocket"] });
    try {
      socket.emit("flood", 3, 5);
      for (let i = 0; i < 3; i++) assert.deepEqual(await socket.events.next("flood"), [i, "xxxxx"]);
      socket.emit("flood", -1, 5);
      socket.emit("flood", 1, 1.5);
      assert.ok(await socket.events.none("flood", 300));
    } finally {
      socket.close();
    }
  });

  it("polling: volatile emits to a client without a waiting GET are dropped, others kept", { timeout: TEST_TIMEOUT_MS }, async () => {
    const { sid } = await pollingHandshake(ctx.port);
    assert.equal((await post(ctx.port, sid, "40")).body, "ok");
    const chunk = "y".repeat(100000);
    for (let i = 0; i < 20; i++) {
      assert.equal((await post(ctx.port, sid, `42["echo",${i},"${chunk}"]`)).body, "ok");
      assert.equal((await post(ctx.port, sid, `42["volatile","v",${i}]`)).body, "ok");
    }
    const packets = [];
    while (!packets.some((p) => p.startsWith('42["echo",19,'))) {
      const res = await poll(ctx.port, sid);
      assert.equal(res.status, 200);
      packets.push(...splitPayload(res.body));
    }
    const events = packets.filter((p) => p.startsWith("42")).map((p) => JSON.parse(p.slice(2)).slice(0, 2));
    const echoes = events.filter(([name]) => name === "echo");
    assert.deepEqual(echoes.map(([, i]) => i), [...Array(20).keys()]);
    assert.deepEqual(events.filter(([name]) => name === "v"), []);

    // The same emit while a GET waits goes out.
    const waiting = poll(ctx.port, sid);
    await sleep(100);
    assert.equal((await post(ctx.port, sid, '42["volatile","v","now"]')).body, "ok");
    const res = await waiting;
    assert.ok(splitPayload(res.body).includes('42["v","now"]'), res.body);
    await post(ctx.port, sid, "1");
  });
});
