#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "../../net/url_query.h"
#include "../../util/json.h"
#include "../../util/pair_groups.h"
#include "../../util/utf8.h"
#include "io_server.h"

/* Headers Node keeps the first of when repeated (IncomingMessage). */
static int first_only(const char *name) {
  static const char *const names[] = {
      "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
      "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
      "proxy-authorization", "referer", "retry-after", "server", "user-agent"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(name, names[i]) == 0) return 1;
  return 0;
}

/* Node reads header bytes as Latin-1. */
static int put_latin1(sbuf *out, sbuf *scratch, const char *s) {
  size_t n = strlen(s);
  if (utf8_is_ascii(s, n)) return json_write_string(out, s, n);
  sbuf_reset(scratch);
  return utf8_append_latin1(scratch, s, n) || json_write_string(out, scratch->data, scratch->len);
}

/* handshake.headers as Node's req.headers: a repeated header is joined
 * with ", " ("; " for cookie), set-cookie is an array, and a few keep
 * their first value. */
static int headers_json(const http_request *req, sbuf *out) {
  pair_groups g;
  sbuf joined = SBUF_INIT, scratch = SBUF_INIT;
  int rc = pair_groups_build(&g, req->headers.data, req->nheaders) || sbuf_putc(out, '{');
  int written = 0;
  for (size_t i = 0; i < req->nheaders && !rc; i++) {
    if (!g.first[i]) continue;
    const char *name = g.name[i];
    int cookie = strcmp(name, "cookie") == 0, set_cookie = strcmp(name, "set-cookie") == 0;
    rc = (written++ && sbuf_putc(out, ',')) || put_latin1(out, &scratch, name) ||
         sbuf_putc(out, ':') || (set_cookie && sbuf_putc(out, '['));
    if (first_only(name) || (g.next[i] == PAIR_GROUPS_END && !set_cookie)) {
      rc = rc || put_latin1(out, &scratch, pair_value(name));
      continue;
    }
    sbuf_reset(&joined);
    for (size_t j = i; j != PAIR_GROUPS_END && !rc; j = g.next[j]) {
      const char *v = pair_value(g.name[j]);
      if (set_cookie)
        rc = (j != i && sbuf_putc(out, ',')) || put_latin1(out, &scratch, v);
      else
        rc = (j != i && sbuf_puts(&joined, cookie ? "; " : ", ")) || sbuf_puts(&joined, v);
    }
    rc = rc || (set_cookie ? sbuf_putc(out, ']') : put_latin1(out, &scratch, joined.data));
  }
  pair_groups_free(&g);
  sbuf_free(&joined);
  sbuf_free(&scratch);
  return rc || sbuf_putc(out, '}') ? -1 : 0;
}

/* The handshake's "time" for second t, as Date.toString() in UTC writes it.
 * Formatting is most of a handshake's cost at thousands of connections a
 * second, all within the same few seconds: the last one is kept per
 * thread. */
static const char *time_text(time_t t) {
  static _Thread_local time_t last = -1;
  static _Thread_local char text[96];
  if (t != last) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(text, sizeof(text), "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)",
             &tm);
    last = t;
  }
  return text;
}

/* Appends v in decimal (sbuf_printf's vsnprintf costs thousands of
 * instructions for it). */
static int put_decimal(sbuf *out, unsigned long long v) {
  char buf[24];
  size_t i = sizeof(buf);
  do buf[--i] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  return sbuf_append(out, buf + i, sizeof(buf) - i);
}

char *io_handshake_json(const http_request *req, const char *transport_url) {
  (void)transport_url;
  sbuf out = SBUF_INIT;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  const char *when = time_text(tv.tv_sec);
  url_query q;
  int rc = url_query_parse(&q, req->url.data ? req->url.data : "/", req->url.len);
  rc |= sbuf_puts(&out, "{\"headers\":") | headers_json(req, &out);
  rc |= sbuf_puts(&out, ",\"time\":") | json_write_string(&out, when, strlen(when));
  rc |= sbuf_puts(&out, ",\"address\":") | json_write_string(&out, req->peer, strlen(req->peer));
  rc |= sbuf_puts(&out, http_header(req, "origin") ? ",\"xdomain\":true" : ",\"xdomain\":false") |
        sbuf_puts(&out, req->secure ? ",\"secure\":true" : ",\"secure\":false") |
        sbuf_puts(&out, ",\"issued\":") |
        put_decimal(&out, (unsigned long long)tv.tv_sec * 1000 + (unsigned long long)tv.tv_usec / 1000);
  sbuf scratch = SBUF_INIT;
  rc |= sbuf_puts(&out, ",\"url\":") | put_latin1(&out, &scratch, req->url.data ? req->url.data : "/");
  sbuf_free(&scratch);
  rc |= sbuf_puts(&out, ",\"query\":") | url_query_to_json(&q, &out) | sbuf_putc(&out, '}');
  url_query_free(&q);
  if (rc) {
    sbuf_free(&out);
    return NULL;
  }
  return sbuf_detach(&out, NULL);
}

int io_handshake_with_auth(sbuf *out, const char *handshake, const char *auth) {
  size_t n = strlen(handshake);
  return sbuf_append(out, handshake, n - 1) | sbuf_puts(out, ",\"auth\":") |
         sbuf_puts(out, auth) | sbuf_putc(out, '}');
}

char *io_request_json(const http_request *req) {
  char *handshake = io_handshake_json(req, NULL);
  if (!handshake) return NULL;
  sbuf out = SBUF_INIT;
  const char *method = llhttp_method_name(req->method);
  int rc = sbuf_puts(&out, "{\"method\":") | json_write_string(&out, method, strlen(method)) |
           sbuf_putc(&out, ',') | sbuf_puts(&out, handshake + 1);
  free(handshake);
  if (rc) {
    sbuf_free(&out);
    return NULL;
  }
  return sbuf_detach(&out, NULL);
}
