#include "rbuf.h"

#include "thread_hooks.h"

#include <stdlib.h>
#include <string.h>

/* Small buffers (most encoded packets) are kept by the I/O thread that
 * frees them and handed out again: an emit would otherwise pay a malloc and
 * a free for its one encoded packet. Every small buffer takes POOL_BLOCK
 * bytes, so any of them can serve any small size. */
#define POOL_BLOCK 256
#define POOL_MAX 1024

static _Thread_local rbuf *pool; /* linked through the first bytes of data */
static _Thread_local size_t npool;

static rbuf **pool_next(rbuf *b) { return (rbuf **)(void *)b->data; }

static void pool_free(void) {
  while (pool) {
    rbuf *n = *pool_next(pool);
    free(pool);
    pool = n;
  }
  npool = 0;
}

/* Pooling only on a thread whose owner runs thread hooks: the hook frees
 * the pool as the thread ends. Elsewhere buffers are simply freed. */
static _Thread_local thread_hook pool_hook = {pool_free, NULL, 0};

static int pooling(void) {
  if (pool_hook.added) return 1;
  if (!thread_hooks_active()) return 0;
  thread_hooks_add(&pool_hook);
  return 1;
}

static int is_small(size_t len) { return sizeof(rbuf) + len + 1 <= POOL_BLOCK; }

rbuf *rbuf_new(size_t len, int binary) {
  rbuf *b;
  if (is_small(len) && pool) {
    b = pool;
    pool = *pool_next(b);
    npool--;
  } else if (!(b = malloc(is_small(len) ? POOL_BLOCK : sizeof(rbuf) + len + 1))) {
    return NULL;
  }
  b->refs = 1;
  b->binary = binary ? 1 : 0;
  b->no_compress = 0;
  b->deflated_bits = 0;
  b->deflated = NULL;
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
  if (!b || --b->refs) return;
  rbuf_unref(b->deflated);
  if (is_small(b->len) && npool < POOL_MAX && pooling()) {
    *pool_next(b) = pool;
    pool = b;
    npool++;
  } else {
    free(b);
  }
}

int rbuf_queue_push(rbuf ***q, size_t *len, size_t *cap, size_t first_cap, rbuf *b) {
  if (*len == *cap) {
    size_t n = *cap ? *cap * 2 : first_cap;
    rbuf **grown = realloc(*q, n * sizeof(*grown));
    if (!grown) return -1;
    *q = grown;
    *cap = n;
  }
  (*q)[(*len)++] = rbuf_ref(b);
  return 0;
}
