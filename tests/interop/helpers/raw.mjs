// Raw Engine.IO access below socket.io-client: plain HTTP requests for the
// polling transport, `ws` WebSockets, and raw TCP sockets.
import http from "node:http";
import net from "node:net";
import WebSocket from "ws";
import { withTimeout } from "./client.mjs";

export { WebSocket };

export const RECORD_SEPARATOR = "\x1e";
const REQUEST_TIMEOUT_MS = 5000;

// One HTTP request on its own connection; resolves to {status, headers, body}.
export function request(port, { method = "GET", path = "/", headers = {}, body } = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    }),
    REQUEST_TIMEOUT_MS,
    `${method} ${path}`,
  );
}

export function eioPath(query) {
  return `/socket.io/?${new URLSearchParams({ EIO: "4", ...query })}`;
}

export function splitPayload(body) {
  return body.split(RECORD_SEPARATOR);
}

export function parseOpen(packet) {
  if (packet[0] !== "0") throw new Error(`not an open packet: ${packet}`);
  return JSON.parse(packet.slice(1));
}

// A polling session: handshake, then GET/POST with its sid.
export async function pollingHandshake(port, headers = {}) {
  const res = await request(port, { path: eioPath({ transport: "polling" }), headers });
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${res.body}`);
  const open = parseOpen(res.body);
  return { open, sid: open.sid, res };
}

export function poll(port, sid) {
  return request(port, { path: eioPath({ transport: "polling", sid }) });
}

export function post(port, sid, body, headers = {}) {
  return request(port, {
    method: "POST",
    path: eioPath({ transport: "polling", sid }),
    headers: { "content-type": "text/plain;charset=UTF-8", ...headers },
    body,
  });
}

// A polling session joined to the main namespace; resolves to its sid and
// Socket.IO id once the CONNECT reply and the test server's `auth` event
// arrived, with any other packet read meanwhile in `extra`.
export async function pollingSocket(port) {
  const { sid } = await pollingHandshake(port);
  const posted = await post(port, sid, "40");
  if (posted.body !== "ok") throw new Error(`POST 40 answered ${posted.status} ${posted.body}`);
  const packets = [];
  while (!packets.some((p) => p.startsWith('42["auth"'))) {
    const reply = await poll(port, sid);
    if (reply.status !== 200) throw new Error(`GET answered ${reply.status} ${reply.body}`);
    packets.push(...splitPayload(reply.body));
  }
  const connect = packets.find((p) => p.startsWith("40"));
  if (!connect) throw new Error(`no CONNECT reply: ${packets}`);
  const extra = packets.filter((p) => !p.startsWith("40") && !p.startsWith('42["auth"'));
  return { sid, id: JSON.parse(connect.slice(2)).sid, extra };
}

// A raw WebSocket that records every message and its close; `next()` resolves
// to the oldest unread message as a string (binary as a Buffer).
export async function openWebSocket(port, query = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${eioPath({ transport: "websocket", ...query })}`);
  const inbox = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    const message = isBinary ? data : data.toString();
    if (waiters.length) waiters.shift()(message);
    else inbox.push(message);
  });
  ws.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on("error", () => {});
  ws.next = (ms = REQUEST_TIMEOUT_MS) =>
    inbox.length ? Promise.resolve(inbox.shift()) : withTimeout(new Promise((resolve) => waiters.push(resolve)), ms, "a WebSocket message");
  ws.inbox = inbox;
  await withTimeout(
    new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once("error", reject);
    }),
    REQUEST_TIMEOUT_MS,
    "the WebSocket to open",
  );
  return ws;
}

// The next WebSocket message that is not a ping; pings are answered.
export async function nextAnsweringPings(ws) {
  for (;;) {
    const message = await ws.next();
    if (message !== "2") return message;
    ws.send("3");
  }
}

// A WebSocket session joined to a namespace: reads the open packet (noting
// its time in `openedAt`, when the heartbeat starts), sends CONNECT and waits
// for its reply and for the test server's `auth` event.
export async function websocketSocket(port, nsp = "") {
  const prefix = nsp ? nsp + "," : "";
  const ws = await openWebSocket(port);
  ws.open = parseOpen(await ws.next());
  ws.openedAt = Date.now();
  ws.send(`40${prefix}`);
  const reply = await ws.next();
  if (!reply.startsWith(`40${prefix}`)) throw new Error(`no CONNECT reply: ${reply}`);
  ws.id = JSON.parse(reply.slice(reply.indexOf("{"))).sid;
  const auth = await ws.next();
  if (!auth.startsWith(`42${prefix}["auth"`)) throw new Error(`no auth event: ${auth}`);
  return ws;
}

// A raw TCP connection; resolves to {socket, received(), closed}.
export async function tcpConnect(port) {
  const socket = net.connect(port, "127.0.0.1");
  let data = "";
  socket.on("data", (chunk) => (data += chunk.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise((resolve) => socket.on("close", () => resolve(data)));
  await withTimeout(new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  }), REQUEST_TIMEOUT_MS, "a TCP connection");
  return { socket, received: () => data, closed };
}
