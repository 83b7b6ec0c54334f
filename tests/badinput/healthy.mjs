// After each bad input: the server must still serve a normal client.
import assert from "node:assert/strict";
import { connect, TRANSPORT_MODES } from "../interop/helpers/client.mjs";

// opts reach the client (a server started with --parser msgpack needs its parser).
export async function assertServerHealthy(url, opts = {}) {
  const socket = await connect(url, "/", { ...TRANSPORT_MODES.upgrade, ...opts });
  try {
    socket.emit("echo", "healthy", Buffer.from([1, 2]));
    const [text, bytes] = await socket.events.next("echo");
    assert.equal(text, "healthy");
    assert.deepEqual([...new Uint8Array(bytes)], [1, 2]);
  } finally {
    socket.close();
  }
}
