#include "eio_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/http_headers.h"
#include "../net/ws_deflate.h"
#include "eio3.h"
#include "eio_packet.h"

static void on_heartbeat(uv_timer_t *t);

eio_session *eio_session_new(eio_server *srv, int transport) {
  eio_session *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->srv = srv;
  s->transport = transport;
  s->state = SESSION_OPEN;
  do random_id(s->sid);
  while (strmap_get(&srv->sessions, s->sid));
  if (strmap_put(&srv->sessions, s->sid, s)) {
    free(s);
    return NULL;
  }
  uv_timer_init(srv->http.loop, &s->heartbeat);
  s->heartbeat.data = s;
  return s;
}

/* What pkt adds to a polling response: a separator, and binary goes as
 * "b" + base64 (v3: a length field of up to 20 digits and its end, and
 * "b4" + base64). */
static size_t payload_size(const eio_session *s, const rbuf *pkt) {
  return (s->eio3 ? 22 : 1) + (pkt->binary ? 1 + (pkt->len + 2) / 3 * 4 : pkt->len);
}

/* Queued packets are held to the bound of a WebSocket's unwritten output
 * (the server's max_out), less room for the headers of the response that
 * takes them, which must itself fit under that bound: a CORS header may
 * echo a request header. */
static size_t queue_bound(const eio_server *e) {
  return e->http.max_out - 2 * HTTP_MAX_HEADER_BYTES;
}

static void drop_queue(eio_session *s) {
  for (size_t i = 0; i < s->qlen; i++) rbuf_unref(s->queue[i]);
  free(s->queue);
  s->queue = NULL;
  s->qlen = s->qcap = 0;
  s->queued_bytes = 0;
}

static void schedule_flush(eio_session *s) {
  if (s->in_flush_list) return;
  s->in_flush_list = 1;
  s->flush_next = s->srv->flush_list;
  s->srv->flush_list = s;
}

/* A client that lets this much pile up is not fetching it: the session
 * ends with "transport error", as a WebSocket whose reader fell that far
 * behind does. Not from inside this send, though (a broadcast may be walking
 * its recipients): at the flush after this loop iteration. The packets go
 * now. */
static void overflow(eio_session *s) {
  s->overflowed = 1;
  drop_queue(s);
  schedule_flush(s);
}

static int queue_packet(eio_session *s, rbuf *pkt) {
  size_t size = payload_size(s, pkt);
  if (s->queued_bytes + size > queue_bound(s->srv)) {
    overflow(s);
    return -1;
  }
  if (rbuf_queue_push(&s->queue, &s->qlen, &s->qcap, 4, pkt)) return -1;
  s->queued_bytes += size;
  return 0;
}

/* With permessage-deflate, a packet of the threshold's size or more goes
 * deflated unless its emit said compress(false); the deflated bytes are
 * made once for all the recipients of a broadcast. A v3 client's binary
 * frame starts with the type byte: that copy is its own (and goes
 * uncompressed), the shared packet stays as every other recipient needs it. */
static int ws_send_packet(const eio_session *s, http_conn *ws, rbuf *pkt) {
  int opcode = pkt->binary ? WS_BINARY : WS_TEXT;
  if (s->eio3 && pkt->binary) {
    sbuf frame = SBUF_INIT;
    int rc = eio3_binary_frame(&frame, pkt) ? -1 : http_ws_send(ws, WS_BINARY, frame.data, frame.len);
    sbuf_free(&frame);
    return rc;
  }
  const eio_options *o = &((eio_server *)ws->srv)->opts;
  if (ws->deflate_bits && !pkt->no_compress && pkt->len >= o->deflate_threshold) {
    const rbuf *d = ws_deflate_shared(pkt, ws->deflate_bits);
    if (d) return http_ws_send_deflated(ws, opcode, d->data, d->len);
  }
  return http_ws_send(ws, opcode, pkt->data, pkt->len);
}

/* Sends a small control packet (ping, pong probe, noop, close). */
static int send_control(eio_session *s, int type, const char *data) {
  rbuf *p = eio_encode(type, data, strlen(data));
  if (!p) return -1;
  int rc = eio_send(s, p);
  rbuf_unref(p);
  return rc;
}

/* engine.io compresses a response unless each of its packets was sent
 * with compress(false); its own packets (ping, noop, close) may be. */
static int poll_compressible(const eio_session *s, size_t n, const char *extra_packet) {
  if (extra_packet) return 1;
  for (size_t i = 0; i < n; i++)
    if (!s->queue[i]->no_compress) return 1;
  return 0;
}

/* Answers a GET with the queued packets (unless with_queue is 0: they then
 * stay for the WebSocket being upgraded to) and one more control packet. */
static void respond_poll(eio_session *s, http_conn *get, int with_queue,
                         const char *extra_packet) {
  sbuf body = SBUF_INIT, headers = SBUF_INIT;
  int rc = 0;
  size_t n = with_queue ? s->qlen : 0;
  int compressible = poll_compressible(s, n, extra_packet);
  /* v3: a binary payload when a binary packet goes to a client that
   * takes one, as engine.io's parser-v3 chooses. */
  int binary_payload = 0;
  for (size_t i = 0; s->eio3 && !s->b64 && i < n; i++) binary_payload |= s->queue[i]->binary;
  int (*append)(sbuf *, const rbuf *) = !s->eio3 ? eio_payload_append
                                        : binary_payload ? eio3_payload_append_binary
                                                         : eio3_payload_append_text;
  for (size_t i = 0; i < n && !rc; i++) rc = append(&body, s->queue[i]);
  if (extra_packet && !rc) {
    rbuf *p = eio_encode(extra_packet[0] - '0', extra_packet + 1, strlen(extra_packet + 1));
    rc = !p || append(&body, p);
    rbuf_unref(p);
  }
  if (with_queue) {
    for (size_t i = 0; i < s->qlen; i++) rbuf_unref(s->queue[i]);
    s->qlen = 0;
    s->queued_bytes = 0;
    if (s->qcap > 16) drop_queue(s);
  }
  if (get->req) rc |= eio_response_headers(s->srv, get->req, s->initial_headers, &headers);
  free(s->initial_headers);
  s->initial_headers = NULL;
  if (get->req && !rc)
    rc = eio_compress_poll_body(s->srv, get->req, compressible, &body, &headers);
  get->session = NULL;
  if (rc)
    http_respond(get, 500, "text/plain", NULL, "", 0);
  else
    http_respond(get, 200,
                 binary_payload ? "application/octet-stream" : "text/plain; charset=UTF-8",
                 headers.data, body.data, body.len);
  sbuf_free(&body);
  sbuf_free(&headers);
}

void eio_session_flush(eio_session *s) {
  s->in_flush_list = 0;
  if (s->state == SESSION_CLOSED) return;
  if (s->overflowed) {
    eio_session_end(s, "transport error");
    return;
  }
  if (!s->get || !s->qlen) return;
  http_conn *get = s->get;
  s->get = NULL;
  respond_poll(s, get, 1, NULL);
}

/* The layer above hears of the end once, and only if it took the session. */
static void notify_closed(eio_session *s, const char *reason) {
  if (!s->data) return;
  s->srv->handler->on_close(s, reason);
  s->data = NULL;
}

static void on_session_freed(uv_handle_t *h) {
  eio_session *s = h->data;
  drop_queue(s);
  free(s->initial_headers);
  free(s);
}

static void on_upgrade_timer_closed(uv_handle_t *h) { free(h); }

static void stop_upgrade_timer(eio_session *s) {
  if (!s->upgrade_timer) return;
  uv_close((uv_handle_t *)s->upgrade_timer, on_upgrade_timer_closed);
  s->upgrade_timer = NULL;
}

void eio_session_end(eio_session *s, const char *reason) {
  if (s->state == SESSION_CLOSED) return;
  /* Only a client that sent the close packet itself gets a noop; everyone
   * else's waiting GET carries the close packet. */
  int closed_by_client = strcmp(reason, "transport close") == 0;
  s->state = SESSION_CLOSED;
  strmap_del(&s->srv->sessions, s->sid);
  uv_timer_stop(&s->heartbeat);
  stop_upgrade_timer(s);
  if (s->get) {
    http_conn *get = s->get;
    s->get = NULL;
    /* Packets that were waiting go alone, as engine.io writes them before
     * it closes: a client handles them before it hears of the close. */
    respond_poll(s, get, 1, s->qlen ? NULL : closed_by_client ? "6" : "1");
  }
  if (s->ws) {
    s->ws->session = NULL;
    http_conn_close(s->ws, 1000);
    s->ws = NULL;
  }
  if (s->probe) {
    s->probe->session = NULL;
    http_conn_close(s->probe, 1000);
    s->probe = NULL;
  }
  notify_closed(s, reason);
  uv_close((uv_handle_t *)&s->heartbeat, on_session_freed);
  /* Last: the server may now close every connection, and the answers
   * written above must be queued on theirs before that. */
  eio_server_session_gone(s->srv);
}

void eio_session_open(eio_session *s) {
  const eio_options *o = &s->srv->opts;
  char open[256];
  int upgrade = s->transport == EIO_POLLING && o->allow_websocket && o->allow_upgrades;
  snprintf(open, sizeof(open),
           "{\"sid\":\"%s\",\"upgrades\":[%s],\"pingInterval\":%llu,\"pingTimeout\":%llu,"
           "\"maxPayload\":%zu}",
           s->sid, upgrade ? "\"websocket\"" : "", (unsigned long long)o->ping_interval,
           (unsigned long long)o->ping_timeout, o->max_payload);
  send_control(s, EIO_OPEN, open);
  /* v3: the client pings, and has pingInterval + pingTimeout for each. */
  uv_timer_start(&s->heartbeat, on_heartbeat,
                 s->eio3 ? o->ping_interval + o->ping_timeout : o->ping_interval, 0);
}

static void on_heartbeat(uv_timer_t *t) {
  eio_session *s = t->data;
  if (s->state == SESSION_CLOSING) {
    /* The close packet never found a GET to ride on. */
    eio_session_end(s, "forced close");
    return;
  }
  if (s->pong_deadline || s->eio3) {
    eio_session_end(s, "ping timeout");
    return;
  }
  s->pong_deadline = uv_now(s->srv->http.loop) + s->srv->opts.ping_timeout;
  send_control(s, EIO_PING, "");
  uv_timer_start(&s->heartbeat, on_heartbeat, s->srv->opts.ping_timeout, 0);
}

static void on_pong(eio_session *s) {
  if (!s->pong_deadline) return;
  s->pong_deadline = 0;
  uv_timer_start(&s->heartbeat, on_heartbeat, s->srv->opts.ping_interval, 0);
}

/* A packet from the client, on whichever transport is in use. */
static void on_packet(eio_session *s, const eio_packet *p) {
  switch (p->type) {
    case EIO_MESSAGE:
      s->srv->handler->on_message(s, p->data, p->len, p->binary);
      break;
    case EIO_PONG:
      /* v3 clients ping, servers do not. */
      if (s->eio3)
        eio_session_end(s, "transport error");
      else
        on_pong(s);
      break;
    case EIO_PING:
      /* Engine.IO v4 servers ping, clients do not. */
      if (!s->eio3) {
        eio_session_end(s, "transport error");
        break;
      }
      uv_timer_start(&s->heartbeat, on_heartbeat,
                     s->srv->opts.ping_interval + s->srv->opts.ping_timeout, 0);
      send_control(s, EIO_PONG, "");
      break;
    case EIO_CLOSE:
      eio_session_end(s, "transport close");
      break;
    default:
      break;
  }
}

void eio_session_poll(eio_session *s, http_conn *c) {
  if (s->get) {
    /* Two GETs at once: the client is confused; refuse and end it all. */
    http_respond(c, 400, "application/json", NULL,
                 "{\"code\":3,\"message\":\"Bad request\"}", 34);
    eio_session_end(s, "transport error");
    return;
  }
  s->get = c;
  c->session = s;
  if (s->state == SESSION_CLOSING) {
    s->get = NULL;
    c->session = NULL;
    respond_poll(s, c, 1, "1");
    eio_session_end(s, "forced close");
    return;
  }
  if (s->probed) {
    /* Upgrading: the client should pause polling; release it. */
    s->get = NULL;
    c->session = NULL;
    respond_poll(s, c, 0, "6");
    return;
  }
  if (s->pong_deadline && uv_now(s->srv->http.loop) > s->pong_deadline) {
    eio_session_end(s, "ping timeout");
    return;
  }
  if (s->qlen) schedule_flush(s);
}

void eio_session_post(eio_session *s, http_conn *c, const char *body, size_t len) {
  sbuf headers = SBUF_INIT, scratch = SBUF_INIT;
  eio_response_headers(s->srv, c->req, NULL, &headers);
  size_t pos = 0;
  eio_packet p;
  int rc;
  int malformed = 0;
  const char *type = c->req ? http_header(c->req, "content-type") : NULL;
  int binary = type && strcmp(type, "application/octet-stream") == 0;
  while (s->state == SESSION_OPEN &&
         (rc = s->eio3 ? eio3_payload_next(body, len, binary, &pos, &scratch, &p)
                       : eio_payload_next(body, len, &pos, &scratch, &p)) != 0) {
    if (rc < 0) {
      malformed = 1;
      break;
    }
    on_packet(s, &p);
  }
  sbuf_free(&scratch);
  http_respond(c, 200, "text/html", headers.data, "ok", 2);
  sbuf_free(&headers);
  if (malformed) eio_session_end(s, "parse error");
}

static void on_upgrade_timeout(uv_timer_t *t) {
  eio_session *s = t->data;
  stop_upgrade_timer(s);
  s->probed = 0;
  if (s->probe) {
    s->probe->session = NULL;
    http_conn_close(s->probe, 1000);
    s->probe = NULL;
  }
}

void eio_session_attach_ws(eio_session *s, http_conn *c) {
  c->session = s;
  if (s->transport == EIO_WEBSOCKET && !s->ws) {
    s->ws = c;
    return;
  }
  s->probe = c;
  s->upgrade_timer = malloc(sizeof(uv_timer_t));
  if (s->upgrade_timer) {
    uv_timer_init(s->srv->http.loop, s->upgrade_timer);
    s->upgrade_timer->data = s;
    uv_timer_start(s->upgrade_timer, on_upgrade_timeout, s->srv->opts.upgrade_timeout, 0);
  }
}

static void finish_upgrade(eio_session *s) {
  stop_upgrade_timer(s);
  s->transport = EIO_WEBSOCKET;
  s->upgraded = 1;
  s->probed = 0;
  s->ws = s->probe;
  s->probe = NULL;
  if (s->srv->handler->on_upgrade) s->srv->handler->on_upgrade(s);
  if (s->get) {
    http_conn *get = s->get;
    s->get = NULL;
    /* What the GET would have carried now goes over the WebSocket. */
    respond_poll(s, get, 0, "6");
  }
  for (size_t i = 0; i < s->qlen; i++) {
    ws_send_packet(s, s->ws, s->queue[i]);
  }
  drop_queue(s);
  /* Closing while the client upgraded: its polling is paused and no GET
   * will come for the close packet. As engine.io, the WebSocket took what
   * was queued; it now closes. */
  if (s->state == SESSION_CLOSING) eio_session_end(s, "forced close");
}

static void on_probe_message(eio_session *s, http_conn *c, const char *data, size_t len,
                             int binary) {
  eio_packet p;
  if (!binary && eio_decode_text(data, len, &p) == 0) {
    if (p.type == EIO_PING && p.len == 5 && memcmp(p.data, "probe", 5) == 0) {
      rbuf *pong = eio_encode(EIO_PONG, "probe", 5);
      if (pong) ws_send_packet(s, c, pong);
      rbuf_unref(pong);
      s->probed = 1;
      if (s->get) {
        http_conn *get = s->get;
        s->get = NULL;
        respond_poll(s, get, 0, "6");
      }
      return;
    }
    if (p.type == EIO_UPGRADE && s->probed) {
      finish_upgrade(s);
      return;
    }
  }
  s->probe = NULL;
  c->session = NULL;
  stop_upgrade_timer(s);
  s->probed = 0;
  http_conn_close(c, 1000);
}

void eio_session_ws_message(eio_session *s, http_conn *c, const char *data, size_t len,
                            int binary) {
  if (s->state == SESSION_CLOSED) return;
  /* A probe still upgrades while the session lingers to close (engine.io
   * upgrades a "closing" socket): a client that paused polling for it
   * sends no more GETs, the WebSocket then carries the end. */
  if (c == s->probe) {
    on_probe_message(s, c, data, len, binary);
    return;
  }
  if (s->state != SESSION_OPEN) return;
  if (c != s->ws) return;
  eio_packet p;
  if (binary && s->eio3) {
    if (eio3_decode_binary_frame(data, len, &p)) {
      eio_session_end(s, "parse error");
      return;
    }
  } else if (binary) {
    p.type = EIO_MESSAGE;
    p.binary = 1;
    p.data = data;
    p.len = len;
  } else if (eio_decode_text(data, len, &p)) {
    eio_session_end(s, "parse error");
    return;
  }
  on_packet(s, &p);
}

void eio_session_conn_closed(eio_session *s, http_conn *c) {
  c->session = NULL;
  if (c == s->probe) {
    s->probe = NULL;
    s->probed = 0;
    stop_upgrade_timer(s);
    return;
  }
  if (c == s->get) {
    s->get = NULL;
    if (s->state == SESSION_OPEN) eio_session_end(s, "transport error");
    return;
  }
  if (c == s->ws) {
    s->ws = NULL;
    eio_session_end(s, c->failed ? "transport error" : "transport close");
  }
}

/* ---- the API the Socket.IO layer uses ---------------------------------- */

int eio_send(eio_session *s, rbuf *pkt) {
  if (s->state != SESSION_OPEN || s->overflowed) return -1;
  if (s->transport == EIO_WEBSOCKET && s->ws) return ws_send_packet(s, s->ws, pkt);
  if (queue_packet(s, pkt)) return -1;
  if (s->get) schedule_flush(s);
  return 0;
}

void eio_prefetch_transport(const eio_session *s) {
  if (s->ws) __builtin_prefetch(s->ws);
}

void eio_prefetch_output(const eio_session *s) {
  if (s->ws) http_conn_prefetch_output(s->ws);
}

int eio_writable(const eio_session *s) {
  if (s->state != SESSION_OPEN) return 0;
  if (s->transport == EIO_WEBSOCKET) return s->ws && http_conn_idle_output(s->ws);
  return s->get != NULL && s->qlen == 0;
}

/* Lets the next GET carry the queued packets and the close packet; the
 * upper layer hears of the end now. */
static void linger(eio_session *s, const char *reason, uint64_t grace_ms) {
  s->state = SESSION_CLOSING;
  notify_closed(s, reason);
  uv_timer_start(&s->heartbeat, on_heartbeat, grace_ms, 0);
}

void eio_close(eio_session *s) {
  if (s->state != SESSION_OPEN) return;
  if (s->transport == EIO_POLLING && s->get && s->qlen) {
    /* engine.io flushes what was sent before the close: the close packet
     * then waits for the next GET. */
    http_conn *get = s->get;
    s->get = NULL;
    respond_poll(s, get, 1, NULL);
  }
  if (s->transport == EIO_POLLING && !s->get) {
    linger(s, "forced close", s->srv->opts.ping_interval + s->srv->opts.ping_timeout);
    return;
  }
  eio_session_end(s, "forced close");
}

void eio_session_shut_down(eio_session *s, uint64_t grace_ms) {
  /* A client that got "3probe" pauses polling and sends "5" next: closing
   * its probe now would leave it paused and unaware (socket.io-client does
   * not resume polling after a failed probe). The "5" completes the upgrade
   * and the WebSocket carries the end. */
  int upgrading = s->probe && s->probed;
  if (s->state == SESSION_OPEN && s->transport == EIO_POLLING && !s->get &&
      (s->qlen || upgrading)) {
    linger(s, "server shutting down", grace_ms);
    return;
  }
  eio_session_end(s, "server shutting down");
}

const char *eio_session_id(const eio_session *s) { return s->sid; }
eio_server *eio_session_server(const eio_session *s) { return s->srv; }
void eio_session_set_data(eio_session *s, void *data) { s->data = data; }
void *eio_session_data(const eio_session *s) { return s->data; }
int eio_session_revision(const eio_session *s) { return s->eio3 ? 3 : 4; }
const char *eio_session_transport(const eio_session *s) {
  return s->transport == EIO_WEBSOCKET ? "websocket" : "polling";
}
