/* A Socket.IO parser's decoder (FUZZ_PARSER: sio_parser_json or
 * sio_parser_msgpack) fed a sequence of Engine.IO messages, each starting
 * with 't' (text) or 'b' (binary). Every decoded packet must encode and
 * decode back as itself, through either parser (see check_packet). */
#include <math.h>

#include "fuzz_util.h"
#include "sio/codec/sio_parser.h"
#include "util/json.h"

#define MAX_PAYLOAD (1u << 20)

static const sio_parser *const first = &FUZZ_PARSER;

static int same_packet(const sio_packet *a, const sio_packet *b) {
  if (a->type != b->type || strcmp(a->nsp, b->nsp) || a->id != b->id ||
      a->data_len != b->data_len || (a->data_len && memcmp(a->data, b->data, a->data_len)) ||
      a->nbins != b->nbins)
    return 0;
  for (size_t k = 0; k < a->nbins; k++)
    if (a->bins[k].len != b->bins[k].len ||
        (a->bins[k].len && memcmp(a->bins[k].data, b->bins[k].data, a->bins[k].len)))
      return 0;
  return 1;
}

static void print_packet(const char *label, const sio_packet *p) {
  fprintf(stderr, "%s: type %d nsp %s id %lld nbins %zu data %.*s\n", label, p->type, p->nsp,
          (long long)p->id, p->nbins, (int)p->data_len, p->data ? p->data : "");
}

static void check_same(const sio_packet *a, const sio_packet *b) {
  if (same_packet(a, b)) return;
  print_packet("before", a);
  print_packet("after", b);
  FUZZ_CHECK(!"the packets differ");
}

/* Encodes p with parser and decodes the messages with a new decoder into
 * *out. 1 when that gave a packet, 0 when the parser cannot express p;
 * aborts when the decoder refuses what the encoder wrote. */
static int trip(const sio_parser *parser, const sio_packet *p, sio_packet *out) {
  rbuf *msgs[SIO_MAX_ENCODED];
  size_t n = 0;
  if (parser->encode(p, msgs, &n)) return 0;
  FUZZ_CHECK(n >= 1 && n <= SIO_MAX_ENCODED);
  sio_decoder *d = parser->decoder_new(MAX_PAYLOAD * 4);
  FUZZ_CHECK(d);
  int rc = 0;
  for (size_t k = 0; k < n; k++) {
    const rbuf *m = msgs[k];
    /* A text message holds the Engine.IO type digit first. */
    if (m->binary)
      rc = parser->decode(d, m->data, m->len, 1, out);
    else
      rc = parser->decode(d, m->data + 1, m->len - 1, 0, out);
    if (rc) FUZZ_CHECK(k == n - 1);
  }
  if (rc != 1) {
    print_packet(parser->name, p);
    fprintf(stderr, "%s refused its own encoding of that packet\n", parser->name);
    abort();
  }
  /* A borrowed packet points into msgs: own it before they go. */
  if (out->borrowed) {
    char *nsp = strdup(out->nsp);
    char *copy = malloc(out->data_len + 1);
    FUZZ_CHECK(nsp && copy);
    memcpy(copy, out->data, out->data_len);
    copy[out->data_len] = 0;
    out->nsp = nsp;
    out->data = copy;
    out->borrowed = 0;
  }
  for (size_t k = 0; k < n; k++) rbuf_unref(msgs[k]);
  parser->decoder_free(d);
  return 1;
}

/* 1 when trip(parser, p) gave the same packet; 0 when the parser cannot
 * express p. */
static int trip_keeps(const sio_parser *parser, const sio_packet *p) {
  sio_packet q;
  sio_packet_init(&q);
  int ok = trip(parser, p, &q);
  if (ok) check_same(p, &q);
  sio_packet_clear(&q);
  return ok;
}

/* An EVENT named by a number past a double's range (1e999): JSON holds it,
 * msgpack would carry Infinity, which the JSON text can only write as null,
 * so its decoder refuses it. */
static int infinite_name(const sio_packet *p) {
  json_event_parts ep;
  if ((p->type != SIO_P_EVENT && p->type != SIO_P_BINARY_EVENT) ||
      json_event_locate(p->data, p->data_len, &ep) || !ep.name_number)
    return 0;
  char copy[512];
  size_t len = ep.name_end - ep.name_at;
  if (len >= sizeof copy) return 1; /* so long a literal is not worth the check */
  memcpy(copy, p->data + ep.name_at, len);
  copy[len] = 0;
  return !isfinite(json_number_read(copy, NULL));
}

/* The JSON parser hands the payload on as it came, so a trip through it
 * changes nothing. The msgpack encoder writes what JavaScript would hold
 * (index keys first, the last of duplicate keys, integers past 2^64
 * wrapped as notepack.io wraps them): after one trip through it the packet
 * is in that form, which a trip through either parser keeps. */
static void check_packet(const sio_packet *p) {
  trip_keeps(&sio_parser_json, p);
  if (infinite_name(p)) return;
  sio_packet norm;
  sio_packet_init(&norm);
  if (trip(&sio_parser_msgpack, p, &norm)) {
    trip_keeps(&sio_parser_msgpack, &norm);
    trip_keeps(&sio_parser_json, &norm);
  }
  sio_packet_clear(&norm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sio_decoder *d = first->decoder_new(MAX_PAYLOAD);
  if (!d) return 0;
  size_t pos = 0, len;
  const uint8_t *msg;
  while (fuzz_next(data, size, &pos, &msg, &len)) {
    if (len == 0) continue;
    int binary = msg[0] == 'b';
    /* Its own allocation, so that a read past the message is caught. */
    char *copy = malloc(len - 1 ? len - 1 : 1);
    if (!copy) break;
    memcpy(copy, msg + 1, len - 1);
    sio_packet p;
    sio_packet_init(&p);
    int rc = first->decode(d, copy, len - 1, binary, &p);
    FUZZ_CHECK(rc >= -1 && rc <= 1);
    if (rc == 1) {
      FUZZ_CHECK(p.nsp && p.nsp[0]);
      FUZZ_CHECK(p.nbins == p.nattach && p.nbins <= SIO_MAX_ATTACHMENTS);
      FUZZ_CHECK(!p.data || json_validate(p.data, p.data_len) == 0);
      check_packet(&p);
    } else {
      FUZZ_CHECK(p.nsp == NULL && p.data == NULL && p.bins == NULL);
    }
    sio_packet_clear(&p);
    free(copy);
    if (rc < 0) break; /* the connection closes on the first error */
  }
  first->decoder_free(d);
  return 0;
}
