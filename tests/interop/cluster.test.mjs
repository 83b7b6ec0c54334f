// Several nodes on one Redis, joined by @socket.io/redis-adapter's protocol:
// a mixed cluster (the Node reference server with the real npm adapter, and
// libsio nodes), then libsio alone, then Redis killed and started again; all
// of it with createAdapter's protocol, then with createShardedAdapter's
// (Redis 7 sharded pub/sub), whose channels per room are checked apart.
// Official clients on each node; what one node's client asks for must reach
// the clients of the others, exactly those, in both directions.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { closeAll, connect, emitWithAck, sleep, withTimeout } from "./helpers/client.mjs";
import { LIBSIO_IS_REFERENCE, startNode, startRedis, waitForSubscribers } from "./helpers/cluster.mjs";

const { createClient } = createRequire(import.meta.url)("redis");

const TEST_TIMEOUT_MS = 20000;
const QUIET_MS = 200;
let roomCounter = 0;
const freshRoom = () => `room-${process.pid}-${++roomCounter}`;

// Asserts that the `expected` sockets get `event` with `args` once each and
// the others none.
async function assertReceivers(sockets, expected, event, args) {
  for (const s of expected) assert.deepEqual(await s.events.next(event), args, `${s.label} receives ${event}`);
  await sleep(QUIET_MS);
  for (const s of sockets) assert.equal(s.events.count(event), 0, `${s.label} must not receive ${event} (again)`);
}

async function client(node, label, nsp = "/") {
  const socket = await connect(node.url, nsp, { transports: ["websocket"] });
  socket.label = `${label} on ${node.kind}:${node.port}`;
  return socket;
}

const SHARDED = { sharded: true };

// The number of connections listening to the shard channel of a room.
async function shardListeners(redis, nsp, room) {
  const reply = await redis.command(["PUBSUB", "SHARDNUMSUB", `socket.io#${nsp}#${room}#`]);
  return Number(reply[1]);
}

// Resolves once `count` connections listen to the room's shard channel.
async function roomListeners(redis, nsp, room, count) {
  for (let tries = 0; ; tries++) {
    const n = await shardListeners(redis, nsp, room);
    if (n === count) return;
    if (tries === 100) assert.fail(`${n} nodes listen to room ${room}'s channel, not ${count}`);
    await sleep(50);
  }
}
const ready = (redis, count, adapter = {}) => waitForSubscribers(redis.url, count, 3, undefined, adapter.sharded);

function clusterSuite(name, kinds, adapter = {}) {
  describe(name, { timeout: 120000 }, () => {
    const ctx = { nodes: [], sockets: [] };
    before(async () => {
      ctx.redis = await startRedis();
      for (const kind of kinds) ctx.nodes.push(await startNode(kind, ctx.redis.url, adapter));
      await ready(ctx.redis, kinds.length, adapter);
    });
    after(async () => {
      closeAll(ctx.sockets);
      for (const n of ctx.nodes) n.kill();
      await ctx.redis?.kill();
    });

    // One client per node, each also in a room of its own.
    async function oneEach(nsp = "/") {
      const list = [];
      for (const [i, node] of ctx.nodes.entries()) list.push(await client(node, `client ${i}`, nsp));
      ctx.sockets.push(...list);
      return list;
    }

    for (const [from, fromKind] of kinds.entries()) {
      const origin = `from node ${from} (${fromKind})`;

      it(`a broadcast to a room reaches its members on every node, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach();
        const room = freshRoom();
        const members = sockets.filter((_, i) => i !== from || sockets.length === 1);
        for (const s of members) await emitWithAck(s, "join", room);
        sockets[from].emit("to", room, "hello", { n: 1 }, "two");
        await assertReceivers(sockets, members, "hello", [{ n: 1 }, "two"]);
        closeAll(sockets);
      });

      it(`to several rooms with except, each socket once, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach();
        const [a, b, x] = [freshRoom(), freshRoom(), freshRoom()];
        // Every socket in a and b; the last one also in x, which is excepted.
        for (const s of sockets) {
          await emitWithAck(s, "join", a);
          await emitWithAck(s, "join", b);
        }
        const excluded = sockets[sockets.length - 1];
        await emitWithAck(excluded, "join", x);
        sockets[from].emit("to-except", [a, b], [x], "picked", 42);
        await assertReceivers(sockets, sockets.filter((s) => s !== excluded), "picked", [42]);
        closeAll(sockets);
      });

      it(`a namespace-wide broadcast with binary attachments, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach("/custom");
        const payload = Buffer.from([0, 1, 2, 250, 255]);
        sockets[from].emit("bcast", { file: payload, name: "f" }, payload);
        for (const s of sockets) {
          const [obj, buf] = await s.events.next("bcast");
          assert.equal(obj.name, "f");
          assert.deepEqual(Buffer.from(obj.file), payload, `${s.label}: nested attachment`);
          assert.deepEqual(Buffer.from(buf), payload, `${s.label}: attachment`);
        }
        closeAll(sockets);
      });

      it(`a volatile broadcast to a room reaches ready clients on every node, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach();
        const room = freshRoom();
        for (const s of sockets) await emitWithAck(s, "join", room);
        sockets[from].emit("volatile-to", room, "vol", "v");
        await assertReceivers(sockets, sockets, "vol", ["v"]);
        closeAll(sockets);
      });

      it(`serverSideEmitWithAck gets one answer from every other node, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach();
        const [answer] = await emitWithAck(sockets[from], "server-side-emit", { from }, "second");
        assert.deepEqual(answer, { err: null, res: Array(kinds.length - 1).fill({ from }) });
        closeAll(sockets);
      });

      it(`fetchSockets lists the sockets of every node with their rooms, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach("/custom");
        const room = freshRoom();
        await emitWithAck(sockets[0], "join", room);
        // Sockets of the tests before may still be leaving their nodes: ask
        // again until they are gone.
        let list;
        for (let tries = 0; tries < 20; tries++) {
          [list] = await emitWithAck(sockets[from], "fetch");
          if (list.length === sockets.length) break;
          await sleep(100);
        }
        const expected = sockets
          .map((s, i) => ({ id: s.id, rooms: (i === 0 ? [s.id, room] : [s.id]).sort() }))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        assert.deepEqual(list, expected);
        closeAll(sockets);
      });

      it(`socketsJoin and disconnectSockets act on every node, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach("/custom");
        const [room, gone] = [freshRoom(), freshRoom()];
        await emitWithAck(sockets[from], "sockets-join", room);
        // The request goes round through Redis: wait until every node has run it.
        await sleep(QUIET_MS);
        sockets[from].emit("to", room, "joined", 1);
        await assertReceivers(sockets, sockets, "joined", [1]);
        const victims = sockets.filter((_, i) => i !== from);
        for (const s of victims) await emitWithAck(s, "join", gone);
        sockets[from].emit("disconnect-room", gone);
        for (const s of victims) assert.equal((await s.events.next("disconnect"))[0], "io server disconnect", s.label);
        assert.ok(sockets[from].connected, "the asker is not in the room");
        closeAll(sockets);
      });

      it(`a broadcast with acks counts and gathers the clients of every node, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach("/custom");
        // Sockets of the tests before may still be leaving: they would be
        // counted and never answer.
        await sleep(QUIET_MS);
        sockets.forEach((s, i) => s.on("ask", (n, cb) => cb({ i, n })));
        sockets[from].emit("broadcast-ack", 3000, "ask", 5);
        const [err, responses] = await sockets[from].events.next("broadcast-ack-result");
        assert.equal(err, null);
        const byNode = (a, b) => a.i - b.i;
        assert.deepEqual(responses.sort(byNode), sockets.map((_, i) => ({ i, n: 5 })));
        closeAll(sockets);
      });

      it(`a socket's broadcast leaves out the sender only, ${origin}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const sockets = await oneEach();
        const room = freshRoom();
        for (const s of sockets) await emitWithAck(s, "join", room);
        sockets[from].emit("socket-to", room, "others", 7);
        await assertReceivers(sockets, sockets.filter((_, i) => i !== from), "others", [7]);
        closeAll(sockets);
      });
    }

    it("every node exits 0 on SIGTERM with no sanitizer report", { timeout: TEST_TIMEOUT_MS }, async () => {
      for (const n of ctx.nodes) await n.stop();
    });
  });
}

clusterSuite("mixed cluster: a Node.js node and two libsio nodes", ["ref", "libsio", "libsio"]);
clusterSuite("libsio cluster of 2 nodes", ["libsio", "libsio"]);
clusterSuite("libsio cluster of 3 nodes", ["libsio", "libsio", "libsio"]);
clusterSuite("sharded, mixed cluster: a Node.js createShardedAdapter node and two libsio nodes", ["ref", "libsio", "libsio"], SHARDED);
clusterSuite("sharded, libsio cluster of 2 nodes", ["libsio", "libsio"], SHARDED);
clusterSuite("sharded, libsio cluster of 3 nodes", ["libsio", "libsio", "libsio"], SHARDED);

function redisRestartSuite(name, adapter = {}) {
describe(name, { timeout: 120000 }, () => {
  const ctx = { sockets: [] };
  before(async () => {
    ctx.redis = await startRedis();
    ctx.libsio = await startNode("libsio", ctx.redis.url, adapter);
    ctx.ref = await startNode("ref", ctx.redis.url, adapter);
    await ready(ctx.redis, 2, adapter);
  });
  after(async () => {
    closeAll(ctx.sockets);
    ctx.libsio?.kill();
    ctx.ref?.kill();
    await ctx.redis?.kill();
  });

  it("local traffic goes on while Redis is down; the adapter comes back and so do cross-node broadcasts", { timeout: 60000 }, async () => {
    const local = await client(ctx.libsio, "local");
    const other = await client(ctx.libsio, "other");
    const remote = await client(ctx.ref, "remote");
    ctx.sockets.push(local, other, remote);
    const room = freshRoom();
    for (const s of [other, remote]) await emitWithAck(s, "join", room);
    // Both nodes listen to the room's channel (Node's adapter loses an
    // SSUBSCRIBE still unanswered when the connection goes).
    if (adapter.sharded) await roomListeners(ctx.redis, "/", room, 2);

    const port = ctx.redis.port;
    await ctx.redis.kill();
    await ctx.libsio.adapterLine("down", 1);
    // Long enough for reconnection attempts to fail against the closed port.
    await sleep(800);
    // (Node's sharded adapter delivers locally only once its SPUBLISH is
    // done, which node-redis holds until Redis is back: not while down.)
    if (!(LIBSIO_IS_REFERENCE && adapter.sharded)) {
      local.emit("to", room, "while-down", 1);
      assert.deepEqual(await other.events.next("while-down"), [1], "the local member still gets it");
    }
    local.emit("echo", "still");
    assert.deepEqual(await local.events.next("echo"), ["still"], "the socket's own traffic goes on");

    // A cluster request fails after adapter.requestsTimeout (5 s). (The Node
    // adapter first waits for PUBSUB NUMSUB, which node-redis holds until
    // Redis is back: its request ends only then.)
    if (!LIBSIO_IS_REFERENCE) {
      const answer = await withTimeout(new Promise((resolve) => local.emit("server-side-emit", "x", resolve)), 8000, "server-side-emit");
      assert.deepEqual(answer, { err: "timeout reached: only 0 responses received out of 0", res: [] });
    }

    ctx.redis = await startRedis(port);
    await ctx.libsio.adapterLine("up", 2, 15000);
    await ready(ctx.redis, 2, adapter);
    if (adapter.sharded) await roomListeners(ctx.redis, "/", room, 2);
    local.emit("to", room, "after", 2);
    await assertReceivers([local, other, remote], [other, remote], "after", [2]);
    remote.emit("to", room, "back", 3);
    await assertReceivers([local, other, remote], [other, remote], "back", [3]);
  });

  it("both nodes exit 0 on SIGTERM", { timeout: TEST_TIMEOUT_MS }, async () => {
    await ctx.libsio.stop();
    await ctx.ref.stop();
  });
});
}

redisRestartSuite("Redis goes away and comes back");
redisRestartSuite("sharded: Redis goes away and comes back", SHARDED);

// What crosses the wire on a room's shard channel, decoded as the Node
// adapter reads it (JSON unless binary).
function spyOn(redis, channel) {
  const spy = { messages: [], client: createClient({ url: redis.url }) };
  spy.ready = spy.client.connect().then(() =>
    spy.client.sSubscribe(channel, (raw) => spy.messages.push(raw[0] === 0x7b ? JSON.parse(raw.toString()) : raw), true),
  );
  spy.next = async () => {
    for (let tries = 0; !spy.messages.length; tries++) {
      if (tries === 100) assert.fail(`nothing published on ${channel}`);
      await sleep(50);
    }
    return spy.messages.shift();
  };
  return spy;
}

describe("sharded, dynamic subscription mode: a room's own channel", { timeout: 60000 }, () => {
  const ctx = { sockets: [] };
  before(async () => {
    ctx.redis = await startRedis();
    ctx.ref = await startNode("ref", ctx.redis.url, SHARDED);
    ctx.libsio = await startNode("libsio", ctx.redis.url, SHARDED);
    await ready(ctx.redis, 2, SHARDED);
  });
  after(async () => {
    closeAll(ctx.sockets);
    await ctx.spy?.client.quit().catch(() => {});
    ctx.libsio?.kill();
    ctx.ref?.kill();
    await ctx.redis?.kill();
  });

  it("a libsio node listens to a public room's channel while the room has members, never to a socket's own id", { timeout: TEST_TIMEOUT_MS }, async () => {
    const [a, b] = [await client(ctx.libsio, "a"), await client(ctx.libsio, "b")];
    ctx.sockets.push(a, b);
    const room = freshRoom();
    assert.equal(await shardListeners(ctx.redis, "/", room), 0);
    await emitWithAck(a, "join", room);
    await emitWithAck(b, "join", room);
    await roomListeners(ctx.redis, "/", room, 1);
    assert.equal(await shardListeners(ctx.redis, "/", a.id), 0, "no channel for a socket's own room");
    await emitWithAck(a, "leave", room);
    await sleep(QUIET_MS);
    assert.equal(await shardListeners(ctx.redis, "/", room), 1, "b is still in the room");
    b.disconnect();
    await roomListeners(ctx.redis, "/", room, 0);
    const all = await ctx.redis.command(["PUBSUB", "SHARDCHANNELS", `socket.io#/#${room}*`]);
    assert.deepEqual(all, []);
  });

  it("a broadcast to one room goes on the room's channel, written as Node writes it, both ways", { timeout: TEST_TIMEOUT_MS }, async () => {
    const lib = await client(ctx.libsio, "libsio member");
    const ref = await client(ctx.ref, "Node member");
    ctx.sockets.push(lib, ref);
    const room = freshRoom();
    ctx.spy = spyOn(ctx.redis, `socket.io#/#${room}#`);
    await ctx.spy.ready;
    for (const s of [lib, ref]) await emitWithAck(s, "join", room);
    await roomListeners(ctx.redis, "/", room, 3);

    ref.emit("to", room, "from-node", { n: 1 });
    await assertReceivers([lib, ref], [lib, ref], "from-node", [{ n: 1 }]);
    const fromNode = await ctx.spy.next();
    lib.emit("to", room, "from-libsio", { n: 1 });
    await assertReceivers([lib, ref], [lib, ref], "from-libsio", [{ n: 1 }]);
    const fromLibsio = await ctx.spy.next();

    assert.match(fromLibsio.uid, /^[0-9a-f]{16}$/);
    assert.notEqual(fromLibsio.uid, fromNode.uid);
    const same = (m, event) => ({ ...m, uid: "", data: { ...m.data, packet: { ...m.data.packet, data: [event, ...m.data.packet.data.slice(1)] } } });
    assert.deepEqual(same(fromLibsio, "e"), same(fromNode, "e"));
    assert.deepEqual(fromLibsio.data.packet.data, ["from-libsio", { n: 1 }]);
    assert.deepEqual(fromLibsio.data.opts, { rooms: [room], except: [], flags: {} });
  });
});

describe("sharded, static and dynamic-private subscription modes", { timeout: 60000 }, () => {
  const ctx = { sockets: [] };
  before(async () => {
    ctx.redis = await startRedis();
    const mode = { sharded: true, subscriptionMode: "static" };
    ctx.ref = await startNode("ref", ctx.redis.url, mode);
    ctx.libsio = await startNode("libsio", ctx.redis.url, mode);
    await ready(ctx.redis, 2, mode);
  });
  after(async () => {
    closeAll(ctx.sockets);
    ctx.libsio?.kill();
    ctx.ref?.kill();
    ctx.private?.kill();
    await ctx.redis?.kill();
  });

  it("static: no room has a channel; broadcasts to a room cross on the namespace's channel, both ways", { timeout: TEST_TIMEOUT_MS }, async () => {
    const lib = await client(ctx.libsio, "libsio member");
    const ref = await client(ctx.ref, "Node member");
    ctx.sockets.push(lib, ref);
    const room = freshRoom();
    for (const s of [lib, ref]) await emitWithAck(s, "join", room);
    await sleep(QUIET_MS);
    assert.deepEqual(await ctx.redis.command(["PUBSUB", "SHARDCHANNELS", `socket.io#/#room-*`]), []);
    ref.emit("to", room, "from-node", 1);
    await assertReceivers([lib, ref], [lib, ref], "from-node", [1]);
    lib.emit("to", room, "from-libsio", 2);
    await assertReceivers([lib, ref], [lib, ref], "from-libsio", [2]);
  });

  it("dynamic-private: a libsio node listens to each socket's own channel too", { timeout: TEST_TIMEOUT_MS }, async () => {
    ctx.private = await startNode("libsio", ctx.redis.url, { sharded: true, subscriptionMode: "dynamic-private" });
    const s = await client(ctx.private, "private");
    ctx.sockets.push(s);
    await roomListeners(ctx.redis, "/", s.id, 1);
    s.disconnect();
    await roomListeners(ctx.redis, "/", s.id, 0);
  });

  it("every node exits 0 on SIGTERM", { timeout: TEST_TIMEOUT_MS }, async () => {
    for (const n of [ctx.libsio, ctx.ref, ctx.private]) await n.stop();
  });
});
