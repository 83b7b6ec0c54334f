// The official Node.js Socket.IO server over HTTPS, for the wheel's client
// (test_wheel.py). argv: key file, certificate file. Prints its port once it
// listens on 127.0.0.1; answers "ack" with the arguments it got.
import { createServer } from "node:https";
import { readFileSync } from "node:fs";
import { Server } from "socket.io";

const https = createServer({ key: readFileSync(process.argv[2]), cert: readFileSync(process.argv[3]) });
const io = new Server(https);
io.on("connection", (socket) => {
  socket.on("ack", (...args) => {
    const ack = args.pop();
    ack(...args);
  });
});
https.listen(0, "127.0.0.1", () => console.log(https.address().port));
