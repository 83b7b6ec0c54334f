/* The client half of the public ABI used wrongly and rightly: every misuse
 * of a sio_client_* function gets an error code and a message, never a
 * crash; a closed client refuses everything; commands from several
 * threads; what is left at sio_context_free is freed. The server is a port
 * nobody listens on, so nothing here needs the network beyond loopback. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "abi_message.h"
#include "check.h"
#include "pump_wait.h"
#include <sio/sio.h>

/* A loopback port that refuses connections (bound, then let go). */
static int refused_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  close(fd);
  return ntohs(a.sin_port);
}

static sio_options *options(const char *const *pairs) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  for (; pairs && pairs[0]; pairs += 2) CHECK(sio_options_set(o, pairs[0], pairs[1]) == 0);
  return o;
}

/* A client of a refused port that does not reconnect, unless pairs say. */
static sio_client *new_client(sio_context *ctx, const char *path, const char *const *pairs) {
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", refused_port(), path);
  sio_options *o = options(pairs);
  if (!pairs) CHECK(sio_options_set(o, "reconnection", "false") == 0);
  sio_client *cli = NULL;
  CHECK(sio_client_new(ctx, url, o, NULL, &cli) == 0);
  CHECK(cli != NULL);
  sio_options_free(o);
  return cli;
}

static void test_new_misuse(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_client *cli = (sio_client *)1;
  const char *url = "http://127.0.0.1:1";
  CHECK(sio_client_new(NULL, url, NULL, NULL, &cli) == SIO_EINVAL);
  CHECK(sio_client_new(ctx, NULL, NULL, NULL, &cli) == SIO_EINVAL);
  CHECK(cli == NULL);
  CHECK(sio_client_new(ctx, url, NULL, NULL, NULL) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "sio_client_new") != NULL);

  static const char *const bad_urls[] = {
      "",  "127.0.0.1:3000", "ftp://example.com/", "http://", "http:///nsp",
      "http://host:0/", "http://host:99999/", "http://host:12a/", "http://user@host/",
      "http://[::1/", "http://[nope]/", "http://ho st/", "wss://:443",
  };
  for (size_t i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
    cli = (sio_client *)1;
    if (sio_client_new(ctx, bad_urls[i], NULL, NULL, &cli) != SIO_EINVAL) {
      fprintf(stderr, "accepted the URL \"%s\"\n", bad_urls[i]);
      exit(1);
    }
    CHECK(cli == NULL);
    CHECK(strstr(sio_last_error(), "URL") != NULL);
  }

  static const char *const bad_auth[] = {"[1]", "\"token\"", "{\"a\":", "42", "", "null"};
  for (size_t i = 0; i < sizeof(bad_auth) / sizeof(bad_auth[0]); i++) {
    CHECK(sio_client_new(ctx, url, NULL, bad_auth[i], &cli) == SIO_EINVAL);
    CHECK(strstr(sio_last_error(), "auth_json") != NULL);
  }

  /* Client option values are checked when set... */
  sio_options *o = options(NULL);
  static const char *const bad_values[][2] = {
      {"reconnection", "sometimes"},  {"reconnectionAttempts", "-1"},
      {"reconnectionDelay", "soon"},  {"reconnectionDelayMax", "1.5"},
      {"randomizationFactor", "2"},   {"randomizationFactor", "x"},
      {"timeout", ""},                {"ackTimeout", "-3"},
      {"retries", "many"},            {"upgrade", "yes please"},
      {"transports", "telegraph"},    {"parser", "xml"},
      {"extraHeaders", "[1]"},        {"extraHeaders", "{\"X\":1}"},
      {"extraHeaders", "{\"Bad Name\":\"v\"}"},
      {"extraHeaders", "{\"X\":\"a\\r\\nInjected: 1\"}"},
      {"tls.verify", "maybe"},        {"maxQueuedEvents", "lots"},
      {"noSuchClientOption", "1"},
  };
  for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
    if (sio_options_set(o, bad_values[i][0], bad_values[i][1]) != SIO_EINVAL) {
      fprintf(stderr, "accepted %s=%s\n", bad_values[i][0], bad_values[i][1]);
      exit(1);
    }
  }
  sio_options_free(o);
  /* ...and a path must be absolute when the client is made. */
  static const char *const bad_path[] = {"path", "socket.io", NULL};
  o = options(bad_path);
  CHECK(sio_client_new(ctx, url, o, NULL, &cli) == SIO_EINVAL);
  CHECK(cli == NULL);
  CHECK(strstr(sio_last_error(), "path") != NULL);
  sio_options_free(o);
  sio_context_free(ctx);
}

static void test_command_misuse(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_client *cli = new_client(ctx, "/main", NULL);
  uint64_t req = 0;
  sio_buf bin = {"x", 1};
  const char *args = "[1,\"a\"]";
  size_t n = strlen(args);

  CHECK(sio_client_socket(NULL, "/a", NULL) == SIO_EINVAL);
  CHECK(sio_client_socket(cli, NULL, NULL) == SIO_EINVAL);
  CHECK(sio_client_socket(cli, "a", NULL) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "namespace") != NULL);
  CHECK(sio_client_socket(cli, "/a", "[]") == SIO_EINVAL);
  CHECK(sio_client_socket(cli, "/a", "{bad") == SIO_EINVAL);

  sio_message m = message("e", args);
  CHECK(sio_client_emit(NULL, NULL, &m, NULL) == SIO_EINVAL);
  CHECK(sio_client_emit(cli, "main", &m, NULL) == SIO_EINVAL);
  CHECK(sio_client_emit(cli, NULL, NULL, NULL) == SIO_EINVAL);
  m = message(NULL, args);
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  static const char *const reserved[] = {"connect",    "connect_error", "disconnect",
                                         "disconnecting", "newListener", "removeListener"};
  for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
    m = message(reserved[i], "[]");
    CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_ERESERVED);
    CHECK(strstr(sio_last_error(), reserved[i]) != NULL);
  }
  m = message("e", "[1,");
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  m = message("e", "{}");
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  /* args_len counts: a valid prefix is not the array. */
  m = message("e", args);
  m.args_len = n - 1;
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  m = message_ex("e", "[]", &bin, 1, 0, 0);
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  m = message_ex("e", "[]", NULL, 1, 0, 0);
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  const char *ph3 = "[{\"_placeholder\":true,\"num\":3}]";
  m = message_ex("e", ph3, &bin, 1, 0, 0);
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  sio_buf many[11];
  for (int i = 0; i < 11; i++) many[i] = bin;
  m = message_ex("e", "[]", many, 11, 0, 0);
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  m = message_ex("e", "[]", NULL, 0, 0, -1);
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "timeout_ms") != NULL);

  m = message(NULL, "[]");
  CHECK(sio_client_ack(NULL, NULL, 1, &m, NULL) == SIO_EINVAL);
  CHECK(sio_client_ack(cli, "x", 1, &m, NULL) == SIO_EINVAL);
  CHECK(sio_client_ack(cli, NULL, -1, &m, NULL) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "ack_id") != NULL);
  m = message(NULL, "{}");
  CHECK(sio_client_ack(cli, NULL, 1, &m, NULL) == SIO_EINVAL);
  m = message_ex(NULL, "[]", &bin, 1, 0, 0);
  CHECK(sio_client_ack(cli, NULL, 1, &m, NULL) == SIO_EINVAL);

  CHECK(sio_client_disconnect(NULL, NULL) == SIO_EINVAL);
  CHECK(sio_client_disconnect(cli, "main") == SIO_EINVAL);
  CHECK(sio_client_close(NULL) == SIO_EINVAL);

  /* Valid calls on a namespace never opened: each is told by an event
   * carrying the client (and the emit's request id). */
  const char *ph0 = "[{\"_placeholder\":true,\"num\":0}]";
  m = message_ex("e", ph0, &bin, 1, SIO_EMIT_ACK, 1000);
  CHECK(sio_client_emit(cli, "/never", &m, &req) == 0);
  CHECK(req != 0);
  const sio_event *ev = wait_event(ctx, SIO_EV_ERROR);
  CHECK(ev->req == req && ev->err == SIO_ENOTFOUND && ev->client == cli);
  CHECK_STR(ev->nsp, "/never");
  /* An ack without arguments (msg NULL) on a namespace never opened. */
  CHECK(sio_client_ack(cli, "/never", 3, NULL, &req) == 0);
  CHECK(req != 0);
  ev = wait_event(ctx, SIO_EV_ERROR);
  CHECK(ev->req == req && ev->err == SIO_ENOTFOUND && ev->client == cli);
  CHECK(sio_client_disconnect(cli, "/never") == 0);
  ev = wait_event(ctx, SIO_EV_ERROR);
  CHECK(ev->err == SIO_ENOTFOUND && ev->client == cli);
  /* An ack on an open namespace that is not connected was not sent: the
   * error carries the ack's request id. */
  m = message(NULL, "[]");
  CHECK(sio_client_ack(cli, "/main", 3, &m, &req) == 0);
  CHECK(req != 0);
  ev = wait_event(ctx, SIO_EV_ERROR);
  CHECK(ev->req == req && ev->err == SIO_EDISCONNECTED && ev->client == cli);
  CHECK_STR(ev->nsp, "/main");

  /* Closed: every call refuses with SIO_ECLOSED; the handle stays valid. */
  CHECK(sio_client_close(cli) == 0);
  CHECK(sio_client_close(cli) == SIO_ECLOSED);
  CHECK(strstr(sio_last_error(), "closed") != NULL);
  CHECK(sio_client_socket(cli, "/a", NULL) == SIO_ECLOSED);
  m = message("e", "[]");
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_ECLOSED);
  CHECK(sio_client_ack(cli, NULL, 1, NULL, NULL) == SIO_ECLOSED);
  CHECK(sio_client_disconnect(cli, NULL) == SIO_ECLOSED);
  /* Checks still come first: a NULL client is EINVAL, not ECLOSED. */
  CHECK(sio_client_emit(NULL, NULL, &m, NULL) == SIO_EINVAL);
  sio_context_free(ctx);
}

/* A failed connection and its reconnection attempts, event by event. */
static void test_reconnect_events(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  static const char *const pairs[] = {"reconnectionAttempts", "1", "reconnectionDelay", "10",
                                      "reconnectionDelayMax", "20", NULL};
  sio_client *cli = new_client(ctx, "", pairs);
  const sio_event *ev = wait_event(ctx, SIO_EV_CONNECT_ERROR);
  CHECK(ev->client == cli && ev->reason && ev->reason[0]);
  CHECK_STR(ev->nsp, "/");
  ev = wait_event(ctx, SIO_EV_RECONNECT_ATTEMPT);
  CHECK(ev->attempt == 1 && ev->ack_id == -1 && ev->client == cli);
  ev = wait_event(ctx, SIO_EV_CONNECT_ERROR);
  ev = wait_event(ctx, SIO_EV_RECONNECT_FAILED);
  CHECK(ev->client == cli);
  ev = wait_event(ctx, SIO_EV_RECONNECT_ERROR);
  CHECK(ev->client == cli && ev->attempt == 1);
  CHECK(ev->reason && strstr(ev->reason, "ECONNREFUSED") != NULL);
  CHECK_STR(ev->nsp, "/");
  sio_context_free(ctx);
}

typedef struct emitter_arg {
  sio_client *cli;
  int rc;
} emitter_arg;

enum { THREADS = 4, EMITS = 200 };

static void *emit_many(void *p) {
  emitter_arg *a = p;
  for (int i = 0; i < EMITS && !a->rc; i++) {
    uint64_t req;
    sio_message m = message_ex("e", "[1]", NULL, 0, SIO_EMIT_ACK, 0);
    a->rc = sio_client_emit(a->cli, NULL, &m, &req);
  }
  return NULL;
}

/* Emits from several threads while the connection fails: each one is
 * answered exactly once (buffered, then failed when nothing can carry it). */
static void test_emits_from_many_threads(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_client *cli = new_client(ctx, "", NULL);
  pthread_t t[THREADS];
  emitter_arg args[THREADS];
  for (int i = 0; i < THREADS; i++) {
    args[i] = (emitter_arg){cli, 0};
    CHECK(pthread_create(&t[i], NULL, emit_many, &args[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(args[i].rc == 0);
  }
  int answered = 0;
  for (int idle = 0; idle < 100 && answered < THREADS * EMITS;) {
    const sio_event *ev;
    if (sio_next_event(ctx, 50, &ev) != 1) {
      idle++;
      continue;
    }
    if (ev->type != SIO_EV_ACK) continue;
    CHECK(ev->err == SIO_EDISCONNECTED && ev->req != 0 && ev->client == cli);
    answered++;
  }
  CHECK(answered == THREADS * EMITS);
  /* Left for sio_context_free: an open client with events still queued. */
  sio_message m = message("e", "[]");
  CHECK(sio_client_emit(cli, NULL, &m, NULL) == 0);
  sio_context_free(ctx);
}

int main(void) {
  test_new_misuse();
  test_command_misuse();
  test_reconnect_events();
  test_emits_from_many_threads();
  sio_context_free(NULL);
  puts("test_abi_client: ok");
  return 0;
}
