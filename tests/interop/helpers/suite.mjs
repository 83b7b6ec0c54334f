// A test suite with its own server: started before the first test, stopped by
// the last test (which fails on a non-zero exit or a sanitizer report), and
// killed after the suite whatever happened.
import { after, before, describe, it } from "node:test";
import { MSGPACK } from "./client.mjs";
import { startServer } from "./server.mjs";

const SUITE_TIMEOUT_MS = 120000;
export const TEST_TIMEOUT_MS = 20000;

export function describeWithServer(name, serverArgs, body) {
  describe(name, { timeout: SUITE_TIMEOUT_MS }, () => {
    const ctx = {};
    before(async () => {
      ctx.server = await startServer(MSGPACK ? [...serverArgs, "--parser", "msgpack"] : serverArgs);
      ctx.port = ctx.server.port;
      ctx.url = ctx.server.url;
    });
    after(() => ctx.server?.kill());
    body(ctx);
    it("the server exits 0 on SIGTERM with no sanitizer report", { timeout: TEST_TIMEOUT_MS }, () => ctx.server.stop());
  });
}

// it() with the default per-test timeout.
export function test(name, fn) {
  it(name, { timeout: TEST_TIMEOUT_MS }, fn);
}
