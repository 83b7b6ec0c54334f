/* The client's reconnection back-off (socket.io-client's backo2): the delay
 * doubles per attempt from reconnectionDelay, stays within d*(1-f)..d*(1+f)
 * for randomizationFactor f, and never exceeds reconnectionDelayMax. The
 * interop suites set f = 0, so only here does the random part run. */
#include "check.h"
#include "sio/client/client_manager.h"

#define SAMPLES 4000

/* Without jitter every delay is exact: min * 2^attempt, capped. */
static void check_exact_growth_and_cap(void) {
  cl_backoff b;
  cl_backoff_init(&b, 100, 5000, 0);
  const uint64_t want[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) CHECK(cl_backoff_duration(&b) == want[i]);
  /* Very many attempts neither overflow nor leave the cap. */
  for (int i = 0; i < 200; i++) CHECK(cl_backoff_duration(&b) == 5000);
  cl_backoff_reset(&b);
  CHECK(cl_backoff_duration(&b) == 100);
  CHECK(cl_backoff_duration(&b) == 200);
}

/* A factor outside (0, 1] means no jitter, as in backo2. */
static void check_out_of_range_factor_is_ignored(void) {
  const double factors[] = {-0.5, 1.5, 0};
  for (size_t k = 0; k < sizeof(factors) / sizeof(factors[0]); k++) {
    for (int n = 0; n < 50; n++) {
      cl_backoff b;
      cl_backoff_init(&b, 1000, 1000000, factors[k]);
      CHECK(cl_backoff_duration(&b) == 1000);
      CHECK(cl_backoff_duration(&b) == 2000);
    }
  }
}

/* Attempt `attempt` of a fresh back-off, sampled many times: every delay in
 * [d*(1-f), d*(1+f)], and the draws land on both sides of d. */
static void check_jitter_bounds(uint64_t min_ms, unsigned attempt, double f) {
  uint64_t d = min_ms << attempt;
  double low = (double)d * (1 - f), high = (double)d * (1 + f);
  int below = 0, above = 0;
  uint64_t seen_min = UINT64_MAX, seen_max = 0;
  for (int n = 0; n < SAMPLES; n++) {
    cl_backoff b;
    cl_backoff_init(&b, min_ms, UINT32_MAX, f);
    for (unsigned i = 0; i < attempt; i++) cl_backoff_duration(&b);
    uint64_t ms = cl_backoff_duration(&b);
    if ((double)ms < low - 1 || (double)ms > high + 1) {
      fprintf(stderr, "attempt %u of %llu ms, f=%.2f: %llu outside [%.0f, %.0f]\n", attempt,
              (unsigned long long)min_ms, f, (unsigned long long)ms, low, high);
      exit(1);
    }
    below += ms < d;
    above += ms > d;
    if (ms < seen_min) seen_min = ms;
    if (ms > seen_max) seen_max = ms;
  }
  /* Half the draws go each way (the direction is a parity of the same draw). */
  CHECK(below > SAMPLES / 4);
  CHECK(above > SAMPLES / 4);
  /* The draws spread over most of the range, not a few fixed values (a
   * downward draw is below 0.9, so d*(1-f) itself is never reached). */
  CHECK((double)seen_min < (double)d * (1 - f * 0.8));
  CHECK((double)seen_max > (double)d * (1 + f * 0.9));
}

/* Jitter above the cap is cut back to it: reconnectionDelayMax is a hard limit. */
static void check_jitter_respects_cap(void) {
  int at_cap = 0;
  for (int n = 0; n < SAMPLES; n++) {
    cl_backoff b;
    cl_backoff_init(&b, 1000, 1500, 0.5);
    CHECK(cl_backoff_duration(&b) <= 1500);
    uint64_t second = cl_backoff_duration(&b);
    /* d = 2000: its jitter range [1000, 3000] crosses the cap. */
    CHECK(second >= 1000 && second <= 1500);
    at_cap += second == 1500;
  }
  CHECK(at_cap > SAMPLES / 4);
}

int main(void) {
  check_exact_growth_and_cap();
  check_out_of_range_factor_is_ignored();
  check_jitter_bounds(1000, 0, 0.5);
  check_jitter_bounds(1000, 3, 0.5);
  check_jitter_bounds(500, 5, 0.2);
  check_jitter_bounds(1000, 2, 1.0);
  check_jitter_respects_cap();
  return 0;
}
