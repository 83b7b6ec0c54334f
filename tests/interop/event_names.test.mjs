// Event names that socket.io-parser takes besides strings: a number, heard
// by the server under the text JavaScript makes of it (emit(42) reaches
// on("42")).
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, emitWithAck, MSGPACK } from "./helpers/client.mjs";
import { websocketSocket } from "./helpers/raw.mjs";

describeWithServer("numeric event names", [], (ctx) => {
  test("the official client's emit(42, ...) with an ack reaches the 42 handler", async () => {
    const socket = await connect(ctx.url);
    assert.deepEqual(await emitWithAck(socket, 42, "x", { n: 1 }), ["x", { n: 1 }]);
    socket.close();
  });

  if (!MSGPACK) {
    test("a raw 421[4.2e1,...] is the event 42: its ack comes back", async () => {
      const ws = await websocketSocket(ctx.port);
      ws.send('421[4.2e1,"y"]');
      assert.equal(await ws.next(), '431["y"]');
      ws.close();
    });

    test("a first item that is neither a string nor a number closes the connection", async () => {
      const ws = await websocketSocket(ctx.port);
      ws.send('421[true,"y"]');
      const { code } = await ws.closed;
      assert.ok(code >= 1000, `closed with ${code}`);
    });
  }
});
