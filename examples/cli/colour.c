#include "colour.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int out_on, err_on;

static int wanted(int fd) {
  const char *no = getenv("NO_COLOR");
  const char *term = getenv("TERM");
  if (no && *no) return 0;
  if (term && strcmp(term, "dumb") == 0) return 0;
  return isatty(fd);
}

void colour_init(void) {
  out_on = wanted(STDOUT_FILENO);
  err_on = wanted(STDERR_FILENO);
}

const char *colour(FILE *f, enum colour c) {
  static const char *const codes[] = {"\033[0m", "\033[1m", "\033[2m", "\033[31m",
                                      "\033[32m", "\033[33m", "\033[36m"};
  int on = f == stdout ? out_on : f == stderr ? err_on : 0;
  return on ? codes[c] : "";
}
