#include "eio3.h"

#include <stdint.h>
#include <string.h>

#include "../util/base64.h"

/* A length field's digits: more would overflow size_t, and no payload
 * that maxHttpBufferSize lets in needs them. */
#define MAX_LENGTH_DIGITS 19

int eio3_revision(const url_query *q) {
  const char *eio = url_query_get(q, "EIO");
  return eio && strcmp(eio, "4") == 0 ? 4 : 3;
}

/* UTF-16 code units of the UTF-8 text s[0..n): a four-byte sequence is a
 * surrogate pair, a continuation byte adds nothing. */
static size_t utf16_units(const char *s, size_t n) {
  size_t units = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80 || b >= 0xC0) units += b >= 0xF0 ? 2 : 1;
  }
  return units;
}

static int put_decimal(sbuf *out, size_t v, int as_bytes) {
  char digits[24];
  int k = 0;
  do digits[k++] = (char)(v % 10);
  while ((v /= 10) != 0);
  while (k--)
    if (sbuf_putc(out, as_bytes ? digits[k] : (char)('0' + digits[k]))) return -1;
  return 0;
}

static int undo(sbuf *body, size_t start) {
  if (body->data) {
    body->len = start;
    body->data[start] = 0;
  }
  return -1;
}

int eio3_payload_append_text(sbuf *body, const rbuf *pkt) {
  size_t start = body->len;
  int rc;
  if (pkt->binary)
    rc = put_decimal(body, 2 + (pkt->len + 2) / 3 * 4, 0) || sbuf_puts(body, ":b4") ||
         base64_encode(body, pkt->data, pkt->len);
  else
    rc = put_decimal(body, utf16_units(pkt->data, pkt->len), 0) || sbuf_putc(body, ':') ||
         sbuf_append(body, pkt->data, pkt->len);
  return rc ? undo(body, start) : 0;
}

int eio3_payload_append_binary(sbuf *body, const rbuf *pkt) {
  size_t start = body->len;
  int rc = sbuf_putc(body, pkt->binary ? 1 : 0) ||
           put_decimal(body, pkt->len + (pkt->binary ? 1 : 0), 1) ||
           sbuf_putc(body, (char)0xFF) || (pkt->binary && sbuf_putc(body, EIO_MESSAGE)) ||
           sbuf_append(body, pkt->data, pkt->len);
  return rc ? undo(body, start) : 0;
}

/* One packet of a payload as text: "<type><data>", or "b<type><base64>". */
static int decode_text_packet(const char *s, size_t n, sbuf *scratch, eio_packet *out) {
  if (n == 0 || s[0] != 'b') return eio_decode_text(s, n, out);
  if (n < 2 || s[1] != '0' + EIO_MESSAGE) return -1;
  sbuf_reset(scratch);
  if (base64_decode(scratch, s + 2, n - 2)) return -1;
  out->type = EIO_MESSAGE;
  out->binary = 1;
  out->data = scratch->data ? scratch->data : "";
  out->len = scratch->len;
  return 0;
}

/* "<units>:<packet>": the packet ends where its UTF-16 length says. */
static int next_text_record(const char *body, size_t n, size_t *pos, const char **rec,
                            size_t *rec_len) {
  size_t i = *pos, units = 0, digits = 0;
  for (; i < n && body[i] != ':'; i++, digits++) {
    if (body[i] < '0' || body[i] > '9' || digits == MAX_LENGTH_DIGITS) return -1;
    units = units * 10 + (size_t)(body[i] - '0');
  }
  if (i >= n || digits == 0) return -1;
  size_t start = ++i, counted = 0;
  while (counted < units && i < n) {
    unsigned char b = (unsigned char)body[i++];
    counted += b >= 0xF0 ? 2 : 1;
    while (i < n && ((unsigned char)body[i] & 0xC0) == 0x80) i++;
  }
  if (counted != units) return -1;
  *rec = body + start;
  *rec_len = i - start;
  *pos = i;
  return 0;
}

/* <0|1><digits as bytes 0-9><255><packet>. */
static int next_binary_record(const char *body, size_t n, size_t *pos, int *is_text,
                              const char **rec, size_t *rec_len) {
  const unsigned char *u = (const unsigned char *)body;
  size_t i = *pos + 1, len = 0, digits = 0;
  *is_text = u[*pos] == 0;
  for (; i < n && u[i] != 0xFF; i++, digits++) {
    if (u[i] > 9 || digits == MAX_LENGTH_DIGITS) return -1;
    len = len * 10 + u[i];
  }
  if (i >= n || digits == 0 || n - i - 1 < len) return -1;
  *rec = body + i + 1;
  *rec_len = len;
  *pos = i + 1 + len;
  return 0;
}

int eio3_payload_next(const char *body, size_t n, int binary, size_t *pos, sbuf *scratch,
                      eio_packet *out) {
  /* engine.io refuses an empty text payload, and skips empty records. */
  if (!binary && n == 0) return -1;
  for (;;) {
    if (*pos >= n) return 0;
    const char *rec;
    size_t len;
    int is_text = 1;
    int rc = binary ? next_binary_record(body, n, pos, &is_text, &rec, &len)
                    : next_text_record(body, n, pos, &rec, &len);
    if (rc) return -1;
    if (!is_text) return eio3_decode_binary_frame(rec, len, out) ? -1 : 1;
    if (len) return decode_text_packet(rec, len, scratch, out) ? -1 : 1;
  }
}

int eio3_decode_binary_frame(const char *data, size_t n, eio_packet *out) {
  if (n == 0 || data[0] != EIO_MESSAGE) return -1;
  out->type = EIO_MESSAGE;
  out->binary = 1;
  out->data = data + 1;
  out->len = n - 1;
  return 0;
}

int eio3_binary_frame(sbuf *out, const rbuf *pkt) {
  return sbuf_putc(out, EIO_MESSAGE) || sbuf_append(out, pkt->data, pkt->len) ? -1 : 0;
}
