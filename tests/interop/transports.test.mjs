// The three ways the official client talks to the server: polling only,
// WebSocket only, and polling upgraded to WebSocket; volatile emits on a
// WebSocket that the client stops reading.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, sleep, TRANSPORT_MODES, waitForWebSocket, withTimeout } from "./helpers/client.mjs";

describeWithServer("transports", [], (ctx) => {
  test("polling only: events flow and the transport stays polling", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.polling);
    socket.emit("echo", "over polling");
    assert.deepEqual(await socket.events.next("echo"), ["over polling"]);
    assert.equal(socket.io.engine.transport.name, "polling");
    socket.close();
  });

  test("websocket only: events flow over a WebSocket", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.websocket);
    socket.emit("echo", "over websocket");
    assert.deepEqual(await socket.events.next("echo"), ["over websocket"]);
    assert.equal(socket.io.engine.transport.name, "websocket");
    socket.close();
  });

  test("polling upgrades to websocket and keeps the session", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.upgrade);
    const engine = socket.io.engine;
    const sid = engine.id;
    await waitForWebSocket(socket);
    assert.equal(engine.transport.name, "websocket");
    assert.equal(engine.id, sid);
    socket.emit("echo", "after upgrade");
    assert.deepEqual(await socket.events.next("echo"), ["after upgrade"]);
    socket.close();
  });

  test("events sent while the upgrade is in progress all arrive, in order", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.upgrade);
    for (let i = 0; i < 50; i++) socket.emit("echo", i);
    for (let i = 0; i < 50; i++) assert.deepEqual(await socket.events.next("echo"), [i]);
    socket.close();
  });
});

// socket.io sends a volatile packet only when the transport is writable (a
// WebSocket with nothing waiting to be written): a client that stops reading
// congests it, and volatile emits meant for it are dropped until it drains.
describeWithServer("volatile emits on a congested WebSocket", [], (ctx) => {
  const BURST = 40;
  const BIG = "v".repeat(256 * 1024);
  // Long enough for the server to read and answer every request of a burst.
  const SETTLE_MS = 1000;

  // Asks for BURST large events (request(i, socket) gives each request's
  // arguments) with the client's TCP reads paused, then
  // reads everything up to the "end" echo sent last.
  async function burstToSlowReader(request) {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.websocket);
    const ws = socket.io.engine.transport.ws;
    ws._socket.pause();
    for (let i = 0; i < BURST; i++) socket.emit(...request(i, socket));
    socket.emit("echo", "end");
    await withTimeout((async () => {
      while (ws.bufferedAmount > 0) await sleep(20);
    })(), 10000, "the requests to be sent");
    await sleep(SETTLE_MS);
    ws._socket.resume();
    const echoes = [];
    for (;;) {
      const args = await socket.events.next("echo", 10000);
      if (args[0] === "end") break;
      echoes.push(args);
    }
    return { socket, echoes };
  }

  // Some of the burst's volatile packets (what: "emits", "broadcasts") are
  // dropped: the first, made while the WebSocket was idle, arrives, not all
  // do, and those that do come in order.
  async function expectSomeDropped(request, what) {
    const { socket } = await burstToSlowReader(request);
    const received = [];
    while (socket.events.count("big")) {
      const [i, data] = await socket.events.next("big");
      assert.equal(data.length, BIG.length);
      received.push(i);
    }
    assert.ok(received.length >= 1, `the first volatile ${what}, made while the WebSocket was idle, arrives`);
    assert.ok(received.length < BURST, `all ${BURST} volatile ${what} arrived though the client was not reading`);
    assert.deepEqual(received, [...received].sort((a, b) => a - b));
    socket.close();
  }

  test("a burst of large volatile emits to a client that does not read: some are dropped", () =>
    expectSomeDropped((i) => ["volatile", "big", i, BIG], "emits"));

  // To the room every socket has of its own id: a broadcast, not an emit to
  // one socket, which takes another path.
  test("a burst of large volatile broadcasts reaching a client that does not read: some are dropped", () =>
    expectSomeDropped((i, s) => ["volatile-to", s.id, "big", i, BIG], "broadcasts"));

  test("the same burst without volatile: every emit arrives, in order", async () => {
    const { socket, echoes } = await burstToSlowReader((i) => ["echo", "big", i, BIG]);
    assert.equal(echoes.length, BURST);
    echoes.forEach(([tag, i, data], n) => {
      assert.deepEqual([tag, i, data.length], ["big", n, BIG.length]);
    });
    socket.close();
  });
});

describeWithServer("transports with --transports polling", ["--transports", "polling"], (ctx) => {
  test("a client that would upgrade stays on polling", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.upgrade);
    socket.emit("echo", 1);
    assert.deepEqual(await socket.events.next("echo"), [1]);
    assert.equal(socket.io.engine.transport.name, "polling");
    socket.close();
  });

  test("a websocket-only client cannot connect", async () => {
    await assert.rejects(connect(ctx.url, "/", TRANSPORT_MODES.websocket));
  });
});

describeWithServer("transports with --transports websocket", ["--transports", "websocket"], (ctx) => {
  test("a websocket-only client connects", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.websocket);
    socket.emit("echo", 2);
    assert.deepEqual(await socket.events.next("echo"), [2]);
    socket.close();
  });

  test("a polling-only client cannot connect", async () => {
    await assert.rejects(connect(ctx.url, "/", TRANSPORT_MODES.polling));
  });
});
