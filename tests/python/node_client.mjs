// Drives official socket.io-client connections for the Python tests.
// stdin: one JSON command per line; stdout: one JSON report per line.
// Binary values travel as {"$bin": "<base64>"} in both directions, because
// JSON lines cannot hold bytes.
import { createInterface } from "node:readline";
import { io } from "socket.io-client";
import msgpackParser from "socket.io-msgpack-parser";

const clients = new Map();

function report(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function toWire(value) {
  if (Buffer.isBuffer(value)) return { $bin: value.toString("base64") };
  if (value instanceof ArrayBuffer) return { $bin: Buffer.from(value).toString("base64") };
  if (ArrayBuffer.isView(value)) return { $bin: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

function fromWire(value) {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === "object") {
    if (typeof value.$bin === "string") return Buffer.from(value.$bin, "base64");
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

// How a client answers an acknowledgement the server asked for, by event
// name: "echo" (the default) sends the arguments back, "ignore" never
// answers, {"value": X} answers X.
function answerAck(acks, name, args, ack) {
  const how = acks[name] ?? "echo";
  if (how === "ignore") return;
  if (how === "echo") ack(...args);
  else ack(fromWire(how.value));
}

function connect(cmd) {
  const opts = { forceNew: true, reconnection: false, ...(cmd.opts || {}) };
  if (opts.auth) opts.auth = fromWire(opts.auth);
  if (cmd.msgpack) opts.parser = msgpackParser;
  const socket = io(cmd.url, opts);
  const acks = cmd.acks || {};
  clients.set(cmd.id, socket);
  socket.on("connect", () => report({ ev: "connect", id: cmd.id, sid: socket.id, recovered: socket.recovered }));
  socket.on("connect_error", (err) =>
    report({ ev: "connect_error", id: cmd.id, message: err.message, data: toWire(err.data ?? null) }));
  socket.on("disconnect", (reason) => report({ ev: "disconnect", id: cmd.id, reason }));
  socket.onAny((name, ...args) => {
    const last = args[args.length - 1];
    const ack = typeof last === "function" ? args.pop() : null;
    report({ ev: "event", id: cmd.id, name, args: toWire(args), withAck: ack !== null });
    if (ack) answerAck(acks, name, args, ack);
  });
}

function emit(cmd) {
  const socket = clients.get(cmd.id);
  const args = fromWire(cmd.args || []);
  if (cmd.tag === undefined) {
    socket.emit(cmd.name, ...args);
    return;
  }
  const target = cmd.timeout ? socket.timeout(cmd.timeout) : socket;
  target.emit(cmd.name, ...args, (...res) => {
    if (cmd.timeout) {
      const err = res.shift();
      report({ ev: "ack", id: cmd.id, tag: cmd.tag, error: err ? err.message : null, args: toWire(res) });
    } else {
      report({ ev: "ack", id: cmd.id, tag: cmd.tag, error: null, args: toWire(res) });
    }
  });
}

const commands = {
  connect,
  emit,
  disconnect: (cmd) => clients.get(cmd.id).disconnect(),
  // Closes the connection under the socket (a transport failure), and opens
  // it again: connection state recovery.
  drop: (cmd) => clients.get(cmd.id).io.engine.close(),
  reconnect: (cmd) => clients.get(cmd.id).connect(),
  exit: () => {
    for (const socket of clients.values()) socket.disconnect();
    process.exit(0);
  },
};

createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const cmd = JSON.parse(line);
  try {
    commands[cmd.op](cmd);
  } catch (err) {
    report({ ev: "driver_error", op: cmd.op, message: String(err) });
  }
});
process.stdin.on("end", () => process.exit(0));
report({ ev: "ready" });
