#include "eio_client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/http_client.h"
#include "../net/url.h"
#include "../net/ws_frame.h"
#include "../util/random_id.h"
#include "../util/sbuf.h"
#include "eio_client_open.h"
#include "eio_packet.h"

/* What we accept from a server in one response or message. Nothing in the
 * protocol bounds what a server sends; this is the ws library's default
 * for clients, so no server that works with engine.io-client is refused. */
#define MAX_INCOMING (100u * 1024 * 1024)
/* How long a close over polling waits for the POST carrying "1". */
#define CLOSE_GRACE_MS 2000

enum { ST_OPENING, ST_OPEN, ST_CLOSING, ST_CLOSED };
enum { T_POLLING, T_WEBSOCKET };
enum { PROBE_NONE, PROBE_SENT, PROBE_PAUSING };

struct eio_client {
  uv_loop_t *loop;
  eio_client_handler h;
  void *data;
  url_parts url;
  char *path, *query, *extra_headers, *ca_file, *host_header;
  int allow_polling, allow_websocket, upgrade, verify;
  int per_message_deflate;
  size_t deflate_threshold;
  tls_configs *tls_configs;
  int state, transport, opened;
  char *sid;
  uint64_t ping_interval, ping_timeout;
  size_t max_payload;
  int server_upgrades; /* the open packet lists websocket */
  http_client *get, *post, *ws, *probe;
  int polling, posting; /* a GET / a POST waits for its response */
  int close_sent;       /* "1" went out in the POST in flight */
  int probe_state;
  int paused;           /* back-pressure: the owner takes no more for now */
  rbuf **queue;         /* packets not written yet */
  size_t qlen, qcap;
  sbuf scratch;
  uv_timer_t connect_timer, ping_timer, close_timer;
  const char *pending_reason; /* for close_timer */
  int open_handles;
};

static void finish(eio_client *c, const char *reason);
static void flush(eio_client *c);
static void start_poll(eio_client *c);

/* ---- small helpers ---------------------------------------------------------- */

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int active(const eio_client *c) { return c->state == ST_OPENING || c->state == ST_OPEN; }

/* path?EIO=4&transport=...[&sid=...][&t=...][&query] */
static char *target(eio_client *c, int websocket) {
  sbuf t = SBUF_INIT;
  int rc = sbuf_printf(&t, "%s?EIO=4&transport=%s", c->path, websocket ? "websocket" : "polling");
  if (c->sid) {
    /* The server chose the sid: it goes into the request line escaped. */
    rc |= sbuf_puts(&t, "&sid=");
    for (const char *p = c->sid; *p; p++) {
      unsigned char ch = (unsigned char)*p;
      if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
        rc |= sbuf_putc(&t, (char)ch);
      else
        rc |= sbuf_printf(&t, "%%%02X", ch);
    }
  }
  if (!websocket) {
    /* A cache buster, as engine.io-client adds to polling requests. */
    char id[RANDOM_ID_LEN + 1];
    random_id(id);
    id[8] = 0;
    rc |= sbuf_printf(&t, "&t=%s", id);
  }
  if (c->query && c->query[0]) rc |= sbuf_printf(&t, "&%s", c->query);
  if (rc) {
    sbuf_free(&t);
    return NULL;
  }
  return t.data;
}

static int enqueue(eio_client *c, rbuf *pkt) {
  return rbuf_queue_push(&c->queue, &c->qlen, &c->qcap, 8, pkt);
}

static void drop_front(eio_client *c, size_t n) {
  if (!n) return;
  for (size_t i = 0; i < n; i++) rbuf_unref(c->queue[i]);
  memmove(c->queue, c->queue + n, (c->qlen - n) * sizeof(*c->queue));
  c->qlen -= n;
}

static int send_control(eio_client *c, int type, const char *data) {
  rbuf *p = eio_encode(type, data, strlen(data));
  if (!p) return -1;
  int rc = enqueue(c, p);
  rbuf_unref(p);
  return rc;
}

/* A failure before the open packet names the transport, as engine.io-client
 * does ("xhr poll error", "websocket error"), with the cause after it. */
static void fail(eio_client *c, const char *what, const char *detail) {
  if (c->state == ST_CLOSING) {
    finish(c, "forced close"); /* the owner asked for the end already */
  } else if (c->state == ST_OPENING) {
    char reason[320];
    snprintf(reason, sizeof(reason), "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    finish(c, reason);
  } else {
    finish(c, "transport error");
  }
}

/* ---- packets from the server ------------------------------------------------------ */

static void on_ping_timer(uv_timer_t *t) { finish(t->data, "ping timeout"); }

static void reset_ping_timer(eio_client *c) {
  if (c->paused) return;
  uv_timer_start(&c->ping_timer, on_ping_timer, c->ping_interval + c->ping_timeout, 0);
}

static void start_probe(eio_client *c);

static void on_open_packet(eio_client *c, const eio_packet *p) {
  if (c->state != ST_OPENING) return;
  eio_open_info info;
  if (eio_open_parse(p->data, p->len, &info)) {
    finish(c, "parse error");
    return;
  }
  c->sid = info.sid;
  c->ping_interval = info.ping_interval;
  c->ping_timeout = info.ping_timeout;
  c->max_payload = info.max_payload;
  c->server_upgrades = info.websocket_upgrade;
  c->state = ST_OPEN;
  c->opened = 1;
  uv_timer_stop(&c->connect_timer);
  reset_ping_timer(c);
  c->h.on_open(c);
  if (c->state != ST_OPEN) return;
  if (c->transport == T_POLLING && c->upgrade && c->allow_websocket && c->server_upgrades)
    start_probe(c);
  flush(c);
}

static void handle_packet(eio_client *c, const eio_packet *p) {
  switch (p->type) {
    case EIO_OPEN:
      on_open_packet(c, p);
      break;
    case EIO_CLOSE:
      finish(c, "transport close");
      break;
    case EIO_PING:
      if (c->state != ST_OPEN) break;
      reset_ping_timer(c);
      send_control(c, EIO_PONG, "");
      flush(c);
      break;
    case EIO_MESSAGE:
      if (c->state == ST_OPEN) c->h.on_message(c, p->data, p->len, p->binary);
      break;
    default:
      break;
  }
}

/* ---- long-polling ----------------------------------------------------------------- */

static void on_get_response(http_client *hc, int status, const char *body, size_t len) {
  eio_client *c = http_client_data(hc);
  c->polling = 0;
  if (status != 200) {
    char detail[32];
    snprintf(detail, sizeof(detail), "HTTP %d", status);
    fail(c, "xhr poll error", detail);
    return;
  }
  if (c->state == ST_OPENING) {
    /* The handshake's answer must start with the open packet. */
    if (len == 0 || body[0] != '0') {
      finish(c, "parse error");
      return;
    }
  }
  size_t pos = 0;
  eio_packet p;
  int rc;
  while (active(c) && (rc = eio_payload_next(body, len, &pos, &c->scratch, &p)) != 0) {
    if (rc < 0) {
      finish(c, "parse error");
      return;
    }
    handle_packet(c, &p);
  }
  if (c->state != ST_OPEN || c->transport != T_POLLING) return;
  if (c->probe_state == PROBE_PAUSING) {
    flush(c); /* finishes the upgrade once no POST is in flight either */
    return;
  }
  start_poll(c);
}

static void on_post_response(http_client *hc, int status, const char *body, size_t len) {
  eio_client *c = http_client_data(hc);
  (void)body;
  (void)len;
  c->posting = 0;
  if (c->state == ST_CLOSING && c->close_sent) {
    finish(c, "forced close");
    return;
  }
  if (status != 200) {
    char detail[32];
    snprintf(detail, sizeof(detail), "HTTP %d", status);
    fail(c, "xhr post error", detail);
    return;
  }
  flush(c);
}

static void on_polling_end(http_client *hc, const char *error) {
  eio_client *c = http_client_data(hc);
  if (c->state == ST_CLOSING && hc == c->post && c->close_sent) {
    finish(c, "forced close");
    return;
  }
  if (hc == c->post) c->posting = 0;
  else c->polling = 0;
  fail(c, hc == c->post ? "xhr post error" : "xhr poll error",
       error ? error : "connection closed");
}

static const http_client_handler polling_handler_get = {on_get_response, NULL, NULL,
                                                        on_polling_end};
static const http_client_handler polling_handler_post = {on_post_response, NULL, NULL,
                                                         on_polling_end};

static http_client *new_http(eio_client *c, const http_client_handler *h) {
  http_client_options o = {
      {c->url.host, c->url.port, c->url.secure, c->ca_file, c->verify, c->tls_configs},
      c->host_header, MAX_INCOMING, c->per_message_deflate};
  return http_client_new(c->loop, &o, h, c);
}

static void start_poll(eio_client *c) {
  if (c->polling || !active(c) || (c->paused && c->state == ST_OPEN)) return;
  if (!c->get) c->get = new_http(c, &polling_handler_get);
  char *t = target(c, 0);
  if (!c->get || !t || http_client_request(c->get, "GET", t, c->extra_headers, NULL, 0)) {
    free(t);
    fail(c, "xhr poll error", "out of memory");
    return;
  }
  free(t);
  c->polling = 1;
}

/* POSTs what is queued: as many packets as fit in maxPayload (at least
 * one), joined by the record separator. */
static void post_queue(eio_client *c) {
  if (c->posting || !c->qlen) return;
  sbuf body = SBUF_INIT;
  size_t n = 0;
  int close_in_batch = 0;
  while (n < c->qlen) {
    size_t before = body.len;
    if (eio_payload_append(&body, c->queue[n])) break;
    if (n && body.len > c->max_payload) {
      body.len = before;
      break;
    }
    if (!c->queue[n]->binary && c->queue[n]->len == 1 && c->queue[n]->data[0] == '0' + EIO_CLOSE)
      close_in_batch = 1;
    n++;
  }
  if (!c->post) c->post = new_http(c, &polling_handler_post);
  char *t = target(c, 0);
  sbuf headers = SBUF_INIT;
  int rc = sbuf_printf(&headers, "Content-Type: text/plain;charset=UTF-8\r\n%s",
                       c->extra_headers ? c->extra_headers : "");
  rc = rc || !n || !c->post || !t ||
       http_client_request(c->post, "POST", t, headers.data, body.data, body.len);
  free(t);
  sbuf_free(&headers);
  sbuf_free(&body);
  if (rc) {
    fail(c, "xhr post error", "out of memory");
    return;
  }
  drop_front(c, n);
  c->posting = 1;
  c->close_sent = close_in_batch;
}

/* ---- WebSocket, and the probe of an upgrade -------------------------------------- */

static int ws_send_packet(http_client *ws, const rbuf *pkt) {
  const eio_client *c = http_client_data(ws);
  int opcode = pkt->binary ? WS_BINARY : WS_TEXT;
  if (!pkt->no_compress && pkt->len >= c->deflate_threshold)
    return http_client_ws_send_deflated(ws, opcode, pkt->data, pkt->len);
  return http_client_ws_send(ws, opcode, pkt->data, pkt->len);
}

static void abandon_probe(eio_client *c) {
  if (c->probe) http_client_close(c->probe, 0);
  c->probe = NULL;
  c->probe_state = PROBE_NONE;
}

/* The probe failed: polling goes on as if nothing had happened. */
static void probe_failed(eio_client *c) {
  abandon_probe(c);
  if (c->state != ST_OPEN || c->transport != T_POLLING) return;
  start_poll(c);
  flush(c);
}

static void on_ws_open(http_client *hc) {
  eio_client *c = http_client_data(hc);
  if (hc != c->probe) return; /* a WebSocket-only session waits for "0" */
  if (http_client_ws_send(hc, WS_TEXT, "2probe", 6)) {
    probe_failed(c);
    return;
  }
  c->probe_state = PROBE_SENT;
}

static void on_probe_message(eio_client *c, const char *data, size_t len, int binary) {
  if (binary || c->probe_state != PROBE_SENT || len != 6 || memcmp(data, "3probe", 6) != 0) {
    probe_failed(c);
    return;
  }
  /* Polling pauses: the pending GET must come back (the server answers it
   * with a noop) and the POST in flight must finish before the switch. */
  c->probe_state = PROBE_PAUSING;
  flush(c);
}

static void on_ws_message(http_client *hc, const char *data, size_t len, int binary) {
  eio_client *c = http_client_data(hc);
  if (hc == c->probe) {
    on_probe_message(c, data, len, binary);
    return;
  }
  eio_packet p = {EIO_MESSAGE, 1, data, len};
  if (!binary && eio_decode_text(data, len, &p)) {
    finish(c, "parse error");
    return;
  }
  if (c->state == ST_OPENING && p.type != EIO_OPEN) {
    finish(c, "parse error");
    return;
  }
  handle_packet(c, &p);
}

static void on_ws_end(http_client *hc, const char *error) {
  eio_client *c = http_client_data(hc);
  if (hc == c->probe) {
    probe_failed(c);
    return;
  }
  if (c->state == ST_OPENING) {
    fail(c, "websocket error", error ? error : "connection closed");
    return;
  }
  if (c->state == ST_CLOSING) {
    finish(c, "forced close");
    return;
  }
  finish(c, error ? "transport error" : "transport close");
}

static const http_client_handler websocket_handler = {NULL, on_ws_open, on_ws_message, on_ws_end};

static void start_websocket(eio_client *c) {
  c->transport = T_WEBSOCKET;
  c->ws = new_http(c, &websocket_handler);
  if (c->ws && c->paused) http_client_pause(c->ws);
  char *t = target(c, 1);
  if (!c->ws || !t || http_client_websocket(c->ws, t, c->extra_headers)) {
    free(t);
    fail(c, "websocket error", "out of memory");
    return;
  }
  free(t);
}

static void start_probe(eio_client *c) {
  c->probe = new_http(c, &websocket_handler);
  char *t = target(c, 1);
  if (!c->probe || !t || http_client_websocket(c->probe, t, c->extra_headers)) abandon_probe(c);
  free(t);
}

static void finish_upgrade(eio_client *c) {
  if (http_client_ws_send(c->probe, WS_TEXT, "5", 1)) {
    probe_failed(c);
    return;
  }
  c->ws = c->probe;
  c->probe = NULL;
  if (c->paused) http_client_pause(c->ws);
  c->probe_state = PROBE_NONE;
  c->transport = T_WEBSOCKET;
  /* Both polling connections are idle now. */
  if (c->get) http_client_close(c->get, 1);
  if (c->post) http_client_close(c->post, 1);
  c->get = c->post = NULL;
}

/* ---- writing ------------------------------------------------------------------------ */

static void flush(eio_client *c) {
  if (c->state != ST_OPEN && c->state != ST_CLOSING) return;
  if (c->transport == T_POLLING) {
    if (c->probe_state == PROBE_PAUSING) {
      if (c->polling || c->posting) return;
      finish_upgrade(c);
      if (c->transport != T_WEBSOCKET) return;
    } else {
      post_queue(c);
      return;
    }
  }
  if (!c->ws) return;
  for (size_t i = 0; i < c->qlen; i++) {
    if (ws_send_packet(c->ws, c->queue[i])) {
      finish(c, "transport error");
      return;
    }
  }
  drop_front(c, c->qlen);
}

/* ---- the end ------------------------------------------------------------------------- */

static void free_client(eio_client *c) {
  url_parts_free(&c->url);
  free(c->path);
  free(c->query);
  free(c->extra_headers);
  free(c->ca_file);
  free(c->host_header);
  free(c->sid);
  free(c->queue);
  sbuf_free(&c->scratch);
  free(c);
}

static void on_handle_closed(uv_handle_t *h) {
  eio_client *c = h->data;
  if (--c->open_handles == 0) free_client(c);
}

static void drop_connections(eio_client *c) {
  abandon_probe(c);
  http_client *conns[] = {c->get, c->post, c->ws};
  c->get = c->post = c->ws = NULL;
  for (size_t i = 0; i < 3; i++)
    if (conns[i]) http_client_close(conns[i], 1);
}

/* Closes every connection and timer; the owner hears of it once. */
static void finish(eio_client *c, const char *reason) {
  if (c->state == ST_CLOSED) return;
  c->state = ST_CLOSED;
  drop_connections(c);
  drop_front(c, c->qlen);
  uv_close((uv_handle_t *)&c->connect_timer, on_handle_closed);
  uv_close((uv_handle_t *)&c->ping_timer, on_handle_closed);
  uv_close((uv_handle_t *)&c->close_timer, on_handle_closed);
  /* The memory lives on until the timers' close callbacks: the owner may
   * look at c during on_close, and callers up the stack may too. */
  c->h.on_close(c, reason, c->opened);
}

static void on_connect_timeout(uv_timer_t *t) { finish(t->data, "timeout"); }

static void on_close_timer(uv_timer_t *t) {
  eio_client *c = t->data;
  finish(c, c->pending_reason);
}

static void finish_soon(eio_client *c, const char *reason, uint64_t delay_ms) {
  c->pending_reason = reason;
  uv_timer_start(&c->close_timer, on_close_timer, delay_ms, 0);
}

/* ---- the API ---------------------------------------------------------------------------- */

static char *make_host_header(const url_parts *u) {
  sbuf h = SBUF_INIT;
  int v6 = strchr(u->host, ':') != NULL;
  int rc = sbuf_printf(&h, v6 ? "[%s]" : "%s", u->host);
  if (!u->default_port) rc |= sbuf_printf(&h, ":%d", u->port);
  if (rc) {
    sbuf_free(&h);
    return NULL;
  }
  return h.data;
}

eio_client *eio_client_connect(uv_loop_t *loop, const eio_client_options *o,
                               const eio_client_handler *h, void *data) {
  if (!o->url || (!o->allow_polling && !o->allow_websocket)) return NULL;
  eio_client *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  if (url_parse(o->url, &c->url)) {
    free(c);
    return NULL;
  }
  c->loop = loop;
  c->h = *h;
  c->data = data;
  c->path = strdup(o->path ? o->path : "/engine.io/");
  c->query = dup_or_null(o->query);
  c->extra_headers = dup_or_null(o->extra_headers);
  c->ca_file = dup_or_null(o->tls_ca_file);
  c->host_header = make_host_header(&c->url);
  c->allow_polling = o->allow_polling;
  c->allow_websocket = o->allow_websocket;
  c->upgrade = o->upgrade;
  c->verify = o->tls_verify;
  c->per_message_deflate = o->per_message_deflate;
  c->deflate_threshold = o->deflate_threshold;
  c->tls_configs = o->tls_configs;
  c->max_payload = SIZE_MAX;
  if (!c->path || !c->host_header || (o->query && !c->query) ||
      (o->extra_headers && !c->extra_headers) || (o->tls_ca_file && !c->ca_file)) {
    free_client(c);
    return NULL;
  }
  uv_timer_t *timers[] = {&c->connect_timer, &c->ping_timer, &c->close_timer};
  for (size_t i = 0; i < 3; i++) {
    uv_timer_init(loop, timers[i]);
    timers[i]->data = c;
  }
  c->open_handles = 3;
  if (o->timeout_ms) uv_timer_start(&c->connect_timer, on_connect_timeout, o->timeout_ms, 0);
  if (o->allow_polling)
    start_poll(c);
  else
    start_websocket(c);
  return c;
}

void *eio_client_data(const eio_client *c) { return c->data; }

int eio_client_send(eio_client *c, rbuf *pkt) {
  if (!active(c)) return -1;
  if (enqueue(c, pkt)) return -1;
  flush(c);
  return 0;
}

int eio_client_writable(const eio_client *c) {
  if (c->state != ST_OPEN) return 0;
  if (c->transport == T_WEBSOCKET) return c->ws && http_client_idle(c->ws);
  return !c->posting && c->qlen == 0 && c->probe_state != PROBE_PAUSING;
}

void eio_client_pause(eio_client *c) {
  if (c->paused || !active(c)) return;
  c->paused = 1;
  uv_timer_stop(&c->ping_timer);
  if (c->ws) http_client_pause(c->ws);
  /* The GET in flight is answered with everything the server has queued:
   * its response waits in the server too. */
  if (c->get) http_client_pause(c->get);
}

void eio_client_resume(eio_client *c) {
  if (!c->paused) return;
  c->paused = 0;
  if (!active(c)) return;
  if (c->ws) http_client_resume(c->ws);
  if (c->get) http_client_resume(c->get);
  if (c->state != ST_OPEN) return;
  reset_ping_timer(c);
  if (c->transport == T_POLLING && c->probe_state != PROBE_PAUSING) start_poll(c);
}

void eio_client_close(eio_client *c) {
  if (c->state == ST_OPENING) {
    c->state = ST_CLOSING;
    drop_connections(c);
    finish_soon(c, "forced close", 0);
    return;
  }
  if (c->state != ST_OPEN) return;
  c->state = ST_CLOSING;
  uv_timer_stop(&c->ping_timer);
  if (c->probe_state == PROBE_PAUSING || c->probe) {
    /* Closing beats upgrading: polling resumes only to carry the close. */
    abandon_probe(c);
  }
  send_control(c, EIO_CLOSE, "");
  if (c->transport == T_WEBSOCKET) {
    flush(c);
    finish_soon(c, "forced close", 0);
    return;
  }
  flush(c);
  finish_soon(c, "forced close", CLOSE_GRACE_MS);
}

const char *eio_client_transport(const eio_client *c) {
  return c->transport == T_WEBSOCKET ? "websocket" : "polling";
}

const char *eio_client_sid(const eio_client *c) { return c->sid; }
