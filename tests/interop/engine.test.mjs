// Engine.IO on its own, with the official engine.io-client and raw requests:
// messages, binary, the upgrade sequence, heartbeat events and closing.
import assert from "node:assert/strict";
import { Socket as EngineSocket } from "engine.io-client";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { withTimeout } from "./helpers/client.mjs";
import { nextAnsweringPings, openWebSocket, poll, pollingSocket, splitPayload } from "./helpers/raw.mjs";

// An engine.io-client socket on the Socket.IO path whose messages are queued
// in `inbox`; `next()` resolves to the oldest unread one.
function openEngine(url, opts) {
  const socket = new EngineSocket(url, { path: "/socket.io/", ...opts });
  const inbox = [];
  const waiters = [];
  socket.on("message", (data) => (waiters.length ? waiters.shift()(data) : inbox.push(data)));
  socket.next = () => (inbox.length ? Promise.resolve(inbox.shift()) : withTimeout(new Promise((r) => waiters.push(r)), 5000, "a message"));
  socket.opened = withTimeout(new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  }), 5000, "the Engine.IO session to open");
  return socket;
}

describeWithServer("Engine.IO", ["--ping-interval", "300", "--ping-timeout", "300"], (ctx) => {
  for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
    const mode = transports.join("+");

    test(`${mode}: Socket.IO packets travel as Engine.IO messages`, async () => {
      const socket = openEngine(ctx.url, { transports });
      await socket.opened;
      assert.equal(typeof socket.id, "string");
      socket.send("0");
      assert.match(await socket.next(), /^0\{"sid":"[^"]+"\}$/);
      assert.equal(await socket.next(), '2["auth",{}]');
      socket.send('2["echo","via engine.io",1]');
      assert.equal(await socket.next(), '2["echo","via engine.io",1]');
      socket.close();
    });

    test(`${mode}: binary messages carry attachments`, async () => {
      const socket = openEngine(ctx.url, { transports });
      await socket.opened;
      socket.send("0");
      await socket.next();
      await socket.next();
      socket.send('51-["echo",{"_placeholder":true,"num":0}]');
      socket.send(Buffer.from([0, 1, 2, 255]));
      assert.equal(await socket.next(), '51-["echo",{"_placeholder":true,"num":0}]');
      assert.deepEqual([...new Uint8Array(await socket.next())], [0, 1, 2, 255]);
      socket.close();
    });

    test(`${mode}: the heartbeat runs while the session is idle`, async () => {
      const socket = openEngine(ctx.url, { transports });
      await socket.opened;
      socket.send("0");
      let pings = 0;
      socket.on("ping", () => pings++);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.ok(pings >= 2, `${pings} pings`);
      assert.equal(socket.readyState, "open");
      socket.close();
    });
  }

  test("polling+websocket: the client upgrades", async () => {
    const socket = openEngine(ctx.url, { transports: ["polling", "websocket"] });
    await socket.opened;
    if (socket.transport.name !== "websocket") {
      await withTimeout(new Promise((resolve) => socket.once("upgrade", resolve)), 5000, "the upgrade");
    }
    assert.equal(socket.transport.name, "websocket");
    socket.close();
  });

  test("raw upgrade: 2probe gets 3probe, the pending GET gets a noop, 5 completes it", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const pending = poll(ctx.port, sid);
    const ws = await openWebSocket(ctx.port, { sid });
    ws.send("2probe");
    assert.equal(await ws.next(), "3probe");
    const answered = await pending;
    assert.equal(answered.status, 200);
    assert.ok(splitPayload(answered.body).includes("6"), `pending GET answered ${answered.body}`);
    ws.send("5");
    ws.send('42["echo","upgraded"]');
    assert.equal(await nextAnsweringPings(ws), '42["echo","upgraded"]');
    ws.close();
  });

  test("raw upgrade: a GET after the probe gets the noop, then the WebSocket carries the session", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const ws = await openWebSocket(ctx.port, { sid });
    ws.send("2probe");
    assert.equal(await ws.next(), "3probe");
    // Polls until the server answers a GET with the noop that ends polling.
    while (!splitPayload((await poll(ctx.port, sid)).body).includes("6"));
    ws.send("5");
    ws.send('42["echo","a"]');
    ws.send('42["echo","b"]');
    assert.equal(await nextAnsweringPings(ws), '42["echo","a"]');
    assert.equal(await nextAnsweringPings(ws), '42["echo","b"]');
    ws.close();
  });

  test("closing from the client ends the session", async () => {
    const socket = openEngine(ctx.url, { transports: ["polling"] });
    await socket.opened;
    const sid = socket.id;
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.close();
    await closed;
    const res = await poll(ctx.port, sid);
    assert.equal(res.status, 400);
  });
});
