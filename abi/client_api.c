/* The public sio_client_* calls: check the arguments, copy them into a
 * command and queue it to the loop thread, where core/sio/client_*.c does
 * the work. */
#include <stdlib.h>
#include <string.h>

#include "../core/util/json.h"
#include "abi_internal.h"
#include "command.h"

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
  free(cli->nsp);
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

int sio_client_new(sio_context *ctx, const char *url, const sio_options *opts,
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
  cli->nsp = nsp;
  start_cmd c = {.cli = cli, .cfg = &cfg, .nsp = nsp, .auth = auth_json, .rc = SIO_ECLOSED};
  c.base.run = run_start;
  cmdq_call(&ctx->cmdq, &c.base);
  /* The manager may hold loop handles even when it failed: the context
   * frees it with the rest. */
  ctx_adopt(ctx, &cli->child);
  cl_config_free(&cfg);
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

static void run_client_cmd(cmd *base) {
  abi_cmd *c = (abi_cmd *)base;
  sio_client *cli = c->handle;
  cl_manager *m = &cli->core;
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
          cl_post_error(m, c->nsp, c->req, SIO_EDISCONNECTED,
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
  abi_cmd_retire(cli->ctx, c);
}

/* A command on the socket of namespace nsp (NULL: "/"). */
static abi_cmd *client_cmd(sio_client *cli, enum client_op op, const char *nsp, size_t extra) {
  if (!nsp) nsp = "/";
  abi_cmd *c = abi_cmd_new(cli->ctx, cli, op, abi_str_size(nsp) + extra);
  if (c) c->nsp = abi_cmd_str(c, nsp);
  return c;
}

static int submit(sio_client *cli, abi_cmd *c, uint64_t *req_out) {
  return abi_cmd_submit(cli->ctx, c, run_client_cmd, req_out);
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

const char *sio_client_nsp(const sio_client *cli) { return cli ? cli->nsp : NULL; }

int sio_client_socket(sio_client *cli, const char *nsp, const char *auth_json) {
  int rc = check_client(cli, "sio_client_socket");
  if (rc || (rc = check_nsp(nsp, 1, "sio_client_socket")) ||
      (rc = check_auth(auth_json, "sio_client_socket")))
    return rc;
  abi_cmd *c = client_cmd(cli, OP_SOCKET, nsp, abi_str_size(auth_json));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_socket: out of memory");
  c->str = abi_cmd_str(c, auth_json);
  return submit(cli, c, NULL);
}

int sio_client_emit(sio_client *cli, const char *nsp, const sio_message *msg,
                    uint64_t *req_out) {
  sio_message m;
  int rc = check_client(cli, "sio_client_emit");
  if (rc || (rc = check_nsp(nsp, 0, "sio_client_emit")) ||
      (rc = abi_check_message(msg, 0, &m, "sio_client_emit")))
    return rc;
  abi_cmd *c = client_cmd(cli, OP_EMIT, nsp, abi_message_size(&m));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_emit: out of memory");
  abi_cmd_message(c, &m);
  /* Every emit gets a request id: its failure is reported with it. */
  uint64_t req;
  return submit(cli, c, req_out ? req_out : &req);
}

int sio_client_ack(sio_client *cli, const char *nsp, int64_t ack_id, const sio_message *msg,
                   uint64_t *req_out) {
  sio_message m;
  int rc = check_client(cli, "sio_client_ack");
  if (rc || (rc = check_nsp(nsp, 0, "sio_client_ack"))) return rc;
  if (ack_id < 0) return abi_fail(SIO_EINVAL, "sio_client_ack: ack_id is negative");
  if ((rc = abi_check_message(msg, 1, &m, "sio_client_ack"))) return rc;
  abi_cmd *c = client_cmd(cli, OP_ACK, nsp, abi_message_size(&m));
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_ack: out of memory");
  c->ack_id = ack_id;
  abi_cmd_message(c, &m);
  uint64_t req;
  return submit(cli, c, req_out ? req_out : &req);
}

int sio_client_disconnect(sio_client *cli, const char *nsp) {
  int rc = check_client(cli, "sio_client_disconnect");
  if (rc || (rc = check_nsp(nsp, 0, "sio_client_disconnect"))) return rc;
  abi_cmd *c = client_cmd(cli, OP_DISCONNECT, nsp, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_disconnect: out of memory");
  return submit(cli, c, NULL);
}

int sio_client_close(sio_client *cli) {
  int rc = check_client(cli, "sio_client_close");
  if (rc) return rc;
  abi_cmd *c = client_cmd(cli, OP_CLOSE, NULL, 0);
  if (!c) return abi_fail(SIO_ENOMEM, "sio_client_close: out of memory");
  atomic_store(&cli->closed, 1);
  return submit(cli, c, NULL);
}
