/* A host that stops pumping: the event queue is bounded. Past
 * "maxQueuedEvents" reading stops, but events that do not come from reading
 * (here the host's own emits to a socket that is gone, each answered by an
 * SIO_EV_ERROR) still queue, up to ctx_events_cap(); past it each one is
 * dropped and counted, and the host's next pump starts with
 * SIO_EV_EVENTS_LOST and that count, then every event kept, in order. */
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "abi_message.h"
#include "check.h"
#include "pump/context.h"
#include "pump_peers.h"

#define MAX_QUEUED 4
#define OVER 60

int main(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = peer_server(ctx, (const char *const[]){"maxQueuedEvents", "4", NULL});
  size_t cap = ctx_events_cap(MAX_QUEUED);
  size_t total = cap + OVER;
  sio_target gone = SIO_TARGET_INIT;
  gone.sid = "AAAAAAAAAAAAAAAAAAAA";
  sio_message x = message("x", "[]");
  uint64_t first_req = 0, req = 0;
  for (size_t i = 0; i < total; i++) {
    CHECK(sio_emit(srv, &gone, &x, &req) == 0);
    if (!first_req) first_req = req;
  }
  /* Nobody pumps: wait until the I/O thread has answered every emit. */
  time_t deadline = time(NULL) + 60;
  while (evq_count(&ctx->evq) + atomic_load(&ctx->evq.lost) < total && time(NULL) < deadline)
    usleep(10 * 1000);
  CHECK(evq_count(&ctx->evq) == cap);
  CHECK(atomic_load(&ctx->evq.lost) == OVER);

  const sio_event *batch[64];
  int n = sio_next_events(ctx, 1000, batch, 64);
  CHECK(n == 64);
  CHECK(batch[0]->type == SIO_EV_EVENTS_LOST && batch[0]->count == OVER &&
        batch[0]->ack_id == -1);
  size_t errors = 0;
  uint64_t want = first_req;
  for (;;) {
    for (int i = errors ? 0 : 1; i < n; i++, errors++) {
      CHECK(batch[i]->type == SIO_EV_ERROR && batch[i]->err == SIO_ENOTFOUND);
      CHECK(batch[i]->req == want++);
    }
    if ((n = sio_next_events(ctx, 0, batch, 64)) == 0) break;
  }
  CHECK(errors == cap);
  /* Drained: the next event is queued again. */
  CHECK(sio_emit(srv, &gone, &x, &req) == 0);
  CHECK(sio_next_events(ctx, 5000, batch, 64) == 1);
  CHECK(batch[0]->type == SIO_EV_ERROR && batch[0]->req == req);
  sio_context_free(ctx);
  printf("test_pump_bound: ok\n");
  return 0;
}
