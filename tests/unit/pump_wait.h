/* For the unit tests that drive a real context through the public ABI. */
#ifndef SIO_TEST_PUMP_WAIT_H
#define SIO_TEST_PUMP_WAIT_H
#include "check.h"
#include <sio/sio.h>

/* Pumps until an event of type comes (other events are skipped); exits
 * non-zero after about 10 s without one. */
static inline const sio_event *wait_event(sio_context *ctx, int type) {
  for (int i = 0; i < 200; i++) {
    const sio_event *ev;
    int rc = sio_next_event(ctx, 50, &ev);
    CHECK(rc >= 0);
    if (rc == 1 && ev->type == type) return ev;
  }
  fprintf(stderr, "no event of type %d\n", type);
  exit(1);
}
#endif
