/* Monotonic clock in microseconds, the unit every figure is taken in. */
#ifndef BENCH_MONOTIME_H
#define BENCH_MONOTIME_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotime_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#endif
