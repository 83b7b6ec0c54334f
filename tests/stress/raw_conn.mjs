// One TCP connection that speaks just enough HTTP/1.1 and WebSocket by hand to
// stop anywhere in the middle: after part of a request, between the upgrade
// request and its answer, after a probe. Every read waits on what the server
// sent so far; a wait that runs out throws, since a server under a storm
// must still answer the connections that behave.
import crypto from "node:crypto";
import net from "node:net";

const WAIT_MS = 10000;
const HEADER_END = "\r\n\r\n";

export class RawConn {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.buf = Buffer.alloc(0);
    this.closed = false;
    this.wake = null;
  }

  connect() {
    return new Promise((resolve, reject) => {
      this.sock = net.connect({ host: this.host, port: this.port }, resolve);
      this.sock.once("error", reject);
      this.sock.on("error", () => {});
      this.sock.on("data", (chunk) => {
        this.buf = Buffer.concat([this.buf, chunk]);
        this.wake?.();
      });
      this.sock.on("close", () => {
        this.closed = true;
        this.wake?.();
      });
    });
  }

  // Resolves to take(buf) once it returns something other than undefined.
  async read(take, what) {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      if (this.closed) throw new Error(`connection closed waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  get localPort() {
    return this.sock.localPort;
  }

  write(data) {
    this.sock.write(data);
  }

  request(method, path, { headers = {}, body = "" } = {}) {
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${this.host}:${this.port}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (method === "POST") lines.push("Content-Type: text/plain;charset=UTF-8", `Content-Length: ${Buffer.byteLength(body)}`);
    return lines.join("\r\n") + HEADER_END + body;
  }

  // The next HTTP response on this connection: {status, body}.
  response() {
    return this.read(() => {
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) return undefined;
      const head = this.buf.subarray(0, end).toString();
      const status = Number(head.split(" ")[1]);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      const start = end + HEADER_END.length;
      if (this.buf.length < start + length) return undefined;
      const body = this.buf.subarray(start, start + length).toString();
      this.buf = this.buf.subarray(start + length);
      return { status, body };
    }, "an HTTP response");
  }

  async expect(status, what) {
    const res = await this.response();
    if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${res.body}`);
    return res.body;
  }

  upgradeRequest(path) {
    return this.request("GET", path, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": crypto.randomBytes(16).toString("base64"),
      },
    });
  }

  // The next text frame from the server (frames from a server are unmasked).
  frame() {
    return this.read(() => {
      const b = this.buf;
      if (b.length < 2) return undefined;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return undefined;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return undefined;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b.length < off + len) return undefined;
      const text = b.subarray(off, off + len).toString();
      this.buf = b.subarray(off + len);
      return text;
    }, "a WebSocket frame");
  }

  // A text frame until one that is not an Engine.IO ping, answering pings.
  async message() {
    for (;;) {
      const text = await this.frame();
      if (text !== "2") return text;
      this.sendFrame("3");
    }
  }

  sendFrame(text) {
    const payload = Buffer.from(text);
    const mask = crypto.randomBytes(4);
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i & 3]));
    this.sock.write(Buffer.concat([head, mask, masked]));
  }

  // Drops the connection with a TCP RST (SO_LINGER 0).
  reset() {
    if (!this.sock.destroyed) this.sock.resetAndDestroy();
  }

  // Drops the connection with a FIN.
  end() {
    this.sock.end();
  }

  // Half-open from this side: neither reads nor writes, nor closes.
  freeze() {
    this.sock.pause();
  }
}
