/* Vectors from Node's Buffer.toString("base64"). */
#include "check.h"
#include "util/base64.h"

static void check_roundtrip(const char *bytes, size_t n, const char *text) {
  sbuf b = SBUF_INIT;
  CHECK(base64_encode(&b, bytes, n) == 0);
  CHECK_STR(b.data, text);
  sbuf_reset(&b);
  CHECK(base64_decode(&b, text, strlen(text)) == 0);
  CHECK_MEM(b.data, b.len, bytes, n);
  CHECK(b.data[b.len] == 0);
  sbuf_free(&b);
}

static void check_rejected(const char *text) {
  sbuf b = SBUF_INIT;
  CHECK(sbuf_puts(&b, "keep") == 0);
  CHECK(base64_decode(&b, text, strlen(text)) == -1);
  CHECK_STR(b.data, "keep");
  sbuf_free(&b);
}

int main(void) {
  check_roundtrip("", 0, "");
  check_roundtrip("\x00", 1, "AA==");
  check_roundtrip("\x00\x01", 2, "AAE=");
  check_roundtrip("\x00\x01\x02", 3, "AAEC");
  check_roundtrip("\xff\xfe\xfd", 3, "//79");
  check_roundtrip("\xff", 1, "/w==");
  check_roundtrip("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 10,
                  "AQIDBAUGBwgJCg==");

  char all[256];
  for (int i = 0; i < 256; i++) all[i] = (char)i;
  check_roundtrip(all, sizeof all,
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy"
      "MzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2Rl"
      "ZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeY"
      "mZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrL"
      "zM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+"
      "/w==");

  /* Appends after what the buffer holds. */
  sbuf b = SBUF_INIT;
  CHECK(sbuf_puts(&b, "b") == 0);
  CHECK(base64_encode(&b, "\x01\x02\x03\x04", 4) == 0);
  CHECK_STR(b.data, "bAQIDBA==");
  sbuf_free(&b);

  /* Node ignores the unused low bits of the last group; so do we. */
  CHECK(base64_decode(&b, "QR==", 4) == 0);
  CHECK_MEM(b.data, b.len, "A", 1);
  sbuf_free(&b);

  check_rejected("A");
  check_rejected("AA");
  check_rejected("AAE");
  check_rejected("AAEC=");
  check_rejected("AQIDBA");
  check_rejected("A===");
  check_rejected("====");
  check_rejected("AA=A");
  check_rejected("=AAA");
  check_rejected("AA==AAAA");
  check_rejected("AQ-_");
  check_rejected("AQID BA=");
  check_rejected("AQI\nBA==");
  check_rejected("AQI\0BA==");
  CHECK(base64_decode(&b, "AQI\0", 4) == -1);
  sbuf_free(&b);
  return 0;
}
