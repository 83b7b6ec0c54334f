/* The path and query string of a request URL. */
#ifndef SIO_URL_QUERY_H
#define SIO_URL_QUERY_H
#include <stddef.h>

#include "../util/sbuf.h"

typedef struct url_query {
  sbuf path;   /* percent-decoded path */
  sbuf pairs;  /* "name\0value\0" pairs, percent-decoded, '+' as space */
  size_t npairs;
} url_query;

/* 0, or -1 on a malformed URL (bad percent escape, a NUL byte raw or
 * percent-encoded) or out of memory. */
int url_query_parse(url_query *q, const char *url, size_t len);
/* The last value of name, or NULL: the one engine.io reads, so that a
 * repeated "sid" or "transport" means here what it means to Node. */
const char *url_query_get(const url_query *q, const char *name);
/* Appends the pairs as a JSON object as engine.io builds handshake.query
 * (Object.fromEntries of URLSearchParams): a repeated name keeps its first
 * place and its last value; invalid UTF-8 becomes U+FFFD. Linear in the
 * number of pairs. */
int url_query_to_json(const url_query *q, sbuf *out);
void url_query_free(url_query *q);
#endif
