#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "colour.h"
#include "common/json_value.h"
#include "stop_signal.h"
#include "strbuf.h"

void session_fail(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%ssio: ", colour(stderr, C_RED));
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s\n", colour(stderr, C_RESET));
}

static void note(enum colour c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(enum colour c, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%ssio: ", colour(stderr, c));
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s\n", colour(stderr, C_RESET));
}

/* url with its path replaced by nsp, its query kept. */
static void url_with_namespace(strbuf *out, const char *url, const char *nsp) {
  const char *scheme = strstr(url, "://");
  const char *host = scheme ? scheme + 3 : url;
  size_t origin = (size_t)(host - url) + strcspn(host, "/?#");
  const char *query = strchr(url + origin, '?');
  sb_add(out, url, origin);
  if (nsp[0] != '/') sb_puts(out, "/");
  sb_puts(out, nsp);
  if (query) sb_puts(out, query);
}

static int set_option(sio_options *opts, const char *key, const char *value,
                      const char *flag) {
  if (!value || sio_options_set(opts, key, value) == 0) return 0;
  session_fail("%s %s: %s", flag, value, sio_last_error());
  return -1;
}

int session_open(session *s, const cli_command *cmd, const cli_args *a, const char *url,
                 int reconnection) {
  memset(s, 0, sizeof *s);
  const char *nsp = args_get(cmd, a, "--namespace");
  const char *auth = args_get(cmd, a, "--auth");
  if (auth) {
    jv *v = jv_parse(auth, strlen(auth));
    int object = v && v->type == JV_OBJECT;
    jv_free(v);
    if (!object) {
      args_error(cmd, "--auth wants a JSON object, not %s", auth);
      return 2;
    }
  }
  if (sio_context_new(&s->ctx)) {
    session_fail("%s", sio_last_error());
    return 1;
  }
  stop_signal_catch(s->ctx);

  sio_options *opts;
  strbuf full = STRBUF_INIT;
  int rc = 1;
  if (sio_options_new(&opts)) goto done;
  if (set_option(opts, "parser", args_get(cmd, a, "--parser"), "--parser") ||
      set_option(opts, "transports", args_get(cmd, a, "--transports"), "--transports") ||
      set_option(opts, "tls.ca", args_get(cmd, a, "--tls-ca"), "--tls-ca") ||
      set_option(opts, "tls.verify", args_get(cmd, a, "--insecure") ? "false" : NULL,
                 "--insecure") ||
      set_option(opts, "reconnection", reconnection ? "true" : "false", "reconnection"))
    goto done;
  if (nsp) url_with_namespace(&full, url, nsp);
  if (sio_client_new(s->ctx, nsp ? full.data : url, opts, auth, &s->cli)) {
    session_fail("%s: %s", url, sio_last_error());
    goto done;
  }
  s->nsp = sio_client_nsp(s->cli);
  rc = 0;
done:
  sio_options_free(opts);
  sb_free(&full);
  if (rc) {
    stop_signal_catch(NULL);
    sio_context_free(s->ctx);
    s->ctx = NULL;
  }
  return rc;
}

enum session_verdict session_report(const sio_event *ev) {
  switch (ev->type) {
    case SIO_EV_CONNECT:
      note(C_GREEN, "connected to %s (sid %s)%s", ev->nsp, ev->sid,
           ev->flags & SIO_EVF_RECOVERED ? ", session recovered" : "");
      return SESSION_CONNECTED;
    case SIO_EV_CONNECT_ERROR:
      if (ev->flags & SIO_EVF_FINAL) {
        session_fail("connect refused: %s%s%s", ev->reason ? ev->reason : "",
                     ev->data ? " " : "", ev->data ? ev->data : "");
        return SESSION_OVER;
      }
      note(C_YELLOW, "connect error: %s", ev->reason ? ev->reason : "");
      return SESSION_TRANSIENT;
    case SIO_EV_DISCONNECT:
      note(C_YELLOW, "disconnected from %s: %s", ev->nsp, ev->reason ? ev->reason : "");
      return ev->flags & SIO_EVF_FINAL ? SESSION_OVER : SESSION_REPORTED;
    case SIO_EV_RECONNECT_ATTEMPT:
      note(C_YELLOW, "reconnecting (attempt %u)", ev->attempt);
      return SESSION_REPORTED;
    case SIO_EV_RECONNECT:
      note(C_GREEN, "reconnected at attempt %u", ev->attempt);
      return SESSION_REPORTED;
    case SIO_EV_RECONNECT_ERROR:
      note(C_YELLOW, "reconnection attempt %u failed: %s", ev->attempt,
           ev->reason ? ev->reason : "");
      return SESSION_REPORTED;
    case SIO_EV_RECONNECT_FAILED:
      session_fail("gave up reconnecting");
      return SESSION_OVER;
    case SIO_EV_EVENTS_LOST:
      session_fail("%llu events lost", (unsigned long long)ev->count);
      return SESSION_REPORTED;
    default:
      return SESSION_OTHER;
  }
}

void session_close(session *s, int linger) {
  if (!s->ctx) return;
  const sio_event *ev;
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long waited = 0; linger && waited < SESSION_LINGER_MS;) {
    if (sio_next_event(s->ctx, (int)(SESSION_LINGER_MS - waited), &ev) == 1) session_report(ev);
    clock_gettime(CLOCK_MONOTONIC, &now);
    waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
  }
  sio_client_close(s->cli);
  while (sio_next_event(s->ctx, 200, &ev) == 1)
    if (session_report(ev) == SESSION_OVER && ev->type == SIO_EV_DISCONNECT) break;
  stop_signal_catch(NULL);
  sio_context_free(s->ctx);
  s->ctx = NULL;
}
