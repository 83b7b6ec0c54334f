/* The public sio_client_* calls: check the arguments, copy them into a
 * command and queue it to the loop thread, where core/sio/client_*.c does
 * the work. */
#include <stdlib.h>
#include <string.h>

#include "../core/util/json.h"
#include "abi_internal.h"

/* ---- lifecycle ------------------------------------------------------------ */

static void client_shutdown(ctx_child *ch) {
  sio_client *cli = (sio_client *)ch;
  atomic_store(&cli->closed, 1);
  cl_manager_abort(&cli->core);
}

static void client_resume(ctx_child *ch) { cl_manager_resume(&((sio_client *)ch)->core); }

static void client_destroy(ctx_child *ch) {
  sio_client *cli = (sio_client *)ch;
  cl_manager_free(&cli->core);
  free(cli);
}

typedef struct start_cmd {
  cmd base;
  sio_client *cli;
  cl_config *cfg;
  const char *nsp;
  const char *auth;
  int rc;
} start_cmd;

/* The context's TLS configurations, shared by its clients so that each
 * trust store is loaded once: a child of the context (freed with it), made
 * by the first client on the loop thread, so never twice. */
typedef struct tls_child {
  ctx_child child;
  tls_configs *configs;
} tls_child;

static void tls_child_shutdown(ctx_child *ch) { (void)ch; }

static void tls_child_destroy(ctx_child *ch) {
  tls_configs_free(((tls_child *)ch)->configs);
  free(ch);
}

static tls_configs *context_tls_configs(sio_context *ctx) {
  tls_child *found = NULL;
  uv_mutex_lock(&ctx->children_lock);
  for (ctx_child *ch = ctx->children; ch && !found; ch = ch->next)
    if (ch->destroy == tls_child_destroy) found = (tls_child *)ch;
  uv_mutex_unlock(&ctx->children_lock);
  if (found) return found->configs;
  tls_child *t = calloc(1, sizeof(*t));
  if (!t || !(t->configs = tls_configs_new())) {
    free(t);
    return NULL;
  }
  t->child.shutdown = tls_child_shutdown;
  t->child.destroy = tls_child_destroy;
  ctx_adopt(ctx, &t->child);
  return t->configs;
}

static void run_start(cmd *c) {
  start_cmd *s = (start_cmd *)c;
  s->cfg->eio.tls_configs = context_tls_configs(s->cli->ctx);
  s->rc = s->cfg->eio.tls_configs ? cl_manager_start(&s->cli->core, s->cli->ctx, s->cli,
                                                     s->cfg, s->nsp, s->auth)
                                  : SIO_ENOMEM;
}

static int check_auth(const char *auth, const char *fn) {
  if (auth && (json_validate(auth, strlen(auth)) || json_peek(auth, strlen(auth), 0) != '{'))
    return abi_fail(SIO_EINVAL, "%s: auth_json is not a JSON object", fn);
  return 0;
}

/* The URL's query goes first, then the "query" option's pairs. Takes
 * url_query. */
static int merge_query(cl_config *cfg, char *url_query) {
  char *opt = cfg->eio.query;
  if (!url_query) return 0;
  if (!opt) {
    cfg->eio.query = url_query;
    return 0;
  }
  size_t a = strlen(url_query), b = strlen(opt);
  char *q = malloc(a + b + 2);
  if (q) {
    memcpy(q, url_query, a);
    q[a] = '&';
    memcpy(q + a + 1, opt, b + 1);
    free(opt);
    cfg->eio.query = q;
  }
  free(url_query);
  return q ? 0 : SIO_ENOMEM;
}

SIO_EXPORT int sio_client_new(sio_context *ctx, const char *url, const sio_options *opts,
                              const char *auth_json, sio_client **out) {
  if (out) *out = NULL;
  if (!ctx || !url || !out) return abi_fail(SIO_EINVAL, "sio_client_new: NULL argument");
  int rc = check_auth(auth_json, "sio_client_new");
  if (rc) return rc;
  char *nsp, *query;
  rc = cl_url_split(url, &nsp, &query);
  if (rc == SIO_EINVAL)
    return abi_fail(rc, "sio_client_new: \"%s\" is not an http, https, ws or wss URL "
                        "with a valid host and port", url);
  if (rc) return abi_fail(rc, "sio_client_new: out of memory");
  cl_config cfg;
  rc = client_config_from(opts, &cfg);
  /* The transport finds the server in the URL and ignores the rest. */
  cfg.eio.url = strdup(url);
  if (!rc && !cfg.eio.url) rc = abi_fail(SIO_ENOMEM, "sio_client_new: out of memory");
  if (rc)
    free(query);
  else if (merge_query(&cfg, query))
    rc = abi_fail(SIO_ENOMEM, "sio_client_new: out of memory");
  sio_client *cli = rc ? NULL : calloc(1, sizeof(*cli));
  if (!rc && !cli) rc = abi_fail(SIO_ENOMEM, "sio_client_new: out of memory");
  if (rc) {
    cl_config_free(&cfg);
    free(nsp);
    return rc;
  }
  cli->ctx = ctx;
  cli->child.shutdown = client_shutdown;
  cli->child.resume = client_resume;
  cli->child.destroy = client_destroy;
  start_cmd c = {.cli = cli, .cfg = &cfg, .nsp = nsp, .auth = auth_json, .rc = SIO_ECLOSED};
  c.base.run = run_start;
  cmdq_call(&ctx->cmdq, &c.base);
  /* The manager may hold loop handles even when it failed: the context
   * frees it with the rest. */
  ctx_adopt(ctx, &cli->child);
  cl_config_free(&cfg);
  free(nsp);
  if (c.rc) {
    atomic_store(&cli->closed, 1);
    if (c.rc == SIO_EINVAL)
      return abi_fail(c.rc, "sio_client_new: the transport cannot use \"%s\" with these options",
                      url);
    return abi_fail(c.rc, "sio_client_new: %s",
                    c.rc == SIO_ECLOSED ? "the context is closing" : "out of memory");
  }
  *out = cli;
  return 0;
}

/* ---- commands --------------------------------------------------------------- */

enum client_op { OP_SOCKET, OP_EMIT, OP_ACK, OP_DISCONNECT, OP_CLOSE };

/* One command and, after it, the copies of everything the host handed in. */
typedef struct client_cmd {
  cmd base;
  sio_client *cli;
  enum client_op op;
  uint64_t req;
  char *nsp;
  char *str;            /* event name or auth */
  char *json;           /* arguments */
  size_t json_len;
  sio_attachment *bins;
  size_t nbins;
  unsigned flags;
  int timeout_ms;
  int64_t ack_id;
  char *arena_next;
  char arena[];
} client_cmd;

static size_t str_size(const char *s) { return s ? strlen(s) + 8 : 0; }

static size_t payload_size(size_t len, const sio_buf *bins, size_t nbins) {
  size_t total = len + 16 + nbins * (sizeof(sio_attachment) + 8);
  for (size_t i = 0; i < nbins; i++) total += bins[i].len;
  return total;
}

static void *arena_take(client_cmd *c, size_t n) {
  /* Pointers and attachments stay 8-byte aligned. */
  void *p = c->arena_next;
  c->arena_next += (n + 7) & ~(size_t)7;
  return p;
}

static char *arena_str(client_cmd *c, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = arena_take(c, n);
  memcpy(p, s, n);
  return p;
}

static void copy_payload(client_cmd *c, const char *json, size_t len, const sio_buf *bins,
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

static client_cmd *cmd_new(sio_client *cli, enum client_op op, const char *nsp, size_t extra) {
  client_cmd *c = calloc(1, sizeof(*c) + str_size(nsp ? nsp : "/") + extra + 64);
  if (!c) return NULL;
  c->cli = cli;
  c->op = op;
  c->ack_id = -1;
  c->arena_next = c->arena;
  c->nsp = arena_str(c, nsp ? nsp : "/");
  return c;
}

static void run_client_cmd(cmd *base) {
  client_cmd *c = (client_cmd *)base;
  cl_manager *m = &c->cli->core;
  cl_socket *s = cl_manager_socket(m, c->nsp);
  if (m->closed && c->op != OP_CLOSE) {
    cl_post_error(m, c->nsp, c->req, SIO_ECLOSED, "the client is closed");
  } else if (!s && c->op != OP_SOCKET && c->op != OP_CLOSE) {
    cl_post_error(m, c->nsp, c->req, SIO_ENOTFOUND, "no socket was opened for this namespace");
  } else {
    switch (c->op) {
      case OP_SOCKET:
        if (!s) s = cl_socket_new(m, c->nsp, c->str);
        if (s)
          cl_socket_activate(s, c->str);
        else
          cl_post_error(m, c->nsp, 0, SIO_ENOMEM, "out of memory");
        break;
      case OP_EMIT:
        cl_socket_emit(s, c->req, c->str, c->json, c->json_len, c->bins, c->nbins, c->flags,
                       c->timeout_ms);
        break;
      case OP_ACK:
        if (cl_socket_ack(s, c->ack_id, c->json, c->json_len, c->bins, c->nbins))
          cl_post_error(m, c->nsp, 0, SIO_EDISCONNECTED,
                        "the socket is not connected: the acknowledgement was not sent");
        break;
      case OP_DISCONNECT:
        cl_socket_disconnect(s);
        break;
      case OP_CLOSE:
        cl_manager_close(m);
        break;
    }
  }
  free(c);
}

static int submit(client_cmd *c) {
  c->base.run = run_client_cmd;
  cmdq_push(&c->cli->ctx->cmdq, &c->base);
  return 0;
}

/* ---- argument checks ------------------------------------------------------- */

static int check_client(const sio_client *cli, const char *fn) {
  if (!cli) return abi_fail(SIO_EINVAL, "%s: cli is NULL", fn);
  if (atomic_load(&cli->closed)) return abi_fail(SIO_ECLOSED, "%s: the client is closed", fn);
  return 0;
}

static int check_nsp(const char *nsp, int required, const char *fn) {
  if (!nsp && required) return abi_fail(SIO_EINVAL, "%s: nsp is NULL", fn);
  if (nsp && nsp[0] != '/') return abi_fail(SIO_EINVAL, "%s: namespace must start with \"/\"", fn);
  return 0;
}

/* ---- the public calls ------------------------------------------------------- */

SIO_EXPORT int sio_client_socket(sio_client *cli, const char *nsp, const char *auth_json) {
  int rc = check_client(cli, "sio_client_socket");
  if (rc || (rc = check_nsp(nsp, 1, "sio_client_socket")) ||
      (rc = check_auth(auth_json, "sio_client_socket")))
    return rc;
  client_cmd *c = cmd_new(cli, OP_SOCKET, nsp, str_size(auth_json));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_socket: out of memory");
  c->str = arena_str(c, auth_json);
  return submit(c);
}

SIO_EXPORT int sio_client_emit(sio_client *cli, const char *nsp, const char *event,
                               const char *args_json, size_t args_len, const sio_buf *bins,
                               size_t nbins, unsigned flags, int timeout_ms,
                               uint64_t *req_out) {
  int rc = check_client(cli, "sio_client_emit");
  if (rc || (rc = check_nsp(nsp, 0, "sio_client_emit"))) return rc;
  if (!event) return abi_fail(SIO_EINVAL, "sio_client_emit: event is NULL");
  if (abi_reserved_event(event)) return abi_fail(SIO_ERESERVED, "\"%s\" is a reserved event name", event);
  if ((rc = abi_check_payload(args_json, args_len, bins, nbins, "sio_client_emit"))) return rc;
  if ((flags & SIO_EMIT_ACK) && !req_out)
    return abi_fail(SIO_EINVAL, "sio_client_emit: SIO_EMIT_ACK needs req_out");
  if (timeout_ms < 0) return abi_fail(SIO_EINVAL, "sio_client_emit: timeout_ms is negative");
  client_cmd *c = cmd_new(cli, OP_EMIT, nsp, str_size(event) + payload_size(args_len, bins, nbins));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_emit: out of memory");
  c->str = arena_str(c, event);
  copy_payload(c, args_json, args_len, bins, nbins);
  c->flags = flags;
  c->timeout_ms = timeout_ms;
  c->req = ctx_new_request(cli->ctx);
  if (req_out) *req_out = c->req;
  return submit(c);
}

SIO_EXPORT int sio_client_ack(sio_client *cli, const char *nsp, int64_t ack_id,
                              const char *args_json, size_t args_len, const sio_buf *bins,
                              size_t nbins) {
  int rc = check_client(cli, "sio_client_ack");
  if (rc || (rc = check_nsp(nsp, 0, "sio_client_ack"))) return rc;
  if (ack_id < 0) return abi_fail(SIO_EINVAL, "sio_client_ack: ack_id is negative");
  if ((rc = abi_check_payload(args_json, args_len, bins, nbins, "sio_client_ack"))) return rc;
  client_cmd *c = cmd_new(cli, OP_ACK, nsp, payload_size(args_len, bins, nbins));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_ack: out of memory");
  c->ack_id = ack_id;
  copy_payload(c, args_json, args_len, bins, nbins);
  return submit(c);
}

SIO_EXPORT int sio_client_disconnect(sio_client *cli, const char *nsp) {
  int rc = check_client(cli, "sio_client_disconnect");
  if (rc || (rc = check_nsp(nsp, 0, "sio_client_disconnect"))) return rc;
  client_cmd *c = cmd_new(cli, OP_DISCONNECT, nsp, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_disconnect: out of memory");
  return submit(c);
}

SIO_EXPORT int sio_client_close(sio_client *cli) {
  int rc = check_client(cli, "sio_client_close");
  if (rc) return rc;
  client_cmd *c = cmd_new(cli, OP_CLOSE, NULL, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_close: out of memory");
  atomic_store(&cli->closed, 1);
  return submit(c);
}
