// The examples of docs/guide-lua.md (examples/lua/), as a reader runs them:
// the guide shows each file verbatim; echo_server.lua answers the official
// socket.io-client; client.lua talks to echo_server.lua and reports its
// reconnection attempts when nobody listens; msgpack.lua runs to its end; and
// openresty/nginx.conf runs in a real nginx (Debian's, with the Lua module),
// serving Socket.IO on libsio's port and through nginx's own /socket.io/.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { HERE, connect, emitAck, freePort, next, refusal, sleep, startProcess, withTimeout } from "./helpers.mjs";

const ROOT = resolve(HERE, "../..");
const EXAMPLES = join(ROOT, "examples", "lua");
const GUIDE = join(ROOT, "docs", "guide-lua.md");
const NGINX = process.env.NGINX || "/usr/sbin/nginx";
const LUAJIT = process.env.LUAJIT || "luajit";
const START_MS = 15000;
const LUA_ERRORS = /sio handler failed|\[error\]|\[alert\]|\[emerg\]/;
// How a reader runs the examples from a checkout, without installing them.
const LUA_ENV = { ...process.env, LUA_PATH: `${join(ROOT, "bindings", "lua", "?.lua")};;` };
const TRANSPORTS = [["websocket"], ["polling"]];

function exampleFiles(dir = EXAMPLES) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? exampleFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

// Runs an example to its end: resolves to { code, stdout, stderr }.
function runExample(name, args = [], ms = 20000) {
  const proc = spawn(LUAJIT, [join(EXAMPLES, name), ...args], { env: LUA_ENV, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (chunk) => (stdout += chunk));
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((res) => proc.once("exit", (code) => res({ code, stdout, stderr })));
  return withTimeout(exited, ms, `${name} to finish`).finally(() => proc.kill("SIGKILL"));
}

// echo_server.lua on a free port (its argument 0). stdbuf: its prints reach
// the pipe line by line.
const startEchoServer = () =>
  startProcess("stdbuf", ["-oL", LUAJIT, join(EXAMPLES, "echo_server.lua"), "0"], { env: LUA_ENV }, "echo_server.lua");

describe("docs/guide-lua.md", () => {
  const guide = readFileSync(GUIDE, "utf8");
  for (const file of exampleFiles()) {
    const name = relative(ROOT, file);
    it(`shows ${name} verbatim`, () => {
      const lang = file.endsWith(".conf") ? "nginx" : "lua";
      assert.ok(guide.includes(`\`${name}\``), `the guide names ${name}`);
      assert.ok(guide.includes("```" + lang + "\n" + readFileSync(file, "utf8") + "```"), `the guide shows ${name}`);
    });
  }
});

describe("examples/lua/echo_server.lua with the official client", { timeout: 60000 }, () => {
  let server;
  before(async () => {
    server = await startEchoServer();
  });
  after(() => server?.kill());

  it("refuses a client without a name, with the middleware's message and data", async () => {
    const err = await refusal(server.url, "/");
    assert.equal(err.message, "a name is required");
    assert.deepEqual(err.data, { field: "auth.name" });
  });

  // First after the refusal: the survey and "who" reach every connected socket,
  // so none of another test may be left.
  it("broadcasts, asks with timeouts, fetches and disconnects sockets", async () => {
    const ada = await connect(server.url, "/", { auth: { name: "ada" } });
    const bob = await connect(server.url, "/", { auth: { name: "bob" } });
    assert.deepEqual(await next(ada, "joined"), ["bob"]);

    bob.emit("chat", "hi all");
    assert.deepEqual(await next(ada, "chat"), ["bob", "hi all"]);

    ada.on("question", (q, ack) => ack(`ada says yes to ${q}`));
    bob.on("question", (q, ack) => ack(`bob says no to ${q}`));
    const [err, answers] = await emitAck(ada, "survey", "lunch?");
    assert.equal(err, null);
    assert.deepEqual(answers.sort(), ["ada says yes to lunch?", "bob says no to lunch?"]);

    // Bob does not answer: the server's timeout(500) reports it.
    assert.deepEqual(await emitAck(bob, "call-me"), ["operation has timed out"]);
    ada.on("are-you-there", (ack) => ack("yes"));
    assert.deepEqual(await emitAck(ada, "call-me"), ["yes"]);

    assert.deepEqual(await emitAck(ada, "who"), [["ada", "bob"]]);
    ada.emit("kick-others");
    assert.equal((await next(bob, "disconnect"))[0], "io server disconnect");
    assert.ok(ada.connected);
    ada.close();
  });

  for (const transports of TRANSPORTS) {
    it(`echoes, sums and reverses over ${transports[0]}`, async () => {
      const socket = await connect(server.url, "/", { transports, auth: { name: "ada" } });
      const [welcome, id] = await next(socket, "welcome");
      assert.equal(welcome, "hello ada");
      assert.equal(id, socket.id);
      socket.emit("echo", "text", Buffer.from([1, 2, 3]), { n: 1 });
      const [text, bytes, obj] = await next(socket, "echo");
      assert.equal(text, "text");
      assert.ok(Buffer.isBuffer(bytes) && bytes.equals(Buffer.from([1, 2, 3])));
      assert.deepEqual(obj, { n: 1 });
      assert.deepEqual(await emitAck(socket, "sum", [1, 2, 3]), [6]);
      const [reversed] = await emitAck(socket, "reverse", Buffer.from([1, 2, 3]));
      assert.ok(Buffer.from(reversed).equals(Buffer.from([3, 2, 1])));
      socket.close();
    });
  }

  it("talks with examples/lua/client.lua", async () => {
    const { code, stdout, stderr } = await runExample("client.lua", [server.url]);
    assert.equal(code, 0, stdout + stderr);
    const lines = stdout.trim().split("\n");
    assert.match(lines[0], /^connected as \S+$/);
    for (const line of ["welcome: hello lua", "sum: 6", "reversed: 3 2 1", "call-me: yes", "disconnected: io client disconnect"]) {
      assert.ok(lines.includes(line), `${line} in:\n${stdout}`);
    }
    // Itself and whoever an earlier test left connected.
    assert.ok(lines.some((l) => /^who: .*\blua\b/.test(l)), stdout);
  });
});

describe("examples/lua/client.lua without a server", { timeout: 60000 }, () => {
  it("reports each reconnection attempt, then gives up", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout } = await runExample("client.lua", [url]);
    assert.equal(code, 1);
    // reconnect_error lines end with the error, which names the port.
    const events = stdout.split("\n").filter((l) => l.startsWith("reconnect")).map((l) => l.split(":")[0]);
    // The last attempt's error follows reconnect_failed (as in
    // socket.io-client): the same pump may run it before the loop ends.
    if (events.at(-1) === "reconnect_error" && events.at(-2) === "reconnect_failed") events.pop();
    assert.deepEqual(events, [
      "reconnect_attempt 1",
      "reconnect_error",
      "reconnect_attempt 2",
      "reconnect_error",
      "reconnect_attempt 3",
      "reconnect_failed",
    ]);
  });
});

describe("examples/lua/msgpack.lua", { timeout: 30000 }, () => {
  it("runs to its end", async () => {
    const { code, stdout, stderr } = await runExample("msgpack.lua");
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "HELLO\t3 2 1\n");
  });
});

// nginx.conf as the guide runs it (`nginx -p DIR -c nginx.conf -e stderr` in
// a copy of examples/lua/openresty/), with three substitutions: free ports for
// 8080 and 3001, and lua_package_path also naming this checkout's
// bindings/lua instead of an installed copy.
describe("examples/lua/openresty/nginx.conf in a real nginx", { timeout: 60000 }, () => {
  let prefix;
  let proc;
  let logs = "";
  let exited;
  let httpPort;
  let sioPort;

  const stats = async () => JSON.parse(await (await fetch(`http://127.0.0.1:${httpPort}/stats`)).text());

  before(async () => {
    prefix = mkdtempSync(join(tmpdir(), "sio-example-nginx-"));
    // A root master hands its workers to an unprivileged user, who must read
    // app.lua here.
    chmodSync(prefix, 0o755);
    httpPort = await freePort();
    sioPort = await freePort();
    const source = join(EXAMPLES, "openresty");
    copyFileSync(join(source, "app.lua"), join(prefix, "app.lua"));
    const conf = readFileSync(join(source, "nginx.conf"), "utf8")
      .replaceAll("8080", String(httpPort))
      .replaceAll("3001", String(sioPort))
      .replace('"$prefix/?.lua;;"', `"$prefix/?.lua;${join(ROOT, "bindings", "lua", "?.lua")};;"`);
    assert.match(conf, new RegExp(`bindings/lua/\\?\\.lua;;"`), "lua_package_path was substituted");
    writeFileSync(join(prefix, "nginx.conf"), conf);
    proc = spawn(NGINX, ["-p", prefix, "-c", "nginx.conf", "-e", "stderr"], { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout.on("data", (chunk) => (logs += chunk));
    proc.stderr.on("data", (chunk) => (logs += chunk));
    exited = new Promise((res) => proc.once("exit", (code, signal) => res({ code, signal })));
    const deadline = Date.now() + START_MS;
    for (;;) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start:\n${logs}`);
      // Both ports answer once worker 0 has started the server.
      const up = await Promise.all([
        fetch(`http://127.0.0.1:${httpPort}/stats`).then(() => true, () => false),
        fetch(`http://127.0.0.1:${sioPort}/socket.io/?EIO=4&transport=polling`).then(() => true, () => false),
      ]);
      if (up.every(Boolean)) break;
      await sleep(50);
    }
  });
  after(() => {
    if (proc?.exitCode === null) proc.kill("SIGKILL");
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  let greetings = 0;
  for (const through of ["libsio's port", "nginx's /socket.io/"]) {
    for (const transports of TRANSPORTS) {
      it(`exchanges an event and its ack through ${through} over ${transports[0]}`, async () => {
        const port = through === "libsio's port" ? sioPort : httpPort;
        const socket = await connect(`http://127.0.0.1:${port}`, "/", { transports });
        const [answer] = await emitAck(socket, "hello", `node-${greetings}`);
        greetings++;
        assert.match(answer, new RegExp(`^hello node-${greetings - 1} from nginx worker \\d+$`));
        assert.notEqual(Number(answer.split(" ").pop()), process.pid);
        // /stats reads what the handlers wrote, from any worker.
        assert.deepEqual(await stats(), { connected: 1, greetings, last_name: `node-${greetings - 1}` });
        socket.close();
        for (let i = 0; i < 40 && (await stats()).connected !== 0; i++) await sleep(50);
        assert.equal((await stats()).connected, 0);
      });
    }
  }

  it("stops gracefully and logs no Lua error", async () => {
    proc.kill("SIGQUIT");
    assert.deepEqual(await withTimeout(exited, START_MS, "nginx to stop"), { code: 0, signal: null });
    assert.doesNotMatch(logs, LUA_ERRORS);
    assert.ok(!existsSync(join(prefix, "nginx.pid")), "nginx removed its pid file");
  });
});
