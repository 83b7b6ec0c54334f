#include "context.h"

#include "../util/thread_hooks.h"
#include "pump_fault.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* How long children may take to close gracefully when the context ends
 * before whatever they left open is closed under them. */
#define STOP_GRACE_MS 3000

static void on_commands(uv_async_t *a) { cmdq_run_all(a->data); }

static void hand_over_staged(struct sio_context *ctx) {
  if (!ctx->staged) return;
  ctx->queued_seen = evq_push_list(&ctx->evq, ctx->staged, ctx->staged_tail, ctx->nstaged);
  ctx->staged = ctx->staged_tail = NULL;
  ctx->nstaged = 0;
}

/* Before the loop waits for I/O (events from timers and commands) and right
 * after the I/O callbacks ran (events from the network). */
static void on_before_poll(uv_prepare_t *h) { hand_over_staged(h->data); }
static void on_after_poll(uv_check_t *h) { hand_over_staged(h->data); }

static int start_staging(struct sio_context *ctx) {
  ctx->stage_before_poll.data = ctx;
  ctx->stage_after_poll.data = ctx;
  if (uv_prepare_init(&ctx->loop, &ctx->stage_before_poll) ||
      uv_check_init(&ctx->loop, &ctx->stage_after_poll))
    return -1;
  uv_prepare_start(&ctx->stage_before_poll, on_before_poll);
  uv_check_start(&ctx->stage_after_poll, on_after_poll);
  /* They must not keep the loop alive when everything else has ended. */
  uv_unref((uv_handle_t *)&ctx->stage_before_poll);
  uv_unref((uv_handle_t *)&ctx->stage_after_poll);
  return 0;
}

static void walk_close(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

/* A write to a connection the peer has reset raises SIGPIPE, whose default
 * action ends the process: the host's, for a peer's doing. Every socket
 * write happens on this thread, so with the signal blocked here write()
 * fails with EPIPE instead, and the host's disposition of SIGPIPE is left
 * as the host set it. */
static void block_sigpipe(void) {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, NULL);
}

static void loop_thread(void *arg) {
  struct sio_context *ctx = arg;
  block_sigpipe();
  thread_hooks_begin();
  evq_losses_here(&ctx->evq);
  ctx->start_err = start_staging(ctx) || cmdq_init(&ctx->cmdq, &ctx->loop, on_commands);
  uv_sem_post(&ctx->started);
  if (!ctx->start_err) uv_run(&ctx->loop, UV_RUN_DEFAULT);
  /* Only unreferenced handles (the stop timer, the staging hooks) are left. */
  uv_walk(&ctx->loop, walk_close, NULL);
  uv_run(&ctx->loop, UV_RUN_DEFAULT);
  hand_over_staged(ctx);
  ev_pool_thread_done();
  thread_hooks_end(); /* the per-thread state of the modules the loop ran */
}

struct sio_context *ctx_alloc(void) {
  /* The alignment divides the size, as aligned_alloc wants. */
  struct sio_context *ctx = aligned_alloc(_Alignof(struct sio_context), sizeof(*ctx));
  if (ctx) memset(ctx, 0, sizeof(*ctx));
  return ctx;
}

int ctx_start(struct sio_context *ctx) {
  if (uv_loop_init(&ctx->loop)) return -1;
  if (evq_init(&ctx->evq)) goto fail_loop;
  if (uv_mutex_init(&ctx->children_lock)) goto fail_evq;
  if (uv_mutex_init(&ctx->tags_lock)) goto fail_lock;
  if (uv_sem_init(&ctx->started, 0)) goto fail_tags;
  if (uv_thread_create(&ctx->thread, loop_thread, ctx)) goto fail_sem;
  uv_sem_wait(&ctx->started);
  if (ctx->start_err) {
    uv_thread_join(&ctx->thread);
    goto fail_sem;
  }
  return 0;
fail_sem:
  uv_sem_destroy(&ctx->started);
fail_tags:
  uv_mutex_destroy(&ctx->tags_lock);
fail_lock:
  uv_mutex_destroy(&ctx->children_lock);
fail_evq:
  evq_destroy(&ctx->evq);
fail_loop:
  uv_loop_close(&ctx->loop);
  return -1;
}

/* The events the host held, less the lost-events record, which is the
 * context's own. */
static ev_rec *handed_back(struct sio_context *ctx) {
  ev_rec *r = ctx->current;
  ctx->current = NULL;
  return r == &ctx->lost_rec ? r->next : r;
}

typedef struct stop_cmd {
  cmd base;
  struct sio_context *ctx;
} stop_cmd;

static void on_stop_overdue(uv_timer_t *t) {
  /* A child is still closing after the grace period: close it now. */
  uv_walk(t->loop, walk_close, NULL);
}

static void run_stop(cmd *c) {
  struct sio_context *ctx = ((stop_cmd *)c)->ctx;
  uv_mutex_lock(&ctx->children_lock);
  for (ctx_child *ch = ctx->children; ch; ch = ch->next) ch->shutdown(ch);
  uv_mutex_unlock(&ctx->children_lock);
  cmdq_close(&ctx->cmdq);
  /* Children finish their graceful closes (their handles close themselves);
   * the timer, which does not keep the loop alive, bounds the wait. */
  uv_timer_init(&ctx->loop, &ctx->stop_timer);
  uv_timer_start(&ctx->stop_timer, on_stop_overdue, STOP_GRACE_MS, 0);
  uv_unref((uv_handle_t *)&ctx->stop_timer);
  free(c);
}

void ctx_stop(struct sio_context *ctx) {
  stop_cmd *c = calloc(1, sizeof(*c));
  if (c) {
    c->base.run = run_stop;
    c->ctx = ctx;
    cmdq_push(&ctx->cmdq, &c->base);
  }
  uv_thread_join(&ctx->thread);
  uv_run(&ctx->loop, UV_RUN_DEFAULT);
  /* Nobody pumps any more: what that last run posted goes unread. */
  ev_free_list(ctx->staged);
  ctx->staged = ctx->staged_tail = NULL;
  cmdq_destroy(&ctx->cmdq);
  uv_loop_close(&ctx->loop);
  /* Before the children: the reap markers still queued live in them. */
  ev_free_list(handed_back(ctx));
  evq_destroy(&ctx->evq);
  ctx_child *ch = ctx->children;
  while (ch) {
    ctx_child *n = ch->next;
    ctx_child_drop_tags(ctx, ch);
    ch->destroy(ch);
    ch = n;
  }
  ctx->children = NULL;
  uv_mutex_destroy(&ctx->tags_lock);
  uv_mutex_destroy(&ctx->children_lock);
  uv_sem_destroy(&ctx->started);
}

void ctx_adopt(struct sio_context *ctx, ctx_child *c) {
  uv_mutex_lock(&ctx->children_lock);
  c->next = ctx->children;
  ctx->children = c;
  uv_mutex_unlock(&ctx->children_lock);
}

uint64_t ctx_new_request(struct sio_context *ctx) {
  return (uint64_t)atomic_fetch_add(&ctx->next_req, 1) + 1;
}

size_t ctx_events_cap(size_t max_queued) {
  size_t over = max_queued > CTX_EVENTS_SLACK ? max_queued : CTX_EVENTS_SLACK;
  return max_queued > SIZE_MAX - over ? SIZE_MAX : max_queued + over;
}

static void stage(struct sio_context *ctx, ev_rec *r) {
  if (ctx->staged_tail)
    ctx->staged_tail->next = r;
  else
    ctx->staged = r;
  ctx->staged_tail = r;
  ctx->nstaged++;
}

void ctx_post_reap(struct sio_context *ctx, ctx_child *c) {
  ev_rec *r = &c->reap;
  memset(r, 0, offsetof(ev_rec, store));
  r->ev.type = EV_MARKER;
  stage(ctx, r);
}

size_t ctx_post_event(struct sio_context *ctx, ev_rec *r, size_t max_queued) {
  r->next = NULL;
  size_t queued = ctx->queued_seen + ctx->nstaged;
  size_t cap = ctx_events_cap(max_queued);
  /* queued_seen is old by what the host took since: look again. */
  if (queued >= cap) queued = (ctx->queued_seen = evq_count(&ctx->evq)) + ctx->nstaged;
  if (queued >= cap) {
    ev_recycle_list(r);
    evq_lost(&ctx->evq);
    return queued;
  }
  stage(ctx, r);
  return ctx->queued_seen + ctx->nstaged;
}

void ctx_reading_paused(struct sio_context *ctx, size_t resume_below) {
  atomic_store(&ctx->resume_below, resume_below);
  atomic_store(&ctx->reading_paused, 1);
  hand_over_staged(ctx);
  /* The host may have drained the queue between the push that filled it
   * and the flag above, seeing no pause to lift; then nothing would ever
   * resume reading. Looking again after the flag closes that window: one
   * of the two sides sees the other. */
  ctx_events_drained(ctx, evq_count(&ctx->evq));
}

typedef struct resume_cmd {
  cmd base;
  struct sio_context *ctx;
} resume_cmd;

static void run_resume(cmd *c) {
  struct sio_context *ctx = ((resume_cmd *)c)->ctx;
  /* The host took half the queue since the last hand-over: with that old
   * length, the first event read would stop reading again, and every resume
   * would let in one read instead of reading up to the bound. */
  ctx->queued_seen = evq_count(&ctx->evq);
  uv_mutex_lock(&ctx->children_lock);
  for (ctx_child *ch = ctx->children; ch; ch = ch->next)
    if (ch->resume) ch->resume(ch);
  uv_mutex_unlock(&ctx->children_lock);
  free(c);
}

void ctx_events_drained(struct sio_context *ctx, size_t left) {
  if (!atomic_load(&ctx->reading_paused) || left >= atomic_load(&ctx->resume_below)) return;
  if (!atomic_exchange(&ctx->reading_paused, 0)) return;
  resume_cmd *c = pump_fault(PUMP_FAULT_RESUME, 0) ? NULL : calloc(1, sizeof(*c));
  if (!c) {
    /* Still paused: the next drain (the host's next pump) asks again. */
    atomic_store(&ctx->reading_paused, 1);
    return;
  }
  c->base.run = run_resume;
  c->ctx = ctx;
  cmdq_push(&ctx->cmdq, &c->base);
}

size_t ctx_take_events(struct sio_context *ctx, size_t max, ev_rec **first) {
  ev_rec *done = handed_back(ctx);
  uint_fast64_t lost = atomic_load_explicit(&ctx->evq.lost, memory_order_relaxed)
                           ? atomic_exchange(&ctx->evq.lost, 0)
                           : 0;
  size_t want = max - (lost != 0), n, taken, left = 0;
  for (;;) {
    taken = evq_take(&ctx->evq, done, want, first, &left);
    ctx_events_drained(ctx, left);
    n = taken ? ctx_filter_events(ctx, first) : 0;
    if (n || taken < want || lost) break;
    /* A batch of nothing but dropped events is no answer while more wait. */
    done = *first;
  }
  /* A loss counted during the take may have had its wake-up undone by the
   * take's clear of the fd: wake again, for this pump or the host's poll. */
  if (atomic_load_explicit(&ctx->evq.lost, memory_order_relaxed)) evq_poke(&ctx->evq);
  if (lost) {
    ev_rec *r = &ctx->lost_rec;
    memset(r, 0, offsetof(ev_rec, store));
    r->ev.size = sizeof(r->ev);
    r->ev.type = SIO_EV_EVENTS_LOST;
    r->ev.ack_id = -1;
    r->ev.count = lost;
    r->next = *first;
    *first = r;
    n++;
  }
  ctx->current = *first;
  return n;
}
