/* The scenario driver: what clients do with the packets they receive, and
 * what is counted. The transports call these. */
#ifndef LOADGEN_RUN_H
#define LOADGEN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "client.h"
#include "options.h"

/* One Engine.IO text packet arrived for `c`. */
void run_on_text(struct client *c, const char *p, size_t len);
/* One binary WebSocket frame arrived for `c`: an attachment, or with the
 * msgpack parser a whole packet. */
void run_on_binary(struct client *c, const char *p, size_t len);
/* `c` lost its connection or was refused; it is closed and counted as an error. */
void run_on_failure(struct client *c, const char *why);
/* `c` has bytes to send: flush it at the end of this loop turn. */
void run_mark_dirty(struct client *c);

/* `c` connects to --port2's node (the sender, client 0, never does). */
bool run_on_port2(const struct client *c);

/* The main loop's side: set up, drive once per loop turn, report. */
void run_init(const struct options *o, int epfd);
/* Launches connections, moves between phases, paces rate-limited traffic. */
void run_step(void);
/* Sends what clients queued during this loop turn. */
void run_flush(void);
/* How long the loop may sleep before run_step has something to do. */
int run_timeout_ms(void);
bool run_finished(void);
/* Hands a readiness event to the transport that owns the stream. */
void run_dispatch(struct stream *s, uint32_t events);
/* Prints the one JSON result line; returns the exit code. */
int run_report(FILE *out);

#endif
