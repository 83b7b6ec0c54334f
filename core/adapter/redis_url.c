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

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* s[0..n) percent-decoded, as decodeURIComponent; NULL when malformed (or
 * out of memory). */
static char *decode_component(const char *s, size_t n) {
  char *out = malloc(n + 1), *o = out;
  if (!out) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') {
      *o++ = s[i];
      continue;
    }
    int a = i + 2 < n ? hex_value(s[i + 1]) : -1, b = a < 0 ? -1 : hex_value(s[i + 2]);
    if (b < 0) {
      free(out);
      return NULL;
    }
    *o++ = (char)(a * 16 + b);
    i += 2;
  }
  *o = 0;
  return out;
}

/* "[user][:password]" of s[0..n): an empty user is none, as node-redis
 * sends AUTH with the password alone then. */
static int read_credentials(const char *s, size_t n, redis_url *out) {
  const char *colon = memchr(s, ':', n);
  size_t user_len = colon ? (size_t)(colon - s) : n;
  if (user_len && !(out->user = decode_component(s, user_len))) return -1;
  if (colon && !(out->password = decode_component(colon + 1, n - user_len - 1))) return -1;
  return 0;
}

static int parse(const char *url, redis_url *out) {
  static const char scheme[] = "redis://", tls_scheme[] = "rediss://";
  if (strncmp(url, tls_scheme, sizeof tls_scheme - 1) == 0) return REDIS_URL_TLS;
  if (strncmp(url, scheme, sizeof scheme - 1) != 0) return REDIS_URL_BAD;
  const char *h = url + sizeof scheme - 1, *h_end, *p;
  const char *at = strchr(h, '@'), *path = strchr(h, '/');
  if (at && (!path || at < path)) {
    if (read_credentials(h, (size_t)(at - h), out)) return REDIS_URL_BAD;
    h = at + 1;
  }
  if (*h == '[') {
    h_end = strchr(++h, ']');
    if (!h_end) return REDIS_URL_BAD;
    p = h_end + 1;
  } else {
    h_end = h + strcspn(h, ":/");
    p = h_end;
  }
  if (h_end == h || memchr(h, '@', (size_t)(h_end - h))) return REDIS_URL_BAD;
  long v;
  if (*p == ':') {
    const char *port_end = p + 1 + strcspn(p + 1, "/");
    if (read_number(p + 1, port_end, 65535, &v) || v == 0) return REDIS_URL_BAD;
    out->port = (int)v;
    p = port_end;
  }
  if (*p == '/' && p[1]) {
    if (read_number(p + 1, p + strlen(p), 1 << 20, &v)) return REDIS_URL_BAD;
    out->db = (int)v;
  } else if (*p && strcmp(p, "/") != 0) {
    return REDIS_URL_BAD;
  }
  out->host = strndup(h, (size_t)(h_end - h));
  return out->host ? 0 : REDIS_URL_BAD;
}

int redis_url_parse(const char *url, redis_url *out) {
  *out = (redis_url){NULL, 6379, 0, NULL, NULL};
  int rc = parse(url, out);
  if (rc) redis_url_free(out);
  return rc;
}

static int copy_str(const char *s, char **out) {
  *out = NULL;
  return s && !(*out = strdup(s)) ? -1 : 0;
}

int redis_url_copy(const redis_url *u, redis_url *out) {
  *out = (redis_url){NULL, u->port, u->db, NULL, NULL};
  if (copy_str(u->host, &out->host) | copy_str(u->user, &out->user) |
      copy_str(u->password, &out->password)) {
    redis_url_free(out);
    return -1;
  }
  return 0;
}

void redis_url_free(redis_url *u) {
  free(u->host);
  free(u->user);
  free(u->password);
  u->host = u->user = u->password = NULL;
}
