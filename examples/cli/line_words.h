/* Splits a typed line into words, each word one JSON value or a bare word:
 * `chat "hello world" {"to": [1, 2]}` is three words. */
#ifndef SIO_CLI_LINE_WORDS_H
#define SIO_CLI_LINE_WORDS_H

#define LINE_WORDS_MAX 64

typedef struct line_words {
  char *word[LINE_WORDS_MAX]; /* NUL-terminated copies; line_words_free */
  int n;
} line_words;

/* Returns -1 with a message in err for too many words or an unclosed string
 * or bracket. */
int line_words_split(const char *line, line_words *out, const char **err);
void line_words_free(line_words *w);
#endif
