// What the socketio_client*.test.mjs files share: client_driver (libsio's
// Socket.IO client over the public ABI, scripted with JSON lines) and the
// official socket.io server on loopback. CLIENT_DRIVER names the driver
// binary (a sanitizer build, say); a sanitizer report on its stderr, a
// non-zero exit or a missing clean exit fails the test that ends it.
// SIO_CLIENT_PARSER=msgpack runs the same tests with socket.io-msgpack-parser
// on the server and our client's msgpack parser.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";

export const PARSER = process.env.SIO_CLIENT_PARSER || "json";

export const DRIVER =
  process.env.CLIENT_DRIVER ||
  fileURLToPath(new URL("../../build/tests/client/client_driver", import.meta.url));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const SANITIZER_REPORT = /==\d+==ERROR: |runtime error: |SUMMARY: \w+Sanitizer/;

// One client_driver process. Every line it prints is kept in `events`;
// waitFor() hands out each one at most once, in order.
export class Driver {
  constructor() {
    this.proc = spawn(DRIVER, [], { stdio: ["pipe", "pipe", "pipe"] });
    this.events = [];
    this.taken = new Set();
    this.waiters = [];
    this.stderr = "";
    this.proc.stderr.on("data", (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, signal) => resolve({ code, signal })));
    createInterface({ input: this.proc.stdout }).on("line", (line) => {
      let ev;
      try {
        ev = JSON.parse(line);
      } catch {
        ev = { type: "unparsable", line };
      }
      this.events.push(ev);
      for (const w of [...this.waiters]) w();
    });
  }

  send(cmd) {
    this.proc.stdin.write(JSON.stringify(cmd) + "\n");
  }

  // The command's "result" line.
  async run(cmd) {
    const id = Math.random();
    this.send({ ...cmd, id });
    return this.waitFor((e) => e.type === "result" && e.id === id);
  }

  connect(url, options = {}, auth) {
    const withParser = PARSER === "msgpack" ? { parser: "msgpack", ...options } : options;
    return this.run({ cmd: "connect", url, options: withParser, ...(auth ? { auth } : {}) });
  }

  // Emits and returns the request id (req).
  async emit(event, args = [], extra = {}) {
    const r = await this.run({ cmd: "emit", event, args, ...extra });
    assert.equal(r.rc, 0, r.error);
    return r.req;
  }

  // The first event not handed out yet that matches pred (an object of
  // fields to equal, or a function).
  waitFor(pred, ms = 5000) {
    const test = typeof pred === "function" ? pred : (e) => Object.entries(pred).every(([k, v]) => e[k] === v);
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = 0; i < this.events.length; i++) {
          if (!this.taken.has(i) && test(this.events[i])) {
            this.taken.add(i);
            cleanup();
            resolve(this.events[i]);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no event matching ${pred} within ${ms} ms; got:\n${this.events.map((e) => JSON.stringify(e)).join("\n")}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  // Every event so far matching pred (taken or not).
  all(pred) {
    const test = typeof pred === "function" ? pred : (e) => Object.entries(pred).every(([k, v]) => e[k] === v);
    return this.events.filter(test);
  }

  // Sends "exit" (extra: {close: false} leaves the client to
  // sio_context_free) and checks that the driver ended cleanly.
  async exit(extra = {}) {
    this.send({ cmd: "exit", ...extra });
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 10000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    assert.doesNotMatch(this.stderr, SANITIZER_REPORT, this.stderr);
    assert.equal(signal, null, `client_driver ended by ${signal}\n${this.stderr}`);
    assert.equal(code, 0, `client_driver exit code ${code}\n${this.stderr}`);
    assert.ok(this.events.some((e) => e.type === "exited"), "client_driver did not finish cleanly");
  }

  kill() {
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }
}

// The official socket.io server on 127.0.0.1 (port 0: a free one).
// setup(io) installs the handlers before it listens.
export async function startServer(opts = {}, setup = () => {}, port = 0) {
  const httpServer = createServer();
  const io = new Server(httpServer, PARSER === "msgpack" ? { parser: msgpackParser, ...opts } : opts);
  setup(io);
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, "127.0.0.1", resolve);
  });
  const actual = httpServer.address().port;
  return {
    io,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise((resolve) => {
        io.close();
        httpServer.closeAllConnections?.();
        httpServer.close(() => resolve());
      }),
  };
}

// Handlers most tests use: "echo" sends the arguments back as "echo" (or
// acknowledges with them), "ack-me" acknowledges with the arguments.
export function echoHandlers(socket) {
  socket.on("echo", (...args) => {
    const ack = typeof args.at(-1) === "function" ? args.pop() : null;
    if (ack) ack(...args);
    else socket.emit("echo", ...args);
  });
}
