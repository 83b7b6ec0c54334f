/* A server without a catch-all namespace ("*") refuses a namespace it does
 * not have by itself, as socket.io does: the client gets "Invalid
 * namespace", the host hears nothing of it. (The test servers of the suites
 * all register "*", so only this test reaches that refusal.) */
#include <stdio.h>

#include "check.h"
#include "pump_wait.h"
#include <sio/sio.h>

static sio_server *new_server(sio_context *ctx) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "port", "0") == 0);
  CHECK(sio_options_set(o, "host", "127.0.0.1") == 0);
  sio_server *srv = NULL;
  CHECK(sio_server_new(ctx, o, &srv) == 0);
  sio_options_free(o);
  CHECK(sio_server_of(srv, "/custom", 0) == 0);
  return srv;
}

static sio_client *new_client(sio_context *ctx, int port, const char *nsp) {
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, nsp);
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "reconnection", "false") == 0);
  sio_client *cli = NULL;
  CHECK(sio_client_new(ctx, url, o, NULL, &cli) == 0);
  sio_options_free(o);
  return cli;
}

/* The next event of the client, skipping the server's own; the server must
 * never be asked about the namespace. */
static const sio_event *next_client_event(sio_context *ctx) {
  for (int i = 0; i < 200; i++) {
    const sio_event *ev;
    int rc = sio_next_event(ctx, 50, &ev);
    CHECK(rc >= 0);
    if (rc == 0) continue;
    CHECK(ev->type != SIO_EV_CONNECT_REQUEST);
    if (ev->client) return ev;
  }
  fprintf(stderr, "no client event\n");
  exit(1);
}

int main(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = new_server(ctx);
  int port = sio_server_port(srv);

  sio_client *known = new_client(ctx, port, "/custom");
  const sio_event *ev = next_client_event(ctx);
  CHECK(ev->client == known && ev->type == SIO_EV_CONNECT);
  CHECK_STR(ev->nsp, "/custom");

  sio_client *unknown = new_client(ctx, port, "/nope");
  ev = next_client_event(ctx);
  CHECK(ev->client == unknown && ev->type == SIO_EV_CONNECT_ERROR);
  CHECK_STR(ev->nsp, "/nope");
  CHECK_STR(ev->reason, "Invalid namespace");
  /* A refusal is final: the socket stays out until sio_client_socket(). */
  CHECK(ev->flags & SIO_EVF_FINAL);

  sio_context_free(ctx);
  return 0;
}
