/* Tests for the WebSocket frame reader: the frames RFC 6455 says fail the
 * connection are refused with 1002, and what is handed up is the payload. */
#include <stdint.h>

#include "check.h"
#include "net/ws_frame.h"

/* The payload handed up lives in the reader until its next frame. */
static ws_reader reader;

static int read_one(const char *frame, size_t n, int expect_mask, ws_frame_result *out) {
  ws_reader_free(&reader);
  reader.msg_opcode = 0;
  return ws_read_frame(&reader, (const uint8_t *)frame, n, expect_mask, 1 << 20, out);
}

int main(void) {
  ws_frame_result f;
  /* Reserved control opcodes 0xB-0xF (found by tests/fuzz/fuzz_ws_frame). */
  for (int op = 0xB; op <= 0xF; op++) {
    char frame[2] = {(char)(0x80 | op), 0};
    CHECK(read_one(frame, 2, 0, &f) == -1);
    CHECK(f.close_code == 1002);
  }
  /* Reserved data opcodes 3-7. */
  CHECK(read_one("\x83\x00", 2, 0, &f) == -1);
  /* The known control frames are handed up. */
  CHECK(read_one("\x89\x02hi", 4, 0, &f) == 0);
  CHECK(f.kind == WS_PING);
  CHECK_MEM(f.data, f.len, "hi", 2);
  CHECK(read_one("\x8a\x00", 2, 0, &f) == 0);
  CHECK(f.kind == WS_PONG);
  CHECK(read_one("\x88\x02\x03\xe8", 4, 0, &f) == 0);
  CHECK(f.kind == WS_CLOSE && f.close_code == 1000);
  /* A server refuses an unmasked frame, a client a masked one. */
  CHECK(read_one("\x81\x01x", 3, 1, &f) == -1);
  CHECK(read_one("\x81\x81\x00\x00\x00\x00x", 7, 0, &f) == -1);
  CHECK(read_one("\x81\x81\x01\x02\x03\x04y", 7, 1, &f) == 0);
  CHECK(f.kind == WS_TEXT && f.len == 1 && f.data[0] == ('y' ^ 1));
  /* A 64-bit length of 2^64 - 1 does not wrap the frame's size. */
  uint64_t plen;
  CHECK(ws_frame_size((const uint8_t *)"\x82\x7f\xff\xff\xff\xff\xff\xff\xff\xff", 10, &plen) ==
        UINT64_MAX);
  CHECK(plen == UINT64_MAX);
  ws_reader_free(&reader);
  printf("ok\n");
  return 0;
}
