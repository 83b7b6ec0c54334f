// libsio's Socket.IO client (client_driver) against the official socket.io
// server: behaviours found by a mutant of tests/mutation/ that no other
// suite killed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Driver, startServer, echoHandlers } from "./socketio_client_driver.mjs";

const FAST = { reconnectionDelay: 100, reconnectionDelayMax: 300, randomizationFactor: 0 };

// socket.io-client resets its back-off when a reconnection succeeds: the
// next outage counts its attempts from 1 again.
test("a successful reconnection resets the back-off: every outage starts at attempt 1", async () => {
  let connections = 0;
  const server = await startServer({}, (io) =>
    io.on("connection", (s) => {
      echoHandlers(s);
      connections++;
      s.on("drop", () => s.conn.close());
    }),
  );
  const d = new Driver();
  try {
    await d.connect(server.url, { ...FAST, transports: "websocket" });
    await d.waitFor({ type: "connect" });
    for (let outage = 1; outage <= 2; outage++) {
      await d.emit("drop", []);
      assert.equal((await d.waitFor({ type: "disconnect" })).reason, "transport close");
      assert.equal((await d.waitFor({ type: "reconnect_attempt" })).attempt, 1, `outage ${outage}`);
      assert.equal((await d.waitFor({ type: "reconnect" })).attempt, 1, `outage ${outage}`);
      await d.waitFor({ type: "connect" });
    }
    assert.equal(connections, 3);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
});
