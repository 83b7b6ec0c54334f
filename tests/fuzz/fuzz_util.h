/* What the fuzz targets share: splitting one input into several messages,
 * and a check that stops the run loudly (abort, so libFuzzer keeps the
 * input) when two parts of the core disagree. */
#ifndef SIO_FUZZ_UTIL_H
#define SIO_FUZZ_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                  \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: consistency check failed: %s\n", __FILE__,  \
              __LINE__, #cond);                                           \
      abort();                                                            \
    }                                                                     \
  } while (0)

/* Messages are separated by FUZZ_SEP (also in each target's dictionary):
 * a mutation that inserts or drops one splits or joins messages. */
#define FUZZ_SEP "\n@@\n"
#define FUZZ_SEP_LEN 4

/* The next message of data[0..n) from *pos: 1 with *msg, *len set, 0 after
 * the last one. */
static inline int fuzz_next(const uint8_t *data, size_t n, size_t *pos,
                            const uint8_t **msg, size_t *len) {
  if (*pos > n) return 0;
  const uint8_t *start = data + *pos;
  size_t left = n - *pos;
  const uint8_t *sep = NULL;
  for (size_t i = 0; i + FUZZ_SEP_LEN <= left; i++)
    if (start[i] == '\n' && !memcmp(start + i, FUZZ_SEP, FUZZ_SEP_LEN)) {
      sep = start + i;
      break;
    }
  *msg = start;
  *len = sep ? (size_t)(sep - start) : left;
  *pos = sep ? *pos + *len + FUZZ_SEP_LEN : n + 1;
  return 1;
}
#endif
