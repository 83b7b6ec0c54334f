// socket.data across a cluster: what a node's handler puts in socket.data is
// what fetchSockets() on any node reports for that socket (a Node node's
// RemoteSocket.data), whichever kind of node holds the socket and whichever
// asks; and connection state recovery gives a restored socket its data back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { closeAll, connect, emitWithAck, sleep, withTimeout } from "./helpers/client.mjs";
import { startNode, startRedis, waitForSubscribers } from "./helpers/cluster.mjs";
import { describeWithServer, test } from "./helpers/suite.mjs";

const TEST_TIMEOUT_MS = 20000;
const SETTLE_MS = 3000;

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Values of every JSON kind, nested, with text that needs escaping.
const VALUES = [
  { user: { name: "Zoë \"z\" \\ \u2028", tags: ["a", 1, true, null] }, n: -1.5e-7 },
  ["list", { deep: [[[]]] }, 0],
  "just a string",
  12345678901,
  true,
  null,
];

async function client(node, label) {
  const socket = await connect(node.url, "/", { transports: ["websocket"] });
  socket.label = `${label} on ${node.kind}:${node.port}`;
  return socket;
}

// fetch-data from socket until the sockets of `expected` are all listed with
// these data (sockets of earlier tests may still be leaving their nodes).
async function assertFetched(socket, expected) {
  const want = expected.map(({ socket: s, data }) => ({ id: s.id, data })).sort(byId);
  let list;
  for (let tries = 0; tries < 30; tries++) {
    [list] = await emitWithAck(socket, "fetch-data");
    if (list.length === want.length) break;
    await sleep(100);
  }
  assert.deepEqual(list, want, `fetch-data from ${socket.label}`);
}

function dataSuite(name, kinds) {
  describe(name, { timeout: 120000 }, () => {
    const ctx = { nodes: [], sockets: [] };
    before(async () => {
      ctx.redis = await startRedis();
      for (const kind of kinds) ctx.nodes.push(await startNode(kind, ctx.redis.url));
      await waitForSubscribers(ctx.redis.url, kinds.length);
    });
    after(async () => {
      closeAll(ctx.sockets);
      for (const n of ctx.nodes) n.kill();
      await ctx.redis?.kill();
    });

    async function oneEach() {
      const list = [];
      for (const [i, node] of ctx.nodes.entries()) list.push(await client(node, `client ${i}`));
      ctx.sockets.push(...list);
      return list;
    }

    it("a socket whose data was never set has {} on every node", { timeout: TEST_TIMEOUT_MS }, async () => {
      const sockets = await oneEach();
      const expected = sockets.map((socket) => ({ socket, data: {} }));
      for (const s of sockets) await assertFetched(s, expected);
      closeAll(sockets);
    });

    it("each node's socket.data is seen by a fetch from every node", { timeout: TEST_TIMEOUT_MS }, async () => {
      const sockets = await oneEach();
      const expected = sockets.map((socket, i) => ({ socket, data: VALUES[i % VALUES.length] }));
      for (const { socket, data } of expected) assert.deepEqual(await emitWithAck(socket, "set-data", data), []);
      for (const s of sockets) await assertFetched(s, expected);
      closeAll(sockets);
    });

    it("every kind of JSON value crosses the cluster unchanged", { timeout: TEST_TIMEOUT_MS }, async () => {
      const sockets = await oneEach();
      for (const [k, value] of VALUES.entries()) {
        const holder = sockets[k % sockets.length];
        await emitWithAck(holder, "set-data", value);
        const expected = sockets.map((socket) => ({ socket, data: socket === holder ? value : {} }));
        for (const s of sockets) await assertFetched(s, expected);
        await emitWithAck(holder, "set-data", {});
      }
      closeAll(sockets);
    });

    it("data set again replaces the old value everywhere", { timeout: TEST_TIMEOUT_MS }, async () => {
      const sockets = await oneEach();
      for (const s of sockets) await emitWithAck(s, "set-data", { v: 1 });
      for (const s of sockets) await emitWithAck(s, "set-data", { v: 2, who: s.label });
      const expected = sockets.map((socket) => ({ socket, data: { v: 2, who: socket.label } }));
      for (const s of sockets) await assertFetched(s, expected);
      closeAll(sockets);
    });

    it("every node exits 0 on SIGTERM with no sanitizer report", { timeout: TEST_TIMEOUT_MS }, async () => {
      for (const n of ctx.nodes) await n.stop();
    });
  });
}

dataSuite("socket.data in a mixed cluster: a Node.js node and two libsio nodes", ["ref", "libsio", "libsio"]);
dataSuite("socket.data in a libsio cluster of 2 nodes", ["libsio", "libsio"]);

// One server, as socket.io 4.8: a session restored by connection state
// recovery has the socket.data it had.
describeWithServer(
  "socket.data across connection state recovery",
  ["--recovery", "1500", "--ping-interval", "300", "--ping-timeout", "200"],
  (ctx) => {
    test("a restored socket has its data back", async () => {
      const socket = await connect(ctx.url, "/custom", { transports: ["websocket"] });
      const id = socket.id;
      const data = { cart: [1, 2], user: "ann" };
      await emitWithAck(socket, "set-data", data);
      socket.io.engine.close();
      await socket.events.next("disconnect");
      await sleep(100);
      socket.connect();
      await withTimeout(new Promise((resolve) => socket.once("connect", resolve)), SETTLE_MS, "reconnection");
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, id);
      assert.deepEqual(await emitWithAck(socket, "fetch-data"), [[{ id, data }]]);
      socket.close();
    });
  },
);
