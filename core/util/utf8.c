#include "utf8.h"

int utf8_is_ascii(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80) return 0;
  return 1;
}

/* Length of the well-formed sequence at s, or 0 with *bad set to how many
 * bytes make one U+FFFD (the maximal subpart of an ill-formed one). */
static size_t seq_len(const unsigned char *s, size_t n, size_t *bad) {
  unsigned c = s[0], lo = 0x80, hi = 0xbf;
  size_t need;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0; /* overlong */
    if (c == 0xed) hi = 0x9f; /* surrogates */
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90; /* overlong */
    if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
  } else {
    *bad = 1;
    return 0;
  }
  for (size_t k = 1; k <= need; k++) {
    if (k >= n || s[k] < lo || s[k] > hi) {
      *bad = k;
      return 0;
    }
    lo = 0x80;
    hi = 0xbf;
  }
  return need + 1;
}

size_t utf8_valid_prefix(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, bad, k;
  while (i < n && (k = seq_len(u + i, n - i, &bad)) != 0) i += k;
  return i;
}

int utf8_append_repaired(sbuf *out, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = utf8_valid_prefix(s, n), run = 0, bad = 0;
  while (i < n) {
    size_t k = seq_len(u + i, n - i, &bad);
    if (k) {
      i += k;
      continue;
    }
    if (sbuf_append(out, s + run, i - run) || sbuf_append(out, "\xef\xbf\xbd", 3)) return -1;
    i += bad;
    run = i;
  }
  return sbuf_append(out, s + run, n - run);
}

int utf8_append_latin1(sbuf *out, const char *s, size_t n) {
  if (sbuf_reserve(out, 2 * n)) return -1;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      out->data[out->len++] = (char)c;
    } else {
      out->data[out->len++] = (char)(0xc0 | (c >> 6));
      out->data[out->len++] = (char)(0x80 | (c & 0x3f));
    }
  }
  out->data[out->len] = 0;
  return 0;
}
