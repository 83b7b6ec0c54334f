#include "base64.h"

#include <stdlib.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(strbuf *out, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16;
    if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    char quad[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63],
                    i + 1 < n ? alphabet[(v >> 6) & 63] : '=', i + 2 < n ? alphabet[v & 63] : '='};
    sb_add(out, quad, 4);
  }
}

static int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int base64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len) {
  if (n % 4) return -1;
  size_t pad = 0;
  if (n && s[n - 1] == '=') pad++;
  if (n > 1 && s[n - 2] == '=') pad++;
  unsigned char *buf = malloc(n / 4 * 3 + 1);
  if (!buf) return -1;
  size_t len = 0;
  for (size_t i = 0; i < n; i += 4) {
    int v[4];
    for (int k = 0; k < 4; k++) {
      int last_quad = i + 4 == n;
      v[k] = last_quad && k >= 4 - (int)pad ? 0 : sextet(s[i + k]);
      if (v[k] < 0) {
        free(buf);
        return -1;
      }
    }
    unsigned bits = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
    buf[len++] = (unsigned char)(bits >> 16);
    buf[len++] = (unsigned char)(bits >> 8);
    buf[len++] = (unsigned char)bits;
  }
  *out = buf;
  *out_len = len - pad;
  return 0;
}
