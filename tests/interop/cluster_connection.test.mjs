// The adapter's connection to Redis. The URL with credentials, as node-redis
// reads it: redis://[[user][:password]@]host:port. A Redis that asks for a
// password (requirepass) or an ACL user is joined by libsio and Node nodes
// given the same URL; a wrong password is the reason of "adapter down" and
// the node keeps serving its own clients. A peer that accepts and never
// answers is given up on after the connect timeout. rediss:// is refused
// with why.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { closeAll, connect, emitWithAck, withTimeout } from "./helpers/client.mjs";
import { LIBSIO_IS_REFERENCE, startNode, startRedis } from "./helpers/cluster.mjs";

const PASSWORD = "s3cr:t@x";
const USER = "app";
const USER_PASSWORD = "app-pw";

// The whole line a match of adapterLine() starts.
const lineOf = (m) => m.input.slice(m.index).split("\n")[0];

describe("the adapter with Redis credentials", { timeout: 90000 }, () => {
  const ctx = { nodes: [], sockets: [] };
  before(async () => {
    ctx.redis = await startRedis(undefined, [
      "--requirepass", PASSWORD,
      "--user", USER, "on", `>${USER_PASSWORD}`, "~*", "&*", "+@all",
    ]);
    ctx.host = `127.0.0.1:${ctx.redis.port}`;
  });
  after(async () => {
    closeAll(ctx.sockets);
    for (const n of ctx.nodes) n.kill();
    await ctx.redis?.kill();
  });

  async function crossNodeAnswer(urls, adapter = {}) {
    const nodes = [];
    for (const [kind, url] of urls) nodes.push(await startNode(kind, url, adapter));
    ctx.nodes.push(...nodes);
    const sockets = [];
    for (const n of nodes) sockets.push(await connect(n.url, "/", { transports: ["websocket"] }));
    ctx.sockets.push(...sockets);
    const [answer] = await emitWithAck(sockets[0], "server-side-emit", "hi");
    for (const n of nodes) await n.stop();
    closeAll(sockets);
    return answer;
  }

  it("a password alone (AUTH password), percent-encoded, with a Node node on the same URL", async () => {
    const url = `redis://:${encodeURIComponent(PASSWORD)}@${ctx.host}`;
    assert.deepEqual(await crossNodeAnswer([["libsio", url], ["ref", url]]), { err: null, res: ["hi"] });
  });

  it("a password with the sharded adapter (its shard subscriber authenticates too)", async () => {
    const url = `redis://:${encodeURIComponent(PASSWORD)}@${ctx.host}`;
    assert.deepEqual(await crossNodeAnswer([["libsio", url], ["ref", url]], { sharded: true }), { err: null, res: ["hi"] });
  });

  it("an ACL user and its password (AUTH user password)", async () => {
    const url = `redis://${USER}:${USER_PASSWORD}@${ctx.host}`;
    assert.deepEqual(await crossNodeAnswer([["libsio", url], ["libsio", url]]), { err: null, res: ["hi"] });
  });

  // The reference server cannot run these: node-redis's connect() rejects
  // and the Node process exits.
  const refusedSkip = LIBSIO_IS_REFERENCE && "node-redis's refused connect() ends the reference server";

  it("a wrong password: adapter down with Redis's reason, local traffic goes on", { skip: refusedSkip }, async () => {
    const node = await startNode("libsio", `redis://${USER}:wrong@${ctx.host}`, {}, { waitUp: false });
    ctx.nodes.push(node);
    const reason = lineOf(await node.adapterLine("down", 1, 15000));
    assert.match(reason, /WRONGPASS/);
    assert.ok(!reason.includes("wrong"), `the password stays out of the reason: ${reason}`);
    const socket = await connect(node.url, "/", { transports: ["websocket"] });
    ctx.sockets.push(socket);
    assert.deepEqual(await emitWithAck(socket, "ack", "still here"), ["still here"]);
    await node.stop();
  });

  it("no password where Redis asks for one: adapter down, NOAUTH", { skip: refusedSkip }, async () => {
    const node = await startNode("libsio", `redis://${ctx.host}`, {}, { waitUp: false });
    ctx.nodes.push(node);
    assert.match(lineOf(await node.adapterLine("down", 1, 15000)), /NOAUTH/);
    await node.stop();
  });
});

describe("a peer that accepts and never answers", { skip: LIBSIO_IS_REFERENCE && "node-redis's refused connect() ends the reference server" }, () => {
  const held = [];
  let silent;
  before(async () => {
    silent = createServer((conn) => held.push(conn));
    await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  after(() => {
    for (const conn of held) conn.destroy();
    silent.close();
  });

  for (const adapter of [{}, { sharded: true }]) {
    it(`adapter down after the 5 s connect timeout, then tried again${adapter.sharded ? " (sharded)" : ""}`, { timeout: 30000 }, async () => {
      const node = await startNode("libsio", `redis://127.0.0.1:${silent.address().port}`, adapter, { waitUp: false });
      try {
        const started = Date.now();
        assert.match(lineOf(await node.adapterLine("down", 1, 12000)), /connect timeout/);
        assert.ok(Date.now() - started >= 4000, "not before the timeout");
        // The host is told once per outage; the attempts go on.
        const connections = held.length;
        const deadline = Date.now() + 8000;
        while (held.length <= connections && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.ok(held.length > connections, "a new attempt after the first timed out");
      } finally {
        await node.stop();
      }
    });
  }
});

describe("rediss:// URLs", { skip: LIBSIO_IS_REFERENCE && "node-redis speaks TLS" }, () => {
  it("are refused at start with the reason", async () => {
    const server = process.env.SIO_TEST_SERVER?.split(/\s+/).filter(Boolean) ??
      [fileURLToPath(new URL("../../build/examples/sio_test_server", import.meta.url))];
    const [cmd, ...pre] = server;
    const proc = spawn(cmd, [...pre, "--port", "0", "--redis", "rediss://127.0.0.1:6380"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (c) => (stderr += c));
    const code = await withTimeout(new Promise((resolve) => proc.on("close", resolve)), 10000, "the server to exit");
    assert.notEqual(code, 0);
    assert.match(stderr, /rediss:\/\/ \(Redis over TLS\) is not supported/);
  });
});
