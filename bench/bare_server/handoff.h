/* The bare server's --handoff mode: the two-thread shape libsio's architecture
 * requires, with nothing else of libsio. The I/O thread owns the sockets; a
 * "host" thread answers every event. Between them, two queues modelled on
 * libsio's event and command queues (core/pump) at their best:
 *
 *   I/O thread: records of one epoll turn are staged, then appended with one
 *   lock; the request eventfd is written only when the queue was empty.
 *   Host thread: poll() on that eventfd, takes everything with one lock,
 *   answers (bare_answer_text), pushes the replies with one lock per batch
 *   and writes the reply eventfd (which the I/O thread's epoll watches) only
 *   when the reply queue was empty.
 *
 * An eventfd is readable exactly while its queue is not empty (written and
 * cleared under the queue's lock, as in core/pump/event_queue.c). Records are
 * reused: spent ones go back to the side that allocated them on its next
 * lock of that queue, into a free list per direction. */
#ifndef BARE_HANDOFF_H
#define BARE_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "packets.h"

enum handoff_kind {
  HANDOFF_TEXT,   /* a text packet; as a reply, `decision` says what to do */
  HANDOFF_BINARY, /* a binary frame, handed over in order with the texts */
};

/* One record, in either direction. The connection is named by a slot of a
 * handoff_table and its id, never by a pointer or a string. */
struct handoff_rec {
  struct handoff_rec *next;
  uint32_t slot;
  unsigned long conn_id;
  enum handoff_kind kind;
  struct bare_decision decision; /* replies to HANDOFF_TEXT only */
  struct bytebuf bytes;          /* the packet, or the answer's bytes */
};

struct handoff;

/* Starts the host thread (with every signal blocked). NULL on failure. */
struct handoff *handoff_start(void);
/* Stops and joins the host thread, frees every record and closes the fds. */
void handoff_stop(struct handoff *h);

/* ---- I/O thread ---------------------------------------------------------- */

/* Readable while replies are waiting: add it to the I/O thread's epoll. */
int handoff_reply_fd(const struct handoff *h);
/* Copies one packet or frame into a record staged for this turn. */
void handoff_stage(struct handoff *h, uint32_t slot, unsigned long conn_id, enum handoff_kind kind,
                   const char *p, size_t len);
/* Hands this turn's staged records to the host: one lock, and at most one
 * eventfd write. Nothing to do when nothing was staged. */
void handoff_submit(struct handoff *h);
/* Takes every waiting reply, in order, with one lock (which also returns the
 * replies the previous call took). The list stays valid until the next call. */
struct handoff_rec *handoff_take_replies(struct handoff *h);

/* ---- connection table (I/O thread) ------------------------------------ */

/* Slot -> pointer, checked by the connection's id: a reply for a connection
 * that closed (and whose slot may hold another one by now) finds NULL. */
struct handoff_table {
  struct handoff_slot {
    void *ptr;
    unsigned long id;
  } *slots;
  uint32_t *free_slots;
  uint32_t count, cap, nfree;
};

uint32_t handoff_table_add(struct handoff_table *t, void *ptr, unsigned long id);
void handoff_table_remove(struct handoff_table *t, uint32_t slot);
void *handoff_table_get(const struct handoff_table *t, uint32_t slot, unsigned long id);
void handoff_table_free(struct handoff_table *t);

#endif
