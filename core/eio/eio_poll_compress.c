#include "eio_session.h"

#include "../net/http_compress.h"

int eio_compress_poll_body(const eio_server *e, const http_request *req, int compressible,
                           sbuf *body, sbuf *headers) {
  if (!e->opts.http_compression || !compressible ||
      body->len < e->opts.http_compression_threshold)
    return 0;
  int coding = http_coding_choose(http_header(req, "accept-encoding"));
  if (coding == HTTP_IDENTITY) return 0;
  sbuf z = SBUF_INIT;
  if (http_compress(coding, body->data, body->len, &z) ||
      sbuf_printf(headers, "Content-Encoding: %s\r\n", http_coding_name(coding))) {
    sbuf_free(&z);
    return -1;
  }
  sbuf_free(body);
  *body = z;
  return 0;
}
