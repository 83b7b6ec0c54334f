#include "redis_url.h"

#include <stdlib.h>
#include <string.h>

static int read_number(const char *s, const char *end, long max, long *out) {
  if (s == end || end - s > 9) return -1;
  long v = 0;
  for (; s < end; s++) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
  }
  if (v > max) return -1;
  *out = v;
  return 0;
}

int redis_url_parse(const char *url, redis_url *out) {
  static const char scheme[] = "redis://";
  out->host = NULL;
  out->port = 6379;
  out->db = 0;
  if (strncmp(url, scheme, sizeof scheme - 1) != 0) return -1;
  const char *h = url + sizeof scheme - 1, *h_end, *p;
  if (*h == '[') {
    h_end = strchr(++h, ']');
    if (!h_end) return -1;
    p = h_end + 1;
  } else {
    h_end = h + strcspn(h, ":/");
    p = h_end;
  }
  if (h_end == h || memchr(h, '@', (size_t)(h_end - h))) return -1;
  long v;
  if (*p == ':') {
    const char *port_end = p + 1 + strcspn(p + 1, "/");
    if (read_number(p + 1, port_end, 65535, &v) || v == 0) return -1;
    out->port = (int)v;
    p = port_end;
  }
  if (*p == '/' && p[1]) {
    if (read_number(p + 1, p + strlen(p), 1 << 20, &v)) return -1;
    out->db = (int)v;
  } else if (*p && strcmp(p, "/") != 0) {
    return -1;
  }
  out->host = strndup(h, (size_t)(h_end - h));
  return out->host ? 0 : -1;
}

void redis_url_free(redis_url *u) {
  free(u->host);
  u->host = NULL;
}
