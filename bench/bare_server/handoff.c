#include "handoff.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Spent records kept for reuse, per direction, and in transit back to the
 * side that allocated them (as core/pump keeps them). */
#define POOL_MAX 4096
/* A record that carried a bigger packet gives its buffer back. */
#define KEEP_BYTES (64u << 10)

struct rec_queue {
  pthread_mutex_t lock;
  int fd;
  struct handoff_rec *head, *tail;
  size_t count;
  struct handoff_rec *spent; /* taken by the consumer, back to the producer */
  size_t nspent;
  bool stopping; /* the request queue's: set by handoff_stop */
};

struct handoff {
  alignas(64) struct rec_queue req; /* I/O thread -> host */
  alignas(64) struct rec_queue rep; /* host -> I/O thread */
  /* The I/O thread's. */
  alignas(64) struct handoff_rec *staged, *staged_tail;
  size_t nstaged;
  struct handoff_rec *io_pool; /* request records to reuse */
  size_t io_npool;
  struct handoff_rec *io_taken; /* the replies of the last take */
  /* The host thread's. */
  alignas(64) struct handoff_rec *host_pool; /* reply records to reuse */
  size_t host_npool;
  pthread_t thread;
};

static void fd_set_readable(int fd) {
  uint64_t one = 1;
  ssize_t n;
  do {
    n = write(fd, &one, sizeof one);
  } while (n < 0 && errno == EINTR);
}

static void fd_clear(int fd) {
  uint64_t v;
  ssize_t n;
  do {
    n = read(fd, &v, sizeof v);
  } while (n < 0 && errno == EINTR);
}

static void rec_free_list(struct handoff_rec *r) {
  while (r) {
    struct handoff_rec *next = r->next;
    bytebuf_release(&r->bytes);
    free(r);
    r = next;
  }
}

/* Puts a list of spent records into one side's pool, freeing past POOL_MAX. */
static void pool_put(struct handoff_rec **pool, size_t *npool, struct handoff_rec *r) {
  while (r) {
    struct handoff_rec *next = r->next;
    if (*npool < POOL_MAX) {
      if (r->bytes.cap > KEEP_BYTES) {
        bytebuf_release(&r->bytes);
      }
      r->next = *pool;
      *pool = r;
      (*npool)++;
    } else {
      bytebuf_release(&r->bytes);
      free(r);
    }
    r = next;
  }
}

static struct handoff_rec *pool_get(struct handoff_rec **pool, size_t *npool) {
  struct handoff_rec *r = *pool;
  if (r) {
    *pool = r->next;
    (*npool)--;
  } else {
    r = calloc(1, sizeof *r);
    if (!r) {
      abort();
    }
  }
  r->next = NULL;
  r->bytes.start = r->bytes.end = 0;
  return r;
}

static int queue_init(struct rec_queue *q) {
  memset(q, 0, sizeof *q);
  q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (q->fd < 0) {
    return -1;
  }
  /* The adaptive mutex of core/pump/queue_lock.c: spin briefly, then sleep. */
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
  int rc = pthread_mutex_init(&q->lock, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc) {
    close(q->fd);
    return -1;
  }
  return 0;
}

static void queue_destroy(struct rec_queue *q) {
  rec_free_list(q->head);
  rec_free_list(q->spent);
  pthread_mutex_destroy(&q->lock);
  close(q->fd);
}

/* Appends first..last (n records) with one lock, making the fd readable if
 * the queue was empty; returns the records the consumer has finished with. */
static struct handoff_rec *queue_push(struct rec_queue *q, struct handoff_rec *first,
                                      struct handoff_rec *last, size_t n) {
  last->next = NULL;
  pthread_mutex_lock(&q->lock);
  if (q->tail) {
    q->tail->next = first;
  } else {
    q->head = first;
  }
  q->tail = last;
  if (q->count == 0) {
    fd_set_readable(q->fd);
  }
  q->count += n;
  struct handoff_rec *spent = q->spent;
  q->spent = NULL;
  q->nspent = 0;
  pthread_mutex_unlock(&q->lock);
  return spent;
}

/* Takes everything with one lock, giving back `done` (the previous take). */
static struct handoff_rec *queue_take(struct rec_queue *q, struct handoff_rec *done,
                                      bool *stopping) {
  struct handoff_rec *done_tail = done;
  size_t ndone = 0;
  for (struct handoff_rec *r = done; r; r = r->next, ndone++) {
    done_tail = r;
  }
  pthread_mutex_lock(&q->lock);
  if (done && q->nspent + ndone <= POOL_MAX) {
    done_tail->next = q->spent;
    q->spent = done;
    q->nspent += ndone;
    done = NULL;
  }
  struct handoff_rec *head = q->head;
  if (q->count > 0) {
    fd_clear(q->fd);
  }
  q->head = q->tail = NULL;
  q->count = 0;
  if (stopping) {
    *stopping = q->stopping;
  }
  pthread_mutex_unlock(&q->lock);
  rec_free_list(done);
  return head;
}

/* The host thread: wait, take all, answer, push the replies. */
static void *host_main(void *arg) {
  struct handoff *h = arg;
  struct handoff_rec *done = NULL;
  for (;;) {
    struct pollfd pfd = {.fd = h->req.fd, .events = POLLIN};
    if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
      perror("bare_server: poll");
      abort();
    }
    bool stopping = false;
    struct handoff_rec *reqs = queue_take(&h->req, done, &stopping);
    done = reqs;
    if (stopping) {
      break;
    }
    struct handoff_rec *first = NULL, *last = NULL;
    size_t n = 0;
    for (struct handoff_rec *q = reqs; q; q = q->next) {
      struct handoff_rec *r = pool_get(&h->host_pool, &h->host_npool);
      r->slot = q->slot;
      r->conn_id = q->conn_id;
      r->kind = q->kind;
      r->decision = (struct bare_decision){BARE_IGNORE, 0};
      if (q->kind == HANDOFF_TEXT) {
        r->decision = bare_answer_text(bytebuf_head(&q->bytes), bytebuf_len(&q->bytes),
                                       q->conn_id, &r->bytes);
        if (r->decision.action == BARE_IGNORE) {
          pool_put(&h->host_pool, &h->host_npool, r);
          continue;
        }
      } else {
        bytebuf_append(&r->bytes, bytebuf_head(&q->bytes), bytebuf_len(&q->bytes));
      }
      if (last) {
        last->next = r;
      } else {
        first = r;
      }
      last = r;
      n++;
    }
    if (first) {
      pool_put(&h->host_pool, &h->host_npool, queue_push(&h->rep, first, last, n));
    }
  }
  rec_free_list(done); /* the rest is freed by handoff_stop, after the join */
  return NULL;
}

struct handoff *handoff_start(void) {
  struct handoff *h = aligned_alloc(64, (sizeof(struct handoff) + 63) / 64 * 64);
  if (!h) {
    return NULL;
  }
  memset(h, 0, sizeof *h);
  if (queue_init(&h->req)) {
    free(h);
    return NULL;
  }
  if (queue_init(&h->rep)) {
    queue_destroy(&h->req);
    free(h);
    return NULL;
  }
  /* Signals stay with the I/O thread, whose epoll_wait they must interrupt. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&h->thread, NULL, host_main, h);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc) {
    queue_destroy(&h->rep);
    queue_destroy(&h->req);
    free(h);
    return NULL;
  }
  return h;
}

void handoff_stop(struct handoff *h) {
  if (!h) {
    return;
  }
  pthread_mutex_lock(&h->req.lock);
  h->req.stopping = true;
  fd_set_readable(h->req.fd);
  pthread_mutex_unlock(&h->req.lock);
  pthread_join(h->thread, NULL);
  rec_free_list(h->staged);
  rec_free_list(h->io_pool);
  rec_free_list(h->io_taken);
  rec_free_list(h->host_pool);
  queue_destroy(&h->req);
  queue_destroy(&h->rep);
  free(h);
}

int handoff_reply_fd(const struct handoff *h) { return h->rep.fd; }

void handoff_stage(struct handoff *h, uint32_t slot, unsigned long conn_id, enum handoff_kind kind,
                   const char *p, size_t len) {
  struct handoff_rec *r = pool_get(&h->io_pool, &h->io_npool);
  r->slot = slot;
  r->conn_id = conn_id;
  r->kind = kind;
  bytebuf_append(&r->bytes, p, len);
  if (h->staged_tail) {
    h->staged_tail->next = r;
  } else {
    h->staged = r;
  }
  h->staged_tail = r;
  h->nstaged++;
}

void handoff_submit(struct handoff *h) {
  if (!h->staged) {
    return;
  }
  struct handoff_rec *spent = queue_push(&h->req, h->staged, h->staged_tail, h->nstaged);
  h->staged = h->staged_tail = NULL;
  h->nstaged = 0;
  pool_put(&h->io_pool, &h->io_npool, spent);
}

struct handoff_rec *handoff_take_replies(struct handoff *h) {
  h->io_taken = queue_take(&h->rep, h->io_taken, NULL);
  return h->io_taken;
}

uint32_t handoff_table_add(struct handoff_table *t, void *ptr, unsigned long id) {
  uint32_t slot;
  if (t->nfree > 0) {
    slot = t->free_slots[--t->nfree];
  } else {
    if (t->count == t->cap) {
      t->cap = t->cap ? t->cap * 2 : 1024;
      t->slots = realloc(t->slots, t->cap * sizeof *t->slots);
      t->free_slots = realloc(t->free_slots, t->cap * sizeof *t->free_slots);
      if (!t->slots || !t->free_slots) {
        abort();
      }
    }
    slot = t->count++;
  }
  t->slots[slot].ptr = ptr;
  t->slots[slot].id = id;
  return slot;
}

void handoff_table_remove(struct handoff_table *t, uint32_t slot) {
  t->slots[slot].ptr = NULL;
  t->free_slots[t->nfree++] = slot;
}

void *handoff_table_get(const struct handoff_table *t, uint32_t slot, unsigned long id) {
  if (slot >= t->count || t->slots[slot].id != id) {
    return NULL;
  }
  return t->slots[slot].ptr;
}

void handoff_table_free(struct handoff_table *t) {
  free(t->slots);
  free(t->free_slots);
  *t = (struct handoff_table){0};
}
