// Disconnect reasons seen by the client and by the server (through the
// server's last-disconnects list), over polling and WebSocket.
import assert from "node:assert/strict";
import { describeWithServer, test } from "./helpers/suite.mjs";
import { connect, emitWithAck, PARSER_OPTS, TRANSPORT_MODES, withTimeout } from "./helpers/client.mjs";

const SETTLE_MS = 1500;

// Stops the client's heartbeat: pings from the server are no longer answered.
function stopPongs(socket) {
  const engine = socket.io.engine;
  const send = engine._sendPacket.bind(engine);
  engine._sendPacket = (type, ...rest) => (type === "pong" ? undefined : send(type, ...rest));
}

for (const mode of ["polling", "websocket"]) {
  describeWithServer(`disconnect reasons over ${mode}`, ["--ping-interval", "300", "--ping-timeout", "200"], (ctx) => {
    let nspCounter = 0;
    const freshNsp = () => `/dyn-disc-${mode}-${++nspCounter}`;
    const open = (nsp) => connect(ctx.url, nsp, TRANSPORT_MODES[mode]);

    // Polls the server's last-disconnects from an observer in `nsp` until the
    // socket `id` appears, and returns its reason.
    async function serverReason(observer, id) {
      const deadline = Date.now() + SETTLE_MS + 1000;
      while (Date.now() < deadline) {
        const [list] = await emitWithAck(observer, "last-disconnects");
        const entry = list.find(([seenId]) => seenId === id);
        if (entry) return entry[1];
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return undefined;
    }

    test("disconnect-me: client sees io server disconnect, server sees server namespace disconnect", async () => {
      const nsp = freshNsp();
      const [socket, observer] = [await open(nsp), await open(nsp)];
      const id = socket.id;
      socket.emit("disconnect-me", false);
      assert.equal((await socket.events.next("disconnect"))[0], "io server disconnect");
      assert.equal(await serverReason(observer, id), "server namespace disconnect");
      observer.close();
    });

    test("disconnect-me with close: the connection closes too", async () => {
      const nsp = freshNsp();
      const [socket, observer] = [await open(nsp), await open(nsp)];
      const id = socket.id;
      const engineClosed = new Promise((resolve) => socket.io.engine.once("close", resolve));
      socket.emit("disconnect-me", true);
      assert.equal((await socket.events.next("disconnect"))[0], "io server disconnect");
      await withTimeout(engineClosed, 5000, "the connection to close");
      assert.equal(await serverReason(observer, id), "server namespace disconnect");
      observer.close();
    });

    test("client disconnect: client sees io client disconnect, server sees client namespace disconnect", async () => {
      const nsp = freshNsp();
      const [socket, observer] = [await open(nsp), await open(nsp)];
      const id = socket.id;
      socket.disconnect();
      assert.equal((await socket.events.next("disconnect"))[0], "io client disconnect");
      assert.equal(await serverReason(observer, id), "client namespace disconnect");
      observer.close();
    });

    test("the client closes its Engine.IO session: client sees forced close, server sees transport close", async () => {
      const nsp = freshNsp();
      const [socket, observer] = [await open(nsp), await open(nsp)];
      const id = socket.id;
      socket.io.engine.close();
      assert.equal((await socket.events.next("disconnect"))[0], "forced close");
      assert.equal(await serverReason(observer, id), "transport close");
      observer.close();
    });

    if (mode === "websocket") {
      test("the client's TCP connection drops: server sees transport close", async () => {
        const nsp = freshNsp();
        const [socket, observer] = [await open(nsp), await open(nsp)];
        const id = socket.id;
        socket.io.engine.transport.ws.terminate();
        assert.equal((await socket.events.next("disconnect"))[0], "transport close");
        assert.equal(await serverReason(observer, id), "transport close");
        observer.close();
      });
    }

    // The official server answers a Socket.IO parse error by closing the
    // Engine.IO session itself, hence "forced close" rather than "parse error".
    test("a malformed packet: server sees forced close, client sees transport close", async () => {
      const nsp = freshNsp();
      const [socket, observer] = [await open(nsp), await open(nsp)];
      const id = socket.id;
      socket.io.engine.write("2{}");
      assert.equal((await socket.events.next("disconnect"))[0], "transport close");
      assert.equal(await serverReason(observer, id), "forced close");
      observer.close();
    });

    test("a client that stops answering pings: server sees ping timeout", async () => {
      const nsp = freshNsp();
      const [socket, observer] = [await open(nsp), await open(nsp)];
      const id = socket.id;
      stopPongs(socket);
      const [reason] = await socket.events.next("disconnect", 3000);
      assert.equal(reason, "transport close");
      assert.equal(await serverReason(observer, id), "ping timeout");
      observer.close();
    });

    test("a client whose heartbeat works stays connected over many ping intervals", async () => {
      const socket = await open(freshNsp());
      let pings = 0;
      socket.io.engine.on("ping", () => pings++);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(pings >= 3, `only ${pings} pings in 1.5 s with a 300 ms interval`);
      assert.equal(socket.connected, true);
      socket.emit("echo", "alive");
      assert.deepEqual(await socket.events.next("echo"), ["alive"]);
      socket.close();
    });

    test("disconnecting one namespace keeps the others of the same connection", async () => {
      const nsp = freshNsp();
      const observer = await open(nsp);
      const { Manager } = await import("socket.io-client");
      const manager = new Manager(ctx.url, { reconnection: false, ...PARSER_OPTS, ...TRANSPORT_MODES[mode] });
      const a = manager.socket(nsp);
      const b = manager.socket("/custom");
      await withTimeout(Promise.all([a, b].map((s) => new Promise((r) => s.once("connect", r)))), 5000, "connect");
      const aId = a.id;
      const bDisconnected = new Promise((resolve) => b.once("disconnect", resolve));
      a.disconnect();
      assert.equal(await serverReason(observer, aId), "client namespace disconnect");
      const echoed = new Promise((resolve) => b.once("echo", resolve));
      b.emit("echo", "b lives");
      assert.equal(await withTimeout(echoed, 5000, "echo on /custom"), "b lives");
      b.disconnect();
      await bDisconnected;
      observer.close();
    });
  });
}
