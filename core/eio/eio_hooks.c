#include "eio_hooks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/json.h"
#include "eio.h"
#include "eio_session.h"

/* A request waiting for the host's allowRequest answer. */
struct eio_waiting {
  uint64_t id;
  http_conn *conn;       /* holds the request (conn->req) until answered */
  int transport, protocol;
  uint64_t deadline;     /* loop time */
  eio_waiting *prev, *next;
};

static void id_key(char key[24], uint64_t id) { snprintf(key, 24, "%" PRIu64, id); }
static void conn_key(char key[24], const http_conn *c) {
  snprintf(key, 24, "%" PRIxPTR, (uintptr_t)c);
}

static void forget(eio_hooks *h, eio_waiting *w) {
  char key[24];
  id_key(key, w->id);
  strmap_del(&h->by_id, key);
  conn_key(key, w->conn);
  strmap_del(&h->by_conn, key);
  if (w->prev) w->prev->next = w->next;
  else h->oldest = w->next;
  if (w->next) w->next->prev = w->prev;
  else h->newest = w->prev;
  free(w);
}

static void on_timer_closed(uv_handle_t *t) { free(t); }

static void on_deadline(uv_timer_t *t);

static void arm_timer(eio_server *e) {
  eio_hooks *h = &e->hooks;
  if (!h->oldest) return;
  uint64_t now = uv_now(e->http.loop);
  uint64_t due = h->oldest->deadline > now ? h->oldest->deadline - now : 0;
  uv_timer_start(h->timer, on_deadline, due, 0);
}

/* engine.io waits for allowRequest forever; a host that never answers
 * would then hold the request, its connection and its memory for as long
 * as the client keeps the socket open. It gets connectTimeout, the time a
 * client has to join a namespace, and the request is then refused. */
static void on_deadline(uv_timer_t *t) {
  eio_server *e = t->data;
  eio_hooks *h = &e->hooks;
  uint64_t now = uv_now(e->http.loop);
  while (h->oldest && h->oldest->deadline <= now) {
    http_conn *c = h->oldest->conn;
    forget(h, h->oldest);
    eio_refuse_request(e, c, c->req, NULL, "{\"name\":\"ALLOW_REQUEST_TIMEOUT\"}");
  }
  arm_timer(e);
}

static int ensure_timer(eio_server *e) {
  eio_hooks *h = &e->hooks;
  if (h->timer) return 0;
  h->timer = malloc(sizeof(uv_timer_t));
  if (!h->timer) return -1;
  uv_timer_init(e->http.loop, h->timer);
  h->timer->data = e;
  return 0;
}

void eio_hooks_verify(eio_server *e, http_conn *c, http_request *req, int transport,
                      int protocol) {
  if (!e->opts.hooks.allow_request) {
    eio_open_connection(e, c, req, transport, protocol, NULL);
    return;
  }
  if (e->closing) {
    /* No host will answer any more, and none let it in. */
    req->keep_alive = 0;
    http_respond(c, 503, "text/plain", NULL, "", 0);
    return;
  }
  eio_hooks *h = &e->hooks;
  eio_waiting *w = calloc(1, sizeof(*w));
  char by_id[24], by_conn[24];
  if (!w || ensure_timer(e)) goto fail;
  w->conn = c;
  w->transport = transport;
  w->protocol = protocol;
  w->deadline = uv_now(e->http.loop) + e->opts.hooks.allow_request_timeout;
  conn_key(by_conn, c);
  if (strmap_put(&h->by_conn, by_conn, w)) goto fail;
  /* Asked last: once the host has the id, the answer must find it. */
  if (!(w->id = e->handler->on_allow_request(e, req))) {
    strmap_del(&h->by_conn, by_conn);
    goto fail;
  }
  id_key(by_id, w->id);
  if (strmap_put(&h->by_id, by_id, w)) {
    strmap_del(&h->by_conn, by_conn);
    goto fail;
  }
  w->prev = h->newest;
  if (h->newest) h->newest->next = w;
  else h->oldest = w;
  h->newest = w;
  if (h->oldest == w) arm_timer(e);
  return;
fail:
  free(w);
  http_respond(c, 500, "text/plain", NULL, "", 0);
}

/* Forgets request id, handing back its connection and transport. 0, or -1
 * when no such request waits. */
static int take(eio_server *e, uint64_t id, http_conn **c, int *transport, int *protocol) {
  char key[24];
  id_key(key, id);
  eio_waiting *w = strmap_get(&e->hooks.by_id, key);
  if (!w) return -1;
  *c = w->conn;
  *transport = w->transport;
  *protocol = w->protocol;
  int was_oldest = w == e->hooks.oldest;
  forget(&e->hooks, w);
  if (was_oldest) {
    if (e->hooks.oldest) arm_timer(e);
    else uv_timer_stop(e->hooks.timer);
  }
  return 0;
}

int eio_request_accept(eio_server *e, uint64_t id, const char *headers) {
  http_conn *c;
  int transport, protocol;
  if (take(e, id, &c, &transport, &protocol)) return -1;
  eio_open_connection(e, c, c->req, transport, protocol, headers);
  return 0;
}

int eio_request_refuse(eio_server *e, uint64_t id, const char *message) {
  http_conn *c;
  int transport, protocol;
  if (take(e, id, &c, &transport, &protocol)) return -1;
  sbuf context = SBUF_INIT;
  int rc = sbuf_puts(&context, "{\"message\":");
  rc |= message ? json_write_string(&context, message, strlen(message))
                : sbuf_puts(&context, "null");
  rc |= sbuf_putc(&context, '}');
  eio_refuse_request(e, c, c->req, message, rc ? "{}" : context.data);
  sbuf_free(&context);
  return 0;
}

int eio_hooks_conn_closed(eio_server *e, http_conn *c) {
  eio_hooks *h = &e->hooks;
  if (!h->by_conn.len) return 0;
  char key[24];
  conn_key(key, c);
  eio_waiting *w = strmap_get(&h->by_conn, key);
  if (!w) return 0;
  http_conn *unused;
  int transport, protocol;
  take(e, w->id, &unused, &transport, &protocol);
  return 1;
}

void eio_hooks_close(eio_server *e) {
  eio_hooks *h = &e->hooks;
  while (h->oldest) forget(h, h->oldest);
  strmap_free(&h->by_id);
  strmap_free(&h->by_conn);
  if (h->timer) uv_close((uv_handle_t *)h->timer, on_timer_closed);
  h->timer = NULL;
}

void eio_hook_options_free(eio_hook_options *o) {
  free(o->initial_headers);
  free(o->headers);
  free(o->cookie);
  free(o->cookie_attributes);
  memset(o, 0, sizeof(*o));
}

/* ---- response headers ---------------------------------------------------- */

int eio_response_headers(const eio_server *e, const http_request *req, const char *initial,
                         sbuf *out) {
  /* engine.io's polling transport writes it on every response. */
  int rc = eio_cors_headers(e, req, out) | sbuf_puts(out, "Cache-Control: no-store\r\n");
  if (initial) rc |= sbuf_puts(out, initial);
  if (e->opts.hooks.headers) rc |= sbuf_puts(out, e->opts.hooks.headers);
  return rc;
}

char *eio_initial_headers(const eio_server *e, const char *sid, int polling,
                          const char *accepted, int *failed) {
  const eio_hook_options *o = &e->opts.hooks;
  sbuf out = SBUF_INIT;
  int rc = 0;
  if (polling && o->cookie)
    rc |= sbuf_puts(&out, "Set-Cookie: ") | sbuf_puts(&out, o->cookie) | sbuf_puts(&out, sid) |
          sbuf_puts(&out, o->cookie_attributes ? o->cookie_attributes : "") |
          sbuf_puts(&out, "\r\n");
  if (o->initial_headers) rc |= sbuf_puts(&out, o->initial_headers);
  if (accepted) rc |= sbuf_puts(&out, accepted);
  *failed = rc != 0;
  if (rc || !out.len) {
    sbuf_free(&out);
    return NULL;
  }
  return sbuf_detach(&out, NULL);
}
