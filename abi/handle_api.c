/* The host's side of the handles' lifetimes: freeing servers and clients
 * before their context, and the tags the host gets back in events. A freed
 * handle goes away in three steps: its events stop being handed out at
 * once (ctx_child_release); the loop thread closes it and, once nothing of
 * it is left on the loop, queues its reap marker after its last event
 * (io_server_finish / cl_manager_finish, then ctx_post_reap); the pump
 * destroys it when it meets the marker. */
#include <stdlib.h>

#include "abi_internal.h"

typedef struct reap_cmd {
  cmd base;
  void *handle;
} reap_cmd;

static void server_closed(io_server *s) { ctx_post_reap(s->ctx, &s->handle->child); }

static void run_server_reap(cmd *c) {
  sio_server *srv = ((reap_cmd *)c)->handle;
  free(c);
  io_server_finish(&srv->core, server_closed);
}

static void client_closed(cl_manager *m) { ctx_post_reap(m->ctx, &m->handle->child); }

static void run_client_reap(cmd *c) {
  sio_client *cli = ((reap_cmd *)c)->handle;
  free(c);
  cl_manager_finish(&cli->core, client_closed);
}

/* Without memory for the command the handle stays until the context is
 * freed: its events are dropped all the same. */
static void reap_when_closed(sio_context *ctx, void *handle, void (*run)(cmd *c)) {
  reap_cmd *c = calloc(1, sizeof(*c));
  if (!c) return;
  c->base.run = run;
  c->handle = handle;
  cmdq_push(&ctx->cmdq, &c->base);
}

SIO_EXTERN void sio_server_free(sio_server *srv) {
  if (!srv) return;
  ctx_child_release(srv->ctx, &srv->child);
  if (!atomic_load(&srv->closed)) sio_server_close(srv);
  reap_when_closed(srv->ctx, srv, run_server_reap);
}

SIO_EXTERN void sio_client_free(sio_client *cli) {
  if (!cli) return;
  ctx_child_release(cli->ctx, &cli->child);
  if (!atomic_load(&cli->closed)) sio_client_close(cli);
  reap_when_closed(cli->ctx, cli, run_client_reap);
}

SIO_EXTERN int sio_server_set_user(sio_server *srv, void *user) {
  if (!srv) return abi_fail(SIO_EINVAL, "sio_server_set_user: srv is NULL");
  atomic_store(&srv->child.user, user);
  return 0;
}

SIO_EXTERN int sio_client_set_user(sio_client *cli, void *user) {
  if (!cli) return abi_fail(SIO_EINVAL, "sio_client_set_user: cli is NULL");
  atomic_store(&cli->child.user, user);
  return 0;
}

SIO_EXTERN int sio_socket_set_user(sio_server *srv, const char *sid, void *user) {
  if (!srv || !sid) return abi_fail(SIO_EINVAL, "sio_socket_set_user: NULL argument");
  if (ctx_set_socket_user(srv->ctx, &srv->child, sid, user))
    return abi_fail(SIO_ENOMEM, "sio_socket_set_user: out of memory");
  return 0;
}

SIO_EXTERN void sio_free(void *p) { free(p); }
