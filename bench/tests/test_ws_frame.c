/* WebSocket framing shared by the load generator and the bare server. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ws_accept.h"
#include "ws_frame.h"

static void round_trip(size_t len, bool mask) {
  char *payload = calloc(len + 1, 1);
  CHECK(payload != NULL);
  for (size_t i = 0; i < len; i++) {
    payload[i] = (char)(i * 7 + 3);
  }
  struct bytebuf out = {0};
  ws_frame_append(&out, WS_BINARY, payload, len, mask);
  size_t header = (len < 126 ? 2 : len <= 0xFFFF ? 4 : 10) + (mask ? 4 : 0);
  CHECK(bytebuf_len(&out) == header + len);

  struct ws_frame f;
  /* Every proper prefix is incomplete, never malformed. */
  CHECK(ws_frame_parse(bytebuf_head(&out), 1, len + 1, &f) == 0);
  CHECK(ws_frame_parse(bytebuf_head(&out), bytebuf_len(&out) - 1, len + 1, &f) == 0 || len == 0);
  CHECK(ws_frame_parse(bytebuf_head(&out), bytebuf_len(&out), len + 1, &f) == 1);
  CHECK(f.fin && f.opcode == WS_BINARY);
  CHECK(f.frame_len == bytebuf_len(&out));
  CHECK_MEM(f.payload, f.payload_len, payload, len);
  bytebuf_release(&out);
  free(payload);
}

static void rejects_oversized_frames(void) {
  struct bytebuf out = {0};
  ws_frame_append(&out, WS_TEXT, "hello", 5, false);
  struct ws_frame f;
  CHECK(ws_frame_parse(bytebuf_head(&out), bytebuf_len(&out), 4, &f) == -1);
  bytebuf_release(&out);
}

static void masking_is_its_own_inverse(void) {
  char text[] = "masking over more than eight bytes, with a tail";
  char copy[sizeof text];
  memcpy(copy, text, sizeof text);
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  ws_mask(copy, sizeof text, key);
  CHECK(memcmp(copy, text, sizeof text) != 0);
  CHECK(((unsigned char)copy[5] ^ key[1]) == (unsigned char)text[5]);
  ws_mask(copy, sizeof text, key);
  CHECK_MEM(copy, sizeof text, text, sizeof text);
}

static void accept_value_of_rfc_6455_example(void) {
  static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
  char accept[WS_ACCEPT_LEN + 1] = {0};
  ws_accept_compute(key, sizeof key - 1, accept);
  CHECK_STR(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

int main(void) {
  const size_t lengths[] = {0, 1, 125, 126, 127, 65535, 65536, 100000};
  for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
    round_trip(lengths[i], false);
    round_trip(lengths[i], true);
  }
  rejects_oversized_frames();
  masking_is_its_own_inverse();
  accept_value_of_rfc_6455_example();
  return 0;
}
