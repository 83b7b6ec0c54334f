/* sio_socket_set_data: the JSON is checked and bounded on the caller's
 * thread; the value is what SIO_EV_SOCKETS lists as the socket's "data"
 * ({} until set, null for NULL); a sid that is gone is ignored without an
 * event. */
#include <string.h>

#include "check.h"
#include "pump_peers.h"

#define GONE "AAAAAAAAAAAAAAAAAAAA"

static const sio_event *expect(sio_context *ctx, int type) {
  for (int i = 0; i < 400; i++) {
    const sio_event *ev;
    int rc = sio_next_event(ctx, 25, &ev);
    CHECK(rc >= 0);
    if (rc == 0) continue;
    if (ev->type == SIO_EV_ERROR) fprintf(stderr, "unexpected error: %s\n", ev->reason);
    CHECK(ev->type != SIO_EV_ERROR);
    if (ev->type == type) return ev;
  }
  fprintf(stderr, "no event of type %d\n", type);
  exit(1);
}

/* The "data" member of the fetched socket: the JSON after "data": up to the
 * object's closing brace, in out. */
static void fetched_data(sio_context *ctx, sio_server *srv, const char *sid, char *out, size_t cap) {
  uint64_t req;
  CHECK(sio_fetch_sockets(srv, NULL, &req) == 0);
  const sio_event *ev = expect(ctx, SIO_EV_SOCKETS);
  CHECK(ev->req == req);
  const char *at = strstr(ev->data, sid);
  CHECK(at != NULL);
  at = strstr(at, ",\"data\":");
  CHECK(at != NULL);
  at += strlen(",\"data\":");
  /* The socket is the only one: its object and the array end the text. */
  size_t n = strlen(at);
  CHECK(n >= 2 && strcmp(at + n - 2, "}]") == 0 && n - 2 < cap);
  memcpy(out, at, n - 2);
  out[n - 2] = 0;
}

static void test_checks(sio_server *srv) {
  static const char *const bad[] = {"", "{", "{\"a\":}", "[1,]", "1 2", "undefined", "{'a':1}",
                                    "\"\\x\"", "nul"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    CHECK(sio_socket_set_data(srv, GONE, bad[i]) == SIO_EINVAL);
    CHECK(strstr(sio_last_error(), "not one JSON value") != NULL);
  }
  CHECK(sio_socket_set_data(NULL, GONE, "1") == SIO_EINVAL);
  CHECK(sio_socket_set_data(srv, NULL, "1") == SIO_EINVAL);
  /* "maxHttpBufferSize" is 64 here. */
  char big[80];
  memset(big, ' ', sizeof(big) - 1);
  big[sizeof(big) - 1] = 0;
  big[0] = '1';
  CHECK(sio_socket_set_data(srv, GONE, big) == SIO_ETOOBIG);
  CHECK(strstr(sio_last_error(), "maxHttpBufferSize (64)") != NULL);
  big[64] = 0;
  CHECK(sio_socket_set_data(srv, GONE, big) == 0);
}

static void test_data(void) {
  sio_context *sctx, *cctx;
  CHECK(sio_context_new(&sctx) == 0);
  CHECK(sio_context_new(&cctx) == 0);
  const char *const opts[] = {"maxHttpBufferSize", "64", NULL};
  sio_server *srv = peer_server(sctx, opts);
  test_checks(srv);

  sio_client *cli = peer_client(cctx, sio_server_port(srv), NULL);
  expect(cctx, SIO_EV_CONNECT);
  const sio_event *ev = expect(sctx, SIO_EV_CONNECTION);
  char sid[32], data[128];
  snprintf(sid, sizeof(sid), "%s", ev->sid);

  fetched_data(sctx, srv, sid, data, sizeof(data));
  CHECK_STR(data, "{}");
  /* Copied before the call returns: the caller's buffer changes at once. */
  char json[] = "{\"user\":{\"n\":\"\\u00e9\"},\"tags\":[1,true,null]}";
  CHECK(sio_socket_set_data(srv, sid, json) == 0);
  memset(json, 'x', sizeof(json) - 1);
  fetched_data(sctx, srv, sid, data, sizeof(data));
  CHECK_STR(data, "{\"user\":{\"n\":\"\\u00e9\"},\"tags\":[1,true,null]}");
  CHECK(sio_socket_set_data(srv, sid, NULL) == 0);
  fetched_data(sctx, srv, sid, data, sizeof(data));
  CHECK_STR(data, "null");
  CHECK(sio_socket_set_data(srv, sid, "\"text\"") == 0);
  CHECK(sio_socket_set_data(srv, sid, "42") == 0);
  fetched_data(sctx, srv, sid, data, sizeof(data));
  CHECK_STR(data, "42");

  /* A sid that is gone: no SIO_EV_ERROR (expect() fails on one), and the
   * socket that is there keeps its data. */
  CHECK(sio_socket_set_data(srv, GONE, "[1]") == 0);
  fetched_data(sctx, srv, sid, data, sizeof(data));
  CHECK_STR(data, "42");

  CHECK(sio_client_disconnect(cli, NULL) == 0);
  expect(sctx, SIO_EV_DISCONNECT);
  CHECK(sio_socket_set_data(srv, sid, "{\"late\":1}") == 0);
  uint64_t req;
  CHECK(sio_fetch_sockets(srv, NULL, &req) == 0);
  ev = expect(sctx, SIO_EV_SOCKETS);
  CHECK_STR(ev->data, "[]");

  /* A socket freed with its data, and a server closed with data set (ASan
   * finds what is not freed). */
  CHECK(sio_client_socket(cli, "/", NULL) == 0);
  ev = expect(sctx, SIO_EV_CONNECTION);
  CHECK(sio_socket_set_data(srv, ev->sid, "{\"kept\":\"until the end\"}") == 0);
  CHECK(sio_server_close(srv) == 0);
  expect(sctx, SIO_EV_SERVER_CLOSED);
  CHECK(sio_socket_set_data(srv, GONE, "1") == SIO_ECLOSED);
  sio_context_free(cctx);
  sio_context_free(sctx);
}

int main(void) {
  test_data();
  printf("test_socket_data: ok\n");
  return 0;
}
