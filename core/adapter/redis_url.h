/* The "adapter" option: redis://[[user][:password]@]host[:port][/db], as
 * node-redis reads it (port 6379 by default; a host in brackets for IPv6;
 * user and password percent-decoded). rediss:// is refused apart: Debian
 * 12's hiredis 0.14 has no TLS. */
#ifndef SIO_REDIS_URL_H
#define SIO_REDIS_URL_H

typedef struct redis_url {
  char *host;     /* NULL: no URL */
  int port;
  int db;         /* SELECTed on the publisher; pub/sub itself ignores it */
  char *user;     /* NULL: none (AUTH password alone, the "default" user) */
  char *password; /* NULL: no AUTH */
} redis_url;

#define REDIS_URL_BAD -1
#define REDIS_URL_TLS -2

/* 0, REDIS_URL_TLS for a rediss:// URL, or REDIS_URL_BAD when url is not
 * such a URL (or out of memory). */
int redis_url_parse(const char *url, redis_url *out);
/* A deep copy of u into out. 0 or -1 (out of memory; out is then empty). */
int redis_url_copy(const redis_url *u, redis_url *out);
void redis_url_free(redis_url *u);
#endif
