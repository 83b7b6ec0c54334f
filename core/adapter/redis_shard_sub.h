/* A Redis connection that only listens to shard channels (SSUBSCRIBE, Redis
 * 7's sharded pub/sub), on the I/O thread's loop. Debian 12's hiredis 0.14
 * has no SSUBSCRIBE in its async API (an "smessage" push there aborts on an
 * assertion), so this one drives hiredis's non-blocking context itself from
 * a uv_poll_t. It connects, and connects again, as redis_dial.h says (as
 * redis_conn does), and subscribes again to every channel after a
 * reconnection. */
#ifndef SIO_REDIS_SHARD_SUB_H
#define SIO_REDIS_SHARD_SUB_H
#include <stddef.h>
#include <uv.h>

#include "redis_url.h"

typedef struct redis_shard_sub redis_shard_sub;

typedef struct redis_shard_sub_events {
  /* Connected (again) and the channels are being subscribed to. */
  void (*up)(redis_shard_sub *s);
  /* Lost, or an attempt failed: why says what. */
  void (*down)(redis_shard_sub *s, const char *why);
  /* An "smessage" on one of the channels. */
  void (*message)(redis_shard_sub *s, const char *channel, size_t channel_len,
                  const char *payload, size_t len);
  /* After redis_shard_sub_close: nothing of s is left on the loop. */
  void (*closed)(redis_shard_sub *s);
} redis_shard_sub_events;

/* Starts connecting to url (copied). NULL when out of memory. */
redis_shard_sub *redis_shard_sub_new(uv_loop_t *loop, const redis_url *url,
                                     const redis_shard_sub_events *ev, void *data);
void *redis_shard_sub_data(const redis_shard_sub *s);
int redis_shard_sub_is_up(const redis_shard_sub *s);
/* Adds channel to (removes it from) the set listened to: sent now when
 * connected, else at the next connection. 0, or -1 when out of memory. */
int redis_shard_sub_add(redis_shard_sub *s, const char *channel);
void redis_shard_sub_remove(redis_shard_sub *s, const char *channel);
/* Stops; events.closed follows (not from inside this call). */
void redis_shard_sub_close(redis_shard_sub *s);
#endif
