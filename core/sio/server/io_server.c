#include "io_server.h"

#include "../../adapter/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static io_server *server_of(const eio_session *e) { return (io_server *)eio_session_server(e); }

/* ---- the Engine.IO layer's callbacks ------------------------------------ */

static int on_open(eio_session *e, const http_request *req) {
  io_conn *c = io_conn_new(server_of(e), e, req);
  if (!c) return -1;
  eio_session_set_data(e, c);
  return 0;
}

static void on_message(eio_session *e, const char *data, size_t len, int binary) {
  io_conn *c = eio_session_data(e);
  if (c) io_conn_message(c, data, len, binary);
}

static void on_close(eio_session *e, const char *reason) {
  io_conn *c = eio_session_data(e);
  eio_session_set_data(e, NULL);
  if (c) io_conn_closed(c, reason);
}

static const eio_handler io_eio_handler = {on_open, on_message, on_close, io_hooks_on_error,
                                          io_hooks_on_allow_request, io_hooks_on_upgrade};

/* ---- lifecycle ---------------------------------------------------------- */

static void check_finished(io_server *s) {
  void (*cb)(io_server *) = s->on_closed;
  if (!cb || !s->eio_closed || s->collects || !s->acks_closed || !s->recovery_closed) return;
  s->on_closed = NULL;
  cb(s);
}

static void on_eio_closed(eio_server *e) {
  io_server *s = (io_server *)e;
  ev_rec *r = ev_new(SIO_EV_SERVER_CLOSED);
  if (r) io_post(s, r);
  s->eio_closed = 1;
  check_finished(s);
}

void io_server_finish(io_server *s, void (*on_closed)(io_server *s)) {
  io_server_close(s);
  s->on_closed = on_closed;
  check_finished(s);
}

static void on_recovery_closed(uv_handle_t *h) {
  io_server *s = h->data;
  free(h);
  s->recovery_closed = 1;
  check_finished(s);
}

static void on_acks_closed(uv_handle_t *h) {
  io_server *s = h->data;
  s->acks_closed = 1;
  check_finished(s);
}

void io_server_collect_gone(io_server *s) {
  s->collects--;
  check_finished(s);
}

int io_server_start(io_server *s, struct sio_context *ctx, sio_server *handle,
                    const sio_parser *parser, eio_options *opts, const char *host,
                    int port, uint64_t connect_timeout, size_t max_queued_events) {
  s->ctx = ctx;
  s->max_queued_events = max_queued_events ? max_queued_events : 1;
  s->handle = handle;
  s->parser = parser;
  s->connect_timeout = connect_timeout;
  s->eio.opts = *opts;
  memset(opts, 0, sizeof(*opts));
  s->eio.handler = &io_eio_handler;
  s->eio.owner = s;
  s->eio.on_closed = on_eio_closed;
  if (!(s->root = io_namespace_get(s, "/", 1, 0))) return UV_ENOMEM;
  ack_table_init(&s->acks, &ctx->loop, io_ack_expired);
  if (recovery_start(&s->recovery, &ctx->loop)) return UV_ENOMEM;
  return eio_server_start(&s->eio, &ctx->loop, host, port);
}

void io_server_close(io_server *s) {
  if (s->closing) return;
  s->closing = 1;
  while (s->pending) {
    io_pending_connect *p = s->pending;
    s->pending = p->next;
    io_pending_free(p);
  }
  const char *key;
  void *value;
  for (size_t i = 0; strmap_next(&s->sockets, &i, &key, &value);)
    io_socket_close(value, "server shutting down", 0);
  /* No socket is left to wait for. */
  if (!ack_table_close(&s->acks, s, on_acks_closed)) s->acks_closed = 1;
  if (!recovery_close(&s->recovery, on_recovery_closed, s)) s->recovery_closed = 1;
  if (s->cluster) cluster_close(s->cluster);
  eio_server_close(&s->eio);
}

void io_server_abort(io_server *s) {
  io_server_close(s);
  eio_server_abort(&s->eio);
}

static void namespace_free(io_namespace *n) {
  const char *key;
  void *value;
  for (size_t i = 0; strmap_next(&n->rooms, &i, &key, &value);) {
    io_room *r = value;
    ptrset_free(&r->members);
    free(r->name);
    free(r);
  }
  strmap_free(&n->rooms);
  strmap_free(&n->sockets);
  free(n->name);
  free(n);
}

void io_server_free(io_server *s) {
  const char *key;
  void *value;
  for (size_t i = 0; strmap_next(&s->namespaces, &i, &key, &value);) namespace_free(value);
  strmap_free(&s->namespaces);
  strmap_free(&s->sockets);
  sbuf_free(&s->split_name);
  sbuf_free(&s->emit_text);
  eio_options_free(&s->eio.opts);
}

io_namespace *io_namespace_get(io_server *s, const char *name, int create, unsigned flags) {
  if (s->root && name[0] == '/' && !name[1]) return s->root;
  io_namespace *n = strmap_get(&s->namespaces, name);
  if (n || !create) return n;
  n = calloc(1, sizeof(*n));
  if (!n || !(n->name = strdup(name)) || strmap_put(&s->namespaces, name, n)) {
    if (n) free(n->name);
    free(n);
    return NULL;
  }
  n->srv = s;
  n->flags = flags;
  if (s->cluster) cluster_namespace_added(s->cluster, n);
  return n;
}

int io_server_of(io_server *s, const char *name, unsigned flags) {
  if (strcmp(name, "*") == 0) {
    s->has_wildcard = 1;
    s->wildcard_flags = flags;
    return 0;
  }
  io_namespace *n = io_namespace_get(s, name, 1, flags);
  if (!n) return SIO_ENOMEM;
  n->flags = flags;
  return 0;
}

/* ---- helpers shared by the layer ---------------------------------------- */

void io_post(io_server *s, ev_rec *r) {
  r->ev.server = s->handle;
  size_t max = s->max_queued_events;
  if (ctx_post_event(s->ctx, r, max) >= max && !eio_server_paused(&s->eio)) {
    /* The host is behind: read nothing more until it catches up, rather
     * than drop events or queue without bound. */
    eio_server_pause(&s->eio);
    ctx_reading_paused(s->ctx, s->max_queued_events / 2 + 1);
  }
}

int io_server_port(io_server *s) { return eio_server_port(&s->eio); }

void io_server_resume(io_server *s) {
  if (!s->closing) eio_server_resume(&s->eio);
}

void io_post_error(io_server *s, uint64_t req, int err, const char *message) {
  ev_rec *r = ev_new(SIO_EV_ERROR);
  if (!r) return;
  r->ev.req = req;
  r->ev.err = err;
  if (ev_set_str(r, &r->ev.reason, message)) {
    ev_free(r);
    return;
  }
  io_post(s, r);
}

int io_send_encoded(io_conn *c, rbuf *const *msgs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (eio_send(c->eio, msgs[i])) return -1;
  return 0;
}

int io_send_packet(io_conn *c, const sio_packet *p) {
  rbuf *msgs[SIO_MAX_ENCODED];
  size_t n = 0;
  if (c->srv->parser->encode(p, msgs, &n)) return -1;
  int rc = io_send_encoded(c, msgs, n);
  for (size_t i = 0; i < n; i++) rbuf_unref(msgs[i]);
  return rc;
}
