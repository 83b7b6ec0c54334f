// Back-pressure in libsio's server: a host that stops pumping (SIGUSR1 to
// sio_test_server; SIGUSR2 resumes) makes the server stop reading once
// "--max-queued-events" events wait, so a client trickling one event per
// millisecond stalls at TCP: the server's memory stays flat, nothing is
// lost, and once the host pumps again every event arrives, in order. A
// libsio option: the reference server has no event queue to bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startServer, underTestIsReference } from "./helpers/server.mjs";
import { connect, sleep, TRANSPORT_MODES } from "./helpers/client.mjs";

const PAYLOAD = "x".repeat(10000);
const TRICKLE_MS = 3000; // about 3,000 events, 30 MB, while the host does not pump
const MAX_QUEUED = 20;

function rss(pid) {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Number(m[1]) * 1024;
}

test("a server whose host stops pumping holds a trickling client back at TCP, then takes every event in order",
  { skip: underTestIsReference() && "maxQueuedEvents is libsio's" }, async () => {
    const server = await startServer(["--max-queued-events", String(MAX_QUEUED)]);
    let socket;
    try {
      socket = await connect(server.url, "/", TRANSPORT_MODES.websocket);
      const echoes = [];
      socket.on("echo", (i, payload) => echoes.push([i, payload]));
      // A round trip first, so the signal below finds the host idle in its pump.
      socket.emit("echo", -1, "");
      while (echoes.length === 0) await sleep(10);
      echoes.length = 0;
      process.kill(server.pid, "SIGUSR1");
      await sleep(200);

      const before = rss(server.pid);
      let sent = 0;
      const start = Date.now();
      let peak = 0;
      while (Date.now() - start < TRICKLE_MS) {
        socket.emit("echo", sent++, PAYLOAD);
        await sleep(1);
        if (sent % 500 === 0) peak = Math.max(peak, rss(server.pid) - before);
      }
      peak = Math.max(peak, rss(server.pid) - before);
      assert.ok(peak < 8e6, `the server took ${peak} bytes while ${sent} events (${sent * PAYLOAD.length} bytes) trickled in unpumped`);
      assert.equal(echoes.length, 0, "the host answered while it was not pumping");
      // What the server did not read waits on the client's side of the connection.
      assert.ok(socket.io.engine.transport.ws.bufferedAmount > 0, "the client's writes did not stall");

      process.kill(server.pid, "SIGUSR2");
      const deadline = Date.now() + 60000;
      while (echoes.length < sent && Date.now() < deadline) await sleep(50);
      assert.deepEqual(echoes.map(([i]) => i), [...Array(sent).keys()]);
      assert.ok(echoes.every(([, payload]) => payload === PAYLOAD));
      socket.close();
      await server.stop();
    } finally {
      socket?.close();
      server.kill();
    }
  });
