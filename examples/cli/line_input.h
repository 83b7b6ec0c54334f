/* The lines `sio connect` reads from stdin: edited on a terminal when line
 * editing is built in, read as they come otherwise (a pipe, a file). */
#ifndef SIO_CLI_LINE_INPUT_H
#define SIO_CLI_LINE_INPUT_H
#include "line_edit.h"

/* Starts reading; on_line gets each line, then NULL at end of input. */
void line_input_start(const char *prompt, line_edit_handler *on_line, void *arg);
/* stdin is readable: reads and hands out what is complete. */
void line_input_read(void);
/* Around output printed while reading (see line_edit_hide). */
void line_input_hide(void);
void line_input_show(void);
void line_input_stop(void);
#endif
