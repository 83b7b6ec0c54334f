// Connect/disconnect storms: rounds of clients that drop abruptly (TCP RST,
// half-open, mid-handshake, mid-upgrade; see storm_worker.mjs) against one
// server, while official socket.io-client clients keep acknowledged emits in
// flight. After each round the server must have dropped every storm
// connection (the half-open ones by its own timeouts), hold no more
// descriptors than before, be back to its resident memory, still serve a
// fresh client, and have acknowledged every emit exactly once.
//
// SIO_STORM_ROUNDS (default 4) x SIO_STORM_CLIENTS (default 2500) storm
// clients. SIO_STORM_RSS_TOLERANCE_KIB, when set, checks resident memory: a
// round may end at most that far above the end of round 1 (which grew the
// server's caches), plus what the test server's record of every disconnect
// (for `last-disconnects`) takes. Leave it unset under ASan, whose quarantine
// keeps freed memory (up to 256 MB) resident on purpose.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { io } from "socket.io-client";
import { startServer, underTestIsReference } from "../interop/helpers/server.mjs";
import { AckTraffic } from "./ack_traffic.mjs";
import { serverStats, STORM_HOST } from "./server_stats.mjs";

const ROUNDS = Number(process.env.SIO_STORM_ROUNDS ?? 4);
const CLIENTS = Number(process.env.SIO_STORM_CLIENTS ?? 2500);
const RSS_TOLERANCE_KIB = process.env.SIO_STORM_RSS_TOLERANCE_KIB ? Number(process.env.SIO_STORM_RSS_TOLERANCE_KIB) : null;
// sizeof(disconnect_record) in examples/test_server.c: one per socket that
// left a namespace, kept until the server exits.
const DISCONNECT_RECORD_BYTES = 352;
const CONCURRENCY = 200;
// Short heartbeats so that half-open sessions are found out within seconds.
const SERVER_ARGS = ["--ping-interval", "2000", "--ping-timeout", "5000"];
// The longest a half-open session may stay: the heartbeat (7 s), or the
// keep-alive timeout of its idle connection (5 s; Node checks every 30 s).
const DROP_DEADLINE_MS = underTestIsReference() ? 60000 : 20000;
const RESET_DEADLINE_MS = 10000;
const ROUND_TIMEOUT_MS = 240000;
const ACK_CLIENTS = [["websocket"], ["websocket"], ["polling"], ["polling"], ["polling", "websocket"], ["polling", "websocket"]];

function runStorm(port) {
  const worker = new Worker(new URL("./storm_worker.mjs", import.meta.url), {
    workerData: { host: STORM_HOST, port, count: CLIENTS, concurrency: CONCURRENCY },
  });
  const messages = [];
  const waiters = [];
  worker.on("message", (m) => (waiters.length ? waiters.shift()(m) : messages.push(m)));
  worker.on("error", (err) => waiters.splice(0).forEach((w) => w({ error: err })));
  const next = () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((resolve) => waiters.push(resolve)));
  return { next, release: () => worker.postMessage("release") };
}

const show = ({ stormPeerPorts, ...stats }) => JSON.stringify(stats);

async function waitUntil(what, deadlineMs, probe) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value.ok) return value;
    if (Date.now() > deadline) assert.fail(`${what}: ${show(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// A fresh official client, on each transport path, connects and gets an ack.
async function freshClientWorks(url) {
  for (const transports of [["websocket"], ["polling", "websocket"]]) {
    const socket = io(url, { forceNew: true, reconnection: false, timeout: 10000, transports });
    try {
      await new Promise((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      const tag = `fresh ${transports.join()}`;
      assert.equal(await socket.timeout(10000).emitWithAck("ack", tag), tag);
    } finally {
      socket.close();
    }
  }
}

describe(`connect/disconnect storm: ${ROUNDS} rounds of ${CLIENTS} clients`, { timeout: ROUNDS * ROUND_TIMEOUT_MS + 60000 }, () => {
  let server;
  let traffic;
  let start;
  let baselineRss;
  let joinedSinceBaseline = 0;

  before(async () => {
    server = await startServer(SERVER_ARGS);
    traffic = new AckTraffic(server.url, ACK_CLIENTS);
    await traffic.connect();
    await freshClientWorks(server.url);
    start = serverStats(server.pid);
    console.log(`before the storm: ${show(start)}`);
  });

  after(() => {
    traffic?.close();
    server?.kill();
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}`, { timeout: ROUND_TIMEOUT_MS }, async () => {
      const began = Date.now();
      traffic.start();
      const storm = runStorm(server.port);
      const result = await storm.next();
      assert.equal(result.error, undefined);
      const stormMs = Date.now() - began;

      // Every half-open connection is still open on this side: the server
      // must have let go of the sessions by itself.
      const lingering = new Set(result.lingeringPorts);
      await waitUntil("the server still holds half-open sessions", DROP_DEADLINE_MS, () => {
        const s = serverStats(server.pid);
        return { ok: s.stormPeerPorts.every((p) => lingering.has(p)) && s.unlistedSockets === 0, ...s };
      });
      const droppedMs = Date.now() - began - stormMs;
      storm.release();
      assert.equal((await storm.next()).released, result.held + lingering.size);
      await waitUntil("the server still holds storm connections after their reset", RESET_DEADLINE_MS, () => {
        const s = serverStats(server.pid);
        return { ok: s.stormSockets === 0 && s.unlistedSockets === 0, ...s };
      });
      const acks = await traffic.stop();
      const end = serverStats(server.pid);
      if (round === 1) baselineRss = end.rssKiB;
      else joinedSinceBaseline += result.joined;
      const recordsKiB = Math.ceil((joinedSinceBaseline * DISCONNECT_RECORD_BYTES) / 1024);
      console.log(
        `round ${round}: ${CLIENTS} storm clients in ${stormMs} ms, half-open sessions dropped after ${droppedMs} ms; ` +
          `done ${JSON.stringify(result.done)}; ${acks.sent} acked emits; server ${show(end)}; ` +
          `RSS ${end.rssKiB - baselineRss} KiB over round 1, of which ${recordsKiB} KiB disconnect records`,
      );

      assert.deepEqual(result.anomalies, [], "every storm client got the answers it waited for");
      assert.equal(end.otherFds, start.otherFds, "descriptors other than connections");
      assert.deepEqual(traffic.disconnects, [], "the well-behaved clients stay connected");
      assert.ok(acks.sent > 0);
      assert.deepEqual(acks.callbacksNotOnce, [], "every ack callback fires exactly once");
      assert.deepEqual(acks.wireNotOnce, [], "every ACK packet arrives exactly once");
      assert.deepEqual(acks.strayAcks, [], "no ACK for an emit never made");
      assert.deepEqual(acks.wrongAnswers, [], "every ack carries its own emit's arguments");
      if (RSS_TOLERANCE_KIB !== null) {
        const limit = baselineRss + recordsKiB + RSS_TOLERANCE_KIB;
        assert.ok(end.rssKiB <= limit, `resident memory ${end.rssKiB} KiB > ${limit} KiB (round 1 ${baselineRss} + records ${recordsKiB} + tolerance ${RSS_TOLERANCE_KIB})`);
      }
      await freshClientWorks(server.url);
    });
  }

  it("the server exits 0 on SIGTERM with no sanitizer report", { timeout: 30000 }, async () => {
    traffic.close();
    await server.stop();
  });
});
