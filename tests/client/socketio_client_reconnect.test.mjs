// libsio's Socket.IO client (client_driver) against the official socket.io
// server when connections break: a server restart on the same port with
// buffered emits, connection state recovery, a server that stops pinging,
// giving up after reconnectionAttempts, and at-least-once delivery with
// retries + ackTimeout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Driver, startServer, echoHandlers, sleep } from "./socketio_client_driver.mjs";

const FAST = { reconnectionDelay: 100, reconnectionDelayMax: 300, randomizationFactor: 0 };

for (const transports of ["polling", "websocket"]) {
  test(`server restart (${transports}): reconnects and delivers buffered emits in order`, async () => {
    const got = [];
    const setup = (io) =>
      io.on("connection", (s) =>
        s.onAny((ev, ...args) => got.push([ev, ...args.filter((a) => typeof a !== "function")])),
      );
    let server = await startServer({}, setup);
    const port = server.port;
    const d = new Driver();
    try {
      await d.connect(server.url, { ...FAST, transports });
      const first = await d.waitFor({ type: "connect" });
      await server.close();
      const disc = await d.waitFor({ type: "disconnect" });
      // Over polling the server's close races with closing its connections:
      // the client sees the close packet or a failed request.
      assert.ok(
        transports === "polling" ? ["transport close", "transport error"].includes(disc.reason) : disc.reason === "transport close",
        disc.reason,
      );
      assert.equal(disc.sid, first.sid);
      const reqs = [];
      for (let i = 0; i < 5; i++) reqs.push(await d.emit("buffered", [i]));
      const acked = await d.emit("buffered", ["with-ack"], { ack: true });
      await d.waitFor({ type: "reconnect_attempt" });
      await sleep(300);
      server = await startServer({}, (io) => {
        setup(io);
        io.on("connection", (s) => s.on("buffered", (...a) => typeof a.at(-1) === "function" && a.at(-1)("ok")));
      }, port);
      const reconnect = await d.waitFor({ type: "reconnect" }, 5000);
      assert.ok(reconnect.attempt >= 1);
      const again = await d.waitFor({ type: "connect" }, 5000);
      assert.notEqual(again.sid, first.sid);
      assert.deepEqual((await d.waitFor({ type: "ack", req: acked })).data, ["ok"]);
      assert.deepEqual(got, [0, 1, 2, 3, 4, "with-ack"].map((v) => ["buffered", v]));
      assert.deepEqual(d.all({ type: "error" }), []);
      assert.ok(reqs.every((r) => r > 0));
      await d.exit();
    } finally {
      d.kill();
      await server.close();
    }
  });
}

// A server killed (no close packet: its TCP connections just end) and
// started again on its port only after the client's first attempt was
// refused: what its connection handler emits at once (a greeting, right
// behind the CONNECT reply) reaches the host after that connection's
// reconnect and connect, as the first connection's did.
for (const [label, transports] of [["polling then upgrade", undefined], ["websocket", "websocket"]]) {
  test(`server killed, back after a refused attempt (${label}): each connection's greeting arrives, in order`, async () => {
    const greeter = (n) => (io) => {
      const conns = new Set();
      io.httpServer.on("connection", (c) => {
        conns.add(c);
        c.on("close", () => conns.delete(c));
      });
      io.kill = () => conns.forEach((c) => c.destroy());
      io.on("connection", (s) => s.emit("greeting", n));
    };
    let server = await startServer({}, greeter(1));
    const port = server.port;
    const d = new Driver();
    try {
      await d.connect(server.url, transports ? { ...FAST, transports } : FAST);
      await d.waitFor({ type: "event", name: "greeting" });
      server.io.kill();
      await server.close();
      await d.waitFor({ type: "disconnect" });
      const refused = await d.waitFor({ type: "reconnect_error" }, 5000);
      assert.equal(refused.attempt, 1);
      server = await startServer({}, greeter(2), port);
      const reconnect = await d.waitFor({ type: "reconnect" }, 5000);
      assert.ok(reconnect.attempt >= 2, `reconnected at attempt ${reconnect.attempt}`);
      await d.waitFor({ type: "event", name: "greeting" }, 5000);
      const seen = d
        .all((e) => ["connect", "event", "disconnect", "reconnect"].includes(e.type))
        .map((e) => [e.type, e.data ?? null]);
      assert.deepEqual(seen, [
        ["connect", null],
        ["event", [1]],
        ["disconnect", null],
        ["reconnect", null],
        ["connect", null],
        ["event", [2]],
      ]);
      const [first, second] = d.all({ type: "connect" });
      assert.deepEqual(d.all({ type: "event" }).map((e) => e.sid), [first.sid, second.sid]);
      await d.exit();
    } finally {
      d.kill();
      await server.close();
    }
  });
}

test("connection state recovery: same id, missed events delivered, recovered flag", async () => {
  const server = await startServer(
    { connectionStateRecovery: { maxDisconnectionDuration: 10000 } },
    (io) =>
      io.on("connection", (s) => {
        s.emit("state", s.recovered);
        s.on("drop", () => s.conn.close());
        s.on("news", (n) => io.emit("news", n));
      }),
  );
  const d = new Driver();
  const helper = new Driver();
  try {
    await d.connect(server.url, FAST);
    const first = await d.waitFor({ type: "connect" });
    assert.equal(first.recovered, undefined);
    assert.equal((await d.waitFor({ type: "event", name: "state" })).data[0], false);
    await helper.connect(server.url);
    await helper.waitFor({ type: "connect" });
    await helper.emit("news", [1]);
    const seen = await d.waitFor({ type: "event", name: "news" });
    // The server appends the offset as a last string argument.
    assert.equal(seen.data[0], 1);
    assert.equal(typeof seen.data.at(-1), "string");
    await d.emit("drop");
    await d.waitFor({ type: "disconnect" });
    // Sent while the client is away: the server keeps it for recovery.
    await helper.emit("news", [2]);
    await helper.emit("news", [3]);
    const back = await d.waitFor({ type: "connect" }, 5000);
    assert.equal(back.sid, first.sid, "the same id after recovery");
    assert.equal(back.recovered, true);
    assert.equal((await d.waitFor({ type: "event", name: "news" })).data[0], 2);
    assert.equal((await d.waitFor({ type: "event", name: "news" })).data[0], 3);
    await d.exit();
    await helper.exit();
  } finally {
    d.kill();
    helper.kill();
    await server.close();
  }
});

test("a server that stops pinging: ping timeout, then reconnection", async () => {
  let frozen = false;
  const server = await startServer({ pingInterval: 300, pingTimeout: 200 }, (io) =>
    io.on("connection", (s) => {
      echoHandlers(s);
      if (frozen) return;
      frozen = true;
      // The first connection goes silent: no more pings from the server.
      s.conn.schedulePing = () => {};
      clearTimeout(s.conn.pingIntervalTimer);
      clearTimeout(s.conn.pingTimeoutTimer);
    }),
  );
  const d = new Driver();
  try {
    await d.connect(server.url, { ...FAST, transports: "websocket" });
    await d.waitFor({ type: "connect" });
    const disc = await d.waitFor({ type: "disconnect" }, 3000);
    assert.equal(disc.reason, "ping timeout");
    await d.waitFor({ type: "reconnect" }, 3000);
    await d.waitFor({ type: "connect" }, 3000);
    const req = await d.emit("echo", ["alive"], { ack: true, timeout: 2000 });
    assert.deepEqual((await d.waitFor({ type: "ack", req })).data, ["alive"]);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
});

test("reconnectionAttempts exhausted: reconnect_failed, buffered emits reported; reopened on demand", async () => {
  let server = await startServer();
  const port = server.port;
  const d = new Driver();
  try {
    await d.connect(server.url, { ...FAST, reconnectionAttempts: 2 });
    await d.waitFor({ type: "connect" });
    await server.close();
    await d.waitFor({ type: "disconnect" });
    const plain = await d.emit("late", [1]);
    const withAck = await d.emit("late", [2], { ack: true });
    await d.waitFor({ type: "reconnect_attempt" });
    await d.waitFor({ type: "reconnect_attempt" });
    await d.waitFor({ type: "reconnect_failed" }, 5000);
    assert.equal((await d.waitFor({ type: "error", req: plain })).err, -8);
    assert.equal((await d.waitFor({ type: "ack", req: withAck })).err, -8);
    assert.equal(d.all({ type: "reconnect_attempt" }).length, 2);
    // Dead now: emits fail at once...
    const dead = await d.emit("late", [3]);
    assert.equal((await d.waitFor({ type: "error", req: dead })).err, -8);
    // ...until the host asks for the namespace again.
    server = await startServer({}, (io) => io.on("connection", echoHandlers), port);
    await d.run({ cmd: "socket", nsp: "/" });
    await d.waitFor({ type: "connect" });
    const req = await d.emit("echo", ["back"], { ack: true, timeout: 2000 });
    assert.deepEqual((await d.waitFor({ type: "ack", req })).data, ["back"]);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
});

test("retries + ackTimeout: resent until acknowledged, at-least-once, one at a time", async () => {
  const seen = [];
  const server = await startServer({}, (io) =>
    io.on("connection", (s) => {
      s.on("flaky", (n, ack) => {
        seen.push(n);
        // Answer only the third try of each packet.
        if (seen.filter((x) => x === n).length === 3) ack("done", n);
      });
      s.on("never", () => {});
    }),
  );
  const d = new Driver();
  try {
    await d.connect(server.url, { retries: 2, ackTimeout: 200 });
    await d.waitFor({ type: "connect" });
    const a = await d.emit("flaky", ["a"], { ack: true });
    const b = await d.emit("flaky", ["b"], { ack: true });
    const never = await d.emit("never", [], { ack: true });
    const plain = await d.emit("never", []);
    assert.deepEqual((await d.waitFor({ type: "ack", req: a }, 5000)).data, ["done", "a"]);
    assert.deepEqual((await d.waitFor({ type: "ack", req: b }, 5000)).data, ["done", "b"]);
    const failed = await d.waitFor({ type: "ack", req: never }, 5000);
    assert.equal(failed.err, -7);
    assert.equal(failed.reason, "operation has timed out");
    // Without SIO_EMIT_ACK the host still hears that delivery was not confirmed.
    assert.equal((await d.waitFor({ type: "error", req: plain }, 5000)).err, -7);
    assert.deepEqual(seen, ["a", "a", "a", "b", "b", "b"]);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
});

test("back-off: reconnectionDelay doubles per attempt up to reconnectionDelayMax", async () => {
  const server = await startServer();
  const port = server.port;
  await server.close();
  const d = new Driver();
  try {
    const started = Date.now();
    await d.connect(`http://127.0.0.1:${port}`, {
      reconnectionDelay: 150,
      reconnectionDelayMax: 500,
      randomizationFactor: 0,
      reconnectionAttempts: 5,
    });
    const times = [];
    for (let i = 0; i < 5; i++) {
      await d.waitFor({ type: "reconnect_attempt" }, 5000);
      times.push(Date.now());
    }
    await d.waitFor({ type: "reconnect_failed" }, 5000);
    const gaps = [times[0] - started, ...times.slice(1).map((t, i) => t - times[i])];
    const expected = [150, 300, 500, 500, 500];
    gaps.forEach((gap, i) => {
      assert.ok(gap >= expected[i] - 20 && gap < expected[i] + 250, `attempt ${i + 1}: ${gap} ms, expected ${expected[i]}`);
    });
    await d.exit();
  } finally {
    d.kill();
  }
});

test("a buffered emit whose ack timed out is not sent on reconnection", async () => {
  const got = [];
  const setup = (io) => io.on("connection", (s) => s.onAny((ev, ...args) => got.push([ev, args[0]])));
  let server = await startServer({}, setup);
  const port = server.port;
  const d = new Driver();
  try {
    await d.connect(server.url, FAST);
    await d.waitFor({ type: "connect" });
    await server.close();
    await d.waitFor({ type: "disconnect" });
    const expired = await d.emit("buffered", ["expired"], { ack: true, timeout: 150 });
    await d.emit("buffered", ["kept"]);
    const t = await d.waitFor({ type: "ack", req: expired });
    assert.equal(t.err, -7);
    server = await startServer({}, setup, port);
    await d.waitFor({ type: "connect" }, 5000);
    for (let i = 0; i < 40 && got.length < 1; i++) await sleep(50);
    await sleep(100);
    assert.deepEqual(got, [["buffered", "kept"]]);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
});

test("after reconnection every namespace still open joins again, a left one does not", async () => {
  const joined = [];
  const setup = (io) => {
    for (const nsp of ["/", "/a", "/b"]) io.of(nsp).on("connection", () => joined.push(nsp));
  };
  let server = await startServer({}, setup);
  const port = server.port;
  const d = new Driver();
  try {
    await d.connect(server.url, FAST);
    await d.run({ cmd: "socket", nsp: "/a" });
    await d.run({ cmd: "socket", nsp: "/b" });
    for (const nsp of ["/", "/a", "/b"]) await d.waitFor({ type: "connect", nsp });
    await d.run({ cmd: "disconnect", nsp: "/b" });
    await d.waitFor({ type: "disconnect", nsp: "/b" });
    await server.close();
    await d.waitFor({ type: "disconnect", nsp: "/" });
    await d.waitFor({ type: "disconnect", nsp: "/a" });
    joined.length = 0;
    server = await startServer({}, setup, port);
    await d.waitFor({ type: "connect", nsp: "/" }, 5000);
    await d.waitFor({ type: "connect", nsp: "/a" }, 5000);
    await sleep(200);
    assert.deepEqual(joined.sort(), ["/", "/a"]);
    assert.equal(d.all({ type: "connect", nsp: "/b" }).length, 1);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
});
