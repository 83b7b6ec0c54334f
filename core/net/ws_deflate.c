#include "ws_deflate.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../util/thread_hooks.h"

/* ---- negotiation --------------------------------------------------------- */

enum {
  P_SERVER_NCT = 1,
  P_CLIENT_NCT = 2,
  P_SERVER_BITS = 4,
  P_CLIENT_BITS = 8
};

typedef struct offer {
  unsigned seen;   /* P_* */
  int server_bits; /* 8..15, or 0 */
  int client_bits; /* 8..15, 0 when named without a value */
} offer;

static int is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p) {
  while (*p == ' ' || *p == '\t') p++;
  return p;
}

/* A token at p: its length, 0 when there is none. */
static size_t token_len(const char *p) {
  size_t n = 0;
  while (is_tchar(p[n])) n++;
  return n;
}

/* A parameter's value, token or quoted string, copied into v (cut at
 * cap - 1, which no valid window size reaches). Returns the end, or NULL. */
static const char *read_value(const char *p, char *v, size_t cap) {
  size_t n = 0;
  if (*p != '"') {
    size_t len = token_len(p);
    if (!len) return NULL;
    for (size_t i = 0; i < len; i++)
      if (n + 1 < cap) v[n++] = p[i];
    v[n] = 0;
    return p + len;
  }
  for (p++; *p != '"'; p++) {
    if (*p == '\\') p++;
    if (!*p) return NULL;
    if (n + 1 < cap) v[n++] = *p;
  }
  v[n] = 0;
  return n ? p + 1 : NULL;
}

/* 8..15 written as plain digits, else 0. */
static int window_value(const char *v) {
  size_t n = strlen(v);
  if (n < 1 || n > 2 || v[0] < '0' || v[0] > '9' || (n == 2 && (v[1] < '0' || v[1] > '9')))
    return 0;
  int bits = n == 1 ? v[0] - '0' : (v[0] - '0') * 10 + v[1] - '0';
  return bits >= 8 && bits <= 15 ? bits : 0;
}

/* One permessage-deflate parameter, checked as the ws package checks it:
 * each at most once, known names only, values where they belong. */
static int take_param(offer *o, const char *name, size_t len, const char *value) {
  static const struct {
    const char *name;
    unsigned bit;
  } names[] = {{"server_no_context_takeover", P_SERVER_NCT},
               {"client_no_context_takeover", P_CLIENT_NCT},
               {"server_max_window_bits", P_SERVER_BITS},
               {"client_max_window_bits", P_CLIENT_BITS}};
  unsigned bit = 0;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strlen(names[i].name) == len && strncasecmp(names[i].name, name, len) == 0)
      bit = names[i].bit;
  if (!bit || (o->seen & bit)) return -1;
  o->seen |= bit;
  if (bit == P_SERVER_BITS) return value && (o->server_bits = window_value(value)) ? 0 : -1;
  if (bit == P_CLIENT_BITS) return !value || (o->client_bits = window_value(value)) ? 0 : -1;
  return value ? -1 : 0;
}

/* Reads one extension of a Sec-WebSocket-Extensions list at *pp (moved past
 * it and its comma). *is_pmd: it is permessage-deflate, its parameters
 * then checked into o. 1 when more follow, 0 at the end, -1 malformed. */
static int next_extension(const char **pp, int *is_pmd, offer *o) {
  static const char pmd[] = "permessage-deflate";
  const char *p = *pp;
  size_t nlen = token_len(p);
  if (!nlen) return -1;
  *is_pmd = nlen == sizeof(pmd) - 1 && strncasecmp(p, pmd, nlen) == 0;
  memset(o, 0, sizeof(*o));
  p = skip_ows(p + nlen);
  while (*p == ';') {
    p = skip_ows(p + 1);
    const char *name = p;
    size_t len = token_len(p);
    if (!len) return -1;
    p = skip_ows(p + len);
    char value[16];
    int has_value = *p == '=';
    if (has_value && !(p = read_value(skip_ows(p + 1), value, sizeof(value)))) return -1;
    p = skip_ows(p);
    if (*is_pmd && take_param(o, name, len, has_value ? value : NULL)) return -1;
  }
  if (!*p) return 0;
  if (*p != ',') return -1;
  *pp = skip_ows(p + 1);
  return 1;
}

int ws_deflate_negotiate(const char *header, sbuf *response, int *window_bits) {
  offer chosen = {0}, o;
  int found = 0, is_pmd, more;
  const char *p = skip_ows(header);
  do {
    if ((more = next_extension(&p, &is_pmd, &o)) < 0) return -1;
    /* A window of 256 bytes is not one zlib's raw deflate writes: such an
     * offer is passed over for the next. */
    if (is_pmd && !found && o.server_bits != 8) {
      chosen = o;
      found = 1;
    }
  } while (more);
  if (!found) return 0;
  int rc = sbuf_puts(response, "permessage-deflate; server_no_context_takeover; "
                               "client_no_context_takeover");
  if (chosen.server_bits)
    rc |= sbuf_printf(response, "; server_max_window_bits=%d", chosen.server_bits);
  /* A client's bare client_max_window_bits only says it could take a
   * value: none is given back, as the ws package does. */
  if (chosen.client_bits)
    rc |= sbuf_printf(response, "; client_max_window_bits=%d", chosen.client_bits);
  *window_bits = chosen.server_bits ? chosen.server_bits : 15;
  return rc ? -1 : 1;
}

int ws_deflate_read_answer(const char *header, ws_deflate_accepted *out) {
  offer o;
  int is_pmd;
  const char *p = skip_ows(header);
  /* One extension, the one offered, with a window for the client's
   * messages that zlib can write. */
  if (next_extension(&p, &is_pmd, &o) != 0 || !is_pmd || o.client_bits == 8) return -1;
  if ((o.seen & P_CLIENT_BITS) && !o.client_bits) return -1;
  out->window_bits = o.client_bits ? o.client_bits : 15;
  out->server_resets = (o.seen & P_SERVER_NCT) != 0;
  return 0;
}

/* ---- the streams ----------------------------------------------------------- */

/* One deflate stream per window size and one inflate stream, per I/O
 * thread, reset for every message (no context is taken over). A thread
 * that runs no thread hooks makes and frees them for each message. */
static _Thread_local z_stream *deflaters_[16];
static _Thread_local z_stream *inflater_;

static void free_streams(void) {
  for (int i = 0; i < 16; i++) {
    if (!deflaters_[i]) continue;
    deflateEnd(deflaters_[i]);
    free(deflaters_[i]);
    deflaters_[i] = NULL;
  }
  if (inflater_) {
    inflateEnd(inflater_);
    free(inflater_);
    inflater_ = NULL;
  }
}

static _Thread_local thread_hook streams_hook = {free_streams, NULL, 0};

static z_stream *deflater(int bits) {
  if (deflaters_[bits]) {
    deflateReset(deflaters_[bits]);
    return deflaters_[bits];
  }
  z_stream *z = calloc(1, sizeof(*z));
  if (!z) return NULL;
  if (deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    free(z);
    return NULL;
  }
  if (thread_hooks_active()) {
    thread_hooks_add(&streams_hook);
    deflaters_[bits] = z;
  }
  return z;
}

static void deflater_done(z_stream *z, int bits) {
  if (z == deflaters_[bits]) return;
  deflateEnd(z);
  free(z);
}

static z_stream *inflater(void) {
  if (inflater_) {
    inflateReset(inflater_);
    return inflater_;
  }
  z_stream *z = calloc(1, sizeof(*z));
  if (!z) return NULL;
  /* A window of 32 KiB reads whatever window the peer deflated with. */
  if (inflateInit2(z, -15) != Z_OK) {
    free(z);
    return NULL;
  }
  if (thread_hooks_active()) {
    thread_hooks_add(&streams_hook);
    inflater_ = z;
  }
  return z;
}

static void inflater_done(z_stream *z) {
  if (z == inflater_) return;
  inflateEnd(z);
  free(z);
}

/* ---- messages -------------------------------------------------------------- */

int ws_deflate_message(const void *data, size_t len, int window_bits, sbuf *out) {
  z_stream *z = deflater(window_bits);
  if (!z) return -1;
  size_t start = out->len;
  z->next_in = (Bytef *)data;
  z->avail_in = (uInt)len;
  int rc = 0;
  do {
    size_t room = deflateBound(z, z->avail_in) + 16;
    if (sbuf_reserve(out, room)) {
      rc = -1;
      break;
    }
    z->next_out = (Bytef *)out->data + out->len;
    z->avail_out = (uInt)room;
    if (deflate(z, Z_SYNC_FLUSH) == Z_STREAM_ERROR) rc = -1;
    out->len += room - z->avail_out;
  } while (!rc && (z->avail_out == 0 || z->avail_in));
  deflater_done(z, window_bits);
  /* The sync flush ends with an empty stored block, 00 00 ff ff, which
   * the peer adds back. */
  if (!rc && out->len - start >= 4) out->len -= 4;
  if (rc) out->len = start;
  if (out->data) out->data[out->len] = 0;
  return rc;
}

const rbuf *ws_deflate_shared(rbuf *pkt, int window_bits) {
  if (pkt->deflated && pkt->deflated_bits == window_bits) return pkt->deflated;
  sbuf z = SBUF_INIT;
  rbuf *d = NULL;
  if (ws_deflate_message(pkt->data, pkt->len, window_bits, &z) == 0)
    d = rbuf_copy(z.data, z.len, pkt->binary);
  sbuf_free(&z);
  if (!d) return NULL;
  rbuf_unref(pkt->deflated);
  pkt->deflated = d;
  pkt->deflated_bits = (uint8_t)window_bits;
  return d;
}

#define INFLATE_CHUNK 16384

/* Inflates into out (reset first) with z as it stands. */
static int inflate_into(z_stream *z, const void *data, size_t len, size_t max, sbuf *out) {
  static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};
  sbuf_reset(out);
  int rc = 0;
  for (int part = 0; part < 2 && !rc; part++) {
    z->next_in = part ? (Bytef *)tail : (Bytef *)data;
    z->avail_in = part ? sizeof(tail) : (uInt)len;
    while (!rc && z->avail_in) {
      if (sbuf_reserve(out, INFLATE_CHUNK)) {
        rc = -1;
        break;
      }
      z->next_out = (Bytef *)out->data + out->len;
      z->avail_out = INFLATE_CHUNK;
      int zr = inflate(z, Z_SYNC_FLUSH);
      out->len += INFLATE_CHUNK - z->avail_out;
      if (out->len > max)
        rc = -2;
      else if (zr == Z_STREAM_END)
        z->avail_in = 0; /* a final block: nothing may follow, the tail included */
      else if (zr != Z_OK && !(zr == Z_BUF_ERROR && z->avail_out))
        rc = -1;
    }
  }
  if (out->data) out->data[out->len] = 0;
  return rc;
}

int ws_inflate_message(const void *data, size_t len, size_t max, sbuf *out) {
  z_stream *z = inflater();
  if (!z) return -1;
  int rc = inflate_into(z, data, len, max, out);
  inflater_done(z);
  return rc;
}

struct ws_inflater {
  z_stream z;
};

ws_inflater *ws_inflater_new(void) {
  ws_inflater *w = calloc(1, sizeof(*w));
  if (w && inflateInit2(&w->z, -15) != Z_OK) {
    free(w);
    return NULL;
  }
  return w;
}

void ws_inflater_free(ws_inflater *w) {
  if (!w) return;
  inflateEnd(&w->z);
  free(w);
}

int ws_inflater_run(ws_inflater *w, const void *data, size_t len, size_t max, int reset,
                    sbuf *out) {
  if (reset) inflateReset(&w->z);
  return inflate_into(&w->z, data, len, max, out);
}
