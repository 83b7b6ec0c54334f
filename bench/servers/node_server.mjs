// The official Node.js Socket.IO server (npm socket.io 4.8.x) with the test
// server's command line and the handlers the benchmarks use (echo, ack,
// bcast, message, message-with-ack), as in examples/TEST-SERVER.md.
//   node node_server.mjs [--port N] [--ping-interval MS] [--ping-timeout MS]
//                        [--max-http-buffer-size BYTES] [--transports polling,websocket]
//                        [--parser json|msgpack] [--per-message-deflate true|false]
import { createServer } from "node:http";
import { createRequire } from "node:module";

// socket.io is installed under bench/node/, next to this file's directory.
const require = createRequire(new URL("../node/package.json", import.meta.url));
const { Server } = require("socket.io");

function parseArgs(argv) {
  const opts = {
    port: 3000,
    pingInterval: 25000,
    pingTimeout: 20000,
    maxHttpBufferSize: 1e6,
    transports: ["polling", "websocket"],
    parser: "json",
    perMessageDeflate: false,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case "--port": opts.port = Number(value); break;
      case "--ping-interval": opts.pingInterval = Number(value); break;
      case "--ping-timeout": opts.pingTimeout = Number(value); break;
      case "--max-http-buffer-size": opts.maxHttpBufferSize = Number(value); break;
      case "--transports": opts.transports = value.split(","); break;
      case "--parser": opts.parser = value; break;
      case "--per-message-deflate": opts.perMessageDeflate = value === "true"; break;
      default:
        console.error(`unknown option ${argv[i]}`);
        process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const httpServer = createServer();
const io = new Server(httpServer, {
  serveClient: false,
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  maxHttpBufferSize: opts.maxHttpBufferSize,
  transports: opts.transports,
  ...(opts.parser === "msgpack" ? { parser: require("socket.io-msgpack-parser") } : {}),
  // As libsio answers every offer: no context kept between messages.
  ...(opts.perMessageDeflate
    ? { perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true } }
    : {}),
});

io.on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth ?? {});
  socket.on("echo", (...args) => socket.emit("echo", ...args));
  socket.on("message", (...args) => socket.emit("message-back", ...args));
  // An ack handler gets the callback last; without one the event is plain.
  const ackHandler = (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
  };
  socket.on("ack", ackHandler);
  socket.on("message-with-ack", ackHandler);
  socket.on("bcast", (...args) => io.of("/").emit("bcast", ...args));
});

httpServer.listen(opts.port, "127.0.0.1", () => {
  process.stdout.write(`listening on ${httpServer.address().port}\n`);
});

function shutdown() {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
