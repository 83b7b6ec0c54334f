// libsio's Engine.IO client (through eio_harness) against the official
// engine.io server: every transport mode, the upgrade, messages both ways,
// heartbeat, closes from either side, TLS, and servers that misbehave.
// EIO_HARNESS names the harness binary (a sanitizer build, say); any
// sanitizer report on its stderr fails the test.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { Server } from "engine.io";

const HARNESS =
  process.env.EIO_HARNESS ||
  fileURLToPath(new URL("../../build/tests/client/eio_harness", import.meta.url));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- servers ------------------------------------------------------------

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server.address().port;
}

// An engine.io server on loopback; every server socket is recorded with
// what it received and how it ended.
async function startEngine(opts = {}, tls = null) {
  const httpServer = tls ? https.createServer(tls) : http.createServer();
  const engine = new Server({ pingInterval: 1000, pingTimeout: 1000, ...opts });
  engine.attach(httpServer);
  const sockets = new Map();
  const waiting = new Map();
  engine.on("connection", (socket) => {
    const rec = { socket, messages: [], upgraded: false, heartbeats: 0, closeReason: null };
    rec.closed = new Promise((resolve) =>
      socket.on("close", (reason) => {
        rec.closeReason = reason;
        resolve(reason);
      }),
    );
    socket.on("message", (m) => rec.messages.push(m));
    socket.on("upgrade", () => (rec.upgraded = true));
    socket.on("heartbeat", () => rec.heartbeats++);
    sockets.set(socket.id, rec);
    waiting.get(socket.id)?.(rec);
  });
  let connections = 0;
  httpServer.on(tls ? "secureConnection" : "connection", () => connections++);
  const port = await listen(httpServer);
  return {
    port,
    engine,
    httpServer,
    connections: () => connections,
    // The server side of the session the harness opened.
    socketFor: (open) =>
      sockets.get(open.sid) ?? new Promise((resolve) => waiting.set(open.sid, resolve)),
    close: () =>
      new Promise((resolve) => {
        engine.close();
        httpServer.closeAllConnections?.();
        httpServer.close(resolve);
      }),
  };
}

// A raw TCP server that does what onConnection says with each socket.
async function startRaw(onConnection) {
  const conns = new Set();
  const server = net.createServer((sock) => {
    conns.add(sock);
    sock.on("close", () => conns.delete(sock));
    sock.on("error", () => {});
    onConnection(sock);
  });
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of conns) s.destroy();
        server.close(resolve);
      }),
  };
}

async function freePort() {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

// ---- the harness ------------------------------------------------------------

function runHarness(url, args = []) {
  const child = spawn(HARNESS, [url, "--path", "/engine.io/", ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const events = [];
  const waiters = [];
  let stderr = "";
  let buffered = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const ev = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      events.push(ev);
      for (const w of [...waiters]) w();
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => (stderr += d));
  let exitStatus = null;
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
      for (const w of [...waiters]) w();
    }),
  );
  child.stdin.on("error", () => {});

  // Resolves with the first event (from index `from` on) that matches;
  // rejects when none comes in time or the harness exits without it.
  function waitFor(pred, ms = 5000, from = 0) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn, value) => {
        if (settled) return;
        settled = true;
        waiters.splice(waiters.indexOf(check), 1);
        clearTimeout(timer);
        fn(value);
      };
      const find = () => events.slice(from).find(pred);
      const check = () => {
        const ev = find();
        if (ev) settle(resolve, ev);
        else if (exitStatus)
          // Output may still be in the pipe when the exit is seen.
          setTimeout(() => {
            const late = find();
            if (late) settle(resolve, late);
            else settle(reject, new Error(`the harness exited (${JSON.stringify(exitStatus)}): ${stderr}`));
          }, 100);
      };
      const timer = setTimeout(
        () => settle(reject, new Error(`no matching event in ${ms} ms; got ${JSON.stringify(events)}`)),
        ms,
      );
      waiters.push(check);
      check();
    });
  }

  return {
    events,
    waitFor,
    opened: () => waitFor((e) => e.event === "open"),
    closed: (ms) => waitFor((e) => e.event === "close", ms),
    sendText: (t) => child.stdin.write(`t ${t}\n`),
    sendBinary: (buf) => child.stdin.write(`b ${Buffer.from(buf).toString("base64")}\n`),
    close: () => child.stdin.write("close\n"),
    endInput: () => child.stdin.end(),
    // The harness must exit 0 (it tears the loop down) with a clean stderr.
    async finished() {
      const res = await Promise.race([exited, sleep(10000).then(() => null)]);
      if (!res) {
        child.kill("SIGKILL");
        assert.fail("the harness did not exit");
      }
      assert.doesNotMatch(stderr, /Sanitizer|runtime error|leak/i, stderr);
      assert.equal(res.code, 0, `exit ${res.code} ${res.signal}: ${stderr}`);
    },
  };
}

const text = (h, t) => h.waitFor((e) => e.event === "message" && e.text === t);
const binary = (h, bytes) =>
  h.waitFor((e) => e.event === "message" && e.binary === Buffer.from(bytes).toString("base64"));

async function until(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail("condition not met in time");
    await sleep(10);
  }
}

// Messages both ways, text and binary, then a close by the client.
async function exchange(h, rec, transport) {
  rec.socket.send("from server");
  rec.socket.send(Buffer.from([0, 1, 2, 255]));
  const t = await text(h, "from server");
  const b = await binary(h, [0, 1, 2, 255]);
  assert.equal(t.transport, transport);
  assert.equal(b.transport, transport);
  h.sendText("from client é");
  h.sendBinary([9, 8, 7]);
  await until(() => rec.messages.length >= 2);
  assert.equal(rec.messages[0], "from client é");
  assert.deepEqual([...rec.messages[1]], [9, 8, 7]);
  h.close();
  const c = await h.closed();
  assert.equal(c.reason, "forced close");
  assert.equal(c.opened, true);
  assert.equal(await rec.closed, "transport close");
  await h.finished();
}

// ---- tests ---------------------------------------------------------------------

describe("transports", () => {
  let srv;
  before(async () => (srv = await startEngine()));
  after(() => srv.close());

  test("polling only", async () => {
    const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--transports", "polling"]);
    const open = await h.opened();
    assert.equal(open.transport, "polling");
    const rec = await srv.socketFor(open);
    assert.equal(open.sid, rec.socket.id);
    await exchange(h, rec, "polling");
    assert.equal(rec.upgraded, false);
  });

  test("websocket only", async () => {
    const h = runHarness(`ws://127.0.0.1:${srv.port}`, ["--transports", "websocket"]);
    const open = await h.opened();
    assert.equal(open.transport, "websocket");
    const rec = await srv.socketFor(open);
    assert.equal(rec.socket.transport.name, "websocket");
    await exchange(h, rec, "websocket");
  });

  test("polling upgraded to websocket", async () => {
    const h = runHarness(`http://localhost:${srv.port}`);
    const open = await h.opened();
    assert.equal(open.transport, "polling");
    const rec = await srv.socketFor(open);
    await until(() => rec.upgraded);
    assert.equal(rec.socket.transport.name, "websocket");
    await exchange(h, rec, "websocket");
  });

  test("polling with upgrades off stays on polling", async () => {
    const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--no-upgrade"]);
    const rec = await srv.socketFor(await h.opened());
    await sleep(300);
    assert.equal(rec.upgraded, false);
    await exchange(h, rec, "polling");
  });

  test("messages sent before open wait for it, in order", async () => {
    const h = runHarness(`http://127.0.0.1:${srv.port}`);
    for (let i = 0; i < 5; i++) h.sendText(`early ${i}`);
    const rec = await srv.socketFor(await h.opened());
    await until(() => rec.messages.length === 5);
    assert.deepEqual(rec.messages, [0, 1, 2, 3, 4].map((i) => `early ${i}`));
    h.close();
    await h.closed();
    await h.finished();
  });

  test("query and extra headers reach the server", async () => {
    const h = runHarness(`http://127.0.0.1:${srv.port}`, [
      "--query", "token=abc%20d",
      "--header", "X-Test: yes",
    ]);
    const rec = await srv.socketFor(await h.opened());
    assert.equal(rec.socket.request._query.token, "abc d");
    assert.equal(rec.socket.request.headers["x-test"], "yes");
    h.close();
    await h.closed();
    await h.finished();
  });
});

describe("upgrade", () => {
  test("a refused probe leaves the session on polling", async () => {
    const srv = await startEngine();
    srv.httpServer.removeAllListeners("upgrade");
    srv.httpServer.on("upgrade", (req, sock) => sock.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const h = runHarness(`http://127.0.0.1:${srv.port}`);
    const rec = await srv.socketFor(await h.opened());
    await sleep(300);
    assert.equal(rec.upgraded, false);
    await exchange(h, rec, "polling");
    await srv.close();
  });

  test("messages sent while upgrading arrive once and in order", async () => {
    const srv = await startEngine();
    const h = runHarness(`http://127.0.0.1:${srv.port}`);
    const rec = await srv.socketFor(await h.opened());
    const sent = [];
    for (let i = 0; i < 200; i++) {
      sent.push(`n${i}`);
      h.sendText(`n${i}`);
      if (i % 20 === 0) await sleep(5);
    }
    for (let i = 0; i < 200; i++) rec.socket.send(`s${i}`);
    await until(() => rec.messages.length === sent.length);
    assert.deepEqual(rec.messages, sent);
    await h.waitFor((e) => e.text === "s199");
    const got = h.events.filter((e) => e.event === "message").map((e) => e.text);
    assert.deepEqual(got, sent.map((m) => m.replace("n", "s")));
    assert.ok(rec.upgraded);
    h.close();
    await h.closed();
    await h.finished();
    await srv.close();
  });
});

describe("large messages", () => {
  let srv;
  before(async () => (srv = await startEngine({ maxHttpBufferSize: 4e6 })));
  after(() => srv.close());

  for (const transport of ["polling", "websocket"]) {
    test(`1 MB both ways over ${transport}`, async () => {
      const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--transports", transport]);
      const rec = await srv.socketFor(await h.opened());
      const big = Buffer.alloc(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
      rec.socket.send(big);
      rec.socket.send("y".repeat(1 << 20));
      await binary(h, big);
      await text(h, "y".repeat(1 << 20));
      h.sendBinary(big);
      await until(() => rec.messages.length === 1);
      assert.ok(Buffer.compare(rec.messages[0], big) === 0);
      h.close();
      await h.closed();
      await h.finished();
    });
  }
});

describe("keep-alive", () => {
  test("polling goes on when the server drops idle connections", async () => {
    const srv = await startEngine({ pingInterval: 5000, pingTimeout: 5000 });
    // Node closes an idle connection 1 s after keepAliveTimeout.
    srv.httpServer.keepAliveTimeout = 50;
    const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--no-upgrade"]);
    const rec = await srv.socketFor(await h.opened());
    for (let i = 0; i < 3; i++) {
      await sleep(1200);
      h.sendText(`m${i}`);
    }
    await until(() => rec.messages.length === 3);
    assert.equal(rec.closeReason, null);
    assert.ok(srv.connections() >= 4, `${srv.connections()} connections`);
    h.close();
    await h.closed();
    await h.finished();
    await srv.close();
  });
});

describe("payload limits", () => {
  let srv;
  before(async () => (srv = await startEngine({ maxHttpBufferSize: 200 })));
  after(() => srv.close());

  test("polling POSTs stay within maxPayload", async () => {
    const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--no-upgrade"]);
    const rec = await srv.socketFor(await h.opened());
    const sent = [];
    for (let i = 0; i < 12; i++) {
      const m = `${i}`.padEnd(60, "x");
      sent.push(m);
      h.sendText(m);
    }
    await until(() => rec.messages.length === sent.length);
    assert.deepEqual(rec.messages, sent);
    assert.equal(rec.closeReason, null);
    h.close();
    await h.closed();
    await h.finished();
  });
});

describe("heartbeat", () => {
  let srv;
  before(async () => (srv = await startEngine({ pingInterval: 100, pingTimeout: 150 })));
  after(() => srv.close());

  for (const transport of ["polling", "websocket"]) {
    test(`pings answered over ${transport}`, async () => {
      const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--transports", transport]);
      const rec = await srv.socketFor(await h.opened());
      await sleep(1000);
      assert.ok(rec.heartbeats >= 4, `only ${rec.heartbeats} pongs`);
      assert.equal(rec.closeReason, null);
      assert.ok(!h.events.some((e) => e.event === "close"));
      h.close();
      await h.closed();
      await h.finished();
    });

    test(`a server that stops pinging: ping timeout over ${transport}`, async () => {
      const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--transports", transport]);
      const rec = await srv.socketFor(await h.opened());
      clearTimeout(rec.socket.pingIntervalTimer);
      const started = Date.now();
      const c = await h.closed(3000);
      assert.equal(c.reason, "ping timeout");
      assert.equal(c.opened, true);
      assert.ok(Date.now() - started < 1000);
      await h.finished();
    });
  }
});

// The client expects a ping within pingInterval + pingTimeout of the last
// one; both unusual ways round, so that a timer armed with either value alone
// misses these tolerances.
describe("heartbeat with pingInterval != pingTimeout", () => {
  for (const transport of ["polling", "websocket"]) {
    test(`pingInterval 1000, pingTimeout 200: pings a second apart keep it open over ${transport}`, async () => {
      const srv = await startEngine({ pingInterval: 1000, pingTimeout: 200 });
      try {
        const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--transports", transport]);
        const rec = await srv.socketFor(await h.opened());
        await until(() => rec.heartbeats >= 2, 5000);
        assert.equal(rec.closeReason, null);
        assert.ok(!h.events.some((e) => e.event === "close"), JSON.stringify(h.events));
        h.close();
        await h.closed();
        await h.finished();
      } finally {
        await srv.close();
      }
    });

    test(`pingInterval 200, pingTimeout 1000: ping timeout 1200 ms after the last ping over ${transport}`, async () => {
      const srv = await startEngine({ pingInterval: 200, pingTimeout: 1000 });
      try {
        const h = runHarness(`http://127.0.0.1:${srv.port}`, ["--transports", transport]);
        const rec = await srv.socketFor(await h.opened());
        let lastPingAt = 0;
        rec.socket.on("packetCreate", (p) => {
          if (p.type === "ping") lastPingAt = Date.now();
        });
        // The first pong after a ping we saw leave: no ping follows it.
        await new Promise((resolve, reject) => {
          rec.socket.on("heartbeat", () => {
            if (!lastPingAt) return;
            clearTimeout(rec.socket.pingIntervalTimer);
            resolve();
          });
          rec.closed.then((reason) => reject(new Error(`closed (${reason}) while the server still pinged`)));
          setTimeout(() => reject(new Error("no pong within 5 s")), 5000).unref();
        });
        const c = await h.closed(5000);
        const elapsed = Date.now() - lastPingAt;
        assert.equal(c.reason, "ping timeout");
        assert.ok(elapsed >= 1200 - 30, `closed ${elapsed} ms after the last ping`);
        assert.ok(elapsed <= 1200 + 400, `closed only ${elapsed} ms after the last ping`);
        await h.finished();
      } finally {
        await srv.close();
      }
    });
  }
});

describe("closes", () => {
  let srv;
  before(async () => (srv = await startEngine()));
  after(() => srv.close());

  for (const args of [["--transports", "polling"], ["--transports", "websocket"], []]) {
    const name = args.length ? args[1] : "upgraded";
    test(`server closes: transport close (${name})`, async () => {
      const h = runHarness(`http://127.0.0.1:${srv.port}`, args);
      const rec = await srv.socketFor(await h.opened());
      if (!args.length) await until(() => rec.upgraded);
      rec.socket.close();
      const c = await h.closed();
      assert.equal(c.reason, "transport close");
      assert.equal(c.opened, true);
      await h.finished();
    });
  }

  test("close before the handshake finished", async () => {
    const h = runHarness(`http://127.0.0.1:${srv.port}`);
    h.close();
    const c = await h.closed();
    assert.equal(c.reason, "forced close");
    await h.finished();
  });

  test("stdin closed: the harness goes on until the server closes", async () => {
    const h = runHarness(`http://127.0.0.1:${srv.port}`);
    const rec = await srv.socketFor(await h.opened());
    h.endInput();
    await sleep(100);
    rec.socket.close();
    await h.closed();
    await h.finished();
  });
});

describe("servers that fail", () => {
  test("nothing listening: connection refused", async () => {
    const port = await freePort();
    for (const [url, args, prefix] of [
      [`http://127.0.0.1:${port}`, [], "xhr poll error"],
      [`ws://127.0.0.1:${port}`, ["--transports", "websocket"], "websocket error"],
    ]) {
      const h = runHarness(url, args);
      const c = await h.closed();
      assert.equal(c.opened, false);
      assert.match(c.reason, new RegExp(`^${prefix}: connect ECONNREFUSED`));
      await h.finished();
    }
  });

  test("an unknown host name", async () => {
    const h = runHarness("http://no-such-host.invalid:1");
    const c = await h.closed(15000);
    assert.equal(c.opened, false);
    assert.match(c.reason, /^xhr poll error: getaddrinfo/);
    await h.finished();
  });

  test("a server that never answers the handshake: timeout", async () => {
    const raw = await startRaw(() => {});
    for (const args of [[], ["--transports", "websocket"]]) {
      const h = runHarness(`http://127.0.0.1:${raw.port}`, ["--timeout", "300", ...args]);
      const c = await h.closed();
      assert.equal(c.reason, "timeout");
      assert.equal(c.opened, false);
      await h.finished();
    }
    await raw.close();
  });

  test("a server that sends garbage", async () => {
    const raw = await startRaw((sock) => sock.write("garbage garbage\r\n\r\n"));
    for (const [args, prefix] of [
      [[], "xhr poll error"],
      [["--transports", "websocket"], "websocket error"],
    ]) {
      const h = runHarness(`http://127.0.0.1:${raw.port}`, args);
      const c = await h.closed();
      assert.equal(c.opened, false);
      assert.match(c.reason, new RegExp(`^${prefix}: bad HTTP response`));
      await h.finished();
    }
    await raw.close();
  });

  test("a server that closes mid-handshake", async () => {
    const raw = await startRaw((sock) => sock.once("data", () => sock.end("HTTP/1.1 200 OK\r\n")));
    const h = runHarness(`http://127.0.0.1:${raw.port}`);
    const c = await h.closed();
    assert.equal(c.opened, false);
    assert.match(c.reason, /^xhr poll error/);
    await h.finished();
    await raw.close();
  });

  test("a malformed open packet: parse error", async () => {
    const body = '0{"sid":';
    const raw = await startRaw((sock) =>
      sock.once("data", () =>
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
      ),
    );
    const h = runHarness(`http://127.0.0.1:${raw.port}`);
    const c = await h.closed();
    assert.equal(c.reason, "parse error");
    await h.finished();
    await raw.close();
  });

  test("a huge Content-Length is refused before anything is read", async () => {
    const raw = await startRaw((sock) =>
      sock.once("data", () => sock.write("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n")),
    );
    const h = runHarness(`http://127.0.0.1:${raw.port}`);
    const c = await h.closed();
    assert.match(c.reason, /^xhr poll error: bad HTTP response/);
    await h.finished();
    await raw.close();
  });

  test("a refused WebSocket upgrade", async () => {
    const srv = await startEngine({ allowRequest: (req, cb) => cb("refused", false) });
    const h = runHarness(`ws://127.0.0.1:${srv.port}`, ["--transports", "websocket"]);
    const c = await h.closed();
    assert.match(c.reason, /^websocket error: unexpected server response: 4\d\d/);
    await h.finished();
    await srv.close();
  });
});

describe("TLS", () => {
  let dir, srv, ca;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "libsio-eioc-"));
    const ossl = (...a) => execFileSync("openssl", a, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    ossl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
      "-subj", "/CN=libsio test CA", "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign");
    ossl("req", ...ec, "-keyout", "key.pem", "-out", "srv.csr", "-subj", "/CN=localhost");
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n");
    ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
      "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf");
    ca = join(dir, "ca.pem");
    srv = await startEngine({}, {
      key: readFileSync(join(dir, "key.pem")),
      cert: readFileSync(join(dir, "cert.pem")),
    });
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [scheme, args, transport] of [
    ["https", [], "websocket"],
    ["https", ["--transports", "polling"], "polling"],
    ["wss", ["--transports", "websocket"], "websocket"],
  ]) {
    test(`${scheme} ${args.join(" ") || "with upgrade"}: verified with the CA file`, async () => {
      const h = runHarness(`${scheme}://localhost:${srv.port}`, ["--ca", ca, ...args]);
      const rec = await srv.socketFor(await h.opened());
      if (!args.length) await until(() => rec.upgraded);
      await exchange(h, rec, transport);
    });
  }

  test("without the CA file: a certificate error", async () => {
    for (const args of [[], ["--transports", "websocket"]]) {
      const h = runHarness(`https://localhost:${srv.port}`, args);
      const c = await h.closed();
      assert.equal(c.opened, false);
      assert.match(c.reason, /certificate verify failed: unable to get local issuer certificate/);
      await h.finished();
    }
  });

  test("a host name the certificate does not name", async () => {
    const h = runHarness(`https://127.0.0.1:${srv.port}`, ["--ca", ca]);
    const c = await h.closed();
    assert.match(c.reason, /certificate verify failed: .*mismatch/i);
    await h.finished();
  });

  test("a CA file that does not exist", async () => {
    const h = runHarness(`https://localhost:${srv.port}`, ["--ca", join(dir, "missing.pem")]);
    const c = await h.closed();
    assert.match(c.reason, /cannot load the CA file/);
    await h.finished();
  });

  test("verification off", async () => {
    const h = runHarness(`https://127.0.0.1:${srv.port}`, ["--insecure"]);
    const rec = await srv.socketFor(await h.opened());
    await until(() => rec.upgraded);
    await exchange(h, rec, "websocket");
  });

  test("TLS to a plain HTTP server fails cleanly", async () => {
    const plain = await startEngine();
    const h = runHarness(`https://127.0.0.1:${plain.port}`, ["--insecure"]);
    const c = await h.closed();
    assert.equal(c.opened, false);
    assert.match(c.reason, /^xhr poll error: TLS handshake failed/);
    await h.finished();
    await plain.close();
  });
});
