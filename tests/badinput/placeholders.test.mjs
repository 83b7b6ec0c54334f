// Attachments, placeholders and ack ids as a hostile client writes them, sent
// by raw clients. A placeholder nested inside another one is part of the
// object that stands for the attachment (socket.io-parser's reconstructPacket
// never looks inside it), so the packet is valid and means that attachment.
// A num spelt otherwise than as a plain integer, more than 10 attachments in
// a msgpack packet and an ack id past 2^53 - 1 are refused by libsio (parse
// error: that session closes, the server goes on); the official server lets
// them through, which the tests check when they run against it.
import assert from "node:assert/strict";
import { withTimeout } from "../interop/helpers/client.mjs";
import { decodePacket as decode, encodePacket as encode, msgpackParser } from "../interop/helpers/msgpack.mjs";
import { underTestIsReference } from "../interop/helpers/server.mjs";
import { describeWithServer, test } from "../interop/helpers/suite.mjs";
import { nextAnsweringPings, openWebSocket, parseOpen, poll, pollingHandshake, post, splitPayload, websocketSocket } from "../interop/helpers/raw.mjs";
import { assertServerHealthy } from "./healthy.mjs";

const OFFICIAL = underTestIsReference();
const NESTED = '{"num":0,"_placeholder":true,"x":{"_placeholder":true,"num":0}}';
const PLACEHOLDER_0 = '{"_placeholder":true,"num":0}';

// Each test has a namespace of its own (the test server accepts any /dyn-*
// one): a broadcast then asks only the sockets the test opened.
let namespaces = 0;
const freshNsp = () => `/dyn-placeholders-${++namespaces}`;

const closedWithin = (ws) => withTimeout(ws.closed, 5000, "the server to close the WebSocket");

// The next text packet and the binary messages that follow it.
async function nextBinaryPacket(ws, count) {
  const text = await nextAnsweringPings(ws);
  const bins = [];
  for (let k = 0; k < count; k++) bins.push([...(await ws.next())]);
  return { text, bins };
}

// The ack id of a `broadcast-ack` question ("q") in namespace nsp.
function questionId(packet, nsp) {
  const match = /^42\/[^,]*,(\d+)\["q"\]$/.exec(packet);
  assert.ok(match && packet.startsWith(`42${nsp},`), `not the question: ${packet}`);
  return match[1];
}

// a asks everyone in nsp with `broadcast-ack`; resolves to the ack id each
// WebSocket in `sockets` got the question with.
async function broadcastQuestion(nsp, a, sockets, timeoutMs) {
  a.send(`42${nsp},["broadcast-ack",${timeoutMs},"q"]`);
  const ids = [];
  for (const ws of sockets) ids.push(questionId(await nextAnsweringPings(ws), nsp));
  return ids;
}

// A polling session joined to nsp; resolves to its sid once the CONNECT
// reply and the `auth` event came.
async function pollingSocket(port, nsp) {
  const { sid } = await pollingHandshake(port);
  assert.equal((await post(port, sid, `40${nsp},`)).body, "ok");
  const packets = [];
  while (!packets.some((p) => p.startsWith(`42${nsp},["auth"`))) packets.push(...splitPayload((await poll(port, sid)).body));
  return sid;
}

// The broadcast-ack result a received in nsp, its attachments put in place.
async function broadcastResult(nsp, a, attachments) {
  const { text, bins } = await nextBinaryPacket(a, attachments);
  const prefix = attachments ? `45${attachments}-${nsp},` : `42${nsp},`;
  assert.ok(text.startsWith(prefix), `unexpected result packet: ${text}`);
  const [event, err, responses] = JSON.parse(text.slice(prefix.length));
  assert.equal(event, "broadcast-ack-result");
  const filled = responses.map((r) => (r && r._placeholder === true ? { bytes: bins[r.num] } : r));
  return { err, responses: filled, text };
}

// The responses as JSON texts, in a fixed order: the server keeps them in
// the order the answers arrived.
const sortedTexts = (list) => list.map((r) => JSON.stringify(r)).sort();

async function assertEchoes(nsp, ws) {
  ws.send(`42${nsp},["echo","still open"]`);
  assert.equal(await nextAnsweringPings(ws), `42${nsp},["echo","still open"]`);
}

describeWithServer("placeholders and attachments from hostile clients", [], (ctx) => {
  test("websocket: a nested placeholder in a broadcast-ack answer is the attachment; nothing else is hurt", async () => {
    const nsp = freshNsp();
    const a = await websocketSocket(ctx.port, nsp);
    const b = await websocketSocket(ctx.port, nsp);
    const [idA, idB] = await broadcastQuestion(nsp, a, [a, b], 2000);
    b.send(`461-${nsp},${idB}[${NESTED}]`);
    b.send(Buffer.from([7, 8]));
    a.send(`43${nsp},${idA}["fine"]`);
    const result = await broadcastResult(nsp, a, 1);
    assert.equal(result.err, null);
    // The placeholder reached a in its plain form, naming b's buffer.
    assert.ok(result.text.includes(PLACEHOLDER_0) && !result.text.includes('"x"'), result.text);
    assert.deepEqual(sortedTexts(result.responses), sortedTexts([{ bytes: [7, 8] }, "fine"]));
    await assertEchoes(nsp, b);
    await assertEchoes(nsp, a);
    a.close();
    b.close();
    await assertServerHealthy(ctx.url);
  });

  test("polling: a nested placeholder in a broadcast-ack answer is the attachment", async () => {
    const nsp = freshNsp();
    const a = await websocketSocket(ctx.port, nsp);
    const sid = await pollingSocket(ctx.port, nsp);
    a.send(`42${nsp},["broadcast-ack",2000,"q"]`);
    const idA = questionId(await nextAnsweringPings(a), nsp);
    let question;
    while (!question) question = splitPayload((await poll(ctx.port, sid)).body).find((p) => p.startsWith(`42${nsp},`));
    const idB = questionId(question, nsp);
    const body = `461-${nsp},${idB}[${NESTED}]\x1eb${Buffer.from([5]).toString("base64")}`;
    assert.equal((await post(ctx.port, sid, body)).body, "ok");
    a.send(`43${nsp},${idA}["fine"]`);
    const result = await broadcastResult(nsp, a, 1);
    assert.equal(result.err, null);
    assert.deepEqual(sortedTexts(result.responses), sortedTexts([{ bytes: [5] }, "fine"]));
    assert.equal((await post(ctx.port, sid, "1")).body, "ok");
    a.close();
    await assertServerHealthy(ctx.url);
  });

  test("websocket: a nested placeholder in an event reaches the handler as the attachment", async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send(`451-["echo",${NESTED}]`);
    ws.send(Buffer.from([9]));
    const { text, bins } = await nextBinaryPacket(ws, 1);
    assert.equal(text, `451-["echo",${PLACEHOLDER_0}]`);
    assert.deepEqual(bins, [[9]]);
    ws.close();
  });

  // Numbers JavaScript reads as an index (which one is given), spelt so that
  // a reader of the text that truncates, rounds or parses differently could
  // take them for another one.
  const SPELLINGS = [
    ["0.000000000000000000000000000001e30", 1],
    ["1.0", 1],
    ["1e0", 1],
    ["-0", 0],
  ];
  for (const [num, index] of SPELLINGS) {
    test(`websocket: placeholder num ${num} in a broadcast-ack answer ${OFFICIAL ? "names attachment " + index + " (official)" : "closes that connection"}`, async () => {
      const nsp = freshNsp();
      const a = await websocketSocket(ctx.port, nsp);
      const b = await websocketSocket(ctx.port, nsp);
      const [idA, idB] = await broadcastQuestion(nsp, a, [a, b], OFFICIAL ? 2000 : 500);
      a.send(`43${nsp},${idA}["fine"]`);
      b.send(`462-${nsp},${idB}[{"_placeholder":true,"num":${num}}]`);
      b.send(Buffer.from([7, 0]));
      b.send(Buffer.from([7, 1]));
      if (OFFICIAL) {
        // Only the buffer the answer names goes on to the broadcaster.
        const result = await broadcastResult(nsp, a, 1);
        assert.equal(result.err, null);
        assert.deepEqual(sortedTexts(result.responses), sortedTexts([{ bytes: [7, index] }, "fine"]));
        b.close();
      } else {
        await closedWithin(b);
        // Only a's answer is in the result, and no attachment at all.
        const result = await broadcastResult(nsp, a, 0);
        assert.equal(result.err, "operation has timed out");
        assert.deepEqual(result.responses, ["fine"]);
      }
      await assertEchoes(nsp, a);
      a.close();
      await assertServerHealthy(ctx.url);
    });
  }

  test(`websocket: placeholder num 1.0 in an event ${OFFICIAL ? "names attachment 1 (official)" : "closes the connection"}`, async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send('452-["echo",{"_placeholder":true,"num":1.0}]');
    ws.send(Buffer.from([1]));
    ws.send(Buffer.from([2]));
    if (OFFICIAL) {
      assert.deepEqual(await nextBinaryPacket(ws, 1), { text: `451-["echo",${PLACEHOLDER_0}]`, bins: [[2]] });
      ws.close();
    } else {
      await closedWithin(ws);
    }
    await assertServerHealthy(ctx.url);
  });

  test("websocket: ack id 2^53 - 1 is answered with the same id", async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send('429007199254740991["ack","x"]');
    assert.equal(await nextAnsweringPings(ws), '439007199254740991["x"]');
    ws.close();
  });

  test(`websocket: ack id 2^53 ${OFFICIAL ? "is answered (official)" : "closes the connection"}`, async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send('429007199254740992["ack","x"]');
    if (OFFICIAL) {
      assert.equal(await nextAnsweringPings(ws), '439007199254740992["x"]');
      ws.close();
    } else {
      await closedWithin(ws);
    }
    await assertServerHealthy(ctx.url);
  });
});

// Joins "/" over a raw WebSocket on a msgpack server.
async function msgpackSocket(port) {
  const ws = await openWebSocket(port);
  parseOpen(await ws.next());
  ws.send(encode({ type: 0, nsp: "/" }));
  assert.equal((await decode(await ws.next())).type, 0);
  assert.deepEqual((await decode(await ws.next())).data[0], "auth");
  return ws;
}

const buffers = (n) => Array.from({ length: n }, (_, k) => Buffer.from([k]));

describeWithServer("attachments and ack ids from hostile msgpack clients", ["--parser", "msgpack"], (ctx) => {
  const healthy = () => assertServerHealthy(ctx.url, { parser: msgpackParser });

  test("websocket: an event with 10 binary values is echoed", async () => {
    const ws = await msgpackSocket(ctx.port);
    ws.send(encode({ type: 2, nsp: "/", data: ["echo", ...buffers(10)] }));
    const echo = await decode(await ws.next());
    assert.equal(echo.data.length, 11);
    assert.deepEqual([...echo.data[10]], [9]);
    ws.close();
  });

  test(`websocket: an event with 11 binary values ${OFFICIAL ? "is echoed (official)" : "closes the connection"}`, async () => {
    const ws = await msgpackSocket(ctx.port);
    ws.send(encode({ type: 2, nsp: "/", data: ["echo", ...buffers(11)] }));
    if (OFFICIAL) {
      assert.equal((await decode(await ws.next())).data.length, 12);
      ws.close();
    } else {
      await closedWithin(ws);
    }
    await healthy();
  });

  test("websocket: ack id 2^53 - 1 is answered with the same id", async () => {
    const ws = await msgpackSocket(ctx.port);
    ws.send(encode({ type: 2, nsp: "/", data: ["ack", "x"], id: 9007199254740991 }));
    const answer = await decode(await ws.next());
    assert.equal(answer.type, 3);
    assert.equal(answer.id, 9007199254740991);
    assert.deepEqual(answer.data, ["x"]);
    ws.close();
  });

  test(`websocket: ack id 2^53 ${OFFICIAL ? "is answered (official)" : "closes the connection"}`, async () => {
    const ws = await msgpackSocket(ctx.port);
    ws.send(encode({ type: 2, nsp: "/", data: ["ack", "x"], id: 9007199254740992 }));
    if (OFFICIAL) {
      assert.equal((await decode(await ws.next())).id, 9007199254740992);
      ws.close();
    } else {
      await closedWithin(ws);
    }
    await healthy();
  });
});
