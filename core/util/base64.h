/* Standard base64 (RFC 4648, with padding), as Node's Buffer uses it for
 * binary packets over long-polling. */
#ifndef SIO_BASE64_H
#define SIO_BASE64_H
#include <stddef.h>
#include "sbuf.h"

/* Appends the encoding of p[0..n). 0, or -1 when out of memory. */
int base64_encode(sbuf *out, const void *p, size_t n);
/* Appends the decoding of s[0..n). -1 on invalid input (bad characters,
 * bad length) or out of memory. */
int base64_decode(sbuf *out, const char *s, size_t n);
#endif
