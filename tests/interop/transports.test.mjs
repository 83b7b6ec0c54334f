// The three ways the official client talks to the server: polling only,
// WebSocket only, and polling upgraded to WebSocket.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, TRANSPORT_MODES, waitForWebSocket } from "./helpers/client.mjs";

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
