/* The context: one libuv loop on one thread the core creates, the command
 * queue into it and the event queue out of it. All protocol state belongs to
 * the loop thread. */
#ifndef SIO_CONTEXT_H
#define SIO_CONTEXT_H
#include <stdatomic.h>
#include <uv.h>

#include "../util/strmap.h"
#include "command_queue.h"
#include "event_queue.h"

/* A server or client living on the context: shut down on the loop thread
 * when the context ends, destroyed after the loop thread has stopped, or
 * earlier on the pumping thread once the host freed it and the loop is
 * done with it (ctx_child_release, ctx_post_reap). The sio_server and
 * sio_client an event's server and client fields point to start with one. */
typedef struct ctx_child {
  struct ctx_child *next;
  void (*shutdown)(struct ctx_child *c); /* loop thread */
  void (*resume)(struct ctx_child *c);   /* loop thread: read again */
  void (*destroy)(struct ctx_child *c);  /* after the loop thread ended, or on reaping */
  _Atomic(void *) user;  /* the host's tag: ev.user of the child's events */
  atomic_int freed;      /* the host freed it: the pump drops its events */
  strmap socket_users;   /* server: sid -> the host's tag; under tags_lock */
  ev_rec reap;           /* its marker (ev.type EV_MARKER), see ctx_post_reap */
} ctx_child;

/* The fields each thread writes per event sit on cache lines of their own:
 * sharing a line with the other thread's costs a transfer per write. */
#define CTX_LINE 64

struct sio_context {
  uv_loop_t loop;
  uv_thread_t thread;
  command_queue cmdq;
  event_queue evq;
  uv_sem_t started;
  uv_timer_t stop_timer; /* bounds the graceful part of ctx_stop */
  int start_err;
  uv_prepare_t stage_before_poll;
  uv_check_t stage_after_poll;
  ctx_child *children;
  uv_mutex_t children_lock;
  /* Host tags of sockets (ctx_child.socket_users): the pump takes the lock
   * once per batch, and only while ntags says some tag is set. */
  uv_mutex_t tags_lock;
  atomic_size_t ntags;
  /* Back-pressure: some child stopped reading because the host does not
   * drain events; the pump asks for a resume once the queue is low. */
  atomic_int reading_paused;
  atomic_size_t resume_below;

  /* The host's. */
  _Alignas(CTX_LINE) atomic_int pumping; /* a host thread is inside the pump */
  atomic_int woken;   /* sio_context_wakeup was called */
  atomic_uint_fast64_t next_req; /* request ids, from host and loop alike */
  ev_rec *current;    /* the events the host holds, linked by next */
  /* The SIO_EV_EVENTS_LOST the host is handed: made ready beforehand, so
   * that telling of events lost to a lack of memory takes none. */
  ev_rec lost_rec;

  /* The I/O thread's: events posted during this loop turn, handed to the
   * queue together when the turn's callbacks are done (one lock and at most
   * one wake-up of the host per turn, instead of per event). */
  _Alignas(CTX_LINE) ev_rec *staged;
  ev_rec *staged_tail;
  size_t nstaged;
  size_t queued_seen; /* the queue's length at the last hand-over (or resume), at least
                       * what it is now (only the host takes away) */
};

/* Allocates a zeroed context (aligned for its cache-line groups); NULL when
 * out of memory. Freed with free(). */
struct sio_context *ctx_alloc(void);
int ctx_start(struct sio_context *ctx);
/* Shuts every child down, stops the loop thread, destroys the children. */
void ctx_stop(struct sio_context *ctx);
/* Any thread: registers a child (destroyed with the context). */
void ctx_adopt(struct sio_context *ctx, ctx_child *c);
/* Any thread: a new request id (never 0). */
uint64_t ctx_new_request(struct sio_context *ctx);
/* Queued events past which an event is dropped and counted lost, for a
 * child that stops reading at max_queued: what comes while it is paused
 * (the rest of the last read, timers, the host's own requests) queues up to
 * twice max_queued, and at least CTX_EVENTS_SLACK past it. */
#define CTX_EVENTS_SLACK 65536
size_t ctx_events_cap(size_t max_queued);
/* I/O thread: hands an event to the host, at the end of this loop turn, or
 * drops it and counts it lost when the queue holds
 * ctx_events_cap(max_queued) events; returns the queue's length by then, or
 * more (for back-pressure). */
size_t ctx_post_event(struct sio_context *ctx, ev_rec *r, size_t max_queued);
/* I/O thread: a child stopped reading; resume it when fewer than
 * resume_below events wait. */
void ctx_reading_paused(struct sio_context *ctx, size_t resume_below);
/* Pump thread: called with the queue's length after each pop. */
void ctx_events_drained(struct sio_context *ctx, size_t left);
/* Pump thread: takes back the events the host held and hands it up to max
 * (>= 1) new ones, first a SIO_EV_EVENTS_LOST when events were lost since
 * the last call, as a list linked by next into *first; returns how many.
 * Events of freed children are dropped, markers reap their child, and each
 * event handed out gets its user and socket_user (ctx_child.c). */
size_t ctx_take_events(struct sio_context *ctx, size_t max, ev_rec **first);

/* ---- children freed by the host and host tags (ctx_child.c) ---- */
/* Any thread: the host freed c. From now on the pump drops c's events, and
 * c's socket tags are gone. The caller then has the loop close c and call
 * ctx_post_reap once nothing of c is left on it. */
void ctx_child_release(struct sio_context *ctx, ctx_child *c);
/* I/O thread, after ctx_child_release: c posts no more events and no loop
 * handle or callback refers to it. Queues c's marker after its last event,
 * past any bound; the pump, meeting it, unlinks c from the children and
 * destroys it (c->destroy) on the pumping thread. Never fails. */
void ctx_post_reap(struct sio_context *ctx, ctx_child *c);
/* Any thread: the host's tag for socket sid of server c (NULL removes it).
 * The pump puts it in the socket's events until it hands out the socket's
 * SIO_EV_DISCONNECT, which still carries it. 0 or SIO_ENOMEM. */
int ctx_set_socket_user(struct sio_context *ctx, ctx_child *c, const char *sid, void *user);
/* Pump thread: sorts the list *first (linked by next, NULL-terminated) of
 * records just taken: reaps the children whose marker comes (the marker
 * leaves the list), fills user and socket_user of the events to hand out
 * and puts them first, in order, and the events of freed children after
 * them (for the host to hand back with the others). Returns how many are
 * to be handed out. */
size_t ctx_filter_events(struct sio_context *ctx, ev_rec **first);
/* Destroys c's socket tags. No other thread may use them any more (c was
 * released, or the loop thread has ended). */
void ctx_child_drop_tags(struct sio_context *ctx, ctx_child *c);
#endif
