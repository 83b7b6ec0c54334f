/* Line editing of the terminal (history, cursor keys) for `sio connect`,
 * by libedit when the build found it (line_edit_libedit.c), else absent
 * (line_edit_none.c) and stdin is read as plain lines. */
#ifndef SIO_CLI_LINE_EDIT_H
#define SIO_CLI_LINE_EDIT_H

/* Each complete line, without its newline; NULL at end of input. The line
 * is borrowed for the call. */
typedef void line_edit_handler(const char *line, void *arg);

/* "libedit", or "none" when line editing is not built in. */
const char *line_edit_name(void);
/* Starts editing stdin with prompt; -1 when line editing is not built in. */
int line_edit_start(const char *prompt, line_edit_handler *on_line, void *arg);
/* stdin is readable: reads what it can, calling the handler for each line. */
void line_edit_read(void);
/* Around output printed while a line is being edited: clears the prompt
 * line, then draws it again with what was typed so far. */
void line_edit_hide(void);
void line_edit_show(void);
void line_edit_stop(void);
#endif
