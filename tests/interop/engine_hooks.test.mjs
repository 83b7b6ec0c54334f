// The engine's hooks: allowRequest (--allow-request), the headers added to
// responses (--initial-headers, --headers) and the cookie option (--cookie),
// socket.conn's transport and "upgrade" event, and connection_error
// (--connection-errors) with engine.io's codes, messages and contexts.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { closeAll, connect, emitWithAck, TRANSPORT_MODES } from "./helpers/client.mjs";
import { eioPath, openWebSocket, parseOpen, pollingHandshake, post, request, WebSocket } from "./helpers/raw.mjs";

const WS_HEADERS = {
  connection: "Upgrade",
  upgrade: "websocket",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

// The response headers of a WebSocket's 101.
function upgradeHeaders(port, query) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${eioPath({ transport: "websocket", ...query })}`);
    ws.on("upgrade", (res) => resolve(res.headers));
    ws.on("open", () => ws.close());
    ws.on("error", reject);
  });
}

async function connectionErrors(url) {
  const socket = await connect(url);
  const [errors] = await emitWithAck(socket, "last-connection-errors");
  socket.close();
  return errors;
}

describeWithServer("allowRequest", ["--allow-request", "true", "--connection-errors", "true"], (ctx) => {
  for (const [mode, opts] of Object.entries(TRANSPORT_MODES)) {
    test(`an accepted ${mode} client connects`, async () => {
      const socket = await connect(ctx.url, "/", opts);
      assert.equal(socket.connected, true);
      socket.close();
    });
  }

  test("a refused handshake gets 403 with the host's message", async () => {
    const res = await request(ctx.port, { path: eioPath({ transport: "polling", deny: "go away" }) });
    assert.equal(res.status, 403);
    assert.match(res.headers["content-type"], /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), { code: 4, message: "go away" });
  });

  test("a refused WebSocket gets a plain 400 with the host's message", async () => {
    const res = await request(ctx.port, {
      path: eioPath({ transport: "websocket", deny: "not you" }),
      headers: WS_HEADERS,
    });
    assert.equal(res.status, 400);
    assert.equal(res.body, "not you");
  });

  test("the official client sees the refusal as a connect_error", async () => {
    await assert.rejects(connect(ctx.url, "/", { query: { deny: "no" }, transports: ["polling"] }));
  });

  test("a refusal is a connection_error with code 4 and the message in its context", async () => {
    await request(ctx.port, { path: eioPath({ transport: "polling", deny: "logged" }) });
    const errors = await connectionErrors(ctx.url);
    const mine = errors.filter((e) => e.url.includes("deny=logged"));
    assert.deepEqual(mine, [
      { code: 4, message: "Forbidden", context: { message: "logged" }, method: "GET", url: eioPath({ transport: "polling", deny: "logged" }) },
    ]);
  });

  test("headers the host accepts with go on the handshake's response only", async () => {
    const { res, sid } = await pollingHandshake(ctx.port);
    assert.equal(res.headers["x-sticky"], undefined);
    const sticky = await request(ctx.port, { path: eioPath({ transport: "polling", sticky: "node-7" }) });
    assert.equal(sticky.status, 200);
    assert.equal(sticky.headers["x-sticky"], "node-7");
    const posted = await post(ctx.port, parseOpen(sticky.body).sid, "40");
    assert.equal(posted.headers["x-sticky"], undefined);
    assert.ok(sid);
  });

  test("and on a WebSocket's 101", async () => {
    const headers = await upgradeHeaders(ctx.port, { sticky: "node-8" });
    assert.equal(headers["x-sticky"], "node-8");
  });
});

describeWithServer("headers and cookie", [
  "--cookie", "io",
  "--initial-headers", '{"X-Initial":"first"}',
  "--headers", '{"X-Every":"all"}',
], (ctx) => {
  test("the polling handshake sets the sid cookie and both kinds of headers", async () => {
    const { res, sid } = await pollingHandshake(ctx.port);
    assert.deepEqual(res.headers["set-cookie"], [`io=${sid}; Path=/; HttpOnly; SameSite=Lax`]);
    assert.equal(res.headers["x-initial"], "first");
    assert.equal(res.headers["x-every"], "all");
  });

  test("later polling responses carry the headers only", async () => {
    const { sid } = await pollingHandshake(ctx.port);
    const posted = await post(ctx.port, sid, "40");
    const polled = await request(ctx.port, { path: eioPath({ transport: "polling", sid }) });
    for (const res of [posted, polled]) {
      assert.equal(res.status, 200);
      assert.equal(res.headers["cache-control"], "no-store");
      assert.equal(res.headers["x-every"], "all");
      assert.equal(res.headers["x-initial"], undefined);
      assert.equal(res.headers["set-cookie"], undefined);
    }
  });

  test("an error response carries none of them", async () => {
    const res = await request(ctx.port, { path: eioPath({ transport: "polling", sid: "nope" }) });
    assert.equal(res.status, 400);
    assert.equal(res.headers["x-every"], undefined);
  });

  test("a WebSocket handshake gets both kinds of headers and no cookie", async () => {
    const headers = await upgradeHeaders(ctx.port, {});
    assert.equal(headers["x-initial"], "first");
    assert.equal(headers["x-every"], "all");
    assert.equal(headers["set-cookie"], undefined);
  });

  test("an upgrade's 101 gets the headers only", async () => {
    const { sid } = await pollingHandshake(ctx.port);
    const headers = await upgradeHeaders(ctx.port, { sid });
    assert.equal(headers["x-every"], "all");
    assert.equal(headers["x-initial"], undefined);
  });
});

describeWithServer("socket.conn", [], (ctx) => {
  test("the transport of a polling client, then the upgrade event and the new transport", async () => {
    const polling = await connect(ctx.url, "/", TRANSPORT_MODES.polling);
    assert.deepEqual(await emitWithAck(polling, "transport"), ["polling"]);
    const websocket = await connect(ctx.url, "/", TRANSPORT_MODES.websocket);
    assert.deepEqual(await emitWithAck(websocket, "transport"), ["websocket"]);
    const upgrading = await connect(ctx.url, "/", { ...TRANSPORT_MODES.upgrade, auth: { upgrades: true } });
    assert.deepEqual(await upgrading.events.next("upgrade"), ["websocket"]);
    assert.deepEqual(await emitWithAck(upgrading, "transport"), ["websocket"]);
    closeAll([polling, websocket, upgrading]);
  });

  test("a WebSocket-only client gets no upgrade event", async () => {
    const socket = await connect(ctx.url, "/", { ...TRANSPORT_MODES.websocket, auth: { upgrades: true } });
    assert.ok(await socket.events.none("upgrade", 300));
    socket.close();
  });
});

describeWithServer("connection_error", ["--connection-errors", "true"], (ctx) => {
  test("every refused request is reported with engine.io's code, message and context", async () => {
    const { sid } = await pollingHandshake(ctx.port);
    const ws = await openWebSocket(ctx.port);
    const wsSid = parseOpen(await ws.next()).sid;
    const cases = [
      [{ path: eioPath({ transport: "bogus" }) }, 400, 0, "Transport unknown", { transport: "bogus" }],
      [{ path: "/socket.io/?EIO=4" }, 400, 0, "Transport unknown", {}],
      [{ path: eioPath({ transport: "polling", sid: "gone" }) }, 400, 1, "Session ID unknown", { sid: "gone" }],
      [{ method: "POST", path: eioPath({ transport: "polling" }), body: "x" }, 400, 2, "Bad handshake method", { method: "POST" }],
      [{ path: eioPath({ transport: "websocket" }) }, 400, 3, "Bad request", { name: "TRANSPORT_HANDSHAKE_ERROR" }],
      [{ path: eioPath({ transport: "websocket", sid }) }, 400, 3, "Bad request",
        { name: "TRANSPORT_MISMATCH", transport: "websocket", previousTransport: "polling" }],
      [{ path: eioPath({ transport: "polling", sid: wsSid }) }, 400, 3, "Bad request",
        { name: "TRANSPORT_MISMATCH", transport: "polling", previousTransport: "websocket" }],
      [{ path: eioPath({ transport: "polling", EIO: "3" }) }, 400, 5, "Unsupported protocol version", { protocol: 3 }],
    ];
    for (const [req, status, code, message] of cases) {
      const res = await request(ctx.port, req);
      assert.equal(res.status, status, req.path);
      assert.deepEqual(JSON.parse(res.body), { code, message });
    }
    ws.close();
    const errors = await connectionErrors(ctx.url);
    assert.deepEqual(errors, cases.map(([req, , code, message, context]) =>
      ({ code, message, context, method: req.method ?? "GET", url: req.path })));
  });
});
