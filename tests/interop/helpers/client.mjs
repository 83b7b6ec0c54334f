// Socket.IO client helpers around the official socket.io-client: connecting
// with no reconnection, and an event recorder that buffers every event from the
// moment the socket is created, so no event that arrives early is lost.
import { io } from "socket.io-client";
import msgpackParser from "socket.io-msgpack-parser";

// SIO_INTEROP_PARSER=msgpack: every client of these helpers and every server
// of describeWithServer use socket.io-msgpack-parser (see suite.mjs).
export const MSGPACK = process.env.SIO_INTEROP_PARSER === "msgpack";
// Options for a client made without these helpers (a Manager, say).
export const PARSER_OPTS = MSGPACK ? { parser: msgpackParser } : {};

export const TRANSPORT_MODES = {
  polling: { transports: ["polling"] },
  websocket: { transports: ["websocket"] },
  upgrade: { transports: ["polling", "websocket"] },
};

const WAIT_TIMEOUT_MS = 5000;

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Buffers events by name; next(name) resolves to the argument array of the
// oldest unconsumed one. An ack callback the server asked for is not part of
// the array; handlers registered with socket.on() answer acks.
export class EventRecorder {
  constructor(socket) {
    this.queues = new Map();
    this.waiters = new Map();
    socket.onAny((event, ...args) => {
      if (typeof args[args.length - 1] === "function") args.pop();
      this.push(event, args);
    });
    for (const reserved of ["connect", "connect_error", "disconnect"]) {
      socket.on(reserved, (...args) => this.push(reserved, args));
    }
  }

  push(event, args) {
    const waiters = this.waiters.get(event);
    if (waiters?.length) return waiters.shift()(args);
    if (!this.queues.has(event)) this.queues.set(event, []);
    this.queues.get(event).push(args);
  }

  next(event, ms = WAIT_TIMEOUT_MS) {
    const queued = this.queues.get(event);
    if (queued?.length) return Promise.resolve(queued.shift());
    if (!this.waiters.has(event)) this.waiters.set(event, []);
    const waiters = this.waiters.get(event);
    let resolver;
    const pending = new Promise((resolve) => waiters.push((resolver = resolve)));
    return withTimeout(pending, ms, `event "${event}"`).catch((err) => {
      waiters.splice(waiters.indexOf(resolver), 1);
      throw err;
    });
  }

  // Resolves to true when no `event` arrives within ms.
  async none(event, ms) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return !this.queues.get(event)?.length;
  }

  count(event) {
    return this.queues.get(event)?.length ?? 0;
  }
}

// Creates a socket with a recorder at `socket.events`, not yet connected.
function createSocket(url, nsp = "/", opts = {}) {
  const socket = io(url + nsp, { forceNew: true, reconnection: false, timeout: WAIT_TIMEOUT_MS, autoConnect: false, ...PARSER_OPTS, ...opts });
  socket.events = new EventRecorder(socket);
  return socket;
}

// Connects and resolves once the namespace is joined; rejects with the
// connect_error (message, data) when refused.
export async function connect(url, nsp = "/", opts = {}) {
  const socket = createSocket(url, nsp, opts);
  socket.connect();
  const outcome = await withTimeout(
    new Promise((resolve) => {
      socket.once("connect", () => resolve(null));
      socket.once("connect_error", (err) => resolve(err));
    }),
    WAIT_TIMEOUT_MS,
    `connection to ${nsp}`,
  );
  if (outcome) {
    socket.close();
    throw outcome;
  }
  return socket;
}

// Emits with an acknowledgement and resolves to the ack's arguments array.
export function emitWithAck(socket, event, ...args) {
  return withTimeout(
    new Promise((resolve) => socket.emit(event, ...args, (...res) => resolve(res))),
    WAIT_TIMEOUT_MS,
    `ack of "${event}"`,
  );
}

// Resolves once the client runs on WebSocket (after an upgrade from polling).
export async function waitForWebSocket(socket) {
  const engine = socket.io.engine;
  if (engine.transport.name === "websocket") return;
  await withTimeout(new Promise((resolve) => engine.once("upgrade", resolve)), WAIT_TIMEOUT_MS, "the upgrade to WebSocket");
}

export function closeAll(sockets) {
  for (const socket of sockets) socket.close();
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
