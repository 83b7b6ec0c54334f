/* The pump out of memory: a resume of reading that cannot be allocated is
 * asked again by the next drain (on the host's thread, touching nothing of
 * the I/O thread's), and an event that cannot be allocated, such as the
 * report of a failed emit or acknowledgement, is counted and told to the
 * host as SIO_EV_EVENTS_LOST instead of vanishing. Run under ThreadSanitizer
 * too (build-*-tsan). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "abi_message.h"
#include "check.h"
#include "pump/context.h"
#include "pump/pump_fault.h"
#include "pump_peers.h"
#include "pump_wait.h"

/* The next event within 5 s, whatever it is. */
static const sio_event *next_event(sio_context *ctx) {
  const sio_event *ev = NULL;
  CHECK(sio_next_event(ctx, 5000, &ev) == 1);
  return ev;
}

typedef struct requester {
  sio_server *srv;
  atomic_int stop;
} requester;

/* Keeps the I/O thread posting events (fetchSockets answers) while the
 * host drains: what a drain must not touch is then being written. */
static void *request_loop(void *arg) {
  requester *q = arg;
  while (!atomic_load(&q->stop)) {
    uint64_t req;
    CHECK(sio_fetch_sockets(q->srv, NULL, &req) == 0);
    usleep(1000);
  }
  return NULL;
}

static void test_resume_out_of_memory(void) {
  enum { COUNT = 300 };
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = peer_server(ctx, (const char *const[]){"maxQueuedEvents", "4", NULL});
  sio_client *cli =
      peer_client(ctx, sio_server_port(srv), (const char *const[]){"transports", "websocket", NULL});
  wait_event(ctx, SIO_EV_CONNECT);
  pump_fault_arm(PUMP_FAULT_RESUME, 0, 20);
  requester q = {srv, 0};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, request_loop, &q) == 0);
  /* The first half arrives while the host does not pump, and reading
   * stops at 4 queued events; the second half waits in the socket. The
   * first twenty resumes fail, and only a later drain's resume lets it in. */
  for (int i = 0; i < COUNT; i++) {
    char args[32];
    snprintf(args, sizeof(args), "[%d]", i);
    sio_message m = message("n", args);
    CHECK(sio_client_emit(cli, NULL, &m, NULL) == 0);
    if (i == COUNT / 2) usleep(300 * 1000);
  }
  int next = 0;
  time_t deadline = time(NULL) + 20;
  while (next < COUNT && time(NULL) < deadline) {
    const sio_event *ev;
    CHECK(sio_next_event(ctx, 100, &ev) >= 0);
    if (!ev || ev->type != SIO_EV_EVENT) continue;
    char want[32];
    snprintf(want, sizeof(want), "[%d]", next++);
    CHECK_STR(ev->data, want);
  }
  CHECK(next == COUNT);
  CHECK(pump_fault_pending(PUMP_FAULT_RESUME) == 0);
  atomic_store(&q.stop, 1);
  CHECK(pthread_join(t, NULL) == 0);
  sio_context_free(ctx);
}

/* A server's report that an emit failed (SIO_EV_ERROR) cannot be made. */
static void test_server_error_report_lost(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = peer_server(ctx, NULL);
  sio_target gone = SIO_TARGET_INIT;
  gone.sid = "AAAAAAAAAAAAAAAAAAAA";
  sio_message x = message("x", "[]");
  uint64_t req = 0;
  pump_fault_arm(PUMP_FAULT_EVENT, SIO_EV_ERROR, 1);
  CHECK(sio_emit(srv, &gone, &x, &req) == 0);
  const sio_event *ev = next_event(ctx);
  CHECK(ev->type == SIO_EV_EVENTS_LOST);
  CHECK(ev->count == 1 && ev->ack_id == -1);
  CHECK(ev->server == NULL && ev->client == NULL);
  /* Memory is back: the next failure is reported as usual. */
  CHECK(sio_emit(srv, &gone, &x, &req) == 0);
  ev = next_event(ctx);
  CHECK(ev->type == SIO_EV_ERROR && ev->err == SIO_ENOTFOUND && ev->req == req);
  CHECK(sio_next_event(ctx, 200, &ev) == 0);
  sio_context_free(ctx);
}

/* A client's report that an emit's acknowledgement will not come cannot
 * be made: the emit waits in the buffer of a client that never connects. */
static void test_client_ack_report_lost(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_client *cli = peer_client(ctx, 1, (const char *const[]){"reconnection", "false", NULL});
  uint64_t req = 0;
  pump_fault_arm(PUMP_FAULT_EVENT, SIO_EV_ACK, 1);
  sio_message x = message_ex("x", "[]", NULL, 0, SIO_EMIT_ACK, 50);
  CHECK(sio_client_emit(cli, NULL, &x, &req) == 0);
  int lost = 0;
  const sio_event *ev;
  while (sio_next_event(ctx, 1000, &ev) == 1) {
    CHECK(ev->type != SIO_EV_ACK);
    if (ev->type == SIO_EV_EVENTS_LOST) lost += (int)ev->count;
  }
  CHECK(lost == 1);
  CHECK(pump_fault_pending(PUMP_FAULT_EVENT) == 0);
  sio_context_free(ctx);
}

int main(void) {
  test_resume_out_of_memory();
  test_server_error_report_lost();
  test_client_ack_report_lost();
  printf("test_pump_oom: ok\n");
  return 0;
}
