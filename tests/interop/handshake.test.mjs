// The Engine.IO open packet and the transport options, checked with raw HTTP
// and raw WebSockets.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { openWebSocket, parseOpen, pollingHandshake, request, eioPath } from "./helpers/raw.mjs";

const OPEN_KEYS = ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"];

describeWithServer("handshake with default options", [], (ctx) => {
  test("a polling handshake answers the open packet as text/plain", async () => {
    const { open, res } = await pollingHandshake(ctx.port);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/plain; charset=UTF-8");
    assert.deepEqual(Object.keys(open).sort(), OPEN_KEYS);
    assert.equal(typeof open.sid, "string");
    assert.ok(open.sid.length > 0);
    assert.deepEqual(open.upgrades, ["websocket"]);
    assert.equal(open.pingInterval, 25000);
    assert.equal(open.pingTimeout, 20000);
    assert.equal(open.maxPayload, 1000000);
  });

  test("every handshake gets its own sid", async () => {
    const sids = new Set();
    for (let i = 0; i < 5; i++) sids.add((await pollingHandshake(ctx.port)).sid);
    assert.equal(sids.size, 5);
  });

  test("a WebSocket handshake sends the open packet with no upgrades", async () => {
    const ws = await openWebSocket(ctx.port);
    const open = parseOpen(await ws.next());
    assert.deepEqual(Object.keys(open).sort(), OPEN_KEYS);
    assert.deepEqual(open.upgrades, []);
    assert.equal(open.maxPayload, 1000000);
    ws.close();
  });

  test("the handshake ignores the cache buster t", async () => {
    const res = await request(ctx.port, { path: eioPath({ transport: "polling", t: "Nabc123" }) });
    assert.equal(res.status, 200);
    assert.equal(res.body[0], "0");
  });
});

describeWithServer("handshake with custom timings and buffer size",
  ["--ping-interval", "1234", "--ping-timeout", "567", "--max-http-buffer-size", "4321"], (ctx) => {
    test("the open packet carries the configured values", async () => {
      const { open } = await pollingHandshake(ctx.port);
      assert.equal(open.pingInterval, 1234);
      assert.equal(open.pingTimeout, 567);
      assert.equal(open.maxPayload, 4321);
    });
  });

describeWithServer("handshake with --transports polling", ["--transports", "polling"], (ctx) => {
  test("the open packet offers no upgrade", async () => {
    const { open } = await pollingHandshake(ctx.port);
    assert.deepEqual(open.upgrades, []);
  });

  test("a WebSocket is refused with HTTP 400", async () => {
    await assert.rejects(openWebSocket(ctx.port), (err) => err.status === 400);
  });
});

describeWithServer("handshake with --transports websocket", ["--transports", "websocket"], (ctx) => {
  test("a polling handshake is refused with code 0", async () => {
    const res = await request(ctx.port, { path: eioPath({ transport: "polling" }) });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { code: 0, message: "Transport unknown" });
  });

  test("a WebSocket handshake works", async () => {
    const ws = await openWebSocket(ctx.port);
    assert.deepEqual(parseOpen(await ws.next()).upgrades, []);
    ws.close();
  });
});
