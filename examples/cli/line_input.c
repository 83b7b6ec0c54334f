#include "line_input.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"

static int editing;
static line_edit_handler *handler;
static void *handler_arg;
static strbuf pending = STRBUF_INIT;
static int ended;

void line_input_start(const char *prompt, line_edit_handler *on_line, void *arg) {
  handler = on_line;
  handler_arg = arg;
  editing = isatty(STDIN_FILENO) && line_edit_start(prompt, on_line, arg) == 0;
}

/* Hands out every complete line of pending, and at EOF the rest. */
static void hand_out(int eof) {
  size_t start = 0;
  for (;;) {
    char *nl = pending.len > start ? memchr(pending.data + start, '\n', pending.len - start) : NULL;
    if (!nl) break;
    *nl = '\0';
    size_t end = (size_t)(nl - pending.data);
    if (end > start && pending.data[end - 1] == '\r') pending.data[end - 1] = '\0';
    handler(pending.data + start, handler_arg);
    start = end + 1;
  }
  if (eof && start < pending.len) {
    handler(pending.data + start, handler_arg);
    start = pending.len;
  }
  memmove(pending.data, pending.data + start, pending.len - start);
  pending.len -= start;
  if (eof) {
    ended = 1;
    handler(NULL, handler_arg);
  }
}

void line_input_read(void) {
  if (editing) {
    line_edit_read();
    return;
  }
  if (ended) return;
  char buf[4096];
  ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n > 0) sb_add(&pending, buf, (size_t)n);
  hand_out(n <= 0);
}

void line_input_hide(void) {
  if (editing) line_edit_hide();
}

void line_input_show(void) {
  if (editing) line_edit_show();
}

void line_input_stop(void) {
  if (editing) line_edit_stop();
  editing = 0;
  sb_free(&pending);
}
