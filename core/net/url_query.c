#include "url_query.h"

#include <string.h>

#include "../util/json.h"

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int decode_into(sbuf *out, const char *s, size_t n, int plus_is_space) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= n) return -1;
      int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
      if (h < 0 || l < 0) return -1;
      c = (char)(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (sbuf_putc(out, c)) return -1;
  }
  return 0;
}

int url_query_parse(url_query *q, const char *url, size_t len) {
  memset(q, 0, sizeof(*q));
  const char *qm = memchr(url, '?', len);
  size_t plen = qm ? (size_t)(qm - url) : len;
  if (decode_into(&q->path, url, plen, 0) || sbuf_putc(&q->path, 0)) return -1;
  q->path.len--; /* keep the NUL out of len */
  if (!qm) return 0;
  const char *p = qm + 1, *end = url + len;
  while (p < end) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *e = amp ? amp : end;
    if (e > p) {
      const char *eq = memchr(p, '=', (size_t)(e - p));
      const char *ne = eq ? eq : e;
      if (decode_into(&q->pairs, p, (size_t)(ne - p), 1) || sbuf_putc(&q->pairs, 0)) return -1;
      if (eq && decode_into(&q->pairs, eq + 1, (size_t)(e - eq - 1), 1)) return -1;
      if (sbuf_putc(&q->pairs, 0)) return -1;
      q->npairs++;
    }
    p = e + 1;
  }
  return 0;
}

const char *url_query_get(const url_query *q, const char *name) {
  const char *p = q->pairs.data;
  for (size_t i = 0; i < q->npairs; i++) {
    const char *v = p + strlen(p) + 1;
    if (strcmp(p, name) == 0) return v;
    p = v + strlen(v) + 1;
  }
  return NULL;
}

int url_query_to_json(const url_query *q, sbuf *out) {
  if (sbuf_putc(out, '{')) return -1;
  const char *p = q->pairs.data;
  int first = 1;
  for (size_t i = 0; i < q->npairs; i++) {
    const char *v = p + strlen(p) + 1;
    const char *next = v + strlen(v) + 1;
    /* Later duplicates win: skip a name that appears again further on. */
    int repeated = 0;
    const char *r = next;
    for (size_t j = i + 1; j < q->npairs; j++) {
      const char *rv = r + strlen(r) + 1;
      if (strcmp(r, p) == 0) repeated = 1;
      r = rv + strlen(rv) + 1;
    }
    if (!repeated) {
      if (!first && sbuf_putc(out, ',')) return -1;
      first = 0;
      if (json_write_string(out, p, strlen(p)) || sbuf_putc(out, ':') ||
          json_write_string(out, v, strlen(v)))
        return -1;
    }
    p = next;
  }
  return sbuf_putc(out, '}');
}

void url_query_free(url_query *q) {
  sbuf_free(&q->path);
  sbuf_free(&q->pairs);
}
