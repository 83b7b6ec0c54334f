// Back-pressure in libsio's client: a host that stops pumping makes the
// client stop reading from the server (the "maxQueuedEvents" option), so its
// memory stays bounded while the server floods or trickles; once the host
// pumps again, every event arrives, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Driver, startServer, sleep } from "./socketio_client_driver.mjs";

const COUNT = 2000;
const WAVE = 100;
const PAYLOAD = "x".repeat(10000); // 20 MB in all, 1 MB a wave

// The driver's resident memory in bytes.
function rss(d) {
  const m = readFileSync(`/proc/${d.proc.pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Number(m[1]) * 1024;
}

// Connects with "maxQueuedEvents" 20, then the host stops pumping.
async function connectUnpumped(d, url, transports) {
  assert.equal((await d.connect(url, { transports, maxQueuedEvents: 20 })).rc, 0);
  await d.waitFor({ type: "connect" });
  await d.run({ cmd: "pump", on: false });
}

// The host pumps again: events "n" 0..count-1 arrive, in order, whole, and
// the connection held.
async function pumpAndExpect(d, count) {
  await d.run({ cmd: "pump", on: true });
  await d.waitFor((e) => e.type === "event" && e.data[0] === count - 1, 30000);
  const got = d.all({ type: "event", name: "n" });
  assert.deepEqual(got.map((e) => e.data[0]), [...Array(count).keys()]);
  assert.ok(got.every((e) => e.data[1] === PAYLOAD));
  assert.equal(d.all({ type: "disconnect" }).length, 0);
  await d.exit();
}

for (const transports of ["websocket", "polling"]) {
  test(`${transports}: a host that stops pumping holds the server back, then gets every event in order`, async () => {
    const server = await startServer({ maxHttpBufferSize: 1e8 }, (io) =>
      io.on("connection", (s) =>
        // In waves, so that over polling each response carries one wave:
        // the client may take the response in flight, never the rest.
        s.on("flood", async () => {
          for (let i = 0; i < COUNT; i++) {
            s.emit("n", i, PAYLOAD);
            if (i % WAVE === WAVE - 1) await sleep(20);
          }
        }),
      ),
    );
    const d = new Driver();
    try {
      await connectUnpumped(d, server.url, transports);
      const before = rss(d);
      await d.emit("flood");
      await sleep(2000);
      const grown = rss(d) - before;
      assert.ok(grown < 8e6, `the client took ${grown} bytes while its host was not pumping`);
      assert.equal(d.all({ type: "event" }).length, 0);

      await pumpAndExpect(d, COUNT);
    } finally {
      d.kill();
      await server.close();
    }
  });
}

const TRICKLE = 2500; // one a millisecond, 25 MB in all

for (const transports of ["websocket", "polling"]) {
  test(`${transports}: a server trickling to a host that does not pump stalls at TCP, and nothing is lost`, async () => {
    let trickled;
    const stalled = [];
    const server = await startServer({ maxHttpBufferSize: 1e8 }, (io) =>
      io.on("connection", (s) =>
        s.on("trickle", () => {
          trickled = (async () => {
            for (let i = 0; i < TRICKLE; i++) {
              s.emit("n", i, PAYLOAD);
              await sleep(1);
            }
            // What the client did not read waits in the server.
            stalled.push(s.conn.writeBuffer.length + (s.conn.transport.socket?.bufferedAmount ?? 0));
          })();
        }),
      ),
    );
    const d = new Driver();
    try {
      await connectUnpumped(d, server.url, transports);
      const before = rss(d);
      let peak = 0;
      await d.emit("trickle");
      while (!stalled.length) {
        peak = Math.max(peak, rss(d) - before);
        await sleep(100);
      }
      await trickled;
      peak = Math.max(peak, rss(d) - before);
      assert.ok(peak < 8e6, `the client took ${peak} bytes while its host was not pumping`);
      assert.ok(stalled[0] > 0, "the server's writes did not stall");
      assert.equal(d.all({ type: "event" }).length, 0);

      await pumpAndExpect(d, TRICKLE);
    } finally {
      d.kill();
      await server.close();
    }
  });
}
