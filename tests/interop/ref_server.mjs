// The test server of examples/TEST-SERVER.md written with the official npm
// `socket.io`: the interop tests pass against it and against sio_test_server,
// which proves the tests themselves against the reference implementation.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createSecureServer } from "node:https";
import { createRequire } from "node:module";
import { Server } from "socket.io";

const OPTIONS = {
  "--port": "port",
  "--host": "host",
  "--tls-cert": "tlsCert",
  "--tls-key": "tlsKey",
  "--ping-interval": "pingInterval",
  "--ping-timeout": "pingTimeout",
  "--connect-timeout": "connectTimeout",
  "--max-http-buffer-size": "maxHttpBufferSize",
  "--per-message-deflate": "perMessageDeflate",
  "--per-message-deflate-threshold": "perMessageDeflateThreshold",
  "--http-compression": "httpCompression",
  "--http-compression-threshold": "httpCompressionThreshold",
  "--cors-origin": "corsOrigin",
  "--allow-request": "allowRequest",
  "--connection-errors": "connectionErrors",
  "--cookie": "cookie",
  "--initial-headers": "initialHeaders",
  "--headers": "headers",
  "--transports": "transports",
  "--allow-eio3": "allowEIO3",
  "--parser": "parser",
  "--serve-client": "serveClient",
  "--headers-timeout": "headersTimeout",
  "--request-timeout": "requestTimeout",
  "--recovery": "recovery",
  "--redis": "redis",
  "--subscription-mode": "subscriptionMode",
};
const NUMERIC = new Set(["port", "pingInterval", "pingTimeout", "connectTimeout", "maxHttpBufferSize", "headersTimeout", "requestTimeout", "recovery",
  "perMessageDeflateThreshold", "httpCompressionThreshold"]);

function parseArgs(argv) {
  const args = { port: 3000 };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === "--reuse-port" || argv[i] === "--redis-sharded") {
      args[argv[i] === "--reuse-port" ? "reusePort" : "redisSharded"] = true;
      i--;
      continue;
    }
    const key = OPTIONS[argv[i]];
    if (!key || i + 1 >= argv.length) {
      process.stderr.write(`usage: ref_server.mjs [${Object.keys(OPTIONS).join(" N] [")} N]\n`);
      process.exit(2);
    }
    args[key] = NUMERIC.has(key) ? Number(argv[i + 1]) : argv[i + 1];
  }
  return args;
}

function serverOptions(args) {
  const opts = { serveClient: args.serveClient !== undefined };
  for (const key of ["pingInterval", "pingTimeout", "connectTimeout", "maxHttpBufferSize"]) {
    if (args[key] !== undefined) opts[key] = args[key];
  }
  if (args.corsOrigin !== undefined) {
    const origins = args.corsOrigin.split(",");
    opts.cors = { origin: origins.length === 1 ? origins[0] : origins };
  }
  if (args.recovery !== undefined) {
    opts.connectionStateRecovery = { maxDisconnectionDuration: args.recovery };
  }
  if (args.transports !== undefined) opts.transports = args.transports.split(",");
  if (args.allowEIO3 !== undefined) opts.allowEIO3 = args.allowEIO3 === "true";
  if (args.allowRequest === "true") opts.allowRequest = allowRequest;
  if (args.cookie !== undefined) opts.cookie = { name: args.cookie };
  // The libsio server answers every permessage-deflate offer with both
  // no_context_takeover parameters; the reference is set to do the same.
  if (args.perMessageDeflate === "true") {
    opts.perMessageDeflate = { serverNoContextTakeover: true, clientNoContextTakeover: true };
    if (args.perMessageDeflateThreshold !== undefined) opts.perMessageDeflate.threshold = args.perMessageDeflateThreshold;
  }
  if (args.httpCompression === "false") opts.httpCompression = false;
  else if (args.httpCompressionThreshold !== undefined) opts.httpCompression = { threshold: args.httpCompressionThreshold };
  if (args.parser === "msgpack") {
    opts.parser = createRequire(import.meta.url)("socket.io-msgpack-parser");
  }
  if (args.redis !== undefined) opts.adapter = redisAdapter(args.redis, args.redisSharded, args.subscriptionMode);
  return opts;
}

// --redis URL: @socket.io/redis-adapter on node-redis, the default key
// "socket.io" (--redis-sharded: its createShardedAdapter, with
// --subscription-mode as subscriptionMode); Redis going away and coming
// back is written on stdout as the libsio test server writes its
// SIO_EV_ADAPTER_DOWN/UP.
function redisAdapter(url, sharded, subscriptionMode) {
  const require = createRequire(import.meta.url);
  const { createClient } = require("redis");
  const { createAdapter, createShardedAdapter } = require("@socket.io/redis-adapter");
  const pub = createClient({ url });
  const sub = pub.duplicate();
  let up = false;
  const ready = () => {
    if (!up && pub.isReady && sub.isReady) {
      up = true;
      process.stdout.write("adapter up\n");
    }
  };
  for (const client of [pub, sub]) {
    client.on("ready", ready);
    client.on("error", (err) => {
      if (up) process.stdout.write(`adapter down: ${err.message}\n`);
      up = false;
    });
    client.connect().catch(() => {});
  }
  if (sharded) {
    // The sharded adapter leaves the promises of its SSUBSCRIBE and
    // SUNSUBSCRIBE unhandled (util.js): one pending when Redis resets the
    // connection would end the process. Said on stderr instead.
    process.on("unhandledRejection", (err) => process.stderr.write(`sharded adapter: ${err?.message}\n`));
    return createShardedAdapter(pub, sub, subscriptionMode ? { subscriptionMode } : {});
  }
  return createAdapter(pub, sub);
}

// allowRequest: refused when the query has "deny" (its value is the message),
// else accepted; "sticky" in the query adds X-Sticky to the handshake's
// response (through initial_headers, as engine.io lets a host do it).
function allowRequest(req, callback) {
  const query = new URL(req.url, "http://localhost").searchParams;
  if (query.has("deny")) return callback(query.get("deny"), false);
  if (query.has("sticky")) req.sticky = query.get("sticky");
  callback(null, true);
}

// {code, message, context, method, url} of each connection_error, oldest first.
const connectionErrors = [];

function installEngineHooks(engine, args) {
  const initialHeaders = args.initialHeaders !== undefined ? JSON.parse(args.initialHeaders) : {};
  const headers = args.headers !== undefined ? JSON.parse(args.headers) : {};
  engine.on("initial_headers", (h, req) => {
    Object.assign(h, initialHeaders);
    if (req.sticky !== undefined) h["X-Sticky"] = req.sticky;
  });
  engine.on("headers", (h) => Object.assign(h, headers));
  if (args.connectionErrors === "true") {
    engine.on("connection_error", (err) => {
      // As JSON carries it (a member that is undefined is left out, also with msgpack).
      const context = JSON.parse(JSON.stringify(err.context));
      connectionErrors.push({ code: err.code, message: err.message, context, method: err.req.method, url: err.req.url });
    });
  }
}

const FLOOD_MAX_COUNT = 10000;
const FLOOD_MAX_SIZE = 10000000;

// [id, reason] pairs per namespace name, oldest first.
const disconnectsByNsp = new Map();

// Acks kept by hold-ack until release-ack names their key.
const heldAcks = new Map();

function withoutAck(args) {
  const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
  return [args, ack ?? (() => {})];
}

function sortedRooms(socket) {
  return [...socket.rooms].sort();
}

function installHandlers(io, socket) {
  const nsp = socket.nsp;
  const on = (event, handler) => socket.on(event, (...received) => handler(...withoutAck(received)));

  socket.emit("auth", socket.handshake.auth ?? {});
  if (socket.handshake.auth?.upgrades === true) {
    socket.conn.on("upgrade", (transport) => socket.emit("upgrade", transport.name));
  }
  if (socket.handshake.auth?.handshake === true) {
    const { query, headers, url, secure } = socket.handshake;
    socket.emit("handshake", { query, headers, url, secure });
  }
  socket.on("disconnect", (reason) => {
    if (!disconnectsByNsp.has(nsp.name)) disconnectsByNsp.set(nsp.name, []);
    disconnectsByNsp.get(nsp.name).push([socket.id, reason]);
  });

  on("echo", (args) => socket.emit("echo", ...args));
  on("echo-uncompressed", (args) => socket.compress(false).emit("echo", ...args));
  on("ack", (args, ack) => ack(...args));
  on("bcast", (args) => nsp.emit("bcast", ...args));
  on("message", (args) => socket.emit("message-back", ...args));
  on("message-with-ack", (args, ack) => ack(...args));
  // emit(42) is heard by on("42"): event names are property names.
  on("42", (args, ack) => ack(...args));
  on("join", ([room], ack) => {
    socket.join(room);
    ack(sortedRooms(socket));
  });
  on("leave", ([room], ack) => {
    socket.leave(room);
    ack(sortedRooms(socket));
  });
  on("to", ([rooms, event, ...args]) => nsp.to(rooms).emit(event, ...args));
  on("to-except", ([rooms, except, event, ...args]) => {
    const target = rooms === null ? nsp.except(except) : nsp.to(rooms).except(except);
    target.emit(event, ...args);
  });
  on("broadcast", ([event, ...args]) => socket.broadcast.emit(event, ...args));
  on("socket-to", ([room, event, ...args]) => socket.to(room).emit(event, ...args));
  on("of", ([name, event, ...args]) => io.of(name).emit(event, ...args));
  on("volatile", ([event, ...args]) => socket.volatile.emit(event, ...args));
  on("volatile-to", ([room, event, ...args]) => nsp.volatile.to(room).emit(event, ...args));
  on("server-ack", ([timeoutMs, event, ...args]) => {
    socket.timeout(timeoutMs).emit(event, ...args, (err, ...res) =>
      socket.emit("server-ack-result", err ? err.message : null, res));
  });
  on("server-ack-reply", ([reply, timeoutMs, event, ...args]) => {
    socket.timeout(timeoutMs).emit(event, ...args, (err, ...res) =>
      socket.emit(reply, err ? err.message : null, res));
  });
  on("hold-ack", ([key], ack) => heldAcks.set(key, ack));
  on("release-ack", ([key, ...args]) => {
    const ack = heldAcks.get(key);
    heldAcks.delete(key);
    ack?.(...args);
  });
  on("broadcast-ack", ([timeoutMs, event, ...args]) => {
    nsp.timeout(timeoutMs).emit(event, ...args, (err, responses) =>
      socket.emit("broadcast-ack-result", err ? err.message : null, responses));
  });
  on("fetch", async (_args, ack) => {
    const sockets = await nsp.fetchSockets();
    const list = sockets.map((s) => ({ id: s.id, rooms: [...s.rooms].sort() }));
    ack(list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  });
  on("fetch-data", async (_args, ack) => {
    const sockets = await nsp.fetchSockets();
    const list = sockets.map((s) => ({ id: s.id, data: s.data }));
    ack(list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  });
  on("set-data", ([value], ack) => {
    socket.data = value;
    ack();
  });
  on("server-side-emit", async (args, ack) => {
    try {
      ack({ err: null, res: await io.serverSideEmitWithAck("sse", ...args) });
    } catch (err) {
      ack({ err: err.message, res: err.responses ?? [] });
    }
  });
  on("sockets-join", ([room], ack) => {
    nsp.socketsJoin(room);
    ack();
  });
  on("sockets-leave", ([room], ack) => {
    nsp.socketsLeave(room);
    ack();
  });
  on("disconnect-room", ([room, close]) => nsp.in(room).disconnectSockets(close === true));
  on("disconnect-me", ([close]) => socket.disconnect(close === true));
  on("flood", ([count, size]) => {
    const whole = (n, max) => Number.isInteger(n) && n >= 0 && n <= max;
    if (!whole(count, FLOOD_MAX_COUNT) || !whole(size, FLOOD_MAX_SIZE)) return;
    const text = "x".repeat(size);
    for (let i = 0; i < count; i++) socket.emit("flood", i, text);
  });
  on("transport", (_args, ack) => ack(socket.conn.transport.name));
  on("last-connection-errors", (_args, ack) => ack(connectionErrors));
  on("recovered", (_args, ack) => ack(socket.recovered));
  on("last-disconnects", (_args, ack) => ack(disconnectsByNsp.get(nsp.name) ?? []));
}

function setUpNamespaces(io) {
  const handle = (socket) => installHandlers(io, socket);
  // serverSideEmit from another node: "sse" ...args, cb -> cb(args[0]).
  io.on("sse", (...args) => {
    const cb = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    cb?.(args[0]);
  });
  io.of("/").on("connection", handle);
  io.of("/custom").on("connection", handle);
  const privateNsp = io.of("/private");
  privateNsp.use((socket, next) => {
    if (socket.handshake.auth?.token === "secret") return next();
    const err = new Error("not authorized");
    err.data = { reason: "bad token" };
    next(err);
  });
  privateNsp.on("connection", handle);
  io.of(/^\/dyn-/).on("connection", handle);
}

// Disconnects every socket with a DISCONNECT packet first, so that clients see
// "io server disconnect", then closes the server and exits. A polling session
// whose client stopped polling never finishes closing, hence the grace period.
const SHUTDOWN_GRACE_MS = 500;
function shutDown(io) {
  for (const nsp of io._nsps.values()) nsp.disconnectSockets(false);
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
}

const args = parseArgs(process.argv.slice(2));
// Node checks its request timeouts every connectionsCheckingInterval (30 s by
// default): a short timeout asked for is checked as often as libsio checks.
const timeouts = {};
for (const key of ["headersTimeout", "requestTimeout"]) {
  if (args[key] !== undefined) timeouts[key] = args[key];
}
if (Object.keys(timeouts).length) timeouts.connectionsCheckingInterval = 1000;
// A TLS handshake that stalls is bounded like the request that would follow.
if (timeouts.headersTimeout) timeouts.handshakeTimeout = timeouts.headersTimeout;
const httpServer =
  args.tlsCert !== undefined
    ? createSecureServer({ cert: readFileSync(args.tlsCert), key: readFileSync(args.tlsKey), ...timeouts })
    : createServer(timeouts);
const io = new Server(httpServer, serverOptions(args));
setUpNamespaces(io);
installEngineHooks(io.engine, args);
process.on("SIGINT", () => shutDown(io));
process.on("SIGTERM", () => shutDown(io));
// reusePort needs Node 22.12; older versions ignore it.
httpServer.listen({ port: args.port, host: args.host, reusePort: args.reusePort }, () => {
  process.stdout.write(`listening on ${httpServer.address().port}\n`);
});
