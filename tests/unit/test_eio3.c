/* Engine.IO v3 framing. Expected bytes are what engine.io 6.6's parser-v3
 * (engine.io-parser 2.2) writes and reads. */
#include <string.h>

#include "check.h"
#include "eio/eio3.h"

#define LIT(s) s, sizeof(s) - 1

static rbuf *text(const char *s) { return rbuf_copy(s, strlen(s), 0); }

static void check_encode_text(void) {
  sbuf body = SBUF_INIT;
  rbuf *open = text("0{\"sid\":\"x\"}"), *emoji = text("42[\"\xf0\x9f\x98\x80\xc3\xa9\"]");
  rbuf *bin = rbuf_copy("\x01\x02\x03", 3, 1);
  CHECK(eio3_payload_append_text(&body, open) == 0);
  CHECK(eio3_payload_append_text(&body, emoji) == 0);
  CHECK(eio3_payload_append_text(&body, bin) == 0);
  /* "😀" counts two UTF-16 units, "é" one: 2 + 2 + 2 + 1 + 2 = 9 */
  CHECK_STR(body.data, "12:0{\"sid\":\"x\"}9:42[\"\xf0\x9f\x98\x80\xc3\xa9\"]6:b4AQID");
  sbuf_free(&body);
  CHECK(eio3_payload_append_binary(&body, open) == 0);
  CHECK(eio3_payload_append_binary(&body, bin) == 0);
  CHECK_MEM(body.data, body.len, "\x00\x01\x02\xff" "0{\"sid\":\"x\"}" "\x01\x04\xff\x04\x01\x02\x03",
            4 + 12 + 7);
  sbuf_free(&body);
  rbuf_unref(open);
  rbuf_unref(emoji);
  rbuf_unref(bin);
}

static void check_decode_text(void) {
  const char body[] = "1:2" "0:" "9:42[\"\xf0\x9f\x98\x80\xc3\xa9\"]" "6:b4AQID" "1:5";
  size_t pos = 0;
  sbuf scratch = SBUF_INIT;
  eio_packet p;
  CHECK(eio3_payload_next(LIT(body), 0, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_PING && p.len == 0);
  CHECK(eio3_payload_next(LIT(body), 0, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_MESSAGE && !p.binary);
  CHECK_MEM(p.data, p.len, "2[\"\xf0\x9f\x98\x80\xc3\xa9\"]", 11);
  CHECK(eio3_payload_next(LIT(body), 0, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_MESSAGE && p.binary);
  CHECK_MEM(p.data, p.len, "\x01\x02\x03", 3);
  CHECK(eio3_payload_next(LIT(body), 0, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_UPGRADE);
  CHECK(eio3_payload_next(LIT(body), 0, &pos, &scratch, &p) == 0);
  sbuf_free(&scratch);
}

static void check_decode_binary(void) {
  const char body[] = "\x00\x01\xff" "2" "\x01\x04\xff\x04\x01\x02\x03" "\x00\x01\x00\xff" "4abcdefghi";
  size_t pos = 0, n = sizeof body - 1;
  sbuf scratch = SBUF_INIT;
  eio_packet p;
  CHECK(eio3_payload_next(body, n, 1, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_PING);
  CHECK(eio3_payload_next(body, n, 1, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_MESSAGE && p.binary);
  CHECK_MEM(p.data, p.len, "\x01\x02\x03", 3);
  CHECK(eio3_payload_next(body, n, 1, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_MESSAGE && !p.binary);
  CHECK_MEM(p.data, p.len, "abcdefghi", 9);
  CHECK(eio3_payload_next(body, n, 1, &pos, &scratch, &p) == 0);
  sbuf_free(&scratch);
}

/* Each is refused with -1 at its first record, never read past its end. */
static void check_malformed(void) {
  static const struct {
    const char *s;
    size_t n;
    int binary;
  } bad[] = {
      {LIT(""), 0},
      {LIT("2"), 0},              /* no ':' */
      {LIT(":2"), 0},             /* no length */
      {LIT("x:2"), 0},
      {LIT("3:2"), 0},            /* cut short */
      {LIT("2:\xf0\x9f\x98\x80"), 0}, /* ends inside a surrogate pair */
      {LIT("1:\xf0\x9f\x98\x80"), 0},
      {LIT("1:9"), 0},            /* unknown type */
      {LIT("3:b2A"), 0},          /* base64 of no message */
      {LIT("4:b4A="), 0},
      {LIT("99999999999999999999:2"), 0},
      {LIT("\x00\x01"), 1},       /* no 255 */
      {LIT("\x00\xff"), 1},       /* no digits */
      {LIT("\x00\x0a\xff" "2"), 1}, /* a digit byte over 9 */
      {LIT("\x00\x05\xff" "2"), 1}, /* cut short */
      {LIT("\x01\x01\xff\x02"), 1}, /* binary, not a message */
      {LIT("\x01\x00\xff"), 1},     /* binary and empty */
      {LIT("\x00\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\xff"), 1},
  };
  sbuf scratch = SBUF_INIT;
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    size_t pos = 0;
    eio_packet p;
    int rc = eio3_payload_next(bad[k].s, bad[k].n, bad[k].binary, &pos, &scratch, &p);
    if (rc != -1) fprintf(stderr, "case %zu: %d\n", k, rc);
    CHECK(rc == -1);
  }
  /* An empty binary message is one. */
  size_t pos = 0;
  eio_packet p;
  CHECK(eio3_payload_next(LIT("2:b4"), 0, &pos, &scratch, &p) == 1 && p.binary && p.len == 0);
  sbuf_free(&scratch);
}

static void check_frames(void) {
  eio_packet p;
  CHECK(eio3_decode_binary_frame(LIT("\x04\x01\x02"), &p) == 0);
  CHECK(p.type == EIO_MESSAGE && p.binary);
  CHECK_MEM(p.data, p.len, "\x01\x02", 2);
  CHECK(eio3_decode_binary_frame("", 0, &p) == -1);
  CHECK(eio3_decode_binary_frame(LIT("\x02"), &p) == -1);
  rbuf *bin = rbuf_copy("\x01\x02", 2, 1);
  sbuf frame = SBUF_INIT;
  CHECK(eio3_binary_frame(&frame, bin) == 0);
  CHECK_MEM(frame.data, frame.len, "\x04\x01\x02", 3);
  sbuf_free(&frame);
  rbuf_unref(bin);
}

static void check_revision(void) {
  static const struct {
    const char *url;
    int revision;
  } cases[] = {{"/socket.io/?EIO=4", 4}, {"/socket.io/?EIO=3", 3}, {"/socket.io/", 3},
               {"/socket.io/?EIO=5", 3}, {"/socket.io/?EIO=3&EIO=4", 4}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    url_query q;
    CHECK(url_query_parse(&q, cases[k].url, strlen(cases[k].url)) == 0);
    CHECK(eio3_revision(&q) == cases[k].revision);
    url_query_free(&q);
  }
}

int main(void) {
  check_encode_text();
  check_decode_text();
  check_decode_binary();
  check_malformed();
  check_frames();
  check_revision();
  printf("test_eio3: ok\n");
  return 0;
}
