#include "command_queue.h"
#include "queue_lock.h"

#include <stdlib.h>

/* Retired commands kept for the pushers at most; past it the I/O thread
 * frees them itself. */
#define MAX_SPENT 4096

static void free_list(cmd *c) {
  while (c) {
    cmd *n = c->next;
    free(c);
    c = n;
  }
}

int cmdq_init(command_queue *q, uv_loop_t *loop, uv_async_cb drain_cb) {
  q->head = q->tail = NULL;
  q->spent = q->retired = NULL;
  q->nspent = 0;
  if (queue_lock_init(&q->lock)) return -1;
  if (uv_async_init(loop, &q->async, drain_cb)) {
    uv_mutex_destroy(&q->lock);
    return -1;
  }
  q->async.data = q;
  return 0;
}

void cmdq_close(command_queue *q) { uv_close((uv_handle_t *)&q->async, NULL); }

void cmdq_destroy(command_queue *q) {
  cmd *c = q->head;
  while (c) {
    cmd *n = c->next;
    if (c->done)
      uv_sem_post(c->done);
    else
      free(c);
    c = n;
  }
  free_list(q->spent);
  free_list(q->retired);
  uv_mutex_destroy(&q->lock);
}

void cmdq_push(command_queue *q, cmd *c) {
  c->next = NULL;
  uv_mutex_lock(&q->lock);
  if (q->tail)
    q->tail->next = c;
  else
    q->head = c;
  q->tail = c;
  cmd *spent = q->spent;
  q->spent = NULL;
  q->nspent = 0;
  uv_mutex_unlock(&q->lock);
  uv_async_send(&q->async);
  free_list(spent);
}

void cmdq_call(command_queue *q, cmd *c) {
  uv_sem_t done;
  uv_sem_init(&done, 0);
  c->done = &done;
  cmdq_push(q, c);
  uv_sem_wait(&done);
  uv_sem_destroy(&done);
}

void cmdq_run_all(command_queue *q) {
  uv_mutex_lock(&q->lock);
  cmd *c = q->head;
  q->head = q->tail = NULL;
  uv_mutex_unlock(&q->lock);
  size_t nretired = 0;
  while (c) {
    cmd *n = c->next;
    uv_sem_t *done = c->done;
    cmd *before = q->retired;
    c->run(c);
    if (q->retired != before) nretired++;
    if (done) uv_sem_post(done);
    c = n;
  }
  if (!q->retired) return;
  cmd *retired = q->retired;
  q->retired = NULL;
  uv_mutex_lock(&q->lock);
  if (q->nspent + nretired <= MAX_SPENT) {
    cmd *last = retired;
    while (last->next) last = last->next;
    last->next = q->spent;
    q->spent = retired;
    q->nspent += nretired;
    retired = NULL;
  }
  uv_mutex_unlock(&q->lock);
  free_list(retired);
}

void cmdq_retire(command_queue *q, cmd *c) {
  c->next = q->retired;
  q->retired = c;
}
