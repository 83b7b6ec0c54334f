// Well-behaved official socket.io-client clients that keep acknowledged emits
// in flight while the storm goes on. Every emit carries a tag of its own; the
// ack callbacks are counted per tag, and so are the ACK packets that reached
// the client's Engine.IO socket (the client ignores an ACK whose id it no
// longer waits for, so a duplicate shows only on the wire).
import { io } from "socket.io-client";

const IN_FLIGHT = 4;
const PAUSE_MS = 10;
const WAIT_MS = 15000;
const ACK_PACKET = /^3(\d+)(\[.*)$/s;

function connectClient(url, opts) {
  const socket = io(url, { forceNew: true, reconnection: false, timeout: WAIT_MS, ...opts });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

export class AckTraffic {
  constructor(url, transportsPerClient) {
    this.url = url;
    this.transportsPerClient = transportsPerClient;
    this.disconnects = [];
  }

  async connect() {
    this.sockets = await Promise.all(this.transportsPerClient.map((transports) => connectClient(this.url, { transports })));
    for (const [k, socket] of this.sockets.entries()) {
      socket.on("disconnect", (reason) => this.disconnects.push(`client ${k}: ${reason}`));
      socket.io.engine.on("packet", (packet) => {
        const m = packet.type === "message" && typeof packet.data === "string" && ACK_PACKET.exec(packet.data);
        if (m) this.count(this.onWire, JSON.parse(m[2])[0]);
      });
    }
  }

  count(map, tag) {
    map.set(tag, (map.get(tag) ?? 0) + 1);
  }

  // Starts emitting; stop() ends it.
  start() {
    this.running = true;
    this.sent = [];
    this.callbacks = new Map();
    this.onWire = new Map();
    this.wrongAnswers = [];
    this.lanes = this.sockets.flatMap((socket, k) => Array.from({ length: IN_FLIGHT }, (_, lane) => this.lane(socket, `${k}.${lane}`)));
  }

  async lane(socket, name) {
    for (let n = 0; this.running; n++) {
      const tag = `${name}.${n}`;
      this.sent.push(tag);
      await new Promise((resolve) =>
        socket.emit("ack", tag, (...answer) => {
          this.count(this.callbacks, tag);
          if (answer.length !== 1 || answer[0] !== tag) this.wrongAnswers.push(`${tag}: ${JSON.stringify(answer)}`);
          resolve();
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }

  // Stops emitting, waits for the acks still due and a moment for any
  // duplicate, and returns what every tag got.
  async stop() {
    this.running = false;
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, WAIT_MS)));
    await Promise.race([Promise.all(this.lanes), late]);
    clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const notOnce = (map) => this.sent.filter((tag) => map.get(tag) !== 1).map((tag) => `${tag} x${map.get(tag) ?? 0}`);
    const stray = [...this.onWire.keys()].filter((tag) => !this.callbacks.has(tag));
    return {
      sent: this.sent.length,
      callbacksNotOnce: notOnce(this.callbacks),
      wireNotOnce: notOnce(this.onWire),
      strayAcks: stray,
      wrongAnswers: this.wrongAnswers,
    };
  }

  close() {
    for (const socket of this.sockets ?? []) socket.close();
  }
}
