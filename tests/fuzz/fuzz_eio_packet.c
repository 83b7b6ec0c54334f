/* Engine.IO packets (core/eio/eio_packet.c, and eio3.c for v3 clients):
 * the input is a long-polling body (v4, and v3 as text and as binary), and
 * also one WebSocket text packet. The packets of a body, encoded again into
 * a body, read back as the same packets. */
#include "eio/eio3.h"
#include "eio/eio_packet.h"
#include "fuzz_util.h"

#define MAX_PACKETS 4096

/* A v3 body of either kind: its packets, written again as a v3 text
 * payload and as a v3 binary payload, read back the same. */
static void check_v3(const char *body, size_t size, int binary) {
  sbuf scratch = SBUF_INIT, text = SBUF_INIT, bin = SBUF_INIT, s2 = SBUF_INIT, s3 = SBUF_INIT;
  size_t pos = 0, count = 0;
  eio_packet p;
  while (count < MAX_PACKETS && eio3_payload_next(body, size, binary, &pos, &scratch, &p) == 1) {
    FUZZ_CHECK(p.type >= EIO_OPEN && p.type <= EIO_NOOP);
    FUZZ_CHECK(!p.binary || p.type == EIO_MESSAGE);
    FUZZ_CHECK(pos <= size);
    rbuf *pkt = p.binary ? eio_encode_binary(p.data, p.len) : eio_encode(p.type, p.data, p.len);
    FUZZ_CHECK(pkt);
    FUZZ_CHECK(eio3_payload_append_text(&text, pkt) == 0);
    FUZZ_CHECK(eio3_payload_append_binary(&bin, pkt) == 0);
    rbuf_unref(pkt);
    count++;
  }
  size_t pos_text = 0, pos_bin = 0, k = 0;
  eio_packet a, b;
  while (k < count) {
    FUZZ_CHECK(eio3_payload_next(text.data, text.len, 0, &pos_text, &s2, &a) == 1);
    FUZZ_CHECK(eio3_payload_next(bin.data, bin.len, 1, &pos_bin, &s3, &b) == 1);
    FUZZ_CHECK(a.type == b.type && a.binary == b.binary && a.len == b.len &&
               (!a.len || !memcmp(a.data, b.data, a.len)));
    k++;
  }
  sbuf_free(&scratch);
  sbuf_free(&text);
  sbuf_free(&bin);
  sbuf_free(&s2);
  sbuf_free(&s3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *body = malloc(size ? size : 1);
  if (!body) return 0;
  memcpy(body, data, size);
  eio_packet one;
  if (eio_decode_text(body, size, &one) == 0) {
    FUZZ_CHECK(one.type >= EIO_OPEN && one.type <= EIO_NOOP && !one.binary);
    FUZZ_CHECK(one.data == body + 1 && one.len == size - 1);
  }

  rbuf *pkts[MAX_PACKETS];
  size_t npkts = 0, pos = 0;
  sbuf scratch = SBUF_INIT, again = SBUF_INIT, scratch2 = SBUF_INIT;
  eio_packet p;
  int rc;
  while (npkts < MAX_PACKETS && (rc = eio_payload_next(body, size, &pos, &scratch, &p)) == 1) {
    FUZZ_CHECK(p.type >= EIO_OPEN && p.type <= EIO_NOOP);
    FUZZ_CHECK(!p.binary || p.type == EIO_MESSAGE);
    FUZZ_CHECK(!memchr(p.data, EIO_RECORD_SEPARATOR, p.binary ? 0 : p.len));
    pkts[npkts] = p.binary ? eio_encode_binary(p.data, p.len) : eio_encode(p.type, p.data, p.len);
    FUZZ_CHECK(pkts[npkts]);
    FUZZ_CHECK(eio_payload_append(&again, pkts[npkts]) == 0);
    npkts++;
  }

  size_t pos2 = 0, k = 0;
  while (k < npkts && eio_payload_next(again.data, again.len, &pos2, &scratch2, &p) == 1) {
    const rbuf *want = pkts[k];
    FUZZ_CHECK(p.binary == want->binary);
    if (p.binary) {
      FUZZ_CHECK(p.len == want->len && !memcmp(p.data, want->data, p.len));
    } else {
      FUZZ_CHECK(p.type == want->data[0] - '0');
      FUZZ_CHECK(p.len == want->len - 1 && !memcmp(p.data, want->data + 1, p.len));
    }
    k++;
  }
  FUZZ_CHECK(k == npkts);
  if (npkts) FUZZ_CHECK(eio_payload_next(again.data, again.len, &pos2, &scratch2, &p) == 0);
  check_v3(body, size, 0);
  check_v3(body, size, 1);

  for (k = 0; k < npkts; k++) rbuf_unref(pkts[k]);
  sbuf_free(&scratch);
  sbuf_free(&scratch2);
  sbuf_free(&again);
  free(body);
  return 0;
}
