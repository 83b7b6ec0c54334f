/* Minimal assertions for the unit tests: a failed CHECK prints where and
 * exits non-zero, so ctest reports the test as failed. */
#ifndef SIO_TEST_CHECK_H
#define SIO_TEST_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,     \
              #cond);                                                      \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

#define CHECK_STR(a, b)                                                    \
  do {                                                                     \
    const char *a_ = (a), *b_ = (b);                                       \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) {                               \
      fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,     \
              a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

#define CHECK_MEM(a, alen, b, blen)                                        \
  do {                                                                     \
    if ((alen) != (blen) || memcmp((a), (b), (blen)) != 0) {               \
      fprintf(stderr, "%s:%d: bytes differ: %.*s vs %.*s\n", __FILE__,     \
              __LINE__, (int)(alen), (const char *)(a), (int)(blen),       \
              (const char *)(b));                                          \
      exit(1);                                                             \
    }                                                                      \
  } while (0)
#endif
