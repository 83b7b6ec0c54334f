/* Tests for permessage-deflate: the offers the ws package accepts, passes
 * over or refuses, RSV1 on the frames, and whole messages both ways with
 * the inflate bound. */
#include <stdint.h>
#include <zlib.h>

#include "check.h"
#include "net/ws_deflate.h"
#include "net/ws_frame.h"

static int negotiate(const char *offer, sbuf *answer, int *bits) {
  sbuf_reset(answer);
  *bits = 0;
  return ws_deflate_negotiate(offer, answer, bits);
}

static void check_negotiation(void) {
  sbuf a = SBUF_INIT;
  int bits;
  CHECK(negotiate("permessage-deflate", &a, &bits) == 1);
  CHECK_STR(a.data, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  CHECK(bits == 15);
  CHECK(negotiate("permessage-deflate; client_max_window_bits", &a, &bits) == 1);
  CHECK(!strstr(a.data, "client_max_window_bits"));
  CHECK(negotiate("permessage-deflate; client_max_window_bits=12; server_max_window_bits=\"10\"",
                  &a, &bits) == 1);
  CHECK(strstr(a.data, "; server_max_window_bits=10") && strstr(a.data, "; client_max_window_bits=12"));
  CHECK(bits == 10);
  /* Another extension is read past; the first permessage-deflate offer
   * that can be taken is. */
  CHECK(negotiate("x-webkit-deflate-frame; q=\"a;b\", permessage-deflate; server_max_window_bits=8, "
                  "permessage-deflate; server_max_window_bits=9", &a, &bits) == 1);
  CHECK(bits == 9);
  CHECK(negotiate("x-webkit-deflate-frame", &a, &bits) == 0);
  CHECK(negotiate("permessage-deflate; server_max_window_bits=8", &a, &bits) == 0);
  CHECK(a.len == 0);
  static const char *const refused[] = {
      "", ",", "permessage-deflate,", "permessage-deflate;", "permessage-deflate; foo",
      "permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; server_max_window_bits=7", "permessage-deflate; client_max_window_bits=1a",
      "permessage-deflate; server_no_context_takeover=1",
      "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
      "permessage-deflate; server_max_window_bits=\"10", "permessage-deflate; a=\"\"",
      "permessage-deflate, other; =1", "permessage-deflate x"};
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    if (negotiate(refused[i], &a, &bits) != -1) {
      fprintf(stderr, "accepted: %s\n", refused[i]);
      CHECK(0);
    }
  }
  sbuf_free(&a);
}

static void check_frames(void) {
  ws_reader r = {0};
  ws_frame_result f;
  /* Masked with a zero key: the payload reads as is. */
  static const uint8_t rsv1_text[] = {0xc1, 0x81, 0, 0, 0, 0, 'x'};
  static const uint8_t rsv1_ping[] = {0xc9, 0x80, 0, 0, 0, 0};
  static const uint8_t rsv2_text[] = {0xa1, 0x81, 0, 0, 0, 0, 'x'};
  static const uint8_t first[] = {0x01, 0x81, 0, 0, 0, 0, 'a'};
  static const uint8_t rsv1_cont[] = {0xc0, 0x81, 0, 0, 0, 0, 'b'};
  static const uint8_t last[] = {0x80, 0x81, 0, 0, 0, 0, 'b'};
  CHECK(ws_read_frame(&r, rsv1_text, sizeof(rsv1_text), 1, 100, &f) == -1);
  CHECK(f.close_code == 1002);
  r.allow_rsv1 = 1;
  CHECK(ws_read_frame(&r, rsv1_text, sizeof(rsv1_text), 1, 100, &f) == 0);
  CHECK(f.kind == WS_TEXT && f.compressed && f.len == 1);
  CHECK(ws_read_frame(&r, rsv1_ping, sizeof(rsv1_ping), 1, 100, &f) == -1);
  CHECK(ws_read_frame(&r, rsv2_text, sizeof(rsv2_text), 1, 100, &f) == -1);
  /* RSV1 belongs on a message's first frame only. */
  CHECK(ws_read_frame(&r, first, sizeof(first), 1, 100, &f) == 0 && f.kind == 0);
  CHECK(ws_read_frame(&r, rsv1_cont, sizeof(rsv1_cont), 1, 100, &f) == -1);
  CHECK(ws_read_frame(&r, last, sizeof(last), 1, 100, &f) == 0);
  CHECK(f.kind == WS_TEXT && !f.compressed);
  CHECK_MEM(f.data, f.len, "ab", 2);
  ws_reader_free(&r);
  sbuf out = SBUF_INIT;
  CHECK(ws_write_deflated_frame(&out, WS_TEXT, "z", 1) == 0);
  CHECK(out.len == 3 && (uint8_t)out.data[0] == 0xc1);
  sbuf_free(&out);
}

static void check_messages(void) {
  char text[5000];
  for (size_t i = 0; i < sizeof(text); i++) text[i] = (char)('a' + (i * 7 + i / 13) % 26);
  sbuf z = SBUF_INIT, back = SBUF_INIT;
  for (int bits = 9; bits <= 15; bits++) {
    sbuf_reset(&z);
    CHECK(ws_deflate_message(text, sizeof(text), bits, &z) == 0);
    CHECK(z.len < sizeof(text));
    CHECK(ws_inflate_message(z.data, z.len, sizeof(text), &back) == 0);
    CHECK_MEM(back.data, back.len, text, sizeof(text));
    /* One byte short of the message is over the bound. */
    CHECK(ws_inflate_message(z.data, z.len, sizeof(text) - 1, &back) == -2);
  }
  sbuf_reset(&z);
  CHECK(ws_deflate_message("", 0, 15, &z) == 0);
  CHECK(ws_inflate_message(z.data ? z.data : "", z.len, 10, &back) == 0 && back.len == 0);
  /* A bomb: 50 MB of zeros in a few KiB stops at the bound. */
  size_t huge = 50u << 20;
  char *zeros = calloc(1, huge);
  sbuf_reset(&z);
  CHECK(zeros && ws_deflate_message(zeros, huge, 15, &z) == 0);
  free(zeros);
  CHECK(z.len < 100000);
  CHECK(ws_inflate_message(z.data, z.len, 1000000, &back) == -2);
  CHECK(back.cap < 1100000);
  static const char junk[] = "\xff\xff\xff\xff";
  CHECK(ws_inflate_message(junk, 4, 100, &back) == -1);
  /* A broadcast's deflated form is made once and kept. */
  rbuf *pkt = rbuf_copy(text, sizeof(text), 0);
  const rbuf *d1 = ws_deflate_shared(pkt, 15);
  CHECK(d1 && ws_deflate_shared(pkt, 15) == d1);
  CHECK(ws_inflate_message(d1->data, d1->len, sizeof(text), &back) == 0);
  CHECK_MEM(back.data, back.len, text, sizeof(text));
  const rbuf *d2 = ws_deflate_shared(pkt, 10);
  CHECK(d2 && pkt->deflated_bits == 10);
  rbuf_unref(pkt);
  sbuf_free(&z);
  sbuf_free(&back);
}

int main(void) {
  check_negotiation();
  check_frames();
  check_messages();
  puts("test_ws_deflate: ok");
  return 0;
}
