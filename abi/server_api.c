#include <stdlib.h>
#include <string.h>

#include "../core/util/json.h"
#include "abi_internal.h"

/* ---- lifecycle ------------------------------------------------------------ */

static void server_shutdown(ctx_child *ch) {
  sio_server *srv = (sio_server *)ch;
  atomic_store(&srv->closed, 1);
  io_server_abort(&srv->core);
}

static void server_resume(ctx_child *ch) { io_server_resume(&((sio_server *)ch)->core); }

static void server_destroy(ctx_child *ch) {
  sio_server *srv = (sio_server *)ch;
  io_server_free(&srv->core);
  free(srv);
}

typedef struct start_cmd {
  cmd base;
  sio_server *srv;
  server_config *cfg;
  int rc;
} start_cmd;

static void run_start(cmd *c) {
  start_cmd *s = (start_cmd *)c;
  sio_server *srv = s->srv;
  s->rc = io_server_start(&srv->core, srv->ctx, srv, s->cfg->parser, &s->cfg->eio,
                          s->cfg->host, s->cfg->port, s->cfg->connect_timeout,
                          s->cfg->max_queued_events);
  if (s->rc == 0) srv->port = http_server_port(&srv->core.eio.http);
}

SIO_EXPORT int sio_server_new(sio_context *ctx, const sio_options *opts, sio_server **out) {
  if (!ctx || !out) return abi_fail(SIO_EINVAL, "sio_server_new: NULL argument");
  *out = NULL;
  server_config cfg;
  int rc = server_config_from(opts, &cfg);
  if (rc) {
    server_config_free(&cfg);
    return rc;
  }
  sio_server *srv = calloc(1, sizeof(*srv));
  if (!srv) {
    server_config_free(&cfg);
    return abi_fail(SIO_ENOMEM, "sio_server_new: out of memory");
  }
  srv->ctx = ctx;
  srv->child.shutdown = server_shutdown;
  srv->child.destroy = server_destroy;
  srv->child.resume = server_resume;
  start_cmd c = {.srv = srv, .cfg = &cfg, .rc = SIO_ECLOSED};
  c.base.run = run_start;
  cmdq_call(&ctx->cmdq, &c.base);
  /* Even a failed server may hold handles the loop is closing: the context
   * frees it with the rest. */
  ctx_adopt(ctx, &srv->child);
  if (c.rc) {
    atomic_store(&srv->closed, 1);
    char where[300];
    snprintf(where, sizeof(where), "%s:%d", cfg.host, cfg.port);
    server_config_free(&cfg);
    if (c.rc == UV_EADDRINUSE) return abi_fail(SIO_EADDRINUSE, "cannot listen on %s: %s", where, uv_strerror(c.rc));
    return abi_fail(SIO_EIO, "cannot listen on %s: %s", where,
                    c.rc == SIO_ECLOSED ? "context is closing" : uv_strerror(c.rc));
  }
  server_config_free(&cfg);
  *out = srv;
  return 0;
}

SIO_EXPORT int sio_server_port(const sio_server *srv) {
  if (!srv) return abi_fail(SIO_EINVAL, "sio_server_port: srv is NULL");
  return srv->port;
}

/* ---- commands ------------------------------------------------------------ */

enum server_op { OP_CLOSE, OP_OF, OP_ACCEPT, OP_REFUSE, OP_EMIT, OP_ACK, OP_JOIN, OP_LEAVE,
                 OP_DISCONNECT, OP_FETCH };

/* One command and, after it, the copies of everything the host handed in. */
typedef struct server_cmd {
  cmd base;
  sio_server *srv;
  enum server_op op;
  uint64_t req;
  sio_target target;
  char *str;            /* event name, namespace, sid or message */
  char *json;           /* arguments or data */
  size_t json_len;
  sio_attachment *bins;
  size_t nbins;
  char **rooms;
  size_t nrooms;
  unsigned flags;
  int timeout_ms;
  int64_t ack_id;
  char *arena_next;
  char arena[];
} server_cmd;

static size_t str_size(const char *s) { return s ? strlen(s) + 1 : 0; }

static size_t strs_size(const char *const *v, size_t n) {
  size_t total = n * sizeof(char *);
  for (size_t i = 0; i < n; i++) total += str_size(v[i]) + 8;
  return total;
}

static size_t target_size(const sio_target *t) {
  if (!t) return 0;
  return str_size(t->nsp) + str_size(t->sid) + strs_size(t->rooms, t->nrooms) +
         strs_size(t->except, t->nexcept) + 32;
}

static void *arena_take(server_cmd *c, size_t n) {
  /* Pointers and attachments stay 8-byte aligned. */
  void *p = c->arena_next;
  c->arena_next += (n + 7) & ~(size_t)7;
  return p;
}

static char *arena_str(server_cmd *c, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = arena_take(c, n);
  memcpy(p, s, n);
  return p;
}

static char **arena_strs(server_cmd *c, const char *const *v, size_t n) {
  if (!n) return NULL;
  char **out = arena_take(c, n * sizeof(char *));
  for (size_t i = 0; i < n; i++) out[i] = arena_str(c, v[i]);
  return out;
}

static server_cmd *cmd_new(sio_server *srv, enum server_op op, size_t extra) {
  /* The arena needs no zeroing: every byte of it is written before use. */
  server_cmd *c = cmdq_alloc(&srv->ctx->cmdq, sizeof(*c) + extra + 64, sizeof(*c));
  if (!c) return NULL;
  c->srv = srv;
  c->op = op;
  c->ack_id = -1;
  c->arena_next = c->arena;
  return c;
}

static void copy_target(server_cmd *c, const sio_target *t) {
  if (!t) return;
  c->target.nsp = arena_str(c, t->nsp);
  c->target.sid = arena_str(c, t->sid);
  c->target.rooms = (const char *const *)arena_strs(c, t->rooms, t->nrooms);
  c->target.nrooms = t->nrooms;
  c->target.except = (const char *const *)arena_strs(c, t->except, t->nexcept);
  c->target.nexcept = t->nexcept;
}

static void copy_payload(server_cmd *c, const char *json, size_t len, const sio_buf *bins,
                         size_t nbins) {
  c->json = arena_take(c, len + 1);
  memcpy(c->json, json, len);
  c->json[len] = 0;
  c->json_len = len;
  c->nbins = nbins;
  if (nbins) {
    c->bins = arena_take(c, nbins * sizeof(sio_attachment));
    for (size_t i = 0; i < nbins; i++) {
      c->bins[i].data = arena_take(c, bins[i].len);
      if (bins[i].len) memcpy(c->bins[i].data, bins[i].data, bins[i].len);
      c->bins[i].len = bins[i].len;
    }
  }
}

static size_t payload_size(size_t len, const sio_buf *bins, size_t nbins) {
  size_t total = len + 16 + nbins * (sizeof(sio_attachment) + 8);
  for (size_t i = 0; i < nbins; i++) total += bins[i].len;
  return total;
}

static void report(server_cmd *c, int rc, const char *what) {
  if (rc == 0) return;
  io_post_error(&c->srv->core, c->req, rc, what);
}

static void run_server_cmd(cmd *base) {
  server_cmd *c = (server_cmd *)base;
  io_server *s = &c->srv->core;
  if (s->closing && c->op != OP_CLOSE) {
    report(c, SIO_ECLOSED, "the server is closed");
    cmdq_retire(&c->srv->ctx->cmdq, base);
    return;
  }
  int rc;
  switch (c->op) {
    case OP_CLOSE:
      io_server_close(s);
      break;
    case OP_OF:
      report(c, io_server_of(s, c->str, c->flags), "cannot declare the namespace");
      break;
    case OP_ACCEPT:
      report(c, io_connect_accept(s, c->req), "the connection request is gone");
      break;
    case OP_REFUSE:
      report(c, io_connect_refuse(s, c->req, c->str, c->json), "the connection request is gone");
      break;
    case OP_EMIT:
      rc = io_emit(s, &c->target, c->str, c->json, c->json_len, c->bins, c->nbins, c->flags,
                   c->timeout_ms, c->req);
      report(c, rc, rc == SIO_ENOTFOUND ? "no such socket" : "the emit failed");
      break;
    case OP_ACK:
      rc = io_ack_reply(s, c->str, c->ack_id, c->json, c->json_len, c->bins, c->nbins);
      report(c, rc, rc == SIO_ENOTFOUND ? "no such socket" : "the acknowledgement failed");
      break;
    case OP_JOIN:
    case OP_LEAVE:
      report(c, io_join(s, &c->target, c->rooms, c->nrooms, c->op == OP_LEAVE), "no such socket");
      break;
    case OP_DISCONNECT:
      report(c, io_disconnect(s, &c->target, c->flags != 0), "no such socket");
      break;
    case OP_FETCH:
      report(c, io_fetch_sockets(s, &c->target, c->req), "fetchSockets failed");
      break;
  }
  cmdq_retire(&c->srv->ctx->cmdq, base);
}

static int submit(server_cmd *c) {
  c->base.run = run_server_cmd;
  cmdq_push(&c->srv->ctx->cmdq, &c->base);
  return 0;
}

/* ---- argument checks ----------------------------------------------------- */

static int check_server(const sio_server *srv, const char *fn) {
  if (!srv) return abi_fail(SIO_EINVAL, "%s: srv is NULL", fn);
  if (atomic_load(&srv->closed)) return abi_fail(SIO_ECLOSED, "%s: the server is closed", fn);
  return 0;
}

static int check_target(const sio_target *t, const char *fn) {
  if (!t) return 0;
  if (t->nsp && t->nsp[0] != '/') return abi_fail(SIO_EINVAL, "%s: namespace must start with \"/\"", fn);
  if (t->nrooms && !t->rooms) return abi_fail(SIO_EINVAL, "%s: rooms is NULL", fn);
  if (t->nexcept && !t->except) return abi_fail(SIO_EINVAL, "%s: except is NULL", fn);
  for (size_t i = 0; i < t->nrooms; i++)
    if (!t->rooms[i]) return abi_fail(SIO_EINVAL, "%s: rooms[%zu] is NULL", fn, i);
  for (size_t i = 0; i < t->nexcept; i++)
    if (!t->except[i]) return abi_fail(SIO_EINVAL, "%s: except[%zu] is NULL", fn, i);
  return 0;
}

/* ---- the public calls ---------------------------------------------------- */

SIO_EXPORT int sio_server_close(sio_server *srv) {
  int rc = check_server(srv, "sio_server_close");
  if (rc) return rc;
  server_cmd *c = cmd_new(srv, OP_CLOSE, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_server_close: out of memory");
  atomic_store(&srv->closed, 1);
  return submit(c);
}

SIO_EXPORT int sio_server_of(sio_server *srv, const char *name, unsigned flags) {
  int rc = check_server(srv, "sio_server_of");
  if (rc) return rc;
  if (!name || (name[0] != '/' && strcmp(name, "*") != 0))
    return abi_fail(SIO_EINVAL, "sio_server_of: the name must start with \"/\" or be \"*\"");
  server_cmd *c = cmd_new(srv, OP_OF, str_size(name));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_server_of: out of memory");
  c->str = arena_str(c, name);
  c->flags = flags;
  return submit(c);
}

SIO_EXPORT int sio_connect_accept(sio_server *srv, uint64_t req) {
  int rc = check_server(srv, "sio_connect_accept");
  if (rc) return rc;
  server_cmd *c = cmd_new(srv, OP_ACCEPT, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_connect_accept: out of memory");
  c->req = req;
  return submit(c);
}

SIO_EXPORT int sio_connect_refuse(sio_server *srv, uint64_t req, const char *message,
                                  const char *data_json) {
  int rc = check_server(srv, "sio_connect_refuse");
  if (rc) return rc;
  if (!message) return abi_fail(SIO_EINVAL, "sio_connect_refuse: message is NULL");
  if (data_json && json_validate(data_json, strlen(data_json)))
    return abi_fail(SIO_EINVAL, "sio_connect_refuse: data_json is not JSON");
  server_cmd *c = cmd_new(srv, OP_REFUSE, str_size(message) + str_size(data_json));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_connect_refuse: out of memory");
  c->req = req;
  c->str = arena_str(c, message);
  c->json = arena_str(c, data_json);
  return submit(c);
}

SIO_EXPORT int sio_emit(sio_server *srv, const sio_target *to, const char *event,
                        const char *args_json, size_t args_len, const sio_buf *bins,
                        size_t nbins, unsigned flags, int timeout_ms, uint64_t *req_out) {
  int rc = check_server(srv, "sio_emit");
  if (rc || (rc = check_target(to, "sio_emit"))) return rc;
  if (!event) return abi_fail(SIO_EINVAL, "sio_emit: event is NULL");
  if (abi_reserved_event(event)) return abi_fail(SIO_ERESERVED, "\"%s\" is a reserved event name", event);
  if ((rc = abi_check_payload(args_json, args_len, bins, nbins, "sio_emit"))) return rc;
  int broadcast = !to || !to->sid;
  if ((flags & SIO_EMIT_ACK) && broadcast && timeout_ms <= 0)
    return abi_fail(SIO_EINVAL, "sio_emit: a broadcast with acknowledgements needs a timeout");
  if ((flags & SIO_EMIT_ACK) && !req_out)
    return abi_fail(SIO_EINVAL, "sio_emit: SIO_EMIT_ACK needs req_out");
  server_cmd *c = cmd_new(srv, OP_EMIT, target_size(to) + str_size(event) +
                                            payload_size(args_len, bins, nbins));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_emit: out of memory");
  copy_target(c, to);
  c->str = arena_str(c, event);
  copy_payload(c, args_json, args_len, bins, nbins);
  c->flags = flags;
  c->timeout_ms = timeout_ms;
  c->req = ctx_new_request(srv->ctx);
  if (req_out) *req_out = c->req;
  return submit(c);
}

SIO_EXPORT int sio_ack(sio_server *srv, const char *sid, int64_t ack_id, const char *args_json,
                       size_t args_len, const sio_buf *bins, size_t nbins) {
  int rc = check_server(srv, "sio_ack");
  if (rc) return rc;
  if (!sid) return abi_fail(SIO_EINVAL, "sio_ack: sid is NULL");
  if (ack_id < 0) return abi_fail(SIO_EINVAL, "sio_ack: ack_id is negative");
  if ((rc = abi_check_payload(args_json, args_len, bins, nbins, "sio_ack"))) return rc;
  server_cmd *c = cmd_new(srv, OP_ACK, str_size(sid) + payload_size(args_len, bins, nbins));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_ack: out of memory");
  c->str = arena_str(c, sid);
  c->ack_id = ack_id;
  copy_payload(c, args_json, args_len, bins, nbins);
  return submit(c);
}

static int rooms_op(sio_server *srv, enum server_op op, const sio_target *to,
                    const char *const *rooms, size_t nrooms, unsigned flags, const char *fn) {
  int rc = check_server(srv, fn);
  if (rc || (rc = check_target(to, fn))) return rc;
  if (nrooms && !rooms) return abi_fail(SIO_EINVAL, "%s: rooms is NULL", fn);
  for (size_t i = 0; i < nrooms; i++)
    if (!rooms[i]) return abi_fail(SIO_EINVAL, "%s: rooms[%zu] is NULL", fn, i);
  server_cmd *c = cmd_new(srv, op, target_size(to) + strs_size(rooms, nrooms));
  if (!c) return abi_fail(SIO_ENOMEM, "%s: out of memory", fn);
  copy_target(c, to);
  c->rooms = arena_strs(c, rooms, nrooms);
  c->nrooms = nrooms;
  c->flags = flags;
  c->req = ctx_new_request(srv->ctx);
  return submit(c);
}

SIO_EXPORT int sio_join(sio_server *srv, const sio_target *to, const char *const *rooms,
                        size_t nrooms) {
  return rooms_op(srv, OP_JOIN, to, rooms, nrooms, 0, "sio_join");
}

SIO_EXPORT int sio_leave(sio_server *srv, const sio_target *to, const char *const *rooms,
                         size_t nrooms) {
  return rooms_op(srv, OP_LEAVE, to, rooms, nrooms, 0, "sio_leave");
}

SIO_EXPORT int sio_disconnect(sio_server *srv, const sio_target *to, int close) {
  return rooms_op(srv, OP_DISCONNECT, to, NULL, 0, close != 0, "sio_disconnect");
}

SIO_EXPORT int sio_fetch_sockets(sio_server *srv, const sio_target *to, uint64_t *req_out) {
  int rc = check_server(srv, "sio_fetch_sockets");
  if (rc || (rc = check_target(to, "sio_fetch_sockets"))) return rc;
  if (!req_out) return abi_fail(SIO_EINVAL, "sio_fetch_sockets: req_out is NULL");
  server_cmd *c = cmd_new(srv, OP_FETCH, target_size(to));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_fetch_sockets: out of memory");
  copy_target(c, to);
  c->req = ctx_new_request(srv->ctx);
  *req_out = c->req;
  return submit(c);
}
