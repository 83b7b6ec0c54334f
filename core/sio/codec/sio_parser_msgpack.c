/* The msgpack Socket.IO parser, byte-compatible with npm
 * socket.io-msgpack-parser 3.x (which uses notepack.io 2.2): a packet is one
 * msgpack map {type, data, nsp, id} in one binary Engine.IO message, with
 * binary values inline as bin.
 *
 * The rest of the core only knows the JSON representation (payload as JSON
 * text, binary values as placeholders plus attachments), so encoding reads
 * that JSON as JavaScript's JSON.parse would and writes the values the way
 * notepack.io writes JavaScript values; decoding writes the JSON text that
 * JSON.stringify would give for what notepack.io decodes, with bin and
 * ArrayBuffer values turned back into placeholders and attachments. */
#include "sio_parser.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../eio/eio.h"
#include "../../util/json.h"
#include "../../util/sbuf.h"
#include "../../util/utf8.h"

/* ---- JavaScript date text ---- */

/* Date.prototype.toISOString for a time value already within the
 * +-8.64e15 ms a JavaScript Date can hold. */
static void js_iso_date(int64_t t, char out[40]) {
  int64_t days = t / 86400000, ms = t % 86400000;
  if (ms < 0) {
    ms += 86400000;
    days--;
  }
  /* Civil date from a day count, in 400-year eras starting on March 1st so
   * the leap day falls at the end of each year. */
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int)(doy - (153 * mp + 2) / 5 + 1);
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  long long y = (long long)(yoe + era * 400 + (m <= 2));
  int len;
  if (y >= 0 && y <= 9999)
    len = snprintf(out, 40, "%04lld", y);
  else
    len = snprintf(out, 40, "%c%06lld", y < 0 ? '-' : '+', y < 0 ? -y : y);
  snprintf(out + len, (size_t)(40 - len), "-%02d-%02dT%02d:%02d:%02d.%03dZ", m,
           d, (int)(ms / 3600000), (int)(ms / 60000 % 60),
           (int)(ms / 1000 % 60), (int)(ms % 1000));
}

/* ---- msgpack writing, as notepack.io encodes JavaScript values ---- */

static int put_byte(sbuf *o, unsigned c) {
  return sbuf_putc(o, (char)(uint8_t)c);
}

static int put_be(sbuf *o, unsigned lead, uint64_t v, int nbytes) {
  uint8_t b[9];
  b[0] = (uint8_t)lead;
  for (int i = 0; i < nbytes; i++)
    b[1 + i] = (uint8_t)(v >> (8 * (nbytes - 1 - i)));
  return sbuf_append(o, b, (size_t)nbytes + 1);
}

/* The smallest form notepack.io uses for a length or count: the fix form
 * when len < fix_max, then the 8 (when lead8 is not 0), 16 and 32 bit
 * ones. Writes up to 5 bytes to h; returns how many, or 0 when too long
 * (notepack.io throws). */
static size_t len_header(uint8_t h[5], unsigned fix, uint64_t fix_max,
                         unsigned lead8, unsigned lead16, unsigned lead32,
                         uint64_t len) {
  int w;
  if (len < fix_max) {
    h[0] = (uint8_t)(fix | len);
    return 1;
  }
  if (lead8 && len < 0x100) {
    h[0] = (uint8_t)lead8;
    w = 1;
  } else if (len < 0x10000) {
    h[0] = (uint8_t)lead16;
    w = 2;
  } else if (len < 0x100000000ull) {
    h[0] = (uint8_t)lead32;
    w = 4;
  } else {
    return 0;
  }
  for (int i = 0; i < w; i++) h[1 + i] = (uint8_t)(len >> (8 * (w - 1 - i)));
  return (size_t)w + 1;
}

#define STR_HEADER 0xa0, 0x20, 0xd9, 0xda, 0xdb
#define BIN_HEADER 0, 0, 0xc4, 0xc5, 0xc6
#define ARRAY_HEADER 0x90, 0x10, 0, 0xdc, 0xdd
#define MAP_HEADER 0x80, 0x10, 0, 0xde, 0xdf

static int put_str(sbuf *o, const char *s, size_t n) {
  uint8_t h[5];
  size_t hl = len_header(h, STR_HEADER, n);
  return hl && !sbuf_append(o, h, hl) ? sbuf_append(o, s, n) : -1;
}

static int put_bin(sbuf *o, const void *p, size_t n) {
  uint8_t h[5];
  size_t hl = len_header(h, BIN_HEADER, n);
  return hl && !sbuf_append(o, h, hl) ? sbuf_append(o, p, n) : -1;
}

static int put_uint(sbuf *o, uint64_t u) {
  if (u < 0x80) return put_byte(o, (unsigned)u);
  if (u < 0x100) return put_be(o, 0xcc, u, 1);
  if (u < 0x10000) return put_be(o, 0xcd, u, 2);
  if (u < 0x100000000ull) return put_be(o, 0xce, u, 4);
  return put_be(o, 0xcf, u, 8);
}

/* An integral double modulo 2^64: the bits notepack.io ends up writing for
 * 64-bit integers, since it splits them with 32-bit JavaScript operators. */
static uint64_t js_low64(double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  int exp = (int)((bits >> 52) & 0x7ff);
  if (exp == 0) return 0;
  uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
  int e = exp - 1075; /* |v| = m * 2^e, and e >= -52 since v is integral */
  uint64_t r = e >= 64 ? 0 : e >= 0 ? m << e : m >> -e;
  return (bits >> 63) ? 0 - r : r;
}

static int is_integral(double v) {
  if (!isfinite(v)) return 0;
  double a = v < 0 ? -v : v;
  return a >= 4503599627370496.0 || a == (double)(int64_t)a;
}

/* A JavaScript number: integers in the smallest int form, anything else as
 * float 64. */
static int put_number(sbuf *o, double v) {
  if (!is_integral(v)) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return put_be(o, 0xcb, bits, 8);
  }
  uint64_t u = js_low64(v);
  if (v >= 18446744073709551616.0) return put_be(o, 0xcf, u, 8);
  if (v >= 0) return put_uint(o, u); /* -0 too, as a positive fixint 0 */
  if (v >= -0x20) return put_byte(o, (unsigned)(u & 0xff));
  if (v >= -0x80) return put_be(o, 0xd0, u, 1);
  if (v >= -0x8000) return put_be(o, 0xd1, u, 2);
  if (v >= -2147483648.0) return put_be(o, 0xd2, u, 4);
  return put_be(o, 0xd3, u, 8);
}

/* ---- Encoding: JSON text to msgpack ---- */

typedef struct mp_member {
  size_t key, val; /* offsets of the key's quote and of the value */
  size_t pos;      /* order in the text */
  uint32_t index;  /* the key as an array index, when is_index */
  int is_index;
} mp_member;

typedef struct mp_enc {
  const char *s;
  size_t n;
  sbuf out;
  sbuf str; /* decoded strings and number text */
  const sio_packet *p;
  int bin_ok; /* placeholders stand for p->bins */
  mp_member *m; /* members of the objects being encoded, as a stack */
  size_t mlen, mcap;
} mp_enc;

static size_t ws(const char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  return i;
}

static int enc_value(mp_enc *e, size_t *pos, int depth);

/* A JSON number as JSON.parse reads it (strtod rounds the same way; the
 * '.' is read as such under any locale). */
static int read_number(mp_enc *e, size_t *pos, double *v) {
  const char *s = e->s;
  size_t i = *pos, n = e->n, start = i;
  if (i < n && s[i] == '-') i++;
  if (i < n && s[i] == '0') {
    i++;
  } else if (i < n && s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  } else {
    return -1;
  }
  if (i < n && s[i] == '.') {
    i++;
    if (i >= n || s[i] < '0' || s[i] > '9') return -1;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i >= n || s[i] < '0' || s[i] > '9') return -1;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  }
  /* strtod reads a copy: it needs a terminated string, and on the text
   * itself it could read on past the JSON number. */
  sbuf_reset(&e->str);
  if (sbuf_append(&e->str, s + start, i - start)) return -1;
  *v = json_number_read(e->str.data, NULL);
  *pos = i;
  return 0;
}

static int enc_array(mp_enc *e, size_t *pos, int depth) {
  if (depth >= JSON_MAX_DEPTH) return -1;
  /* The count comes first on the wire: room for the longest header is kept
   * and the elements are moved back once they are counted. */
  size_t hdr = e->out.len;
  if (sbuf_append(&e->out, "\0\0\0\0\0", 5)) return -1;
  size_t i = ws(e->s, e->n, *pos + 1);
  uint64_t count = 0;
  if (i < e->n && e->s[i] == ']') {
    i++;
  } else {
    for (;;) {
      if (enc_value(e, &i, depth + 1)) return -1;
      count++;
      i = ws(e->s, e->n, i);
      if (i < e->n && e->s[i] == ',') {
        i++;
      } else if (i < e->n && e->s[i] == ']') {
        i++;
        break;
      } else {
        return -1;
      }
    }
  }
  uint8_t h[5];
  size_t hl = len_header(h, ARRAY_HEADER, count);
  if (!hl) return -1;
  char *base = e->out.data + hdr;
  memmove(base + hl, base + 5, e->out.len - hdr - 5);
  memcpy(base, h, hl);
  e->out.len -= 5 - hl;
  e->out.data[e->out.len] = 0;
  *pos = i;
  return 0;
}

/* Whether a decoded key is an array index ("0" or no leading zero, below
 * 2^32 - 1): JavaScript lists those keys first, in numeric order. */
static int array_index(const char *k, size_t n, uint32_t *out) {
  if (n == 0 || n > 10 || (n > 1 && k[0] == '0')) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (k[i] < '0' || k[i] > '9') return 0;
    v = v * 10 + (uint64_t)(k[i] - '0');
  }
  if (v >= 0xffffffffull) return 0;
  *out = (uint32_t)v;
  return 1;
}

static int member_cmp(const void *a, const void *b) {
  const mp_member *x = a, *y = b;
  if (x->is_index != y->is_index) return x->is_index ? -1 : 1;
  if (x->is_index && x->index != y->index) return x->index < y->index ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A placeholder object stands for its attachment, as socket.io-parser's
 * reconstructPacket replaces it: num must then name one. */
static int enc_placeholder(mp_enc *e, size_t num_member) {
  if (num_member == SIZE_MAX) return -1;
  size_t at = e->m[num_member].val;
  long end = json_skip_value(e->s, e->n, at);
  long num = end < 0 ? -1 : json_placeholder_num(e->s + at, (size_t)end - at, e->p->nbins);
  if (num < 0) return -1;
  const sio_attachment *a = &e->p->bins[num];
  return put_bin(&e->out, a->data, a->len);
}

static int enc_object(mp_enc *e, size_t *pos, int depth) {
  if (depth >= JSON_MAX_DEPTH) return -1;
  const char *s = e->s;
  size_t n = e->n, base = e->mlen, i = ws(s, n, *pos + 1);
  size_t placeholder = SIZE_MAX, num = SIZE_MAX;
  int any_index = 0, rc = -1;
  if (i < n && s[i] == '}') {
    i++;
  } else {
    for (;;) {
      mp_member mb = {.key = i, .pos = e->mlen - base};
      if (i >= n || s[i] != '"') goto done;
      sbuf_reset(&e->str);
      long j = json_read_string(s, n, i, &e->str);
      if (j < 0) goto done;
      mb.is_index = array_index(e->str.data, e->str.len, &mb.index);
      any_index |= mb.is_index;
      int is_ph = e->str.len == 12 && !memcmp(e->str.data, "_placeholder", 12);
      int is_num = e->str.len == 3 && !memcmp(e->str.data, "num", 3);
      i = ws(s, n, (size_t)j);
      if (i >= n || s[i] != ':') goto done;
      mb.val = ws(s, n, i + 1);
      j = json_skip_value(s, n, mb.val);
      if (j < 0) goto done;
      i = (size_t)j;
      if (e->mlen == e->mcap) {
        size_t cap = e->mcap ? e->mcap * 2 : 16;
        mp_member *m = realloc(e->m, cap * sizeof *m);
        if (!m) goto done;
        e->m = m;
        e->mcap = cap;
      }
      /* The last of duplicate keys wins, as with JSON.parse. */
      if (is_ph) placeholder = e->mlen;
      if (is_num) num = e->mlen;
      e->m[e->mlen++] = mb;
      i = ws(s, n, i);
      if (i < n && s[i] == ',') {
        i = ws(s, n, i + 1);
      } else if (i < n && s[i] == '}') {
        i++;
        break;
      } else {
        goto done;
      }
    }
  }
  if (e->bin_ok && placeholder != SIZE_MAX &&
      e->n - e->m[placeholder].val >= 4 &&
      !memcmp(s + e->m[placeholder].val, "true", 4)) {
    rc = enc_placeholder(e, num);
    goto done;
  }
  size_t count = e->mlen - base;
  if (any_index) qsort(e->m + base, count, sizeof *e->m, member_cmp);
  uint8_t h[5];
  size_t hl = len_header(h, MAP_HEADER, count);
  if (!hl || sbuf_append(&e->out, h, hl)) goto done;
  for (size_t k = 0; k < count; k++) {
    sbuf_reset(&e->str);
    if (json_read_string(s, n, e->m[base + k].key, &e->str) < 0 ||
        put_str(&e->out, e->str.data, e->str.len))
      goto done;
    size_t v = e->m[base + k].val;
    if (enc_value(e, &v, depth + 1)) goto done;
  }
  rc = 0;
done:
  e->mlen = base;
  *pos = i;
  return rc;
}

static int enc_literal(mp_enc *e, size_t *pos, const char *word, unsigned c) {
  size_t len = strlen(word);
  if (e->n - *pos < len || memcmp(e->s + *pos, word, len)) return -1;
  *pos += len;
  return put_byte(&e->out, c);
}

static int enc_value(mp_enc *e, size_t *pos, int depth) {
  size_t i = ws(e->s, e->n, *pos);
  *pos = i;
  if (i >= e->n) return -1;
  switch (e->s[i]) {
    case '{':
      return enc_object(e, pos, depth);
    case '[':
      return enc_array(e, pos, depth);
    case '"': {
      sbuf_reset(&e->str);
      long j = json_read_string(e->s, e->n, i, &e->str);
      if (j < 0) return -1;
      *pos = (size_t)j;
      return put_str(&e->out, e->str.data, e->str.len);
    }
    case 't':
      return enc_literal(e, pos, "true", 0xc3);
    case 'f':
      return enc_literal(e, pos, "false", 0xc2);
    case 'n':
      return enc_literal(e, pos, "null", 0xc0);
    default: {
      double v;
      if (read_number(e, pos, &v)) return -1;
      return put_number(&e->out, v);
    }
  }
}

static int mp_encode_map(mp_enc *e) {
  const sio_packet *p = e->p;
  int type = p->type;
  /* Binary values travel inline, so the BINARY_* types do not exist here. */
  if (type == SIO_P_BINARY_EVENT) type = SIO_P_EVENT;
  if (type == SIO_P_BINARY_ACK) type = SIO_P_ACK;
  if (type < SIO_P_CONNECT || type > SIO_P_CONNECT_ERROR) return -1;
  const char *nsp = p->nsp ? p->nsp : "/";
  /* The key order of the packets socket.io builds: {type, data, nsp, id}. */
  if (put_byte(&e->out, 0x80 | (2u + !!p->data + (p->id >= 0))) ||
      put_str(&e->out, "type", 4) || put_byte(&e->out, (unsigned)type))
    return -1;
  if (p->data) {
    size_t i = 0;
    if (put_str(&e->out, "data", 4) || enc_value(e, &i, 0) ||
        ws(e->s, e->n, i) != e->n)
      return -1;
  }
  if (put_str(&e->out, "nsp", 3) || put_str(&e->out, nsp, strlen(nsp)))
    return -1;
  if (p->id >= 0 &&
      (put_str(&e->out, "id", 2) || put_uint(&e->out, (uint64_t)p->id)))
    return -1;
  return 0;
}

static int mp_encode(const sio_packet *p, rbuf **out, size_t *nout) {
  mp_enc e = {.s = p->data, .n = p->data ? p->data_len : 0, .p = p,
              .bin_ok = p->type == SIO_P_BINARY_EVENT ||
                        p->type == SIO_P_BINARY_ACK};
  int rc = mp_encode_map(&e);
  rbuf *b = rc ? NULL : eio_encode_binary(e.out.data, e.out.len);
  sbuf_free(&e.out);
  sbuf_free(&e.str);
  free(e.m);
  if (!b) return -1;
  out[0] = b;
  *nout = 1;
  return 0;
}

/* ---- msgpack reading ---- */

enum mp_kind {
  MP_NIL, MP_FALSE, MP_TRUE, MP_UINT, MP_INT, MP_FLOAT, MP_STR, MP_BIN,
  MP_ARRAY, MP_MAP, MP_EXT
};

typedef struct mp_item {
  enum mp_kind kind;
  uint64_t u;  /* MP_UINT value; MP_ARRAY and MP_MAP count */
  int64_t i;   /* MP_INT value (always negative) */
  double f;    /* MP_FLOAT value */
  int ext;     /* MP_EXT type */
  int fixext;  /* MP_EXT written as fixext (d4-d8) */
  const uint8_t *data; /* MP_STR, MP_BIN, MP_EXT bytes */
  size_t len;
} mp_item;

typedef struct mp_reader {
  const uint8_t *p;
  size_t n, i;
} mp_reader;

static uint64_t be(const uint8_t *p, int nbytes) {
  uint64_t v = 0;
  for (int k = 0; k < nbytes; k++) v = v << 8 | p[k];
  return v;
}

/* Reads the next item's header (and the bytes of a string, bin or ext).
 * Every declared length or count is checked against what is left of the
 * input before anything relies on it: a container item takes at least one
 * byte per element. */
static int mp_next(mp_reader *r, mp_item *it) {
  static const int fixext_len[] = {1, 2, 4, 8, 16};
  if (r->i >= r->n) return -1;
  unsigned c = r->p[r->i++];
  size_t left = r->n - r->i;
  memset(it, 0, sizeof *it);
  int lenbytes = 0; /* bytes of the length field after c */
  if (c < 0x80) {
    it->kind = MP_UINT;
    it->u = c;
    return 0;
  }
  if (c >= 0xe0) {
    it->kind = MP_INT;
    it->i = (int64_t)c - 256;
    return 0;
  }
  if (c < 0x90) {
    it->kind = MP_MAP;
    it->u = c & 0x0f;
  } else if (c < 0xa0) {
    it->kind = MP_ARRAY;
    it->u = c & 0x0f;
  } else if (c < 0xc0) {
    it->kind = MP_STR;
    it->len = c & 0x1f;
  } else {
    switch (c) {
      case 0xc0: it->kind = MP_NIL; return 0;
      case 0xc2: it->kind = MP_FALSE; return 0;
      case 0xc3: it->kind = MP_TRUE; return 0;
      case 0xc4: case 0xc5: case 0xc6:
        it->kind = MP_BIN;
        lenbytes = 1 << (c - 0xc4);
        break;
      case 0xc7: case 0xc8: case 0xc9:
        it->kind = MP_EXT;
        lenbytes = 1 << (c - 0xc7);
        break;
      case 0xca: case 0xcb: {
        int w = c == 0xca ? 4 : 8;
        if (left < (size_t)w) return -1;
        uint64_t bits = be(r->p + r->i, w);
        r->i += (size_t)w;
        it->kind = MP_FLOAT;
        if (w == 4) {
          uint32_t b32 = (uint32_t)bits;
          float f;
          memcpy(&f, &b32, sizeof f);
          it->f = f;
        } else {
          memcpy(&it->f, &bits, sizeof it->f);
        }
        return 0;
      }
      case 0xcc: case 0xcd: case 0xce: case 0xcf:
      case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        int w = 1 << ((c - 0xcc) & 3);
        if (left < (size_t)w) return -1;
        uint64_t v = be(r->p + r->i, w);
        r->i += (size_t)w;
        if (c <= 0xcf || !(v >> (8 * w - 1) & 1)) {
          it->kind = MP_UINT;
          it->u = v;
        } else { /* negative: v - 2^(8w), without overflowing */
          it->kind = MP_INT;
          it->i = w == 8 ? -(int64_t)(~v) - 1
                         : (int64_t)v - (int64_t)(1ull << (8 * w));
        }
        return 0;
      }
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        if (left < 1) return -1;
        it->kind = MP_EXT;
        it->fixext = 1;
        it->ext = (int8_t)r->p[r->i++];
        it->len = (size_t)fixext_len[c - 0xd4];
        break;
      case 0xd9: case 0xda: case 0xdb:
        it->kind = MP_STR;
        lenbytes = 1 << (c - 0xd9);
        break;
      case 0xdc: case 0xdd:
        it->kind = MP_ARRAY;
        lenbytes = c == 0xdc ? 2 : 4;
        break;
      case 0xde: case 0xdf:
        it->kind = MP_MAP;
        lenbytes = c == 0xde ? 2 : 4;
        break;
      default: /* 0xc1 is never used */
        return -1;
    }
  }
  if (lenbytes) {
    if (r->n - r->i < (size_t)lenbytes) return -1;
    uint64_t v = be(r->p + r->i, lenbytes);
    r->i += (size_t)lenbytes;
    if (it->kind == MP_ARRAY || it->kind == MP_MAP) {
      it->u = v;
    } else {
      it->len = (size_t)v;
      if (it->len != v) return -1;
    }
    if (it->kind == MP_EXT) {
      if (r->i >= r->n) return -1;
      it->ext = (int8_t)r->p[r->i++];
    }
  }
  left = r->n - r->i;
  if (it->kind == MP_ARRAY) return it->u <= left ? 0 : -1;
  if (it->kind == MP_MAP) return it->u <= left / 2 ? 0 : -1;
  if (it->kind == MP_STR || it->kind == MP_BIN || it->kind == MP_EXT) {
    if (it->len > left) return -1;
    it->data = r->p + r->i;
    r->i += it->len;
  }
  return 0;
}

/* The JavaScript number notepack.io makes of a numeric item. */
static int item_number(const mp_item *it, double *v) {
  switch (it->kind) {
    case MP_UINT: *v = (double)it->u; return 0;
    case MP_INT: *v = (double)it->i; return 0;
    case MP_FLOAT: *v = it->f; return 0;
    default: return -1;
  }
}

static int is_undefined(const mp_item *it) {
  return it->kind == MP_EXT && it->fixext && it->ext == 0 && it->len == 1;
}

/* ---- Decoding: msgpack to JSON text ---- */

typedef struct mp_dec {
  mp_reader r;
  sbuf *tmp;  /* scratch for repaired UTF-8 */
  size_t max; /* bound on the JSON text */
  int bin_ok; /* binary values become attachments (EVENT, ACK) */
  int literal_placeholder; /* a map of the data has _placeholder: true */
  sio_attachment *bins;
  size_t nbins, cap;
} mp_dec;

/* The string notepack.io decodes (invalid UTF-8 replaced by U+FFFD), into
 * d->tmp; returns its bytes. */
static const char *utf8_repair(mp_dec *d, const uint8_t *s, size_t n,
                               size_t *len) {
  *len = n;
  if (utf8_valid_prefix((const char *)s, n) == n) return (const char *)s;
  sbuf_reset(d->tmp);
  if (utf8_append_repaired(d->tmp, (const char *)s, n)) return NULL;
  *len = d->tmp->len;
  return d->tmp->data;
}

static int put_string(mp_dec *d, sbuf *o, const uint8_t *s, size_t n) {
  size_t len;
  const char *t = utf8_repair(d, s, n, &len);
  return t ? json_write_string(o, t, len) : -1;
}

static int put_json_number(sbuf *o, double v) {
  char t[40];
  if (!isfinite(v)) return sbuf_puts(o, "null"); /* as JSON.stringify */
  json_number_js_text(v, t);
  return sbuf_puts(o, t);
}

/* A Buffer (bin) or ArrayBuffer (ext 0) at depth: an attachment in EVENT
 * and ACK payloads (at most SIO_MAX_ATTACHMENTS of them, as with the JSON
 * parser); elsewhere what JSON.stringify makes of it. Either is written as
 * containers (a placeholder object, or an object holding the bytes' array)
 * that must fit in JSON_MAX_DEPTH too, or the JSON parser would refuse the
 * text this one hands on. */
static int put_binary(mp_dec *d, sbuf *o, const uint8_t *p, size_t n,
                      int arraybuffer, int depth) {
  int levels = d->bin_ok || arraybuffer ? 1 : 2;
  if (depth + levels > JSON_MAX_DEPTH) return -1;
  if (d->bin_ok) {
    if (d->nbins == SIO_MAX_ATTACHMENTS) return -1;
    if (d->nbins == d->cap) {
      size_t cap = d->cap ? d->cap * 2 : 4;
      sio_attachment *b = realloc(d->bins, cap * sizeof *b);
      if (!b) return -1;
      d->bins = b;
      d->cap = cap;
    }
    char *copy = malloc(n ? n : 1);
    if (!copy) return -1;
    if (n) memcpy(copy, p, n);
    d->bins[d->nbins].data = copy;
    d->bins[d->nbins].len = n;
    return sbuf_printf(o, "{\"_placeholder\":true,\"num\":%zu}", d->nbins++);
  }
  if (arraybuffer) return sbuf_puts(o, "{}");
  if (n > d->max / 4) return -1; /* up to 4 bytes of text per byte */
  if (sbuf_puts(o, "{\"type\":\"Buffer\",\"data\":[")) return -1;
  for (size_t k = 0; k < n; k++)
    if (sbuf_printf(o, k ? ",%u" : "%u", p[k])) return -1;
  return sbuf_puts(o, "]}");
}

static int dec_value(mp_dec *d, sbuf *o, int depth);

static int dec_array(mp_dec *d, sbuf *o, uint64_t count, int depth) {
  if (depth >= JSON_MAX_DEPTH) return -1;
  if (o && sbuf_putc(o, '[')) return -1;
  for (uint64_t k = 0; k < count; k++) {
    if (o && k && sbuf_putc(o, ',')) return -1;
    if (dec_value(d, o, depth + 1)) return -1;
  }
  return o ? sbuf_putc(o, ']') : 0;
}

/* A map key as the property name JavaScript makes of it (String(key)).
 * Only scalar keys are accepted: notepack.io never writes other ones. */
static int put_key(mp_dec *d, sbuf *o, const mp_item *k) {
  char t[40];
  double v;
  switch (k->kind) {
    case MP_STR: return put_string(d, o, k->data, k->len);
    case MP_NIL: return sbuf_puts(o, "\"null\"");
    case MP_FALSE: return sbuf_puts(o, "\"false\"");
    case MP_TRUE: return sbuf_puts(o, "\"true\"");
    default:
      if (item_number(k, &v)) return -1;
      json_number_js_text(v, t);
      return sbuf_printf(o, "\"%s\"", t);
  }
}

static int dec_map(mp_dec *d, sbuf *o, uint64_t count, int depth) {
  if (depth >= JSON_MAX_DEPTH) return -1;
  if (o && sbuf_putc(o, '{')) return -1;
  int first = 1;
  for (uint64_t k = 0; k < count; k++) {
    mp_item key;
    if (mp_next(&d->r, &key)) return -1;
    if (key.kind > MP_STR) return -1;
    int is_str = key.kind == MP_STR;
    if (o && is_str && key.len == 12 && !memcmp(key.data, "_placeholder", 12) &&
        d->r.i < d->r.n && d->r.p[d->r.i] == 0xc3)
      d->literal_placeholder = 1;
    /* An undefined value is left out as JSON.stringify does, and setting
     * __proto__ only changes the object's prototype. */
    mp_reader peek = d->r;
    mp_item val;
    int drop = (is_str && key.len == 9 && !memcmp(key.data, "__proto__", 9)) ||
               (mp_next(&peek, &val) == 0 && is_undefined(&val));
    if (!o || drop) {
      if (dec_value(d, NULL, depth + 1)) return -1;
      continue;
    }
    if ((!first && sbuf_putc(o, ',')) || put_key(d, o, &key) ||
        sbuf_putc(o, ':') || dec_value(d, o, depth + 1))
      return -1;
    first = 0;
  }
  return o ? sbuf_putc(o, '}') : 0;
}

/* Extensions as notepack.io decodes them: ext 0 is an ArrayBuffer, fixext 1
 * type 0 undefined, fixext 8 type 0 a Date, anything else [type, Buffer]. */
static int dec_ext(mp_dec *d, sbuf *o, const mp_item *it, int depth) {
  if (it->ext == 0 && !it->fixext)
    return o ? put_binary(d, o, it->data, it->len, 1, depth) : 0;
  if (is_undefined(it)) return o ? sbuf_puts(o, "null") : 0; /* in an array */
  if (it->ext == 0 && it->fixext && it->len == 8) {
    if (!o) return 0;
    uint64_t raw = be(it->data, 8);
    int64_t ms = (raw >> 63) ? -(int64_t)(~raw) - 1 : (int64_t)raw;
    double t = (double)ms;
    char iso[40];
    if (t > 8.64e15 || t < -8.64e15) /* an invalid Date */
      return sbuf_puts(o, "null");
    js_iso_date((int64_t)t, iso);
    return sbuf_printf(o, "\"%s\"", iso);
  }
  if (depth >= JSON_MAX_DEPTH) return -1;
  if (!o) return 0;
  if (sbuf_printf(o, "[%d,", it->ext) ||
      put_binary(d, o, it->data, it->len, 0, depth + 1))
    return -1;
  return sbuf_putc(o, ']');
}

/* Converts (o set) or only checks (o NULL) the next value. */
static int dec_value(mp_dec *d, sbuf *o, int depth) {
  mp_item it;
  double v;
  int rc;
  if (mp_next(&d->r, &it)) return -1;
  switch (it.kind) {
    case MP_NIL: rc = o ? sbuf_puts(o, "null") : 0; break;
    case MP_FALSE: rc = o ? sbuf_puts(o, "false") : 0; break;
    case MP_TRUE: rc = o ? sbuf_puts(o, "true") : 0; break;
    case MP_UINT: case MP_INT: case MP_FLOAT:
      item_number(&it, &v);
      rc = o ? put_json_number(o, v) : 0;
      break;
    case MP_STR: rc = o ? put_string(d, o, it.data, it.len) : 0; break;
    case MP_BIN: rc = o ? put_binary(d, o, it.data, it.len, 0, depth) : 0; break;
    case MP_ARRAY: rc = dec_array(d, o, it.u, depth); break;
    case MP_MAP: rc = dec_map(d, o, it.u, depth); break;
    default: rc = dec_ext(d, o, &it, depth); break;
  }
  if (rc == 0 && o && o->len > d->max) rc = -1;
  return rc;
}

typedef struct mp_decoder {
  size_t max_payload;
  sbuf tmp;
} mp_decoder;

static sio_decoder *mp_decoder_new(size_t max_payload) {
  mp_decoder *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->max_payload = max_payload;
  return (sio_decoder *)m;
}

static void mp_decoder_free(sio_decoder *d) {
  mp_decoder *m = (mp_decoder *)d;
  if (!m) return;
  sbuf_free(&m->tmp);
  free(m);
}

/* The packet's top-level map: where the values of the keys the parser
 * knows start (0 when absent; the last one wins when repeated, as in
 * JavaScript), after checking that the whole input is one value. */
typedef struct mp_fields {
  size_t type, nsp, data, id;
} mp_fields;

static int find_fields(mp_dec *d, mp_fields *f) {
  static const char *const names[] = {"type", "nsp", "data", "id"};
  size_t *slots[] = {&f->type, &f->nsp, &f->data, &f->id};
  mp_item m, key;
  memset(f, 0, sizeof *f);
  if (mp_next(&d->r, &m) || m.kind != MP_MAP) return -1;
  for (uint64_t k = 0; k < m.u; k++) {
    mp_reader at = d->r;
    if (mp_next(&at, &key) || dec_value(d, NULL, 0)) return -1;
    for (int s = 0; s < 4 && key.kind == MP_STR; s++)
      if (key.len == strlen(names[s]) && !memcmp(key.data, names[s], key.len))
        *slots[s] = d->r.i;
    if (dec_value(d, NULL, 0)) return -1;
  }
  return d->r.i == d->r.n ? 0 : -1;
}

/* The item at a field's offset; an absent field reads as undefined. */
static int field(const mp_dec *d, size_t off, mp_item *it) {
  static const uint8_t undefined[] = {0xd4, 0, 0};
  mp_reader r = {undefined, sizeof undefined, 0};
  if (off) r = (mp_reader){d->r.p, d->r.n, off};
  return mp_next(&r, it);
}

/* Number.isInteger(v) && lo <= v <= hi, for bounds within 2^53. */
static int integer_in(const mp_item *it, double lo, double hi, int64_t *out) {
  double v;
  if (item_number(it, &v) || !is_integral(v) || v < lo || v > hi) return -1;
  *out = (int64_t)v;
  return 0;
}

static int is_reserved_event(const mp_item *name) {
  static const char *const reserved[] = {"connect", "connect_error",
                                         "disconnect", "disconnecting",
                                         "newListener", "removeListener"};
  for (size_t k = 0; k < sizeof reserved / sizeof *reserved; k++)
    if (name->len == strlen(reserved[k]) &&
        !memcmp(name->data, reserved[k], name->len))
      return 1;
  return 0;
}

/* The payload shapes socket.io accepts for each type (the msgpack parser's
 * checkPacket, plus socket.io-parser's rule on event names, which the core
 * relies on: a string that is not reserved, or a number). */
static int data_valid(const mp_dec *d, int type, size_t off) {
  mp_item it, first;
  if (field(d, off, &it)) return 0;
  int none = is_undefined(&it);
  switch (type) {
    case SIO_P_CONNECT: return none || it.kind == MP_MAP;
    case SIO_P_DISCONNECT: return none;
    case SIO_P_CONNECT_ERROR: return it.kind == MP_STR || it.kind == MP_MAP;
    case SIO_P_ACK: return it.kind == MP_ARRAY;
    default: { /* EVENT */
      if (it.kind != MP_ARRAY || it.u == 0) return 0;
      mp_reader r = d->r;
      r.i = off;
      if (mp_next(&r, &it) || mp_next(&r, &first)) return 0;
      /* a non-finite number would become null in the JSON text */
      double v;
      if (first.kind == MP_UINT || first.kind == MP_INT || first.kind == MP_FLOAT)
        return item_number(&first, &v) == 0 && isfinite(v);
      return first.kind == MP_STR && !is_reserved_event(&first);
    }
  }
}

static char *dec_nsp(mp_dec *d, size_t off) {
  mp_item it;
  size_t len;
  if (field(d, off, &it) || it.kind != MP_STR) return NULL;
  const char *s = utf8_repair(d, it.data, it.len, &len);
  /* A NUL would cut the C string short and name another namespace. An
   * empty name is none at all (socket.io-client writes "/" at least, and
   * the JSON parser reads a missing one as "/"): the core and the host
   * only ever see names that start with "/" or are otherwise non-empty, so
   * "" is a parse error. */
  if (!s || !len || memchr(s, 0, len)) return NULL;
  char *nsp = malloc(len + 1);
  if (!nsp) return NULL;
  memcpy(nsp, s, len);
  nsp[len] = 0;
  return nsp;
}

static void free_bins(mp_dec *d) {
  for (size_t k = 0; k < d->nbins; k++) free(d->bins[k].data);
  free(d->bins);
}

static int mp_decode(sio_decoder *dd, const char *data, size_t len,
                     int binary, sio_packet *out) {
  mp_decoder *m = (mp_decoder *)dd;
  /* Only binary messages carry msgpack; a text message is a protocol
   * mismatch (the peer uses the JSON parser). */
  if (!binary || len > m->max_payload) return -1;
  mp_dec d = {.r = {(const uint8_t *)data, len, 0}, .tmp = &m->tmp,
              .max = m->max_payload};
  mp_fields f;
  mp_item it;
  int64_t type, id = -1;
  if (find_fields(&d, &f) || field(&d, f.type, &it) ||
      integer_in(&it, SIO_P_CONNECT, SIO_P_CONNECT_ERROR, &type) ||
      field(&d, f.id, &it))
    return -1;
  /* Ids are ack counters: a negative one cannot be answered, and one past
   * 2^53 would not survive a JavaScript peer. */
  if (!is_undefined(&it) && integer_in(&it, 0, (double)SIO_MAX_ACK_ID, &id))
    return -1;
  if (!data_valid(&d, (int)type, f.data)) return -1;
  char *nsp = dec_nsp(&d, f.nsp);
  if (!nsp) return -1;
  sbuf json = SBUF_INIT;
  int has_data = field(&d, f.data, &it) == 0 && !is_undefined(&it);
  if (has_data) {
    d.bin_ok = type == SIO_P_EVENT || type == SIO_P_ACK;
    d.r.i = f.data;
    /* A literal placeholder beside real binary values would be taken for
     * one of them by the core: socket.io would keep it an object. */
    if (dec_value(&d, &json, 0) || (d.nbins && d.literal_placeholder)) {
      sbuf_free(&json);
      free_bins(&d);
      free(nsp);
      return -1;
    }
  }
  size_t data_len = 0;
  char *text = has_data ? sbuf_detach(&json, &data_len) : NULL;
  if (has_data && !text) {
    free_bins(&d);
    free(nsp);
    return -1;
  }
  if (d.nbins)
    type = type == SIO_P_EVENT ? SIO_P_BINARY_EVENT : SIO_P_BINARY_ACK;
  out->type = (int)type;
  out->nsp = nsp;
  out->id = id;
  out->data = text;
  out->data_len = data_len;
  out->bins = d.bins;
  out->nbins = out->nattach = d.nbins;
  return 1;
}

const sio_parser sio_parser_msgpack = {
    .name = "msgpack",
    .encode = mp_encode,
    .decoder_new = mp_decoder_new,
    .decode = mp_decode,
    .decoder_free = mp_decoder_free,
};
