#include "http_compress.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* How the accepts package ranks a coding against the header: the entry
 * that names it (better than "*"), its q, and the entry's position. */
typedef struct rank {
  int specificity; /* 1: named, 0: "*", -1: not accepted */
  double q;
  int order;
} rank;

static const char *skip_ows(const char *p) {
  while (*p == ' ' || *p == '\t') p++;
  return p;
}

static rank rank_of(const char *header, const char *coding) {
  rank best = {-1, 0, 0};
  int order = 0;
  for (const char *p = header; *p; order++) {
    p = skip_ows(p);
    size_t end = strcspn(p, ",");
    size_t name_len = strcspn(p, ";,");
    while (name_len && (p[name_len - 1] == ' ' || p[name_len - 1] == '\t')) name_len--;
    double q = 1;
    const char *param = memchr(p, ';', end);
    while (param) {
      const char *v = skip_ows(param + 1);
      if ((v[0] == 'q' || v[0] == 'Q') && v[1] == '=') q = strtod(v + 2, NULL);
      param = memchr(param + 1, ';', end - (size_t)(param + 1 - p));
    }
    int s = -1;
    if (name_len == strlen(coding) && strncasecmp(p, coding, name_len) == 0)
      s = 1;
    else if (name_len == 1 && *p == '*')
      s = 0;
    if (s >= 0 && (s > best.specificity || (s == best.specificity && q > best.q))) {
      best.specificity = s;
      best.q = q;
      best.order = order;
    }
    p += end;
    if (*p == ',') p++;
  }
  return best;
}

int http_coding_choose(const char *accept_encoding) {
  if (!accept_encoding) return HTTP_IDENTITY;
  rank gzip = rank_of(accept_encoding, "gzip");
  rank deflate = rank_of(accept_encoding, "deflate");
  int gzip_ok = gzip.specificity >= 0 && gzip.q > 0;
  int deflate_ok = deflate.specificity >= 0 && deflate.q > 0;
  if (!gzip_ok) return deflate_ok ? HTTP_DEFLATE : HTTP_IDENTITY;
  if (!deflate_ok) return HTTP_GZIP;
  /* Higher q first, then the more specific entry, then the earlier one;
   * gzip, listed first by engine.io, wins what is left. */
  if (deflate.q != gzip.q) return deflate.q > gzip.q ? HTTP_DEFLATE : HTTP_GZIP;
  if (deflate.specificity != gzip.specificity)
    return deflate.specificity > gzip.specificity ? HTTP_DEFLATE : HTTP_GZIP;
  return deflate.order < gzip.order ? HTTP_DEFLATE : HTTP_GZIP;
}

const char *http_coding_name(int coding) { return coding == HTTP_GZIP ? "gzip" : "deflate"; }

int http_compress(int coding, const void *data, size_t len, sbuf *out) {
  z_stream z;
  memset(&z, 0, sizeof(z));
  /* 15 + 16: the gzip wrapper; 15 alone: the zlib one. */
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, coding == HTTP_GZIP ? 31 : 15, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  size_t room = deflateBound(&z, (uLong)len);
  int rc = sbuf_reserve(out, room);
  if (!rc) {
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)room;
    rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : -1;
    if (!rc) {
      out->len += room - z.avail_out;
      out->data[out->len] = 0;
    }
  }
  deflateEnd(&z);
  return rc;
}
