#include "rbuf.h"

#include <stdlib.h>
#include <string.h>

rbuf *rbuf_new(size_t len, int binary) {
  rbuf *b = malloc(sizeof(rbuf) + len + 1);
  if (!b) return NULL;
  b->refs = 1;
  b->binary = binary ? 1 : 0;
  b->len = len;
  b->data[len] = 0;
  return b;
}

rbuf *rbuf_copy(const void *p, size_t len, int binary) {
  rbuf *b = rbuf_new(len, binary);
  if (b && len) memcpy(b->data, p, len);
  return b;
}

rbuf *rbuf_ref(rbuf *b) {
  b->refs++;
  return b;
}

void rbuf_unref(rbuf *b) {
  if (b && --b->refs == 0) free(b);
}
