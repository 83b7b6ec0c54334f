// Connection state recovery with the official client's connectionStateRecovery:
// after a transport failure the client comes back with its private id and last
// offset and gets its id, rooms and the packets it missed; after
// maxDisconnectionDuration, or after a disconnect it asked for, it does not.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, emitWithAck, MSGPACK, sleep, withTimeout } from "./helpers/client.mjs";
import { poll, pollingHandshake, post, splitPayload } from "./helpers/raw.mjs";

const RECOVERY_MS = 1500;
const SETTLE_MS = 3000;

// Stops the client's heartbeat: the server closes the transport on ping timeout.
function stopPongs(socket) {
  const engine = socket.io.engine;
  const send = engine._sendPacket.bind(engine);
  engine._sendPacket = (type, ...rest) => (type === "pong" ? undefined : send(type, ...rest));
}

// Every event from a recovering server carries its offset as last argument.
function withoutOffset(args) {
  assert.equal(typeof args[args.length - 1], "string", `no offset in ${JSON.stringify(args)}`);
  return args.slice(0, -1);
}

for (const mode of ["polling", "websocket"]) {
  describeWithServer(
    `connection state recovery over ${mode}`,
    ["--recovery", String(RECOVERY_MS), "--ping-interval", "300", "--ping-timeout", "200"],
    (ctx) => {
      let counter = 0;
      const freshNsp = () => `/dyn-rec-${mode}-${++counter}`;
      const open = (nsp, opts = {}) => connect(ctx.url, nsp, { transports: [mode], ...opts });

      // Waits until the server has seen socket id leave, and returns the reason.
      async function serverReason(observer, id) {
        const deadline = Date.now() + SETTLE_MS;
        while (Date.now() < deadline) {
          const [list] = await emitWithAck(observer, "last-disconnects");
          const entry = list.find(([seenId]) => seenId === id);
          if (entry) return entry[1];
          await sleep(30);
        }
        return undefined;
      }

      async function reconnect(socket) {
        socket.connect();
        await withTimeout(new Promise((resolve) => socket.once("connect", resolve)), SETTLE_MS, "reconnection");
      }

      // A socket in room "r" that has received one event (so it has an offset).
      async function member(nsp) {
        const socket = await open(nsp);
        withoutOffset(await socket.events.next("auth"));
        const [rooms] = await emitWithAck(socket, "join", "r");
        assert.deepEqual(rooms, [socket.id, "r"].sort());
        return socket;
      }

      test("CONNECT carries a private id; events carry an offset", async () => {
        const socket = await open(freshNsp());
        assert.equal(typeof socket._pid, "string");
        assert.equal(socket._pid.length, 20);
        assert.notEqual(socket._pid, socket.id);
        assert.deepEqual(withoutOffset(await socket.events.next("auth")), [{}]);
        socket.emit("echo", 1, "a");
        const echoed = await socket.events.next("echo");
        assert.deepEqual(withoutOffset(echoed), [1, "a"]);
        assert.equal(socket._lastOffset, echoed[2]);
        // With an ack: no offset, as socket.io-adapter stores none.
        let asked;
        socket.on("ask", (...args) => {
          args.pop()("ok");
          asked = args;
        });
        socket.emit("server-ack", 2000, "ask", "x");
        assert.deepEqual(withoutOffset(await socket.events.next("server-ack-result")), [null, ["ok"]]);
        assert.deepEqual(asked, ["x"]);
        assert.equal((await emitWithAck(socket, "recovered"))[0], false);
        socket.close();
      });

      test("client engine close: same id, rooms and the missed room broadcasts in order", async () => {
        const nsp = freshNsp();
        const [socket, observer] = [await member(nsp), await open(nsp)];
        const id = socket.id;
        await emitWithAck(observer, "join", "other");
        socket.io.engine.close();
        await socket.events.next("disconnect");
        assert.equal(await serverReason(observer, id), "transport close");
        observer.emit("to", "r", "missed", 1, Buffer.from([1, 2, 3]));
        observer.emit("to", "other", "missed", "not for it");
        observer.emit("to-except", null, ["r"], "missed", "excluded");
        observer.emit("volatile-to", "r", "missed", "volatile");
        observer.emit("bcast", "everyone");
        observer.emit("to", ["r", "other"], "missed", 2);
        await observer.events.next("bcast");
        await observer.events.next("missed"); // "not for it": all of the observer's were sent
        await reconnect(socket);
        assert.equal(socket.recovered, true);
        assert.equal(socket.id, id);
        const first = withoutOffset(await socket.events.next("missed"));
        assert.equal(first[0], 1);
        assert.deepEqual([...first[1]], [1, 2, 3]);
        assert.deepEqual(withoutOffset(await socket.events.next("bcast")), ["everyone"]);
        assert.deepEqual(withoutOffset(await socket.events.next("missed")), [2]);
        assert.equal(await socket.events.none("missed", 200), true);
        assert.equal((await emitWithAck(socket, "recovered"))[0], true);
        const [rooms] = await emitWithAck(socket, "join", "again");
        assert.deepEqual(rooms, [id, "again", "r"].sort());
        // Live again: the next room broadcast arrives once.
        observer.emit("to", "r", "live", 3);
        assert.deepEqual(withoutOffset(await socket.events.next("live")), [3]);
        socket.close();
        observer.close();
      });

      test("server closes the transport (ping timeout): recovered", async () => {
        const nsp = freshNsp();
        const [socket, observer] = [await member(nsp), await open(nsp)];
        const id = socket.id;
        stopPongs(socket);
        await socket.events.next("disconnect", SETTLE_MS);
        assert.equal(await serverReason(observer, id), "ping timeout");
        observer.emit("to", "r", "missed", "while away");
        await sleep(100);
        await reconnect(socket);
        assert.equal(socket.recovered, true);
        assert.equal(socket.id, id);
        assert.deepEqual(withoutOffset(await socket.events.next("missed")), ["while away"]);
        assert.equal((await emitWithAck(socket, "recovered"))[0], true);
        socket.close();
        observer.close();
      });

      test("automatic reconnection recovers", async () => {
        const nsp = freshNsp();
        const socket = await open(nsp, { reconnection: true, reconnectionDelay: 500, randomizationFactor: 0 });
        withoutOffset(await socket.events.next("auth"));
        const id = socket.id;
        const reconnected = new Promise((resolve) => socket.once("connect", resolve));
        socket.io.engine.close();
        await withTimeout(reconnected, SETTLE_MS, "reconnection");
        assert.equal(socket.recovered, true);
        assert.equal(socket.id, id);
        assert.equal((await emitWithAck(socket, "recovered"))[0], true);
        socket.close();
      });

      test("after maxDisconnectionDuration: not recovered, new id", async () => {
        const nsp = freshNsp();
        const [socket, observer] = [await member(nsp), await open(nsp)];
        const id = socket.id;
        socket.io.engine.close();
        assert.equal(await serverReason(observer, id), "transport close");
        observer.emit("to", "r", "missed", "expired");
        await sleep(RECOVERY_MS + 500);
        await reconnect(socket);
        assert.equal(socket.recovered, false);
        assert.notEqual(socket.id, id);
        assert.equal(await socket.events.none("missed", 200), true);
        assert.equal((await emitWithAck(socket, "recovered"))[0], false);
        const [rooms] = await emitWithAck(socket, "join", "x");
        assert.deepEqual(rooms, [socket.id, "x"].sort());
        socket.close();
        observer.close();
      });

      test("a disconnect the client asked for is not recovered", async () => {
        const nsp = freshNsp();
        const [socket, observer] = [await member(nsp), await open(nsp)];
        const id = socket.id;
        socket.disconnect();
        assert.equal(await serverReason(observer, id), "client namespace disconnect");
        await reconnect(socket);
        assert.equal(socket.recovered, false);
        assert.notEqual(socket.id, id);
        socket.close();
        observer.close();
      });

      test("a wrong offset or private id is not recovered", async () => {
        const nsp = freshNsp();
        const [socket, observer] = [await member(nsp), await open(nsp)];
        const id = socket.id;
        socket.io.engine.close();
        assert.equal(await serverReason(observer, id), "transport close");
        socket._lastOffset = "not-an-offset";
        await reconnect(socket);
        assert.equal(socket.recovered, false);
        assert.notEqual(socket.id, id);
        socket.close();
        observer.close();
      });

      if (mode === "polling" && !MSGPACK) {
        // Reads polls until a packet matching stop arrives; returns them all.
        async function pollUntil(sid, stop) {
          const packets = [];
          while (!packets.some(stop)) {
            const reply = await poll(ctx.port, sid);
            assert.equal(reply.status, 200, reply.body);
            packets.push(...splitPayload(reply.body));
          }
          return packets;
        }

        test("on the wire: {sid, pid}, offsets, and the missed events before the CONNECT answer", async () => {
          const first = (await pollingHandshake(ctx.port)).sid;
          await post(ctx.port, first, "40");
          const opened = await pollUntil(first, (p) => p.startsWith('42["auth"'));
          const hello = JSON.parse(opened.find((p) => p.startsWith("40")).slice(2));
          assert.deepEqual(Object.keys(hello).sort(), ["pid", "sid"]);
          const auth = JSON.parse(opened.find((p) => p.startsWith('42["auth"')).slice(2));
          assert.equal(auth.length, 3);
          const offset = auth[2];
          await post(ctx.port, first, '421["join","r"]');
          await pollUntil(first, (p) => p.startsWith("431"));
          const observer = await open("/");
          await post(ctx.port, first, "1");
          assert.equal(await serverReason(observer, hello.sid), "transport close");
          observer.emit("to", "r", "m1", "x");
          observer.emit("bcast", "b");
          await observer.events.next("bcast");

          const second = (await pollingHandshake(ctx.port)).sid;
          await post(ctx.port, second, `40{"pid":"${hello.pid}","offset":"${offset}"}`);
          const packets = await pollUntil(second, (p) => p.startsWith('42["auth"'));
          const at = packets.findIndex((p) => p.startsWith("40"));
          const missed = packets.slice(0, at).map((p) => JSON.parse(p.slice(2)));
          assert.deepEqual(missed.map((args) => args.slice(0, -1)), [["m1", "x"], ["bcast", "b"]]);
          assert.ok(missed.every((args) => typeof args.at(-1) === "string"));
          assert.deepEqual(JSON.parse(packets[at].slice(2)), { sid: hello.sid, pid: hello.pid });
          await post(ctx.port, second, "1");
          observer.close();
        });
      }

      test("middlewares are skipped on recovery (skipMiddlewares defaults to true)", async () => {
        let attempts = 0;
        const auth = (cb) => cb({ token: attempts++ === 0 ? "secret" : "wrong" });
        const socket = await open("/private", { auth });
        withoutOffset(await socket.events.next("auth"));
        const id = socket.id;
        socket.io.engine.close();
        await socket.events.next("disconnect");
        await sleep(300);
        await reconnect(socket);
        assert.equal(socket.recovered, true);
        assert.equal(socket.id, id);
        assert.equal((await emitWithAck(socket, "recovered"))[0], true);
        socket.close();
      });
    },
  );
}
