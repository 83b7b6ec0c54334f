// Rooms and every broadcast form of the test server. Each test works in a
// namespace of its own (/dyn-<name>) so that clients of other tests never
// receive its broadcasts.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { closeAll, connect, emitWithAck, TRANSPORT_MODES } from "./helpers/client.mjs";

const QUIET_MS = 150;

for (const mode of ["polling", "websocket"]) {
  describeWithServer(`rooms and broadcasts over ${mode}`, [], (ctx) => {
    let nspCounter = 0;
    const freshNsp = () => `/dyn-rooms-${mode}-${++nspCounter}`;

    // Connects clients named by the keys of `rooms` and joins each to its rooms.
    async function group(nsp, rooms) {
      const clients = {};
      for (const [name, list] of Object.entries(rooms)) {
        clients[name] = await connect(ctx.url, nsp, TRANSPORT_MODES[mode]);
        for (const room of list) await emitWithAck(clients[name], "join", room);
      }
      return clients;
    }

    // Asserts that exactly the `expected` clients receive `event` with `args`,
    // once each.
    async function assertReceivers(clients, expected, event, args) {
      for (const name of expected) assert.deepEqual(await clients[name].events.next(event), args, `${name} receives ${event}`);
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      for (const [name, socket] of Object.entries(clients)) {
        assert.equal(socket.events.count(event), 0, `${name} must not receive ${event} (again)`);
      }
    }

    test("join and leave answer the sorted rooms, including the socket's own id", async () => {
      const socket = await connect(ctx.url, freshNsp(), TRANSPORT_MODES[mode]);
      assert.deepEqual(await emitWithAck(socket, "join", "zeta"), [[socket.id, "zeta"].sort()]);
      assert.deepEqual(await emitWithAck(socket, "join", "alpha"), [[socket.id, "alpha", "zeta"].sort()]);
      assert.deepEqual(await emitWithAck(socket, "join", "alpha"), [[socket.id, "alpha", "zeta"].sort()]);
      assert.deepEqual(await emitWithAck(socket, "leave", "zeta"), [[socket.id, "alpha"].sort()]);
      assert.deepEqual(await emitWithAck(socket, "leave", "never-joined"), [[socket.id, "alpha"].sort()]);
      socket.close();
    });

    test("to one room reaches its members only, sender included when a member", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: ["r1", "r2"], c: ["r2"], d: [] });
      c.d.emit("to", "r1", "ev", 1, "x");
      await assertReceivers(c, ["a", "b"], "ev", [1, "x"]);
      c.a.emit("to", "r1", "ev2");
      await assertReceivers(c, ["a", "b"], "ev2", []);
      closeAll(Object.values(c));
    });

    test("to several rooms reaches each member once", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: ["r1", "r2"], c: ["r2"], d: ["r3"] });
      c.d.emit("to", ["r1", "r2"], "ev", { many: true });
      await assertReceivers(c, ["a", "b", "c"], "ev", [{ many: true }]);
      closeAll(Object.values(c));
    });

    test("to a socket id reaches that socket", async () => {
      const c = await group(freshNsp(), { a: [], b: [] });
      c.a.emit("to", c.b.id, "private-msg", "hi");
      await assertReceivers(c, ["b"], "private-msg", ["hi"]);
      closeAll(Object.values(c));
    });

    test("to an empty room reaches nobody", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: [] });
      c.a.emit("to", "nobody-here", "ev");
      await assertReceivers(c, [], "ev", []);
      closeAll(Object.values(c));
    });

    test("to-except excludes the members of the except rooms", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: ["r1", "r2"], c: ["r2"], d: ["r3"] });
      c.d.emit("to-except", ["r1", "r2"], "r2", "ev", "a only");
      await assertReceivers(c, ["a"], "ev", ["a only"]);
      c.d.emit("to-except", "r1", ["r2", "r3"], "ev", "a again");
      await assertReceivers(c, ["a"], "ev", ["a again"]);
      closeAll(Object.values(c));
    });

    test("to-except with rooms null is the whole namespace minus the except rooms", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: ["r1", "r2"], c: ["r2"], d: [] });
      c.d.emit("to-except", null, "r1", "ev", 7);
      await assertReceivers(c, ["c", "d"], "ev", [7]);
      closeAll(Object.values(c));
    });

    test("socket.broadcast reaches everyone in the namespace but the sender", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: [], c: [] });
      c.a.emit("broadcast", "ev", "from a");
      await assertReceivers(c, ["b", "c"], "ev", ["from a"]);
      closeAll(Object.values(c));
    });

    test("socket.to(room) reaches the room's members but the sender", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: ["r1"], c: ["r2"] });
      c.a.emit("socket-to", "r1", "ev", "to r1");
      await assertReceivers(c, ["b"], "ev", ["to r1"]);
      closeAll(Object.values(c));
    });

    test("bcast reaches the whole namespace, sender included", async () => {
      const c = await group(freshNsp(), { a: [], b: ["r1"] });
      c.a.emit("bcast", "all", 1);
      await assertReceivers(c, ["a", "b"], "bcast", ["all", 1]);
      closeAll(Object.values(c));
    });

    test("of another namespace reaches that namespace only", async () => {
      const nsp = freshNsp();
      const other = freshNsp();
      const c = await group(nsp, { a: [] });
      const o = await group(other, { x: [], y: ["r1"] });
      c.a.emit("of", other, "ev", "cross");
      await assertReceivers(o, ["x", "y"], "ev", ["cross"]);
      assert.equal(c.a.events.count("ev"), 0);
      closeAll([...Object.values(c), ...Object.values(o)]);
    });

    test("of / from a dynamic namespace reaches the main namespace", async () => {
      const main = await connect(ctx.url, "/", TRANSPORT_MODES[mode]);
      const c = await group(freshNsp(), { a: [] });
      c.a.emit("of", "/", "to-main", "hello main");
      assert.deepEqual(await main.events.next("to-main"), ["hello main"]);
      closeAll([main, c.a]);
    });

    test("broadcast-ack collects every client's answer, sender included", async () => {
      const c = await group(freshNsp(), { a: [], b: [], c: [] });
      for (const [name, socket] of Object.entries(c)) socket.on("vote", (q, ack) => ack(`${name}:${q}`));
      c.a.emit("broadcast-ack", 2000, "vote", "q1");
      const [err, responses] = await c.a.events.next("broadcast-ack-result");
      assert.equal(err, null);
      assert.deepEqual(responses.sort(), ["a:q1", "b:q1", "c:q1"]);
      closeAll(Object.values(c));
    });

    test("broadcast-ack times out when a client does not answer, with the answers so far", async () => {
      const c = await group(freshNsp(), { a: [], b: [], silent: [] });
      c.a.on("vote", (ack) => ack("a"));
      c.b.on("vote", (ack) => ack({ b: [1, 2] }));
      c.silent.on("vote", () => {});
      c.a.emit("broadcast-ack", 300, "vote");
      const [err, responses] = await c.a.events.next("broadcast-ack-result");
      assert.equal(err, "operation has timed out");
      assert.equal(responses.length, 2);
      assert.ok(responses.includes("a"));
      assert.ok(responses.some((r) => JSON.stringify(r) === JSON.stringify({ b: [1, 2] })));
      closeAll(Object.values(c));
    });

    test("fetch lists every socket with its sorted rooms, sorted by id", async () => {
      const c = await group(freshNsp(), { a: ["r2", "r1"], b: [], c: ["r1"] });
      const [list] = await emitWithAck(c.b, "fetch");
      const expected = [
        { id: c.a.id, rooms: [c.a.id, "r1", "r2"].sort() },
        { id: c.b.id, rooms: [c.b.id] },
        { id: c.c.id, rooms: [c.c.id, "r1"].sort() },
      ].sort((x, y) => (x.id < y.id ? -1 : 1));
      assert.deepEqual(list, expected);
      closeAll(Object.values(c));
    });

    test("sockets-join and sockets-leave move every socket of the namespace", async () => {
      const c = await group(freshNsp(), { a: [], b: ["keep"] });
      assert.deepEqual(await emitWithAck(c.a, "sockets-join", "everyone"), []);
      let [list] = await emitWithAck(c.a, "fetch");
      for (const entry of list) assert.ok(entry.rooms.includes("everyone"));
      c.b.emit("to", "everyone", "ev", "joined");
      await assertReceivers(c, ["a", "b"], "ev", ["joined"]);
      assert.deepEqual(await emitWithAck(c.b, "sockets-leave", "everyone"), []);
      [list] = await emitWithAck(c.a, "fetch");
      for (const entry of list) assert.ok(!entry.rooms.includes("everyone"));
      assert.ok(list.find((e) => e.id === c.b.id).rooms.includes("keep"));
      closeAll(Object.values(c));
    });

    test("disconnect-room disconnects the room's members only", async () => {
      const nsp = freshNsp();
      const c = await group(nsp, { a: ["doomed"], b: ["doomed"], c: [] });
      const ids = { a: c.a.id, b: c.b.id };
      c.c.emit("disconnect-room", "doomed", false);
      assert.deepEqual(await c.a.events.next("disconnect"), ["io server disconnect", undefined]);
      assert.deepEqual(await c.b.events.next("disconnect"), ["io server disconnect", undefined]);
      const [seen] = await emitWithAck(c.c, "last-disconnects");
      assert.deepEqual(seen.map(([id, reason]) => [id, reason]).sort(), [
        [ids.a, "server namespace disconnect"],
        [ids.b, "server namespace disconnect"],
      ].sort());
      c.c.emit("echo", "survivor");
      assert.deepEqual(await c.c.events.next("echo"), ["survivor"]);
      closeAll(Object.values(c));
    });

    test("disconnect-room with close also closes the members' connections", async () => {
      const c = await group(freshNsp(), { a: ["doomed"], c: [] });
      const engine = c.a.io.engine;
      const engineClosed = new Promise((resolve) => engine.once("close", resolve));
      c.c.emit("disconnect-room", "doomed", true);
      assert.deepEqual(await c.a.events.next("disconnect"), ["io server disconnect", undefined]);
      await engineClosed;
      c.c.emit("echo", "survivor");
      assert.deepEqual(await c.c.events.next("echo"), ["survivor"]);
      closeAll(Object.values(c));
    });

    test("a disconnected socket leaves its rooms", async () => {
      const c = await group(freshNsp(), { a: ["r1"], b: ["r1"] });
      const goneId = c.a.id;
      c.a.close();
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      const [list] = await emitWithAck(c.b, "fetch");
      assert.deepEqual(list.map((e) => e.id), [c.b.id]);
      assert.ok(!list.some((e) => e.id === goneId));
      c.b.close();
    });
  });
}
