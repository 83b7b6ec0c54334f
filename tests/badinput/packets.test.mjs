// Malformed Engine.IO and Socket.IO packets sent by raw clients over
// WebSocket and polling. A malformed packet closes that client's session and
// nothing else; a harmless one is ignored and the session goes on.
import assert from "node:assert/strict";
import { describeWithServer, test } from "../interop/helpers/suite.mjs";
import { withTimeout } from "../interop/helpers/client.mjs";
import { nextAnsweringPings, openWebSocket, parseOpen, poll, pollingHandshake, pollingSocket, post, splitPayload, websocketSocket } from "../interop/helpers/raw.mjs";
import { assertPollingClosed } from "./closed.mjs";
import { assertServerHealthy } from "./healthy.mjs";

const placeholder = (num) => `{"_placeholder":true,"num":${num}}`;
const placeholders = (n) => Array.from({ length: n }, (_, i) => placeholder(i)).join(",");
const byte = (n) => Buffer.from([n]);

// Each case: name, then the packets sent after joining "/" (strings are text
// packets, Buffers are binary messages).
const CLOSING = [
  ["unknown Engine.IO type", ["9"]],
  ["empty packet", [""]],
  ["non-digit type", ["x"]],
  ["bare ping from the client", ["2"]],
  ["empty message", ["4"]],
  ["unknown Socket.IO type", ["47"]],
  ["EVENT with an object", ["42{}"]],
  ["EVENT with a string", ['42"text"']],
  ["EVENT with an empty array", ["42[]"]],
  ["garbage before the payload", ['42abc["echo",1]']],
  ["bad JSON", ['42["echo",']],
  ["trailing garbage", ['42["echo",1]xyz']],
  ["negative ack id", ['42-1["echo"]']],
  ["reserved event name", ['42["disconnect"]']],
  ["CONNECT to a joined namespace", ["40"]],
  ["CONNECT with an array", ["40[1]"]],
  ["CONNECT with a string", ['40"x"']],
  ["DISCONNECT with a payload", ['41{"a":1}']],
  ["DISCONNECT of a namespace not joined", ["41/custom,"]],
  ["EVENT to a namespace not joined", ['42/custom,["echo",1]']],
  ["binary event without an attachment count", [`45["echo",${placeholder(0)}]`, byte(1)]],
  ["attachment count not a number", ['45x-["echo"]']],
  ["attachment count zero", ['450-["echo"]']],
  ["more than 10 attachments", [`4511-["echo",${placeholders(11)}]`, ...Array(11).fill(byte(1))]],
  ["binary message without a packet", [Buffer.from([1, 2, 3])]],
  ["text packet while attachments are awaited", [`451-["echo",${placeholder(0)}]`, '42["echo",1]']],
  ["placeholder number out of range", [`451-["echo",${placeholder(5)}]`, byte(1)]],
  ["placeholder without a number", ['451-["echo",{"_placeholder":true}]', byte(1)]],
  ["more attachments than announced", [`451-["echo",${placeholder(0)}]`, byte(1), byte(2)]],
];

const HARMLESS = [
  ["unsolicited pong", ["3"]],
  ["noop", ["6"]],
  ["ACK with an unknown id", ["4399[1]"]],
];

const encodeForPolling = (packets) =>
  packets.map((p) => (typeof p === "string" ? p : `b${p.toString("base64")}`)).join("\x1e");

async function assertWebSocketEcho(ws) {
  ws.send('42["echo","still open"]');
  assert.equal(await nextAnsweringPings(ws), '42["echo","still open"]');
}

async function assertPollingEcho(port, sid) {
  assert.equal((await post(port, sid, '42["echo","still open"]')).body, "ok");
  let body = "";
  while (!splitPayload(body).includes('42["echo","still open"]')) body = (await poll(port, sid)).body;
}

describeWithServer("malformed packets", [], (ctx) => {
  for (const [name, packets] of CLOSING) {
    test(`websocket: ${name} closes the connection`, async () => {
      const ws = await websocketSocket(ctx.port);
      for (const packet of packets) ws.send(packet);
      await withTimeout(ws.closed, 5000, "the server to close the WebSocket");
      await assertServerHealthy(ctx.url);
    });

    test(`polling: ${name} closes the session`, async () => {
      const { sid } = await pollingSocket(ctx.port);
      const res = await post(ctx.port, sid, encodeForPolling(packets));
      assert.ok(res.status === 200 || res.status === 400, `POST answered ${res.status}`);
      await assertPollingClosed(ctx.port, sid);
      await assertServerHealthy(ctx.url);
    });
  }

  for (const [name, packets] of HARMLESS) {
    test(`websocket: ${name} is ignored`, async () => {
      const ws = await websocketSocket(ctx.port);
      for (const packet of packets) ws.send(packet);
      await assertWebSocketEcho(ws);
      ws.close();
    });

    test(`polling: ${name} is ignored`, async () => {
      const { sid } = await pollingSocket(ctx.port);
      assert.equal((await post(ctx.port, sid, encodeForPolling(packets))).body, "ok");
      await assertPollingEcho(ctx.port, sid);
    });
  }

  test("websocket: exactly 10 attachments are accepted", async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send(`4510-["echo",${placeholders(10)}]`);
    for (let i = 0; i < 10; i++) ws.send(byte(i));
    assert.equal(await ws.next(), `4510-["echo",${placeholders(10)}]`);
    for (let i = 0; i < 10; i++) assert.deepEqual(await ws.next(), byte(i));
    ws.close();
  });

  test("polling: exactly 10 attachments are accepted", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const packets = [`4510-["echo",${placeholders(10)}]`, ...Array.from({ length: 10 }, (_, i) => byte(i))];
    assert.equal((await post(ctx.port, sid, encodeForPolling(packets))).body, "ok");
    let received = [];
    while (received.length < 11) received.push(...splitPayload((await poll(ctx.port, sid)).body).filter((p) => p !== "2"));
    assert.deepEqual(received, splitPayload(encodeForPolling(packets)));
  });

  test("websocket: DISCONNECT leaves the namespace but keeps the connection", async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send("41");
    ws.send("40/custom,");
    assert.match(await ws.next(), /^40\/custom,\{"sid":/);
    assert.match(await ws.next(), /^42\/custom,\["auth"/);
    ws.close();
  });

  test("websocket: CONNECT to an unknown namespace is refused, the connection stays", async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send("40/nope,");
    assert.equal(await ws.next(), '44/nope,{"message":"Invalid namespace"}');
    await assertWebSocketEcho(ws);
    ws.close();
  });

  test("polling: a close packet from the client ends the session", async () => {
    const { sid } = await pollingSocket(ctx.port);
    assert.equal((await post(ctx.port, sid, "1")).body, "ok");
    await assertPollingClosed(ctx.port, sid);
  });

  test("websocket: a first packet that is not CONNECT closes the connection", async () => {
    const ws = await openWebSocket(ctx.port);
    parseOpen(await ws.next());
    ws.send('42["echo",1]');
    await withTimeout(ws.closed, 5000, "the server to close the WebSocket");
    await assertServerHealthy(ctx.url);
  });

  test("polling: a first packet that is not CONNECT closes the session", async () => {
    const { sid } = await pollingHandshake(ctx.port);
    await post(ctx.port, sid, '42["echo",1]');
    await assertPollingClosed(ctx.port, sid);
    await assertServerHealthy(ctx.url);
  });

  test("websocket: a bare ping before CONNECT closes the connection", async () => {
    const ws = await openWebSocket(ctx.port);
    parseOpen(await ws.next());
    ws.send("2");
    await withTimeout(ws.closed, 5000, "the server to close the WebSocket");
    await assertServerHealthy(ctx.url);
  });

  test("polling: a bare ping closes the session", async () => {
    const { sid } = await pollingHandshake(ctx.port);
    await post(ctx.port, sid, "2");
    await assertPollingClosed(ctx.port, sid);
    await assertServerHealthy(ctx.url);
  });

  test("a malformed packet closes only its own session", async () => {
    const bystander = await websocketSocket(ctx.port);
    const offender = await websocketSocket(ctx.port);
    offender.send("42{}");
    await withTimeout(offender.closed, 5000, "the offender to be closed");
    await assertWebSocketEcho(bystander);
    bystander.close();
  });
});
