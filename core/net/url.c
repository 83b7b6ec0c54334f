#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
  const char *name;
  int secure, websocket, port;
} schemes[] = {
    {"http", 0, 0, 80}, {"https", 1, 0, 443}, {"ws", 0, 1, 80}, {"wss", 1, 1, 443}};

static char *copy_range(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (!s) return NULL;
  memcpy(s, p, n);
  s[n] = 0;
  return s;
}

static int parse_port(const char *p, size_t n, int *port) {
  if (n == 0 || n > 5) return -1;
  long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)p[i])) return -1;
    v = v * 10 + (p[i] - '0');
  }
  if (v < 1 || v > 65535) return -1;
  *port = (int)v;
  return 0;
}

/* Host names and IPv4 addresses: letters, digits, '-', '.', '_'. */
static int plain_host_ok(const char *p, size_t n) {
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (!isalnum(c) && c != '-' && c != '.' && c != '_') return 0;
  }
  return 1;
}

int url_parse(const char *s, url_parts *u) {
  memset(u, 0, sizeof(*u));
  const char *colon = strstr(s, "://");
  if (!colon) return -1;
  size_t scheme_len = (size_t)(colon - s);
  int found = -1;
  for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
    if (strlen(schemes[i].name) == scheme_len && strncasecmp(s, schemes[i].name, scheme_len) == 0)
      found = (int)i;
  if (found < 0) return -1;
  u->secure = schemes[found].secure;
  u->websocket = schemes[found].websocket;
  u->port = schemes[found].port;

  const char *auth = colon + 3;
  size_t auth_len = strcspn(auth, "/?#");
  const char *rest = auth + auth_len;
  if (memchr(auth, '@', auth_len)) return -1;

  const char *host = auth, *port = NULL;
  size_t host_len, port_len = 0;
  if (auth_len && auth[0] == '[') {
    const char *close = memchr(auth, ']', auth_len);
    if (!close) return -1;
    host = auth + 1;
    host_len = (size_t)(close - host);
    const char *after = close + 1;
    if (after < rest) {
      if (*after != ':') return -1;
      port = after + 1;
      port_len = (size_t)(rest - port);
    }
    struct in6_addr a6;
    char tmp[64];
    if (host_len == 0 || host_len >= sizeof(tmp)) return -1;
    memcpy(tmp, host, host_len);
    tmp[host_len] = 0;
    if (inet_pton(AF_INET6, tmp, &a6) != 1) return -1;
  } else {
    const char *c = memchr(auth, ':', auth_len);
    host_len = c ? (size_t)(c - auth) : auth_len;
    if (c) {
      port = c + 1;
      port_len = (size_t)(rest - port);
    }
    if (!plain_host_ok(host, host_len)) return -1;
  }
  /* "host:" with nothing after the colon means the default port. */
  if (port && port_len && parse_port(port, port_len, &u->port)) return -1;
  u->default_port = u->port == schemes[found].port;

  size_t path_len = strcspn(rest, "?#");
  const char *q = rest + path_len;
  u->host = copy_range(host, host_len);
  u->path = path_len ? copy_range(rest, path_len) : copy_range("/", 1);
  if (*q == '?') u->query = copy_range(q + 1, strcspn(q + 1, "#"));
  if (!u->host || !u->path || (*q == '?' && !u->query)) {
    url_parts_free(u);
    return -2;
  }
  return 0;
}

void url_parts_free(url_parts *u) {
  free(u->host);
  free(u->path);
  free(u->query);
  memset(u, 0, sizeof(*u));
}

int url_host_is_ip(const char *host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}
