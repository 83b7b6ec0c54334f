// The Engine.IO heartbeat seen with raw transports: the server pings every
// pingInterval and closes a session whose pong does not come within
// pingTimeout; a polling session that stops polling expires.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, emitWithAck, sleep } from "./helpers/client.mjs";
import { poll, pollingSocket, post, splitPayload, websocketSocket } from "./helpers/raw.mjs";

const PING_INTERVAL = 200;
const PING_TIMEOUT = 200;
const SLACK = 400;

describeWithServer("heartbeat", ["--ping-interval", String(PING_INTERVAL), "--ping-timeout", String(PING_TIMEOUT)], (ctx) => {
  async function lastReason(id) {
    const observer = await connect(ctx.url, "/", { transports: ["websocket"] });
    const [list] = await emitWithAck(observer, "last-disconnects");
    observer.close();
    return list.find(([seenId]) => seenId === id)?.[1];
  }

  test("the server pings a WebSocket every pingInterval and keeps it while it answers", async () => {
    const ws = await websocketSocket(ctx.port);
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      assert.equal(await ws.next(PING_INTERVAL + SLACK), "2");
      ws.send("3");
    }
    assert.ok(Date.now() - started >= 3 * PING_INTERVAL, "pings come no faster than pingInterval");
    ws.send('42["echo","alive"]');
    assert.equal(await ws.next(), '42["echo","alive"]');
    ws.close();
  });

  test("a WebSocket that does not answer pings is closed with ping timeout", async () => {
    const ws = await websocketSocket(ctx.port);
    assert.equal(await ws.next(PING_INTERVAL + SLACK), "2");
    await ws.closed;
    const elapsed = Date.now() - ws.openedAt;
    assert.ok(elapsed >= PING_INTERVAL + PING_TIMEOUT - 50, `closed after ${elapsed} ms`);
    assert.ok(elapsed <= PING_INTERVAL + PING_TIMEOUT + 2 * SLACK, `closed only after ${elapsed} ms`);
    assert.equal(await lastReason(ws.id), "ping timeout");
  });

  test("a polling session that keeps answering pings stays open", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const until = Date.now() + 3 * (PING_INTERVAL + PING_TIMEOUT);
    let pings = 0;
    while (Date.now() < until) {
      const res = await poll(ctx.port, sid);
      assert.equal(res.status, 200);
      const packets = splitPayload(res.body);
      if (packets.includes("2")) {
        pings++;
        assert.equal((await post(ctx.port, sid, "3")).body, "ok");
      }
    }
    assert.ok(pings >= 2, `only ${pings} pings`);
    assert.equal((await post(ctx.port, sid, '42["echo",1]')).body, "ok");
    let body = "";
    while (!body.includes('42["echo",1]')) body = (await poll(ctx.port, sid)).body;
  });

  test("a polling session that stops polling expires: later requests get Session ID unknown", async () => {
    const { sid, id } = await pollingSocket(ctx.port);
    await sleep(PING_INTERVAL + PING_TIMEOUT + SLACK);
    const res = await poll(ctx.port, sid);
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { code: 1, message: "Session ID unknown" });
    assert.equal(await lastReason(id), "ping timeout");
  });

  test("a pending GET is answered with the ping", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const started = Date.now();
    const res = await poll(ctx.port, sid);
    assert.equal(res.body, "2");
    assert.ok(Date.now() - started <= PING_INTERVAL + SLACK);
  });
});

// pingInterval and pingTimeout far apart, both ways round, so that a timer
// armed with the other one's value misses these tolerances.
const EARLY_MS = 30;
const LATE_MS = 400;

function assertGap(gap, expected, what) {
  assert.ok(gap >= expected - EARLY_MS, `${what} after ${gap} ms, expected ${expected} ms`);
  assert.ok(gap <= expected + LATE_MS, `${what} only after ${gap} ms, expected ${expected} ms`);
}

for (const [interval, timeout] of [[300, 1000], [1000, 300]]) {
  const args = ["--ping-interval", String(interval), "--ping-timeout", String(timeout)];
  describeWithServer(`heartbeat with pingInterval ${interval}, pingTimeout ${timeout}`, args, (ctx) => {
    test("the first ping comes pingInterval after the handshake, each next one pingInterval after the pong", async () => {
      const ws = await websocketSocket(ctx.port);
      assert.equal(await ws.next(interval + timeout + LATE_MS), "2");
      assertGap(Date.now() - ws.openedAt, interval, "the first ping");
      // A pong sent late (within pingTimeout) moves the next ping with it.
      for (const delay of [0, timeout / 2, 0]) {
        await sleep(delay);
        ws.send("3");
        const pongAt = Date.now();
        assert.equal(await ws.next(interval + timeout + LATE_MS), "2");
        assertGap(Date.now() - pongAt, interval, "the next ping");
      }
      ws.close();
    });

    test("a ping left unanswered closes the session pingTimeout after it", async () => {
      const ws = await websocketSocket(ctx.port);
      assert.equal(await ws.next(interval + timeout + LATE_MS), "2");
      const pingAt = Date.now();
      await ws.closed;
      assertGap(Date.now() - pingAt, timeout, "the close");
    });
  });
}
