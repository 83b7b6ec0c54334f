#include "json_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
  const char *s;
  size_t n, i;
  int depth;
} reader;

static void skip_ws(reader *r) {
  while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
                         r->s[r->i] == '\r'))
    r->i++;
}

static void put_utf8(char **o, unsigned cp) {
  char *p = *o;
  if (cp < 0x80) {
    *p++ = (char)cp;
  } else if (cp < 0x800) {
    *p++ = (char)(0xc0 | (cp >> 6));
    *p++ = (char)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *p++ = (char)(0xe0 | (cp >> 12));
    *p++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *p++ = (char)(0x80 | (cp & 0x3f));
  } else {
    *p++ = (char)(0xf0 | (cp >> 18));
    *p++ = (char)(0x80 | ((cp >> 12) & 0x3f));
    *p++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *p++ = (char)(0x80 | (cp & 0x3f));
  }
  *o = p;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = p[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return -1;
  }
  *out = v;
  return 0;
}

static char *read_string(reader *r) {
  if (r->s[r->i] != '"') return NULL;
  size_t start = ++r->i;
  while (r->i < r->n && r->s[r->i] != '"') r->i += r->s[r->i] == '\\' ? 2 : 1;
  if (r->i >= r->n) return NULL;
  size_t end = r->i++;
  char *out = malloc(end - start + 1), *o = out;
  if (!out) return NULL;
  for (size_t k = start; k < end; k++) {
    char c = r->s[k];
    if ((unsigned char)c < 0x20) goto bad;
    if (c != '\\') {
      *o++ = c;
      continue;
    }
    c = r->s[++k];
    switch (c) {
      case 'n': *o++ = '\n'; break;
      case 't': *o++ = '\t'; break;
      case 'r': *o++ = '\r'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case '/': case '\\': case '"': *o++ = c; break;
      case 'u': {
        unsigned cp;
        if (k + 4 >= end + 1 || hex4(r->s + k + 1, &cp)) goto bad;
        k += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && k + 6 < end && r->s[k + 1] == '\\' &&
            r->s[k + 2] == 'u') {
          unsigned lo;
          if (!hex4(r->s + k + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            k += 6;
          }
        }
        put_utf8(&o, cp);
        break;
      }
      default: goto bad;
    }
  }
  *o = 0;
  return out;
bad:
  free(out);
  return NULL;
}

static int parse_value(reader *r, jv *v);

static int parse_container(reader *r, jv *v, char close) {
  size_t cap = 0;
  r->i++;
  skip_ws(r);
  if (r->i < r->n && r->s[r->i] == close) {
    r->i++;
    return 0;
  }
  for (;;) {
    if (v->count == cap) {
      cap = cap ? cap * 2 : 4;
      jv *items = realloc(v->items, cap * sizeof(jv));
      if (!items) return -1;
      v->items = items;
    }
    jv *item = &v->items[v->count];
    memset(item, 0, sizeof(*item));
    v->count++;
    skip_ws(r);
    if (close == '}') {
      if (r->i >= r->n || !(item->key = read_string(r))) return -1;
      skip_ws(r);
      if (r->i >= r->n || r->s[r->i++] != ':') return -1;
    }
    if (parse_value(r, item)) return -1;
    skip_ws(r);
    if (r->i >= r->n) return -1;
    char c = r->s[r->i++];
    if (c == close) return 0;
    if (c != ',') return -1;
  }
}

static int parse_value(reader *r, jv *v) {
  skip_ws(r);
  if (r->i >= r->n || ++r->depth > 64) return -1;
  size_t start = r->i;
  char c = r->s[r->i];
  int rc = 0;
  if (c == '{') {
    v->type = JV_OBJECT;
    rc = parse_container(r, v, '}');
  } else if (c == '[') {
    v->type = JV_ARRAY;
    rc = parse_container(r, v, ']');
  } else if (c == '"') {
    v->type = JV_STRING;
    rc = (v->str = read_string(r)) ? 0 : -1;
  } else if (r->n - r->i >= 4 && memcmp(r->s + r->i, "null", 4) == 0) {
    v->type = JV_NULL;
    r->i += 4;
  } else if (r->n - r->i >= 4 && memcmp(r->s + r->i, "true", 4) == 0) {
    v->type = JV_BOOL;
    v->boolean = 1;
    r->i += 4;
  } else if (r->n - r->i >= 5 && memcmp(r->s + r->i, "false", 5) == 0) {
    v->type = JV_BOOL;
    r->i += 5;
  } else {
    char buf[64];
    size_t k = 0;
    while (r->i < r->n && k < sizeof(buf) - 1 && strchr("+-0123456789.eE", r->s[r->i]))
      buf[k++] = r->s[r->i++];
    buf[k] = 0;
    char *end;
    v->type = JV_NUMBER;
    v->number = strtod(buf, &end);
    if (!k || *end) rc = -1;
  }
  r->depth--;
  v->raw = r->s + start;
  v->raw_len = r->i - start;
  return rc;
}

static void free_children(jv *v) {
  for (size_t i = 0; i < v->count; i++) free_children(&v->items[i]);
  free(v->items);
  free(v->str);
  free(v->key);
}

jv *jv_parse(const char *text, size_t len) {
  jv *v = calloc(1, sizeof(*v));
  reader r = {text, len, 0, 0};
  if (!v) return NULL;
  if (parse_value(&r, v) == 0) {
    skip_ws(&r);
    if (r.i == r.n) return v;
  }
  jv_free(v);
  return NULL;
}

void jv_free(jv *v) {
  if (!v) return;
  free_children(v);
  free(v);
}

const jv *jv_get(const jv *obj, const char *key) {
  if (!obj || obj->type != JV_OBJECT) return NULL;
  for (size_t i = 0; i < obj->count; i++)
    if (strcmp(obj->items[i].key, key) == 0) return &obj->items[i];
  return NULL;
}

const jv *jv_at(const jv *arr, size_t i) {
  if (!arr || arr->type != JV_ARRAY || i >= arr->count) return NULL;
  return &arr->items[i];
}

size_t jv_quote(char *buf, size_t cap, const char *s) {
  size_t o = 0;
  if (cap < 3) return 0;
  buf[o++] = '"';
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[8];
    size_t n = 0;
    if (c == '"' || c == '\\') {
      esc[n++] = '\\';
      esc[n++] = (char)c;
    } else if (c < 0x20) {
      n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c);
    } else {
      esc[n++] = (char)c;
    }
    if (o + n + 2 > cap) return 0;
    memcpy(buf + o, esc, n);
    o += n;
  }
  buf[o++] = '"';
  buf[o] = 0;
  return o;
}
