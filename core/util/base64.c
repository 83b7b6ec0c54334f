#include "base64.h"

#include <stdint.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(sbuf *out, const void *p, size_t n) {
  const unsigned char *in = p;
  size_t groups = n / 3 + (n % 3 != 0);
  if (groups > (SIZE_MAX - 1) / 4 || sbuf_reserve(out, groups * 4)) return -1;
  char *w = out->data + out->len;
  size_t i = 0;
  for (; n - i >= 3; i += 3) {
    unsigned long v = (unsigned long)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
    w[0] = alphabet[v >> 18];
    w[1] = alphabet[v >> 12 & 63];
    w[2] = alphabet[v >> 6 & 63];
    w[3] = alphabet[v & 63];
    w += 4;
  }
  if (i < n) {
    unsigned long v = (unsigned long)in[i] << 16;
    if (n - i == 2) v |= (unsigned long)in[i + 1] << 8;
    w[0] = alphabet[v >> 18];
    w[1] = alphabet[v >> 12 & 63];
    w[2] = n - i == 2 ? alphabet[v >> 6 & 63] : '=';
    w[3] = '=';
    w += 4;
  }
  out->len += groups * 4;
  *w = 0;
  return 0;
}

static int sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Strict about the alphabet, the length and where '=' may stand, because
 * every Engine.IO client pads; lenient only about the unused low bits of
 * the last group, which Node ignores too. */
int base64_decode(sbuf *out, const char *s, size_t n) {
  const unsigned char *in = (const unsigned char *)s;
  if (n % 4 != 0) return -1;
  size_t pad = 0;
  if (n && in[n - 1] == '=') pad = in[n - 2] == '=' ? 2 : 1;
  if (sbuf_reserve(out, n / 4 * 3)) return -1;
  char *w = out->data + out->len;
  for (size_t i = 0; i < n; i += 4) {
    int last = i + 4 == n;
    int a = sextet(in[i]), b = sextet(in[i + 1]);
    int c = last && pad == 2 ? 0 : sextet(in[i + 2]);
    int d = last && pad ? 0 : sextet(in[i + 3]);
    if ((a | b | c | d) < 0) {
      out->data[out->len] = 0; /* the partial output overwrote it */
      return -1;
    }
    unsigned long v = (unsigned long)a << 18 | (unsigned long)b << 12 |
                      (unsigned long)c << 6 | (unsigned long)d;
    *w++ = (char)(v >> 16);
    if (!last || pad < 2) *w++ = (char)(v >> 8 & 255);
    if (!last || pad < 1) *w++ = (char)(v & 255);
  }
  out->len = (size_t)(w - out->data);
  *w = 0;
  return 0;
}
