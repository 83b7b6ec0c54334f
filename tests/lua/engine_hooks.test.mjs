// The Lua binding's engine hooks (test_server.lua with --allow-request,
// --connection-errors, --cookie, --headers): allow_request accepting,
// refusing with a message and adding headers, connection_error handlers, the
// cookie and headers options, socket.conn.transport and its "upgrade" event.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import { HERE, connect, emitAck, next, startServer } from "./helpers.mjs";

const TEST_SERVER = join(HERE, "test_server.lua");

async function get(port, query) {
  const res = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&${query}`);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe("Lua server, engine hooks", { timeout: 60000 }, () => {
  let server;
  before(async () => {
    server = await startServer(TEST_SERVER, [
      "--allow-request", "true", "--connection-errors", "true", "--cookie", "io",
      "--headers", '{"X-Every":"all"}',
    ]);
  });
  after(() => server?.kill());

  it("allow_request refuses with the message it raised, and accepts with headers", async () => {
    const refused = await get(server.port, "transport=polling&deny=lua%20says%20no");
    assert.equal(refused.status, 403);
    assert.deepEqual(JSON.parse(refused.body), { code: 4, message: "lua says no" });
    const sticky = await get(server.port, "transport=polling&sticky=n1");
    assert.equal(sticky.status, 200);
    assert.equal(sticky.headers.get("x-sticky"), "n1");
    const sid = JSON.parse(sticky.body.slice(1)).sid;
    assert.equal(sticky.headers.get("set-cookie"), `io=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    assert.equal(sticky.headers.get("x-every"), "all");
  });

  it("connection_error handlers get code, message, context and the request", async () => {
    await get(server.port, "transport=nope");
    const socket = await connect(server.url, "/", { transports: ["websocket"] });
    const [errors] = await emitAck(socket, "last-connection-errors");
    const mine = errors.filter((e) => e.code === 0);
    assert.deepEqual(mine, [{ code: 0, message: "Transport unknown", context: { transport: "nope" },
      method: "GET", url: "/socket.io/?EIO=4&transport=nope" }]);
    socket.close();
  });

  it("socket.conn gives the transport and the upgrade event", async () => {
    const socket = await connect(server.url, "/", { auth: { upgrades: true } });
    assert.deepEqual(await next(socket, "upgrade"), ["websocket"]);
    assert.deepEqual(await emitAck(socket, "transport"), ["websocket"]);
    socket.close();
    const polling = await connect(server.url, "/", { transports: ["polling"] });
    assert.deepEqual(await emitAck(polling, "transport"), ["polling"]);
    polling.close();
  });
});
