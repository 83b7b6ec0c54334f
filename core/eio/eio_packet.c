#include "eio_packet.h"

#include <string.h>

#include "../util/base64.h"

int eio_decode_text(const char *s, size_t n, eio_packet *out) {
  if (n == 0 || s[0] < '0' || s[0] > '6') return -1;
  out->type = s[0] - '0';
  out->binary = 0;
  out->data = s + 1;
  out->len = n - 1;
  return 0;
}

/* *pos is the start of the next record; after the last record it is set
 * past n. A body that is empty or ends with a separator thus yields an
 * empty record, which engine.io-parser reports as a parse error. */
int eio_payload_next(const char *body, size_t n, size_t *pos, sbuf *scratch,
                     eio_packet *out) {
  if (*pos > n) return 0;
  const char *record = body + *pos;
  size_t left = n - *pos;
  const char *sep = left ? memchr(record, EIO_RECORD_SEPARATOR, left) : NULL;
  size_t len = sep ? (size_t)(sep - record) : left;
  *pos = sep ? *pos + len + 1 : n + 1;
  if (len == 0) return -1;
  if (record[0] != 'b') return eio_decode_text(record, len, out) ? -1 : 1;
  sbuf_reset(scratch);
  if (base64_decode(scratch, record + 1, len - 1)) return -1;
  out->type = EIO_MESSAGE;
  out->binary = 1;
  out->data = scratch->data;
  out->len = scratch->len;
  return 1;
}

rbuf *eio_alloc_text(int type, size_t n) {
  rbuf *b = rbuf_new(n + 1, 0);
  if (b) b->data[0] = (char)('0' + type);
  return b;
}

rbuf *eio_encode(int type, const char *data, size_t n) {
  rbuf *b = eio_alloc_text(type, n);
  if (b && n) memcpy(b->data + 1, data, n);
  return b;
}

rbuf *eio_encode_binary(const void *data, size_t n) {
  return rbuf_copy(data, n, 1);
}

int eio_payload_append(sbuf *body, const rbuf *pkt) {
  size_t start = body->len;
  int failed = (start && sbuf_putc(body, EIO_RECORD_SEPARATOR)) ||
               (pkt->binary ? sbuf_putc(body, 'b') ||
                                  base64_encode(body, pkt->data, pkt->len)
                            : sbuf_append(body, pkt->data, pkt->len));
  if (failed && body->data) {
    body->len = start;
    body->data[start] = 0;
  }
  return failed ? -1 : 0;
}
