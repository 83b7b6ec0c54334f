// libsio's Socket.IO client (client_driver) against a server that writes
// attachments and ack ids the way a hostile one could: the official server,
// with raw Engine.IO messages sent past its encoder. The client reads
// placeholders by the rule of its server side (core/util/json.h): one nested
// inside another is the outer one's content, and the host gets the outer one
// alone in its plain form; a num that is not a plain integer and an ack id
// past 2^53 - 1 are parse errors (socket.io-client would take them).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Driver, PARSER, startServer } from "./socketio_client_driver.mjs";

const NO_RETRY = { reconnection: false, transports: "websocket" };

// A server that sends `messages` (Engine.IO message payloads, "4" left out:
// strings as text, Buffers as binary) to each client as soon as it joins,
// and records the text messages it receives.
async function hostileServer(messages) {
  const received = [];
  const server = await startServer({}, (io) =>
    io.on("connection", (s) => {
      s.conn.on("message", (m) => typeof m === "string" && received.push(m));
      for (const m of messages) s.conn.send(m);
    }),
  );
  return { server, received };
}

// Connects a fresh driver to a server sending messages; body(d, received).
async function againstHostile(messages, body) {
  const { server, received } = await hostileServer(messages);
  const d = new Driver();
  try {
    assert.equal((await d.connect(server.url, NO_RETRY)).rc, 0);
    await d.waitFor({ type: "connect" });
    await body(d, received);
    await d.exit();
  } finally {
    d.kill();
    await server.close();
  }
}

describe("placeholders and ack ids from a hostile server", { skip: PARSER !== "json" && "raw JSON packets" }, () => {
  test("a placeholder nested in a placeholder: the host gets the outer one alone, with its attachment", async () => {
    const nested = '{"num":0,"_placeholder":true,"x":{"_placeholder":true,"num":0}}';
    await againstHostile([`51-["ev",${nested}]`, Buffer.from([7, 8])], async (d) => {
      const ev = await d.waitFor({ type: "event", name: "ev" });
      assert.deepEqual(ev.data, [{ _placeholder: true, num: 0 }]);
      assert.deepEqual(ev.bins, ["0708"]);
    });
  });

  for (const num of ["1e0", "1.0", "0.000000000000000000000000000001e30"]) {
    test(`placeholder num ${num}: parse error`, async () => {
      const event = `52-["ev",{"_placeholder":true,"num":${num}}]`;
      await againstHostile([event, Buffer.from([1]), Buffer.from([2])], async (d) => {
        assert.equal((await d.waitFor({ type: "disconnect" })).reason, "parse error");
        assert.equal(d.all({ type: "event" }).length, 0);
      });
    });
  }

  test("ack id 2^53 - 1 is answered with the same id", async () => {
    await againstHostile(['29007199254740991["ask"]'], async (d, received) => {
      const ev = await d.waitFor({ type: "event", name: "ask" });
      assert.equal(ev.ack_id, 9007199254740991);
      assert.equal((await d.run({ cmd: "ack", nsp: "/", ack_id: ev.ack_id, args: ["ok"] })).rc, 0);
      for (let i = 0; i < 50 && !received.includes('39007199254740991["ok"]'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(received.includes('39007199254740991["ok"]'), `received: ${received}`);
    });
  });

  test("ack id 2^53: parse error", async () => {
    await againstHostile(['29007199254740992["ask"]'], async (d) => {
      assert.equal((await d.waitFor({ type: "disconnect" })).reason, "parse error");
      assert.equal(d.all({ type: "event" }).length, 0);
    });
  });
});
