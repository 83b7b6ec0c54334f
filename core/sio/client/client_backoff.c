/* socket.io-client's reconnection back-off (its contrib/backo2): the delay
 * doubles with each attempt, is moved up or down by a random share of
 * itself (randomizationFactor), and never exceeds reconnectionDelayMax. */
#include "client_manager.h"
#include "../../util/random_bytes.h"

void cl_backoff_init(cl_backoff *b, uint64_t min_ms, uint64_t max_ms, double jitter) {
  b->min_ms = min_ms;
  b->max_ms = max_ms;
  b->jitter = jitter > 0 && jitter <= 1 ? jitter : 0;
  b->attempts = 0;
}

/* A uniform number in [0, 1). Attempts are seconds apart: one system call
 * each costs nothing. */
static double random_unit(void) {
  uint32_t r = 0;
  if (random_bytes(&r, sizeof(r))) r = (uint32_t)uv_hrtime();
  return r / 4294967296.0;
}

uint64_t cl_backoff_duration(cl_backoff *b) {
  double ms = (double)b->min_ms;
  /* Past 2^64 the cap has long taken over. */
  for (unsigned i = 0; i < b->attempts && i < 64; i++) ms *= 2;
  b->attempts++;
  /* Far above any delay cap (32-bit ms), and keeps the casts below defined. */
  if (ms > 1e15) ms = 1e15;
  if (b->jitter > 0) {
    double rand = random_unit();
    double deviation = (double)(uint64_t)(rand * b->jitter * ms);
    /* The same draw picks the direction, as backo2 does. */
    ms = ((uint64_t)(rand * 10) & 1) == 0 ? ms - deviation : ms + deviation;
  }
  if (ms > (double)b->max_ms) ms = (double)b->max_ms;
  return ms < 0 ? 0 : (uint64_t)ms;
}

void cl_backoff_reset(cl_backoff *b) { b->attempts = 0; }
