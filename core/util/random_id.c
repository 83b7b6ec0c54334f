#include "random_id.h"

#include <stdint.h>
#include <string.h>

#include "random_bytes.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Random bytes come in batches: one system call serves many ids. */
static _Thread_local uint8_t pool_[15 * 64];
static _Thread_local size_t pool_left_;

void random_id(char out[RANDOM_ID_LEN + 1]) {
  if (pool_left_ < 15) {
    while (random_bytes(pool_, sizeof(pool_))) continue;
    pool_left_ = sizeof(pool_);
  }
  const uint8_t *b = pool_ + sizeof(pool_) - pool_left_;
  pool_left_ -= 15;
  for (int i = 0, o = 0; i < 15; i += 3) {
    uint32_t v = ((uint32_t)b[i] << 16) | ((uint32_t)b[i + 1] << 8) | b[i + 2];
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = alphabet[v & 63];
  }
  out[RANDOM_ID_LEN] = 0;
  memset((void *)b, 0, 15);
}
