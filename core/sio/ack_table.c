#include "ack_table.h"

#include <stddef.h>

static void on_timer(uv_timer_t *timer);

/* Makes the timer fire by deadline. Only ever brought forward here, so that
 * adding a wait costs O(1); waits answered early leave the timer to fire
 * for nothing, and it is then set again from the earliest one left. */
static void arm_for(ack_table *t, uint64_t deadline) {
  if (!t->open || (t->due && t->due <= deadline)) return;
  uint64_t now = uv_now(t->timer.loop);
  t->due = deadline;
  uv_timer_start(&t->timer, on_timer, deadline > now ? deadline - now : 0, 0);
}

static void on_timer(uv_timer_t *timer) {
  ack_table *t = timer->data;
  uint64_t now = uv_now(timer->loop);
  t->due = 0;
  /* A wait added while expiring is due no sooner than now + its timeout:
   * the loop ends. */
  while (t->first && t->first->deadline <= now) {
    ack_wait *w = t->first;
    ack_remove(w);
    t->expire(t, w);
  }
  if (t->first) arm_for(t, t->first->deadline);
}

void ack_table_init(ack_table *t, uv_loop_t *loop, ack_expire_fn expire) {
  t->first = t->last = NULL;
  t->due = 0;
  t->expire = expire;
  uv_timer_init(loop, &t->timer);
  t->timer.data = t;
  t->open = 1;
}

int ack_table_close(ack_table *t, void *data, uv_close_cb cb) {
  if (!t->open) return 0;
  t->open = 0;
  t->timer.data = data; /* the timer no longer fires: on_timer needs t no more */
  uv_close((uv_handle_t *)&t->timer, cb);
  return 1;
}

void ack_add(ack_table *t, ack_list *l, ack_wait *w, int64_t id, uint64_t timeout_ms) {
  w->id = id;
  w->list = l;
  w->table = t;
  w->next = NULL;
  w->prev = l->tail;
  if (l->tail)
    l->tail->next = w;
  else
    l->head = w;
  l->tail = w;
  w->dprev = w->dnext = NULL;
  w->deadline = 0;
  if (!timeout_ms) return;
  w->deadline = uv_now(t->timer.loop) + timeout_ms;
  /* Most timeouts are equal, so the new deadline is the latest: the walk
   * back ends at once. Equal deadlines keep the order they were added in. */
  ack_wait *after = t->last;
  while (after && after->deadline > w->deadline) after = after->dprev;
  w->dprev = after;
  w->dnext = after ? after->dnext : t->first;
  if (w->dnext)
    w->dnext->dprev = w;
  else
    t->last = w;
  if (after)
    after->dnext = w;
  else
    t->first = w;
  arm_for(t, w->deadline);
}

ack_wait *ack_find(const ack_list *l, int64_t id) {
  ack_wait *w = l->head;
  while (w && w->id != id) w = w->next;
  return w;
}

void ack_remove(ack_wait *w) {
  ack_list *l = w->list;
  if (w->prev)
    w->prev->next = w->next;
  else
    l->head = w->next;
  if (w->next)
    w->next->prev = w->prev;
  else
    l->tail = w->prev;
  w->prev = w->next = NULL;
  if (!w->deadline) return;
  ack_table *t = w->table;
  if (w->dprev)
    w->dprev->dnext = w->dnext;
  else
    t->first = w->dnext;
  if (w->dnext)
    w->dnext->dprev = w->dprev;
  else
    t->last = w->dprev;
  w->dprev = w->dnext = NULL;
}
