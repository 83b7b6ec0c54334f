/* The acknowledgements one side waits for, kept the same way by the server
 * and the client: each socket lists its waits in emit order (answers mostly
 * come in it) and finds one by ack id; each owner (a server, a client's
 * manager) keeps the waits that have a deadline in one list sorted by it,
 * under one timer. Loop thread only. */
#ifndef SIO_ACK_TABLE_H
#define SIO_ACK_TABLE_H
#include <stdint.h>
#include <uv.h>

typedef struct ack_table ack_table;

/* Embedded in the owner's record of the wait (the record is the owner's to
 * allocate and free). */
typedef struct ack_wait {
  struct ack_wait *prev, *next;   /* in its socket's list */
  struct ack_wait *dprev, *dnext; /* in the table's deadline list */
  struct ack_list *list;
  ack_table *table;
  int64_t id;
  uint64_t deadline;              /* loop time in ms; 0: none */
} ack_wait;

/* One socket's waits, in the order they were added. */
typedef struct ack_list {
  ack_wait *head, *tail;
} ack_list;

/* Called for a wait whose deadline passed, already out of both lists. */
typedef void (*ack_expire_fn)(ack_table *t, ack_wait *w);

struct ack_table {
  uv_timer_t timer;
  ack_wait *first, *last;         /* the waits with a deadline, earliest first */
  uint64_t due;                   /* when the timer fires; 0: not armed */
  ack_expire_fn expire;
  int open;                       /* the timer is initialised and not closing */
};

void ack_table_init(ack_table *t, uv_loop_t *loop, ack_expire_fn expire);
/* Closes the timer; no wait expires after this. cb (may be NULL) gets the
 * handle with its data set to data, as for the owner's other timers.
 * 1, or 0 (and no cb) when the table was never opened or is closed. */
int ack_table_close(ack_table *t, void *data, uv_close_cb cb);
/* Adds w at the end of l; with timeout_ms > 0 it expires that long from
 * now unless removed before. */
void ack_add(ack_table *t, ack_list *l, ack_wait *w, int64_t id, uint64_t timeout_ms);
/* The wait for id in l, or NULL. */
ack_wait *ack_find(const ack_list *l, int64_t id);
/* Takes w out of its list and, if it has a deadline, out of its table
 * (once: w->deadline stays as it was, for the owner to read). */
void ack_remove(ack_wait *w);
#endif
