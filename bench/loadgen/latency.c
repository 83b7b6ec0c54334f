#include "latency.h"

#include <string.h>

/* Values below 64 get a bucket each; above, each power of two is split into
 * 32 buckets, so a bucket is at most 1/32 of its value wide. */
static unsigned bucket_of(uint64_t us) {
  if (us < 64) {
    return (unsigned)us;
  }
  unsigned msb = 63u - (unsigned)__builtin_clzll(us);
  unsigned shift = msb - 5;
  unsigned idx = 64 + (shift - 1) * 32 + (unsigned)((us >> shift) - 32);
  return idx < LATENCY_BUCKETS ? idx : LATENCY_BUCKETS - 1;
}

/* The upper end of a bucket, so percentiles never understate. */
static uint64_t bucket_top(unsigned idx) {
  if (idx < 64) {
    return idx;
  }
  unsigned shift = (idx - 64) / 32 + 1;
  uint64_t mantissa = (idx - 64) % 32 + 32;
  return ((mantissa + 1) << shift) - 1;
}

void latency_reset(struct latency *h) { memset(h, 0, sizeof *h); }

void latency_record(struct latency *h, uint64_t us) {
  h->counts[bucket_of(us)]++;
  h->total++;
  if (us > h->max_us) {
    h->max_us = us;
  }
}

uint64_t latency_percentile(const struct latency *h, double fraction) {
  if (h->total == 0) {
    return 0;
  }
  uint64_t rank = (uint64_t)(fraction * (double)h->total);
  if (rank >= h->total) {
    rank = h->total - 1;
  }
  uint64_t seen = 0;
  for (unsigned i = 0; i < LATENCY_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen > rank) {
      uint64_t top = bucket_top(i);
      return top < h->max_us ? top : h->max_us;
    }
  }
  return h->max_us;
}
