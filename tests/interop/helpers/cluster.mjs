// A cluster for tests/interop/cluster.test.mjs: a redis-server of its own on
// a free port, and nodes joined to it with --redis: the Node reference server
// (socket.io + @socket.io/redis-adapter) and the server under test.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { MSGPACK, withTimeout } from "./client.mjs";

const REF_SERVER = fileURLToPath(new URL("../ref_server.mjs", import.meta.url));
const DEFAULT_LIBSIO = fileURLToPath(new URL("../../../build/examples/sio_test_server", import.meta.url));
const START_TIMEOUT_MS = 15000;
const SANITIZER_REPORT = /==\d+==ERROR: |runtime error: |WARNING: ThreadSanitizer|SUMMARY: \w+Sanitizer/;
const { createClient } = createRequire(import.meta.url)("redis");

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A child process whose stdout lines can be waited for.
function child(cmd, args) {
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  const p = { proc, stdout: "", stderr: "", exit: null, waiters: [] };
  p.exited = new Promise((resolve) => proc.on("close", (code, signal) => resolve((p.exit = { code, signal }))));
  proc.stderr.on("data", (chunk) => (p.stderr += chunk));
  proc.stdout.on("data", (chunk) => {
    p.stdout += chunk;
    p.waiters = p.waiters.filter((w) => !w());
  });
  // Resolves with the match of the count-th line matching re (1: the first).
  p.line = (re, what, count = 1, ms = START_TIMEOUT_MS) =>
    withTimeout(
      new Promise((resolve, reject) => {
        const check = () => {
          const all = [...p.stdout.matchAll(new RegExp(re.source, "gm"))];
          if (all.length >= count) return resolve(all[count - 1]), true;
          if (p.exit) return reject(new Error(`${cmd} exited: ${p.stderr}`)), true;
          return false;
        };
        if (!check()) {
          p.waiters.push(check);
          p.exited.then(check);
        }
      }),
      ms,
      what,
    );
  return p;
}

// extra: more redis-server arguments (e.g. "--requirepass", "pw").
export async function startRedis(port, extra = []) {
  port ??= await freePort();
  const r = child("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra]);
  await r.line(/Ready to accept connections/, "redis-server");
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    // One command to this Redis (an array of strings), its reply.
    async command(args) {
      const client = createClient({ url: `redis://127.0.0.1:${port}` });
      await client.connect();
      try {
        return await client.sendCommand(args);
      } finally {
        await client.quit();
      }
    },
    async kill() {
      if (r.exit) return;
      r.proc.kill("SIGKILL");
      await r.exited;
    },
  };
}

// True when the "libsio" nodes are the reference server too.
export const LIBSIO_IS_REFERENCE = process.env.SIO_TEST_SERVER === "ref";

// The server under test: SIO_TEST_SERVER as for the other suites ("ref" or
// unset with no libsio build: the reference server, which proves the tests).
function libsioCommand() {
  const choice = process.env.SIO_TEST_SERVER;
  if (choice === "ref") return [process.execPath, REF_SERVER];
  if (!choice) return [DEFAULT_LIBSIO];
  return choice.split(/\s+/).filter(Boolean);
}

// Starts a node of kind "ref" or "libsio" and waits for its adapter to be
// up, or, with waitUp false, only for it to listen. adapter: {sharded,
// subscriptionMode} for createShardedAdapter's protocol.
export async function startNode(kind, redisUrl, adapter = {}, { waitUp = true } = {}) {
  const [cmd, ...pre] = kind === "ref" ? [process.execPath, REF_SERVER] : libsioCommand();
  const args = [...pre, "--port", "0", "--redis", redisUrl, ...(MSGPACK ? ["--parser", "msgpack"] : [])];
  if (adapter.sharded) args.push("--redis-sharded");
  if (adapter.subscriptionMode) args.push("--subscription-mode", adapter.subscriptionMode);
  const n = child(cmd, args);
  const port = Number((await n.line(/^listening on (\d+)$/, `${kind} node to listen`))[1]);
  if (waitUp) await n.line(/^adapter up$/, `${kind} node's adapter`);
  return {
    kind,
    port,
    url: `http://127.0.0.1:${port}`,
    // Resolves once the count-th "adapter down"/"adapter up" line is out.
    adapterLine: (state, count, ms) => n.line(new RegExp(`^adapter ${state}`), `adapter ${state} #${count} on ${kind}`, count, ms),
    async stop() {
      if (n.exit) throw new Error(`${kind} node died during the tests (${JSON.stringify(n.exit)}): ${n.stderr}`);
      n.proc.kill("SIGTERM");
      const timer = setTimeout(() => n.proc.kill("SIGKILL"), 15000);
      const result = await n.exited;
      clearTimeout(timer);
      if (SANITIZER_REPORT.test(n.stderr)) throw new Error(`sanitizer report in ${kind} node's stderr:\n${n.stderr}`);
      if (result.code !== 0) throw new Error(`${kind} node exited with ${JSON.stringify(result)}:\n${n.stderr}`);
    },
    kill() {
      if (!n.exit) n.proc.kill("SIGKILL");
    },
  };
}

// Resolves once `count` connections to Redis have at least `patterns` pattern
// subscriptions: each node's subscriber has made its PSUBSCRIBEs for the
// namespaces both test servers declare ("/", "/custom", "/private"). With
// sharded: once `count` nodes listen to each namespace's shard channel.
export async function waitForSubscribers(redisUrl, count, patterns = 3, ms = START_TIMEOUT_MS, sharded = false) {
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    const deadline = Date.now() + ms;
    for (;;) {
      let n;
      if (sharded) {
        const reply = await client.sendCommand(["PUBSUB", "SHARDNUMSUB", "socket.io#/#", "socket.io#/custom#", "socket.io#/private#"]);
        n = Math.min(...[1, 3, 5].map((i) => Number(reply[i])));
      } else {
        const list = await client.sendCommand(["CLIENT", "LIST"]);
        n = list.split("\n").filter((l) => Number(/ psub=(\d+)/.exec(l)?.[1] ?? 0) >= patterns).length;
      }
      if (n >= count) return;
      if (Date.now() > deadline) throw new Error(`${n} of ${count} nodes subscribed${sharded ? ` (${JSON.stringify(await client.sendCommand(["CLIENT", "LIST"]))})` : ""}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.quit();
  }
}
