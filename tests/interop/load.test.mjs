// Many clients at once: each echoes and acks, and broadcasts reach them all.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { closeAll, connect, emitWithAck, TRANSPORT_MODES } from "./helpers/client.mjs";

const CLIENTS = 200;
const EVENTS_PER_CLIENT = 5;

describeWithServer("many clients", [], (ctx) => {
  for (const [mode, count] of [["websocket", CLIENTS], ["polling", CLIENTS / 4], ["upgrade", CLIENTS / 4]]) {
    test(`${count} ${mode} clients connect at once, each echoes and acks`, async () => {
      const sockets = await Promise.all(Array.from({ length: count }, () => connect(ctx.url, `/dyn-load-${mode}`, TRANSPORT_MODES[mode])));
      try {
        assert.equal(new Set(sockets.map((s) => s.id)).size, count);
        await Promise.all(sockets.map(async (socket, i) => {
          for (let n = 0; n < EVENTS_PER_CLIENT; n++) socket.emit("echo", i, n);
          for (let n = 0; n < EVENTS_PER_CLIENT; n++) assert.deepEqual(await socket.events.next("echo", 15000), [i, n]);
          assert.deepEqual(await emitWithAck(socket, "ack", `client ${i}`), [`client ${i}`]);
        }));
        const [list] = await emitWithAck(sockets[0], "fetch");
        assert.equal(list.length, count);
        sockets[0].emit("bcast", "to all");
        await Promise.all(sockets.map(async (s) => assert.deepEqual(await s.events.next("bcast", 15000), ["to all"])));
      } finally {
        closeAll(sockets);
      }
    });
  }
});
