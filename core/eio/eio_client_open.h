/* The open packet a server sends first, as the Engine.IO client reads it:
 * {"sid":..,"upgrades":[..],"pingInterval":..,"pingTimeout":..,"maxPayload":..} */
#ifndef SIO_EIO_CLIENT_OPEN_H
#define SIO_EIO_CLIENT_OPEN_H
#include <stddef.h>
#include <stdint.h>

typedef struct eio_open_info {
  char *sid;             /* malloc'ed */
  int websocket_upgrade; /* "websocket" is among the upgrades */
  uint64_t ping_interval, ping_timeout;
  size_t max_payload;    /* SIZE_MAX when the server gave none */
} eio_open_info;

/* 0 with *out filled, or -1 when s[0..n) is not a JSON object with a
 * string sid (1 to 255 bytes) and integer pingInterval and pingTimeout.
 * Unknown keys are ignored. */
int eio_open_parse(const char *s, size_t n, eio_open_info *out);
#endif
