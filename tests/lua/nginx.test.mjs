// OpenResty style: a real nginx (Debian's, with the Lua module) on loopback,
// its own prefix and configuration in a temporary folder, whose worker runs a
// libsio server pumped by ngx.timer.every. The official socket.io-client
// exchanges events with it while nginx keeps answering HTTP.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { HERE, connect, emitAck, next, withTimeout } from "./helpers.mjs";

const NGINX = process.env.NGINX || "/usr/sbin/nginx";
const START_MS = 15000;

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitForFile(path, proc, logs) {
  const deadline = Date.now() + START_MS;
  while (!existsSync(path)) {
    if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}:\n${logs()}`);
    if (Date.now() > deadline) throw new Error(`nginx did not start the libsio server:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return readFileSync(path, "utf8").trim();
}

// The worker's count of connected sockets, asked over nginx's HTTP; retried
// for a while until it reads `expected` (a previous test's client may still
// be on its way out).
async function connectedCount(port, expected) {
  let body;
  for (let i = 0; i < 40; i++) {
    const res = await withTimeout(fetch(`http://127.0.0.1:${port}/status`), 5000, "nginx HTTP");
    body = (await res.text()).trim();
    if (body === expected) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return body;
}

describe("libsio server in an nginx worker", { timeout: 60000 }, () => {
  let prefix;
  let nginx;
  let url;
  let httpPort;
  let stderr = "";
  const logs = () => {
    const file = join(prefix, "logs", "error.log");
    return stderr + (existsSync(file) ? readFileSync(file, "utf8") : "");
  };

  before(async () => {
    prefix = mkdtempSync(join(tmpdir(), "sio-nginx-"));
    mkdirSync(join(prefix, "logs"));
    mkdirSync(join(prefix, "tmp"));
    httpPort = await freePort();
    const luaPath = [resolve(HERE, "../../bindings/lua/?.lua"), resolve(HERE, "nginx/?.lua")].join(";");
    // A root master would hand the worker to "nobody", who cannot read the
    // private temporary folder; the worker keeps the test's user instead.
    const user = process.getuid() === 0 ? `user ${userInfo().username};` : "";
    const conf = readFileSync(join(HERE, "nginx", "nginx.conf.in"), "utf8")
      .replaceAll("@USER@", user)
      .replaceAll("@LUA_PATH@", luaPath)
      .replaceAll("@PREFIX@", prefix)
      .replaceAll("@HTTP_PORT@", String(httpPort));
    writeFileSync(join(prefix, "nginx.conf"), conf);
    nginx = spawn(NGINX, ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", join(prefix, "logs", "error.log")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    nginx.stderr.on("data", (chunk) => (stderr += chunk));
    const port = await waitForFile(join(prefix, "sio.port"), nginx, logs);
    url = `http://127.0.0.1:${port}`;
  });

  after(() => {
    if (nginx && nginx.exitCode === null) nginx.kill("SIGKILL");
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

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

      assert.equal(await connectedCount(httpPort, "1"), "1");
      socket.close();
    });
  }

  it("stops gracefully and logs no Lua error", async () => {
    const exited = new Promise((res) => nginx.once("exit", (code, signal) => res({ code, signal })));
    nginx.kill("SIGQUIT");
    const result = await withTimeout(exited, START_MS, "nginx to stop");
    assert.deepEqual(result, { code: 0, signal: null });
    assert.doesNotMatch(logs(), /sio handler failed|\[error\]|\[alert\]|\[emerg\]/);
  });
});
