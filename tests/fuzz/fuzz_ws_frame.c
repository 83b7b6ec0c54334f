/* WebSocket frames (core/net/ws_frame.c). The first byte picks the side
 * (bit 0: frames must be masked, as on the server) and a message bound (bit
 * 1: 64 bytes, else 1 MiB); the rest is a stream of frames, read as
 * http_conn.c and http_client.c read them. Every message and control frame
 * handed up, written again as a frame, reads back the same. */
#include "fuzz_util.h"
#include "net/ws_frame.h"

static void check_rewrite(int expect_mask, const ws_frame_result *f) {
  sbuf frame = SBUF_INIT;
  FUZZ_CHECK(ws_write_frame(&frame, f->kind, f->data, f->len, expect_mask) == 0);
  uint64_t plen = 0;
  FUZZ_CHECK(ws_frame_size((const uint8_t *)frame.data, frame.len, &plen) == frame.len);
  FUZZ_CHECK(plen == f->len);
  ws_reader r = {.msg = SBUF_INIT};
  ws_frame_result g;
  FUZZ_CHECK(ws_read_frame(&r, (const uint8_t *)frame.data, frame.len, expect_mask,
                           (size_t)1 << 20, &g) == 0);
  FUZZ_CHECK(g.kind == f->kind && g.len == f->len);
  FUZZ_CHECK(!g.len || !memcmp(g.data, f->data, g.len));
  if (f->kind == WS_CLOSE) FUZZ_CHECK(g.close_code == f->close_code);
  ws_reader_free(&r);
  sbuf_free(&frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int expect_mask = data[0] & 1;
  size_t max_message = data[0] & 2 ? 64 : (size_t)1 << 20;
  size_t n = size - 1;
  uint8_t *in = malloc(n ? n : 1);
  if (!in) return 0;
  memcpy(in, data + 1, n);
  ws_reader r = {.msg = SBUF_INIT};
  size_t used = 0;
  while (used < n) {
    uint64_t plen = 0;
    uint64_t fsize = ws_frame_size(in + used, n - used, &plen);
    if (!fsize || fsize > n - used) break;
    FUZZ_CHECK(fsize > plen && fsize - plen <= 14);
    ws_frame_result f;
    /* Each frame in a buffer of its own size, so that reads past it show. */
    uint8_t *frame = malloc((size_t)fsize);
    FUZZ_CHECK(frame);
    memcpy(frame, in + used, (size_t)fsize);
    int rc = ws_read_frame(&r, frame, (size_t)fsize, expect_mask, max_message, &f);
    if (rc) {
      FUZZ_CHECK(f.close_code == 1002 || f.close_code == 1009);
      free(frame);
      break;
    }
    FUZZ_CHECK(f.kind == 0 || f.kind == WS_TEXT || f.kind == WS_BINARY || f.kind == WS_CLOSE ||
               f.kind == WS_PING || f.kind == WS_PONG);
    if (f.kind == WS_TEXT || f.kind == WS_BINARY) FUZZ_CHECK(f.len <= max_message);
    if (f.kind >= WS_CLOSE) FUZZ_CHECK(f.len <= 125);
    if (f.kind) check_rewrite(expect_mask, &f);
    free(frame);
    used += (size_t)fsize;
  }
  ws_reader_free(&r);
  free(in);
  return 0;
}
