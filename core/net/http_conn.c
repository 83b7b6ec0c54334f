#include "http_conn.h"

#include <stdlib.h>
#include <string.h>

#include "http_headers.h"
#include "http_server_bind.h"
#include "ws_deflate.h"

#define READ_CHUNK 65536
#define MAX_HEADER_BYTES HTTP_MAX_HEADER_BYTES
/* Node's http server: maxHeaderSize counts the bytes of the URL, header
 * names and values of a request (not the separators), and at 16 KiB it
 * answers 431 and closes. Its maxHeadersCount, 2000, counts names and
 * values apart: it keeps 1000 headers and drops the rest. */
#define MAX_REQUEST_HEADER_SIZE 16384
#define MAX_HEADERS_COUNT 1000
#define SPARE_BUFFER 16384 /* larger idle buffers are given back */
/* A WebSocket's output buffer is freed once written (idle connections hold
 * none) and made again by the next send: at this size at once, so a loop
 * iteration's few frames need no growing reallocs (and the block still
 * comes from glibc's per-thread cache). */
#define WS_OUT_FIRST 500

static _Thread_local char read_buf_[READ_CHUNK];
static _Thread_local char plain_buf_[READ_CHUNK];

static void conn_really_close(http_conn *c);
static void process_input(http_conn *c);
static void peer_name(http_conn *c, char *out, size_t cap);
static void close_server_handles(http_server *s);

/* ---- requests ---------------------------------------------------------- */

const char *http_header(const http_request *req, const char *name) {
  return http_headers_find(&req->headers, req->nheaders, name);
}

static void request_free(http_request *r) {
  if (!r) return;
  sbuf_free(&r->url);
  sbuf_free(&r->headers);
  sbuf_free(&r->body);
  free(r);
}

typedef struct parse_state {
  http_conn *conn;
  int hdr; /* HTTP_HDR_* */
  int failed_alloc;
  size_t header_size;  /* as Node counts it for maxHeaderSize */
  int too_large;       /* over it: 431 */
  int dropping;        /* past MAX_HEADERS_COUNT */
  int in_body;         /* the headers are complete */
} parse_state;

static http_conn *parser_conn(llhttp_t *p) { return ((parse_state *)p->data)->conn; }

static int on_message_begin(llhttp_t *p) {
  parse_state *st = p->data;
  http_conn *c = st->conn;
  st->hdr = HTTP_HDR_NONE;
  st->header_size = 0;
  st->too_large = st->dropping = st->in_body = 0;
  /* The first request's time runs from the accept, as Node's does. */
  if (c->had_request) c->request_start = uv_now(c->srv->loop);
  c->had_request = 1;
  request_free(c->req);
  c->req = calloc(1, sizeof(http_request));
  if (!c->req) return -1;
  return 0;
}

static int count_header_bytes(parse_state *st, size_t len) {
  st->header_size += len;
  if (st->header_size < MAX_REQUEST_HEADER_SIZE) return 0;
  st->too_large = 1;
  return -1;
}

static int on_url(llhttp_t *p, const char *at, size_t len) {
  parse_state *st = p->data;
  if (count_header_bytes(st, len)) return -1;
  /* Node's parser refuses bytes past ASCII in the URL (400); ours lets
   * them through, and the URL is handed on as text. */
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)at[i] >= 0x80) return -1;
  return sbuf_append(&st->conn->req->url, at, len);
}

static int on_header_field(llhttp_t *p, const char *at, size_t len) {
  parse_state *st = p->data;
  http_request *r = st->conn->req;
  if (count_header_bytes(st, len)) return -1;
  /* A name after a value starts a new header: the value's, once ended,
   * makes one more. */
  if (st->hdr == HTTP_HDR_VALUE && r->nheaders + 1 >= MAX_HEADERS_COUNT) st->dropping = 1;
  if (st->dropping) return 0;
  return http_headers_field(&r->headers, &r->nheaders, &st->hdr, at, len);
}

static int on_header_value(llhttp_t *p, const char *at, size_t len) {
  parse_state *st = p->data;
  http_request *r = st->conn->req;
  if (count_header_bytes(st, len)) return -1;
  if (st->dropping) return 0;
  return http_headers_value(&r->headers, &r->nheaders, &st->hdr, at, len);
}

static int on_headers_complete(llhttp_t *p) {
  parse_state *st = p->data;
  http_conn *c = st->conn;
  http_request *r = c->req;
  if (http_headers_end(&r->headers, &r->nheaders, &st->hdr)) return -1;
  st->in_body = 1;
  r->method = p->method;
  r->upgrade = p->upgrade;
  r->keep_alive = llhttp_should_keep_alive(p);
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->srv->max_body) r->too_big = 1;
  return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len) {
  http_conn *c = parser_conn(p);
  http_request *r = c->req;
  if (r->too_big) return 0;
  if (r->body.len + len > c->srv->max_body) {
    r->too_big = 1;
    sbuf_free(&r->body);
    return 0;
  }
  return sbuf_append(&r->body, at, len);
}

static int on_message_complete(llhttp_t *p) {
  (void)p;
  return HPE_PAUSED; /* one request at a time: hand it up first */
}

static const llhttp_settings_t *settings(void) {
  /* Complete at compile time: the I/O threads of several contexts read it
   * at once. */
  static const llhttp_settings_t s = {
      .on_message_begin = on_message_begin,
      .on_url = on_url,
      .on_header_field = on_header_field,
      .on_header_value = on_header_value,
      .on_headers_complete = on_headers_complete,
      .on_body = on_body,
      .on_message_complete = on_message_complete,
  };
  return &s;
}

/* ---- writing ----------------------------------------------------------- */

static void mark_dirty(http_conn *c) {
  if (c->is_dirty) return;
  c->is_dirty = 1;
  c->dirty_next = c->srv->dirty;
  c->srv->dirty = c;
}

static void trim(sbuf *b) {
  if (b->len == 0 && b->cap > SPARE_BUFFER) sbuf_free(b);
}

/* A WebSocket's output buffer is not kept while the connection is idle, so
 * that 10,000 idle clients hold none. Freed after every flush, though, a
 * buffer that grew to 16 KiB messages was regrown by realloc on every
 * batch, and glibc trimmed and refaulted the heap under it: 3/4 of the I/O
 * thread's page faults in echo of 16 KiB strings. The server keeps a few
 * for whichever connection has output next. */
#define SPARE_OUTPUT_MAX (256 * 1024)

static void give_back_output(http_server *s, sbuf *b) {
  if (!b->cap) return;
  if (s->nspare_out < HTTP_SPARE_OUTPUTS && b->cap <= SPARE_OUTPUT_MAX && !s->handles_closed) {
    sbuf_reset(b);
    s->spare_out[s->nspare_out++] = *b;
    *b = (sbuf)SBUF_INIT;
  } else {
    sbuf_free(b);
  }
}

static int take_output(http_server *s, sbuf *b) {
  if (!s->nspare_out) return sbuf_reserve(b, WS_OUT_FIRST);
  *b = s->spare_out[--s->nspare_out];
  return 0;
}

static void flush(http_conn *c);

static void on_written(uv_write_t *w, int status) {
  http_conn *c = w->data;
  c->writing = 0;
  sbuf_reset(&c->inflight);
  if (c->websocket)
    give_back_output(c->srv, &c->inflight);
  else
    trim(&c->inflight);
  if (status < 0) {
    conn_really_close(c);
    return;
  }
  flush(c);
}

/* Turns the plain bytes queued in out into TLS records, with whatever the
 * handshake has to send before them. Nothing plain can be sent before the
 * handshake is done (a 408 for a peer that never finished it): the
 * connection is given up. 0, or -1. */
static int seal_output(http_conn *c) {
  if (c->out.len) {
    if (!tls_session_ready(c->tls) || tls_session_write(c->tls, c->out.data, c->out.len))
      return -1;
    sbuf_reset(&c->out);
  }
  /* The last bytes: close_notify after them tells the peer the end is
   * meant, not a truncation. */
  if (c->close_after_write && tls_session_ready(c->tls)) tls_session_shutdown(c->tls);
  return tls_session_take_output(c->tls, &c->out);
}

static void flush(http_conn *c) {
  if (c->closing) return;
  if (c->writing) {
    /* A reader that stopped may never take what is in flight: waiting for
     * it would hold the connection, and its session, for as long as the
     * peer likes. */
    if (c->stuck) conn_really_close(c);
    return;
  }
  if (c->tls && seal_output(c)) {
    c->failed = 1;
    conn_really_close(c);
    return;
  }
  if (c->out.len) {
    uv_buf_t b = uv_buf_init(c->out.data, (unsigned)c->out.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n == UV_EAGAIN) n = 0;
    if (n < 0) {
      conn_really_close(c);
      return;
    }
    sbuf_consume(&c->out, (size_t)n);
    if (c->out.len) {
      sbuf tmp = c->inflight;
      c->inflight = c->out;
      c->out = tmp;
      sbuf_reset(&c->out);
      b = uv_buf_init(c->inflight.data, (unsigned)c->inflight.len);
      c->wreq.data = c;
      if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written)) {
        conn_really_close(c);
        return;
      }
      c->writing = 1;
      return;
    }
    if (!c->websocket) trim(&c->out);
    else give_back_output(c->srv, &c->out);
  }
  if (c->close_after_write) {
    conn_really_close(c);
    return;
  }
  if (!c->awaiting_response && c->in.len) process_input(c);
}

static void flush_dirty(http_server *s) {
  if (s->before_flush) s->before_flush(s);
  while (s->dirty) {
    http_conn *list = s->dirty;
    s->dirty = NULL;
    while (list) {
      http_conn *c = list;
      list = c->dirty_next;
      c->is_dirty = 0;
      flush(c);
    }
  }
}

static void on_check(uv_check_t *h) { flush_dirty(h->data); }
static void on_prepare(uv_prepare_t *h) { flush_dirty(h->data); }

/* Gives up on a connection from inside a send: it is closed by the next
 * flush (a write in flight or not), never synchronously, so a broadcast
 * that reaches it can go on walking its recipients. */
static void doom(http_conn *c) {
  c->failed = 1;
  c->stuck = 1;
  c->close_after_write = 1;
  sbuf_reset(&c->out);
  mark_dirty(c);
}

static int queue_bytes(http_conn *c, const void *p, size_t n) {
  if (c->closing || c->close_after_write) return -1;
  /* A reader this slow would make us buffer without bound. */
  if (c->out.len + c->inflight.len + n > c->srv->max_out || sbuf_append(&c->out, p, n)) {
    doom(c);
    return -1;
  }
  mark_dirty(c);
  return 0;
}

static const char *status_text(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

void http_respond(http_conn *c, int status, const char *content_type,
                  const char *extra_headers, const void *body, size_t len) {
  if (!c->awaiting_response || c->closing) return;
  int keep = c->req && c->req->keep_alive && !c->req->too_big && !c->srv->closing;
  sbuf h = SBUF_INIT;
  int rc = sbuf_printf(&h, "HTTP/1.1 %d %s\r\n", status, status_text(status));
  if (content_type) rc |= sbuf_printf(&h, "Content-Type: %s\r\n", content_type);
  rc |= sbuf_printf(&h, "Content-Length: %zu\r\nConnection: %s\r\n", len,
                    keep ? "keep-alive" : "close");
  if (extra_headers) rc |= sbuf_puts(&h, extra_headers);
  rc |= sbuf_puts(&h, "\r\n");
  c->awaiting_response = 0;
  if (!c->in_handler) {
    request_free(c->req);
    c->req = NULL;
  }
  if (rc || queue_bytes(c, h.data, h.len) || (len && queue_bytes(c, body, len))) {
    sbuf_free(&h);
    return;
  }
  sbuf_free(&h);
  if (!keep) c->close_after_write = 1;
  c->last_active = uv_now(c->srv->loop);
}

void http_accept_websocket(http_conn *c, const char *extra_headers) {
  sbuf h = SBUF_INIT;
  int rc = sbuf_puts(&h, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\n");
  if (extra_headers) rc |= sbuf_puts(&h, extra_headers);
  rc |= sbuf_puts(&h, "\r\n");
  c->ws = calloc(1, sizeof(ws_reader));
  if (rc || !c->ws) {
    sbuf_free(&h);
    doom(c);
    return;
  }
  c->awaiting_response = 0;
  c->websocket = 1;
  queue_bytes(c, h.data, h.len);
  sbuf_free(&h);
}

static int ws_send(http_conn *c, int opcode, const void *data, size_t len, int deflated) {
  if (c->closing || c->close_after_write || !c->websocket) return -1;
  if (c->out.len + c->inflight.len + len > c->srv->max_out ||
      (!c->out.cap && take_output(c->srv, &c->out)) ||
      (deflated ? ws_write_deflated_frame(&c->out, opcode, data, len)
                : ws_write_frame(&c->out, opcode, data, len, 0))) {
    doom(c);
    return -1;
  }
  mark_dirty(c);
  return 0;
}

int http_ws_send(http_conn *c, int opcode, const void *data, size_t len) {
  return ws_send(c, opcode, data, len, 0);
}

int http_ws_send_deflated(http_conn *c, int opcode, const void *data, size_t len) {
  return ws_send(c, opcode, data, len, 1);
}

void http_ws_use_deflate(http_conn *c, int window_bits) {
  if (!c->ws) return;
  c->deflate_bits = window_bits;
  c->ws->allow_rsv1 = 1;
}

int http_conn_idle_output(const http_conn *c) {
  return !c->writing && c->out.len == 0 && !c->closing;
}

void http_conn_prefetch_output(const http_conn *c) {
  if (c->out.data) __builtin_prefetch(c->out.data + c->out.len, 1);
}

void http_conn_close(http_conn *c, uint16_t ws_code) {
  if (c->closing || c->close_after_write) return;
  if (c->websocket && ws_code) {
    uint8_t code[2] = {(uint8_t)(ws_code >> 8), (uint8_t)ws_code};
    ws_write_frame(&c->out, WS_CLOSE, code, 2, 0);
  }
  c->close_after_write = 1;
  mark_dirty(c);
}

/* ---- reading ----------------------------------------------------------- */

static void fail_request(http_conn *c, int status) {
  c->awaiting_response = 1;
  if (c->req) c->req->keep_alive = 0;
  http_respond(c, status, "text/plain", NULL, status_text(status), strlen(status_text(status)));
  c->close_after_write = 1;
}

/* Parses as much of p[0..n) as possible; returns the bytes used. */
static size_t parse_http(http_conn *c, const char *p, size_t n) {
  size_t used = 0;
  while (used < n && !c->awaiting_response && !c->closing && !c->close_after_write &&
         !c->websocket) {
    llhttp_errno_t err = llhttp_execute(c->parser, p + used, n - used);
    if (err == HPE_OK) return n;
    if (err != HPE_PAUSED && err != HPE_PAUSED_UPGRADE) {
      fail_request(c, ((parse_state *)c->parser->data)->too_large ? 431 : 400);
      return n;
    }
    used = (size_t)(llhttp_get_error_pos(c->parser) - p);
    int upgrade = c->parser->upgrade;
    if (upgrade)
      llhttp_resume_after_upgrade(c->parser);
    else
      llhttp_resume(c->parser);
    if (!c->req) {
      fail_request(c, 400);
      return n;
    }
    c->req->upgrade = upgrade;
    c->req->secure = c->tls != NULL;
    peer_name(c, c->req->peer, sizeof(c->req->peer));
    c->awaiting_response = 1;
    c->in_handler = 1;
    c->srv->handler->on_request(c, c->req);
    c->in_handler = 0;
    if (!c->awaiting_response) {
      request_free(c->req);
      c->req = NULL;
    }
    if (c->websocket && c->parser) {
      /* The HTTP part of this connection is over. */
      free(c->parser->data);
      free(c->parser);
      c->parser = NULL;
    }
  }
  return used;
}

/* A compressed message is inflated into a buffer of its own, no larger
 * than a message may be: a small frame that inflates without end (a bomb)
 * stops at the bound and closes the connection as too big. */
static void handle_deflated(http_conn *c, const ws_frame_result *f) {
  sbuf msg = SBUF_INIT;
  int rc = ws_inflate_message(f->data, f->len, c->srv->max_ws_message, &msg);
  if (rc) {
    c->failed = 1;
    http_conn_close(c, rc == -2 ? 1009 : 1007);
  } else {
    c->srv->handler->on_ws_message(c, msg.data ? msg.data : "", msg.len, f->kind == WS_BINARY);
  }
  sbuf_free(&msg);
}

static void handle_ws_frame(http_conn *c, const ws_frame_result *f) {
  switch (f->kind) {
    case WS_TEXT:
    case WS_BINARY:
      if (f->compressed)
        handle_deflated(c, f);
      else
        c->srv->handler->on_ws_message(c, f->data, f->len, f->kind == WS_BINARY);
      break;
    case WS_PING:
      http_ws_send(c, WS_PONG, f->data, f->len);
      break;
    case WS_CLOSE:
      http_conn_close(c, f->close_code == 1005 ? 1000 : f->close_code);
      break;
    default:
      break;
  }
}

static size_t parse_ws(http_conn *c, const char *p, size_t n) {
  size_t used = 0;
  while (used < n && !c->closing && !c->close_after_write) {
    uint64_t plen = 0;
    uint64_t size = ws_frame_size((const uint8_t *)p + used, n - used, &plen);
    if (!size) break;
    if (plen > c->srv->max_ws_message) {
      c->failed = 1;
      http_conn_close(c, 1009);
      return n;
    }
    if (size > n - used) break;
    ws_frame_result f;
    if (ws_read_frame(c->ws, (const uint8_t *)p + used, (size_t)size, 1,
                      c->srv->max_ws_message, &f)) {
      c->failed = 1;
      http_conn_close(c, f.close_code);
      return n;
    }
    used += (size_t)size;
    handle_ws_frame(c, &f);
  }
  return used;
}

static size_t parse_any(http_conn *c, const char *p, size_t n) {
  size_t used = 0;
  if (!c->websocket) used = parse_http(c, p, n);
  /* Frames may follow the upgrade request in the same read. */
  if (c->websocket && used < n) used += parse_ws(c, p + used, n - used);
  return used;
}

static void process_input(http_conn *c) {
  size_t used = parse_any(c, c->in.data, c->in.len);
  if (c->closing) return;
  sbuf_consume(&c->in, used);
  if (c->in.len == 0) sbuf_free(&c->in);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  (void)h;
  (void)hint;
  *b = uv_buf_init(read_buf_, sizeof(read_buf_));
}

/* Plain bytes from the peer. */
static void take_input(http_conn *c, const char *p, size_t n) {
  if (c->in.len || c->awaiting_response) {
    /* Keep what arrives while a request is answered, within bounds. */
    if (c->in.len + n > c->srv->max_body + MAX_HEADER_BYTES || sbuf_append(&c->in, p, n)) {
      conn_really_close(c);
      return;
    }
    if (!c->awaiting_response) process_input(c);
    return;
  }
  size_t used = parse_any(c, p, n);
  if (!c->closing && used < n && sbuf_append(&c->in, p + used, n - used)) conn_really_close(c);
}

/* TLS records from the peer: the handshake, then plain bytes. A peer that
 * does not speak TLS (plain HTTP on the HTTPS port, garbage) fails the
 * handshake and is closed, as Node's TLS server does. */
static void take_tls_input(http_conn *c, const char *p, size_t n) {
  if (tls_session_feed(c->tls, p, n)) {
    conn_really_close(c);
    return;
  }
  mark_dirty(c); /* the handshake's answer, or records the reading made */
  if (!tls_session_ready(c->tls) && tls_session_handshake(c->tls) < 0) {
    c->failed = 1;
    conn_really_close(c);
    return;
  }
  int m = 0;
  while (!c->closing && (m = tls_session_read(c->tls, plain_buf_, sizeof(plain_buf_))) > 0)
    take_input(c, plain_buf_, (size_t)m);
  if (m < 0 && !c->closing) {
    c->failed = m == TLS_SESSION_FAILED;
    conn_really_close(c);
  }
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  http_conn *c = s->data;
  if (n < 0) {
    conn_really_close(c);
    return;
  }
  if (n == 0) return;
  c->last_active = uv_now(c->srv->loop);
  if (c->tls)
    take_tls_input(c, b->base, (size_t)n);
  else
    take_input(c, b->base, (size_t)n);
}

/* ---- lifecycle --------------------------------------------------------- */

static void on_conn_closed(uv_handle_t *h) {
  http_conn *c = h->data;
  http_server *s = c->srv;
  sbuf_free(&c->in);
  sbuf_free(&c->out);
  sbuf_free(&c->inflight);
  tls_session_free(c->tls);
  free(c);
  if (--s->open_handles == 0 && s->closing && s->on_closed) s->on_closed(s);
}

static void conn_really_close(http_conn *c) {
  if (c->closing) return;
  c->closing = 1;
  http_server *s = c->srv;
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  s->handler->on_close(c);
  if (s->closing && !s->conns) close_server_handles(s);
  request_free(c->req);
  c->req = NULL;
  if (c->parser) {
    free(c->parser->data);
    free(c->parser);
    c->parser = NULL;
  }
  if (c->ws) {
    ws_reader_free(c->ws);
    free(c->ws);
    c->ws = NULL;
  }
  /* A dirty connection stays on the flush list until flushed; flush()
   * ignores closing connections, and the memory lives until the close
   * callback, which runs after this loop iteration's check phase. */
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

/* A connection on a socket from the listener l, or else on fd. 0, or -1. */
static int conn_open(http_server *s, uv_stream_t *l, uv_os_sock_t fd) {
  http_conn *c = calloc(1, sizeof(*c));
  parse_state *st = calloc(1, sizeof(*st));
  llhttp_t *parser = malloc(sizeof(*parser));
  if (!c || !st || !parser || uv_tcp_init(s->loop, &c->tcp)) {
    free(c);
    free(st);
    free(parser);
    return -1;
  }
  c->srv = s;
  c->tcp.data = c;
  s->open_handles++;
  if (l ? uv_accept(l, (uv_stream_t *)&c->tcp) : uv_tcp_open(&c->tcp, fd)) {
    free(st);
    free(parser);
    c->closing = 1;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    return -1;
  }
  if (l && s->tls && !(c->tls = tls_session_new(s->tls, 1))) {
    free(st);
    free(parser);
    c->closing = 1;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    return -1;
  }
  llhttp_init(parser, HTTP_REQUEST, settings());
  st->conn = c;
  parser->data = st;
  c->parser = parser;
  c->next = s->conns;
  if (s->conns) s->conns->prev = c;
  s->conns = c;
  c->last_active = c->request_start = uv_now(s->loop);
  uv_tcp_nodelay(&c->tcp, 1);
  if (!s->paused && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read))
    conn_really_close(c);
  return 0;
}

static void on_connection(uv_stream_t *l, int status) {
  if (status >= 0) conn_open(l->data, l, -1);
}

int http_server_adopt(http_server *s, uv_os_sock_t fd) { return conn_open(s, NULL, fd); }

static void peer_name(http_conn *c, char *out, size_t cap) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  out[0] = 0;
  if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len)) return;
  if (ss.ss_family == AF_INET6)
    uv_ip6_name((struct sockaddr_in6 *)&ss, out, cap);
  else
    uv_ip4_name((struct sockaddr_in *)&ss, out, cap);
}

#define CLOSE_GRACE_MS 2000

/* Node's headersTimeout and requestTimeout run from the start of a request
 * (from the accept for the first one), however the bytes trickle in: a
 * peer that sends a byte now and then, or nothing at all, holds no
 * connection past them. An idle keep-alive connection waits for
 * keepAliveTimeout instead. 0 turns a timeout off. */
static void sweep_request(http_conn *c, uint64_t now) {
  http_server *s = c->srv;
  if (c->req || !c->had_request) {
    int in_body = c->req && ((parse_state *)c->parser->data)->in_body;
    uint64_t limit = in_body ? s->request_timeout_ms : s->headers_timeout_ms;
    if (limit && now - c->request_start > limit) fail_request(c, 408);
  } else if (now - c->last_active > s->keep_alive_ms) {
    conn_really_close(c);
  }
}

static void on_sweep(uv_timer_t *t) {
  http_server *s = t->data;
  uint64_t now = uv_now(s->loop);
  http_conn *c = s->conns;
  while (c) {
    http_conn *n = c->next;
    if (s->closing && now - s->closing_since > CLOSE_GRACE_MS) {
      conn_really_close(c);
    } else if (!c->websocket && !c->awaiting_response && !c->closing && !c->close_after_write) {
      sweep_request(c, now);
    }
    c = n;
  }
}

static void on_server_handle_closed(uv_handle_t *h) {
  http_server *s = h->data;
  if (--s->open_handles == 0 && s->closing && s->on_closed) s->on_closed(s);
}

int http_server_listen(http_server *s, uv_loop_t *loop, const char *host, int port) {
  int rc;
  /* Set first: a server that failed to listen is still closed later. */
  s->loop = loop;
  s->listener_closed = s->handles_closed = 1; /* until they exist */
  if ((rc = uv_tcp_init(loop, &s->listener))) return rc;
  s->listener.data = s;
  s->open_handles = 1;
  if ((rc = http_server_bind(&s->listener, host, port, s->reuse_port)) ||
      (rc = uv_listen((uv_stream_t *)&s->listener, 511, on_connection))) {
    uv_close((uv_handle_t *)&s->listener, NULL);
    s->open_handles = 0;
    return rc;
  }
  uv_check_init(loop, &s->flusher);
  s->flusher.data = s;
  uv_check_start(&s->flusher, on_check);
  uv_prepare_init(loop, &s->flusher_before_poll);
  s->flusher_before_poll.data = s;
  uv_prepare_start(&s->flusher_before_poll, on_prepare);
  uv_timer_init(loop, &s->sweeper);
  s->sweeper.data = s;
  uv_timer_start(&s->sweeper, on_sweep, 1000, 1000);
  uv_unref((uv_handle_t *)&s->sweeper);
  s->open_handles = 4;
  s->listener_closed = s->handles_closed = 0;
  return 0;
}

int http_server_port(http_server *s) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len)) return -1;
  if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void close_server_handles(http_server *s) {
  if (s->handles_closed) return;
  s->handles_closed = 1;
  while (s->nspare_out) sbuf_free(&s->spare_out[--s->nspare_out]);
  uv_close((uv_handle_t *)&s->flusher, on_server_handle_closed);
  uv_close((uv_handle_t *)&s->flusher_before_poll, on_server_handle_closed);
  uv_close((uv_handle_t *)&s->sweeper, on_server_handle_closed);
}

void http_server_stop_accepting(http_server *s) {
  if (s->listener_closed) return;
  s->listener_closed = 1;
  uv_close((uv_handle_t *)&s->listener, on_server_handle_closed);
}

void http_server_close(http_server *s) {
  if (s->closing) return;
  s->closing = 1;
  s->closing_since = uv_now(s->loop);
  http_server_stop_accepting(s);
  http_conn *c = s->conns;
  while (c) {
    http_conn *n = c->next;
    /* Queued output (close frames, last responses) goes out first; the
     * sweeper ends whatever is still stuck after a grace period. */
    if (c->out.len || c->writing) {
      c->close_after_write = 1;
      mark_dirty(c);
    } else {
      conn_really_close(c);
    }
    c = n;
  }
  if (!s->conns) close_server_handles(s);
}

void http_server_abort(http_server *s) {
  s->closing = 1;
  http_server_stop_accepting(s);
  while (s->conns) conn_really_close(s->conns);
  close_server_handles(s);
}

void http_server_pause(http_server *s) {
  if (s->paused) return;
  s->paused = 1;
  for (http_conn *c = s->conns; c; c = c->next) uv_read_stop((uv_stream_t *)&c->tcp);
}

void http_server_resume(http_server *s) {
  if (!s->paused) return;
  s->paused = 0;
  http_conn *c = s->conns;
  while (c) {
    http_conn *n = c->next;
    if (!c->closing && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read))
      conn_really_close(c);
    c = n;
  }
}
