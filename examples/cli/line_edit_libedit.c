#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <editline/readline.h>

#include "line_edit.h"

#define CTRL_D 4

static line_edit_handler *handler;
static void *handler_arg;
static const char *prompt_text;
static int at_eof, ended;

/* libedit hands no line to the callback for Ctrl-D on an empty line, nor for
 * the end of the terminal: its reads go through here to notice both. */
static int read_key(FILE *f) {
  unsigned char c;
  ssize_t n;
  do n = read(fileno(f), &c, 1);
  while (n < 0 && errno == EINTR);
  if (n <= 0 || (c == CTRL_D && (!rl_line_buffer || !*rl_line_buffer))) {
    at_eof = 1;
    return EOF;
  }
  return c;
}

static void on_line(char *line) {
  if (line && *line) add_history(line);
  handler(line, handler_arg);
  free(line);
  /* libedit leaves a finished line in buffered mode, where the next read
   * waits for a whole line and Ctrl-D is lost: installing the handler again
   * returns to reading key by key. */
  rl_callback_handler_install(prompt_text, on_line);
}

const char *line_edit_name(void) { return "libedit"; }

int line_edit_start(const char *prompt, line_edit_handler *on, void *arg) {
  handler = on;
  handler_arg = arg;
  prompt_text = prompt;
  rl_getc_function = read_key;
  rl_callback_handler_install(prompt, on_line);
  return 0;
}

void line_edit_read(void) {
  if (ended) return;
  rl_callback_read_char();
  if (at_eof) {
    ended = 1;
    fputs("\n", stdout);
    handler(NULL, handler_arg);
  }
}

void line_edit_hide(void) {
  fputs("\r\033[K", stdout);
  fflush(stdout);
}

void line_edit_show(void) { rl_forced_update_display(); }

void line_edit_stop(void) { rl_callback_handler_remove(); }
