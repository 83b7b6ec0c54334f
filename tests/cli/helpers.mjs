// Runs the `sio` tool and the servers it is tested against: the official
// Node server (tests/interop/ref_server.mjs, npm socket.io) and libsio's
// sio_test_server, each with the JSON or the msgpack parser.
//
// SIO_CLI is the sio binary (default build/examples/sio), SIO_TEST_SERVER_BIN
// the test server (default build/examples/sio_test_server).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SIO = process.env.SIO_CLI || `${ROOT}build/examples/sio`;
const TEST_SERVER = process.env.SIO_TEST_SERVER_BIN || `${ROOT}build/examples/sio_test_server`;
const REF_SERVER = fileURLToPath(new URL("../interop/ref_server.mjs", import.meta.url));
export const MAN_PAGE = `${ROOT}docs/sio.1`;
const SANITIZER_REPORT = /==\d+==ERROR: |runtime error: |SUMMARY: \w+Sanitizer/;
const WAIT_MS = 10000;

// The npm packages installed for the interop suites.
const require = createRequire(new URL("../interop/package.json", import.meta.url));
export const { io } = require("socket.io-client");
export const msgpackParser = require("socket.io-msgpack-parser");

export const SERVERS = {
  node: (parser, port) => [process.execPath, REF_SERVER, "--port", String(port), "--parser", parser],
  libsio: (parser, port) => [TEST_SERVER, "--port", String(port), "--parser", parser],
};

// What a failed test may leave behind; each file calls after(cleanup), so
// that a failure ends the run instead of holding it open.
const leftovers = new Set();
export function cleanup() {
  for (const thing of leftovers) thing.kill?.("SIGKILL") ?? thing.close();
  leftovers.clear();
}

// A child process whose output is collected; waitFor() resolves once a
// stream's text matches.
function track(proc) {
  const out = { stdout: "", stderr: "" };
  const waiters = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.re.exec(out[w.stream]);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(m);
      }
    }
  };
  for (const stream of ["stdout", "stderr"]) {
    proc[stream].setEncoding("utf8");
    proc[stream].on("data", (chunk) => {
      out[stream] += chunk;
      check();
    });
  }
  // A tool that exits without reading its stdin is not an error of the test.
  proc.stdin?.on("error", () => {});
  leftovers.add(proc);
  const exited = new Promise((resolve) =>
    proc.on("close", (code, signal) => {
      leftovers.delete(proc);
      resolve({ code, signal });
    }));
  return {
    proc,
    out,
    exited,
    waitFor(stream, re) {
      return new Promise((resolve, reject) => {
        const w = { stream, re, resolve };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no ${re} on ${stream} within ${WAIT_MS} ms:\n${out.stdout}\n${out.stderr}`));
        }, WAIT_MS);
        waiters.push(w);
        check();
      });
    },
    async stop(signal = "SIGINT") {
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), WAIT_MS);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

export function spawnSio(args, env = {}) {
  const proc = spawn(SIO, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  return track(proc);
}

// Runs sio to its end; stdin gets `input` (then EOF).
export async function runSio(args, { input = "", env = {} } = {}) {
  const t = spawnSio(args, env);
  t.proc.stdin.end(input);
  const timer = setTimeout(() => t.proc.kill("SIGKILL"), WAIT_MS);
  const { code, signal } = await t.exited;
  clearTimeout(timer);
  assertClean(t.out.stderr);
  return { code, signal, stdout: t.out.stdout, stderr: t.out.stderr };
}

export function assertClean(stderr) {
  if (SANITIZER_REPORT.test(stderr)) throw new Error(`sanitizer report:\n${stderr}`);
}

// Starts SERVERS[kind] with parser on port (0: a free one); resolves to
// { url, port, stop }.
export async function startServer(kind, parser, port = 0) {
  const [cmd, ...args] = SERVERS[kind](parser, port);
  const t = track(spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }));
  const [, listening] = await t.waitFor("stdout", /^listening on (\d+)$/m);
  return { url: `http://127.0.0.1:${listening}`, port: listening, stop: (signal = "SIGTERM") => t.stop(signal) };
}

// Starts `sio serve --port 0 ...args`; resolves to the tracked process and its url.
export async function startSioServe(args) {
  const t = spawnSio(["serve", "--port", "0", "--host", "127.0.0.1", ...args]);
  const [, scheme, port] = await t.waitFor("stderr", /listening on (https?):\/\/127\.0\.0\.1:(\d+)/);
  return { ...t, url: `${scheme}://127.0.0.1:${port}` };
}

// The official client, connected, with the given parser.
export async function connectClient(url, parser) {
  const socket = io(url, {
    forceNew: true,
    reconnection: false,
    ...(parser === "msgpack" ? { parser: msgpackParser } : {}),
  });
  leftovers.add(socket);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

// promise, or a failure naming what did not happen within WAIT_MS.
export function within(promise, what) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${WAIT_MS} ms`)), WAIT_MS)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// The JSON lines of a stdout, parsed.
export function jsonLines(text) {
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}
