/* Reference-counted immutable bytes: one encoded broadcast shared by every
 * recipient. Only touched on the I/O thread, so the count is not atomic. */
#ifndef SIO_RBUF_H
#define SIO_RBUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct rbuf {
  uint32_t refs;
  uint8_t binary; /* 1: binary Engine.IO message; 0: text */
  size_t len;
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
/* On the thread that makes and frees most buffers (an I/O thread), around
 * its life: small buffers freed between the two are kept for reuse, and
 * freed by rbuf_pool_thread_done. Elsewhere buffers are simply freed. */
void rbuf_pool_thread_start(void);
void rbuf_pool_thread_done(void);
#endif
