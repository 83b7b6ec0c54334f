/* Text from the peer made into valid UTF-8 the way Node reads it, so that
 * what the host is handed (JSON) always decodes. */
#ifndef SIO_UTF8_H
#define SIO_UTF8_H
#include <stddef.h>

#include "sbuf.h"

/* 1 when s[0..n) has no byte >= 0x80 (nothing to convert). */
int utf8_is_ascii(const char *s, size_t n);
/* Length of the longest well-formed UTF-8 prefix of s[0..n) (n: all of it). */
size_t utf8_valid_prefix(const char *s, size_t n);
/* Appends s[0..n) with each ill-formed sequence replaced by U+FFFD, as the
 * WHATWG decoder (decodeURIComponent's replacement in URLSearchParams,
 * Buffer.toString) does. 0, or -1 when out of memory. */
int utf8_append_repaired(sbuf *out, const char *s, size_t n);
/* Appends s[0..n) read as Latin-1 (each byte one code point), as Node reads
 * request headers. 0, or -1 when out of memory. */
int utf8_append_latin1(sbuf *out, const char *s, size_t n);
#endif
