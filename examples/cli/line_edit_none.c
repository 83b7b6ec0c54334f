#include "line_edit.h"

const char *line_edit_name(void) { return "none"; }

int line_edit_start(const char *prompt, line_edit_handler *on, void *arg) {
  (void)prompt;
  (void)on;
  (void)arg;
  return -1;
}

void line_edit_read(void) {}
void line_edit_hide(void) {}
void line_edit_show(void) {}
void line_edit_stop(void) {}
