// libsio's Socket.IO client (client_driver) against libsio's own server,
// sio_test_server (examples/TEST-SERVER.md): echo, acks both ways, binary,
// namespaces with auth and refusal, over every transport mode.
// SIO_TEST_SERVER_BIN names the server binary (default: the build folder's).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Driver, sleep } from "./socketio_client_driver.mjs";

const SERVER_BIN =
  process.env.SIO_TEST_SERVER_BIN ||
  fileURLToPath(new URL("../../build/examples/sio_test_server", import.meta.url));

// Starts sio_test_server with extra arguments; resolves to {proc, url}.
async function startOurs(args = []) {
  const proc = spawn(SERVER_BIN, ["--port", "0", "--ping-interval", "1000", "--ping-timeout", "1000", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise((resolve, reject) => {
    proc.on("exit", (code) => reject(new Error(`sio_test_server exited with ${code}`)));
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const m = /^listening on (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
  });
  return { proc, url: `http://127.0.0.1:${port}` };
}

async function stopOurs(server) {
  server.proc.kill("SIGTERM");
  await new Promise((resolve) => (server.proc.exitCode !== null ? resolve() : server.proc.on("exit", resolve)));
}

let server, url;

before(async () => {
  server = await startOurs();
  url = server.url;
});

after(() => stopOurs(server));

async function withDriver(body) {
  const d = new Driver();
  try {
    await body(d);
    await d.exit();
  } finally {
    d.kill();
  }
}

describe("our client against our server", () => {
  for (const transports of ["polling", "websocket", "polling,websocket"]) {
    test(`echo, acks and binary over ${transports}`, async () => {
      await withDriver(async (d) => {
        await d.connect(url, { transports }, { token: "t1" });
        await d.waitFor({ type: "connect" });
        const auth = await d.waitFor({ type: "event", name: "auth" });
        assert.deepEqual(auth.data, [{ token: "t1" }]);
        await d.emit("echo", ["a", 1, { b: [true, null] }]);
        assert.deepEqual((await d.waitFor({ type: "event", name: "echo" })).data, ["a", 1, { b: [true, null] }]);
        const req = await d.emit("ack", ["x", 2], { ack: true, timeout: 2000 });
        assert.deepEqual((await d.waitFor({ type: "ack", req })).data, ["x", 2]);
        await d.emit("echo", [{ _placeholder: true, num: 0 }, "bin"], { bins: ["deadbeef"] });
        const bin = await d.waitFor({ type: "event", name: "echo" });
        assert.deepEqual(bin.data, [{ _placeholder: true, num: 0 }, "bin"]);
        assert.deepEqual(bin.bins, ["deadbeef"]);
        const binReq = await d.emit("ack", [{ _placeholder: true, num: 0 }], { bins: ["0102"], ack: true, timeout: 2000 });
        assert.deepEqual((await d.waitFor({ type: "ack", req: binReq })).bins, ["0102"]);
      });
    });
  }

  test("the server's acks: the client answers", async () => {
    await withDriver(async (d) => {
      await d.connect(url);
      await d.waitFor({ type: "connect" });
      await d.emit("server-ack", [2000, "question", 42]);
      const q = await d.waitFor({ type: "event", name: "question" });
      assert.ok(q.ack_id >= 0);
      await d.run({ cmd: "ack", ack_id: q.ack_id, args: ["answer", { _placeholder: true, num: 0 }], bins: ["ff"] });
      const result = await d.waitFor({ type: "event", name: "server-ack-result" });
      assert.equal(result.data[0], null);
      assert.equal(result.data[1][0], "answer");
    });
  });

  test("namespaces over one connection; middleware refusal with data; dynamic namespaces", async () => {
    await withDriver(async (d) => {
      await d.connect(url + "/custom");
      await d.run({ cmd: "socket", nsp: "/private", auth: { token: "wrong" } });
      await d.run({ cmd: "socket", nsp: "/dyn-1" });
      await d.waitFor({ type: "connect", nsp: "/custom" });
      await d.waitFor({ type: "connect", nsp: "/dyn-1" });
      const refused = await d.waitFor({ type: "connect_error", nsp: "/private" });
      assert.equal(refused.reason, "not authorized");
      assert.deepEqual(refused.data, { reason: "bad token" });
      await d.run({ cmd: "socket", nsp: "/private", auth: { token: "secret" } });
      await d.waitFor({ type: "connect", nsp: "/private" });
      await d.emit("echo", ["p"], { nsp: "/private" });
      assert.deepEqual((await d.waitFor({ type: "event", name: "echo", nsp: "/private" })).data, ["p"]);
      await d.run({ cmd: "socket", nsp: "/unknown" });
      assert.equal((await d.waitFor({ type: "connect_error", nsp: "/unknown" })).reason, "Invalid namespace");
    });
  });

  test("rooms and server-side disconnect", async () => {
    await withDriver(async (d) => {
      await d.connect(url, { reconnectionDelay: 100 });
      await d.waitFor({ type: "connect" });
      const req = await d.emit("join", ["room-a"], { ack: true, timeout: 2000 });
      assert.ok((await d.waitFor({ type: "ack", req })).data[0].includes("room-a"));
      await d.emit("to", ["room-a", "in-room", 1]);
      assert.deepEqual((await d.waitFor({ type: "event", name: "in-room" })).data, [1]);
      await d.emit("disconnect-me", [false]);
      assert.equal((await d.waitFor({ type: "disconnect" })).reason, "io server disconnect");
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(d.all({ type: "reconnect_attempt" }).length, 0);
    });
  });
});

test("the msgpack parser, binary included, on both sides", async () => {
  const mp = await startOurs(["--parser", "msgpack"]);
  try {
    await withDriver(async (d) => {
      await d.connect(mp.url, { parser: "msgpack" }, { token: "m" });
      await d.waitFor({ type: "connect" });
      assert.deepEqual((await d.waitFor({ type: "event", name: "auth" })).data, [{ token: "m" }]);
      const req = await d.emit("ack", [1, "two", { _placeholder: true, num: 0 }], { bins: ["cafe"], ack: true, timeout: 2000 });
      const ack = await d.waitFor({ type: "ack", req });
      assert.deepEqual(ack.data, [1, "two", { _placeholder: true, num: 0 }]);
      assert.deepEqual(ack.bins, ["cafe"]);
    });
  } finally {
    await stopOurs(mp);
  }
});

// A TCP proxy in front of the server whose connections the test can cut, and
// refuse for a while: a real transport failure between our client and server.
async function startProxy(target) {
  const { createServer, connect } = await import("node:net");
  const conns = new Set();
  const proxy = { refusing: false };
  const srv = createServer((down) => {
    if (proxy.refusing) return down.destroy();
    const up = connect(target, "127.0.0.1");
    down.pipe(up).pipe(down);
    const close = () => {
      down.destroy();
      up.destroy();
      conns.delete(close);
    };
    down.on("error", close).on("close", close);
    up.on("error", close).on("close", close);
    conns.add(close);
  });
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${srv.address().port}`;
  proxy.cut = () => [...conns].forEach((close) => close());
  proxy.close = () => (proxy.cut(), srv.close());
  return proxy;
}

test("connection state recovery between our client and our server", async () => {
  const rec = await startOurs(["--recovery", "10000"]);
  const proxy = await startProxy(Number(new URL(rec.url).port));
  const d = new Driver();
  const helper = new Driver();
  const ack = async (driver, event, args) => {
    const req = await driver.emit(event, args, { ack: true, timeout: 2000 });
    return (await driver.waitFor({ type: "ack", req })).data;
  };
  try {
    await d.connect(proxy.url, { transports: "websocket", reconnectionDelay: 100, reconnectionDelayMax: 200 });
    const first = await d.waitFor({ type: "connect" });
    assert.equal(first.recovered, undefined);
    await d.waitFor({ type: "event", name: "auth" });
    await ack(d, "join", ["r"]);
    await helper.connect(rec.url);
    await helper.waitFor({ type: "connect" });
    proxy.refusing = true;
    proxy.cut();
    await d.waitFor({ type: "disconnect" });
    const deadline = Date.now() + 3000;
    while (!(await ack(helper, "last-disconnects", []))[0].some(([id]) => id === first.sid)) {
      assert.ok(Date.now() < deadline, "the server saw the transport close");
      await sleep(50);
    }
    await helper.emit("to", ["r", "missed", 1]);
    await helper.emit("to", ["elsewhere", "missed", 0]);
    await helper.emit("to", ["r", "missed", 2]);
    await sleep(200);
    proxy.refusing = false;
    const back = await d.waitFor({ type: "connect" }, 5000);
    assert.equal(back.sid, first.sid);
    assert.equal(back.recovered, true);
    assert.equal((await d.waitFor({ type: "event", name: "missed" })).data[0], 1);
    assert.equal((await d.waitFor({ type: "event", name: "missed" })).data[0], 2);
    assert.equal((await ack(d, "recovered", []))[0], true);
    assert.deepEqual((await ack(d, "join", ["s"]))[0], [first.sid, "r", "s"].sort());
    await d.exit();
    await helper.exit();
  } finally {
    d.kill();
    helper.kill();
    proxy.close();
    await stopOurs(rec);
  }
});
