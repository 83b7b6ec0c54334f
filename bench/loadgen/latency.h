/* A latency histogram with ~3% resolution over microseconds to days, cheap
 * enough to record every reply. */
#ifndef LOADGEN_LATENCY_H
#define LOADGEN_LATENCY_H

#include <stdint.h>

#define LATENCY_BUCKETS (64 + 40 * 32)

struct latency {
  uint64_t counts[LATENCY_BUCKETS];
  uint64_t total;
  uint64_t max_us;
};

void latency_reset(struct latency *h);
void latency_record(struct latency *h, uint64_t us);
/* The value under which `fraction` of the samples fall (0 when empty). */
uint64_t latency_percentile(const struct latency *h, double fraction);

#endif
