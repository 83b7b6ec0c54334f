// Malformed socket.io-msgpack-parser packets sent by raw clients to a server
// started with --parser msgpack, over WebSocket (binary frames) and polling
// (base64 "b" packets). Each one closes that client's session, never the
// server, and a huge declared length is refused without being allocated.
import assert from "node:assert/strict";
import { decodePacket as decode, encodePacket as encode, msgpackParser } from "../interop/helpers/msgpack.mjs";
import { describeWithServer, test } from "../interop/helpers/suite.mjs";
import { withTimeout } from "../interop/helpers/client.mjs";
import { underTestIsReference } from "../interop/helpers/server.mjs";
import { openWebSocket, parseOpen, poll, pollingHandshake, post, splitPayload } from "../interop/helpers/raw.mjs";
import { assertPollingClosed } from "./closed.mjs";
import { assertServerHealthy } from "./healthy.mjs";

const str = (s) => Buffer.concat([Buffer.from([0xa0 | s.length]), Buffer.from(s)]);
// {type: 2, nsp: "/", data: <raw bytes>}: an EVENT whose data is hand-made.
const eventWithData = (data) =>
  Buffer.concat([Buffer.from([0x83]), str("type"), Buffer.from([2]), str("nsp"), str("/"), str("data"), data]);

const CLOSING = [
  ["a number instead of a map", Buffer.from([0x2a])],
  ["the never-used byte 0xc1", Buffer.from([0xc1])],
  ["a truncated map", Buffer.concat([Buffer.from([0x83]), str("type")])],
  ["a type that is a string", encode({ type: "2", nsp: "/", data: ["echo"] })],
  ["an unknown packet type", encode({ type: 9, nsp: "/" })],
  ["an EVENT without data", encode({ type: 2, nsp: "/" })],
  ["an EVENT whose data is a map", encode({ type: 2, nsp: "/", data: { a: 1 } })],
  ["a namespace that is a number", encode({ type: 2, nsp: 5, data: ["echo"] })],
  ["a str declaring 4 GiB", eventWithData(Buffer.from([0x91, 0xdb, 0xff, 0xff, 0xff, 0xf0, 0x61]))],
  ["an array declaring 4 billion items", eventWithData(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0xa4]))],
  ["a bin declaring 4 GiB", eventWithData(Buffer.from([0x92, 0xa4, ...Buffer.from("echo"), 0xc6, 0xff, 0xff, 0xff, 0xff]))],
  ["arrays nested 100,000 deep", eventWithData(Buffer.alloc(100000, 0x91))],
  ["a JSON text packet", '42["echo",1]'],
];

// socket.io-msgpack-parser lets these through (its checks are only on types),
// and the official server then runs handlers with them; libsio refuses them
// as the default JSON parser does, closing the session.
const STRICTER = [
  ["a negative ack id", encode({ type: 2, nsp: "/", data: ["echo"], id: -1 })],
  ["a reserved event name", encode({ type: 2, nsp: "/", data: ["disconnect"] })],
];

// Joins "/" over a raw WebSocket: the CONNECT and its answers are msgpack.
async function websocketSocket(port) {
  const ws = await openWebSocket(port);
  parseOpen(await ws.next());
  ws.send(encode({ type: 0, nsp: "/" }));
  const reply = await decode(await ws.next());
  assert.equal(reply.type, 0);
  assert.equal(typeof reply.data.sid, "string");
  assert.deepEqual((await decode(await ws.next())).data[0], "auth");
  return ws;
}

async function pollingSocket(port) {
  const { sid } = await pollingHandshake(port);
  assert.equal((await post(port, sid, `b${encode({ type: 0, nsp: "/" }).toString("base64")}`)).body, "ok");
  const packets = [];
  while (packets.length < 2) {
    const reply = await poll(port, sid);
    assert.equal(reply.status, 200);
    packets.push(...splitPayload(reply.body));
  }
  const connect = await decode(Buffer.from(packets[0].slice(1), "base64"));
  assert.equal(connect.type, 0);
  return sid;
}

const healthy = (url) => assertServerHealthy(url, { parser: msgpackParser });

describeWithServer("malformed msgpack packets", ["--parser", "msgpack"], (ctx) => {
  for (const [name, packet] of CLOSING) {
    test(`websocket: ${name} closes the connection`, async () => {
      const ws = await websocketSocket(ctx.port);
      ws.send(packet);
      await withTimeout(ws.closed, 5000, "the server to close the WebSocket");
      await healthy(ctx.url);
    });

    test(`polling: ${name} closes the session`, async () => {
      const sid = await pollingSocket(ctx.port);
      const body = typeof packet === "string" ? packet : `b${packet.toString("base64")}`;
      const res = await post(ctx.port, sid, body);
      assert.ok(res.status === 200 || res.status === 400, `POST answered ${res.status}`);
      await assertPollingClosed(ctx.port, sid);
      await healthy(ctx.url);
    });
  }

  for (const [name, packet] of STRICTER) {
    const official = underTestIsReference();
    test(`websocket: ${name} ${official ? "is let through (official)" : "closes the connection"}`, async () => {
      const ws = await websocketSocket(ctx.port);
      ws.send(packet);
      if (official) {
        ws.send(encode({ type: 2, nsp: "/", data: ["echo", "open"] }));
        // Whatever the handler made of the odd packet comes first.
        let data;
        for (let i = 0; i < 3 && data?.[1] !== "open"; i++) data = (await decode(await ws.next())).data;
        assert.deepEqual(data, ["echo", "open"]);
        ws.close();
      } else {
        await withTimeout(ws.closed, 5000, "the server to close the WebSocket");
      }
    });
  }

  test("websocket: a well-formed EVENT is answered after all this", async () => {
    const ws = await websocketSocket(ctx.port);
    ws.send(encode({ type: 2, nsp: "/", data: ["echo", "still", Buffer.from([7])] }));
    const echo = await decode(await ws.next());
    assert.equal(echo.data[0], "echo");
    assert.equal(echo.data[1], "still");
    assert.deepEqual([...new Uint8Array(echo.data[2])], [7]);
    ws.close();
  });
});
