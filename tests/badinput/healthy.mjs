// After each bad input: the server must still serve a normal client.
import assert from "node:assert/strict";
import { connect, TRANSPORT_MODES } from "../interop/helpers/client.mjs";

export async function assertServerHealthy(url) {
  const socket = await connect(url, "/", TRANSPORT_MODES.upgrade);
  try {
    socket.emit("echo", "healthy", Buffer.from([1, 2]));
    const [text, bytes] = await socket.events.next("echo");
    assert.equal(text, "healthy");
    assert.deepEqual([...new Uint8Array(bytes)], [1, 2]);
  } finally {
    socket.close();
  }
}
