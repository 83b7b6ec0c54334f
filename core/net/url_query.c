#include "url_query.h"

#include <string.h>

#include "../util/json.h"
#include "../util/pair_groups.h"
#include "../util/utf8.h"

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
    /* Names and values are C strings here: "x=%00sid%00v" would read as
     * a sid that a proxy in front never saw. */
    if (c == 0) return -1;
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
  const char *p = q->pairs.data, *found = NULL;
  for (size_t i = 0; i < q->npairs; i++) {
    const char *v = p + strlen(p) + 1;
    if (strcmp(p, name) == 0) found = v;
    p = v + strlen(v) + 1;
  }
  return found;
}

/* A name or value as JSON, decoded as URLSearchParams does (invalid UTF-8
 * becomes U+FFFD), so that the handshake always parses. */
static int put_text(sbuf *out, sbuf *scratch, const char *s) {
  size_t n = strlen(s);
  if (utf8_is_ascii(s, n)) return json_write_string(out, s, n);
  sbuf_reset(scratch);
  return utf8_append_repaired(scratch, s, n) || json_write_string(out, scratch->data, scratch->len);
}

int url_query_to_json(const url_query *q, sbuf *out) {
  pair_groups g;
  sbuf scratch = SBUF_INIT;
  int rc = pair_groups_build(&g, q->pairs.data, q->npairs) || sbuf_putc(out, '{');
  int written = 0;
  for (size_t i = 0; i < q->npairs && !rc; i++) {
    if (!g.first[i]) continue;
    /* In the place of its first use, with its last value, as
     * Object.fromEntries(searchParams) gives it. */
    size_t last = i;
    while (g.next[last] != PAIR_GROUPS_END) last = g.next[last];
    rc = (written++ && sbuf_putc(out, ',')) || put_text(out, &scratch, g.name[i]) ||
         sbuf_putc(out, ':') || put_text(out, &scratch, pair_value(g.name[last]));
  }
  pair_groups_free(&g);
  sbuf_free(&scratch);
  return rc || sbuf_putc(out, '}') ? -1 : 0;
}

void url_query_free(url_query *q) {
  sbuf_free(&q->path);
  sbuf_free(&q->pairs);
}
