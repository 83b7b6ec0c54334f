// CORS headers with --cors-origin, and none without it.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { eioPath, pollingHandshake, request } from "./helpers/raw.mjs";

const ORIGIN = "http://app.example.test";

describeWithServer("CORS with --cors-origin", ["--cors-origin", ORIGIN], (ctx) => {
  test("a handshake from the origin gets Access-Control-Allow-Origin", async () => {
    const { res } = await pollingHandshake(ctx.port, { origin: ORIGIN });
    assert.equal(res.headers["access-control-allow-origin"], ORIGIN);
  });

  test("a preflight OPTIONS is answered 204 allowing GET and POST", async () => {
    const res = await request(ctx.port, {
      method: "OPTIONS",
      path: eioPath({ transport: "polling" }),
      headers: { origin: ORIGIN, "access-control-request-method": "POST" },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers["access-control-allow-origin"], ORIGIN);
    const methods = res.headers["access-control-allow-methods"].split(",").map((m) => m.trim());
    assert.ok(methods.includes("GET") && methods.includes("POST"), `methods: ${methods}`);
  });

  test("POST and GET of a session carry the header too", async () => {
    const { sid } = await pollingHandshake(ctx.port, { origin: ORIGIN });
    const posted = await request(ctx.port, {
      method: "POST", path: eioPath({ transport: "polling", sid }), headers: { origin: ORIGIN }, body: "40",
    });
    assert.equal(posted.body, "ok");
    assert.equal(posted.headers["access-control-allow-origin"], ORIGIN);
    const polled = await request(ctx.port, { path: eioPath({ transport: "polling", sid }), headers: { origin: ORIGIN } });
    assert.equal(polled.status, 200);
    assert.equal(polled.headers["access-control-allow-origin"], ORIGIN);
  });

  test("an error answer carries the header too", async () => {
    const res = await request(ctx.port, { path: eioPath({ transport: "polling", sid: "nope" }), headers: { origin: ORIGIN } });
    assert.equal(res.status, 400);
    assert.equal(res.headers["access-control-allow-origin"], ORIGIN);
  });
});

describeWithServer("CORS without --cors-origin", [], (ctx) => {
  test("no Access-Control-Allow-Origin header", async () => {
    const { res } = await pollingHandshake(ctx.port, { origin: ORIGIN });
    assert.equal(res.headers["access-control-allow-origin"], undefined);
  });
});
