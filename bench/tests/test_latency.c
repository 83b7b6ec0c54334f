/* The latency histogram's percentiles stay within its ~3% resolution. */
#include "check.h"
#include "latency.h"

static int within(uint64_t got, uint64_t want, double tolerance) {
  double diff = (double)got - (double)want;
  return diff >= -tolerance * (double)want && diff <= tolerance * (double)want;
}

int main(void) {
  static struct latency h;
  latency_reset(&h);
  CHECK(latency_percentile(&h, 0.5) == 0);

  for (uint64_t us = 1; us <= 100000; us++) {
    latency_record(&h, us);
  }
  CHECK(h.total == 100000 && h.max_us == 100000);
  CHECK(within(latency_percentile(&h, 0.50), 50000, 0.04));
  CHECK(within(latency_percentile(&h, 0.99), 99000, 0.04));
  CHECK(latency_percentile(&h, 1.0) == 100000);

  latency_reset(&h);
  for (int i = 0; i < 1000; i++) {
    latency_record(&h, 7);
  }
  CHECK(latency_percentile(&h, 0.5) == 7 && latency_percentile(&h, 0.99) == 7);
  return 0;
}
