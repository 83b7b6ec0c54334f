/* Servers and clients on loopback for the unit tests of the pump. */
#ifndef SIO_TEST_PUMP_PEERS_H
#define SIO_TEST_PUMP_PEERS_H
#include <stdio.h>

#include "check.h"
#include <sio/sio.h>

/* Options from NULL-terminated key, value pairs (pairs may be NULL). */
static inline sio_options *peer_options(const char *const *pairs) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  for (; pairs && pairs[0]; pairs += 2) CHECK(sio_options_set(o, pairs[0], pairs[1]) == 0);
  return o;
}

/* A server on a free loopback port. */
static inline sio_server *peer_server(sio_context *ctx, const char *const *pairs) {
  sio_options *o = peer_options(pairs);
  CHECK(sio_options_set(o, "port", "0") == 0);
  CHECK(sio_options_set(o, "host", "127.0.0.1") == 0);
  sio_server *srv = NULL;
  CHECK(sio_server_new(ctx, o, &srv) == 0);
  sio_options_free(o);
  CHECK(sio_server_port(srv) > 0);
  return srv;
}

/* A client of the loopback port. */
static inline sio_client *peer_client(sio_context *ctx, int port, const char *const *pairs) {
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
  sio_options *o = peer_options(pairs);
  sio_client *cli = NULL;
  CHECK(sio_client_new(ctx, url, o, NULL, &cli) == 0);
  sio_options_free(o);
  return cli;
}
#endif
