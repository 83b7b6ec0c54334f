/* The "adapter" option: redis://host[:port][/db], as node-redis reads it
 * (port 6379 by default; a host in brackets for IPv6). */
#ifndef SIO_REDIS_URL_H
#define SIO_REDIS_URL_H

typedef struct redis_url {
  char *host; /* NULL: no URL */
  int port;
  int db;     /* SELECTed on the publisher; pub/sub itself ignores it */
} redis_url;

/* 0, or -1 when url is not such a URL (or out of memory). */
int redis_url_parse(const char *url, redis_url *out);
void redis_url_free(redis_url *u);
#endif
