/* The ack table both roles share: waits found by id in their socket's
 * list, deadlines met in order under one timer, removed waits never
 * expiring, and a wait added while expiring left for its own deadline. */
#include "check.h"
#include "sio/ack_table.h"

static ack_table table;
static ack_list one, two;
static ack_wait waits[8];
static int64_t expired[8];
static int nexpired;
static int re_add; /* expiring wait 0 adds wait 7 with a timeout */

static void on_expired(ack_table *t, ack_wait *w) {
  CHECK(t == &table);
  CHECK(!ack_find(w->list, w->id)); /* already out of its list */
  expired[nexpired++] = w->id;
  if (re_add && w->id == 0) ack_add(&table, &one, &waits[7], 7, 30);
}

static int closed;

static void on_closed(uv_handle_t *h) {
  CHECK(h->data == &closed); /* the data the owner's close callback expects */
  closed++;
}

static void run(uv_loop_t *loop) {
  while (uv_run(loop, UV_RUN_DEFAULT)) {
  }
}

int main(void) {
  uv_loop_t loop;
  CHECK(uv_loop_init(&loop) == 0);
  ack_table_init(&table, &loop, on_expired);

  /* Lists keep emit order and find by id. */
  ack_add(&table, &one, &waits[0], 0, 40);
  ack_add(&table, &two, &waits[1], 1, 10);
  ack_add(&table, &one, &waits[2], 2, 0);  /* no deadline */
  ack_add(&table, &two, &waits[3], 3, 10); /* the same deadline as 1, added after it */
  ack_add(&table, &one, &waits[4], 4, 20);
  ack_add(&table, &two, &waits[5], 5, 20);
  CHECK(one.head == &waits[0] && one.tail == &waits[4] && waits[0].next == &waits[2]);
  CHECK(ack_find(&one, 4) == &waits[4] && ack_find(&two, 4) == NULL);
  /* Answered: out of the list and of the deadlines. */
  ack_remove(&waits[5]);
  CHECK(ack_find(&two, 5) == NULL && two.tail == &waits[3]);
  CHECK(waits[5].deadline != 0); /* left for the owner to read */

  re_add = 1;
  run(&loop);
  /* By deadline, equal ones in the order added; 5 was removed, 2 has none;
   * 7, added while 0 expired, waited for its own deadline. */
  CHECK(nexpired == 5);
  int64_t order[] = {1, 3, 4, 0, 7};
  for (int i = 0; i < 5; i++) CHECK(expired[i] == order[i]);
  CHECK(one.head == &waits[2] && one.tail == &waits[2] && !two.head && !two.tail);

  /* Closed: nothing more expires. */
  re_add = 0;
  ack_add(&table, &two, &waits[6], 6, 5);
  CHECK(ack_table_close(&table, &closed, on_closed) == 1);
  CHECK(ack_table_close(&table, &closed, on_closed) == 0); /* once */
  run(&loop);
  CHECK(nexpired == 5 && closed == 1);
  CHECK(uv_loop_close(&loop) == 0);
  return 0;
}
