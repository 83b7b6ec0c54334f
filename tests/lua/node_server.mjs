// The official Node.js socket.io server with the handlers test_client.lua
// uses (a subset of examples/TEST-SERVER.md), so the Lua client is checked
// against the reference implementation.
//   node node_server.mjs --port N     prints "listening on PORT"
import { createServer } from "node:http";
import { Server } from "socket.io";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 3000;

function withoutAck(args) {
  const ack = typeof args[args.length - 1] === "function" ? args.pop() : () => {};
  return [args, ack];
}

function install(socket) {
  const on = (event, handler) => socket.on(event, (...received) => handler(...withoutAck(received)));
  socket.emit("auth", socket.handshake.auth ?? {});
  on("echo", (args) => socket.emit("echo", ...args));
  on("ack", (args, ack) => ack(...args));
  on("join", ([room], ack) => {
    socket.join(room);
    ack([...socket.rooms].sort());
  });
  on("to", ([room, event, ...args]) => socket.nsp.to(room).emit(event, ...args));
  on("server-ack", ([timeoutMs, event, ...args]) => {
    socket.timeout(timeoutMs).emit(event, ...args, (err, ...res) =>
      socket.emit("server-ack-result", err ? err.message : null, res));
  });
  on("disconnect-me", ([close]) => socket.disconnect(close === true));
}

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false });
io.on("connection", install);
io.of("/custom").on("connection", install);
io.of("/private").use((socket, next) => {
  if (socket.handshake.auth?.token === "secret") return next();
  const err = new Error("not authorized");
  err.data = { reason: "bad token" };
  next(err);
}).on("connection", install);

const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
httpServer.listen(port, "127.0.0.1", () => process.stdout.write(`listening on ${httpServer.address().port}\n`));
