/* The public ABI used wrongly and rightly: every misuse gets an error code
 * and a message, never a crash; commands from several threads; the pump's
 * single-consumer rule; back-pressure when the host does not drain. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "abi_message.h"
#include "check.h"
#include "pump_wait.h"
#include <sio/sio.h>

static sio_server *new_server(sio_context *ctx, const char *key, const char *value) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "port", "0") == 0);
  CHECK(sio_options_set(o, "host", "127.0.0.1") == 0);
  if (key) CHECK(sio_options_set(o, key, value) == 0);
  sio_server *srv = NULL;
  CHECK(sio_server_new(ctx, o, &srv) == 0);
  sio_options_free(o);
  CHECK(sio_server_port(srv) > 0);
  return srv;
}

static void test_version_and_errors(void) {
  CHECK(sio_version() == SIO_VERSION_NUM);
  CHECK_STR(sio_version_string(), "1.2.0");
  CHECK(sio_version() >> 16 == SIO_VERSION_MAJOR);
  for (int code = 0; code >= SIO_ETOOBIG; code--) CHECK(sio_strerror(code) != NULL);
  CHECK_STR(sio_strerror(-1000), "unknown error");
  CHECK_STR(sio_strerror(SIO_ETIMEDOUT), "operation has timed out");
}

static void test_null_and_bad_options(void) {
  CHECK(sio_context_new(NULL) == SIO_EINVAL);
  sio_context_free(NULL);
  CHECK(sio_context_fd(NULL) == SIO_EINVAL);
  CHECK(sio_context_wakeup(NULL) == SIO_EINVAL);
  CHECK(sio_next_event(NULL, 0, NULL) == SIO_EINVAL);
  const sio_event *batch[2];
  CHECK(sio_next_events(NULL, 0, batch, 2) == SIO_EINVAL);
  CHECK(sio_options_new(NULL) == SIO_EINVAL);
  sio_options_free(NULL);
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "noSuchOption", "1") == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "noSuchOption") != NULL);
  CHECK(sio_options_set(o, "pingInterval", "soon") == SIO_EINVAL);
  CHECK(sio_options_set(o, "pingInterval", "-5") == SIO_EINVAL);
  CHECK(sio_options_set(o, "transports", "carrier-pigeon") == SIO_EINVAL);
  CHECK(sio_options_set(o, "parser", "xml") == SIO_EINVAL);
  CHECK(sio_options_set(o, "allowUpgrades", "maybe") == SIO_EINVAL);
  CHECK(sio_options_set(o, NULL, "1") == SIO_EINVAL);
  CHECK(sio_options_set(o, "port", NULL) == SIO_EINVAL);
  CHECK(sio_options_set(o, "port", "70000") == 0);
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = (sio_server *)1;
  CHECK(sio_server_new(ctx, o, &srv) == SIO_EINVAL);
  CHECK(srv == NULL);
  CHECK(sio_server_new(NULL, o, &srv) == SIO_EINVAL);
  CHECK(sio_server_new(ctx, o, NULL) == SIO_EINVAL);
  sio_options_free(o);
  sio_context_free(ctx);
}

static void test_port_in_use(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *a = new_server(ctx, NULL, NULL);
  char port[16];
  snprintf(port, sizeof(port), "%d", sio_server_port(a));
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "port", port) == 0);
  CHECK(sio_options_set(o, "host", "127.0.0.1") == 0);
  sio_server *b;
  CHECK(sio_server_new(ctx, o, &b) == SIO_EADDRINUSE);
  CHECK(strstr(sio_last_error(), port) != NULL);
  sio_options_free(o);
  sio_context_free(ctx);
}

static void test_emit_misuse(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = new_server(ctx, NULL, NULL);
  uint64_t req = 0;
  sio_buf bin = {"x", 1};
  const char *args = "[1,\"a\"]";
  sio_message m = message("e", args);
  CHECK(sio_emit(NULL, NULL, &m, NULL) == SIO_EINVAL);
  CHECK(sio_emit(srv, NULL, NULL, NULL) == SIO_EINVAL);
  m = message(NULL, args);
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_EINVAL);
  m = message("connect", args);
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_ERESERVED);
  CHECK(strstr(sio_last_error(), "reserved") != NULL);
  m = message("disconnecting", "[]");
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_ERESERVED);
  m = message("e", "[1,");
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_EINVAL);
  m = message("e", "{}");
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_EINVAL);
  /* args_len counts: a valid prefix is not the array. */
  m = message("e", args);
  m.args_len--;
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_EINVAL);
  m = message_ex("e", "[]", &bin, 1, 0, 0);
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_EINVAL);
  const char *ph = "[{\"_placeholder\":true,\"num\":3}]";
  m = message_ex("e", ph, &bin, 1, 0, 0);
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_EINVAL);
  sio_buf many[11];
  for (int i = 0; i < 11; i++) many[i] = bin;
  m = message_ex("e", "[]", many, 11, 0, 0);
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_EINVAL);
  m = message_ex("e", "[]", NULL, 0, SIO_EMIT_ACK, 0);
  CHECK(sio_emit(srv, NULL, &m, &req) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "timeout") != NULL);
  m = message("e", "[]");
  sio_target bad_nsp = target("custom", NULL);
  CHECK(sio_emit(srv, &bad_nsp, &m, NULL) == SIO_EINVAL);
  sio_target bad_rooms = target(NULL, NULL);
  bad_rooms.nrooms = 2;
  CHECK(sio_emit(srv, &bad_rooms, &m, NULL) == SIO_EINVAL);
  CHECK(sio_ack(srv, NULL, 1, &m, NULL) == SIO_EINVAL);
  m = message(NULL, "[]");
  CHECK(sio_ack(srv, NULL, 1, &m, NULL) == SIO_EINVAL);
  CHECK(sio_ack(srv, "x", -1, &m, NULL) == SIO_EINVAL);
  m = message(NULL, "{}");
  CHECK(sio_ack(srv, "x", 1, &m, NULL) == SIO_EINVAL);
  CHECK(sio_join(srv, NULL, NULL, 1, NULL) == SIO_EINVAL);
  CHECK(sio_leave(srv, NULL, NULL, 1, NULL) == SIO_EINVAL);
  CHECK(sio_fetch_sockets(NULL, NULL, &req) == SIO_EINVAL);
  CHECK(sio_server_of(srv, "nope", 0) == SIO_EINVAL);
  CHECK(sio_connect_refuse(srv, 1, NULL, NULL) == SIO_EINVAL);
  CHECK(sio_connect_refuse(srv, 1, "no", "{bad") == SIO_EINVAL);

  /* No arguments at all (args_json NULL) is a valid emit. */
  m = message("e", NULL);
  CHECK(sio_emit(srv, NULL, &m, NULL) == 0);

  /* A valid emit to a socket that does not exist: told by an event. */
  sio_target gone = target(NULL, "AAAAAAAAAAAAAAAAAAAA");
  const char *ph0 = "[{\"_placeholder\":true,\"num\":0}]";
  m = message_ex("e", ph0, &bin, 1, SIO_EMIT_ACK, 1000);
  CHECK(sio_emit(srv, &gone, &m, &req) == 0);
  CHECK(req != 0);
  const sio_event *ev = wait_event(ctx, SIO_EV_ERROR);
  CHECK(ev->req == req);
  CHECK(ev->err == SIO_ENOTFOUND);
  CHECK(ev->server == srv);

  /* A broadcast with acks and nobody to answer: an empty list at once. */
  m = message_ex("e", "[]", NULL, 0, SIO_EMIT_ACK, 1000);
  CHECK(sio_emit(srv, NULL, &m, &req) == 0);
  ev = wait_event(ctx, SIO_EV_ACK);
  CHECK(ev->req == req && ev->err == 0);
  CHECK_STR(ev->data, "[]");
  CHECK(ev->flags & SIO_EVF_BROADCAST);

  /* fetchSockets of an empty namespace. */
  CHECK(sio_fetch_sockets(srv, NULL, &req) == 0);
  ev = wait_event(ctx, SIO_EV_SOCKETS);
  CHECK(ev->req == req);
  CHECK_STR(ev->data, "[]");

  /* After close: every command refuses, the closed event comes once. */
  CHECK(sio_server_close(srv) == 0);
  m = message("e", "[]");
  CHECK(sio_emit(srv, NULL, &m, NULL) == SIO_ECLOSED);
  CHECK(sio_server_close(srv) == SIO_ECLOSED);
  CHECK(sio_join(srv, NULL, &args, 1, NULL) == SIO_ECLOSED);
  CHECK(sio_disconnect(srv, NULL, 0, NULL) == SIO_ECLOSED);
  wait_event(ctx, SIO_EV_SERVER_CLOSED);
  CHECK(sio_server_port(srv) > 0);
  sio_context_free(ctx);
}

typedef struct pump_arg {
  sio_context *ctx;
  int rc;
} pump_arg;

static void *pump_forever(void *p) {
  pump_arg *a = p;
  const sio_event *ev;
  a->rc = sio_next_event(a->ctx, -1, &ev);
  return NULL;
}

static void test_single_pumper_and_wakeup(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  pump_arg a = {ctx, -100};
  pthread_t t;
  pthread_create(&t, NULL, pump_forever, &a);
  usleep(100 * 1000);
  const sio_event *ev, *batch[4];
  CHECK(sio_next_event(ctx, 0, &ev) == SIO_EBUSY);
  CHECK(sio_next_events(ctx, 0, batch, 4) == SIO_EBUSY);
  CHECK(strstr(sio_last_error(), "another thread") != NULL);
  CHECK(sio_context_wakeup(ctx) == 0);
  pthread_join(t, NULL);
  CHECK(a.rc == 0);
  CHECK(sio_next_event(ctx, 0, &ev) == 0);
  CHECK(sio_next_events(ctx, 0, batch, 0) == SIO_EINVAL);
  CHECK(sio_next_events(ctx, 0, NULL, 4) == SIO_EINVAL);
  CHECK(sio_next_events(ctx, 0, batch, 4) == 0);
  /* The fd is not readable once nothing is pending. */
  struct pollfd p = {sio_context_fd(ctx), POLLIN, 0};
  CHECK(poll(&p, 1, 0) == 0);
  sio_context_free(ctx);
}

typedef struct emitter_arg {
  sio_server *srv;
  int failures;
} emitter_arg;

static void *emit_many(void *p) {
  emitter_arg *a = p;
  for (int i = 0; i < 2000; i++) {
    char args[64];
    int n = snprintf(args, sizeof(args), "[%d,{\"k\":\"v\"}]", i);
    const char *room = "r";
    sio_target t = target(NULL, NULL);
    t.rooms = &room;
    t.nrooms = 1;
    sio_message m = message("tick", args);
    m.args_len = (size_t)n;
    if (sio_emit(a->srv, &t, &m, NULL)) a->failures++;
    if (sio_join(a->srv, NULL, &room, 1, NULL)) a->failures++;
  }
  return NULL;
}

static void test_commands_from_many_threads(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = new_server(ctx, NULL, NULL);
  pthread_t t[4];
  emitter_arg a[4];
  for (int i = 0; i < 4; i++) {
    a[i] = (emitter_arg){srv, 0};
    pthread_create(&t[i], NULL, emit_many, &a[i]);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CHECK(a[i].failures == 0);
  }
  uint64_t req;
  CHECK(sio_fetch_sockets(srv, NULL, &req) == 0);
  CHECK(wait_event(ctx, SIO_EV_SOCKETS)->req == req);
  sio_context_free(ctx);
}

/* ---- back-pressure over raw HTTP ------------------------------------------ */

static int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
  return fd;
}

/* Sends one request and reads its response (whole, small). */
static void http(int port, const char *method, const char *query, const char *body, char *out,
                 size_t cap) {
  int fd = dial(port);
  char req[1024];
  int n = snprintf(req, sizeof(req),
                   "%s /socket.io/?EIO=4&transport=polling%s HTTP/1.1\r\nHost: x\r\n"
                   "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
                   method, query, body ? strlen(body) : 0, body ? body : "");
  CHECK(write(fd, req, (size_t)n) == n);
  size_t got = 0;
  ssize_t r;
  while (got + 1 < cap && (r = read(fd, out + got, cap - 1 - got)) > 0) got += (size_t)r;
  out[got] = 0;
  close(fd);
}

/* Opens a polling session; q receives the query part "&sid=..." that the
 * session's requests carry. */
static void open_session(int port, char *q, size_t cap) {
  char resp[4096];
  http(port, "GET", "", NULL, resp, sizeof(resp));
  char *sid = strstr(resp, "\"sid\":\"");
  CHECK(sid != NULL);
  sid += 7;
  sid[20] = 0;
  snprintf(q, cap, "&sid=%s", sid);
}

static void test_back_pressure(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = new_server(ctx, "maxQueuedEvents", "4");
  int port = sio_server_port(srv);
  char resp[4096], q[128];
  open_session(port, q, sizeof(q));
  /* Ten events in one body: they arrive in one read, then reading stops. */
  http(port, "POST", q, "40\x1e" "42[\"a\"]\x1e" "42[\"a\"]\x1e" "42[\"a\"]\x1e" "42[\"a\"]\x1e"
       "42[\"a\"]\x1e" "42[\"a\"]\x1e" "42[\"a\"]\x1e" "42[\"a\"]\x1e" "42[\"a\"]", resp, sizeof(resp));
  CHECK(strstr(resp, "\r\n\r\nok") != NULL);
  /* The next request is not read while the host has not drained. */
  int fd = dial(port);
  char req[512];
  int n = snprintf(req, sizeof(req),
                   "POST /socket.io/?EIO=4&transport=polling%s HTTP/1.1\r\nHost: x\r\n"
                   "Connection: close\r\nContent-Length: 7\r\n\r\n42[\"b\"]", q);
  CHECK(write(fd, req, (size_t)n) == n);
  struct pollfd p = {fd, POLLIN, 0};
  CHECK(poll(&p, 1, 300) == 0);
  int events = 0, saw_b = 0;
  const sio_event *ev;
  while (sio_next_event(ctx, 300, &ev) == 1) {
    events++;
    if (ev->type == SIO_EV_EVENT && strcmp(ev->name, "b") == 0) saw_b = 1;
    if (saw_b) break;
  }
  CHECK(saw_b);
  CHECK(events >= 11);
  CHECK(poll(&p, 1, 2000) == 1);
  close(fd);
  sio_context_free(ctx);
}

/* Ten events posted in one body come out in order, a batch at a time, each
 * batch's records all valid together until the next pump call. */
static void test_batch_pump(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = new_server(ctx, NULL, NULL);
  int port = sio_server_port(srv);
  char resp[4096], q[128], body[512];
  open_session(port, q, sizeof(q));
  size_t len = (size_t)snprintf(body, sizeof(body), "40");
  for (int i = 0; i < 10; i++)
    len += (size_t)snprintf(body + len, sizeof(body) - len, "\x1e" "42[\"n\",%d]", i);
  http(port, "POST", q, body, resp, sizeof(resp));
  CHECK(strstr(resp, "\r\n\r\nok") != NULL);
  int next = 0, batches = 0;
  const sio_event *batch[4];
  while (next < 10) {
    int n = sio_next_events(ctx, 2000, batch, 4);
    CHECK(n >= 1 && n <= 4);
    batches++;
    for (int i = 0; i < n; i++) {
      if (batch[i]->type != SIO_EV_EVENT) continue;
      char want[16];
      snprintf(want, sizeof(want), "[%d]", next++);
      CHECK_STR(batch[i]->name, "n");
      CHECK_STR(batch[i]->data, want);
    }
    /* A single pump in between takes the next event in order. */
    if (batches == 1) {
      const sio_event *ev;
      char want[16];
      snprintf(want, sizeof(want), "[%d]", next++);
      CHECK(sio_next_event(ctx, 2000, &ev) == 1);
      CHECK(ev->type == SIO_EV_EVENT);
      CHECK_STR(ev->data, want);
    }
  }
  CHECK(batches >= 2);
  sio_context_free(ctx);
}

int main(void) {
  test_version_and_errors();
  test_null_and_bad_options();
  test_port_in_use();
  test_emit_misuse();
  test_single_pumper_and_wakeup();
  test_commands_from_many_threads();
  test_back_pressure();
  test_batch_pump();
  puts("test_abi: ok");
  return 0;
}
