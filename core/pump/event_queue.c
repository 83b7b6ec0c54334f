#include "event_queue.h"
#include "pump_fault.h"
#include "queue_lock.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* The calling thread's records to reuse (the I/O thread's, in practice):
 * the host hands finished records back, and a reset record costs less than
 * a free and a malloc of memory the other core touched last. As many as
 * may be in transit (MAX_SPENT): 100 clients with 32 events in flight
 * overflowed a pool of 1,024 and paid a free and a malloc per event. */
#define POOL_MAX 4096
static _Thread_local ev_rec *pool;
static _Thread_local size_t npool;
/* The queue whose lost events this thread's failed allocations are. */
static _Thread_local event_queue *losses;

void evq_losses_here(event_queue *q) { losses = q; }

/* An allocation for an event failed: the event will not be queued. */
static void *lost(void) {
  if (losses) evq_lost(losses);
  return NULL;
}

ev_rec *ev_new(int type) {
  if (pump_fault(PUMP_FAULT_EVENT, type)) return lost();
  ev_rec *r = pool;
  if (r) {
    pool = r->next;
    npool--;
  } else if (!(r = malloc(sizeof(*r)))) {
    return lost();
  }
  memset(r, 0, offsetof(ev_rec, store));
  r->ev.size = sizeof(r->ev);
  r->ev.type = type;
  r->ev.ack_id = -1;
  return r;
}

/* Room for n bytes plus a NUL, in the record's store when it fits. */
static char *ev_room(ev_rec *r, size_t n) {
  char *c;
  if (n < EV_STORE - r->stored) {
    c = r->store + r->stored;
    r->stored += n + 1;
  } else if (!(c = malloc(n + 1))) {
    return lost();
  }
  c[n] = 0;
  return c;
}

static char *ev_copy(ev_rec *r, const char *p, size_t n) {
  char *c = ev_room(r, n);
  if (c) memcpy(c, p, n);
  return c;
}

static int in_store(const ev_rec *r, const char *p) {
  uintptr_t a = (uintptr_t)p, store = (uintptr_t)r->store;
  return a >= store && a < store + EV_STORE;
}

int ev_set_str(ev_rec *r, const char **field, const char *s) {
  if (!s) {
    *field = NULL;
    return 0;
  }
  return ev_set_strn(r, field, s, strlen(s));
}

int ev_set_strn(ev_rec *r, const char **field, const char *s, size_t n) {
  char *c = ev_copy(r, s, n);
  if (!c) return -1;
  *field = c;
  return 0;
}

char *ev_data_room(ev_rec *r, size_t len) {
  char *c = ev_room(r, len);
  if (c) ev_take_data(r, c, len);
  return c;
}

void ev_take_data(ev_rec *r, char *data, size_t len) {
  r->ev.data = data;
  r->ev.data_len = len;
}

int ev_set_data(ev_rec *r, const char *data, size_t len) {
  char *c = ev_copy(r, data, len);
  if (!c) return -1;
  ev_take_data(r, c, len);
  return 0;
}

void ev_take_bins(ev_rec *r, sio_attachment *bins, size_t n) {
  if (!n) {
    free(bins);
    return;
  }
  /* sio_attachment and sio_buf differ only in constness: reuse the array. */
  _Static_assert(sizeof(sio_attachment) == sizeof(sio_buf), "layout");
  r->bins = (sio_buf *)bins;
  r->ev.bins = r->bins;
  r->ev.nbins = n;
}

/* Frees what r points to outside its store. */
static void release_parts(ev_rec *r) {
  const char *owned[] = {r->ev.nsp, r->ev.sid, r->ev.name, r->ev.data, r->ev.reason};
  for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
    if (!in_store(r, owned[i])) free((char *)owned[i]);
  for (size_t i = 0; i < r->ev.nbins; i++) free((void *)r->bins[i].data);
  free(r->bins);
}

void ev_free(ev_rec *r) {
  if (!r || r->ev.type == EV_MARKER) return;
  release_parts(r);
  free(r);
}

void ev_drop(ev_rec *r) {
  ev_free(r);
  lost();
}

void ev_recycle_list(ev_rec *r) {
  while (r) {
    ev_rec *n = r->next;
    if (npool < POOL_MAX && r->ev.type != EV_MARKER) {
      release_parts(r);
      r->next = pool;
      pool = r;
      npool++;
    } else {
      ev_free(r);
    }
    r = n;
  }
}

void ev_pool_thread_done(void) {
  ev_rec *r = pool;
  pool = NULL;
  npool = 0;
  while (r) {
    ev_rec *n = r->next;
    free(r);
    r = n;
  }
}

int evq_init(event_queue *q) {
  memset(q, 0, sizeof(*q));
  q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (q->fd < 0) return -1;
  if (queue_lock_init(&q->lock)) {
    close(q->fd);
    return -1;
  }
  return 0;
}

/* Spent records kept for the I/O thread at most; past it the host frees. */
#define MAX_SPENT 4096

void ev_free_list(ev_rec *r) {
  while (r) {
    ev_rec *n = r->next;
    ev_free(r);
    r = n;
  }
}

void evq_destroy(event_queue *q) {
  ev_free_list(q->head);
  ev_free_list(q->spent);
  uv_mutex_destroy(&q->lock);
  close(q->fd);
}

static void fd_set_readable(int fd) {
  uint64_t one = 1;
  ssize_t n;
  do n = write(fd, &one, sizeof(one));
  while (n < 0 && errno == EINTR);
}

static void fd_clear(int fd) {
  uint64_t v;
  ssize_t n;
  do n = read(fd, &v, sizeof(v));
  while (n < 0 && errno == EINTR);
}

size_t evq_push_list(event_queue *q, ev_rec *first, ev_rec *last, size_t n) {
  last->next = NULL;
  uv_mutex_lock(&q->lock);
  if (q->tail)
    q->tail->next = first;
  else
    q->head = first;
  q->tail = last;
  if (q->count == 0) fd_set_readable(q->fd);
  size_t count = q->count += n;
  ev_rec *spent = q->spent;
  q->spent = NULL;
  q->nspent = 0;
  uv_mutex_unlock(&q->lock);
  ev_recycle_list(spent);
  return count;
}

void evq_lost(event_queue *q) {
  /* Only the first loss wakes the host (ctx_take_events wakes it again
   * if its take undid that): a storm of losses costs no write per event. */
  if (atomic_fetch_add(&q->lost, 1) == 0) evq_poke(q);
}

size_t evq_count(event_queue *q) {
  uv_mutex_lock(&q->lock);
  size_t count = q->count;
  uv_mutex_unlock(&q->lock);
  return count;
}

size_t evq_take(event_queue *q, ev_rec *done, size_t max, ev_rec **first, size_t *left) {
  ev_rec *done_tail = done;
  size_t ndone = 0;
  for (ev_rec *r = done; r; r = r->next, ndone++) done_tail = r;
  uv_mutex_lock(&q->lock);
  if (done && q->nspent + ndone <= MAX_SPENT) {
    done_tail->next = q->spent;
    q->spent = done;
    q->nspent += ndone;
    done = NULL;
  }
  ev_rec *head = q->head, *last = NULL;
  size_t n = 0;
  for (ev_rec *r = head; r && n < max; r = r->next, n++) last = r;
  if (last) {
    q->head = last->next;
    last->next = NULL;
    if (!q->head) q->tail = NULL;
    q->count -= n;
  }
  if (q->count == 0) fd_clear(q->fd);
  if (left) *left = q->count;
  uv_mutex_unlock(&q->lock);
  ev_free_list(done);
  *first = n ? head : NULL;
  return n;
}

void evq_poke(event_queue *q) {
  /* No lock: a signal handler may poke (sio_context_wakeup) while the
   * thread it interrupted holds it in evq_pop. A pop that clears the fd
   * right after does no harm: the pump reads its wake flag before waiting. */
  fd_set_readable(q->fd);
}
