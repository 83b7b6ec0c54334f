/* A small JSON reader for the example programs: it parses a document into
 * nodes that remember where their text is, so a program can pick fields and
 * pass raw JSON on unchanged. The library itself never builds a tree. */
#ifndef EXAMPLES_JSON_VALUE_H
#define EXAMPLES_JSON_VALUE_H
#include <stddef.h>

typedef enum { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } jv_type;

typedef struct jv {
  jv_type type;
  const char *raw; /* the value's text in the document */
  size_t raw_len;
  char *str;       /* JV_STRING: decoded, NUL-terminated; JV_OBJECT members: key */
  char *key;       /* set on members of an object */
  int boolean;
  double number;
  struct jv *items; /* JV_ARRAY / JV_OBJECT children */
  size_t count;
} jv;

/* Parses text[0..len). Returns NULL when it is not valid JSON. Free with
 * jv_free. */
jv *jv_parse(const char *text, size_t len);
void jv_free(jv *v);
/* Member of an object by key, or NULL. */
const jv *jv_get(const jv *obj, const char *key);
/* Item i of an array, or NULL. */
const jv *jv_at(const jv *arr, size_t i);
/* Appends s as a JSON string literal to buf (cap bytes); returns the length
 * written, or 0 when it does not fit. */
size_t jv_quote(char *buf, size_t cap, const char *s);
#endif
