/* permessage-deflate (core/net/ws_deflate.c). The first byte picks what the
 * rest is: bit 0 clear, a Sec-WebSocket-Extensions offer (the server reads
 * it, and the client must read the server's answer to it); set, a
 * compressed message (bit 1: a bound of 64 bytes, else 1 MiB), inflated as
 * the server and the client inflate what they receive. Whatever inflates
 * within the bound deflates and inflates back the same. */
#include "fuzz_util.h"
#include "net/ws_deflate.h"

static void offer(const uint8_t *data, size_t n) {
  char *header = malloc(n + 1);
  FUZZ_CHECK(header);
  memcpy(header, data, n);
  header[n] = 0;
  sbuf answer = SBUF_INIT;
  int bits = 0;
  int rc = ws_deflate_negotiate(header, &answer, &bits);
  FUZZ_CHECK(rc >= -1 && rc <= 1);
  if (rc == 1) {
    FUZZ_CHECK(bits >= 9 && bits <= 15);
    /* A client that offered a 256-byte window for its own messages is
     * granted it, as ws grants it; our client never offers one (zlib
     * cannot write it), so only other answers must read back. */
    if (!strstr(answer.data, "client_max_window_bits=8")) {
      ws_deflate_accepted accepted;
      FUZZ_CHECK(ws_deflate_read_answer(answer.data, &accepted) == 0);
      FUZZ_CHECK(accepted.server_resets);
    }
  }
  ws_deflate_accepted ignored;
  ws_deflate_read_answer(header, &ignored);
  sbuf_free(&answer);
  free(header);
}

static void message(const uint8_t *data, size_t n, size_t max) {
  sbuf out = SBUF_INIT, again = SBUF_INIT, back = SBUF_INIT;
  int rc = ws_inflate_message(data, n, max, &out);
  FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2);
  ws_inflater *own = ws_inflater_new();
  FUZZ_CHECK(own);
  FUZZ_CHECK(ws_inflater_run(own, data, n, max, 1, &back) == rc);
  if (rc == 0) {
    FUZZ_CHECK(out.len <= max);
    FUZZ_CHECK(back.len == out.len && (!out.len || !memcmp(back.data, out.data, out.len)));
    FUZZ_CHECK(ws_deflate_message(out.data, out.len, 15, &again) == 0);
    FUZZ_CHECK(ws_inflate_message(again.data ? again.data : "", again.len, max, &back) == 0);
    FUZZ_CHECK(back.len == out.len && (!out.len || !memcmp(back.data, out.data, out.len)));
  }
  ws_inflater_free(own);
  sbuf_free(&out);
  sbuf_free(&again);
  sbuf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if (data[0] & 1)
    message(data + 1, size - 1, data[0] & 2 ? 64 : (size_t)1 << 20);
  else
    offer(data + 1, size - 1);
  return 0;
}
