// Volatile emits from libsio's client, against the official server: like
// socket.io-client, an emit flagged volatile is dropped when the transport
// cannot take it now (a WebSocket write still in flight, a polling POST
// waiting for its response), and sent when it can. The transport is made
// busy from the server's side: its TCP socket stops reading (WebSocket), or
// its POSTs are held unanswered (polling).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Driver, startServer, sleep } from "./socketio_client_driver.mjs";

const BURST = 40;

// How each transport is congested: `payload` is what one emit carries,
// `hold(server, socket)` makes the transport busy and returns what lets it go.
const TRANSPORTS = {
  // 40 MB against a reader that stopped: far more than loopback's buffers.
  websocket: {
    payload: "x".repeat(1e6),
    hold: (server, socket) => {
      const tcp = socket.conn.transport.socket._socket;
      tcp.pause();
      return () => tcp.resume();
    },
  },
  polling: {
    payload: "x".repeat(1e4),
    hold: (server) => {
      const engine = server.io.engine;
      const handle = engine.handleRequest;
      const held = [];
      engine.handleRequest = (req, res) => {
        if (req.method === "POST") held.push([req, res]);
        else handle.call(engine, req, res);
      };
      return () => {
        engine.handleRequest = handle;
        for (const [req, res] of held) handle.call(engine, req, res);
      };
    },
  },
};

// The server's connection, which records every "n" it gets and "done".
async function setup(d, transports) {
  const got = [];
  let socket;
  const connected = new Promise((resolve) => {
    socket = resolve;
  });
  const server = await startServer({ maxHttpBufferSize: 1e8 }, (io) =>
    io.on("connection", (s) => {
      s.on("n", (i, payload, ack) => {
        got.push([i, payload.length]);
        if (typeof ack === "function") ack(i);
      });
      s.on("done", (ack) => ack());
      socket(s);
    }),
  );
  try {
    assert.equal((await d.connect(server.url, { transports })).rc, 0);
    await d.waitFor({ type: "connect" });
    return { server, got, socket: await connected };
  } catch (err) {
    d.kill();
    await server.close();
    throw err;
  }
}

// A plain emit acknowledged by the server: everything emitted before it has
// arrived.
async function settle(d) {
  const req = await d.emit("done", [], { ack: true, timeout: 20000 });
  const ack = await d.waitFor({ type: "ack", req }, 30000);
  assert.equal(ack.err, undefined, ack.reason);
}

// Writes the burst's commands at once, then waits for every result.
async function burst(d, payload, extra) {
  const ids = [];
  for (let i = 0; i < BURST; i++) {
    const id = `burst-${i}`;
    ids.push(id);
    d.send({ cmd: "emit", event: "n", args: [i, payload], id, ...extra });
  }
  for (const id of ids) assert.equal((await d.waitFor((e) => e.type === "result" && e.id === id, 30000)).rc, 0);
}

for (const [transports, { payload, hold }] of Object.entries(TRANSPORTS)) {
  test(`${transports}: a volatile emit on an idle transport arrives, and its ack comes back`, async () => {
    const d = new Driver();
    const { server, got } = await setup(d, transports);
    try {
      // Let the connection's own requests end: the transport is idle.
      await sleep(200);
      const req = await d.emit("n", [0, payload], { volatile: true, ack: true, timeout: 5000 });
      const ack = await d.waitFor({ type: "ack", req });
      assert.equal(ack.err, undefined, ack.reason);
      assert.deepEqual(ack.data, [0]);
      await d.emit("n", [1, payload], { volatile: true });
      await settle(d);
      assert.deepEqual(got, [[0, payload.length], [1, payload.length]]);
      await d.exit();
    } finally {
      d.kill();
      await server.close();
    }
  });

  test(`${transports}: while the transport is busy, volatile emits are dropped and a dropped one's ack says so`, async (t) => {
    const d = new Driver();
    const { server, got, socket } = await setup(d, transports);
    try {
      await sleep(200);
      const release = hold(server, socket);
      await burst(d, payload, { volatile: true });
      // The burst left the transport busy: this one is dropped too.
      const req = await d.emit("n", [BURST, payload], { volatile: true, ack: true, timeout: 20000 });
      release();
      await settle(d);
      const sent = got.map(([i]) => i);
      t.diagnostic(`${sent.length} of the ${BURST} volatile emits arrived`);
      assert.ok(sent.length < BURST, `all ${BURST} volatile emits of the burst arrived while the transport was busy`);
      assert.deepEqual(sent, [...sent].sort((a, b) => a - b), "the volatile emits that arrived are out of order");
      assert.ok(!sent.includes(BURST), "the dropped volatile emit arrived");
      const ack = await d.waitFor({ type: "ack", req }, 30000);
      assert.ok(ack.err < 0, `the volatile emit sent while the transport was busy was acknowledged: ${JSON.stringify(ack)}`);
      assert.equal(ack.reason, "the volatile event was dropped");
      assert.ok(got.every(([, len]) => len === payload.length));
      assert.equal(d.all({ type: "disconnect" }).length, 0);
      await d.exit();
    } finally {
      d.kill();
      await server.close();
    }
  });

  test(`${transports}: while the transport is busy, plain emits wait and all arrive in order`, async () => {
    const d = new Driver();
    const { server, got, socket } = await setup(d, transports);
    try {
      await sleep(200);
      const release = hold(server, socket);
      await burst(d, payload, {});
      release();
      await settle(d);
      assert.deepEqual(got, [...Array(BURST).keys()].map((i) => [i, payload.length]));
      assert.equal(d.all({ type: "disconnect" }).length, 0);
      await d.exit();
    } finally {
      d.kill();
      await server.close();
    }
  });
}
