/* The JSON lines the tool prints on stdout, one object per line, so that
 * their reader can be jq or any JSON parser. */
#ifndef SIO_CLI_JSON_LINE_H
#define SIO_CLI_JSON_LINE_H
#include <sio/sio.h>

#include "strbuf.h"

/* Starts a line: {"time":"2026-12-07T18:30:00.123Z" */
void json_line_begin(strbuf *sb);
/* Appends ,"key":"value" (value NULL: null). */
void json_line_string(strbuf *sb, const char *key, const char *value);
/* Appends ,"event":"name" with the name in colour on a terminal. */
void json_line_event(strbuf *sb, const char *key, const char *name);
/* Appends ,"args":[...] from ev's data and attachments. */
void json_line_args(strbuf *sb, const sio_event *ev);
/* Closes the object, prints the line on stdout and flushes it. */
void json_line_end(strbuf *sb);
/* {"time","namespace","event","args"}: an event as `sio listen` shows it. */
void json_line_print_event(const sio_event *ev);
#endif
