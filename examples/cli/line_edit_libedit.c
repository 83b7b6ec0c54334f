#include <stdio.h>
#include <stdlib.h>

#include <editline/readline.h>

#include "line_edit.h"

static line_edit_handler *handler;
static void *handler_arg;

static void on_line(char *line) {
  if (line && *line) add_history(line);
  handler(line, handler_arg);
  free(line);
}

int line_edit_start(const char *prompt, line_edit_handler *on, void *arg) {
  handler = on;
  handler_arg = arg;
  rl_callback_handler_install(prompt, on_line);
  return 0;
}

void line_edit_read(void) { rl_callback_read_char(); }

void line_edit_hide(void) {
  fputs("\r\033[K", stdout);
  fflush(stdout);
}

void line_edit_show(void) { rl_forced_update_display(); }

void line_edit_stop(void) { rl_callback_handler_remove(); }
