/* SHA-1 as FIPS 180-4 section 6.1 defines it. */
#include "sha1.h"

#include <string.h>

typedef struct sha1_state {
  uint32_t h[5];
  uint8_t block[64];
  size_t used; /* bytes waiting in block */
  uint64_t total;
} sha1_state;

static uint32_t rotl(uint32_t x, unsigned n) { return x << n | x >> (32 - n); }

static void sha1_block(uint32_t h[5], const uint8_t *p) {
  uint32_t w[80];
  for (int t = 0; t < 16; t++)
    w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
           (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
  for (int t = 16; t < 80; t++)
    w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int t = 0; t < 80; t++) {
    uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDC;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6;
    }
    uint32_t tmp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = tmp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

static void sha1_update(sha1_state *s, const uint8_t *p, size_t n) {
  s->total += n;
  if (s->used) {
    size_t take = 64 - s->used < n ? 64 - s->used : n;
    memcpy(s->block + s->used, p, take);
    s->used += take;
    p += take;
    n -= take;
    if (s->used < 64) return;
    sha1_block(s->h, s->block);
    s->used = 0;
  }
  for (; n >= 64; p += 64, n -= 64) sha1_block(s->h, p);
  if (n) memcpy(s->block, p, n);
  s->used = n;
}

void sha1(const void *data, size_t len, uint8_t digest[20]) {
  sha1_state s = {{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0},
                  {0}, 0, 0};
  sha1_update(&s, data, len);
  uint64_t bits = s.total * 8;
  uint8_t tail[72] = {0x80};
  size_t pad = (s.used < 56 ? 56 : 120) - s.used;
  for (int k = 0; k < 8; k++) tail[pad + (size_t)k] = (uint8_t)(bits >> (56 - 8 * k));
  sha1_update(&s, tail, pad + 8);
  for (int k = 0; k < 5; k++) {
    digest[4 * k] = (uint8_t)(s.h[k] >> 24);
    digest[4 * k + 1] = (uint8_t)(s.h[k] >> 16);
    digest[4 * k + 2] = (uint8_t)(s.h[k] >> 8);
    digest[4 * k + 3] = (uint8_t)s.h[k];
  }
}
