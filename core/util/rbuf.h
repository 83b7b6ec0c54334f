/* Reference-counted immutable bytes: one encoded broadcast shared by every
 * recipient. Only touched on the I/O thread, so the count is not atomic. */
#ifndef SIO_RBUF_H
#define SIO_RBUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct rbuf {
  uint32_t refs;
  uint8_t binary; /* 1: binary Engine.IO message; 0: text */
  uint8_t no_compress;   /* 1: sent as is (an emit's compress(false)) */
  uint8_t deflated_bits; /* the window the deflated form was made with */
  size_t len;
  /* The payload deflated for permessage-deflate, made by the first
   * recipient that needs it (net/ws_deflate.h) and freed with b. */
  struct rbuf *deflated;
  char data[]; /* len bytes, then a NUL */
} rbuf;

/* New buffer with refs = 1 and len bytes of room (content uninitialised). */
rbuf *rbuf_new(size_t len, int binary);
/* New buffer holding a copy of p. */
rbuf *rbuf_copy(const void *p, size_t len, int binary);
rbuf *rbuf_ref(rbuf *b);
/* Accepts NULL. */
void rbuf_unref(rbuf *b);
/* Appends a reference to b to the array *q of *len entries and *cap room,
 * doubling it when full (from first_cap). 0, or -1 out of memory. */
int rbuf_queue_push(rbuf ***q, size_t *len, size_t *cap, size_t first_cap, rbuf *b);
/* Small buffers are kept for reuse on a thread that runs thread hooks (the
 * I/O thread: util/thread_hooks.h), and freed by its hook. */
#endif
