/* Two contexts in one process, each with a server and a client, talking
 * crosswise (A's client to B's server, B's client to A's server), while
 * several host threads emit on both sides at once and one thread per
 * context pumps and acknowledges. Built for ThreadSanitizer too
 * (build-*-tsan): what the two I/O threads share (static tables, thread
 * pools) must be safe to share, and every event and acknowledgement must
 * arrive. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "abi_message.h"
#include "check.h"
#include "pump_peers.h"

#define EMITTERS 2 /* host threads emitting per context */
#define EMITS 200  /* per emitter: a client emit and a server broadcast each */
#define EXPECTED (EMITTERS * EMITS)

typedef struct side {
  sio_context *ctx;
  sio_server *srv;
  sio_client *cli;
  int acks;       /* the client's emits acknowledged by the other server */
  int srv_events; /* the other client's emits, acknowledged here */
  int cli_events; /* the other server's broadcasts */
} side;

static side sides[2];

static void take(side *s, const sio_event *ev) {
  CHECK(ev->type != SIO_EV_EVENTS_LOST && ev->type != SIO_EV_ERROR);
  if (ev->type == SIO_EV_EVENT && ev->server) {
    CHECK_STR(ev->name, "c");
    CHECK(ev->ack_id >= 0);
    sio_message yes = message(NULL, "[true]");
    CHECK(sio_ack(s->srv, ev->sid, ev->ack_id, &yes, NULL) == 0);
    s->srv_events++;
  } else if (ev->type == SIO_EV_EVENT) {
    CHECK_STR(ev->name, "s");
    s->cli_events++;
  } else if (ev->type == SIO_EV_ACK) {
    CHECK(ev->err == 0);
    CHECK_STR(ev->data, "[true]");
    s->acks++;
  }
}

static void *pump_loop(void *arg) {
  side *s = arg;
  time_t deadline = time(NULL) + 60;
  while ((s->acks < EXPECTED || s->srv_events < EXPECTED || s->cli_events < EXPECTED) &&
         time(NULL) < deadline) {
    const sio_event *batch[16];
    int n = sio_next_events(s->ctx, 100, batch, 16);
    CHECK(n >= 0);
    for (int i = 0; i < n; i++) take(s, batch[i]);
  }
  return NULL;
}

static void *emit_loop(void *arg) {
  side *s = arg;
  sio_target everyone = SIO_TARGET_INIT;
  for (int i = 0; i < EMITS; i++) {
    char args[32];
    snprintf(args, sizeof(args), "[%d]", i);
    uint64_t req;
    sio_message c = message_ex("c", args, NULL, 0, SIO_EMIT_ACK, 0);
    sio_message srv_msg = message("s", args);
    CHECK(sio_client_emit(s->cli, NULL, &c, &req) == 0);
    CHECK(sio_emit(s->srv, &everyone, &srv_msg, NULL) == 0);
  }
  return NULL;
}

/* A's client to B's server over WebSocket, B's to A's over polling: both
 * transports run on both I/O threads. */
static void *make_client(void *arg) {
  side *s = arg;
  side *other = s == sides ? sides + 1 : sides;
  const char *transport = s == sides ? "websocket" : "polling";
  s->cli = peer_client(s->ctx, sio_server_port(other->srv),
                       (const char *const[]){"transports", transport, NULL});
  return NULL;
}

/* Pumps until the side's client has joined and its server has a socket. */
static void wait_connected(side *s) {
  int connect = 0, connection = 0;
  time_t deadline = time(NULL) + 10;
  while (!(connect && connection) && time(NULL) < deadline) {
    const sio_event *ev;
    if (sio_next_event(s->ctx, 100, &ev) != 1) continue;
    connect |= ev->type == SIO_EV_CONNECT;
    connection |= ev->type == SIO_EV_CONNECTION;
  }
  CHECK(connect && connection);
}

int main(void) {
  for (int i = 0; i < 2; i++) {
    CHECK(sio_context_new(&sides[i].ctx) == 0);
    sides[i].srv = peer_server(sides[i].ctx, NULL);
  }
  /* Each client made on a thread of its own, and nobody pumps until both
   * have connected: nothing the host does orders what the two I/O threads
   * do first (the first connection each makes and accepts), so that
   * ThreadSanitizer sees any state they share unguarded. */
  pthread_t makers[2];
  for (int i = 0; i < 2; i++) CHECK(pthread_create(&makers[i], NULL, make_client, sides + i) == 0);
  for (int i = 0; i < 2; i++) CHECK(pthread_join(makers[i], NULL) == 0);
  usleep(300 * 1000);
  for (int i = 0; i < 2; i++) wait_connected(&sides[i]);

  pthread_t pumps[2], emitters[2][EMITTERS];
  for (int i = 0; i < 2; i++) CHECK(pthread_create(&pumps[i], NULL, pump_loop, &sides[i]) == 0);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < EMITTERS; j++)
      CHECK(pthread_create(&emitters[i][j], NULL, emit_loop, &sides[i]) == 0);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < EMITTERS; j++) CHECK(pthread_join(emitters[i][j], NULL) == 0);
  for (int i = 0; i < 2; i++) CHECK(pthread_join(pumps[i], NULL) == 0);
  for (int i = 0; i < 2; i++) {
    CHECK(sides[i].acks == EXPECTED);
    CHECK(sides[i].srv_events == EXPECTED);
    CHECK(sides[i].cli_events == EXPECTED);
  }
  /* Freed while the other context's client is still connected to it. */
  sio_context_free(sides[0].ctx);
  sio_context_free(sides[1].ctx);
  printf("test_two_contexts: ok\n");
  return 0;
}
