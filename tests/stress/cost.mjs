// What one connection costs the server in resident memory, by the state an
// attacker can leave it in: one line per state with the server's RSS growth
// per connection. Not a test; SECURITY.md quotes its figures.
//
//   SIO_TEST_SERVER=build/examples/sio_test_server node tests/stress/cost.mjs
import { startServer } from "../interop/helpers/server.mjs";
import { RawConn } from "./raw_conn.mjs";
import { residentKiB, serverStats } from "./server_stats.mjs";
import { EIO, pollingJoined, websocketJoined } from "./sessions.mjs";

const HOST = "127.0.0.1";
const BIG = "x".repeat(60000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(port) {
  const c = new RawConn(HOST, port);
  await c.connect();
  return c;
}

// Echoes asked for, none read: the kernel's socket buffers take a few MB,
// the server's output buffer the rest. 14 MB stays under the cap (12 MiB at
// the defaults) with the kernel's share; 20 MB passes it.
function stoppedReader(mb, frames) {
  return {
    name: `WebSocket whose reader stopped, echoes of ${mb} MB asked for`,
    n: 4,
    settle: 5000,
    async make(c) {
      await websocketJoined(c);
      c.freeze();
      for (let i = 0; i < frames; i++) c.sendFrame(`42["echo","${BIG}"]`);
    },
  };
}

// Each state: how many connections, and how to bring one there. `settle`
// is how long the server may take to reach it.
const STATES = [
  { name: "TCP connection that sent nothing", n: 2000, settle: 1000, async make(c) {} },
  {
    name: "mid-handshake: request line sent, headers unfinished",
    n: 2000,
    settle: 1000,
    async make(c) {
      c.write(`GET ${EIO}&transport=polling HTTP/1.1\r\nHost: ${HOST}\r\n`);
    },
  },
  {
    name: "mid-handshake: 15 KiB of headers, unfinished",
    n: 500,
    settle: 1000,
    async make(c) {
      c.write(`GET ${EIO}&transport=polling HTTP/1.1\r\nHost: ${HOST}\r\nX-Pad: ${"p".repeat(15 * 1024)}\r\n`);
    },
  },
  { name: "idle WebSocket socket in /", n: 2000, settle: 1000, make: websocketJoined },
  {
    name: "idle polling socket in /, its GET pending",
    n: 2000,
    settle: 1000,
    async make(c) {
      const sid = await pollingJoined(c);
      c.write(c.request("GET", `${EIO}&transport=polling&sid=${sid}`));
    },
  },
  stoppedReader(14, 235),
  stoppedReader(20, 340),
  {
    // Echoes posted while no GET collects them: they wait in the session.
    name: "polling session, no GET, echoes of 12 MB queued",
    n: 4,
    settle: 3000,
    async make(c) {
      const sid = await pollingJoined(c);
      const body = Array.from({ length: 15 }, () => `42["echo","${BIG}"]`).join("\x1e");
      for (let i = 0; i < 14; i++) {
        c.write(c.request("POST", `${EIO}&transport=polling&sid=${sid}`, { body }));
        await c.expect(200, "POST of echoes");
      }
    },
  },
];

// A fresh server for each state, so that none reuses memory another freed.
// SIO_COST_ONLY=word measures only the states whose name holds it.
for (const state of STATES.filter((s) => s.name.includes(process.env.SIO_COST_ONLY ?? ""))) {
  const server = await startServer(["--ping-interval", "600000", "--ping-timeout", "600000"]);
  try {
    const before = serverStats(server.pid).rssKiB;
    const conns = [];
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, residentKiB(server.pid))), 20);
    for (let i = 0; i < state.n; i++) {
      const c = await open(server.port);
      conns.push(c);
      await state.make(c);
    }
    await sleep(state.settle);
    clearInterval(sampler);
    const held = serverStats(server.pid);
    peak = Math.max(peak, held.rssKiB);
    const perConn = (kib) => Math.round(((kib - before) * 1024) / state.n);
    console.log(
      `${state.name}: ${state.n} connections, RSS ${before} -> ${held.rssKiB} KiB (peak ${peak}), ` +
        `${perConn(held.rssKiB)} B per connection (peak ${perConn(peak)} B), ${held.clientSockets} still open on the server`,
    );
    for (const c of conns) c.reset();
  } finally {
    await server.stop();
  }
}
