// The Lua binding's server (test_server.lua, the server of
// examples/TEST-SERVER.md in Lua) against the official Node.js
// socket.io-client, over WebSocket and over HTTP long-polling.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import http from "node:http";
import { join } from "node:path";
import { HERE, connect, emitAck, next, refusal, startServer, withTimeout } from "./helpers.mjs";

const TEST_SERVER = join(HERE, "test_server.lua");
const JSON_VALUES = ["text", "", "ünïcødé ✓", 0, -1.5, 1e21, true, false, null, [1, [2, [3]]], { a: { b: [null, "x"] } }];

const MODES = { websocket: { transports: ["websocket"] }, polling: { transports: ["polling"] } };

for (const [mode, transport] of Object.entries(MODES)) {
  describe(`Lua server, ${mode}`, { timeout: 60000 }, () => {
    let server;
    const open = (nsp = "/", opts = {}) => connect(server.url, nsp, { ...transport, ...opts });

    before(async () => {
      server = await startServer(TEST_SERVER);
    });
    after(() => server?.kill());

    it("echoes every JSON type", async () => {
      const socket = await open();
      socket.emit("echo", ...JSON_VALUES);
      assert.deepEqual(await next(socket, "echo"), JSON_VALUES);
      socket.close();
    });

    it("keeps text and binary apart in both directions", async () => {
      const socket = await open();
      const bytes = Buffer.from([0, 1, 2, 255]);
      socket.emit("echo", "text", bytes, { nested: [Buffer.from("b")] });
      const [text, binary, nested] = await next(socket, "echo");
      assert.equal(text, "text");
      assert.ok(Buffer.isBuffer(binary) && binary.equals(bytes));
      assert.ok(Buffer.from(nested.nested[0]).equals(Buffer.from("b")));
      socket.close();
    });

    it("answers acknowledgements with the handler's extra argument", async () => {
      const socket = await open();
      assert.deepEqual(await emitAck(socket, "ack", 1, "two", { three: 3 }), [1, "two", { three: 3 }]);
      assert.deepEqual(await emitAck(socket, "ack"), []);
      socket.close();
    });

    it("sends the auth payload on connection", async () => {
      const socket = await open("/", { auth: { user: "lua" } });
      assert.deepEqual(await next(socket, "auth"), [{ user: "lua" }]);
      socket.close();
    });

    it("joins and leaves rooms, and emits to a room", async () => {
      const a = await open();
      const b = await open();
      assert.deepEqual(await emitAck(a, "join", "r1"), [[a.id, "r1"].sort()]);
      const got = next(a, "in-room");
      let leaked = false;
      b.once("in-room", () => (leaked = true));
      b.emit("to", "r1", "in-room", "hi");
      assert.deepEqual(await got, ["hi"]);
      assert.deepEqual(await emitAck(a, "leave", "r1"), [[a.id]]);
      assert.equal(leaked, false);
      a.close();
      b.close();
    });

    it("broadcasts to everyone, or to everyone but the sender", async () => {
      const a = await open();
      const b = await open();
      const bothGet = [next(a, "bcast"), next(b, "bcast")];
      a.emit("bcast", 7);
      assert.deepEqual(await Promise.all(bothGet), [[7], [7]]);
      let senderGot = false;
      a.once("news", () => (senderGot = true));
      const bGets = next(b, "news");
      a.emit("broadcast", "news", "x");
      assert.deepEqual(await bGets, ["x"]);
      await emitAck(a, "ack");
      assert.equal(senderGot, false);
      a.close();
      b.close();
    });

    it("to(rooms):except(rooms)", async () => {
      const a = await open();
      const b = await open();
      await emitAck(a, "join", "all");
      await emitAck(b, "join", "all");
      await emitAck(b, "join", "quiet");
      let quietGot = false;
      b.once("ping-all", () => (quietGot = true));
      const aGets = next(a, "ping-all");
      a.emit("to-except", "all", "quiet", "ping-all", 1);
      assert.deepEqual(await aGets, [1]);
      await emitAck(b, "ack");
      assert.equal(quietGot, false);
      a.close();
      b.close();
    });

    it("refuses in middleware with a message and data", async () => {
      const err = await refusal(server.url, "/private", transport);
      assert.equal(err.message, "not authorized");
      assert.deepEqual(err.data, { reason: "bad token" });
      const socket = await open("/private", { auth: { token: "secret" } });
      assert.deepEqual(await next(socket, "auth"), [{ token: "secret" }]);
      socket.close();
    });

    it("accepts dynamic namespaces and refuses unknown ones", async () => {
      const socket = await open("/dyn-lua");
      assert.deepEqual(await emitAck(socket, "ack", "dyn"), ["dyn"]);
      socket.close();
      const err = await refusal(server.url, "/nowhere", transport);
      assert.equal(err.message, "Invalid namespace");
    });

    it("gets the client's acknowledgement with socket:timeout(ms):emit", async () => {
      const socket = await open();
      socket.on("question", (x, ack) => ack(x * 2, "ok"));
      socket.emit("server-ack", 2000, "question", 21);
      assert.deepEqual(await next(socket, "server-ack-result"), [null, [42, "ok"]]);
      socket.close();
    });

    it("reports a timeout when the client does not acknowledge", async () => {
      const socket = await open();
      socket.on("silent", () => {});
      socket.emit("server-ack", 200, "silent");
      const [err] = await next(socket, "server-ack-result");
      assert.equal(err, "operation has timed out");
      socket.close();
    });

    it("collects a broadcast's acknowledgements", async () => {
      const a = await open("/custom");
      const b = await open("/custom");
      a.on("vote", (ack) => ack("a"));
      b.on("vote", (ack) => ack("b"));
      a.emit("broadcast-ack", 2000, "vote");
      const [err, responses] = await next(a, "broadcast-ack-result");
      assert.equal(err, null);
      assert.deepEqual(responses.sort(), ["a", "b"]);
      a.close();
      b.close();
    });

    it("fetch_sockets and sockets_join", async () => {
      const a = await open("/custom");
      const b = await open("/custom");
      await emitAck(a, "sockets-join", "everyone");
      const [list] = await emitAck(a, "fetch");
      const expected = [a.id, b.id].sort().map((id) => ({ id, rooms: [id, "everyone"].sort() }));
      assert.deepEqual(list, expected);
      a.close();
      b.close();
    });

    it("reports disconnect reasons on both sides", async () => {
      const a = await open("/custom");
      const aId = a.id;
      const reason = next(a, "disconnect");
      a.emit("disconnect-me", false);
      assert.equal((await reason)[0], "io server disconnect");
      const b = await open("/custom");
      const bId = b.id;
      b.close();
      const watcher = await open("/custom");
      let disconnects = [];
      for (let i = 0; i < 50; i++) {
        [disconnects] = await emitAck(watcher, "last-disconnects");
        if (disconnects.some(([id]) => id === bId)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const byId = new Map(disconnects);
      assert.equal(byId.get(aId), "server namespace disconnect");
      assert.equal(byId.get(bId), "client namespace disconnect");
      watcher.close();
    });

    it("disconnects a room's sockets", async () => {
      const a = await open();
      await emitAck(a, "join", "doomed");
      const reason = next(a, "disconnect");
      a.emit("disconnect-room", "doomed", false);
      assert.equal((await reason)[0], "io server disconnect");
    });

    it("exits 0 on SIGTERM", async () => {
      const result = await server.stop();
      assert.deepEqual(result, { code: 0, signal: null });
    });
  });
}

// allow_eio3 reaches the core: an Engine.IO v3 handshake is served (a v3
// payload, then "/" joined without a CONNECT), or refused with error 5.
function get(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    }).on("error", reject);
  });
}

describe("Lua server, allow_eio3", { timeout: 60000 }, () => {
  for (const allowed of [true, false]) {
    it(allowed ? "serves a v3 client" : "refuses a v3 client by default", async () => {
      const server = await startServer(TEST_SERVER, allowed ? ["--allow-eio3", "true"] : []);
      try {
        const hs = await get(server.port, "/socket.io/?EIO=3&transport=polling&b64=1");
        if (!allowed) {
          assert.equal(hs.status, 400);
          assert.deepEqual(JSON.parse(hs.body), { code: 5, message: "Unsupported protocol version" });
          return;
        }
        const match = /^(\d+):(0\{.*\})$/.exec(hs.body);
        assert.ok(match && Number(match[1]) === match[2].length, hs.body);
        const { sid } = JSON.parse(match[2].slice(1));
        const joined = await get(server.port, `/socket.io/?EIO=3&transport=polling&sid=${sid}`);
        assert.ok(joined.body.startsWith("2:40"), joined.body);
      } finally {
        assert.deepEqual(await server.stop(), { code: 0, signal: null });
      }
    });
  }
});

describe("Lua server with connection_state_recovery", { timeout: 60000 }, () => {
  let server;
  before(async () => {
    server = await startServer(TEST_SERVER, ["--recovery", "5000"]);
  });
  after(() => server?.kill());

  it("restores a dropped client's id, rooms and missed room emits", async () => {
    const socket = await connect(server.url, "/", MODES.websocket);
    const observer = await connect(server.url, "/", MODES.websocket);
    const [auth, offset] = await next(socket, "auth");
    assert.deepEqual(auth, {});
    assert.equal(typeof offset, "string");
    const id = socket.id;
    assert.deepEqual((await emitAck(socket, "join", "r"))[0], [id, "r"].sort());
    socket.io.engine.close();
    for (let i = 0; ; i++) {
      const [list] = await emitAck(observer, "last-disconnects");
      if (list.some(([seen, reason]) => seen === id && reason === "transport close")) break;
      assert.ok(i < 100, "the server saw the transport close");
      await new Promise((r) => setTimeout(r, 20));
    }
    observer.emit("to", "r", "missed", 1);
    // An answer after it: the server has made that emit.
    await emitAck(observer, "recovered");
    const back = new Promise((resolve) => socket.once("connect", resolve));
    socket.connect();
    await withTimeout(back, 5000, "reconnection");
    assert.equal(socket.recovered, true);
    assert.equal(socket.id, id);
    assert.equal((await next(socket, "missed"))[0], 1);
    assert.deepEqual(await emitAck(socket, "recovered"), [true]);
    assert.deepEqual(await emitAck(observer, "recovered"), [false]);
    socket.close();
    observer.close();
  });
});

// Compression options as Lua tables ({ threshold = bytes } turns
// permessage-deflate on, as engine.io's perMessageDeflate object does) and
// socket:compress(false).
describe("Lua server, compression", { timeout: 60000 }, () => {
  let server;
  const BIG = "x".repeat(2000);
  before(async () => {
    server = await startServer(TEST_SERVER, ["--per-message-deflate-threshold", "23", "--http-compression-threshold", "23"]);
  });
  after(() => server?.kill());

  it("negotiates permessage-deflate with the official client", async () => {
    const socket = await connect(server.url, "/", { transports: ["websocket"] });
    assert.ok(socket.io.engine.transport.ws._extensions["permessage-deflate"]);
    socket.emit("echo", BIG);
    assert.deepEqual(await next(socket, "echo"), [BIG]);
    socket.close();
  });

  // A polling body of one packet is that packet: 42["echo","0123456789"] is
  // 23 bytes, the threshold.
  it("gzips polling responses from the threshold on, except after compress(false)", async () => {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const sid = JSON.parse(open.slice(1)).sid;
    const url = `${base}&sid=${sid}`;
    const exchange = async (packet) => {
      await fetch(url, { method: "POST", body: packet });
      const raw = await fetch(url, { headers: { "accept-encoding": "gzip" } });
      return { encoding: raw.headers.get("content-encoding"), body: await raw.text() };
    };
    await fetch(url, { method: "POST", body: "40" });
    while (!(await (await fetch(url)).text()).includes('42["auth"'));
    const compressed = await exchange('42["echo","0123456789"]');
    assert.equal(compressed.encoding, "gzip");
    assert.equal(compressed.body, '42["echo","0123456789"]');
    const plain = await exchange('42["echo-uncompressed","0123456789"]');
    assert.equal(plain.encoding, null);
    assert.equal(plain.body, '42["echo","0123456789"]');
  });

  it("exits 0 on SIGTERM", async () => {
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  });
});
