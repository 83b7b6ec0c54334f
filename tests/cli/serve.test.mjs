// sio serve, driven by the official socket.io-client and by sio itself.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";

import { startNode, startRedis } from "../interop/helpers/cluster.mjs";
import { SIO, assertClean, cleanup, connectClient, jsonLines, runSio, startSioServe, within } from "./helpers.mjs";

after(cleanup);

const BYTES = Buffer.from([0, 1, 2, 255]);

for (const parser of ["json", "msgpack"]) {
  describe(`sio serve --echo, ${parser} parser`, () => {
    test("answers the official client: events come back, acks carry the same arguments", async () => {
      const serve = await startSioServe(["--echo", "--parser", parser]);
      const client = await connectClient(serve.url, parser);
      const sid = client.id;
      const echoed = new Promise((resolve) => client.once("greet", (...args) => resolve(args)));
      client.emit("greet", "hi", { n: 1 }, BYTES);
      const [text, obj, bin] = await within(echoed, "the event echoed");
      assert.equal(text, "hi");
      assert.deepEqual(obj, { n: 1 });
      assert.deepEqual(Buffer.from(bin), BYTES);
      const acked = await new Promise((resolve, reject) =>
        client.timeout(5000).emit("ask", 42, "x", (err, ...args) => (err ? reject(err) : resolve(args))));
      assert.deepEqual(acked, [42, "x"]);

      const gone = new Promise((resolve) => client.once("disconnect", resolve));
      const { code } = await serve.stop("SIGINT");
      assert.equal(code, 0);
      assert.equal(await within(gone, "the disconnection"), "io server disconnect");
      assertClean(serve.out.stderr);
      assert.doesNotMatch(serve.out.stdout, /\x1b/, "no colour when piped");

      const log = jsonLines(serve.out.stdout);
      assert.deepEqual(log.map((l) => l.type), ["connection", "event", "event", "disconnect"]);
      assert.equal(log[0].namespace, "/");
      assert.equal(log[0].sid, sid);
      assert.equal(log[0].address, "127.0.0.1");
      assert.deepEqual(log[1], { time: log[1].time, type: "event", namespace: "/", sid, event: "greet", args: ["hi", { n: 1 }, { $binary: BYTES.toString("base64") }] });
      assert.equal(log[2].ack, true);
      assert.equal(log[3].reason, "server namespace disconnect");
    });
  });
}

test("sio emit, listen and connect against sio serve", async () => {
  const serve = await startSioServe(["--echo"]);
  const r = await runSio(["emit", `${serve.url}/room`, "ask", '{"$binary":"AQID"}', "--ack", "--auth", '{"me":1}']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ $binary: "AQID" }]);
  const c = await runSio(["connect", serve.url], { input: "ping 1\n:ack ask 2\n" });
  assert.equal(c.code, 0, c.stderr);
  await serve.stop();
  const log = jsonLines(serve.out.stdout);
  const conn = log.find((l) => l.type === "connection" && l.namespace === "/room");
  assert.deepEqual(conn.auth, { me: 1 });
  assert.ok(log.some((l) => l.type === "event" && l.event === "ping" && l.args[0] === 1), "the unacknowledged line reached the server");
  assert.match(c.stdout, /"ack":"ask","args":\[2\]/);
});

test("sio connect on a terminal: line editing, then Ctrl-D", async (t) => {
  const version = await runSio(["--version"]);
  if (!/line editing: libedit/.test(version.stdout)) return t.skip("built without libedit");
  const serve = await startSioServe(["--echo"]);
  // script(1) runs sio on a terminal and types what it reads: the keys reach
  // libedit one write at a time, after the connection is reported.
  const keys = ["abc\x1b[D\x1b[DX\r", ":ack ask 7\r", "\x04"];
  const term = spawn("script", ["-qec", `${SIO} connect ${serve.url}; echo "exit=$?"`, "/dev/null"], {
    env: { ...process.env, TERM: "xterm" },
  });
  t.after(() => term.kill("SIGKILL"));
  let out = "";
  term.stdout.on("data", (chunk) => (out += chunk));
  const until = async (re) => {
    for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, re);
  };
  await until(/connected to/);
  term.stdin.write(keys[0]);
  await until(/"event":(\x1b\[36m)?"aXbc"/);
  term.stdin.write(keys[1]);
  await until(/"ack":(\x1b\[36m)?"ask"(\x1b\[0m)?,"args":\[7\]/);
  term.stdin.write(keys[2]);
  await until(/exit=0/);
  term.stdin.end();
  await serve.stop();
  assert.ok(jsonLines(serve.out.stdout).some((l) => l.event === "aXbc"), "the edited line reached the server");
});

test("sio serve --static serves a folder", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sio-static-"));
  writeFileSync(join(dir, "hello.txt"), "static file\n");
  const serve = await startSioServe(["--static", dir]);
  const res = await fetch(`${serve.url}/hello.txt`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "static file\n");
  assert.equal((await serve.stop()).code, 0);
});

test("sio serve with a bad option exits with a message", async () => {
  const tls = await runSio(["serve", "--port", "0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"]);
  assert.equal(tls.code, 1);
  assert.match(tls.stderr, /^sio: .*(tls|nonexistent)/m);
  const half = await runSio(["serve", "--tls-cert", "x"]);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--tls-cert and --tls-key go together/);
  const parser = await runSio(["serve", "--parser", "xml"]);
  assert.equal(parser.code, 1);
  assert.match(parser.stderr, /sio: --parser xml: /);
});

test("sio serve over TLS; the client subcommands take --tls-ca or --insecure, and refuse an unknown certificate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sio-cli-tls-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const made = spawn("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  assert.equal(await new Promise((resolve) => made.on("exit", resolve)), 0, "openssl made a certificate");
  const serve = await startSioServe(["--echo", "--tls-cert", cert, "--tls-key", key]);
  assert.match(serve.url, /^https:/);
  const trusted = await runSio(["emit", serve.url, "ask", '"over tls"', "--ack", "--tls-ca", cert]);
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.deepEqual(JSON.parse(trusted.stdout), ["over tls"]);
  const unchecked = await runSio(["emit", serve.url, "ask", "1", "--ack", "--insecure", "--transports", "websocket"]);
  assert.equal(unchecked.code, 0, unchecked.stderr);
  assert.deepEqual(JSON.parse(unchecked.stdout), [1]);
  const refused = await runSio(["emit", serve.url, "ask", "2", "--ack"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /certificate/i);
  await serve.stop();
});

test("sio serve --redis joins a cluster with an official socket.io node (@socket.io/redis-adapter)", async () => {
  const redis = await startRedis();
  const serve = await startSioServe(["--redis", redis.url]);
  const node = await startNode("ref", redis.url);
  try {
    await serve.waitFor("stderr", /sio: redis up/);
    const here = await connectClient(serve.url, "json");
    const there = await connectClient(node.url, "json");
    // The Node node sees the socket on our node: a broadcast to its id's room
    // crosses Redis.
    const crossed = new Promise((resolve) => here.once("hello", resolve));
    there.emit("to", [here.id], "hello", "from node");
    assert.equal(await within(crossed, "the broadcast from the Node node"), "from node");
    await redis.kill();
    await serve.waitFor("stderr", /sio: redis down: /);
  } finally {
    await serve.stop();
    node.kill();
    await redis.kill();
  }
});

test("sio serve --redis URL --redis-sharded joins a cluster of createShardedAdapter nodes", async () => {
  const redis = await startRedis();
  const serve = await startSioServe(["--redis", redis.url, "--redis-sharded"]);
  const node = await startNode("ref", redis.url, { sharded: true });
  try {
    await serve.waitFor("stderr", /sio: redis up/);
    const here = await connectClient(serve.url, "json");
    const there = await connectClient(node.url, "json");
    const crossed = new Promise((resolve) => here.once("hello", resolve));
    there.emit("to", [here.id], "hello", "sharded");
    assert.equal(await within(crossed, "the broadcast from the Node node"), "sharded");
  } finally {
    await serve.stop();
    node.kill();
    await redis.kill();
  }
});
