/* Expected bytes are what npm engine.io-parser 5.2 produces and accepts. */
#include "check.h"
#include "eio/eio_packet.h"

#define LIT(s) s, sizeof(s) - 1

static void check_decode_text(void) {
  eio_packet p;
  CHECK(eio_decode_text(LIT("4hello"), &p) == 0);
  CHECK(p.type == EIO_MESSAGE && !p.binary);
  CHECK_MEM(p.data, p.len, "hello", 5);
  CHECK(eio_decode_text(LIT("2probe"), &p) == 0);
  CHECK(p.type == EIO_PING);
  CHECK_MEM(p.data, p.len, "probe", 5);
  for (int t = 0; t <= 6; t++) {
    char c = (char)('0' + t);
    CHECK(eio_decode_text(&c, 1, &p) == 0);
    CHECK(p.type == t && p.len == 0);
  }
  CHECK(eio_decode_text("", 0, &p) == -1);
  CHECK(eio_decode_text(LIT("7"), &p) == -1);
  CHECK(eio_decode_text(LIT("/"), &p) == -1);
  CHECK(eio_decode_text(LIT("x4"), &p) == -1);
  CHECK(eio_decode_text(LIT("bAQID"), &p) == -1);
  CHECK(eio_decode_text(LIT(" 4"), &p) == -1);
}

static void check_payload(void) {
  const char body[] = "4hello\x1e" "bAQIDBA==\x1e" "2\x1e" "b\x1e" "6";
  size_t n = sizeof body - 1, pos = 0;
  sbuf scratch = SBUF_INIT;
  eio_packet p;
  CHECK(eio_payload_next(body, n, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_MESSAGE && !p.binary);
  CHECK_MEM(p.data, p.len, "hello", 5);
  CHECK(eio_payload_next(body, n, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_MESSAGE && p.binary);
  CHECK_MEM(p.data, p.len, "\x01\x02\x03\x04", 4);
  CHECK(eio_payload_next(body, n, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_PING && !p.binary && p.len == 0);
  CHECK(eio_payload_next(body, n, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_MESSAGE && p.binary && p.len == 0 && p.data);
  CHECK(eio_payload_next(body, n, &pos, &scratch, &p) == 1);
  CHECK(p.type == EIO_NOOP);
  CHECK(eio_payload_next(body, n, &pos, &scratch, &p) == 0);
  CHECK(eio_payload_next(body, n, &pos, &scratch, &p) == 0);

  /* Records engine.io-parser turns into a parse error. */
  const char *bad[] = {"", "\x1e", "4a\x1e", "\x1e" "4a", "4a\x1e\x1e" "4b",
                       "7", "x", "bAQI\x1e" "4", "bAQ=", "b!!!!",
                       "bAQID BA==", "bAQIDBA"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    int r;
    pos = 0;
    while ((r = eio_payload_next(bad[k], strlen(bad[k]), &pos, &scratch, &p)) == 1) {
    }
    CHECK(r == -1);
  }
  pos = 0;
  CHECK(eio_payload_next(LIT("bAQ=="), &pos, &scratch, &p) == 1);
  CHECK(p.binary && p.len == 1 && p.data[0] == 1);
  /* Up to the bad record, the good ones come out. */
  pos = 0;
  CHECK(eio_payload_next(LIT("4a\x1e"), &pos, &scratch, &p) == 1);
  CHECK_MEM(p.data, p.len, "a", 1);
  CHECK(eio_payload_next(LIT("4a\x1e"), &pos, &scratch, &p) == -1);
  sbuf_free(&scratch);
}

static void check_encode(void) {
  rbuf *text = eio_encode(EIO_MESSAGE, LIT("40"));
  CHECK(text && text->refs == 1 && !text->binary);
  CHECK_MEM(text->data, text->len, "440", 3);
  CHECK(text->data[text->len] == 0);
  rbuf *pong = eio_encode(EIO_PONG, LIT("probe"));
  CHECK_MEM(pong->data, pong->len, "3probe", 6);
  rbuf *ping = eio_encode(EIO_PING, NULL, 0);
  CHECK_MEM(ping->data, ping->len, "2", 1);
  rbuf *bin = eio_encode_binary("\x01\x02\x03\x04", 4);
  CHECK(bin && bin->binary && bin->refs == 1);
  CHECK_MEM(bin->data, bin->len, "\x01\x02\x03\x04", 4);
  rbuf *empty = eio_encode_binary(NULL, 0);
  CHECK(empty && empty->binary && empty->len == 0);
  rbuf *noop = eio_alloc_text(EIO_NOOP, 0);
  CHECK_MEM(noop->data, noop->len, "6", 1);
  rbuf *room = eio_alloc_text(EIO_MESSAGE, 2);
  CHECK(room->len == 3 && room->data[0] == '4');

  /* engine.io-parser encodePayload of the same packets. */
  sbuf body = SBUF_INIT;
  rbuf *hello = eio_encode(EIO_MESSAGE, LIT("hello"));
  CHECK(eio_payload_append(&body, hello) == 0);
  CHECK(eio_payload_append(&body, bin) == 0);
  CHECK(eio_payload_append(&body, ping) == 0);
  CHECK(eio_payload_append(&body, empty) == 0);
  CHECK(eio_payload_append(&body, noop) == 0);
  const char expected[] = "4hello\x1e" "bAQIDBA==\x1e" "2\x1e" "b\x1e" "6";
  CHECK_MEM(body.data, body.len, expected, sizeof expected - 1);
  sbuf_reset(&body);
  rbuf *open = eio_encode(EIO_OPEN, LIT("{\"sid\":\"a\"}"));
  CHECK(eio_payload_append(&body, open) == 0);
  CHECK_STR(body.data, "0{\"sid\":\"a\"}");
  sbuf_free(&body);

  rbuf *all[] = {text, pong, ping, bin, empty, noop, room, hello, open};
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) rbuf_unref(all[k]);
}

int main(void) {
  check_decode_text();
  check_payload();
  check_encode();
  return 0;
}
