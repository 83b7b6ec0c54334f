// Packet forms that only raw clients send (socket.io-client never does), each
// found by a mutant of tests/mutation/ that no other suite killed.
import assert from "node:assert/strict";
import { msgpackParser } from "./helpers/msgpack.mjs";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { withTimeout } from "./helpers/client.mjs";
import { nextAnsweringPings, openWebSocket, parseOpen } from "./helpers/raw.mjs";

const encode = (packet) => Buffer.from(new msgpackParser.Encoder().encode(packet)[0]);

describeWithServer("packet forms of raw clients", [], (ctx) => {
  test("a CONNECT whose namespace ends the packet (no ',') joins that namespace", async () => {
    const ws = await openWebSocket(ctx.port);
    parseOpen(await ws.next());
    ws.send("40/custom");
    assert.match(await nextAnsweringPings(ws), /^40\/custom,\{"sid":"[^"]+"\}$/);
    assert.match(await nextAnsweringPings(ws), /^42\/custom,\["auth",\{\}/);
    ws.send('42/custom,["echo","joined"]');
    assert.equal(await nextAnsweringPings(ws), '42/custom,["echo","joined"]');
    ws.close();
  });
});

describeWithServer("msgpack packets of raw clients", ["--parser", "msgpack"], (ctx) => {
  // notepack.io refuses a buffer with bytes left after the value.
  test("bytes after a packet's map close the connection", async () => {
    const ws = await openWebSocket(ctx.port);
    parseOpen(await ws.next());
    ws.send(Buffer.concat([encode({ type: 0, nsp: "/" }), Buffer.from([0x00])]));
    await withTimeout(ws.closed, 5000, "the server to close the WebSocket");
  });
});
