#include "ws_accept.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void ws_accept_compute(const char *key, size_t key_len, char out[WS_ACCEPT_LEN]) {
  struct sha1_ctx ctx;
  uint8_t digest[SHA1_DIGEST_SIZE];
  sha1_init(&ctx);
  sha1_update(&ctx, key_len, (const uint8_t *)key);
  sha1_update(&ctx, sizeof ws_guid - 1, (const uint8_t *)ws_guid);
  sha1_digest(&ctx, sizeof digest, digest);
  base64_encode_raw(out, sizeof digest, digest);
}
