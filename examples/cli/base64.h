/* Standard base64 (RFC 4648, with padding): how binary attachments are shown
 * in JSON lines and typed on the command line. */
#ifndef SIO_CLI_BASE64_H
#define SIO_CLI_BASE64_H
#include <stddef.h>

#include "strbuf.h"

void base64_encode(strbuf *out, const unsigned char *p, size_t n);
/* Decodes s[0..n) into a new buffer (*out, *out_len; free()); returns -1 on
 * a character or length that is not base64. */
int base64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len);
#endif
