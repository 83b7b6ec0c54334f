#include "bytebuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *bytebuf_reserve(struct bytebuf *b, size_t more) {
  if (b->start > 0 && b->start == b->end) {
    b->start = b->end = 0;
  }
  if (b->end + more <= b->cap) {
    return b->data + b->end;
  }
  /* Slide the unconsumed bytes to the front before growing, so a buffer that
   * is drained as fast as it fills never grows. */
  if (b->start > 0) {
    memmove(b->data, b->data + b->start, b->end - b->start);
    b->end -= b->start;
    b->start = 0;
    if (b->end + more <= b->cap) {
      return b->data + b->end;
    }
  }
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->end + more) {
    cap *= 2;
  }
  char *grown = realloc(b->data, cap);
  if (!grown) {
    perror("realloc");
    abort();
  }
  b->data = grown;
  b->cap = cap;
  return b->data + b->end;
}

void bytebuf_append(struct bytebuf *b, const void *src, size_t len) {
  memcpy(bytebuf_reserve(b, len), src, len);
  b->end += len;
}

void bytebuf_consume(struct bytebuf *b, size_t len) {
  b->start += len;
  if (b->start >= b->end) {
    b->start = b->end = 0;
  }
}

void bytebuf_release(struct bytebuf *b) {
  free(b->data);
  b->data = NULL;
  b->start = b->end = b->cap = 0;
}
