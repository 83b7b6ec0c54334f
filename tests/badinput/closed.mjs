// After a bad input over polling: the session must be gone.
import assert from "node:assert/strict";
import { poll, splitPayload } from "../interop/helpers/raw.mjs";

// The session is closed when a GET answers a close packet or 400.
export async function assertPollingClosed(port, sid) {
  for (let i = 0; i < 3; i++) {
    const res = await poll(port, sid);
    if (res.status === 400) return;
    if (splitPayload(res.body).includes("1")) return;
  }
  assert.fail("the polling session stayed open");
}
