/* The context's event queue: filled on the I/O thread, drained by the host's
 * pump. An eventfd is readable while the queue holds events. */
#ifndef SIO_EVENT_QUEUE_H
#define SIO_EVENT_QUEUE_H
#include <stdatomic.h>
#include <stddef.h>
#include <uv.h>

#include <sio/sio.h>
#include "../util/attachment.h"

/* Bytes of an event record that hold its short strings and data, so that a
 * typical event is one allocation (freed by the host's thread, not the one
 * that made it, which glibc pays for per block). */
#define EV_STORE 192

/* One queued event and the memory behind its pointers. */
typedef struct ev_rec {
  struct ev_rec *next;
  sio_event ev;
  sio_buf *bins;          /* ev.bins; each data pointer malloc'ed */
  size_t stored;          /* bytes of store in use */
  char store[EV_STORE];   /* strings and data that fit; the rest malloc'ed */
} ev_rec;

/* The type of a record that is no event: a child's reap marker
 * (ctx_post_reap). It lives in the child, so ev_free and ev_recycle_list
 * leave it alone; the pump never hands it out. */
#define EV_MARKER (-1)

/* NULL when out of memory, the event then counted lost (see
 * evq_losses_here). size is set and ack_id starts at -1. Reuses a record of the calling
 * thread's pool when there is one. */
ev_rec *ev_new(int type);
/* Copies s (may be NULL) into *field. 0, or -1 when out of memory (the
 * event counted lost, as for ev_new: the caller drops it). */
int ev_set_str(ev_rec *r, const char **field, const char *s);
/* Copies s[0..n) and a NUL into *field. 0 or -1. */
int ev_set_strn(ev_rec *r, const char **field, const char *s, size_t n);
/* Makes ev.data len bytes (and a NUL) for the caller to fill: a payload
 * assembled in place instead of built elsewhere and copied. NULL when out
 * of memory. */
char *ev_data_room(ev_rec *r, size_t len);
/* Takes a malloc'ed NUL-terminated JSON text as ev.data. */
void ev_take_data(ev_rec *r, char *data, size_t len);
/* Copies a JSON text as ev.data. 0 or -1. */
int ev_set_data(ev_rec *r, const char *data, size_t len);
/* Moves the attachments (the array and each buffer) into the event. */
void ev_take_bins(ev_rec *r, sio_attachment *bins, size_t n);
void ev_free(ev_rec *r);
/* Frees r, an event given up for lack of memory outside its record (a
 * buffer of the caller's), and counts it lost as ev_new would. */
void ev_drop(ev_rec *r);
/* Keeps the records of a list linked by next in the calling thread's pool
 * (bounded; the rest are freed). */
void ev_recycle_list(ev_rec *r);
/* Frees the calling thread's pool; before the thread ends. */
void ev_pool_thread_done(void);

typedef struct event_queue {
  uv_mutex_t lock;
  ev_rec *head, *tail;
  size_t count;
  /* Records the host is done with, freed by the next push on the I/O
   * thread that made them: glibc frees a block cheaply only on the thread
   * whose arena it came from, and otherwise two threads contend for the
   * arena's lock (a futex call every few events). */
  ev_rec *spent;
  size_t nspent;
  int fd; /* eventfd */
  /* Events that could not be queued (out of memory, or the queue at its
   * bound) since the host last heard of it. */
  atomic_uint_fast64_t lost;
} event_queue;

int evq_init(event_queue *q);
/* Frees the events still queued. */
void evq_destroy(event_queue *q);
/* Appends the n records first..last (linked by next); returns the count
 * after the push. Recycles the records the host is done with into the
 * calling thread's pool: call it from the thread that makes the records. */
size_t evq_push_list(event_queue *q, ev_rec *first, ev_rec *last, size_t n);
/* Counts an event that could not be queued and wakes the host, who hears
 * of it as SIO_EV_EVENTS_LOST. Any thread. */
void evq_lost(event_queue *q);
/* The calling thread (an I/O thread) makes q's events: the records and
 * strings it fails to allocate count as lost events of q. */
void evq_losses_here(event_queue *q);
/* Events waiting now. Any thread. */
size_t evq_count(event_queue *q);
/* Any thread. Detaches up to max (0 takes none) records from the head as a list
 * linked by next into *first (NULL when empty) and returns how many; *left
 * receives the count after. done (may be NULL): the list taken before,
 * which the caller is done with. */
size_t evq_take(event_queue *q, ev_rec *done, size_t max, ev_rec **first, size_t *left);
/* Frees a list linked by next. */
void ev_free_list(ev_rec *r);
/* Makes the fd readable without an event (to end a wait early). Any
 * thread, and async-signal-safe. */
void evq_poke(event_queue *q);
#endif
