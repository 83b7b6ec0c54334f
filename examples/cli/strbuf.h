/* A growable byte string for building output lines. Running out of memory
 * ends the program with a message: a command-line tool has nothing better to
 * do, and every caller stays free of error paths. */
#ifndef SIO_CLI_STRBUF_H
#define SIO_CLI_STRBUF_H
#include <stddef.h>

typedef struct strbuf {
  char *data; /* NUL-terminated once anything was added */
  size_t len;
  size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

void sb_add(strbuf *sb, const void *p, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) as a JSON string literal. */
void sb_json_string(strbuf *sb, const char *s, size_t n);
void sb_clear(strbuf *sb);
void sb_free(strbuf *sb);
#endif
