/* A broadcast with acknowledgements: one SIO_EV_ACK carrying every client's
 * first argument, sent when all answered or when the timeout fires (with
 * SIO_ETIMEDOUT and the responses that came), as socket.io does. */
#include <stdlib.h>
#include <string.h>

#include "../../util/json.h"
#include "io_server.h"

struct io_ack_collect {
  io_server *srv;
  uint64_t req;
  size_t expected, answered;
  sbuf responses;   /* "[r1,r2" while gathering */
  sio_attachment *bins; /* every answer's attachments, renumbered */
  size_t nbins;
  uv_timer_t timer;
  int refs;         /* recipients still owing + the timer */
  int done;
  int started;
  /* Set by the cluster (core/adapter): told when gathering ends, and, for a
   * broadcast of another node, handed each answer instead of keeping it. */
  void (*on_end)(void *arg);
  io_ack_forward_fn forward;
  void *arg;
};

static void collect_unref(io_ack_collect *c) {
  if (--c->refs == 0) {
    io_server *s = c->srv;
    sbuf_free(&c->responses);
    for (size_t i = 0; i < c->nbins; i++) free(c->bins[i].data);
    free(c->bins);
    free(c);
    io_server_collect_gone(s);
  }
}

static void on_timer_closed(uv_handle_t *h) { collect_unref(h->data); }

static void finish(io_ack_collect *c, int err) {
  if (c->done) return;
  c->done = 1;
  uv_close((uv_handle_t *)&c->timer, on_timer_closed);
  if (c->on_end) c->on_end(c->arg);
  if (c->forward) return;
  ev_rec *r = ev_new(SIO_EV_ACK);
  if (!r) return;
  r->ev.req = c->req;
  r->ev.err = err;
  r->ev.flags = SIO_EVF_BROADCAST;
  if (err && ev_set_str(r, &r->ev.reason, "operation has timed out")) {
    ev_free(r); /* counted lost by ev_set_str */
    return;
  }
  if (sbuf_putc(&c->responses, ']')) {
    ev_drop(r);
    return;
  }
  ev_take_data(r, c->responses.data, c->responses.len);
  c->responses = (sbuf)SBUF_INIT;
  ev_take_bins(r, c->bins, c->nbins);
  c->bins = NULL;
  c->nbins = 0;
  io_post(c->srv, r);
}

static void on_timeout(uv_timer_t *t) { finish(t->data, SIO_ETIMEDOUT); }

io_ack_collect *io_ack_collect_new(io_server *s, uint64_t req, int timeout_ms) {
  io_ack_collect *c = calloc(1, sizeof(*c));
  if (!c || sbuf_putc(&c->responses, '[')) {
    free(c);
    return NULL;
  }
  c->srv = s;
  c->req = req;
  c->refs = 1;
  s->collects++;
  uv_timer_init(&s->ctx->loop, &c->timer);
  c->timer.data = c;
  uv_timer_start(&c->timer, on_timeout, timeout_ms > 0 ? (uint64_t)timeout_ms : 0, 0);
  return c;
}

void io_ack_collect_expect(io_ack_collect *c) {
  c->expected++;
  c->refs++;
}

void io_ack_collect_start(io_ack_collect *c) {
  c->started = 1;
  if (c->answered == c->expected) finish(c, 0);
}

void io_ack_collect_unexpect(io_ack_collect *c) {
  c->expected--;
  if (c->started && c->answered == c->expected) finish(c, 0);
  collect_unref(c);
}

void io_ack_collect_hooks(io_ack_collect *c, void (*on_end)(void *arg), io_ack_forward_fn forward,
                          void *arg) {
  c->on_end = on_end;
  c->forward = forward;
  c->arg = arg;
}

/* Takes the attachments (the array and each buffer), keeping the first
 * `keep` and freeing the others. */
static void keep_bins(io_ack_collect *c, sio_attachment *bins, size_t nbins, size_t keep) {
  sio_attachment *all = keep ? realloc(c->bins, (c->nbins + keep) * sizeof(*all)) : NULL;
  if (all) {
    memcpy(all + c->nbins, bins, keep * sizeof(*all));
    c->bins = all;
    c->nbins += keep;
  }
  for (size_t i = all ? keep : 0; i < nbins; i++) free(bins[i].data);
  free(bins);
}

void io_ack_collect_response(io_ack_collect *c, const char *json, size_t len,
                             sio_attachment *bins, size_t nbins) {
  if (!c->done && c->forward) {
    c->forward(c->arg, json, len, bins, nbins);
    c->answered++;
    if (c->answered == c->expected) finish(c, 0);
  } else if (!c->done) {
    /* Only the first argument of each answer is kept, as socket.io does;
     * its placeholders are renumbered after the attachments gathered so far. */
    long start = -1, end = -1;
    const char *bracket = memchr(json, '[', len);
    if (bracket) {
      size_t i = (size_t)(bracket - json) + 1;
      char first = json_peek(json, len, i);
      if (first != ']' && first != 0) {
        end = json_skip_value(json, len, i);
        while (i < len && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r'))
          i++;
        start = (long)i;
      }
    }
    /* The parser numbers attachments in order, so the first argument's are
     * the first `kept`; the rest belong to the arguments dropped. */
    long kept = start < 0 || end < 0
                    ? -1
                    : json_count_placeholders(json + start, (size_t)(end - start), nbins);
    if (c->answered) sbuf_putc(&c->responses, ',');
    if (kept < 0 || json_rewrite_placeholders(json + start, (size_t)(end - start), (size_t)kept,
                                              c->nbins, &c->responses) < 0) {
      sbuf_puts(&c->responses, "null");
      kept = 0;
    }
    keep_bins(c, bins, nbins, (size_t)kept);
    c->answered++;
    if (c->answered == c->expected) finish(c, 0);
  } else {
    for (size_t i = 0; i < nbins; i++) free(bins[i].data);
    free(bins);
  }
  collect_unref(c);
}

void io_ack_collect_release(io_ack_collect *c) { collect_unref(c); }
