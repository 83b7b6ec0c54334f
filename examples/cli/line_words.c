#include "line_words.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The end of the word starting at s: a JSON string, a bracketed JSON
 * value (strings inside it may hold brackets), or up to white space. NULL
 * when a string or bracket is not closed. */
static const char *word_end(const char *s) {
  if (*s != '"' && *s != '[' && *s != '{') {
    while (*s && !isspace((unsigned char)*s)) s++;
    return s;
  }
  int depth = 0, in_string = 0;
  for (const char *p = s; *p; p++) {
    if (in_string) {
      if (*p == '\\' && p[1]) p++;
      else if (*p == '"') in_string = 0;
    } else if (*p == '"') {
      in_string = 1;
    } else if (*p == '[' || *p == '{') {
      depth++;
    } else if (*p == ']' || *p == '}') {
      depth--;
    }
    if (!in_string && depth == 0) return p + 1;
  }
  return NULL;
}

int line_words_split(const char *line, line_words *out, const char **err) {
  out->n = 0;
  const char *p = line;
  for (;;) {
    while (isspace((unsigned char)*p)) p++;
    if (!*p) return 0;
    const char *end = word_end(p);
    if (!end) {
      *err = "unclosed string or bracket";
      return -1;
    }
    if (out->n == LINE_WORDS_MAX) {
      *err = "too many arguments";
      return -1;
    }
    if (!(out->word[out->n] = strndup(p, (size_t)(end - p)))) {
      *err = "out of memory";
      return -1;
    }
    out->n++;
    p = end;
  }
}

void line_words_free(line_words *w) {
  for (int i = 0; i < w->n; i++) free(w->word[i]);
  w->n = 0;
}
