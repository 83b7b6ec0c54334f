/* JSON scanning without a tree. One iterative state machine (scan) serves
 * validation, skipping and the placeholder walk: nesting is tracked in a
 * 64-bit mask, so no input can make it recurse or allocate. */
#include "json.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

_Static_assert(JSON_MAX_DEPTH <= 64, "the container kinds live in a uint64_t");

static int is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *s, size_t n, size_t i) {
  while (i < n && is_ws(s[i])) i++;
  return i;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the well-formed UTF-8 sequence at p (first byte >= 0x80), or 0.
 * Overlong forms, UTF-16 surrogates and code points past U+10FFFF are
 * rejected, as RFC 3629 requires. */
static size_t utf8_seq_len(const unsigned char *p, size_t avail) {
  unsigned char c = p[0], lo = 0x80, hi = 0xBF;
  size_t len;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (avail < len || p[1] < lo || p[1] > hi) return 0;
  for (size_t k = 2; k < len; k++)
    if ((p[k] & 0xC0) != 0x80) return 0;
  return len;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The 16-bit unit of the four hex digits at s[i], or -1. */
static long read_hex4(const char *s, size_t n, size_t i) {
  if (n < 4 || i > n - 4) return -1;
  long v = 0;
  for (size_t k = 0; k < 4; k++) {
    int h = hex_value(s[i + k]);
    if (h < 0) return -1;
    v = v << 4 | h;
  }
  return v;
}

static int is_high_surrogate(long u) { return u >= 0xD800 && u <= 0xDBFF; }
static int is_low_surrogate(long u) { return u >= 0xDC00 && u <= 0xDFFF; }

/* 1 for the bytes a string literal holds as they are: printable ASCII
 * other than '"' and '\\', most of any string. */
static const unsigned char plain_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* 1 when all 8 bytes at u are plain. Long strings (a 16 KiB payload) spent
 * most of their validation in the byte-at-a-time loop; a word at a time
 * takes 8 bytes for about the cost of one. The tests are exact: a byte
 * below 0x20, at or above 0x80, a '"' or a '\\' anywhere in the word sets
 * its high bit in the result. */
static int plain_word(const unsigned char *u) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  uint64_t x;
  memcpy(&x, u, 8);
  uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
  uint64_t special = ((x - ones * 0x20) & ~x) | x | ((quote - ones) & ~quote) |
                     ((backslash - ones) & ~backslash);
  return (special & highs) == 0;
}

#ifdef __SSE2__
/* 1 when all 16 bytes at u are plain. A signed compare with 0x20 catches
 * the control bytes and, being negative, every byte from 0x80 up. */
static int plain_block(const unsigned char *u) {
  __m128i x = _mm_loadu_si128((const __m128i *)(const void *)u);
  __m128i special = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                                 _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                              _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
  return _mm_movemask_epi8(special) == 0;
}
#endif

/* The end of the run of plain bytes from i: blocks, then words, then bytes. */
static size_t skip_plain(const unsigned char *u, size_t n, size_t i) {
#ifdef __SSE2__
  while (i + 16 <= n && plain_block(u + i)) i += 16;
#endif
  while (i + 8 <= n && plain_word(u + i)) i += 8;
  while (i < n && plain_byte[u[i]]) i++;
  return i;
}

/* Index past the closing quote of the string literal at s[i] (an opening
 * quote), or -1. */
static long scan_string(const char *s, size_t n, size_t i) {
  const unsigned char *u = (const unsigned char *)s;
  i++;
  while (i < n) {
    i = skip_plain(u, n, i);
    if (i == n) break;
    unsigned char c = u[i];
    if (c == '"') return (long)(i + 1);
    if (c == '\\') {
      if (i + 1 >= n) return -1;
      switch (s[i + 1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
        case 't':
          i += 2;
          break;
        case 'u':
          /* Lone surrogates pass, as JSON.parse lets them. */
          if (read_hex4(s, n, i + 2) < 0) return -1;
          i += 6;
          break;
        default:
          return -1;
      }
    } else if (c < 0x20) {
      return -1;
    } else {
      size_t len = utf8_seq_len(u + i, n - i);
      if (!len) return -1;
      i += len;
    }
  }
  return -1;
}

static long scan_number(const char *s, size_t n, size_t i) {
  if (s[i] == '-') i++;
  if (i >= n) return -1;
  if (s[i] == '0') {
    i++;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && is_digit(s[i])) i++;
  } else {
    return -1;
  }
  if (i < n && s[i] == '.') {
    size_t first = ++i;
    while (i < n && is_digit(s[i])) i++;
    if (i == first) return -1;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t first = i;
    while (i < n && is_digit(s[i])) i++;
    if (i == first) return -1;
  }
  return (long)i;
}

static long scan_literal(const char *s, size_t n, size_t i, const char *word) {
  size_t len = strlen(word);
  if (n - i < len || memcmp(s + i, word, len) != 0) return -1;
  return (long)(i + len);
}

/* A string, number, true, false or null at s[i]: index past it, or -1. */
static long scan_scalar(const char *s, size_t n, size_t i) {
  switch (s[i]) {
    case '"': return scan_string(s, n, i);
    case 't': return scan_literal(s, n, i, "true");
    case 'f': return scan_literal(s, n, i, "false");
    case 'n': return scan_literal(s, n, i, "null");
    default: return s[i] == '-' || is_digit(s[i]) ? scan_number(s, n, i) : -1;
  }
}

/* Optional observer of a scan; each hook returns non-zero to abort it. */
typedef struct json_visitor {
  int (*open)(void *ctx, int is_object, size_t at); /* at: the '{' or '[' */
  int (*key)(void *ctx, size_t at); /* at: the key's opening quote */
  int (*scalar)(void *ctx, size_t start, size_t end);
  int (*close)(void *ctx, size_t end); /* end: just past the '}' or ']' */
  void *ctx;
} json_visitor;

/* Reads `"key" :` after white space; index past the colon, or -1. */
static long scan_member_key(const char *s, size_t n, size_t i,
                            const json_visitor *v) {
  i = skip_ws(s, n, i);
  if (i >= n || s[i] != '"') return -1;
  long end = scan_string(s, n, i);
  if (end < 0 || (v && v->key(v->ctx, i))) return -1;
  i = skip_ws(s, n, (size_t)end);
  if (i >= n || s[i] != ':') return -1;
  return (long)(i + 1);
}

/* Index just past the value after white space at s[i], or -1. */
static long scan(const char *s, size_t n, size_t i, const json_visitor *v) {
  uint64_t objects = 0; /* bit d: the container at depth d + 1 is an object */
  unsigned depth = 0;
  int want_value = 1;
  for (;;) {
    i = skip_ws(s, n, i);
    if (i >= n) return -1;
    char c = s[i];
    if (want_value) {
      if (c == '{' || c == '[') {
        int is_object = c == '{';
        if (depth == JSON_MAX_DEPTH || (v && v->open(v->ctx, is_object, i)))
          return -1;
        if (is_object)
          objects |= (uint64_t)1 << depth;
        else
          objects &= ~((uint64_t)1 << depth);
        depth++;
        i = skip_ws(s, n, i + 1);
        if (i < n && s[i] == (is_object ? '}' : ']')) {
          want_value = 0; /* the closing branch below consumes it */
        } else if (is_object) {
          long next = scan_member_key(s, n, i, v);
          if (next < 0) return -1;
          i = (size_t)next;
        }
        continue;
      }
      long end = scan_scalar(s, n, i);
      if (end < 0 || (v && v->scalar(v->ctx, i, (size_t)end))) return -1;
      i = (size_t)end;
      if (depth == 0) return (long)i;
      want_value = 0;
      continue;
    }
    int in_object = (int)(objects >> (depth - 1) & 1);
    if (c == ',') {
      i++;
      if (in_object) {
        long next = scan_member_key(s, n, i, v);
        if (next < 0) return -1;
        i = (size_t)next;
      }
      want_value = 1;
    } else if (c == (in_object ? '}' : ']')) {
      i++;
      depth--;
      if (v && v->close(v->ctx, i)) return -1;
      if (depth == 0) return (long)i;
    } else {
      return -1;
    }
  }
}

int json_validate(const char *s, size_t n) {
  long end = scan(s, n, 0, NULL);
  return end >= 0 && skip_ws(s, n, (size_t)end) == n ? 0 : -1;
}

long json_skip_value(const char *s, size_t n, size_t i) {
  return i <= n ? scan(s, n, i, NULL) : -1;
}

char json_peek(const char *s, size_t n, size_t i) {
  if (i > n) return 0;
  i = skip_ws(s, n, i);
  if (i >= n) return 0;
  switch (s[i]) {
    case '{': case '[': case '"': case 'n': case 't': case 'f':
      return s[i];
    default:
      return s[i] == '-' || is_digit(s[i]) ? '0' : 0;
  }
}

int json_write_string(sbuf *out, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  /* Most strings need no escape: one copy between the quotes. */
  size_t plain = 0;
  while (plain < n && (unsigned char)s[plain] >= 0x20 && s[plain] != '"' && s[plain] != '\\')
    plain++;
  if (plain == n) {
    if (sbuf_reserve(out, n + 2)) return -1;
    char *w = out->data + out->len;
    w[0] = '"';
    if (n) memcpy(w + 1, s, n);
    w[n + 1] = '"';
    out->len += n + 2;
    out->data[out->len] = 0;
    return 0;
  }
  size_t start = out->len;
  if (sbuf_reserve(out, n + 2) || sbuf_putc(out, '"')) return -1;
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    char esc[6] = {'\\', 0, 0, 0, 0, 0};
    size_t len = 2;
    switch (c) {
      case '"': esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\b': esc[1] = 'b'; break;
      case '\f': esc[1] = 'f'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      default:
        memcpy(esc + 1, "u00", 3);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        len = 6;
    }
    if (sbuf_append(out, s + run, i - run) || sbuf_append(out, esc, len))
      goto fail;
    run = i + 1;
  }
  if ((n > run && sbuf_append(out, s + run, n - run)) || sbuf_putc(out, '"'))
    goto fail;
  return 0;
fail:
  out->len = start;
  out->data[start] = 0;
  return -1;
}

/* Receives the decoded bytes of a string piece by piece; non-zero stops. */
typedef int (*string_sink)(void *ctx, const char *p, size_t n);

static size_t utf8_encode(unsigned long cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Decodes the escape at s[i] (a backslash) into out[0..*len); index past
 * it, or -1. A surrogate that is not part of a pair becomes U+FFFD, which is
 * what Node writes when such a JS string leaves as UTF-8. */
static long decode_escape(const char *s, size_t n, size_t i, char out[4],
                          size_t *len) {
  if (i + 1 >= n) return -1;
  char c = s[i + 1];
  const char *simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
  for (const char *p = simple; *p; p += 2) {
    if (*p == c) {
      out[0] = p[1];
      *len = 1;
      return (long)(i + 2);
    }
  }
  if (c != 'u') return -1;
  long unit = read_hex4(s, n, i + 2);
  if (unit < 0) return -1;
  i += 6;
  unsigned long cp = (unsigned long)unit;
  if (is_high_surrogate(unit)) {
    long low = i + 1 < n && s[i] == '\\' && s[i + 1] == 'u'
                   ? read_hex4(s, n, i + 2) : -1;
    if (is_low_surrogate(low)) {
      cp = 0x10000 + ((unsigned long)(unit - 0xD800) << 10) +
           (unsigned long)(low - 0xDC00);
      i += 6;
    } else {
      cp = 0xFFFD;
    }
  } else if (is_low_surrogate(unit)) {
    cp = 0xFFFD;
  }
  *len = utf8_encode(cp, out);
  return (long)i;
}

/* Decodes the string literal at s[i] (its opening quote) into sink, passing
 * runs of plain bytes in one piece. Index past the closing quote, or -1. */
static long decode_string(const char *s, size_t n, size_t i, string_sink sink,
                          void *ctx) {
  const unsigned char *u = (const unsigned char *)s;
  if (i >= n || s[i] != '"') return -1;
  size_t run = ++i;
  while (i < n) {
    i = skip_plain(u, n, i);
    if (i == n) break;
    unsigned char c = u[i];
    if (c == '"') {
      if (i > run && sink(ctx, s + run, i - run)) return -1;
      return (long)(i + 1);
    }
    if (c == '\\') {
      char buf[4];
      size_t len;
      if (i > run && sink(ctx, s + run, i - run)) return -1;
      long next = decode_escape(s, n, i, buf, &len);
      if (next < 0 || sink(ctx, buf, len)) return -1;
      i = run = (size_t)next;
    } else if (c < 0x20) {
      return -1;
    } else if (c < 0x80) {
      i++;
    } else {
      size_t len = utf8_seq_len(u + i, n - i);
      if (!len) return -1;
      i += len;
    }
  }
  return -1;
}

static int sink_to_sbuf(void *ctx, const char *p, size_t n) {
  return sbuf_append(ctx, p, n);
}

long json_read_string(const char *s, size_t n, size_t i, sbuf *out) {
  size_t start = out->len;
  long end = decode_string(s, n, i, sink_to_sbuf, out);
  if (end < 0 && out->data) {
    out->len = start;
    out->data[start] = 0;
  }
  return end;
}

typedef struct compare_sink {
  const char *want;
  size_t len;
  size_t matched;
} compare_sink;

static int sink_compare(void *ctx, const char *p, size_t n) {
  compare_sink *c = ctx;
  if (n > c->len - c->matched || memcmp(c->want + c->matched, p, n) != 0)
    return -1;
  c->matched += n;
  return 0;
}

int json_string_equals(const char *s, size_t n, size_t i, const char *lit,
                       size_t lit_len) {
  compare_sink c = {lit, lit_len, 0};
  return decode_string(s, n, i, sink_compare, &c) >= 0 && c.matched == lit_len;
}

int json_event_locate(const char *s, size_t n, json_event_parts *out) {
  size_t open = skip_ws(s, n, 0);
  if (open >= n || s[open] != '[') return -1;
  size_t at = skip_ws(s, n, open + 1);
  if (at >= n) return -1;
  size_t past;
  int escaped = 0, number = s[at] == '-' || is_digit(s[at]);
  if (number) {
    long e = scan_number(s, n, at);
    if (e < 0) return -1;
    past = (size_t)e;
  } else {
    if (s[at] != '"') return -1;
    /* Valid JSON: the literal ends at the first quote no backslash escapes. */
    size_t i = at + 1;
    while (i < n && s[i] != '"') {
      if (s[i] == '\\') {
        escaped = 1;
        i++;
      }
      i++;
    }
    if (i >= n) return -1;
    past = i + 1;
  }
  size_t next = skip_ws(s, n, past);
  if (next >= n) return -1;
  /* An array that opens with its value closes with its last ']'. */
  size_t end = n;
  while (end > next && is_ws(s[end - 1])) end--;
  out->name_at = at;
  out->name_end = past;
  out->name_escaped = escaped;
  out->name_number = number;
  out->rest_at = s[next] == ',' ? next : 0;
  out->end = end;
  return 0;
}

int json_event_join(sbuf *out, const char *name, const char *args_json,
                    size_t args_len) {
  size_t open = skip_ws(args_json, args_len, 0);
  if (open >= args_len || args_json[open] != '[') return -1;
  size_t first = skip_ws(args_json, args_len, open + 1);
  size_t close = args_len;
  while (close > first && args_json[close - 1] != ']') close--;
  if (close <= first) return -1;
  close--; /* at the array's closing bracket */
  while (close > first && is_ws(args_json[close - 1])) close--;
  size_t start = out->len;
  if (sbuf_reserve(out, strlen(name) + (close - first) + 4) ||
      sbuf_putc(out, '[') || json_write_string(out, name, strlen(name)) ||
      (close > first && (sbuf_putc(out, ',') ||
                         sbuf_append(out, args_json + first, close - first))) ||
      sbuf_putc(out, ']')) {
    if (out->data) {
      out->len = start;
      out->data[start] = 0;
    }
    return -1;
  }
  return 0;
}

long json_placeholder_num(const char *p, size_t len, size_t nbins) {
  /* 18 digits stay below LONG_MAX; no packet has that many attachments. */
  if (len == 0 || len > 18 || (p[0] == '0' && len > 1)) return -1;
  long value = 0;
  for (size_t i = 0; i < len; i++) {
    if (!is_digit(p[i])) return -1;
    value = value * 10 + (p[i] - '0');
  }
  return (size_t)value < nbins ? value : -1;
}

enum member_kind { MEMBER_OTHER, MEMBER_PLACEHOLDER, MEMBER_NUM };

/* One open container during the placeholder walk. As in JSON.parse, the
 * last occurrence of a duplicated key wins. */
typedef struct placeholder_level {
  long found;        /* placeholders inside it */
  uint8_t malformed; /* one of them has a bad num */
  uint8_t is_object;
  uint8_t member;    /* enum member_kind of the value being read */
  uint8_t marked;    /* "_placeholder" is true */
  long num;          /* "num" as an attachment index, -1 when it is none */
  size_t open_at;    /* where its '{' is */
  size_t out_len, copied; /* the rewrite's progress when it opened */
} placeholder_level;

typedef struct placeholder_walk {
  const char *s;
  size_t n;
  size_t nbins;
  unsigned depth;
  /* The rewrite (NULL when only counting): s[0..copied) is in out. */
  sbuf *out;
  size_t copied;
  size_t offset;
  placeholder_level level[JSON_MAX_DEPTH + 1]; /* [0] holds the totals */
} placeholder_walk;

static void member_value(placeholder_walk *w, int is_true, long num) {
  placeholder_level *l = &w->level[w->depth];
  if (!l->is_object) return;
  if (l->member == MEMBER_PLACEHOLDER) l->marked = (uint8_t)is_true;
  if (l->member == MEMBER_NUM) l->num = num;
}

static int walk_open(void *ctx, int is_object, size_t at) {
  placeholder_walk *w = ctx;
  placeholder_level *l = &w->level[++w->depth];
  memset(l, 0, sizeof *l);
  l->is_object = (uint8_t)is_object;
  l->num = -1;
  l->open_at = at;
  if (w->out) {
    l->out_len = w->out->len;
    l->copied = w->copied;
  }
  return 0;
}

static int walk_key(void *ctx, size_t at) {
  placeholder_walk *w = ctx;
  placeholder_level *l = &w->level[w->depth];
  if (json_string_equals(w->s, w->n, at, "_placeholder", 12))
    l->member = MEMBER_PLACEHOLDER;
  else if (json_string_equals(w->s, w->n, at, "num", 3))
    l->member = MEMBER_NUM;
  else
    l->member = MEMBER_OTHER;
  return 0;
}

static int walk_scalar(void *ctx, size_t start, size_t end) {
  placeholder_walk *w = ctx;
  char c = w->s[start];
  member_value(w, c == 't',
               is_digit(c) ? json_placeholder_num(w->s + start, end - start, w->nbins) : -1);
  return 0;
}

/* Writes the placeholder that ends at end, renumbered, in place of the
 * whole object. What was written for placeholders inside it is taken back:
 * they were rewritten before it was known that they are only its content. */
static int rewrite_placeholder(placeholder_walk *w, const placeholder_level *l, size_t end) {
  static const char head[] = "{\"_placeholder\":true,\"num\":";
  char text[sizeof head + 21];
  size_t len = sizeof head - 1;
  memcpy(text, head, len);
  char digits[20];
  size_t ndigits = 0;
  for (size_t num = (size_t)l->num + w->offset; ndigits == 0 || num; num /= 10)
    digits[ndigits++] = (char)('0' + num % 10);
  while (ndigits) text[len++] = digits[--ndigits];
  text[len++] = '}';
  sbuf *out = w->out;
  if (out->len > l->out_len) {
    out->len = l->out_len;
    out->data[out->len] = 0;
  }
  if (sbuf_append(out, w->s + l->copied, l->open_at - l->copied) || sbuf_append(out, text, len))
    return -1;
  w->copied = end;
  return 0;
}

/* A placeholder object stands for its attachment as a whole: like the JS
 * reconstructor, what is nested inside it is never looked at. */
static int walk_close(void *ctx, size_t end) {
  placeholder_walk *w = ctx;
  placeholder_level *l = &w->level[w->depth];
  long found = l->found;
  int malformed = l->malformed;
  if (l->is_object && l->marked) {
    found = 1;
    malformed = l->num < 0;
    if (!malformed && w->out && rewrite_placeholder(w, l, end)) return -1;
  }
  placeholder_level *parent = &w->level[--w->depth];
  parent->found += found;
  parent->malformed |= (uint8_t)malformed;
  member_value(w, 0, -1);
  return 0;
}

long json_rewrite_placeholders(const char *s, size_t n, size_t nbins, size_t offset, sbuf *out) {
  size_t before = out ? out->len : 0;
  placeholder_walk w;
  w.s = s;
  w.n = n;
  w.nbins = nbins;
  w.depth = 0;
  w.out = out;
  w.copied = 0;
  w.offset = offset;
  memset(&w.level[0], 0, sizeof w.level[0]);
  json_visitor v = {walk_open, walk_key, walk_scalar, walk_close, &w};
  long end = scan(s, n, 0, &v);
  if (end < 0 || skip_ws(s, n, (size_t)end) != n || w.level[0].malformed ||
      (size_t)w.level[0].found > nbins ||
      (out && sbuf_append(out, s + w.copied, n - w.copied))) {
    if (out && out->data) {
      out->len = before;
      out->data[before] = 0;
    }
    return -1;
  }
  return w.level[0].found;
}

long json_count_placeholders(const char *s, size_t n, size_t nbins) {
  /* A placeholder is an object: without a '{' anywhere there is none, and a
   * plain scan (no visitor calls) will do. */
  if (!memchr(s, '{', n)) return json_validate(s, n) ? -1 : 0;
  return json_rewrite_placeholders(s, n, nbins, 0, NULL);
}

/* The C locale, made once; uselocale switches only the calling thread, so
 * the host's setlocale and its other threads are left as they are. When it
 * cannot be made (out of memory), LC_GLOBAL_LOCALE is the best left. */
static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void c_numeric_make(void) { c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

static locale_t c_numeric_enter(void) {
  pthread_once(&c_numeric_once, c_numeric_make);
  return c_numeric ? uselocale(c_numeric) : (locale_t)0;
}

static void c_numeric_leave(locale_t previous) {
  if (previous) uselocale(previous);
}

double json_number_read(const char *s, char **end) {
  locale_t previous = c_numeric_enter();
  double v = strtod(s, end);
  c_numeric_leave(previous);
  return v;
}

int json_number_write_e(char *out, size_t cap, int prec, double v) {
  locale_t previous = c_numeric_enter();
  int n = snprintf(out, cap, "%.*e", prec, v);
  c_numeric_leave(previous);
  return n;
}

/* The shortest digits that read back as v, in exponent form below 1e-6
 * and from 1e21 on. */
void json_number_js_text(double v, char out[40]) {
  if (v != v) {
    strcpy(out, "NaN");
    return;
  }
  if (v == 0) { /* -0 too */
    strcpy(out, "0");
    return;
  }
  if (isinf(v)) {
    strcpy(out, v < 0 ? "-Infinity" : "Infinity");
    return;
  }
  double a = v < 0 ? -v : v;
  if (a < 9007199254740992.0 && a == (double)(int64_t)a) {
    snprintf(out, 40, "%lld", (long long)v);
    return;
  }
  /* printf rounds correctly, so the first precision that reads back gives
   * the shortest digits, closest to v as JavaScript wants. Below 16 digits
   * only 15 needs a try: any decimal of up to DBL_DIG (15) digits survives
   * the trip through a double, so when the shortest form is shorter, the
   * 15-digit one is it followed by zeros. Subnormals hold fewer digits and
   * are searched from 1. */
  char e[40];
  for (int p = a < DBL_MIN ? 1 : DBL_DIG; p <= 17; p++) {
    json_number_write_e(e, sizeof e, p - 1, a);
    if (json_number_read(e, NULL) == a) break;
  }
  char dig[24];
  int k = 0;
  const char *q = e;
  for (; *q && *q != 'e'; q++)
    if (*q >= '0' && *q <= '9' && k < 20) dig[k++] = *q;
  int n = (*q == 'e' ? atoi(q + 1) : 0) + 1; /* value = 0.dig * 10^n */
  while (k > 1 && dig[k - 1] == '0') k--;
  char *o = out;
  if (v < 0) *o++ = '-';
  if (k <= n && n <= 21) {
    memcpy(o, dig, (size_t)k);
    o += k;
    for (int z = k; z < n; z++) *o++ = '0';
  } else if (0 < n && n <= 21) {
    memcpy(o, dig, (size_t)n);
    o += n;
    *o++ = '.';
    memcpy(o, dig + n, (size_t)(k - n));
    o += k - n;
  } else if (-6 < n && n <= 0) {
    *o++ = '0';
    *o++ = '.';
    for (int z = n; z < 0; z++) *o++ = '0';
    memcpy(o, dig, (size_t)k);
    o += k;
  } else {
    *o++ = dig[0];
    if (k > 1) {
      *o++ = '.';
      memcpy(o, dig + 1, (size_t)(k - 1));
      o += k - 1;
    }
    o += sprintf(o, "e%c%d", n - 1 < 0 ? '-' : '+', n - 1 < 0 ? 1 - n : n - 1);
  }
  *o = 0;
}
