/* The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 4.2.2). */
#ifndef BENCH_WS_ACCEPT_H
#define BENCH_WS_ACCEPT_H

#include <stddef.h>

#define WS_ACCEPT_LEN 28

/* Writes WS_ACCEPT_LEN characters (no terminator) to `out`. */
void ws_accept_compute(const char *key, size_t key_len, char out[WS_ACCEPT_LEN]);

#endif
