// Helpers for the Node.js side of the Lua binding's tests: start a Lua
// server script as a child process, connect the official socket.io-client,
// wait for events with a time limit.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";

export const HERE = fileURLToPath(new URL(".", import.meta.url));
const WAIT_MS = 5000;
const START_MS = 15000;
const LUAJIT = process.env.LUAJIT || "luajit";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A TCP port that was free a moment ago on 127.0.0.1.
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// Runs `luajit script --port 0 ...args` (or another interpreter) and
// resolves once it prints "listening on PORT".
export function startServer(script, args = [], interpreter = LUAJIT) {
  return startProcess(interpreter, [script, "--port", "0", ...args], {}, script);
}

// Runs command with argv (spawn options in options) and resolves once it
// prints "listening on PORT".
export async function startProcess(command, argv, options = {}, name = command) {
  const proc = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let stdout = "";
  let stderr = "";
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  const port = await withTimeout(
    new Promise((resolve, reject) => {
      proc.stdout.on("data", (chunk) => {
        stdout += chunk;
        const match = /^listening on (\d+)$/m.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      exited.then((e) => reject(new Error(`server exited early (${JSON.stringify(e)}): ${stderr}`)));
    }),
    START_MS,
    `${name} to listen (${stderr})`,
  );
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    // SIGTERM; resolves to the exit status.
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), START_MS);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill() {
      proc.kill("SIGKILL");
    },
  };
}

// Buffers every event of socket from its creation on, so that one which
// arrives together with the connection (like the test server's "auth") is
// not lost before a test waits for it.
function record(socket) {
  const queues = new Map();
  const waiters = new Map();
  const push = (event, args) => {
    if (typeof args[args.length - 1] === "function") args.pop();
    const waiting = waiters.get(event);
    if (waiting?.length) return waiting.shift()(args);
    if (!queues.has(event)) queues.set(event, []);
    queues.get(event).push(args);
  };
  socket.onAny((event, ...args) => push(event, args));
  socket.on("disconnect", (...args) => push("disconnect", args));
  socket.recorded = { queues, waiters };
  return socket;
}

// Resolves to the oldest unconsumed `event` of socket, as its argument array.
export function next(socket, event, ms = WAIT_MS) {
  const { queues, waiters } = socket.recorded;
  const queued = queues.get(event);
  if (queued?.length) return Promise.resolve(queued.shift());
  if (!waiters.has(event)) waiters.set(event, []);
  return withTimeout(new Promise((resolve) => waiters.get(event).push(resolve)), ms, event);
}

// Emits with an acknowledgement callback; resolves to the ack's arguments.
export function emitAck(socket, event, ...args) {
  return withTimeout(new Promise((resolve) => socket.emit(event, ...args, (...res) => resolve(res))), WAIT_MS, `ack of ${event}`);
}

// A connected client (no reconnection); rejects on connect_error.
export async function connect(url, nsp = "/", opts = {}) {
  const socket = record(io(url + nsp, { reconnection: false, forceNew: true, ...opts }));
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    WAIT_MS,
    `connect to ${nsp}`,
  );
  return socket;
}

// Resolves to the connect_error of a client that must be refused.
export function refusal(url, nsp, opts = {}) {
  const socket = io(url + nsp, { reconnection: false, forceNew: true, ...opts });
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", () => reject(new Error(`${nsp} was accepted`)));
      socket.once("connect_error", (err) => {
        socket.close();
        resolve(err);
      });
    }),
    WAIT_MS,
    `refusal of ${nsp}`,
  );
}
