// Events, messages and acknowledgements in both directions, with and without
// timeouts, over every transport mode.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, emitWithAck, MSGPACK, TRANSPORT_MODES, withTimeout } from "./helpers/client.mjs";

// notepack.io (under socket.io-msgpack-parser) writes 1e21 as a wrapped-around
// uint64, so with msgpack the official peers themselves do not keep it.
const SAMPLE_ARGS = [
  "text", "", "ünïcødé ✓ 日本", 0, -1.5, ...(MSGPACK ? [] : [1e21]), true, false, null,
  [], [1, [2, [3]]], {}, { a: { b: { c: [null, "x"] } } }, "line\nbreak \"quoted\" \\ \x1e",
];

// Two ack timeouts far enough apart that a deadline taken from the wrong
// request misses the tolerance of assertElapsed.
const SHORT_ACK_MS = 300;
const LONG_ACK_MS = 1500;
const LATE_SLACK_MS = 700;

// A timeout fires no earlier than its deadline, and not so late that it could
// be another request's.
function assertElapsed(elapsed, deadline, what) {
  assert.ok(elapsed >= deadline - 20, `${what} timed out after ${elapsed} ms, before its ${deadline} ms`);
  assert.ok(elapsed <= deadline + LATE_SLACK_MS, `${what} timed out only after ${elapsed} ms (deadline ${deadline} ms)`);
}

for (const [mode, transportOpts] of Object.entries(TRANSPORT_MODES)) {
  describeWithServer(`events over ${mode}`, [], (ctx) => {
    const open = () => connect(ctx.url, "/", transportOpts);

    test("echo returns every JSON type unchanged", async () => {
      const socket = await open();
      socket.emit("echo", ...SAMPLE_ARGS);
      assert.deepEqual(await socket.events.next("echo"), SAMPLE_ARGS);
      socket.close();
    });

    test("echo with no arguments", async () => {
      const socket = await open();
      socket.emit("echo");
      assert.deepEqual(await socket.events.next("echo"), []);
      socket.close();
    });

    test("many events keep their order", async () => {
      const socket = await open();
      for (let i = 0; i < 300; i++) socket.emit("echo", i, `n${i}`);
      for (let i = 0; i < 300; i++) assert.deepEqual(await socket.events.next("echo"), [i, `n${i}`]);
      socket.close();
    });

    test("send() reaches the message handler, answered with message-back", async () => {
      const socket = await open();
      socket.send("hello", { x: 1 });
      assert.deepEqual(await socket.events.next("message-back"), ["hello", { x: 1 }]);
      socket.close();
    });

    test("message-with-ack answers with the arguments", async () => {
      const socket = await open();
      assert.deepEqual(await emitWithAck(socket, "message-with-ack", 1, "two", { three: 3 }), [1, "two", { three: 3 }]);
      socket.close();
    });

    test("a client ack receives every argument", async () => {
      const socket = await open();
      assert.deepEqual(await emitWithAck(socket, "ack", ...SAMPLE_ARGS), SAMPLE_ARGS);
      assert.deepEqual(await emitWithAck(socket, "ack"), []);
      socket.close();
    });

    test("concurrent acks are matched to their own calls", async () => {
      const socket = await open();
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => emitWithAck(socket, "ack", i)));
      answers.forEach((answer, i) => assert.deepEqual(answer, [i]));
      socket.close();
    });

    // Answered b, c, a: neither first-come nor last-come matching gets it right.
    test("three client acks answered out of order each get their own answer", async () => {
      const socket = await open();
      const pending = Object.fromEntries(["a", "b", "c"].map((tag) => [tag, emitWithAck(socket, "hold-ack", `${mode}-${tag}`)]));
      for (const tag of ["b", "c", "a"]) {
        socket.emit("release-ack", `${mode}-${tag}`, `answer ${tag}`, { to: tag });
        assert.deepEqual(await pending[tag], [`answer ${tag}`, { to: tag }]);
      }
      socket.close();
    });

    test("three server acks answered out of order each get their own answer", async () => {
      const socket = await open();
      const held = new Map();
      socket.on("question", (tag, ack) => {
        held.set(tag, ack);
        if (held.size < 3) return;
        for (const t of ["b", "c", "a"]) held.get(t)(`answer ${t}`, { to: t });
      });
      for (const tag of ["a", "b", "c"]) socket.emit("server-ack-reply", `result-${tag}`, 5000, "question", tag);
      for (const tag of ["b", "c", "a"]) {
        assert.deepEqual(await socket.events.next(`result-${tag}`), [null, [`answer ${tag}`, { to: tag }]]);
      }
      socket.close();
    });

    test("a server ack times out at its own deadline, not an earlier pending one's", async () => {
      const socket = await open();
      socket.on("unanswered", () => {});
      const started = Date.now();
      socket.emit("server-ack-reply", "long", LONG_ACK_MS, "unanswered");
      socket.emit("server-ack-reply", "short", SHORT_ACK_MS, "unanswered");
      assert.deepEqual(await socket.events.next("short"), ["operation has timed out", []]);
      assertElapsed(Date.now() - started, SHORT_ACK_MS, "the short ack");
      assert.equal(socket.events.count("long"), 0);
      assert.deepEqual(await socket.events.next("long", LONG_ACK_MS + 2000), ["operation has timed out", []]);
      assertElapsed(Date.now() - started, LONG_ACK_MS, "the long ack");
      socket.close();
    });

    test("a client ack with a timeout is answered in time", async () => {
      const socket = await open();
      const result = await socket.timeout(2000).emitWithAck("ack", "in time");
      assert.equal(result, "in time");
      socket.close();
    });

    test("a client ack the server never answers times out", async () => {
      const socket = await open();
      await assert.rejects(socket.timeout(300).emitWithAck("echo", "no ack"), (err) => err.message === "operation has timed out");
      socket.close();
    });

    test("a server ack is answered by the client with every argument", async () => {
      const socket = await open();
      socket.on("question", (a, b, ack) => ack(a + b, "sum", { of: [a, b] }));
      socket.emit("server-ack", 2000, "question", 2, 3);
      assert.deepEqual(await socket.events.next("server-ack-result"), [null, [5, "sum", { of: [2, 3] }]]);
      socket.close();
    });

    test("a server ack the client never answers times out", async () => {
      const socket = await open();
      socket.on("ignored", () => {});
      socket.emit("server-ack", 200, "ignored", "x");
      assert.deepEqual(await socket.events.next("ignored"), ["x"]);
      assert.deepEqual(await socket.events.next("server-ack-result"), ["operation has timed out", []]);
      socket.close();
    });

    test("a late client answer after a server ack timeout is ignored", async () => {
      const socket = await open();
      socket.on("slow", (ack) => setTimeout(() => ack("late"), 300));
      socket.emit("server-ack", 100, "slow");
      assert.deepEqual(await socket.events.next("server-ack-result"), ["operation has timed out", []]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.emit("echo", "still fine");
      assert.deepEqual(await socket.events.next("echo"), ["still fine"]);
      assert.equal(socket.events.count("server-ack-result"), 0);
      socket.close();
    });

    test("volatile emit reaches a connected idle client", async () => {
      const socket = await open();
      await withTimeout(emitWithAck(socket, "ack"), 2000, "a round trip");
      socket.emit("volatile", "vol", 1);
      assert.deepEqual(await socket.events.next("vol"), [1]);
      socket.close();
    });
  });
}
