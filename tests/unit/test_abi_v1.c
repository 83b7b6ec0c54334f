/* What ABI 1.0 promises so that it can grow without a break (issue 19),
 * checked against a real server and client in one context: the sizes of
 * the structs the host fills, refused unknown flags and mixed targets,
 * separate option tables, the event layout and type ranges, request ids
 * on every command, the rooms query, the client's namespace, the final
 * flag and the attempt number. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "abi_message.h"
#include "check.h"
#include "pump_peers.h"
#include <sio/sio.h>

/* What every event must satisfy, whatever its type. */
static void check_event(const sio_event *ev) {
  CHECK(ev->size == sizeof(sio_event));
  CHECK(ev->type != SIO_EV_NONE);
  if (ev->type != SIO_EV_EVENT) CHECK(ev->ack_id == -1);
  /* 96 and up: the types added after 1.0 that fit no range. */
  if (ev->server) CHECK(ev->type < 32 || (ev->type >= 32 && ev->type <= 63) || ev->type >= 96);
  if (ev->client) CHECK(ev->type < 32 || (ev->type >= 64 && ev->type <= 95) || ev->type >= 96);
  CHECK(!(ev->server && ev->client));
}

/* Pumps until an event of type (any type: SIO_EV_NONE) from srv or cli
 * (whichever is not NULL) comes, checking every event on the way; exits
 * after about 10 s. */
static const sio_event *await_event(sio_context *ctx, const sio_server *srv,
                                    const sio_client *cli, int type) {
  for (int i = 0; i < 200; i++) {
    const sio_event *ev;
    int rc = sio_next_event(ctx, 50, &ev);
    CHECK(rc >= 0);
    if (rc == 0) continue;
    check_event(ev);
    if ((type == SIO_EV_NONE || ev->type == type) &&
        ((srv && ev->server == srv) || (cli && ev->client == cli)))
      return ev;
  }
  fprintf(stderr, "no event of type %d\n", type);
  exit(1);
}

/* Waits until cli is connected; sid receives its socket id. */
static void await_connect(sio_context *ctx, sio_client *cli, char sid[32]) {
  const sio_event *ev = await_event(ctx, NULL, cli, SIO_EV_CONNECT);
  CHECK(!(ev->flags & SIO_EVF_FINAL));
  CHECK(ev->sid && strlen(ev->sid) < 32);
  strcpy(sid, ev->sid);
}

static void test_event_type_ranges(void) {
  static const int both[] = {SIO_EV_EVENT, SIO_EV_ACK, SIO_EV_DISCONNECT, SIO_EV_ERROR,
                             SIO_EV_EVENTS_LOST};
  static const int server[] = {SIO_EV_CONNECTION, SIO_EV_CONNECT_REQUEST, SIO_EV_DISCONNECTING,
                               SIO_EV_SOCKETS, SIO_EV_SERVER_CLOSED};
  static const int client[] = {SIO_EV_CONNECT,         SIO_EV_CONNECT_ERROR,
                               SIO_EV_RECONNECT_ATTEMPT, SIO_EV_RECONNECT,
                               SIO_EV_RECONNECT_FAILED,  SIO_EV_RECONNECT_ERROR};
  for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) CHECK(both[i] > 0 && both[i] < 32);
  for (size_t i = 0; i < sizeof(server) / sizeof(server[0]); i++)
    CHECK(server[i] >= 32 && server[i] <= 63);
  for (size_t i = 0; i < sizeof(client) / sizeof(client[0]); i++)
    CHECK(client[i] >= 64 && client[i] <= 95);
  /* The size fields come first, where any later version keeps them. */
  CHECK(offsetof(sio_event, size) == 0);
  CHECK(offsetof(sio_target, size) == 0);
  CHECK(offsetof(sio_message, size) == 0);
  sio_target t = SIO_TARGET_INIT;
  sio_message m = SIO_MESSAGE_INIT;
  CHECK(t.size == sizeof(sio_target) && m.size == sizeof(sio_message));
}

/* A struct of a later minor version: the one we know, then fields we do
 * not. */
typedef struct later_target {
  sio_target t;
  unsigned char extra[16];
} later_target;

typedef struct later_message {
  sio_message m;
  unsigned char extra[16];
} later_message;

static later_target later_target_of(sio_target t) {
  later_target l;
  memset(&l, 0, sizeof(l));
  l.t = t;
  l.t.size = sizeof(l);
  return l;
}

static later_message later_message_of(sio_message m) {
  later_message l;
  memset(&l, 0, sizeof(l));
  l.m = m;
  l.m.size = sizeof(l);
  return l;
}

/* Every command that takes a target, with t: the return codes in rc[0..5). */
static void with_target(sio_server *srv, const sio_target *t, int rc[5]) {
  static const char *const room[] = {"nobody-here"};
  sio_message m = message("e", "[1]");
  rc[0] = sio_emit(srv, t, &m, NULL);
  rc[1] = sio_join(srv, t, room, 1, NULL);
  rc[2] = sio_leave(srv, t, room, 1, NULL);
  rc[3] = sio_disconnect(srv, t, 0, NULL);
  uint64_t req;
  rc[4] = sio_fetch_sockets(srv, t, &req);
}

static void check_all(const int rc[5], int want) {
  for (int i = 0; i < 5; i++) {
    if (rc[i] != want) {
      fprintf(stderr, "command %d of with_target: %d, expected %d\n", i, rc[i], want);
      exit(1);
    }
  }
}

/* Smaller than v1: refused. Larger with zeros past v1: accepted. Larger
 * with anything else past v1: refused, since the library cannot honour a
 * field it does not know. */
static void test_target_size(sio_server *srv) {
  static const char *const room[] = {"nobody-here"};
  sio_target base = target("/", NULL);
  base.rooms = room;
  base.nrooms = 1;
  int rc[5];
  /* sio_target of 1.0 ended with nexcept; 1.1 appended flags. */
  size_t v1 = offsetof(sio_target, nexcept) + sizeof(size_t);
  size_t small[] = {0, sizeof(size_t), offsetof(sio_target, nexcept), v1 - 1};
  for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
    sio_target t = base;
    t.size = small[i];
    with_target(srv, &t, rc);
    check_all(rc, SIO_EINVAL);
  }
  /* A 1.0 host's target (no flags) is taken with flags 0; unknown flags
   * are refused. */
  sio_target t = base;
  t.size = v1;
  t.flags = 0xff;
  with_target(srv, &t, rc);
  check_all(rc, 0);
  t = base;
  t.flags = 0x2;
  with_target(srv, &t, rc);
  check_all(rc, SIO_EINVAL);
  later_target later = later_target_of(base);
  with_target(srv, &later.t, rc);
  check_all(rc, 0);
  later.extra[5] = 1;
  with_target(srv, &later.t, rc);
  check_all(rc, SIO_EINVAL);
  later.extra[5] = 0;
  later.extra[15] = 0x80;
  with_target(srv, &later.t, rc);
  check_all(rc, SIO_EINVAL);
}

/* The same for sio_message, on the four calls that take one. */
static void test_message_size(sio_server *srv, sio_client *cli) {
  static const char *const gone = "AAAAAAAAAAAAAAAAAAAA";
  sio_target nobody = target("/", gone);
  size_t small[] = {0, sizeof(size_t), offsetof(sio_message, timeout_ms),
                    sizeof(sio_message) - 1};
  for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
    sio_message e = message("e", "[1]"), a = message(NULL, "[1]");
    e.size = a.size = small[i];
    CHECK(sio_emit(srv, &nobody, &e, NULL) == SIO_EINVAL);
    CHECK(sio_ack(srv, gone, 1, &a, NULL) == SIO_EINVAL);
    CHECK(sio_client_emit(cli, NULL, &e, NULL) == SIO_EINVAL);
    CHECK(sio_client_ack(cli, NULL, 1, &a, NULL) == SIO_EINVAL);
  }
  later_message e = later_message_of(message("e", "[1]"));
  later_message a = later_message_of(message(NULL, "[1]"));
  CHECK(sio_emit(srv, &nobody, &e.m, NULL) == 0);
  CHECK(sio_ack(srv, gone, 1, &a.m, NULL) == 0);
  CHECK(sio_client_emit(cli, NULL, &e.m, NULL) == 0);
  CHECK(sio_client_ack(cli, NULL, 1, &a.m, NULL) == 0);
  for (size_t k = 0; k < 2; k++) {
    size_t at = k ? sizeof(e.extra) - 1 : 0;
    e.extra[at] = a.extra[at] = 0x10;
    CHECK(sio_emit(srv, &nobody, &e.m, NULL) == SIO_EINVAL);
    CHECK(sio_ack(srv, gone, 1, &a.m, NULL) == SIO_EINVAL);
    CHECK(sio_client_emit(cli, NULL, &e.m, NULL) == SIO_EINVAL);
    CHECK(sio_client_ack(cli, NULL, 1, &a.m, NULL) == SIO_EINVAL);
    e.extra[at] = a.extra[at] = 0;
  }
}

/* Unknown flag bits tell the host that its library lacks a feature. */
static void test_unknown_flags(sio_server *srv, sio_client *cli) {
  static const char *const room[] = {"nobody-here"};
  sio_target nobody = target("/", NULL);
  nobody.rooms = room;
  nobody.nrooms = 1;
  static const unsigned emit_bad[] = {0x8u, 0x100u, 0x80000000u};
  for (size_t i = 0; i < sizeof(emit_bad) / sizeof(emit_bad[0]); i++) {
    sio_message m = message("e", "[]");
    m.flags = emit_bad[i];
    CHECK(sio_emit(srv, &nobody, &m, NULL) == SIO_EINVAL);
    CHECK(sio_client_emit(cli, NULL, &m, NULL) == SIO_EINVAL);
    m.flags |= SIO_EMIT_VOLATILE;
    CHECK(sio_emit(srv, &nobody, &m, NULL) == SIO_EINVAL);
  }
  sio_message known = message("e", "[]");
  known.flags = SIO_EMIT_VOLATILE;
  CHECK(sio_emit(srv, &nobody, &known, NULL) == 0);
  /* 1.1: compress(false), on both sides. */
  known.flags = SIO_EMIT_NO_COMPRESS | SIO_EMIT_VOLATILE;
  CHECK(sio_emit(srv, &nobody, &known, NULL) == 0);
  known.flags = SIO_EMIT_NO_COMPRESS;
  CHECK(sio_client_emit(cli, NULL, &known, NULL) == 0);
  static const unsigned one_bit_bad[] = {0x2u, 0x80000000u};
  for (size_t i = 0; i < sizeof(one_bit_bad) / sizeof(one_bit_bad[0]); i++) {
    CHECK(sio_server_of(srv, "/flags", one_bit_bad[i]) == SIO_EINVAL);
    CHECK(sio_server_of(srv, "/flags", one_bit_bad[i] | SIO_NS_MIDDLEWARE) == SIO_EINVAL);
    CHECK(sio_disconnect(srv, &nobody, one_bit_bad[i], NULL) == SIO_EINVAL);
    CHECK(sio_disconnect(srv, &nobody, one_bit_bad[i] | SIO_DISCONNECT_CLOSE, NULL) ==
          SIO_EINVAL);
  }
  CHECK(sio_server_of(srv, "/flags", SIO_NS_MIDDLEWARE) == 0);
  CHECK(sio_server_of(srv, "/flags", 0) == 0);
  CHECK(sio_disconnect(srv, &nobody, SIO_DISCONNECT_CLOSE, NULL) == 0);
}

/* One socket and rooms at once is refused, not half-honoured. */
static void test_sid_with_rooms(sio_server *srv, const char *sid) {
  static const char *const room[] = {"r"};
  sio_target t = target("/", sid);
  t.rooms = room;
  t.nrooms = 1;
  int rc[5];
  with_target(srv, &t, rc);
  check_all(rc, SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "rooms") != NULL);
}

/* Each role has its own option keys; the other role's is named. */
static void test_option_tables(sio_context *ctx) {
  static const char *const client_keys[][2] = {
      {"reconnection", "false"}, {"reconnectionAttempts", "3"}, {"ackTimeout", "100"},
      {"tls.verify", "false"},   {"extraHeaders", "{}"},        {"randomizationFactor", "0"}};
  for (size_t i = 0; i < sizeof(client_keys) / sizeof(client_keys[0]); i++) {
    const char *pair[] = {client_keys[i][0], client_keys[i][1], "port", "0", NULL};
    sio_options *o = peer_options(pair);
    sio_server *srv = (sio_server *)1;
    CHECK(sio_server_new(ctx, o, &srv) == SIO_EINVAL);
    CHECK(srv == NULL);
    if (!strstr(sio_last_error(), client_keys[i][0])) {
      fprintf(stderr, "sio_server_new with %s: \"%s\"\n", client_keys[i][0], sio_last_error());
      exit(1);
    }
    sio_options_free(o);
  }
  static const char *const server_keys[][2] = {
      {"pingInterval", "1000"}, {"cors.origin", "*"},     {"host", "127.0.0.1"},
      {"port", "0"},            {"allowUpgrades", "true"}, {"maxHttpBufferSize", "1000"}};
  for (size_t i = 0; i < sizeof(server_keys) / sizeof(server_keys[0]); i++) {
    const char *pair[] = {server_keys[i][0], server_keys[i][1], NULL};
    sio_options *o = peer_options(pair);
    sio_client *cli = (sio_client *)1;
    CHECK(sio_client_new(ctx, "http://127.0.0.1:1", o, NULL, &cli) == SIO_EINVAL);
    CHECK(cli == NULL);
    if (!strstr(sio_last_error(), server_keys[i][0])) {
      fprintf(stderr, "sio_client_new with %s: \"%s\"\n", server_keys[i][0], sio_last_error());
      exit(1);
    }
    sio_options_free(o);
  }
  /* Keys of both tables go to both. */
  static const char *const shared[] = {"path", "/socket.io/", "transports", "websocket",
                                       "parser", "json", "maxQueuedEvents", "100", NULL};
  sio_context *own;
  CHECK(sio_context_new(&own) == 0);
  sio_server *srv = peer_server(own, shared);
  sio_options *o = peer_options(shared);
  CHECK(sio_options_set(o, "reconnection", "false") == 0);
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", sio_server_port(srv));
  sio_client *cli;
  CHECK(sio_client_new(own, url, o, NULL, &cli) == 0);
  sio_options_free(o);
  sio_context_free(own);
  /* Neither table: refused when set. */
  o = peer_options(NULL);
  CHECK(sio_options_set(o, "reconnect", "true") == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "reconnect") != NULL);
  sio_options_free(o);
}

static int index_of(const uint64_t *reqs, size_t n, uint64_t req) {
  for (size_t i = 0; i < n; i++)
    if (reqs[i] == req) return (int)i;
  return -1;
}

/* join, leave, disconnect and ack hand back distinct request ids, and a
 * failure of each (the socket is gone) comes as SIO_EV_ERROR with it. */
static void test_request_ids(sio_context *ctx, sio_server *srv, const char *sid) {
  static const char *const room[] = {"ids"};
  sio_target me = target("/", sid);
  uint64_t live[3] = {0};
  CHECK(sio_join(srv, &me, room, 1, &live[0]) == 0);
  CHECK(sio_leave(srv, &me, room, 1, &live[1]) == 0);
  uint64_t fetch;
  CHECK(sio_fetch_sockets(srv, &me, &fetch) == 0);
  /* The earlier tests' fetches may answer first. */
  while (await_event(ctx, srv, NULL, SIO_EV_SOCKETS)->req != fetch) continue;
  live[2] = fetch;
  CHECK(live[0] && live[1] && live[0] != live[1] && live[1] != live[2] && live[0] != live[2]);

  /* A sid that was never there: each command fails by an event. */
  static const char *const gone = "ZZZZZZZZZZZZZZZZZZZZ";
  sio_target it = target("/", gone);
  uint64_t reqs[5] = {0};
  CHECK(sio_join(srv, &it, room, 1, &reqs[0]) == 0);
  CHECK(sio_leave(srv, &it, room, 1, &reqs[1]) == 0);
  CHECK(sio_disconnect(srv, &it, 0, &reqs[2]) == 0);
  CHECK(sio_ack(srv, gone, 7, NULL, &reqs[3]) == 0);
  sio_message m = message("e", "[]");
  CHECK(sio_emit(srv, &it, &m, &reqs[4]) == 0);
  for (size_t i = 0; i < 5; i++) {
    CHECK(reqs[i] != 0 && index_of(live, 3, reqs[i]) < 0);
    CHECK(index_of(reqs, i, reqs[i]) < 0);
  }
  /* Errors of the earlier tests' commands may come first: skipped. */
  for (size_t left = 5; left;) {
    const sio_event *ev = await_event(ctx, srv, NULL, SIO_EV_ERROR);
    int at = index_of(reqs, 5, ev->req);
    if (at < 0) continue;
    CHECK(ev->err < 0);
    if (at != 3) CHECK(ev->err == SIO_ENOTFOUND);
    reqs[at] = 0;
    left--;
  }
}

static int count_of(const char *json, char c) {
  int n = 0;
  for (; *json; json++) n += *json == c;
  return n;
}

/* The rooms query answers at once, with what every earlier command did. */
static void test_socket_rooms(sio_server *srv, const char *sid) {
  static const char *const two[] = {"alpha", "beta"};
  sio_target me = target("/", sid);
  char own[64], *json = NULL;
  CHECK(sio_socket_rooms(srv, sid, &json) == 0);
  snprintf(own, sizeof(own), "[\"%s\"]", sid);
  CHECK_STR(json, own);
  sio_free(json);

  CHECK(sio_join(srv, &me, two, 2, NULL) == 0);
  CHECK(sio_socket_rooms(srv, sid, &json) == 0);
  snprintf(own, sizeof(own), "[\"%s\",", sid);
  CHECK(strncmp(json, own, strlen(own)) == 0);
  CHECK(strstr(json, "\"alpha\"") && strstr(json, "\"beta\""));
  CHECK(count_of(json, ',') == 2);
  sio_free(json);

  CHECK(sio_leave(srv, &me, two, 1, NULL) == 0);
  CHECK(sio_socket_rooms(srv, sid, &json) == 0);
  CHECK(strncmp(json, own, strlen(own)) == 0);
  CHECK(!strstr(json, "\"alpha\"") && strstr(json, "\"beta\""));
  CHECK(count_of(json, ',') == 1);
  sio_free(json);

  /* A room joined through a broadcast selection counts too. */
  static const char *const gamma[] = {"gamma"};
  CHECK(sio_join(srv, NULL, gamma, 1, NULL) == 0);
  CHECK(sio_socket_rooms(srv, sid, &json) == 0);
  CHECK(strstr(json, "\"gamma\"") != NULL);
  sio_free(json);

  json = NULL;
  CHECK(sio_socket_rooms(srv, "ZZZZZZZZZZZZZZZZZZZZ", &json) == SIO_ENOTFOUND);
  CHECK(json == NULL);
  CHECK(sio_socket_rooms(NULL, sid, &json) == SIO_EINVAL);
  CHECK(sio_socket_rooms(srv, NULL, &json) == SIO_EINVAL);
  CHECK(sio_socket_rooms(srv, sid, NULL) == SIO_EINVAL);
  sio_free(NULL);
}

/* The main namespace from the URL, as socket.io-client takes it. */
static void test_client_nsp(void) {
  static const char *const cases[][2] = {
      {"http://127.0.0.1:1/chat/", "/chat/"},
      {"http://127.0.0.1:1", "/"},
      {"http://127.0.0.1:1/", "/"},
      {"http://127.0.0.1:1/a?x=1", "/a"},
      {"ws://127.0.0.1:1/b/c", "/b/c"},
  };
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  static const char *const quiet[] = {"reconnection", "false", NULL};
  sio_options *o = peer_options(quiet);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sio_client *cli;
    CHECK(sio_client_new(ctx, cases[i][0], o, NULL, &cli) == 0);
    CHECK_STR(sio_client_nsp(cli), cases[i][1]);
    /* The main socket's events carry the same namespace. */
    CHECK_STR(await_event(ctx, NULL, cli, SIO_EV_CONNECT_ERROR)->nsp, cases[i][1]);
  }
  sio_options_free(o);
  CHECK(sio_client_nsp(NULL) == NULL);
  sio_context_free(ctx);
}

/* SIO_EVF_FINAL on a client's DISCONNECT when it will not come back by
 * itself: the host left, or the server sent it away. */
static void test_final_when_left(sio_context *ctx, sio_server *srv) {
  int port = sio_server_port(srv);
  sio_client *cli = peer_client(ctx, port, NULL);
  char sid[32];
  await_connect(ctx, cli, sid);
  CHECK(sio_client_disconnect(cli, NULL) == 0);
  const sio_event *ev = await_event(ctx, NULL, cli, SIO_EV_DISCONNECT);
  CHECK_STR(ev->reason, "io client disconnect");
  CHECK(ev->flags & SIO_EVF_FINAL);
  sio_client_close(cli);

  cli = peer_client(ctx, port, NULL);
  await_connect(ctx, cli, sid);
  sio_target it = target("/", sid);
  CHECK(sio_disconnect(srv, &it, 0, NULL) == 0);
  ev = await_event(ctx, NULL, cli, SIO_EV_DISCONNECT);
  CHECK_STR(ev->reason, "io server disconnect");
  CHECK(ev->flags & SIO_EVF_FINAL);
  sio_client_close(cli);
}

enum { MAX_SEEN = 64 };

/* A lost connection with reconnection on is not final, each attempt
 * carries its number, and the CONNECT_ERROR after the last one is final. */
static void test_transport_close_and_attempts(sio_context *ctx) {
  static const char *const fast[] = {
      "transports",          "websocket", "reconnectionAttempts", "2",
      "reconnectionDelay",   "10",        "reconnectionDelayMax", "20",
      "randomizationFactor", "0",         NULL};
  sio_server *srv = peer_server(ctx, NULL);
  sio_client *cli = peer_client(ctx, sio_server_port(srv), fast);
  await_event(ctx, NULL, cli, SIO_EV_CONNECT);
  CHECK(sio_server_close(srv) == 0);
  const sio_event *ev = await_event(ctx, NULL, cli, SIO_EV_DISCONNECT);
  CHECK_STR(ev->reason, "transport close");
  CHECK(!(ev->flags & SIO_EVF_FINAL));

  int type[MAX_SEEN];
  unsigned attempt[MAX_SEEN], flags[MAX_SEEN];
  int n = 0;
  do {
    CHECK(n < MAX_SEEN);
    ev = await_event(ctx, NULL, cli, SIO_EV_NONE);
    type[n] = ev->type;
    attempt[n] = ev->attempt;
    flags[n++] = ev->flags;
  } while (!(ev->type == SIO_EV_RECONNECT_ERROR && ev->attempt == 2));

  unsigned attempts = 0, errors = 0;
  int failed_at = -1, last_connect_error = -1;
  for (int i = 0; i < n; i++) {
    if (type[i] == SIO_EV_RECONNECT_ATTEMPT) CHECK(attempt[i] == ++attempts);
    if (type[i] == SIO_EV_RECONNECT_ERROR) CHECK(attempt[i] == ++errors);
    if (type[i] == SIO_EV_RECONNECT_FAILED) {
      CHECK(failed_at < 0);
      failed_at = i;
    }
    if (type[i] == SIO_EV_CONNECT_ERROR) {
      /* Only the last attempt's is final. */
      if (last_connect_error >= 0) CHECK(!(flags[last_connect_error] & SIO_EVF_FINAL));
      last_connect_error = i;
    }
  }
  CHECK(attempts == 2 && errors == 2);
  CHECK(failed_at >= 0 && failed_at < n - 1);
  CHECK(last_connect_error >= 0 && (flags[last_connect_error] & SIO_EVF_FINAL));
  sio_client_close(cli);
}

int main(void) {
  test_event_type_ranges();
  test_client_nsp();

  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  test_option_tables(ctx);
  sio_server *srv = peer_server(ctx, NULL);
  sio_client *cli = peer_client(ctx, sio_server_port(srv), NULL);
  char sid[32];
  await_connect(ctx, cli, sid);
  test_target_size(srv);
  test_message_size(srv, cli);
  test_unknown_flags(srv, cli);
  test_sid_with_rooms(srv, sid);
  test_socket_rooms(srv, sid);
  test_request_ids(ctx, srv, sid);
  test_final_when_left(ctx, srv);
  test_transport_close_and_attempts(ctx);
  sio_context_free(ctx);
  puts("test_abi_v1: ok");
  return 0;
}
