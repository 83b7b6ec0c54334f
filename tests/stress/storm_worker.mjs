// One round of the storm, on its own thread so that the well-behaved clients'
// event loop stays free: `count` clients, the kinds below in turn, at most
// `concurrency` at a time. Half-open clients stay as they are once set up:
// the `held` sessions until the server drops them (by its heartbeat and
// keep-alive timeouts), the `lingering` connections that never finished a
// request until the main thread sends "release" (dropping those is the
// header timeout's job, 60 s by default); then all are reset.
import { parentPort, workerData } from "node:worker_threads";
import { RawConn } from "./raw_conn.mjs";
import { EIO, pollingJoined as joinPolling, probe, websocketJoined as joinWebSocket } from "./sessions.mjs";

const { host, port, count, concurrency } = workerData;
const held = [];
const lingering = [];
let joined = 0;

// The test server keeps a record of each socket that joined "/" and left.
async function pollingJoined(c) {
  const sid = await joinPolling(c);
  joined++;
  return sid;
}

async function websocketJoined(c) {
  await joinWebSocket(c);
  joined++;
}

const PARTIAL_REQUEST = `GET ${EIO}&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag`;
const ECHO_ARG = "x".repeat(2000);

const KINDS = {
  async "tcp-rst"(conn) {
    (await conn()).reset();
  },
  async "mid-handshake-rst"(conn) {
    const c = await conn();
    c.write(PARTIAL_REQUEST);
    c.reset();
  },
  async "mid-handshake-fin"(conn) {
    const c = await conn();
    c.write(PARTIAL_REQUEST);
    c.end();
  },
  // Reset while the long-poll GET waits for packets.
  async "polling-rst-mid-poll"(conn) {
    const c = await conn();
    const sid = await pollingJoined(c);
    c.write(c.request("GET", `${EIO}&transport=polling&sid=${sid}`));
    c.reset();
  },
  async "websocket-rst"(conn) {
    const c = await conn();
    await websocketJoined(c);
    c.reset();
  },
  // Reset right after asking for echoes, so the server writes to a dead peer.
  async "websocket-rst-output-pending"(conn) {
    const c = await conn();
    await websocketJoined(c);
    for (let i = 0; i < 20; i++) c.sendFrame(`42["echo","${ECHO_ARG}"]`);
    c.reset();
  },
  async "upgrade-request-rst"(conn) {
    const poll = await conn();
    const sid = await pollingJoined(poll);
    const ws = await conn();
    ws.write(ws.upgradeRequest(`${EIO}&transport=websocket&sid=${sid}`));
    ws.reset();
    poll.end();
  },
  async "upgrade-probe-rst"(conn) {
    const poll = await conn();
    const sid = await pollingJoined(poll);
    poll.write(poll.request("GET", `${EIO}&transport=polling&sid=${sid}`));
    const ws = await conn();
    await probe(ws, sid);
    ws.reset();
    poll.reset();
  },
  async "half-open-websocket"(conn) {
    const c = await conn();
    await websocketJoined(c);
    c.freeze();
    held.push(c);
  },
  async "half-open-polling"(conn) {
    const c = await conn();
    await pollingJoined(c);
    c.freeze();
    held.push(c);
  },
  async "half-open-tcp"(conn) {
    const c = await conn();
    c.freeze();
    lingering.push(c);
  },
  async "half-open-mid-handshake"(conn) {
    const c = await conn();
    c.write(PARTIAL_REQUEST);
    c.freeze();
    lingering.push(c);
  },
  async "half-open-after-probe"(conn) {
    const poll = await conn();
    const sid = await pollingJoined(poll);
    const ws = await conn();
    await probe(ws, sid);
    poll.freeze();
    ws.freeze();
    held.push(poll, ws);
  },
};
const NAMES = Object.keys(KINDS);

const done = Object.fromEntries(NAMES.map((name) => [name, 0]));
const anomalies = [];
let next = 0;

async function lane() {
  while (next < count) {
    const name = NAMES[next++ % NAMES.length];
    const mine = [];
    const conn = async () => {
      const c = new RawConn(host, port);
      mine.push(c);
      await c.connect();
      return c;
    };
    try {
      await KINDS[name](conn);
      done[name]++;
    } catch (err) {
      anomalies.push(`${name}: ${err.message}`);
      for (const c of mine) c.reset();
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, lane));
parentPort.postMessage({ done, anomalies, held: held.length, lingeringPorts: lingering.map((c) => c.localPort), joined });
parentPort.once("message", () => {
  for (const c of [...held, ...lingering]) c.reset();
  parentPort.postMessage({ released: held.length + lingering.length });
  parentPort.close();
});
