// The remaining command-line options of the test server: --connect-timeout,
// --parser msgpack, --serve-client; and shutting down on SIGTERM.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe } from "node:test";
import msgpackParser from "socket.io-msgpack-parser";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { startServer } from "./helpers/server.mjs";
import { connect, emitWithAck, TRANSPORT_MODES, waitForWebSocket } from "./helpers/client.mjs";
import { eioPath, openWebSocket, parseOpen, pollingHandshake, poll, request } from "./helpers/raw.mjs";

const CONNECT_TIMEOUT = 300;
// The official server serves the client bundle it ships; the C server serves
// the folder given, so both are given that same folder.
const CLIENT_DIR = fileURLToPath(new URL("./node_modules/socket.io/client-dist/", import.meta.url));

describeWithServer("--connect-timeout", ["--connect-timeout", String(CONNECT_TIMEOUT)], (ctx) => {
  test("a WebSocket session that joins no namespace is closed after the timeout", async () => {
    const ws = await openWebSocket(ctx.port);
    parseOpen(await ws.next());
    const started = Date.now();
    await ws.closed;
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= CONNECT_TIMEOUT - 50 && elapsed < CONNECT_TIMEOUT + 1500, `closed after ${elapsed} ms`);
  });

  test("a polling session that joins no namespace is closed: the pending GET gets the close packet", async () => {
    const { sid } = await pollingHandshake(ctx.port);
    const res = await poll(ctx.port, sid);
    assert.equal(res.status, 200);
    assert.equal(res.body, "1");
    assert.equal((await poll(ctx.port, sid)).status, 400);
  });

  test("a session that joins in time stays open past the timeout", async () => {
    const socket = await connect(ctx.url, "/", TRANSPORT_MODES.websocket);
    await new Promise((resolve) => setTimeout(resolve, CONNECT_TIMEOUT * 2));
    socket.emit("echo", "still here");
    assert.deepEqual(await socket.events.next("echo"), ["still here"]);
    socket.close();
  });
});

describeWithServer("--parser msgpack", ["--parser", "msgpack"], (ctx) => {
  for (const mode of ["polling", "websocket", "upgrade"]) {
    const open = (nsp = "/", opts = {}) => connect(ctx.url, nsp, { parser: msgpackParser, ...TRANSPORT_MODES[mode], ...opts });

    test(`${mode}: auth, echo, acks and binary`, async () => {
      const socket = await open("/", { auth: { token: "t", n: [1, 2] } });
      assert.deepEqual(await socket.events.next("auth"), [{ token: "t", n: [1, 2] }]);
      socket.emit("echo", "text", 1.5, null, { nested: [true, Buffer.from([1, 2, 3])] });
      const [text, num, nil, obj] = await socket.events.next("echo");
      assert.deepEqual([text, num, nil], ["text", 1.5, null]);
      assert.equal(obj.nested[0], true);
      assert.deepEqual([...new Uint8Array(obj.nested[1])], [1, 2, 3]);
      assert.deepEqual(await emitWithAck(socket, "ack", "a", 2), ["a", 2]);
      socket.on("q", (x, ack) => ack(x * 2));
      socket.emit("server-ack", 2000, "q", 21);
      assert.deepEqual(await socket.events.next("server-ack-result"), [null, [42]]);
      socket.close();
    });

    test(`${mode}: namespaces and middleware`, async () => {
      await assert.rejects(open("/private"), (err) => err.message === "not authorized" && err.data.reason === "bad token");
      await assert.rejects(open("/unknown"), (err) => err.message === "Invalid namespace");
      const socket = await open("/dyn-mp");
      socket.emit("bcast", "mp");
      assert.deepEqual(await socket.events.next("bcast"), ["mp"]);
      socket.close();
    });
  }
});

describeWithServer("--serve-client", ["--serve-client", CLIENT_DIR], (ctx) => {
  for (const file of ["socket.io.js", "socket.io.min.js"]) {
    test(`/socket.io/${file} is served`, async () => {
      const res = await request(ctx.port, { path: `/socket.io/${file}` });
      assert.equal(res.status, 200);
      assert.match(res.headers["content-type"], /^application\/javascript/);
      assert.equal(res.body, readFileSync(CLIENT_DIR + file, "utf8"));
    });
  }

  test("Engine.IO requests are still served", async () => {
    const res = await request(ctx.port, { path: eioPath({ transport: "polling" }) });
    assert.equal(res.status, 200);
  });
});

describeWithServer("without --serve-client", [], (ctx) => {
  test("/socket.io/socket.io.js is not served", async () => {
    const res = await request(ctx.port, { path: "/socket.io/socket.io.js" });
    assert.notEqual(res.status, 200);
  });
});

describe("shutdown", () => {
  test("on SIGTERM every client sees io server disconnect and the server exits 0", async () => {
    const server = await startServer([]);
    try {
      const sockets = [
        await connect(server.url, "/", TRANSPORT_MODES.websocket),
        await connect(server.url, "/custom", TRANSPORT_MODES.polling),
        await connect(server.url, "/dyn-bye", TRANSPORT_MODES.upgrade),
      ];
      await waitForWebSocket(sockets[2]);
      const reasons = Promise.all(sockets.map((s) => s.events.next("disconnect", 10000)));
      await server.stop();
      assert.deepEqual((await reasons).map(([reason]) => reason), Array(3).fill("io server disconnect"));
    } finally {
      server.kill();
    }
  });

  test("with idle sessions open the server still exits 0 on SIGTERM", async () => {
    const server = await startServer([]);
    try {
      await pollingHandshake(server.port);
      const ws = await openWebSocket(server.port);
      await server.stop();
      await ws.closed;
    } finally {
      server.kill();
    }
  });
});
