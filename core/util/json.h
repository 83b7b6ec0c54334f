/* The little JSON the core needs: it never builds a tree. Payloads cross the
 * core as JSON text; these functions check, split and write it. */
#ifndef SIO_JSON_H
#define SIO_JSON_H
#include <stddef.h>
#include <stdint.h>
#include "sbuf.h"

#define JSON_MAX_DEPTH 64

/* 0 when s[0..n) is exactly one JSON value (RFC 8259, surrounding white
 * space allowed, nesting at most JSON_MAX_DEPTH), -1 otherwise. */
int json_validate(const char *s, size_t n);

/* Index just past the JSON value that starts at s[i] (after white space), or
 * -1 when there is no valid value there. */
long json_skip_value(const char *s, size_t n, size_t i);

/* Type of the value starting at s[i] after white space: one of
 * '{' '[' '"' 'n' 't' 'f' '0' (number) or 0 when none. */
char json_peek(const char *s, size_t n, size_t i);

/* Appends s[0..n) as a quoted JSON string, escaping as JSON.stringify does
 * (control characters, '"', '\\'); bytes >= 0x80 are copied as they are. */
int json_write_string(sbuf *out, const char *s, size_t n);

/* Decodes the JSON string literal starting at s[i] (at its opening quote)
 * into out (UTF-8, \uXXXX and surrogate pairs decoded). Returns the index
 * just past the closing quote, or -1 when malformed. */
long json_read_string(const char *s, size_t n, size_t i, sbuf *out);

/* Added for the codecs: 1 when the string literal starting at s[i] (at its
 * opening quote) decodes to exactly lit[0..lit_len), 0 otherwise (a
 * malformed literal included). Compares names without allocating. */
int json_string_equals(const char *s, size_t n, size_t i, const char *lit,
                       size_t lit_len);

/* Where the parts of an EVENT payload are, in text known to be valid JSON,
 * for a caller that copies them where they go without decoding. */
typedef struct json_event_parts {
  size_t name_at;   /* the name literal's opening quote */
  size_t name_end;  /* just past its closing quote */
  int name_escaped; /* the literal holds escapes: json_read_string decodes it */
  int name_number;  /* the name is a number (socket.io-parser takes one) */
  size_t rest_at;   /* the ',' before the other items; 0 when there are none */
  size_t end;       /* just past the array's closing ']' */
} json_event_parts;
/* 0, or -1 when s is not an array whose first item is a string or a
 * number. */
int json_event_locate(const char *s, size_t n, json_event_parts *out);

/* The reverse: writes ["name",<items of args_json>] to out. args_json must
 * be a JSON array (validated by the caller). */
int json_event_join(sbuf *out, const char *name, const char *args_json,
                    size_t args_len);

/* Placeholders, as socket.io-parser's reconstructPacket reads them: an
 * object whose "_placeholder" member is true stands, as a whole, for the
 * attachment its "num" names; nothing nested inside it is looked at. num
 * must be a plain decimal integer below nbins: where JavaScript would also
 * take -0, 1.0 or 1e0 (or index with 0.5 and find nothing), libsio refuses
 * the packet, so that every reader of the text (the renumbering, the
 * msgpack encoder, the bindings) agrees on which attachment is meant. */

/* The index that the JSON number p[0..len) names under that rule, or -1. */
long json_placeholder_num(const char *p, size_t len, size_t nbins);

/* The number of placeholders in s[0..n) (nested ones not counted), or -1
 * when s is not one valid JSON value (callers rely on this to validate and
 * count in one pass), when a placeholder is malformed or when there are
 * more than nbins. Pass nbins = SIZE_MAX to only count. */
long json_count_placeholders(const char *s, size_t n, size_t nbins);

/* The same count, and appends s[0..n) to out with every placeholder
 * rewritten as exactly {"_placeholder":true,"num":N}, N raised by offset
 * (merging several clients' answers renumbers their attachments). The
 * members that JavaScript would drop with the object are dropped, so what
 * the text means no longer depends on who reads it. On -1 out is
 * unchanged; out NULL only counts. */
long json_rewrite_placeholders(const char *s, size_t n, size_t nbins, size_t offset, sbuf *out);

/* Number text in the C locale, whatever LC_NUMERIC the host set (a host
 * under de_DE would otherwise read and write "0,5"): JSON and every option
 * value write the decimal point as '.'. */

/* strtod of s, reading '.' as the decimal point. */
double json_number_read(const char *s, char **end);

/* snprintf(out, cap, "%.*e", prec, v) with '.' as the decimal point. */
int json_number_write_e(char *out, size_t cap, int prec, double v);

/* String(v) as JavaScript writes a number ("42", "0.5", "1e+21", "NaN"). */
void json_number_js_text(double v, char out[40]);
#endif
