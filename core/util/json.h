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

/* For an EVENT payload: s[0..n) must be a JSON array whose first item is a
 * string. Writes the decoded name to *name (malloc'ed, NUL-terminated) and
 * the rest of the array, as an array, to args ("[]" when there is nothing
 * else). Returns 0, or -1 when the payload is not such an array. */
int json_event_split(const char *s, size_t n, char **name, sbuf *args);
/* The same for text known to be valid JSON (a decoded packet's payload),
 * which is then not scanned again; the name is appended to *name. */
int json_event_split_valid(const char *s, size_t n, sbuf *name, sbuf *args);

/* Where the parts of an EVENT payload are, in text known to be valid JSON,
 * for a caller that copies them where they go without decoding. */
typedef struct json_event_parts {
  size_t name_at;   /* the name literal's opening quote */
  size_t name_end;  /* just past its closing quote */
  int name_escaped; /* the literal holds escapes: json_read_string decodes it */
  size_t rest_at;   /* the ',' before the other items; 0 when there are none */
  size_t end;       /* just past the array's closing ']' */
} json_event_parts;
/* 0, or -1 when s is not an array whose first item is a string. */
int json_event_locate(const char *s, size_t n, json_event_parts *out);

/* The reverse: writes ["name",<items of args_json>] to out. args_json must
 * be a JSON array (validated by the caller). */
int json_event_join(sbuf *out, const char *name, const char *args_json,
                    size_t args_len);

/* Walks s[0..n) and finds every placeholder object
 * {"_placeholder":true,"num":N}. Returns the number found, or -1 when s is
 * not one valid JSON value (callers rely on this to validate and count in
 * one pass), when a placeholder is malformed (num not an integer in
 * [0, nbins)) or when more than nbins are found. Pass nbins = SIZE_MAX to
 * only count. */
long json_count_placeholders(const char *s, size_t n, size_t nbins);

/* Appends s[0..n) (valid JSON) to out with the num of every placeholder
 * (which must be below nbins) raised by offset: merging the answers of
 * several clients renumbers their attachments. 0, or -1 (out unchanged). */
int json_offset_placeholders(const char *s, size_t n, size_t nbins, size_t offset, sbuf *out);
#endif
