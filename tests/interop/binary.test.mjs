// Binary attachments in both directions: Buffers nested in objects and arrays,
// several attachments per packet, in events and in acks.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, emitWithAck, TRANSPORT_MODES } from "./helpers/client.mjs";

const bytes = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

// Turns every received binary value (Buffer or ArrayBuffer) into a Buffer so
// that results compare equal to what was sent.
function normalize(value) {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

const NESTED = [
  "label",
  { file: bytes(100, 1), meta: { name: "a.bin", parts: [bytes(3, 2), "text", { deep: bytes(1, 3) }] } },
  bytes(0, 4),
  [bytes(256, 5), 42],
];

for (const [mode, transportOpts] of Object.entries(TRANSPORT_MODES)) {
  describeWithServer(`binary over ${mode}`, [], (ctx) => {
    const open = () => connect(ctx.url, "/", transportOpts);

    test("a single Buffer is echoed", async () => {
      const socket = await open();
      socket.emit("echo", bytes(10, 0));
      assert.deepEqual(normalize(await socket.events.next("echo")), [bytes(10, 0)]);
      socket.close();
    });

    test("Buffers nested in objects and arrays are echoed in place", async () => {
      const socket = await open();
      socket.emit("echo", ...NESTED);
      assert.deepEqual(normalize(await socket.events.next("echo")), NESTED);
      socket.close();
    });

    test("ten attachments in one packet", async () => {
      const socket = await open();
      const ten = Array.from({ length: 10 }, (_, i) => bytes(i + 1, i));
      socket.emit("echo", ...ten);
      assert.deepEqual(normalize(await socket.events.next("echo")), ten);
      socket.close();
    });

    test("a binary event to a client ack comes back as a binary ack", async () => {
      const socket = await open();
      assert.deepEqual(normalize(await emitWithAck(socket, "ack", ...NESTED)), NESTED);
      socket.close();
    });

    test("the client answers a server ack with binary", async () => {
      const socket = await open();
      socket.on("want-bytes", (n, ack) => ack(bytes(n, 7), { more: bytes(2, 8) }));
      socket.emit("server-ack", 2000, "want-bytes", 5);
      assert.deepEqual(normalize(await socket.events.next("server-ack-result")), [null, [bytes(5, 7), { more: bytes(2, 8) }]]);
      socket.close();
    });

    test("text and binary events interleave in order", async () => {
      const socket = await open();
      for (let i = 0; i < 40; i++) socket.emit("echo", i % 2 ? bytes(i, i) : i);
      for (let i = 0; i < 40; i++) assert.deepEqual(normalize(await socket.events.next("echo")), [i % 2 ? bytes(i, i) : i]);
      socket.close();
    });

    test("a broadcast ack collects each client's own binary answer", async () => {
      const a = await open();
      const b = await open();
      // Two attachments in a's answer, one in b's: b's placeholder must be
      // renumbered past a's in the collected result.
      a.on("give", (ack) => ack({ who: "a", parts: [bytes(8, 11), bytes(3, 12)] }));
      b.on("give", (ack) => ack({ who: "b", parts: [bytes(16, 13)] }, bytes(5, 14)));
      a.emit("broadcast-ack", 5000, "give");
      const [err, responses] = normalize(await a.events.next("broadcast-ack-result"));
      assert.equal(err, null);
      responses.sort((x, y) => x.who.localeCompare(y.who));
      assert.deepEqual(responses, [
        { who: "a", parts: [bytes(8, 11), bytes(3, 12)] },
        { who: "b", parts: [bytes(16, 13)] },
      ]);
      a.close();
      b.close();
    });

    test("a binary broadcast reaches every client", async () => {
      const a = await open();
      const b = await open();
      a.emit("bcast", { blob: bytes(64, 9) });
      for (const s of [a, b]) assert.deepEqual(normalize(await s.events.next("bcast")), [{ blob: bytes(64, 9) }]);
      a.close();
      b.close();
    });
  });
}
