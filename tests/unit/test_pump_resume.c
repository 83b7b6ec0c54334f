/* Back-pressure's hysteresis, on the server and on the client: once the
 * host has left "maxQueuedEvents" events unread, reading stops, and it
 * starts again only when the host has taken the queue down to half the
 * bound, not at the first event it takes (which would pause and resume
 * reading for every event); then it reads until the queue is at the bound
 * again, not just one read more. The peer floods events on a context of its
 * own; the host takes them one at a time, so that it knows at each step how
 * many are left, and every event arrives, in order, in the end. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi_message.h"
#include "check.h"
#include "pump/context.h"
#include "pump_peers.h"

#define MAX_QUEUED 20
#define MAX_QUEUED_STR "20"
/* Reading resumes when fewer than this many events are left. */
#define RESUME_BELOW (MAX_QUEUED / 2 + 1)
/* Far more than the queue holds: reading must resume to see them all. */
#define FLOOD 300
/* Events of 8 kB: a read (64 kB) holds fewer than half the bound, so one
 * read after a resume does not fill the queue again. */
#define PAD 8000

typedef struct pair {
  sio_context *srv_ctx, *cli_ctx;
  sio_server *srv;
  sio_client *cli;
} pair;

/* The side under test gets the bound; the other side keeps the default. */
static void pair_open(pair *p, int bound_on_server) {
  static const char *const bound[] = {"maxQueuedEvents", MAX_QUEUED_STR, NULL};
  CHECK(sio_context_new(&p->srv_ctx) == 0);
  CHECK(sio_context_new(&p->cli_ctx) == 0);
  p->srv = peer_server(p->srv_ctx, bound_on_server ? bound : NULL);
  p->cli = peer_client(p->cli_ctx, sio_server_port(p->srv),
                       bound_on_server ? (const char *const[]){"transports", "websocket", NULL}
                                       : (const char *const[]){"transports", "websocket",
                                                               "maxQueuedEvents", MAX_QUEUED_STR,
                                                               NULL});
  const sio_event *ev;
  time_t deadline = time(NULL) + 10;
  int connection = 0, connect = 0;
  while (!(connection && connect) && time(NULL) < deadline) {
    if (!connection && sio_next_event(p->srv_ctx, 50, &ev) == 1)
      connection = ev->type == SIO_EV_CONNECTION;
    if (!connect && sio_next_event(p->cli_ctx, 50, &ev) == 1) connect = ev->type == SIO_EV_CONNECT;
  }
  CHECK(connection && connect);
}

static void pair_close(pair *p) {
  sio_context_free(p->cli_ctx);
  sio_context_free(p->srv_ctx);
}

/* "[i,"xx..."]": numbered, PAD bytes of padding. */
static void flood_args(char *out, int i) {
  int n = sprintf(out, "[%d,\"", i);
  memset(out + n, 'x', PAD);
  strcpy(out + n + PAD, "\"]");
}

static void flood_from_client(pair *p) {
  static char args[PAD + 32];
  for (int i = 0; i < FLOOD; i++) {
    flood_args(args, i);
    sio_message m = message("f", args);
    CHECK(sio_client_emit(p->cli, NULL, &m, NULL) == 0);
  }
}

static void flood_from_server(pair *p) {
  static char args[PAD + 32];
  sio_target everyone = SIO_TARGET_INIT;
  for (int i = 0; i < FLOOD; i++) {
    flood_args(args, i);
    sio_message m = message("f", args);
    CHECK(sio_emit(p->srv, &everyone, &m, NULL) == 0);
  }
}

static size_t queued(sio_context *ctx) { return evq_count(&ctx->evq); }

/* Waits until reading has stopped and the rest of the last read is queued
 * (the queue no longer grows); returns the queue's length then. */
static size_t wait_paused(sio_context *ctx) {
  time_t deadline = time(NULL) + 20;
  while (!atomic_load(&ctx->reading_paused) && time(NULL) < deadline) usleep(10 * 1000);
  CHECK(atomic_load(&ctx->reading_paused));
  size_t n = queued(ctx), before;
  int same = 0;
  while (same < 3 && time(NULL) < deadline) {
    usleep(100 * 1000);
    before = n;
    n = queued(ctx);
    same = n == before ? same + 1 : 0;
  }
  CHECK(same == 3);
  return n;
}

/* Takes the next event, which must be flood event *next. */
static void take_one(sio_context *ctx, int *next) {
  const sio_event *ev;
  CHECK(sio_next_event(ctx, 0, &ev) == 1);
  CHECK(ev->type == SIO_EV_EVENT);
  CHECK_STR(ev->name, "f");
  CHECK(ev->data && ev->data[0] == '[' && atoi(ev->data + 1) == *next);
  ++*next;
}

static void check_hysteresis(const char *side, sio_context *host) {
  int next = 0;
  size_t left = wait_paused(host);
  CHECK(left > RESUME_BELOW && left < FLOOD);
  /* Down to the last length at which reading stays stopped. */
  while (left > RESUME_BELOW) {
    take_one(host, &next);
    left--;
  }
  /* A wrong resume shows either way: the flag down, or up again only after
   * the queue refilled. */
  usleep(300 * 1000);
  if (queued(host) != left || !atomic_load(&host->reading_paused)) {
    fprintf(stderr, "%s: reading resumed with %zu of %d events left (%zu queued now)\n", side,
            left, MAX_QUEUED, queued(host));
    exit(1);
  }
  /* One more: the queue is at half the bound, and the peer's events come
   * again. */
  take_one(host, &next);
  left--;
  time_t deadline = time(NULL) + 10;
  while (queued(host) <= left && time(NULL) < deadline) usleep(10 * 1000);
  if (queued(host) <= left) {
    fprintf(stderr, "%s: reading did not resume with %zu events left\n", side, left);
    exit(1);
  }
  size_t again = wait_paused(host);
  if (again < MAX_QUEUED) {
    fprintf(stderr, "%s: reading stopped again with %zu of %d events queued\n", side, again,
            MAX_QUEUED);
    exit(1);
  }
  /* The rest: nothing lost, nothing out of order. */
  deadline = time(NULL) + 60;
  while (next < FLOOD && time(NULL) < deadline) {
    const sio_event *ev;
    int rc = sio_next_event(host, 100, &ev);
    CHECK(rc >= 0);
    if (rc == 0) continue;
    CHECK(ev->type == SIO_EV_EVENT && atoi(ev->data + 1) == next);
    next++;
  }
  CHECK(next == FLOOD);
}

int main(void) {
  pair p;
  pair_open(&p, 1);
  flood_from_client(&p);
  check_hysteresis("server", p.srv_ctx);
  pair_close(&p);

  pair_open(&p, 0);
  flood_from_server(&p);
  check_hysteresis("client", p.cli_ctx);
  pair_close(&p);
  printf("test_pump_resume: ok\n");
  return 0;
}
