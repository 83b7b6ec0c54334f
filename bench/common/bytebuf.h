/* A growable byte buffer with a read offset: connections append what they
 * receive or want to send and consume it from the front. */
#ifndef BENCH_BYTEBUF_H
#define BENCH_BYTEBUF_H

#include <stddef.h>

struct bytebuf {
  char *data;
  size_t start; /* first unconsumed byte */
  size_t end;   /* one past the last byte */
  size_t cap;
};

/* Makes room for `more` bytes after `end` and returns where they go. */
char *bytebuf_reserve(struct bytebuf *b, size_t more);
void bytebuf_append(struct bytebuf *b, const void *src, size_t len);
void bytebuf_consume(struct bytebuf *b, size_t len);
/* Frees the storage: idle connections should not keep buffers around. */
void bytebuf_release(struct bytebuf *b);

static inline size_t bytebuf_len(const struct bytebuf *b) { return b->end - b->start; }
static inline char *bytebuf_head(const struct bytebuf *b) { return b->data + b->start; }

#endif
