/* What the two whole-path targets (fuzz_server.c, fuzz_client.c) share: a
 * context whose loop runs on the target's own thread, the host's side of
 * its events, and time that passes on demand. */
#ifndef SIO_FUZZ_LOOP_H
#define SIO_FUZZ_LOOP_H
#include "fuzz_util.h"
#include "pump/context.h"
#include "sio/codec/sio_packet.h"
#include "util/json.h"
#include "util/sbuf.h"

static inline char *fuzz_strdup(const char *s) {
  char *d = strdup(s);
  FUZZ_CHECK(d);
  return d;
}

/* A context without its I/O thread: the target runs the loop. */
static inline struct sio_context *fuzz_context(void) {
  struct sio_context *ctx = ctx_alloc();
  FUZZ_CHECK(ctx && uv_loop_init(&ctx->loop) == 0);
  return ctx;
}

/* The events posted since the last call (free with ev_free_list). */
static inline ev_rec *fuzz_take_events(struct sio_context *ctx) {
  ev_rec *list = ctx->staged;
  ctx->staged = ctx->staged_tail = NULL;
  ctx->nstaged = 0;
  return list;
}

/* The host's own copy of an event's attachments, as the ABI hands over. */
static inline sio_attachment *fuzz_copy_bins(const sio_buf *bins, size_t n) {
  if (!n) return NULL;
  sio_attachment *a = calloc(n, sizeof *a);
  FUZZ_CHECK(a);
  for (size_t k = 0; k < n; k++) {
    a[k].data = malloc(bins[k].len ? bins[k].len : 1);
    FUZZ_CHECK(a[k].data);
    if (bins[k].len) memcpy(a[k].data, bins[k].data, bins[k].len);
    a[k].len = bins[k].len;
  }
  return a;
}

/* An event's data is JSON, and the attachments it carries are all named by
 * its placeholders' nums. Without attachments a placeholder-shaped object
 * is only an object, as in socket.io. */
static inline int fuzz_event_data_ok(const sio_event *ev) {
  return json_validate(ev->data, ev->data_len) == 0 &&
         (!ev->nbins || json_count_placeholders(ev->data, ev->data_len, ev->nbins) >= 0);
}

#define FUZZ_MAX_TIMERS 256

typedef struct fuzz_timers {
  const uv_handle_t *except;
  uv_timer_t *t[FUZZ_MAX_TIMERS];
  size_t n;
} fuzz_timers;

static inline void fuzz_collect_timer(uv_handle_t *h, void *arg) {
  fuzz_timers *l = arg;
  if (h->type == UV_TIMER && h != l->except && uv_is_active(h) && l->n < FUZZ_MAX_TIMERS)
    l->t[l->n++] = (uv_timer_t *)h;
}

/* Time passes: every running timer but except fires now (heartbeats,
 * handshake, upgrade, connect, reconnection and ack timeouts), as it would
 * later. A handle an earlier callback closed stays readable until the loop
 * runs again. */
static inline void fuzz_time_passes(uv_loop_t *loop, const uv_handle_t *except) {
  fuzz_timers l = {.except = except, .n = 0};
  uv_walk(loop, fuzz_collect_timer, &l);
  for (size_t i = 0; i < l.n; i++) {
    if (!uv_is_active((uv_handle_t *)l.t[i])) continue;
    uv_timer_cb cb = l.t[i]->timer_cb;
    uv_timer_stop(l.t[i]);
    cb(l.t[i]);
  }
}

/* SIO_FUZZ_TRACE=1 shows what each connection received, to read a crash
 * file. */
static inline void fuzz_trace(int conn, const sbuf *received) {
  if (!getenv("SIO_FUZZ_TRACE")) return;
  fprintf(stderr, "---- connection %d received:\n", conn);
  fwrite(received->data, 1, received->len, stderr);
  fputc('\n', stderr);
}

/* After the server or client was aborted: whatever still waits (an
 * acknowledgement's timeout) ends when its time comes, and then nothing
 * may be left on the loop. turn runs the loop once, host takes events. */
static inline void fuzz_wind_down(uv_loop_t *loop, const uv_handle_t *except, void (*turn)(void),
                                  int (*host)(void)) {
  for (int turns = 0; uv_loop_alive(loop) && turns < 50; turns++) {
    turn();
    host();
    if (turns > 2) fuzz_time_passes(loop, except);
  }
  if (uv_loop_alive(loop)) {
    uv_print_active_handles(loop, stderr);
    FUZZ_CHECK(!"handles left on the loop after the end");
  }
  host();
}
#endif
