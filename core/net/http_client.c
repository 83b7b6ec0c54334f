#include "http_client.h"

#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/base64.h"
#include "../util/random_bytes.h"
#include "../util/sbuf.h"
#include "../util/sha1.h"
#include "http_headers.h"
#include "ws_deflate.h"
#include "ws_frame.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct http_client {
  uv_loop_t *loop;
  tls_stream_options conn;
  char *host_header;
  size_t max_body;
  http_client_handler h;
  void *data;
  tls_stream *stream; /* NULL between connections */
  llhttp_t parser;
  int in_flight;      /* a request waits for its response */
  int reused;         /* the connection answered a request before this one */
  int answered;       /* bytes of the response in flight have arrived */
  sbuf request;       /* the request in flight, until its answer starts */
  int ws_requested;   /* the request in flight is a WebSocket upgrade */
  int websocket;      /* the connection is a WebSocket now */
  int complete;       /* the response in flight has been read whole */
  char ws_accept_expected[29];
  sbuf headers;       /* of the response in flight (http_headers.h) */
  size_t nheaders;
  int hdr_state;
  sbuf body;
  sbuf ws_in;         /* WebSocket bytes not yet a whole frame */
  ws_reader ws;
  int offer_deflate;
  /* permessage-deflate, once the server accepted it: the window for what
   * is sent (0: not in use), and the inflater of what is received. */
  ws_deflate_accepted deflate;
  ws_inflater *inflater;
  int paused;         /* back-pressure: not reading */
  int depth;          /* callbacks running: freeing waits for them */
  int closed;
};

static void drop_stream(http_client *c, int graceful);
static int ensure_stream(http_client *c);

/* ---- response parsing ------------------------------------------------------ */

static http_client *client_of(llhttp_t *p) { return p->data; }

static int on_message_begin(llhttp_t *p) {
  http_client *c = client_of(p);
  sbuf_reset(&c->body);
  sbuf_reset(&c->headers);
  c->nheaders = 0;
  c->hdr_state = HTTP_HDR_NONE;
  c->complete = 0;
  return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len) {
  http_client *c = client_of(p);
  return http_headers_field(&c->headers, &c->nheaders, &c->hdr_state, at, len);
}

static int on_header_value(llhttp_t *p, const char *at, size_t len) {
  http_client *c = client_of(p);
  return http_headers_value(&c->headers, &c->nheaders, &c->hdr_state, at, len);
}

static int on_headers_complete(llhttp_t *p) {
  http_client *c = client_of(p);
  if (http_headers_end(&c->headers, &c->nheaders, &c->hdr_state)) return -1;
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->max_body) return -1;
  return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len) {
  http_client *c = client_of(p);
  if (c->body.len + len > c->max_body) return -1;
  return sbuf_append(&c->body, at, len);
}

static int on_message_complete(llhttp_t *p) {
  client_of(p)->complete = 1;
  return HPE_PAUSED; /* hand the response up before reading further */
}

static const llhttp_settings_t *settings(void) {
  /* Complete at compile time: the I/O threads of several contexts read it
   * at once. */
  static const llhttp_settings_t s = {
      .on_message_begin = on_message_begin,
      .on_header_field = on_header_field,
      .on_header_value = on_header_value,
      .on_headers_complete = on_headers_complete,
      .on_body = on_body,
      .on_message_complete = on_message_complete,
  };
  return &s;
}

/* ---- callbacks to the owner, safe against it closing us -------------------- */

static void maybe_free(http_client *c) {
  if (c->depth || !c->closed) return;
  sbuf_free(&c->headers);
  sbuf_free(&c->body);
  sbuf_free(&c->ws_in);
  sbuf_free(&c->request);
  ws_reader_free(&c->ws);
  ws_inflater_free(c->inflater);
  free((char *)c->conn.host);
  free((char *)c->conn.ca_file);
  free(c->host_header);
  free(c);
}

/* Drops the connection and tells the owner; 1 when the owner closed us. */
static int fail(http_client *c, const char *error) {
  drop_stream(c, 0);
  c->in_flight = 0;
  c->ws_requested = 0;
  c->websocket = 0;
  sbuf_free(&c->request);
  c->depth++;
  c->h.on_end(c, error);
  c->depth--;
  if (c->closed) {
    maybe_free(c);
    return 1;
  }
  return 0;
}

/* ---- WebSocket ----------------------------------------------------------------- */

static int ws_write(http_client *c, int opcode, const void *data, size_t len) {
  sbuf frame = SBUF_INIT;
  int rc = ws_write_frame(&frame, opcode, data, len, 1);
  if (!rc) rc = tls_stream_write(c->stream, frame.data, frame.len);
  sbuf_free(&frame);
  return rc;
}

/* A message deflated and framed masked, RSV1 set on its one frame. */
static int ws_write_deflated(http_client *c, int opcode, const void *data, size_t len) {
  sbuf z = SBUF_INIT, frame = SBUF_INIT;
  int rc = ws_deflate_message(data, len, c->deflate.window_bits, &z);
  if (!rc) rc = ws_write_frame(&frame, opcode, z.data ? z.data : "", z.len, 1);
  if (!rc) {
    frame.data[0] |= 0x40;
    rc = tls_stream_write(c->stream, frame.data, frame.len);
  }
  sbuf_free(&z);
  sbuf_free(&frame);
  return rc;
}

/* A compressed message from the server, inflated within max_body and
 * handed up; -1 when the client ended. */
static int deliver_deflated(http_client *c, const ws_frame_result *f) {
  sbuf msg = SBUF_INIT;
  int rc = c->inflater ? ws_inflater_run(c->inflater, f->data, f->len, c->max_body,
                                         c->deflate.server_resets, &msg)
                       : -1;
  if (rc) {
    sbuf_free(&msg);
    ws_write(c, WS_CLOSE, rc == -2 ? "\x03\xf1" : "\x03\xef", 2); /* 1009, 1007 */
    return fail(c, rc == -2 ? "WebSocket message too big" : "WebSocket protocol error"), -1;
  }
  c->depth++;
  c->h.on_ws_message(c, msg.data ? msg.data : "", msg.len, f->kind == WS_BINARY);
  c->depth--;
  sbuf_free(&msg);
  return 0;
}

/* Handles whole frames in p[0..n); returns the bytes used, or -1 when the
 * client ended (failed or closed by the owner). */
static long parse_ws(http_client *c, const char *p, size_t n) {
  size_t used = 0;
  while (used < n) {
    uint64_t plen = 0;
    uint64_t size = ws_frame_size((const uint8_t *)p + used, n - used, &plen);
    if (!size) break;
    if (plen > c->max_body) {
      ws_write(c, WS_CLOSE, "\x03\xf1", 2); /* 1009 */
      return fail(c, "WebSocket message too big"), -1;
    }
    if (size > n - used) break;
    ws_frame_result f;
    if (ws_read_frame(&c->ws, (const uint8_t *)p + used, (size_t)size, 0, c->max_body, &f))
      return fail(c, "WebSocket protocol error"), -1;
    used += (size_t)size;
    switch (f.kind) {
      case WS_TEXT:
      case WS_BINARY:
        if (f.compressed) {
          if (deliver_deflated(c, &f)) return -1;
        } else {
          c->depth++;
          c->h.on_ws_message(c, f.data, f.len, f.kind == WS_BINARY);
          c->depth--;
        }
        if (c->closed) return maybe_free(c), -1;
        if (!c->websocket) return -1;
        break;
      case WS_PING:
        ws_write(c, WS_PONG, f.data, f.len);
        break;
      case WS_CLOSE: {
        uint8_t code[2] = {(uint8_t)(f.close_code >> 8), (uint8_t)f.close_code};
        ws_write(c, WS_CLOSE, code, f.close_code == 1005 ? 0 : 2);
        drop_stream(c, 1);
        c->websocket = 0;
        fail(c, NULL);
        return -1;
      }
      default:
        break;
    }
  }
  return (long)used;
}

static void feed_ws(http_client *c, const char *p, size_t n) {
  if (!c->ws_in.len) {
    long used = parse_ws(c, p, n);
    if (used >= 0 && (size_t)used < n &&
        sbuf_append(&c->ws_in, p + used, n - (size_t)used))
      fail(c, "out of memory");
    return;
  }
  if (sbuf_append(&c->ws_in, p, n)) {
    fail(c, "out of memory");
    return;
  }
  /* Parsing may end the client; the buffer is then gone with it. */
  sbuf pending = c->ws_in;
  c->ws_in = (sbuf)SBUF_INIT;
  long used = parse_ws(c, pending.data, pending.len);
  if (used >= 0) {
    sbuf_consume(&pending, (size_t)used);
    if (pending.len) {
      c->ws_in = pending;
      return;
    }
  }
  sbuf_free(&pending);
}

/* The server's answer to the permessage-deflate offer, as the ws package
 * reads it; non-zero when the client failed on it. */
static int take_extensions(http_client *c) {
  const char *answer = http_headers_find(&c->headers, c->nheaders, "sec-websocket-extensions");
  memset(&c->deflate, 0, sizeof(c->deflate));
  c->ws.allow_rsv1 = 0;
  if (!answer) return 0;
  if (!c->offer_deflate)
    return fail(c, "server sent a Sec-WebSocket-Extensions header but no extension was "
                   "requested"), 1;
  if (ws_deflate_read_answer(answer, &c->deflate))
    return fail(c, "invalid Sec-WebSocket-Extensions header"), 1;
  ws_inflater_free(c->inflater);
  if (!(c->inflater = ws_inflater_new())) return fail(c, "out of memory"), 1;
  c->ws.allow_rsv1 = 1;
  return 0;
}

static int accept_matches(http_client *c) {
  const char *accept = http_headers_find(&c->headers, c->nheaders, "sec-websocket-accept");
  return accept && strlen(accept) == 28 && memcmp(accept, c->ws_accept_expected, 28) == 0;
}

/* ---- the connection --------------------------------------------------------- */

/* The response has been read whole: hand it up. */
static void deliver(http_client *c, const char *rest, size_t rest_len) {
  int status = c->parser.status_code;
  int keep = llhttp_should_keep_alive(&c->parser);
  c->in_flight = 0;
  c->reused = 1;
  if (c->ws_requested) {
    c->ws_requested = 0;
    if (status != 101) {
      char msg[64];
      snprintf(msg, sizeof(msg), "unexpected server response: %d", status);
      fail(c, msg);
      return;
    }
    if (!accept_matches(c)) {
      fail(c, "invalid Sec-WebSocket-Accept header");
      return;
    }
    if (take_extensions(c)) return;
    c->websocket = 1;
    sbuf_free(&c->body);
    c->depth++;
    c->h.on_ws_open(c);
    c->depth--;
    if (c->closed) {
      maybe_free(c);
      return;
    }
    if (c->websocket && rest_len) feed_ws(c, rest, rest_len);
    return;
  }
  if (rest_len || c->parser.upgrade) {
    /* Bytes nobody asked for: the server does not speak HTTP as we do. */
    fail(c, "unexpected data after the response");
    return;
  }
  if (!keep) drop_stream(c, 0);
  c->depth++;
  c->h.on_response(c, status, c->body.data ? c->body.data : "", c->body.len);
  c->depth--;
  maybe_free(c);
}

static void on_stream_read(tls_stream *s, const char *data, size_t n) {
  http_client *c = tls_stream_data(s);
  if (c->websocket) {
    feed_ws(c, data, n);
    return;
  }
  if (!c->in_flight) {
    fail(c, "unexpected data from the server");
    return;
  }
  if (!c->answered) {
    c->answered = 1;
    sbuf_free(&c->request);
  }
  llhttp_errno_t err = llhttp_execute(&c->parser, data, n);
  if (err == HPE_OK) return;
  if ((err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) && c->complete) {
    const char *stop = llhttp_get_error_pos(&c->parser);
    size_t used = stop ? (size_t)(stop - data) : n;
    if (used > n) used = n;
    llhttp_resume(&c->parser);
    deliver(c, data + used, n - used);
    return;
  }
  char msg[128];
  snprintf(msg, sizeof(msg), "bad HTTP response: %s",
           err == HPE_USER ? "too big" : llhttp_errno_name(err));
  fail(c, msg);
}

static void resend(http_client *c) {
  if (ensure_stream(c) || tls_stream_write(c->stream, c->request.data, c->request.len))
    fail(c, "out of memory");
}

static void on_stream_end(tls_stream *s, const char *error, int connected) {
  http_client *c = tls_stream_data(s);
  (void)connected;
  c->stream = NULL;
  if (c->websocket) {
    c->websocket = 0;
    fail(c, error);
    return;
  }
  if (c->in_flight && c->reused && !c->answered && c->request.len) {
    /* The server let the idle connection go as the request went out on
     * it: nothing was processed, so it goes again on a new connection. */
    resend(c);
    return;
  }
  if (c->in_flight) {
    fail(c, error ? error : "the server closed the connection");
  }
  /* An idle keep-alive connection the server let go: the next request
   * makes a new one. */
}

static const tls_stream_handler stream_handler = {NULL, on_stream_read,
                                                  on_stream_end};

static void drop_stream(http_client *c, int graceful) {
  if (c->stream) tls_stream_close(c->stream, graceful);
  c->stream = NULL;
  sbuf_free(&c->ws_in);
  ws_reader_free(&c->ws);
  c->ws.msg_opcode = 0;
}

static int ensure_stream(http_client *c) {
  if (c->stream) return 0;
  c->stream = tls_stream_connect(c->loop, &c->conn, &stream_handler, c);
  if (!c->stream) return -1;
  if (c->paused) tls_stream_pause(c->stream);
  c->reused = 0;
  llhttp_init(&c->parser, HTTP_RESPONSE, settings());
  c->parser.data = c;
  return 0;
}

static int send_request(http_client *c, const char *method, const char *target,
                        const char *headers, const void *body, size_t len, int with_length) {
  if (c->closed || c->in_flight || c->websocket || ensure_stream(c)) return -1;
  sbuf req = SBUF_INIT;
  int rc = sbuf_printf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, c->host_header);
  if (headers) rc |= sbuf_puts(&req, headers);
  if (with_length) rc |= sbuf_printf(&req, "Content-Length: %zu\r\n", len);
  rc |= sbuf_puts(&req, "\r\n");
  if (len) rc |= sbuf_append(&req, body, len);
  if (!rc) rc = tls_stream_write(c->stream, req.data, req.len);
  if (rc) {
    sbuf_free(&req);
    return -1;
  }
  sbuf_free(&c->request);
  c->request = req;
  c->in_flight = 1;
  c->answered = 0;
  return 0;
}

int http_client_request(http_client *c, const char *method, const char *target,
                        const char *headers, const void *body, size_t len) {
  int with_length = len || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
  return send_request(c, method, target, headers, body, len, with_length);
}

int http_client_websocket(http_client *c, const char *target, const char *headers) {
  uint8_t nonce[16], digest[20];
  if (random_bytes(nonce, sizeof(nonce))) return -1;
  sbuf key = SBUF_INIT, h = SBUF_INIT, accept = SBUF_INIT;
  int rc = base64_encode(&key, nonce, sizeof(nonce));
  if (!rc) {
    char material[24 + sizeof(WS_GUID)];
    memcpy(material, key.data, 24);
    memcpy(material + 24, WS_GUID, sizeof(WS_GUID) - 1);
    sha1(material, 24 + sizeof(WS_GUID) - 1, digest);
    rc = base64_encode(&accept, digest, sizeof(digest));
  }
  if (!rc && accept.len == 28) memcpy(c->ws_accept_expected, accept.data, 29);
  rc |= sbuf_printf(&h,
                    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: %s\r\n%s%s",
                    key.data ? key.data : "",
                    c->offer_deflate
                        ? "Sec-WebSocket-Extensions: " WS_DEFLATE_CLIENT_OFFER "\r\n"
                        : "",
                    headers ? headers : "");
  if (!rc) rc = send_request(c, "GET", target, h.data, NULL, 0, 0);
  sbuf_free(&key);
  sbuf_free(&h);
  sbuf_free(&accept);
  if (rc) return -1;
  c->ws_requested = 1;
  return 0;
}

int http_client_ws_send(http_client *c, int opcode, const void *data, size_t len) {
  if (c->closed || !c->websocket || !c->stream) return -1;
  return ws_write(c, opcode, data, len);
}

int http_client_ws_send_deflated(http_client *c, int opcode, const void *data, size_t len) {
  if (c->closed || !c->websocket || !c->stream) return -1;
  if (!c->deflate.window_bits) return ws_write(c, opcode, data, len);
  return ws_write_deflated(c, opcode, data, len);
}

void http_client_pause(http_client *c) {
  c->paused = 1;
  if (c->stream) tls_stream_pause(c->stream);
}

void http_client_resume(http_client *c) {
  c->paused = 0;
  if (c->stream) tls_stream_resume(c->stream);
}

int http_client_idle(const http_client *c) { return !c->stream || tls_stream_idle(c->stream); }

http_client *http_client_new(uv_loop_t *loop, const http_client_options *o,
                             const http_client_handler *h, void *data) {
  http_client *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  c->loop = loop;
  c->conn = o->conn;
  c->conn.host = strdup(o->conn.host);
  c->conn.ca_file = o->conn.ca_file ? strdup(o->conn.ca_file) : NULL;
  c->host_header = strdup(o->host_header);
  c->max_body = o->max_body;
  c->offer_deflate = o->offer_deflate;
  c->h = *h;
  c->data = data;
  c->closed = 1; /* so maybe_free works on the failure path */
  if (!c->conn.host || !c->host_header || (o->conn.ca_file && !c->conn.ca_file)) {
    maybe_free(c);
    return NULL;
  }
  c->closed = 0;
  return c;
}

void *http_client_data(const http_client *c) { return c->data; }

void http_client_close(http_client *c, int graceful) {
  if (c->closed) return;
  c->closed = 1;
  if (c->websocket && graceful && c->stream) ws_write(c, WS_CLOSE, "\x03\xe8", 2); /* 1000 */
  drop_stream(c, graceful);
  maybe_free(c);
}
