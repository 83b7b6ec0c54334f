// libsio's Socket.IO client (client_driver, public ABI) against the official
// socket.io server: transports and the upgrade, namespaces over one
// connection, auth, middleware refusal, acks both ways with timeouts, binary
// both ways, rooms, disconnects from either side, volatile and close.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Driver, startServer, echoHandlers, sleep } from "./socketio_client_driver.mjs";

// Runs body with a server and a driver, and always cleans both up.
async function withSetup(serverOpts, setup, body) {
  const server = await startServer(serverOpts, setup);
  const d = new Driver();
  try {
    await body(server, d);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
}

describe("transports", () => {
  for (const [label, transports, expected] of [
    ["polling only", "polling", "polling"],
    ["websocket only", "websocket", "websocket"],
    ["polling upgraded to websocket", "polling,websocket", "websocket"],
  ]) {
    test(label, async () => {
      let upgraded = false;
      const serverSide = [];
      await withSetup(
        {},
        (io) =>
          io.on("connection", (s) => {
            serverSide.push(s);
            s.conn.on("upgrade", () => (upgraded = true));
            echoHandlers(s);
          }),
        async (server, d) => {
          assert.equal((await d.connect(server.url, { transports })).rc, 0);
          const connect = await d.waitFor({ type: "connect" });
          assert.equal(connect.nsp, "/");
          assert.equal(connect.sid.length, 20);
          assert.equal(connect.client, true);
          if (expected === "websocket" && transports !== "websocket") {
            for (let i = 0; i < 50 && !upgraded; i++) await sleep(50);
            assert.ok(upgraded, "the server saw no upgrade");
          }
          const req = await d.emit("echo", [1, "two", { three: [3] }], { ack: true, timeout: 2000 });
          const ack = await d.waitFor({ type: "ack", req });
          assert.deepEqual(ack.data, [1, "two", { three: [3] }]);
          await d.emit("echo", ["plain"]);
          const ev = await d.waitFor({ type: "event", name: "echo" });
          assert.deepEqual(ev.data, ["plain"]);
          assert.equal(ev.sid, connect.sid);
          assert.equal(serverSide[0].conn.transport.name, expected);
          assert.equal(serverSide[0].id, connect.sid);
        },
      );
    });
  }
});

test("namespaces share one connection; auth reaches each", async () => {
  const auths = {};
  await withSetup(
    {},
    (io) => {
      for (const nsp of ["/", "/a", "/b"])
        io.of(nsp).on("connection", (s) => {
          auths[nsp] = s.handshake.auth;
          s.emit("where", nsp, s.conn.id);
        });
    },
    async (server, d) => {
      await d.connect(server.url + "/a", {}, { token: "A" });
      assert.equal((await d.run({ cmd: "socket", nsp: "/b", auth: { token: "B" } })).rc, 0);
      const a = await d.waitFor({ type: "event", name: "where", nsp: "/a" });
      const b = await d.waitFor({ type: "event", name: "where", nsp: "/b" });
      assert.equal(a.data[0], "/a");
      assert.equal(b.data[0], "/b");
      assert.equal(a.data[1], b.data[1], "both namespaces ride one Engine.IO session");
      assert.equal(server.io.engine.clientsCount, 1);
      assert.deepEqual(auths["/a"], { token: "A" });
      assert.deepEqual(auths["/b"], { token: "B" });
      assert.equal(auths["/"], undefined, "the main namespace is not joined unless asked");
    },
  );
});

test("middleware refusal: connect_error with message and data; unknown namespace", async () => {
  await withSetup(
    {},
    (io) => {
      io.of("/secure").use((socket, next) => {
        if (socket.handshake.auth.token === "secret") return next();
        const err = new Error("not authorized");
        err.data = { reason: "bad token", code: 42 };
        next(err);
      });
      io.of("/secure").on("connection", (s) => s.emit("welcome"));
    },
    async (server, d) => {
      await d.connect(server.url + "/secure", {}, { token: "wrong" });
      const refused = await d.waitFor({ type: "connect_error", nsp: "/secure" });
      assert.equal(refused.reason, "not authorized");
      assert.deepEqual(refused.data, { reason: "bad token", code: 42 });
      // The refused socket is not active: an emit on it is reported.
      const req = await d.emit("x", [], { nsp: "/secure" });
      const err = await d.waitFor({ type: "error", req });
      assert.equal(err.err, -8);
      // Opening it again with the right token reconnects the manager.
      await d.run({ cmd: "socket", nsp: "/secure", auth: { token: "secret" } });
      await d.waitFor({ type: "connect", nsp: "/secure" });
      await d.waitFor({ type: "event", name: "welcome" });
      await d.run({ cmd: "socket", nsp: "/nowhere" });
      const invalid = await d.waitFor({ type: "connect_error", nsp: "/nowhere" });
      assert.equal(invalid.reason, "Invalid namespace");
      assert.equal(invalid.data, undefined);
    },
  );
});

describe("acknowledgements", () => {
  test("client emits with ack; timeout when the server does not answer", async () => {
    await withSetup(
      {},
      (io) =>
        io.on("connection", (s) => {
          echoHandlers(s);
          s.on("silent", () => {});
        }),
      async (server, d) => {
        await d.connect(server.url);
        await d.waitFor({ type: "connect" });
        const ok = await d.emit("echo", ["x"], { ack: true, timeout: 1000 });
        const silent = await d.emit("silent", [], { ack: true, timeout: 300 });
        assert.deepEqual((await d.waitFor({ type: "ack", req: ok })).data, ["x"]);
        const t = await d.waitFor({ type: "ack", req: silent });
        assert.equal(t.err, -7);
        assert.equal(t.reason, "operation has timed out");
      },
    );
  });

  test("server emits with ack; the client answers, or lets it time out", async () => {
    const results = [];
    await withSetup(
      {},
      (io) =>
        io.on("connection", (s) => {
          s.on("ask", (n) =>
            s.timeout(n === 2 ? 300 : 2000).emit("question", n, (err, ...answer) => {
              results.push([n, err ? err.message : null, answer]);
              s.emit("answered", n);
            }),
          );
        }),
      async (server, d) => {
        await d.connect(server.url);
        await d.waitFor({ type: "connect" });
        await d.emit("ask", [1]);
        const q = await d.waitFor({ type: "event", name: "question" });
        assert.ok(q.ack_id >= 0);
        assert.deepEqual(q.data, [1]);
        assert.equal((await d.run({ cmd: "ack", ack_id: q.ack_id, args: ["yes", 7] })).rc, 0);
        await d.waitFor({ type: "event", name: "answered" });
        await d.emit("ask", [2]);
        await d.waitFor({ type: "event", name: "question" });
        await d.waitFor({ type: "event", name: "answered" }, 3000);
        assert.deepEqual(results, [
          [1, null, ["yes", 7]],
          [2, "operation has timed out", []],
        ]);
      },
    );
  });

  // Answered b, c, a: neither first-come nor last-come matching gets it right.
  test("three client acks the server answers out of order each get their own answer", async () => {
    await withSetup(
      {},
      (io) =>
        io.on("connection", (s) => {
          const held = new Map();
          s.on("hold", (tag, ack) => {
            held.set(tag, ack);
            if (held.size < 3) return;
            for (const t of ["b", "c", "a"]) held.get(t)(`answer ${t}`, { to: t });
          });
        }),
      async (server, d) => {
        await d.connect(server.url);
        await d.waitFor({ type: "connect" });
        const reqs = {};
        for (const tag of ["a", "b", "c"]) reqs[tag] = await d.emit("hold", [tag], { ack: true, timeout: 5000 });
        for (const tag of ["a", "b", "c"]) {
          const ack = await d.waitFor({ type: "ack", req: reqs[tag] });
          assert.deepEqual(ack.data, [`answer ${tag}`, { to: tag }]);
        }
      },
    );
  });

  test("three server acks the client answers out of order each get their own answer", async () => {
    const results = new Map();
    await withSetup(
      {},
      (io) =>
        io.on("connection", (s) => {
          for (const tag of ["a", "b", "c"])
            s.timeout(5000).emit("question", tag, (err, ...answer) => {
              results.set(tag, [err ? err.message : null, answer]);
              if (results.size === 3) s.emit("all-answered");
            });
        }),
      async (server, d) => {
        await d.connect(server.url);
        const questions = {};
        for (let i = 0; i < 3; i++) {
          const q = await d.waitFor({ type: "event", name: "question" });
          questions[q.data[0]] = q.ack_id;
        }
        for (const tag of ["b", "c", "a"]) {
          assert.equal((await d.run({ cmd: "ack", ack_id: questions[tag], args: [`answer ${tag}`, { to: tag }] })).rc, 0);
        }
        await d.waitFor({ type: "event", name: "all-answered" });
        for (const tag of ["a", "b", "c"]) assert.deepEqual(results.get(tag), [null, [`answer ${tag}`, { to: tag }]]);
      },
    );
  });

  test("a client ack times out at its own deadline, not an earlier pending one's", async () => {
    const SHORT_MS = 300;
    const LONG_MS = 1500;
    // A timeout fires no earlier than its deadline, and not so late that it
    // could be the other request's.
    const assertElapsed = (elapsed, deadline, what) => {
      assert.ok(elapsed >= deadline - 20, `${what} timed out after ${elapsed} ms, before its ${deadline} ms`);
      assert.ok(elapsed <= deadline + 700, `${what} timed out only after ${elapsed} ms (deadline ${deadline} ms)`);
    };
    await withSetup(
      {},
      (io) => io.on("connection", (s) => s.on("silent", () => {})),
      async (server, d) => {
        await d.connect(server.url);
        await d.waitFor({ type: "connect" });
        const started = Date.now();
        const long = await d.emit("silent", ["long"], { ack: true, timeout: LONG_MS });
        const short = await d.emit("silent", ["short"], { ack: true, timeout: SHORT_MS });
        const shortAck = await d.waitFor({ type: "ack", req: short });
        assert.equal(shortAck.reason, "operation has timed out");
        assertElapsed(Date.now() - started, SHORT_MS, "the short ack");
        assert.equal(d.all({ type: "ack", req: long }).length, 0);
        const longAck = await d.waitFor({ type: "ack", req: long }, LONG_MS + 2000);
        assert.equal(longAck.reason, "operation has timed out");
        assertElapsed(Date.now() - started, LONG_MS, "the long ack");
      },
    );
  });

  test("acks pending when the client closes fail with SIO_EDISCONNECTED", async () => {
    await withSetup(
      {},
      (io) => io.on("connection", (s) => s.on("silent", () => {})),
      async (server, d) => {
        await d.connect(server.url);
        await d.waitFor({ type: "connect" });
        const req = await d.emit("silent", [], { ack: true });
        await sleep(100);
        await d.run({ cmd: "close" });
        const disc = await d.waitFor({ type: "disconnect" });
        assert.equal(disc.reason, "io client disconnect");
        const ack = await d.waitFor({ type: "ack", req });
        assert.equal(ack.err, -8);
        const after = await d.run({ cmd: "emit", event: "x", args: [] });
        assert.equal(after.rc, -3, "commands after close fail with SIO_ECLOSED");
      },
    );
  });
});

test("binary both ways, in events and acks", async () => {
  await withSetup(
    {},
    (io) =>
      io.on("connection", (s) => {
        s.on("bin", (buf, meta, ack) => {
          s.emit("bin-back", Buffer.concat([buf, Buffer.from([0xff])]), meta, { nested: Buffer.from("hi") });
          ack(Buffer.from([9, 8]), buf.length);
        });
      }),
    async (server, d) => {
      await d.connect(server.url);
      await d.waitFor({ type: "connect" });
      const req = await d.emit("bin", [{ _placeholder: true, num: 0 }, "meta"], {
        bins: ["00010203"],
        ack: true,
        timeout: 2000,
      });
      const ack = await d.waitFor({ type: "ack", req });
      assert.deepEqual(ack.data, [{ _placeholder: true, num: 0 }, 4]);
      assert.deepEqual(ack.bins, ["0908"]);
      const ev = await d.waitFor({ type: "event", name: "bin-back" });
      assert.deepEqual(ev.data, [{ _placeholder: true, num: 0 }, "meta", { nested: { _placeholder: true, num: 1 } }]);
      assert.deepEqual(ev.bins, ["00010203ff", "6869"]);
    },
  );
});

test("rooms seen from the client: only members get the room's broadcasts", async () => {
  const server = await startServer({}, (io) =>
    io.on("connection", (s) => {
      s.on("join", (room, ack) => {
        s.join(room);
        ack();
      });
      s.on("shout", (room, msg) => io.to(room).emit("room-msg", room, msg));
    }),
  );
  const member = new Driver();
  const other = new Driver();
  try {
    for (const d of [member, other]) {
      await d.connect(server.url);
      await d.waitFor({ type: "connect" });
    }
    const req = await member.emit("join", ["r1"], { ack: true, timeout: 2000 });
    await member.waitFor({ type: "ack", req });
    await other.emit("shout", ["r1", "hello"]);
    const got = await member.waitFor({ type: "event", name: "room-msg" });
    assert.deepEqual(got.data, ["r1", "hello"]);
    await sleep(200);
    assert.equal(other.all({ type: "event", name: "room-msg" }).length, 0);
    await member.exit();
    await other.exit();
  } finally {
    member.kill();
    other.kill();
    await server.close();
  }
});

test("server-side disconnect: io server disconnect, no reconnection", async () => {
  await withSetup(
    {},
    (io) => io.on("connection", (s) => s.on("kick", () => s.disconnect())),
    async (server, d) => {
      await d.connect(server.url, { reconnectionDelay: 100, reconnectionDelayMax: 200 });
      await d.waitFor({ type: "connect" });
      await d.emit("kick");
      const disc = await d.waitFor({ type: "disconnect" });
      assert.equal(disc.reason, "io server disconnect");
      await sleep(700);
      assert.equal(d.all({ type: "reconnect_attempt" }).length, 0);
      assert.equal(d.all({ type: "connect" }).length, 1);
      const req = await d.emit("after", []);
      assert.equal((await d.waitFor({ type: "error", req })).err, -8);
    },
  );
});

test("client disconnect of one namespace keeps the others", async () => {
  const reasons = [];
  await withSetup(
    {},
    (io) => {
      for (const nsp of ["/", "/other"])
        io.of(nsp).on("connection", (s) => {
          s.on("disconnect", (r) => reasons.push([nsp, r]));
          echoHandlers(s);
        });
    },
    async (server, d) => {
      await d.connect(server.url);
      await d.run({ cmd: "socket", nsp: "/other" });
      await d.waitFor({ type: "connect", nsp: "/" });
      await d.waitFor({ type: "connect", nsp: "/other" });
      await d.run({ cmd: "disconnect", nsp: "/other" });
      assert.equal((await d.waitFor({ type: "disconnect", nsp: "/other" })).reason, "io client disconnect");
      const req = await d.emit("echo", ["still"], { ack: true, timeout: 2000 });
      assert.deepEqual((await d.waitFor({ type: "ack", req })).data, ["still"]);
      await sleep(100);
      assert.deepEqual(reasons, [["/other", "client namespace disconnect"]]);
    },
  );
});

test("emits while disconnected are buffered; volatile ones are dropped", async () => {
  const got = [];
  // The Engine.IO handshake is answered only once the three emits below are
  // made: they are surely made while no transport is writable, however fast
  // or slow the driver is. As in socket.io-client, a volatile emit is
  // dropped only then; one made once the engine is open waits for CONNECT
  // like the others.
  let release;
  const emitted = new Promise((resolve) => (release = resolve));
  await withSetup(
    { allowRequest: (_req, answer) => emitted.then(() => answer(null, true)) },
    (io) => {
      io.on("connection", (s) => s.onAny((ev, ...args) => got.push([ev, ...args])));
    },
    async (server, d) => {
      await d.connect(server.url);
      // Not connected yet: these wait (or are dropped) until CONNECT.
      await d.emit("first", [1]);
      await d.emit("gone", [0], { volatile: true });
      await d.emit("second", [2]);
      release();
      await d.waitFor({ type: "connect" });
      for (let i = 0; i < 40 && got.length < 2; i++) await sleep(50);
      await sleep(100);
      assert.deepEqual(got, [["first", 1], ["second", 2]]);
    },
  );
});

test("a failed first connection reports connect_error and retries", async () => {
  const server = await startServer();
  const port = server.port;
  await server.close();
  const d = new Driver();
  try {
    await d.connect(`http://127.0.0.1:${port}`, { reconnectionAttempts: 2, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    const first = await d.waitFor({ type: "connect_error" });
    assert.ok(first.reason.length > 0);
    assert.equal((await d.waitFor({ type: "reconnect_attempt" })).attempt, 1);
    assert.equal((await d.waitFor({ type: "reconnect_attempt" })).attempt, 2);
    await d.waitFor({ type: "reconnect_failed" });
    assert.equal(d.all({ type: "connect_error" }).length, 3);
    // socket.io-client's reconnect_error: once per failed attempt, after
    // reconnect_failed for the last one.
    const last = await d.waitFor({ type: "reconnect_error", attempt: 2 });
    assert.ok(last.reason.length > 0);
    assert.deepEqual(d.all({ type: "reconnect_error" }).map((e) => e.attempt), [1, 2]);
    const types = d.events.map((e) => e.type);
    assert.ok(types.lastIndexOf("reconnect_failed") < types.lastIndexOf("reconnect_error"));
    await d.exit();
  } finally {
    d.kill();
  }
});

test("option and argument errors are refused at the call", async () => {
  const d = new Driver();
  try {
    assert.equal((await d.connect("ftp://x")).rc, -1);
    assert.equal((await d.connect("http://127.0.0.1:99999")).rc, -1);
    assert.equal((await d.connect("http://127.0.0.1:1", { nope: "1" })).rc, -1);
    assert.equal((await d.connect("http://127.0.0.1:1", { randomizationFactor: "2" })).rc, -1);
    assert.equal((await d.connect("http://127.0.0.1:1", { extraHeaders: '{"X-A":"b\\r\\nEvil: 1"}' })).rc, -1);
    assert.equal((await d.connect("http://127.0.0.1:1", { reconnection: false }, undefined)).rc, 0);
    assert.equal((await d.run({ cmd: "emit", event: "connect", args: [] })).rc, -5);
    assert.equal((await d.run({ cmd: "emit", event: "x", args: [{ _placeholder: true, num: 0 }] })).rc, -1);
    assert.equal((await d.run({ cmd: "socket", nsp: "nope" })).rc, -1);
    await d.exit();
  } finally {
    d.kill();
  }
});

describe("sio_context_free with the client left open", () => {
  test("connected, an ack and an emit pending", async () => {
    const server = await startServer({}, (io) => io.on("connection", (s) => s.on("silent", () => {})));
    const d = new Driver();
    try {
      await d.connect(server.url, { transports: "polling,websocket" });
      await d.waitFor({ type: "connect" });
      await d.emit("silent", [], { ack: true });
      await d.emit("queued", []);
      await d.exit({ close: false });
    } finally {
      d.kill();
      await server.close();
    }
  });

  test("waiting to reconnect, an emit buffered", async () => {
    const d = new Driver();
    try {
      await d.connect("http://127.0.0.1:1", { reconnectionDelay: 10000 });
      await d.waitFor({ type: "connect_error" });
      await d.emit("buffered", [1], { ack: true });
      await d.exit({ close: false });
    } finally {
      d.kill();
    }
  });

  test("still opening", async () => {
    const server = await startServer();
    const d = new Driver();
    try {
      await d.connect(server.url);
      await d.emit("buffered", [1]);
      await d.exit({ close: false });
    } finally {
      d.kill();
      await server.close();
    }
  });
});

test("query (URL and option) and extraHeaders reach the server", async () => {
  for (const transports of ["polling", "websocket"]) {
    let handshake;
    await withSetup(
      {},
      (io) => io.on("connection", (s) => (handshake = s.handshake)),
      async (server, d) => {
        await d.connect(`${server.url}/?from=url`, {
          transports,
          query: "token=abc&n=1",
          extraHeaders: JSON.stringify({ "X-Test": "yes" }),
        });
        await d.waitFor({ type: "connect" });
        assert.equal(handshake.query.from, "url");
        assert.equal(handshake.query.token, "abc");
        assert.equal(handshake.query.n, "1");
        assert.equal(handshake.query.EIO, "4");
        assert.equal(handshake.headers["x-test"], "yes");
      },
    );
  }
});
