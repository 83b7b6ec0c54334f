// OpenResty style: a real nginx (Debian's, with the Lua module) on loopback,
// its own prefix and configuration in a temporary folder, whose worker runs a
// libsio server, or a libsio client, pumped by ngx.timer.every. The official
// socket.io-client exchanges events with the server, the client with the
// official Node.js server, while nginx keeps answering HTTP.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { HERE, connect, emitAck, freePort, next, sleep, startServer, withTimeout } from "./helpers.mjs";

const NGINX = process.env.NGINX || "/usr/sbin/nginx";
const START_MS = 15000;
const LUA_ERRORS = /sio handler failed|\[error\]|\[alert\]|\[emerg\]/;
// Known core bug: freeing a context whose client is connected (the worker's
// Lua VM closing at exit) aborts in uv_close. Remove once the core is fixed.
const CLIENT_EXIT_BUG = "core: sio_context_free with a connected client aborts (uv_close assertion)";

// Starts nginx with initLua as the worker's start-up code ("@PREFIX@" in it
// is the nginx prefix).
async function startNginx(initLua) {
  const prefix = mkdtempSync(join(tmpdir(), "sio-nginx-"));
  mkdirSync(join(prefix, "logs"));
  mkdirSync(join(prefix, "tmp"));
  const httpPort = await freePort();
  const luaPath = [resolve(HERE, "../../bindings/lua/?.lua"), resolve(HERE, "nginx/?.lua")].join(";");
  // A root master would hand the worker to "nobody", who cannot read the
  // private temporary folder; the worker keeps the test's user instead.
  const user = process.getuid() === 0 ? `user ${userInfo().username};` : "";
  const conf = readFileSync(join(HERE, "nginx", "nginx.conf.in"), "utf8")
    .replaceAll("@INIT@", initLua)
    .replaceAll("@USER@", user)
    .replaceAll("@LUA_PATH@", luaPath)
    .replaceAll("@PREFIX@", prefix)
    .replaceAll("@HTTP_PORT@", String(httpPort));
  writeFileSync(join(prefix, "nginx.conf"), conf);
  const errorLog = join(prefix, "logs", "error.log");
  const proc = spawn(NGINX, ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", errorLog], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((res) => proc.once("exit", (code, signal) => res({ code, signal })));
  return {
    prefix,
    httpPort,
    logs: () => stderr + (existsSync(errorLog) ? readFileSync(errorLog, "utf8") : ""),
    alive: () => proc.exitCode === null && proc.signalCode === null,
    // GET path from nginx's HTTP server: the body, trimmed.
    async get(path) {
      const res = await withTimeout(fetch(`http://127.0.0.1:${httpPort}${path}`), 5000, `nginx ${path}`);
      return (await res.text()).trim();
    },
    // nginx -s reload: new workers start, the old ones exit gracefully.
    reload() {
      proc.kill("SIGHUP");
    },
    // Graceful stop; resolves to the exit status.
    stop() {
      proc.kill("SIGQUIT");
      return withTimeout(exited, START_MS, "nginx to stop");
    },
    cleanUp() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

describe("libsio server in an nginx worker", { timeout: 60000 }, () => {
  let nginx;
  let url;

  before(async () => {
    nginx = await startNginx('require("nginx_app").start_server("@PREFIX@/sio.port")');
    const portFile = join(nginx.prefix, "sio.port");
    const deadline = Date.now() + START_MS;
    while (!existsSync(portFile)) {
      if (!nginx.alive() || Date.now() > deadline) throw new Error(`no libsio server in nginx:\n${nginx.logs()}`);
      await sleep(50);
    }
    url = `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`;
  });
  after(() => nginx?.cleanUp());

  // The worker's count of connected sockets over nginx's HTTP, retried until
  // it reads `expected` (a previous test's client may still be leaving).
  async function connectedCount(expected) {
    let body;
    for (let i = 0; i < 40 && body !== expected; i++) {
      if (body !== undefined) await sleep(50);
      body = await nginx.get("/status");
    }
    return body;
  }

  for (const transports of [["websocket"], ["polling"]]) {
    it(`exchanges events with a Node.js client over ${transports[0]}`, async () => {
      const socket = await connect(url, "/", { transports });
      const [welcome] = await next(socket, "welcome");
      assert.ok(Number.isInteger(welcome.pid) && welcome.pid !== process.pid);
      assert.ok(welcome.nginx >= 1000000);

      const [greeting] = await emitAck(socket, "hello", "node");
      assert.equal(greeting, `hello node from worker ${welcome.pid}`);

      socket.emit("echo", "text", Buffer.from([1, 2, 3]), { n: 1 });
      const [text, bytes, obj] = await next(socket, "echo");
      assert.equal(text, "text");
      assert.ok(Buffer.isBuffer(bytes) && bytes.equals(Buffer.from([1, 2, 3])));
      assert.deepEqual(obj, { n: 1 });

      socket.on("question", (q, ack) => ack(q + "!"));
      socket.emit("ask-me", "why");
      assert.deepEqual(await next(socket, "answer-was"), [null, "why!"]);
      socket.emit("ask-await", "how");
      assert.deepEqual(await next(socket, "awaited"), [true, "how!"]);

      assert.equal(await connectedCount("1"), "1");
      socket.close();
    });
  }

  it("stops gracefully and logs no Lua error", async () => {
    assert.deepEqual(await nginx.stop(), { code: 0, signal: null });
    assert.doesNotMatch(nginx.logs(), LUA_ERRORS);
  });
});

describe("libsio server through sio.ngx.serve across reloads", { timeout: 90000 }, () => {
  let nginx;
  let url;

  before(async () => {
    const port = await freePort();
    nginx = await startNginx(`require("nginx_app").serve(${port})`);
    url = `http://127.0.0.1:${port}`;
  });
  after(() => nginx?.cleanUp());

  // A client of whichever worker listens now, retried while none does.
  async function welcome() {
    for (let i = 0; ; i++) {
      try {
        const socket = await connect(url, "/", { transports: ["websocket"] });
        const [{ pid }] = await next(socket, "welcome");
        return { socket, pid };
      } catch (err) {
        if (i >= 100 || !nginx.alive()) throw new Error(`no libsio server: ${err}\n${nginx.logs()}`);
        await sleep(50);
      }
    }
  }

  it("serves again after each reload, and the old worker's sockets get their disconnect", async () => {
    let { socket, pid } = await welcome();
    for (let reload = 1; reload <= 3; reload++) {
      const gone = new Promise((res) => socket.once("disconnect", res));
      nginx.reload();
      await withTimeout(gone, 15000, "the old worker's socket to close");
      const next = await welcome();
      assert.notEqual(next.pid, pid, `reload ${reload}: a new worker serves`);
      // With reusePort the new worker serves while the old one still runs
      // its handlers: its log line may come after the new welcome.
      const handled = new RegExp(`sio disconnect of ${pid}: server shutting down`);
      for (let i = 0; i < 100 && !handled.test(nginx.logs()); i++) await sleep(50);
      assert.match(nginx.logs(), handled);
      ({ socket, pid } = next);
    }
    socket.close();
  });

  it("runs the disconnect handlers when nginx stops", async () => {
    const { socket, pid } = await welcome();
    assert.deepEqual(await nginx.stop(), { code: 0, signal: null });
    socket.close();
    assert.match(nginx.logs(), new RegExp(`sio disconnect of ${pid}: server shutting down`));
    assert.doesNotMatch(nginx.logs(), LUA_ERRORS);
  });
});

describe("libsio client in an nginx worker", { timeout: 60000 }, () => {
  let nginx;
  let nodeServer;

  before(async () => {
    nodeServer = await startServer(join(HERE, "node_server.mjs"), [], "node");
    nginx = await startNginx(`require("nginx_app").start_client("${nodeServer.url}")`);
  });
  after(() => {
    nodeServer?.kill();
    nginx?.cleanUp();
  });

  it("exchanges events with the official Node.js server", async () => {
    let state = {};
    for (let i = 0; i < 100 && !state.ack && !state.error; i++) {
      if (i > 0) await sleep(50);
      if (!nginx.alive()) throw new Error(`nginx died:\n${nginx.logs()}`);
      // Until nginx listens, the request is refused: try again.
      state = JSON.parse(await nginx.get("/client").catch(() => "{}"));
    }
    assert.equal(state.error, undefined);
    assert.equal(typeof state.id, "string");
    assert.deepEqual(state.auth, { from: "nginx" });
    assert.equal(state.ack[0], "from nginx");
    assert.ok(Number.isInteger(state.ack[1]) && state.ack[1] !== process.pid);
  });

  it("stops gracefully and logs no Lua error", { todo: CLIENT_EXIT_BUG }, async () => {
    assert.deepEqual(await nginx.stop(), { code: 0, signal: null });
    assert.doesNotMatch(nginx.logs(), LUA_ERRORS);
  });
});
