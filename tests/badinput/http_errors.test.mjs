// Engine.IO request errors over raw HTTP and WebSocket: each answered with the
// official status and {"code","message"} body, and the server goes on.
import assert from "node:assert/strict";
import http from "node:http";
import { describeWithServer, test } from "../interop/helpers/suite.mjs";
import { connect, emitWithAck, sleep, withTimeout } from "../interop/helpers/client.mjs";
import { eioPath, openWebSocket, parseOpen, poll, pollingHandshake, pollingSocket, post, request, splitPayload } from "../interop/helpers/raw.mjs";
import { assertServerHealthy } from "./healthy.mjs";

const MAX = 1000;
const ERRORS = {
  0: "Transport unknown",
  1: "Session ID unknown",
  2: "Bad handshake method",
  3: "Bad request",
  5: "Unsupported protocol version",
};

function assertError(res, code) {
  assert.equal(res.status, 400, `status of ${res.body}`);
  assert.match(res.headers["content-type"], /^application\/json/);
  assert.deepEqual(JSON.parse(res.body), { code, message: ERRORS[code] });
}

describeWithServer("Engine.IO request errors", ["--max-http-buffer-size", String(MAX)], (ctx) => {
  const cases = [
    ["EIO=3", { path: "/socket.io/?EIO=3&transport=polling" }, 5],
    ["EIO=5", { path: "/socket.io/?EIO=5&transport=polling" }, 5],
    ["no EIO", { path: "/socket.io/?transport=polling" }, 5],
    ["EIO=abc", { path: "/socket.io/?EIO=abc&transport=polling" }, 5],
    ["unknown transport", { path: eioPath({ transport: "carrier-pigeon" }) }, 0],
    ["no transport", { path: "/socket.io/?EIO=4" }, 0],
    ["unknown sid on GET", { path: eioPath({ transport: "polling", sid: "no-such-sid" }) }, 1],
    ["unknown sid on POST", { method: "POST", path: eioPath({ transport: "polling", sid: "no-such-sid" }), body: "40" }, 1],
    ["POST handshake", { method: "POST", path: eioPath({ transport: "polling" }), body: "40" }, 2],
    ["PUT handshake", { method: "PUT", path: eioPath({ transport: "polling" }), body: "40" }, 2],
    ["DELETE handshake", { method: "DELETE", path: eioPath({ transport: "polling" }) }, 2],
  ];
  for (const [name, req, code] of cases) {
    test(`${name} gets 400 code ${code}`, async () => {
      assertError(await request(ctx.port, req), code);
      await assertServerHealthy(ctx.url);
    });
  }

  test("a WebSocket with an unknown sid is refused with 400", async () => {
    await assert.rejects(openWebSocket(ctx.port, { sid: "no-such-sid" }), (err) => err.status === 400);
    await assertServerHealthy(ctx.url);
  });

  test("a WebSocket with EIO=3 does not get a protocol-4 session", async () => {
    const outcome = await openWebSocket(ctx.port, { EIO: "3" }).then(
      async (ws) => {
        const first = await ws.next(1000).catch(() => null);
        ws.terminate();
        return first;
      },
      (err) => err,
    );
    if (typeof outcome === "string") assert.ok(!outcome.includes('"maxPayload"'), `got ${outcome}`);
    await assertServerHealthy(ctx.url);
  });

  test("a second concurrent GET gets 400 and closes the session", async () => {
    const { sid } = await pollingHandshake(ctx.port);
    const first = poll(ctx.port, sid);
    await sleep(100);
    const second = await poll(ctx.port, sid);
    assert.equal(second.status, 400);
    const answered = await first;
    assert.equal(answered.status, 200);
    assert.ok(splitPayload(answered.body).includes("1"), `first GET answered ${answered.body}`);
    assertError(await poll(ctx.port, sid), 1);
    await assertServerHealthy(ctx.url);
  });

  test("a POST body over maxHttpBufferSize gets 413, the session goes on", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const res = await post(ctx.port, sid, `42["echo","${"x".repeat(MAX)}"]`);
    assert.equal(res.status, 413);
    assert.equal((await post(ctx.port, sid, '42["echo","small"]')).body, "ok");
    let body = "";
    while (!body.includes('42["echo","small"]')) body = (await poll(ctx.port, sid)).body;
    await assertServerHealthy(ctx.url);
  });

  test("a POST with a lying Content-Length over the limit gets 413", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const res = await request(ctx.port, {
      method: "POST",
      path: eioPath({ transport: "polling", sid }),
      headers: { "content-length": String(MAX * 10) },
      body: "x".repeat(MAX * 10),
    });
    assert.equal(res.status, 413);
    await assertServerHealthy(ctx.url);
  });

  test("polling requests after the upgrade get 400 Bad request", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const ws = await openWebSocket(ctx.port, { sid });
    ws.send("2probe");
    assert.equal(await ws.next(), "3probe");
    ws.send("5");
    await sleep(100);
    assertError(await poll(ctx.port, sid), 3);
    assertError(await post(ctx.port, sid, '42["echo",1]'), 3);
    ws.send('42["echo","upgraded"]');
    assert.equal(await ws.next(), '42["echo","upgraded"]');
    ws.close();
    await assertServerHealthy(ctx.url);
  });

  test("a second WebSocket for an upgraded session is closed without taking over", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const ws = await openWebSocket(ctx.port, { sid });
    ws.send("2probe");
    assert.equal(await ws.next(), "3probe");
    ws.send("5");
    await sleep(100);
    const intruder = await openWebSocket(ctx.port, { sid }).catch((err) => err);
    if (!(intruder instanceof Error)) {
      intruder.send("2probe");
      await withTimeout(intruder.closed, 5000, "the second WebSocket to close");
      assert.ok(!intruder.inbox.includes("3probe"));
    }
    ws.send('42["echo","mine"]');
    assert.equal(await ws.next(), '42["echo","mine"]');
    ws.close();
    await assertServerHealthy(ctx.url);
  });

  test("an aborted long-poll closes the session with transport error", async () => {
    const { sid, id } = await pollingSocket(ctx.port);
    const controller = new AbortController();
    const pending = fetchAborted(ctx.port, sid, controller.signal);
    await sleep(100);
    controller.abort();
    await pending;
    await sleep(100);
    assertError(await poll(ctx.port, sid), 1);
    const observer = await connect(ctx.url, "/", { transports: ["websocket"] });
    const [list] = await emitWithAck(observer, "last-disconnects");
    assert.deepEqual(list.find(([seen]) => seen === id), [id, "transport error"]);
    observer.close();
    await assertServerHealthy(ctx.url);
  });

  test("the open packet still parses after all of the above", async () => {
    const { res } = await pollingHandshake(ctx.port);
    assert.equal(parseOpen(res.body).maxPayload, MAX);
  });
});

// A GET that the client aborts while the server holds it.
function fetchAborted(port, sid, signal) {
  return new Promise((resolve) => {
    const req = http.request({ host: "127.0.0.1", port, path: eioPath({ transport: "polling", sid }), agent: false, signal });
    req.on("error", resolve);
    req.on("response", (res) => res.on("close", resolve));
    req.end();
  });
}
