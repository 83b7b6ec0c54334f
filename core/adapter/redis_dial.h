/* What connecting to Redis means for both of the adapter's connections,
 * redis_conn (hiredis's async API) and redis_shard_sub (its non-blocking
 * context): the host name is resolved with uv_getaddrinfo, so nothing
 * blocks; AUTH goes first when the URL has a password, and PING tells Redis
 * from a peer that speaks something else; an attempt not answered in 5 s is
 * given up on; a lost or refused connection is tried again after 50 ms per
 * attempt, at most 500 ms (node-redis's default strategy), for as long as it
 * is open. Each connection embeds a redis_dial and talks on the socket
 * itself; the reasons it gives its host are worded here, once. */
#ifndef SIO_REDIS_DIAL_H
#define SIO_REDIS_DIAL_H
#include <stddef.h>
#include <uv.h>

#include <hiredis/hiredis.h>

#include "redis_url.h"

#define REDIS_DIAL_WHY 160 /* room for one reason */

typedef struct redis_dial redis_dial;

/* The owning connection's part; each gets the redis_dial (its owner in
 * d->owner). */
typedef struct redis_dial_ops {
  /* The host is resolved to ip, a numeric address (hiredis's own lookup of
   * it does not block): connect and send AUTH and PING. 0, or -1 after
   * telling redis_dial_lost why not. */
  int (*open)(redis_dial *d, const char *ip);
  /* Not up within the connect timeout. */
  void (*timeout)(redis_dial *d);
  /* Lost, or an attempt failed: the owner tells its host. */
  void (*down)(redis_dial *d, const char *why);
  /* Closing, and one of d's own requests or handles has let go: the owner
   * is freed once redis_dial_settled and its own connection is gone. */
  void (*settled)(redis_dial *d);
} redis_dial_ops;

struct redis_dial {
  uv_loop_t *loop;
  redis_url url;
  const redis_dial_ops *ops;
  void *owner;
  uv_getaddrinfo_t resolve;
  uv_timer_t timer; /* the connect timeout, then the next attempt */
  int resolving;
  int up;
  int closing;
  int timer_closed;
  unsigned attempts;
  char refusal[REDIS_DIAL_WHY]; /* Redis refused AUTH or PING: why the attempt failed */
};

/* Copies url and makes the first attempt (ops->down may come from inside
 * this call). 0, or -1 when out of memory: then nothing was started. */
int redis_dial_start(redis_dial *d, uv_loop_t *loop, const redis_url *url,
                     const redis_dial_ops *ops, void *owner);
/* AUTH's arguments from the URL ("default" user when it names none): their
 * count, 0 when the URL has no password. */
int redis_dial_auth(const redis_dial *d, const char *argv[3], size_t lens[3]);
/* A reply to AUTH or PING: Redis's error (WRONGPASS, NOAUTH) is the reason
 * this attempt fails, told rather than the closed connection after it. */
void redis_dial_note_refusal(redis_dial *d, const redisReply *r);
/* The reply to PING: 1 for PONG, d then up and its attempts counted anew;
 * else 0, an error noted as the refusal. */
int redis_dial_pong(redis_dial *d, const redisReply *r);
/* The connection is gone or the attempt failed: ops->down with Redis's
 * refusal if there was one, else "redis HOST:PORT: what"; the next attempt
 * is scheduled. */
void redis_dial_lost(redis_dial *d, const char *what);
/* Stops resolving and retrying; ops->settled follows. 0, or -1 when it was
 * closing already. */
int redis_dial_close(redis_dial *d);
/* Closed and nothing of d's own left on the loop; d->url is the owner's to
 * free then. */
int redis_dial_settled(const redis_dial *d);
#endif
