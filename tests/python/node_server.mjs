// The official Node.js Socket.IO server that our Python client is tested
// against. Prints "listening on PORT" once it listens (port 0 by default:
// a free one). test_client.py gives our Python server the same behaviour.
import { Server } from "socket.io";

const io = new Server(Number(process.argv[2] || 0));

function serve(socket) {
  socket.emit("auth", socket.handshake.auth);
  socket.on("echo", (...args) => socket.emit("echo", ...args));
  socket.on("ack", (...args) => {
    const ack = args.pop();
    ack(...args);
  });
  // Asks the client for an acknowledgement and reports what came back.
  socket.on("server-ask", (event, ...args) => {
    socket.timeout(2000).emit(event, ...args, (err, ...res) =>
      socket.emit("server-ask-result", err ? err.message : null, res));
  });
  socket.on("disconnect-me", () => socket.disconnect());
}

io.on("connection", serve);
io.of("/private").use((socket, next) => {
  if (socket.handshake.auth.token === "secret") return next();
  const err = new Error("not authorized");
  err.data = { reason: "bad token" };
  next(err);
});
io.of("/private").on("connection", serve);

io.httpServer.on("listening", () => {
  process.stdout.write(`listening on ${io.httpServer.address().port}\n`);
});
process.on("SIGTERM", () => io.close(() => process.exit(0)));
