/* HTTP requests through llhttp and core/net/http_headers.c, wired as
 * http_conn.c wires them, with pipelined requests. The header list must
 * hold exactly its count of lower-case names and values. */
#include <ctype.h>
#include <llhttp.h>

#include "fuzz_util.h"
#include "net/http_headers.h"

typedef struct req_state {
  sbuf url, headers;
  size_t nheaders;
  int hdr;
  size_t body;
} req_state;

static req_state *st(llhttp_t *p) { return p->data; }

static int on_message_begin(llhttp_t *p) {
  req_state *r = st(p);
  sbuf_free(&r->url);
  sbuf_free(&r->headers);
  r->nheaders = 0;
  r->hdr = HTTP_HDR_NONE;
  r->body = 0;
  return 0;
}

static int on_url(llhttp_t *p, const char *at, size_t len) {
  req_state *r = st(p);
  if (r->url.len + len > HTTP_MAX_HEADER_BYTES) return -1;
  return sbuf_append(&r->url, at, len);
}

static int on_header_field(llhttp_t *p, const char *at, size_t len) {
  req_state *r = st(p);
  return http_headers_field(&r->headers, &r->nheaders, &r->hdr, at, len);
}

static int on_header_value(llhttp_t *p, const char *at, size_t len) {
  req_state *r = st(p);
  return http_headers_value(&r->headers, &r->nheaders, &r->hdr, at, len);
}

static int on_headers_complete(llhttp_t *p) {
  req_state *r = st(p);
  if (http_headers_end(&r->headers, &r->nheaders, &r->hdr)) return -1;
  FUZZ_CHECK(r->headers.len <= HTTP_MAX_HEADER_BYTES + 2);
  const char *h = r->headers.data;
  size_t walked = 0;
  for (size_t i = 0; i < r->nheaders; i++) {
    const char *name = h;
    for (const char *c = name; *c; c++) FUZZ_CHECK(!isupper((unsigned char)*c));
    const char *v = h + strlen(h) + 1;
    const char *first = http_headers_find(&r->headers, r->nheaders, name);
    FUZZ_CHECK(first && first <= v);
    h = v + strlen(v) + 1;
    walked = (size_t)(h - r->headers.data);
  }
  FUZZ_CHECK(walked == r->headers.len);
  FUZZ_CHECK(!http_headers_find(&r->headers, r->nheaders, "X-Upper"));
  return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len) {
  (void)at;
  st(p)->body += len;
  return 0;
}

static int on_message_complete(llhttp_t *p) {
  (void)p;
  return HPE_PAUSED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_message_begin = on_message_begin;
  s.on_url = on_url;
  s.on_header_field = on_header_field;
  s.on_header_value = on_header_value;
  s.on_headers_complete = on_headers_complete;
  s.on_body = on_body;
  s.on_message_complete = on_message_complete;
  llhttp_t parser;
  req_state r = {SBUF_INIT, SBUF_INIT, 0, HTTP_HDR_NONE, 0};
  llhttp_init(&parser, HTTP_REQUEST, &s);
  parser.data = &r;
  char *in = malloc(size ? size : 1);
  if (!in) return 0;
  memcpy(in, data, size);
  /* Fed in two pieces, as two reads would bring it, split where the first
   * byte says. */
  size_t cut = size ? data[0] % (size + 1) : 0;
  const char *pieces[2] = {in, in + cut};
  size_t lens[2] = {cut, size - cut};
  for (int k = 0; k < 2; k++) {
    const char *p = pieces[k];
    size_t n = lens[k];
    while (n) {
      llhttp_errno_t err = llhttp_execute(&parser, p, n);
      if (err == HPE_OK) break;
      if (err != HPE_PAUSED && err != HPE_PAUSED_UPGRADE) goto done;
      const char *at = llhttp_get_error_pos(&parser);
      FUZZ_CHECK(at >= p && at <= p + n);
      n -= (size_t)(at - p);
      p = at;
      if (parser.upgrade) goto done;
      llhttp_resume(&parser);
    }
  }
done:
  sbuf_free(&r.url);
  sbuf_free(&r.headers);
  free(in);
  return 0;
}
