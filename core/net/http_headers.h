/* Header lists of HTTP requests and responses as llhttp hands them over,
 * in pieces: collected as "name\0value\0" pairs with names lower-cased,
 * bounded in size. Used by the server's connections and the client alike. */
#ifndef SIO_HTTP_HEADERS_H
#define SIO_HTTP_HEADERS_H
#include <stddef.h>

#include "../util/sbuf.h"

/* Bytes a header list may take. */
#define HTTP_MAX_HEADER_BYTES 65536

/* Where llhttp is in a header list (*state): before the first name, in a
 * name, or in a value. Start each message with HTTP_HDR_NONE. */
enum { HTTP_HDR_NONE, HTTP_HDR_FIELD, HTTP_HDR_VALUE };

/* llhttp's on_header_field, on_header_value and on_headers_complete, on
 * the list and its pair count: 0, or -1 when out of memory or too big. */
int http_headers_field(sbuf *list, size_t *count, int *state, const char *at, size_t len);
int http_headers_value(sbuf *list, size_t *count, int *state, const char *at, size_t len);
int http_headers_end(sbuf *list, size_t *count, int *state);
/* The value of header name (lower case) in a finished list, or NULL. It
 * points into list. */
const char *http_headers_find(const sbuf *list, size_t count, const char *name);
#endif
