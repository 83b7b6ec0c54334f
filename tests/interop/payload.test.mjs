// Payloads near and over --max-http-buffer-size: polling POST bodies over the
// limit get 413, WebSocket messages over it close the connection (1009).
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, emitWithAck, TRANSPORT_MODES } from "./helpers/client.mjs";
import { openWebSocket, parseOpen, poll, pollingSocket, post, splitPayload } from "./helpers/raw.mjs";

const MAX = 100000;

// A 42["echo","xxx…"] packet of exactly `size` bytes.
function echoPacketOfSize(size) {
  const overhead = '42["echo",""]'.length;
  return `42["echo","${"x".repeat(size - overhead)}"]`;
}

describeWithServer("payload limits", ["--max-http-buffer-size", String(MAX)], (ctx) => {
  for (const mode of ["polling", "websocket"]) {
    test(`${mode}: a string just under the limit is echoed`, async () => {
      const socket = await connect(ctx.url, "/", TRANSPORT_MODES[mode]);
      const big = "y".repeat(MAX - 100);
      socket.emit("echo", big);
      assert.deepEqual(await socket.events.next("echo"), [big]);
      socket.close();
    });

    // Polling carries binary as base64, which the limit applies to.
    test(`${mode}: a binary attachment just under the limit is echoed`, async () => {
      const socket = await connect(ctx.url, "/", TRANSPORT_MODES[mode]);
      const blob = Buffer.alloc(mode === "polling" ? Math.floor(((MAX - 100) * 3) / 4) : MAX - 100, 7);
      const [echoed] = await emitWithAck(socket, "ack", blob);
      assert.equal(Buffer.compare(Buffer.from(echoed), blob), 0);
      socket.close();
    });

    // Each attachment travels as its own Engine.IO packet, and the client
    // keeps each POST under maxPayload; the server's answer is bigger in all.
    test(`${mode}: several packets larger than the limit in all are echoed`, async () => {
      const socket = await connect(ctx.url, "/", TRANSPORT_MODES[mode]);
      const parts = [1, 2, 3].map((n) => Buffer.alloc(MAX / 2, n));
      const echoed = await emitWithAck(socket, "ack", ...parts);
      assert.deepEqual(echoed.map((b) => Buffer.from(b)), parts);
      socket.close();
    });
  }

  test("polling: a POST body of exactly the limit is accepted", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const res = await post(ctx.port, sid, echoPacketOfSize(MAX));
    assert.equal(res.status, 200);
    assert.equal(res.body, "ok");
    let body = "";
    while (!body.includes('42["echo"')) body = (await poll(ctx.port, sid)).body;
    assert.equal(splitPayload(body).find((p) => p.startsWith('42["echo"')).length, MAX);
  });

  test("polling: a POST body over the limit gets 413 and the session goes on", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const res = await post(ctx.port, sid, echoPacketOfSize(MAX + 1));
    assert.equal(res.status, 413);
    assert.equal((await post(ctx.port, sid, '42["echo","after"]')).body, "ok");
    let body = "";
    while (!body.includes('42["echo","after"]')) body = (await poll(ctx.port, sid)).body;
  });

  test("polling: the official client disconnects with transport error when its POST is too big", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.polling);
    socket.emit("echo", "w".repeat(MAX + 10));
    assert.equal((await socket.events.next("disconnect"))[0], "transport error");
  });

  test("websocket: a message of exactly the limit is accepted", async () => {
    const ws = await openWebSocket(ctx.port);
    parseOpen(await ws.next());
    ws.send("40");
    assert.match(await ws.next(), /^40\{"sid":/);
    assert.match(await ws.next(), /^42\["auth"/);
    ws.send(echoPacketOfSize(MAX));
    assert.equal((await ws.next()).length, MAX);
    ws.close();
  });

  test("websocket: a message over the limit closes the connection with 1009", async () => {
    const ws = await openWebSocket(ctx.port);
    parseOpen(await ws.next());
    ws.send("40");
    await ws.next();
    ws.send(echoPacketOfSize(MAX + 1));
    const { code } = await ws.closed;
    assert.equal(code, 1009);
  });

  test("websocket: the official client sees transport close when its message is too big", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.websocket);
    socket.emit("echo", "w".repeat(MAX + 10));
    assert.equal((await socket.events.next("disconnect"))[0], "transport close");
  });

  test("the server still serves a normal client", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.upgrade);
    socket.emit("echo", "fine");
    assert.deepEqual(await socket.events.next("echo"), ["fine"]);
    socket.close();
  });
});
