/* One connection to Redis on the I/O thread's loop (hiredis's async API,
 * its events on libuv: redis_uv.h): the publisher, and the classic
 * subscriber. It connects, and connects again, as redis_dial.h says. */
#ifndef SIO_REDIS_CONN_H
#define SIO_REDIS_CONN_H
#include <stddef.h>
#include <uv.h>

#include <hiredis/async.h>

#include "redis_url.h"

typedef struct redis_conn redis_conn;

typedef struct redis_conn_events {
  /* Connected (again): the caller issues its SELECT/SUBSCRIBEs now. */
  void (*up)(redis_conn *c);
  /* Lost, or an attempt failed: why says what. Commands sent meanwhile
   * fail; their callbacks get a NULL reply. */
  void (*down)(redis_conn *c, const char *why);
  /* After redis_conn_close: nothing of c is left on the loop. */
  void (*closed)(redis_conn *c);
} redis_conn_events;

/* Starts connecting to url (copied). NULL when out of memory. */
redis_conn *redis_conn_new(uv_loop_t *loop, const redis_url *url, const redis_conn_events *ev,
                           void *data);
void *redis_conn_data(const redis_conn *c);
int redis_conn_is_up(const redis_conn *c);
/* Sends one command (binary-safe arguments). fn (may be NULL) gets the
 * reply, or NULL when the connection is lost first. -1 when not up. */
int redis_conn_send(redis_conn *c, redisCallbackFn *fn, void *priv, int argc, const char **argv,
                    const size_t *lens);
/* Stops; events.closed follows (not from inside this call). */
void redis_conn_close(redis_conn *c);
#endif
