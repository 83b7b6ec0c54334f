/* Growable byte buffer, always NUL-terminated past len (so text can be handed
 * out as a C string). Owned by whoever holds the struct. */
#ifndef SIO_SBUF_H
#define SIO_SBUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct sbuf {
  char *data; /* NULL until the first append */
  size_t len;
  size_t cap;
} sbuf;

#define SBUF_INIT {NULL, 0, 0}

/* All return 0, or -1 when out of memory (the buffer is then unchanged). */
int sbuf_reserve(sbuf *b, size_t extra);
int sbuf_append(sbuf *b, const void *p, size_t n);
int sbuf_puts(sbuf *b, const char *s);
int sbuf_putc(sbuf *b, char c);
int sbuf_printf(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Drops the first n bytes. */
void sbuf_consume(sbuf *b, size_t n);
void sbuf_reset(sbuf *b); /* len = 0, keeps memory */
void sbuf_free(sbuf *b);  /* releases memory, back to SBUF_INIT */
/* Hands the memory to the caller (free() it); the buffer is left empty.
 * Returns "" duplicated when empty; NULL only when out of memory. */
char *sbuf_detach(sbuf *b, size_t *len);
#endif
