// docs/multi-node.md's nginx front, run: two nodes of one Redis cluster (a
// libsio node and the Node.js reference) behind nginx with
// `hash $remote_addr consistent`. Long-polling clients through nginx keep
// their session and hear broadcasts made on either node; through a
// round-robin front the same clients cannot even connect.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { closeAll, connect, emitWithAck, withTimeout } from "./helpers/client.mjs";
import { freePort, startNode, startRedis, waitForSubscribers } from "./helpers/cluster.mjs";

const NGINX = process.env.NGINX || "/usr/sbin/nginx";
const POLLING = { transports: ["polling"] };

async function startNginx(nodes) {
  const prefix = mkdtempSync(join(tmpdir(), "sio-cluster-nginx-"));
  const [port, rrPort] = [await freePort(), await freePort()];
  const conf = readFileSync(new URL("./cluster_nginx.conf.in", import.meta.url), "utf8")
    .replaceAll("@PREFIX@", prefix)
    .replaceAll("@PORT@", String(port))
    .replaceAll("@RR_PORT@", String(rrPort))
    .replaceAll("@NODE_A@", `127.0.0.1:${nodes[0].port}`)
    .replaceAll("@NODE_B@", `127.0.0.1:${nodes[1].port}`);
  writeFileSync(join(prefix, "nginx.conf"), conf);
  const errorLog = join(prefix, "error.log");
  const proc = spawn(NGINX, ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", errorLog], { stdio: "ignore" });
  // Ready once it answers (a 404 outside /socket.io/ will do).
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch (err) {
      if (proc.exitCode !== null || Date.now() > deadline)
        throw new Error(`nginx did not start: ${existsSync(errorLog) ? readFileSync(errorLog, "utf8") : err}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    roundRobinUrl: `http://127.0.0.1:${rrPort}`,
    stop() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

describe("sticky sessions through nginx (hash $remote_addr consistent)", { skip: !existsSync(NGINX) && "no nginx", timeout: 60000 }, () => {
  const ctx = { sockets: [] };
  before(async () => {
    ctx.redis = await startRedis();
    ctx.nodes = [await startNode("libsio", ctx.redis.url), await startNode("ref", ctx.redis.url)];
    await waitForSubscribers(ctx.redis.url, 2);
    ctx.nginx = await startNginx(ctx.nodes);
  });
  after(async () => {
    closeAll(ctx.sockets);
    ctx.nginx?.stop();
    for (const n of ctx.nodes ?? []) n.kill();
    await ctx.redis?.kill();
  });

  it("long-polling clients keep their session and hear broadcasts of both nodes", { timeout: 20000 }, async () => {
    const proxied = [];
    for (let i = 0; i < 3; i++) proxied.push(await connect(ctx.nginx.url, "/", POLLING));
    ctx.sockets.push(...proxied);
    for (const s of proxied) {
      s.emit("echo", "through nginx");
      assert.deepEqual(await s.events.next("echo"), ["through nginx"]);
      await emitWithAck(s, "join", "front");
    }
    // One client straight on each node.
    const direct = [];
    for (const node of ctx.nodes) direct.push(await connect(node.url, "/", POLLING));
    ctx.sockets.push(...direct);
    for (const [i, d] of direct.entries()) {
      d.emit("to", "front", "news", i);
      for (const s of proxied) assert.deepEqual(await s.events.next("news"), [i]);
    }
  });

  it("without stickiness a long-polling client does not get through", { timeout: 20000 }, async () => {
    const outcome = await withTimeout(
      connect(ctx.nginx.roundRobinUrl, "/", POLLING).then(
        (s) => (ctx.sockets.push(s), "connected"),
        (err) => err.message,
      ),
      10000,
      "the round-robin attempt",
    );
    assert.notEqual(outcome, "connected");
  });

  it("both nodes exit 0 on SIGTERM", { timeout: 20000 }, async () => {
    for (const n of ctx.nodes) await n.stop();
  });
});
