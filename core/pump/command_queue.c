#include "command_queue.h"

#include <stdlib.h>

int cmdq_init(command_queue *q, uv_loop_t *loop, uv_async_cb drain_cb) {
  q->head = q->tail = NULL;
  if (uv_mutex_init(&q->lock)) return -1;
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
  uv_mutex_unlock(&q->lock);
  uv_async_send(&q->async);
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
  while (c) {
    cmd *n = c->next;
    uv_sem_t *done = c->done;
    c->run(c);
    if (done) uv_sem_post(done);
    c = n;
  }
}
