/* Absolute http, https, ws and wss URLs, split into what a client needs to
 * connect and to write a request line. */
#ifndef SIO_URL_H
#define SIO_URL_H

typedef struct url_parts {
  int secure;    /* https or wss: TLS */
  int websocket; /* ws or wss scheme */
  char *host;    /* name or address, an IPv6 address without its brackets */
  int port;      /* the URL's, or 80 / 443 */
  int default_port; /* the port was absent or the scheme's default */
  char *path;    /* starts with '/'; "/" when absent */
  char *query;   /* after '?', without it; NULL when absent */
} url_parts;

/* 0; -1 on an unknown scheme, an empty host, a bad port or user info; -2
 * when out of memory (on failure *u holds nothing to free). The fragment
 * is dropped. */
int url_parse(const char *s, url_parts *u);
void url_parts_free(url_parts *u);
/* 1 when host is an IPv4 or IPv6 address rather than a name. */
int url_host_is_ip(const char *host);
#endif
