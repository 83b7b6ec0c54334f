#include <stdlib.h>
#include <string.h>

#include "../core/util/json.h"
#include "abi_internal.h"
#include "command.h"

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
  srv->core.recovery.opts = s->cfg->recovery;
  s->rc = io_server_start(&srv->core, srv->ctx, srv, s->cfg->parser, &s->cfg->eio,
                          s->cfg->host, s->cfg->port, s->cfg->connect_timeout,
                          s->cfg->max_queued_events);
  if (s->rc == 0 && s->cfg->adapter.url.host) s->rc = cluster_start(&srv->core, &s->cfg->adapter);
  if (s->rc == 0) srv->port = io_server_port(&srv->core);
}

/* Node's wording: "listen EADDRINUSE: address already in use 127.0.0.1:3000",
 * "getaddrinfo ENOTFOUND no.such.host". */
static int listen_failure(int rc, const char *host, int port) {
  if (rc == SIO_ECLOSED)
    return abi_fail(SIO_EIO, "cannot listen on %s:%d: context is closing", host, port);
  if (rc == UV_EAI_NONAME || rc == UV_EAI_NODATA || rc == UV_EAI_AGAIN || rc == UV_EAI_FAIL) {
    const char *name = rc == UV_EAI_AGAIN ? "EAI_AGAIN" : "ENOTFOUND";
    return abi_fail(SIO_EIO, "getaddrinfo %s %s", name, host);
  }
  return abi_fail(rc == UV_EADDRINUSE ? SIO_EADDRINUSE : SIO_EIO, "listen %s: %s %s:%d",
                  uv_err_name(rc), uv_strerror(rc), host, port);
}

int sio_server_new(sio_context *ctx, const sio_options *opts, sio_server **out) {
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
    rc = listen_failure(c.rc, cfg.host, cfg.port);
    server_config_free(&cfg);
    return rc;
  }
  server_config_free(&cfg);
  *out = srv;
  return 0;
}

int sio_server_port(const sio_server *srv) {
  if (!srv) return abi_fail(SIO_EINVAL, "sio_server_port: srv is NULL");
  return srv->port;
}

/* ---- commands ------------------------------------------------------------ */

enum server_op { OP_CLOSE, OP_OF, OP_ACCEPT, OP_REFUSE, OP_EMIT, OP_ACK, OP_JOIN, OP_LEAVE,
                 OP_DISCONNECT, OP_FETCH, OP_REQUEST_ACCEPT, OP_REQUEST_REFUSE,
                 OP_SERVER_SIDE_EMIT, OP_SERVER_SIDE_ACK, OP_SET_DATA };

static void report(abi_cmd *c, int rc, const char *what) {
  if (rc == 0) return;
  io_post_error(&((sio_server *)c->handle)->core, c->req, rc, what);
}

static void run_server_cmd(cmd *base) {
  abi_cmd *c = (abi_cmd *)base;
  sio_server *srv = c->handle;
  io_server *s = &srv->core;
  if (s->closing && c->op != OP_CLOSE) {
    report(c, SIO_ECLOSED, "the server is closed");
    abi_cmd_retire(srv->ctx, c);
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
      rc = io_ack_reply(s, c->target.sid, c->ack_id, c->json, c->json_len, c->bins, c->nbins);
      report(c, rc, rc == SIO_ENOTFOUND ? "no such socket" : "the acknowledgement failed");
      break;
    case OP_JOIN:
    case OP_LEAVE:
      report(c, io_join(s, &c->target, c->rooms, c->nrooms, c->op == OP_LEAVE), "no such socket");
      break;
    case OP_DISCONNECT:
      report(c, io_disconnect(s, &c->target, (c->flags & SIO_DISCONNECT_CLOSE) != 0),
             "no such socket");
      break;
    case OP_FETCH:
      report(c, io_fetch_sockets(s, &c->target, c->req), "fetchSockets failed");
      break;
    case OP_REQUEST_ACCEPT:
      report(c, io_request_accept(s, c->req, c->json), "the request is gone");
      break;
    case OP_REQUEST_REFUSE:
      report(c, io_request_refuse(s, c->req, c->str), "the request is gone");
      break;
    case OP_SERVER_SIDE_EMIT:
      rc = io_server_side_emit(s, c->str, c->json, c->json_len, (c->flags & SIO_EMIT_ACK) != 0, c->req);
      report(c, rc, rc == SIO_EIO ? "the adapter is down" : "serverSideEmit failed");
      break;
    case OP_SERVER_SIDE_ACK:
      rc = s->cluster ? cluster_server_side_ack(s->cluster, c->ack_id, c->json, c->json_len)
                      : SIO_ENOTFOUND;
      report(c, rc, "no server-side event waits for this acknowledgement");
      break;
    case OP_SET_DATA:
      /* A socket that left has no data to keep: not reported. */
      rc = io_socket_set_data(s, c->target.sid, c->json, c->json_len);
      report(c, rc == SIO_ENOTFOUND ? 0 : rc, "socket.data could not be stored");
      break;
  }
  abi_cmd_retire(srv->ctx, c);
}

static int submit(sio_server *srv, abi_cmd *c, uint64_t *req_out) {
  return abi_cmd_submit(srv->ctx, c, run_server_cmd, req_out);
}

static int check_server(const sio_server *srv, const char *fn) {
  if (!srv) return abi_fail(SIO_EINVAL, "%s: srv is NULL", fn);
  if (atomic_load(&srv->closed)) return abi_fail(SIO_ECLOSED, "%s: the server is closed", fn);
  return 0;
}

/* The host's target, or the whole "/" namespace for NULL. */
static int read_target(const sio_target *to, sio_target *t, const char *fn) {
  if (to) return abi_check_target(to, t, fn);
  static const sio_target all = SIO_TARGET_INIT;
  *t = all;
  return 0;
}

/* ---- the public calls ---------------------------------------------------- */

int sio_server_close(sio_server *srv) {
  int rc = check_server(srv, "sio_server_close");
  if (rc) return rc;
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_CLOSE, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_server_close: out of memory");
  atomic_store(&srv->closed, 1);
  return submit(srv, c, NULL);
}

int sio_server_of(sio_server *srv, const char *name, unsigned flags) {
  int rc = check_server(srv, "sio_server_of");
  if (rc) return rc;
  if (!name || (name[0] != '/' && strcmp(name, "*") != 0))
    return abi_fail(SIO_EINVAL, "sio_server_of: the name must start with \"/\" or be \"*\"");
  if (flags & ~SIO_NS_MIDDLEWARE)
    return abi_fail(SIO_EINVAL, "sio_server_of: unknown flags 0x%x", flags & ~SIO_NS_MIDDLEWARE);
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_OF, abi_str_size(name));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_server_of: out of memory");
  c->str = abi_cmd_str(c, name);
  c->flags = flags;
  return submit(srv, c, NULL);
}

int sio_connect_accept(sio_server *srv, uint64_t req) {
  int rc = check_server(srv, "sio_connect_accept");
  if (rc) return rc;
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_ACCEPT, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_connect_accept: out of memory");
  c->req = req;
  return submit(srv, c, NULL);
}

int sio_connect_refuse(sio_server *srv, uint64_t req, const char *message,
                       const char *data_json) {
  int rc = check_server(srv, "sio_connect_refuse");
  if (rc) return rc;
  if (!message) return abi_fail(SIO_EINVAL, "sio_connect_refuse: message is NULL");
  if (data_json && json_validate(data_json, strlen(data_json)))
    return abi_fail(SIO_EINVAL, "sio_connect_refuse: data_json is not JSON");
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_REFUSE,
                           abi_str_size(message) + abi_str_size(data_json));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_connect_refuse: out of memory");
  c->req = req;
  c->str = abi_cmd_str(c, message);
  c->json = abi_cmd_str(c, data_json);
  return submit(srv, c, NULL);
}

int sio_request_accept(sio_server *srv, uint64_t req, const char *headers_json) {
  int rc = check_server(srv, "sio_request_accept");
  if (rc) return rc;
  sbuf lines = SBUF_INIT;
  if (headers_json && abi_header_lines(headers_json, &lines)) {
    sbuf_free(&lines);
    return abi_fail(SIO_EINVAL,
                    "sio_request_accept: headers_json is not an object of header names to "
                    "string values");
  }
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_REQUEST_ACCEPT,
                           lines.len ? abi_str_size(lines.data) : 0);
  if (c && lines.len) c->json = abi_cmd_str(c, lines.data);
  sbuf_free(&lines);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_request_accept: out of memory");
  c->req = req;
  return submit(srv, c, NULL);
}

int sio_request_refuse(sio_server *srv, uint64_t req, const char *message) {
  int rc = check_server(srv, "sio_request_refuse");
  if (rc) return rc;
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_REQUEST_REFUSE, abi_str_size(message));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_request_refuse: out of memory");
  c->req = req;
  c->str = abi_cmd_str(c, message);
  return submit(srv, c, NULL);
}

int sio_emit(sio_server *srv, const sio_target *to, const sio_message *msg,
             uint64_t *req_out) {
  sio_target t;
  sio_message m;
  int rc = check_server(srv, "sio_emit");
  if (rc || (rc = read_target(to, &t, "sio_emit")) ||
      (rc = abi_check_message(msg, 0, &m, "sio_emit")))
    return rc;
  if ((m.flags & SIO_EMIT_ACK) && !t.sid && m.timeout_ms <= 0)
    return abi_fail(SIO_EINVAL, "sio_emit: a broadcast with acknowledgements needs a timeout");
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_EMIT, abi_target_size(&t) + abi_message_size(&m));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_emit: out of memory");
  abi_cmd_target(c, &t);
  abi_cmd_message(c, &m);
  /* Every emit gets a request id: its failure is reported with it. */
  uint64_t req;
  return submit(srv, c, req_out ? req_out : &req);
}

int sio_ack(sio_server *srv, const char *sid, int64_t ack_id, const sio_message *msg,
            uint64_t *req_out) {
  sio_message m;
  int rc = check_server(srv, "sio_ack");
  if (rc) return rc;
  if (!sid) return abi_fail(SIO_EINVAL, "sio_ack: sid is NULL");
  if (ack_id < 0) return abi_fail(SIO_EINVAL, "sio_ack: ack_id is negative");
  if ((rc = abi_check_message(msg, 1, &m, "sio_ack"))) return rc;
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_ACK, abi_str_size(sid) + abi_message_size(&m));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_ack: out of memory");
  c->target.sid = abi_cmd_str(c, sid);
  c->ack_id = ack_id;
  abi_cmd_message(c, &m);
  uint64_t req;
  return submit(srv, c, req_out ? req_out : &req);
}

static int rooms_op(sio_server *srv, enum server_op op, const sio_target *to,
                    const char *const *rooms, size_t nrooms, unsigned flags, uint64_t *req_out,
                    const char *fn) {
  sio_target t;
  int rc = check_server(srv, fn);
  if (rc || (rc = read_target(to, &t, fn))) return rc;
  if (nrooms && !rooms) return abi_fail(SIO_EINVAL, "%s: rooms is NULL", fn);
  for (size_t i = 0; i < nrooms; i++)
    if (!rooms[i]) return abi_fail(SIO_EINVAL, "%s: rooms[%zu] is NULL", fn, i);
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, op, abi_target_size(&t) + abi_strs_size(rooms, nrooms));
  if (!c) return abi_fail(SIO_ENOMEM, "%s: out of memory", fn);
  abi_cmd_target(c, &t);
  c->rooms = abi_cmd_strs(c, rooms, nrooms);
  c->nrooms = nrooms;
  c->flags = flags;
  uint64_t req;
  return submit(srv, c, req_out ? req_out : &req);
}

int sio_join(sio_server *srv, const sio_target *to, const char *const *rooms, size_t nrooms,
             uint64_t *req_out) {
  return rooms_op(srv, OP_JOIN, to, rooms, nrooms, 0, req_out, "sio_join");
}

int sio_leave(sio_server *srv, const sio_target *to, const char *const *rooms, size_t nrooms,
              uint64_t *req_out) {
  return rooms_op(srv, OP_LEAVE, to, rooms, nrooms, 0, req_out, "sio_leave");
}

int sio_disconnect(sio_server *srv, const sio_target *to, unsigned flags, uint64_t *req_out) {
  if (srv && (flags & ~SIO_DISCONNECT_CLOSE))
    return abi_fail(SIO_EINVAL, "sio_disconnect: unknown flags 0x%x", flags & ~SIO_DISCONNECT_CLOSE);
  return rooms_op(srv, OP_DISCONNECT, to, NULL, 0, flags, req_out, "sio_disconnect");
}

int sio_fetch_sockets(sio_server *srv, const sio_target *to, uint64_t *req_out) {
  sio_target t;
  int rc = check_server(srv, "sio_fetch_sockets");
  if (rc || (rc = read_target(to, &t, "sio_fetch_sockets"))) return rc;
  if (!req_out) return abi_fail(SIO_EINVAL, "sio_fetch_sockets: req_out is NULL");
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_FETCH, abi_target_size(&t));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_fetch_sockets: out of memory");
  abi_cmd_target(c, &t);
  return submit(srv, c, req_out);
}

int sio_server_side_emit(sio_server *srv, const sio_message *msg, uint64_t *req_out) {
  sio_message m;
  int rc = check_server(srv, "sio_server_side_emit");
  if (rc || (rc = abi_check_message(msg, 0, &m, "sio_server_side_emit"))) return rc;
  if (m.nbins)
    return abi_fail(SIO_EINVAL, "sio_server_side_emit: the arguments must be JSON values only");
  if (m.flags & ~SIO_EMIT_ACK)
    return abi_fail(SIO_EINVAL, "sio_server_side_emit: only SIO_EMIT_ACK applies");
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_SERVER_SIDE_EMIT, abi_message_size(&m));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_server_side_emit: out of memory");
  abi_cmd_message(c, &m);
  uint64_t req;
  return submit(srv, c, req_out ? req_out : &req);
}

int sio_server_side_ack(sio_server *srv, uint64_t ack_id, const sio_message *msg,
                        uint64_t *req_out) {
  sio_message m;
  int rc = check_server(srv, "sio_server_side_ack");
  if (rc || (rc = abi_check_message(msg, 1, &m, "sio_server_side_ack"))) return rc;
  if (ack_id > (uint64_t)INT64_MAX) return abi_fail(SIO_EINVAL, "sio_server_side_ack: ack_id is out of range");
  if (m.nbins)
    return abi_fail(SIO_EINVAL, "sio_server_side_ack: the arguments must be JSON values only");
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_SERVER_SIDE_ACK, abi_message_size(&m));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_server_side_ack: out of memory");
  c->ack_id = (int64_t)ack_id;
  abi_cmd_message(c, &m);
  uint64_t req;
  return submit(srv, c, req_out ? req_out : &req);
}

int sio_socket_set_data(sio_server *srv, const char *sid, const char *json) {
  int rc = check_server(srv, "sio_socket_set_data");
  if (rc) return rc;
  if (!sid) return abi_fail(SIO_EINVAL, "sio_socket_set_data: sid is NULL");
  size_t len = json ? strlen(json) : 0;
  /* Set before the server started; read-only since. */
  size_t max = srv->core.eio.opts.max_payload;
  if (len > max)
    return abi_fail(SIO_ETOOBIG, "sio_socket_set_data: json is %zu bytes, over maxHttpBufferSize (%zu)",
                    len, max);
  if (json && json_validate(json, len))
    return abi_fail(SIO_EINVAL, "sio_socket_set_data: json is not one JSON value");
  abi_cmd *c = abi_cmd_new(srv->ctx, srv, OP_SET_DATA, abi_str_size(sid) + abi_str_size(json));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_socket_set_data: out of memory");
  c->target.sid = abi_cmd_str(c, sid);
  c->json = abi_cmd_str(c, json);
  c->json_len = len;
  return submit(srv, c, NULL);
}

/* ---- the rooms query ------------------------------------------------------- */

typedef struct rooms_call {
  cmd base;
  sio_server *srv;
  const char *sid;
  char *json;
  int rc;
} rooms_call;

static void run_rooms(cmd *base) {
  rooms_call *q = (rooms_call *)base;
  q->rc = io_socket_rooms(&q->srv->core, q->sid, &q->json);
}

int sio_socket_rooms(sio_server *srv, const char *sid, char **json_out) {
  if (json_out) *json_out = NULL;
  int rc = check_server(srv, "sio_socket_rooms");
  if (rc) return rc;
  if (!sid || !json_out) return abi_fail(SIO_EINVAL, "sio_socket_rooms: NULL argument");
  /* On the caller's stack: cmdq_call returns once it has run, and the
   * commands queued before it ran first. */
  rooms_call q = {.srv = srv, .sid = sid, .rc = SIO_ECLOSED};
  q.base.run = run_rooms;
  cmdq_call(&srv->ctx->cmdq, &q.base);
  if (q.rc == SIO_ENOTFOUND) return abi_fail(q.rc, "sio_socket_rooms: no socket \"%s\"", sid);
  if (q.rc == SIO_ENOMEM) return abi_fail(q.rc, "sio_socket_rooms: out of memory");
  if (q.rc) return abi_fail(q.rc, "sio_socket_rooms: the server is closed");
  *json_out = q.json;
  return 0;
}

/* ---- the transport query -------------------------------------------------- */

typedef struct transport_call {
  cmd base;
  sio_server *srv;
  const char *sid;
  const char *name;
  int rc;
} transport_call;

static void run_transport(cmd *base) {
  transport_call *q = (transport_call *)base;
  q->rc = io_socket_transport(&q->srv->core, q->sid, &q->name);
}

int sio_socket_transport(sio_server *srv, const char *sid, const char **name_out) {
  if (name_out) *name_out = NULL;
  int rc = check_server(srv, "sio_socket_transport");
  if (rc) return rc;
  if (!sid || !name_out) return abi_fail(SIO_EINVAL, "sio_socket_transport: NULL argument");
  transport_call q = {.srv = srv, .sid = sid, .rc = SIO_ECLOSED};
  q.base.run = run_transport;
  cmdq_call(&srv->ctx->cmdq, &q.base);
  if (q.rc == SIO_ENOTFOUND)
    return abi_fail(q.rc, "sio_socket_transport: no socket \"%s\"", sid);
  if (q.rc) return abi_fail(q.rc, "sio_socket_transport: the server is closed");
  *name_out = q.name;
  return 0;
}
