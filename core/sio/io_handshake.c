#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "../net/url_query.h"
#include "../util/json.h"
#include "io_server.h"

/* Node joins repeated request headers with ", "; set-cookie stays apart
 * there, which nobody reads from a handshake. */
static int headers_json(const http_request *req, sbuf *out) {
  int rc = sbuf_putc(out, '{');
  const char *p = req->headers.data;
  int first = 1;
  for (size_t i = 0; i < req->nheaders && !rc; i++) {
    const char *v = p + strlen(p) + 1;
    const char *next = v + strlen(v) + 1;
    int seen = 0;
    const char *q = req->headers.data;
    for (size_t j = 0; j < i; j++) {
      const char *qv = q + strlen(q) + 1;
      if (strcmp(q, p) == 0) seen = 1;
      q = qv + strlen(qv) + 1;
    }
    if (!seen) {
      if (!first) rc |= sbuf_putc(out, ',');
      first = 0;
      rc |= json_write_string(out, p, strlen(p)) | sbuf_putc(out, ':');
      sbuf joined = SBUF_INIT;
      const char *q2 = p;
      for (size_t j = i; j < req->nheaders; j++) {
        const char *qv = q2 + strlen(q2) + 1;
        if (strcmp(q2, p) == 0) {
          if (joined.len) rc |= sbuf_puts(&joined, ", ");
          rc |= sbuf_puts(&joined, qv);
        }
        q2 = qv + strlen(qv) + 1;
      }
      rc |= json_write_string(out, joined.data ? joined.data : "", joined.len);
      sbuf_free(&joined);
    }
    p = next;
  }
  return rc | sbuf_putc(out, '}');
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
        sbuf_puts(&out, ",\"secure\":false,\"issued\":") |
        put_decimal(&out, (unsigned long long)tv.tv_sec * 1000 + (unsigned long long)tv.tv_usec / 1000);
  rc |= sbuf_puts(&out, ",\"url\":") |
        json_write_string(&out, req->url.data ? req->url.data : "/", req->url.len);
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
