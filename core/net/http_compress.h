/* httpCompression: a long-polling response body gzipped or deflated when
 * the request's Accept-Encoding allows it, as engine.io answers (it picks
 * with the npm accepts package among "gzip" and "deflate"). */
#ifndef SIO_HTTP_COMPRESS_H
#define SIO_HTTP_COMPRESS_H
#include <stddef.h>

#include "../util/sbuf.h"

enum { HTTP_IDENTITY = 0, HTTP_GZIP = 1, HTTP_DEFLATE = 2 };

/* The coding to answer an Accept-Encoding header value (NULL: none) with:
 * the one of gzip and deflate it ranks first by q-value, HTTP_IDENTITY when
 * it takes neither. */
int http_coding_choose(const char *accept_encoding);
/* "gzip" or "deflate", the Content-Encoding of a coding. */
const char *http_coding_name(int coding);
/* data in coding (gzip, or zlib's deflate format as Node's createDeflate
 * writes it) appended to out. 0, or -1 out of memory. */
int http_compress(int coding, const void *data, size_t len, sbuf *out);
#endif
