/* The engine hooks' calls and options with bad input: sio_request_accept/
 * refuse with NULL, bad headers, an unknown request, one answered twice,
 * one whose client left, one never answered (refused after connectTimeout)
 * and a closed server; sio_socket_transport likewise; the option values
 * that would break a header or a cookie. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pump_wait.h"
#include <sio/sio.h>

static void refused_value(const char *key, const char *value) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  if (sio_options_set(o, key, value) != SIO_EINVAL) {
    fprintf(stderr, "%s=%s was taken\n", key, value);
    exit(1);
  }
  sio_options_free(o);
}

static sio_server *new_server(sio_context *ctx) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "port", "0") == 0);
  CHECK(sio_options_set(o, "host", "127.0.0.1") == 0);
  CHECK(sio_options_set(o, "allowRequest", "true") == 0);
  CHECK(sio_options_set(o, "connectionErrorEvents", "true") == 0);
  CHECK(sio_options_set(o, "connectTimeout", "300") == 0);
  sio_server *srv = NULL;
  CHECK(sio_server_new(ctx, o, &srv) == 0);
  sio_options_free(o);
  return srv;
}

static sio_client *new_client(sio_context *ctx, int port) {
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "reconnection", "false") == 0);
  CHECK(sio_options_set(o, "transports", "polling") == 0);
  sio_client *cli = NULL;
  CHECK(sio_client_new(ctx, url, o, NULL, &cli) == 0);
  sio_options_free(o);
  return cli;
}

/* The SIO_EV_ERROR a late answer to req gets. */
static void expect_gone(sio_context *ctx, uint64_t req) {
  const sio_event *ev = wait_event(ctx, SIO_EV_ERROR);
  CHECK(ev->req == req);
  CHECK(ev->err == SIO_ENOTFOUND);
}

int main(void) {
  refused_value("cookie", "");
  refused_value("cookie", "a b");
  refused_value("cookie", "io;x");
  refused_value("cookie.path", "/a;b");
  refused_value("cookie.path", "/a\r\nX: y");
  refused_value("cookie.sameSite", "sometimes");
  refused_value("cookie.httpOnly", "yes");
  refused_value("allowRequest", "maybe");
  refused_value("connectionErrorEvents", "2");
  refused_value("headers", "[]");
  refused_value("headers", "{\"a b\":\"x\"}");
  refused_value("headers.initial", "{\"X\":\"a\\r\\nB: c\"}");
  refused_value("headers.initial", "{\"X\":1}");

  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = new_server(ctx);
  int port = sio_server_port(srv);

  CHECK(sio_request_accept(NULL, 1, NULL) == SIO_EINVAL);
  CHECK(sio_request_refuse(NULL, 1, "no") == SIO_EINVAL);
  CHECK(sio_socket_transport(NULL, "x", &(const char *){NULL}) == SIO_EINVAL);
  CHECK(sio_socket_transport(srv, NULL, &(const char *){NULL}) == SIO_EINVAL);
  CHECK(sio_socket_transport(srv, "x", NULL) == SIO_EINVAL);
  const char *name = "unset";
  CHECK(sio_socket_transport(srv, "no-such-socket", &name) == SIO_ENOTFOUND);
  CHECK(name == NULL);

  /* An unknown request: the answer is reported, nothing else happens. */
  CHECK(sio_request_accept(srv, 424242, NULL) == 0);
  expect_gone(ctx, 424242);
  CHECK(sio_request_refuse(srv, 434343, NULL) == 0);
  expect_gone(ctx, 434343);

  sio_client *cli = new_client(ctx, port);
  const sio_event *ev = wait_event(ctx, SIO_EV_ALLOW_REQUEST);
  uint64_t req = ev->req;
  CHECK(req != 0);
  CHECK(ev->data && strncmp(ev->data, "{\"method\":\"GET\",\"headers\":{", 27) == 0);
  CHECK(strstr(ev->data, "\"transport\":\"polling\""));
  CHECK(sio_request_accept(srv, req, "{\"X\":") == SIO_EINVAL);
  CHECK(sio_request_accept(srv, req, "{\"X\":[\"a\"]}") == SIO_EINVAL);
  CHECK(sio_request_accept(srv, req, "{\"X\":\"a\\nB: c\"}") == SIO_EINVAL);
  CHECK(sio_request_accept(srv, req, "{\"X-Node\":\"7\"}") == 0);
  ev = wait_event(ctx, SIO_EV_CONNECTION);
  char sid[32];
  snprintf(sid, sizeof(sid), "%s", ev->sid);
  CHECK(sio_socket_transport(srv, sid, &name) == 0);
  CHECK_STR(name, "polling");
  /* Answered twice: the second answer finds nothing. */
  CHECK(sio_request_refuse(srv, req, "late") == 0);
  expect_gone(ctx, req);
  sio_client_free(cli);

  /* Never answered: refused after connectTimeout, reported as Forbidden. */
  cli = new_client(ctx, port);
  ev = wait_event(ctx, SIO_EV_ALLOW_REQUEST);
  req = ev->req;
  ev = wait_event(ctx, SIO_EV_CONNECTION_ERROR);
  CHECK_STR(ev->reason, "Forbidden");
  CHECK(strncmp(ev->data,
                "{\"code\":4,\"message\":\"Forbidden\",\"context\":{\"name\":"
                "\"ALLOW_REQUEST_TIMEOUT\"},\"req\":{\"method\":\"GET\"",
                96) == 0);
  ev = wait_event(ctx, SIO_EV_CONNECT_ERROR);
  CHECK(ev->client == cli);
  CHECK(sio_request_accept(srv, req, NULL) == 0);
  expect_gone(ctx, req);
  sio_client_free(cli);

  /* The client leaves while its request waits: the request is gone. */
  cli = new_client(ctx, port);
  ev = wait_event(ctx, SIO_EV_ALLOW_REQUEST);
  req = ev->req;
  sio_client_free(cli);
  for (int i = 0; i < 4; i++) sio_next_event(ctx, 50, &ev);
  CHECK(sio_request_accept(srv, req, NULL) == 0);
  expect_gone(ctx, req);

  /* A request waiting when the server closes: answers fail cleanly. */
  cli = new_client(ctx, port);
  ev = wait_event(ctx, SIO_EV_ALLOW_REQUEST);
  req = ev->req;
  CHECK(sio_server_close(srv) == 0);
  CHECK(sio_request_accept(srv, req, NULL) == SIO_ECLOSED);
  CHECK(sio_request_refuse(srv, req, NULL) == SIO_ECLOSED);
  CHECK(sio_socket_transport(srv, sid, &name) == SIO_ECLOSED);
  wait_event(ctx, SIO_EV_SERVER_CLOSED);
  sio_client_free(cli);

  sio_context_free(ctx);
  return 0;
}
