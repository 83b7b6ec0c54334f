// What one HTTP request may carry and how long it may take, as Node's http
// server (under socket.io) bounds it: 16 KiB of URL and headers
// (maxHeaderSize: 431 and close), 1000 headers (maxHeadersCount: the rest
// dropped), headersTimeout and requestTimeout (408 and close). Requests
// near those bounds are handled in time linear in their size, so other
// clients go on meanwhile; what the host sees of a handshake is valid UTF-8.
import assert from "node:assert/strict";
import { describeWithServer, test } from "../interop/helpers/suite.mjs";
import { connect, emitWithAck, sleep, TRANSPORT_MODES, withTimeout } from "../interop/helpers/client.mjs";
import { underTestIsReference } from "../interop/helpers/server.mjs";
import { eioPath, parseOpen, poll, pollingSocket, post, request, splitPayload, tcpConnect } from "../interop/helpers/raw.mjs";
import { assertServerHealthy } from "./healthy.mjs";

const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 3000;
// Both servers look for expired requests once a second.
const CHECK_SLACK_MS = 2500;
// How long another client's round trip may take while a big request is
// handled: generous, and still far below the seconds a quadratic pass took.
const OTHER_CLIENT_BOUND_MS = 1000;
// Node's maxHeaderSize: the URL, header names and values together must stay
// below it (the separators do not count).
const MAX_HEADER_SIZE = 16384;
const HANDSHAKE_PATH = eioPath({ transport: "polling" });

function statusLine(answer) {
  return answer.slice(0, answer.indexOf("\r\n"));
}

// Sends `bytes` on a connection of its own; resolves to its first status
// line and whether the server closed the connection after it.
async function exchange(port, bytes) {
  const conn = await tcpConnect(port);
  conn.socket.write(bytes);
  await withTimeout((async () => { while (!conn.received().includes("\r\n\r\n")) await sleep(5); })(), 15000, "an answer");
  const closed = await Promise.race([conn.closed.then(() => true), sleep(500).then(() => false)]);
  conn.socket.destroy();
  return { status: statusLine(conn.received()), closed };
}

// Round trips of `other` while `work` is in progress: the longest one.
async function slowestRoundTrip(other, work) {
  let done = false;
  let slowest = 0;
  const settled = work.finally(() => (done = true));
  await sleep(20); // the big request is in the server's hands first
  while (!done) {
    const start = Date.now();
    await emitWithAck(other, "ack", "ping");
    slowest = Math.max(slowest, Date.now() - start);
  }
  return { result: await settled, slowest };
}

// Several such requests at once, so that a pass quadratic in their size
// shows even in a fast build; resolves to the first one's answer.
const BIG_REQUESTS = 4;

async function whileOtherClientTalks(ctx, bytes) {
  const other = await connect(ctx.url, "/", TRANSPORT_MODES.websocket);
  try {
    const all = Promise.all(Array.from({ length: BIG_REQUESTS }, () => exchange(ctx.port, bytes)));
    const { result, slowest } = await slowestRoundTrip(other, all);
    for (const r of result) assert.deepEqual(r, result[0]);
    return { result: result[0], slowest };
  } finally {
    other.close();
  }
}

function handshakeRequest(path, headerLines = "") {
  return `GET ${path} HTTP/1.1\r\nHost: x\r\n${headerLines}\r\n`;
}

// Sends a polling handshake as `bytes`, then a CONNECT that asks the test
// server to emit the handshake it was handed; resolves to that
// {query, headers, url}.
async function handshakeSeen(port, bytes) {
  const conn = await tcpConnect(port);
  conn.socket.write(bytes);
  await withTimeout((async () => { while (!conn.received().includes('"maxPayload"')) await sleep(5); })(), 5000, "the open packet");
  const answer = conn.received();
  conn.socket.destroy();
  assert.equal(statusLine(answer), "HTTP/1.1 200 OK");
  const { sid } = parseOpen(answer.slice(answer.indexOf("\r\n\r\n") + 4));
  assert.equal((await post(port, sid, '40{"handshake":true}')).body, "ok");
  for (;;) {
    const reply = await poll(port, sid);
    assert.equal(reply.status, 200, reply.body);
    const packet = splitPayload(reply.body).find((p) => p.startsWith('42["handshake"'));
    if (packet) return JSON.parse(packet.slice(2))[1];
  }
}

// Sends `start`, then a byte every 100 ms: the server must answer 408 and
// close once timeoutMs passed, not before.
async function assertTrickleTimedOut(port, start, timeoutMs) {
  const conn = await tcpConnect(port);
  const started = Date.now();
  conn.socket.write(start);
  const trickle = setInterval(() => conn.socket.write("a"), 100);
  try {
    const answer = await withTimeout(conn.closed, timeoutMs + CHECK_SLACK_MS, "the server to close the slow request");
    assert.ok(Date.now() - started >= timeoutMs - 50, `closed after ${Date.now() - started} ms`);
    assert.equal(statusLine(answer), "HTTP/1.1 408 Request Timeout");
  } finally {
    clearInterval(trickle);
  }
}

describeWithServer("request limits", ["--headers-timeout", String(HEADERS_TIMEOUT_MS),
  "--request-timeout", String(REQUEST_TIMEOUT_MS)], (ctx) => {
  test("a 64 KB URL of 32,000 pairs gets 431 at once while another client goes on", async () => {
    const { result, slowest } = await whileOtherClientTalks(ctx, handshakeRequest(HANDSHAKE_PATH + "&a".repeat(32000)));
    assert.equal(result.status, "HTTP/1.1 431 Request Header Fields Too Large");
    assert.ok(result.closed, "the connection stays open after 431");
    assert.ok(slowest < OTHER_CLIENT_BOUND_MS, `another client waited ${slowest} ms`);
  });

  test("a URL of 8,000 pairs within 16 KB is handshaken while another client goes on", async () => {
    const { result, slowest } = await whileOtherClientTalks(ctx, handshakeRequest(HANDSHAKE_PATH + "&a".repeat(8000)));
    assert.equal(result.status, "HTTP/1.1 200 OK");
    assert.ok(slowest < OTHER_CLIENT_BOUND_MS, `another client waited ${slowest} ms`);
  });

  test("16,000 headers within 16 KB are handshaken while another client goes on", async () => {
    const { result, slowest } = await whileOtherClientTalks(ctx, handshakeRequest(HANDSHAKE_PATH, "a:\r\n".repeat(16000)));
    assert.equal(result.status, "HTTP/1.1 200 OK");
    assert.ok(slowest < OTHER_CLIENT_BOUND_MS, `another client waited ${slowest} ms`);
  });

  test("16,000 headers over 16 KB get 431 while another client goes on", async () => {
    const { result, slowest } = await whileOtherClientTalks(ctx, handshakeRequest(HANDSHAKE_PATH, "x: y\r\n".repeat(16000)));
    assert.equal(result.status, "HTTP/1.1 431 Request Header Fields Too Large");
    assert.ok(result.closed);
    assert.ok(slowest < OTHER_CLIENT_BOUND_MS, `another client waited ${slowest} ms`);
  });

  test("URL, header names and values: one byte under 16 KiB passes, at 16 KiB 431 and close", async () => {
    // Counted: the URL, "Host" and "x", "X-Fill" and its value.
    const fill = (total) => "v".repeat(total - HANDSHAKE_PATH.length - "Hostx".length - "X-Fill".length);
    for (const [total, status, closed] of [[MAX_HEADER_SIZE - 1, "HTTP/1.1 200 OK", false],
      [MAX_HEADER_SIZE, "HTTP/1.1 431 Request Header Fields Too Large", true]]) {
      const result = await exchange(ctx.port, handshakeRequest(HANDSHAKE_PATH, `X-Fill: ${fill(total)}\r\n`));
      assert.equal(result.status, status, `at ${total} bytes`);
      assert.equal(result.closed, closed, `closed at ${total} bytes`);
    }
    for (const [total, status] of [[MAX_HEADER_SIZE - 1, "HTTP/1.1 200 OK"],
      [MAX_HEADER_SIZE, "HTTP/1.1 431 Request Header Fields Too Large"]]) {
      const url = HANDSHAKE_PATH + "&x=" + "u".repeat(total - HANDSHAKE_PATH.length - 3 - "Hostx".length);
      assert.equal((await exchange(ctx.port, handshakeRequest(url))).status, status, `URL at ${total} bytes`);
    }
    await assertServerHealthy(ctx.url);
  });

  // Node's maxHeadersCount (2000) counts rawHeaders entries: a name and a
  // value each, so 1000 headers (Host the first).
  test("headers past the 1000th are dropped from handshake.headers", async () => {
    let lines = "";
    for (let i = 0; i < 2500; i++) lines += `h${i}: v\r\n`;
    const seen = await handshakeSeen(ctx.port, handshakeRequest(HANDSHAKE_PATH, lines));
    assert.equal(Object.keys(seen.headers).length, 1000);
    assert.equal(seen.headers.h998, "v");
    assert.equal(seen.headers.h999, undefined);
  });

  test("invalid UTF-8 in the query and in headers reaches the host as Node decodes it", async () => {
    const path = `${HANDSHAKE_PATH}&x=%FF&y=%C3%A9&z=%E2%82&w=a%F0%9F%98%80b%ED%A0%80`;
    const bytes = handshakeRequest(path, "X-Bytes: \xff\xc3\xa9\r\n");
    const seen = await handshakeSeen(ctx.port, Buffer.from(bytes, "latin1"));
    assert.deepEqual({ x: seen.query.x, y: seen.query.y, z: seen.query.z, w: seen.query.w },
      { x: "\ufffd", y: "\u00e9", z: "\ufffd", w: "a\u{1f600}b\ufffd\ufffd\ufffd" });
    assert.equal(seen.headers["x-bytes"], "\u00ff\u00c3\u00a9");
    assert.equal(seen.url, path);
  });

  test("a raw byte past ASCII in the URL gets 400 and a close", async () => {
    const bytes = Buffer.concat([Buffer.from(`GET ${HANDSHAKE_PATH}&x=`), Buffer.from([0xff]), Buffer.from(" HTTP/1.1\r\nHost: x\r\n\r\n")]);
    assert.deepEqual(await exchange(ctx.port, bytes), { status: "HTTP/1.1 400 Bad Request", closed: true });
    await assertServerHealthy(ctx.url);
  });

  test("a repeated query name keeps its last value, as engine.io reads it", async () => {
    const seen = await handshakeSeen(ctx.port, handshakeRequest(`${HANDSHAKE_PATH}&a=1&b=2&a=3`));
    assert.equal(seen.query.a, "3");
    assert.equal(seen.query.b, "2");
  });

  test("repeated headers are joined as Node joins them", async () => {
    const lines = "X-Two: a\r\nX-Two: b\r\nUser-Agent: first\r\nUser-Agent: second\r\nCookie: c=1\r\nCookie: d=2\r\n";
    const { headers } = await handshakeSeen(ctx.port, handshakeRequest(HANDSHAKE_PATH, lines));
    assert.equal(headers["x-two"], "a, b");
    assert.equal(headers["user-agent"], "first");
    assert.equal(headers.cookie, "c=1; d=2");
  });

  test("headers that trickle in past headersTimeout get 408 and a close", async () => {
    await assertTrickleTimedOut(ctx.port, `GET ${HANDSHAKE_PATH} HTTP/1.1\r\nHost: x\r\nX-Slow: `, HEADERS_TIMEOUT_MS);
    await assertServerHealthy(ctx.url);
  });

  test("connections that never send a byte get 408 and a close after headersTimeout", async () => {
    const idle = await Promise.all(Array.from({ length: 50 }, () => tcpConnect(ctx.port)));
    const answers = await withTimeout(Promise.all(idle.map((c) => c.closed)), HEADERS_TIMEOUT_MS + CHECK_SLACK_MS,
      "the server to close the idle connections");
    for (const answer of answers) assert.equal(statusLine(answer), "HTTP/1.1 408 Request Timeout");
    await assertServerHealthy(ctx.url);
  });

  test("a body that trickles in past requestTimeout gets 408 and a close", async () => {
    const { sid } = await pollingSocket(ctx.port);
    const head = `POST ${eioPath({ transport: "polling", sid })} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n`;
    await assertTrickleTimedOut(ctx.port, head, REQUEST_TIMEOUT_MS);
  });

  // Node keeps the NUL in the value; libsio holds names and values as C
  // strings, where "x=%00sid%00ZZZ" would read as sid=ZZZ: it refuses them.
  const official = underTestIsReference();
  test(`a query that decodes to NUL ${official ? "keeps it (official)" : "is refused with 400 code 3"}`, async () => {
    for (const query of ["x=%00sid%00ZZZ", "%00=1", "sid=abc%00def"]) {
      const res = await request(ctx.port, { path: `${HANDSHAKE_PATH}&${query}` });
      if (official) {
        assert.ok(res.status === 200 || (query.startsWith("sid") && res.status === 400), `${query}: ${res.status}`);
      } else {
        assert.equal(res.status, 400, query);
        assert.deepEqual(JSON.parse(res.body), { code: 3, message: "Bad request" });
      }
    }
    if (official) {
      const seen = await handshakeSeen(ctx.port, handshakeRequest(`${HANDSHAKE_PATH}&x=%00sid%00ZZZ`));
      assert.equal(seen.query.x, "\0sid\0ZZZ");
    }
    await assertServerHealthy(ctx.url);
  });
});
