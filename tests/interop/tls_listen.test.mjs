// Where the server listens (--host, --reuse-port): the official client on
// http://[::1]:PORT and http://localhost:PORT, and two server processes on
// one port with --reuse-port, both accepting clients; without it the second
// fails with EADDRINUSE.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import { describe, it } from "node:test";
import { describeWithServer, test, TEST_TIMEOUT_MS } from "./helpers/suite.mjs";
import { closeAll, connect, emitWithAck, MSGPACK, TRANSPORT_MODES } from "./helpers/client.mjs";
import { startServer, underTestIsReference } from "./helpers/server.mjs";

async function echoes(url, transports) {
  const socket = await connect(url, "/", transports);
  socket.emit("echo", url);
  assert.deepEqual(await socket.events.next("echo"), [url]);
  const id = socket.id;
  socket.close();
  return id;
}

const hasIpv6 = await new Promise((resolve) => {
  const probe = net.createServer().once("error", () => resolve(false));
  probe.listen(0, "::1", () => probe.close(() => resolve(true)));
});

describeWithServer("listening on ::1", ["--host", "::1"], (ctx) => {
  for (const [mode, transports] of Object.entries(TRANSPORT_MODES)) {
    it(`${mode}: the official client connects to http://[::1]:PORT`, { timeout: TEST_TIMEOUT_MS, skip: !hasIpv6 && "no IPv6 loopback" }, async () => {
      await echoes(`http://[::1]:${ctx.port}`, transports);
    });
  }
  test("IPv4 clients are not served", async () => {
    await assert.rejects(connect(`http://127.0.0.1:${ctx.port}`, "/", TRANSPORT_MODES.polling));
  });
});

describeWithServer("listening on localhost", ["--host", "localhost"], (ctx) => {
  for (const [mode, transports] of Object.entries(TRANSPORT_MODES)) {
    test(`${mode}: the official client connects to http://localhost:PORT`, async () => {
      await echoes(`http://localhost:${ctx.port}`, transports);
    });
  }
});

// The server's exit status and stderr when it cannot listen.
function failedStart(args) {
  return new Promise((resolve) => {
    const [cmd, ...cmdArgs] = process.env.SIO_TEST_SERVER && process.env.SIO_TEST_SERVER !== "ref"
      ? process.env.SIO_TEST_SERVER.split(/\s+/).filter(Boolean)
      : [process.execPath, new URL("./ref_server.mjs", import.meta.url).pathname];
    const proc = spawn(cmd, [...cmdArgs, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (c) => (stdout += c));
    proc.stderr.on("data", (c) => (stderr += c));
    proc.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Node's server.listen takes reusePort from 22.12 on.
const [major, minor] = process.versions.node.split(".").map(Number);
const refLacksReusePort = underTestIsReference() && (major < 22 || (major === 22 && minor < 12));

// The servers started here use the parser the clients do (see suite.mjs).
const PARSER_ARGS = MSGPACK ? ["--parser", "msgpack"] : [];

describe("two processes on one port", { timeout: 60000 }, () => {
  it("with --reuse-port both accept clients", { timeout: 30000, skip: refLacksReusePort && "this Node has no reusePort" }, async () => {
    const first = await startServer(["--host", "127.0.0.1", "--reuse-port", ...PARSER_ARGS]);
    let second;
    try {
      second = await startServer(["--host", "127.0.0.1", "--reuse-port", "--port", String(first.port), ...PARSER_ARGS]);
      assert.equal(second.port, first.port);
      // The kernel spreads new connections over both: of 20 clients, each
      // process holds some (fetchSockets lists its own), and all are served.
      const url = `http://127.0.0.1:${first.port}`;
      const sockets = [];
      for (let i = 0; i < 20; i++) sockets.push(await connect(url, "/", TRANSPORT_MODES.websocket));
      const views = new Set();
      for (const socket of sockets) {
        const [list] = await emitWithAck(socket, "fetch");
        assert.ok(list.some((s) => s.id === socket.id));
        views.add(JSON.stringify(list.map((s) => s.id)));
      }
      assert.equal(views.size, 2);
      assert.equal([...views].reduce((n, v) => n + JSON.parse(v).length, 0), 20);
      closeAll(sockets);
      // Once the first is gone the second serves alone.
      await first.stop();
      for (let i = 0; i < 10; i++) await echoes(`http://127.0.0.1:${first.port}`, TRANSPORT_MODES.polling);
      await second.stop();
    } finally {
      first.kill();
      second?.kill();
    }
  });

  it("without it the second fails with EADDRINUSE", { timeout: 30000 }, async () => {
    const first = await startServer(["--host", "127.0.0.1", ...PARSER_ARGS]);
    try {
      const second = await failedStart(["--host", "127.0.0.1", "--port", String(first.port)]);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, new RegExp(`listen EADDRINUSE: address already in use 127.0.0.1:${first.port}`));
      assert.equal(second.stdout, "");
      await echoes(`http://127.0.0.1:${first.port}`, TRANSPORT_MODES.polling);
      await first.stop();
    } finally {
      first.kill();
    }
  });
});
