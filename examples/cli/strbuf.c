#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(strbuf *sb, size_t extra) {
  if (sb->len + extra + 1 <= sb->cap) return;
  size_t cap = sb->cap ? sb->cap : 256;
  while (cap < sb->len + extra + 1) cap *= 2;
  char *p = realloc(sb->data, cap);
  if (!p) {
    fputs("sio: out of memory\n", stderr);
    exit(1);
  }
  sb->data = p;
  sb->cap = cap;
}

void sb_add(strbuf *sb, const void *p, size_t n) {
  reserve(sb, n);
  if (n) memcpy(sb->data + sb->len, p, n);
  sb->len += n;
  sb->data[sb->len] = '\0';
}

void sb_puts(strbuf *sb, const char *s) { sb_add(sb, s, strlen(s)); }

void sb_printf(strbuf *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  reserve(sb, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

void sb_json_string(strbuf *sb, const char *s, size_t n) {
  sb_add(sb, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': sb_add(sb, "\\\"", 2); break;
      case '\\': sb_add(sb, "\\\\", 2); break;
      case '\n': sb_add(sb, "\\n", 2); break;
      case '\r': sb_add(sb, "\\r", 2); break;
      case '\t': sb_add(sb, "\\t", 2); break;
      default:
        if (c < 0x20) sb_printf(sb, "\\u%04x", c);
        else sb_add(sb, &s[i], 1);
    }
  }
  sb_add(sb, "\"", 1);
}

void sb_clear(strbuf *sb) {
  sb->len = 0;
  if (sb->data) sb->data[0] = '\0';
}

void sb_free(strbuf *sb) {
  free(sb->data);
  *sb = (strbuf)STRBUF_INIT;
}
