#include "command_queue.h"
#include "queue_lock.h"

#include <stdlib.h>
#include <string.h>

/* Pooled blocks kept at most (2 MiB); past it the I/O thread frees them
 * itself. */
#define MAX_POOL 4096

static void free_list(cmd *c) {
  while (c) {
    cmd *n = c->next;
    free(c);
    c = n;
  }
}

int cmdq_init(command_queue *q, uv_loop_t *loop, uv_async_cb drain_cb) {
  q->head = q->tail = NULL;
  q->pool = q->large = q->spent = q->retired = NULL;
  q->npool = q->large_bytes = 0;
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
  free_list(q->pool);
  free_list(q->large);
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
  uv_mutex_unlock(&q->lock);
  uv_async_send(&q->async);
  free_list(spent);
}

/* Under the lock: the first kept large block of at least size bytes. */
static cmd *take_large(command_queue *q, size_t size) {
  for (cmd **at = &q->large; *at; at = &(*at)->next) {
    cmd *c = *at;
    if (c->size < size) continue;
    *at = c->next;
    q->large_bytes -= c->size;
    return c;
  }
  return NULL;
}

void *cmdq_alloc(command_queue *q, size_t size, size_t zeroed) {
  if (zeroed < sizeof(cmd)) zeroed = sizeof(cmd);
  int pooled = size <= CMDQ_BLOCK;
  cmd *c = NULL;
  uv_mutex_lock(&q->lock);
  if (!pooled) {
    c = take_large(q, size);
  } else if ((c = q->pool)) {
    q->pool = c->next;
    q->npool--;
  }
  uv_mutex_unlock(&q->lock);
  size_t have = c ? c->size : pooled ? CMDQ_BLOCK : size;
  if (!c && !(c = malloc(have))) return NULL;
  memset(c, 0, zeroed);
  c->size = have;
  return c;
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
  /* Sorted outside the lock, so that under it each list is one splice. */
  cmd *pooled = NULL, *pooled_last = NULL, *spent = NULL, *spent_last = NULL;
  size_t npooled = 0;
  for (cmd *r = q->retired, *n; r; r = n) {
    n = r->next;
    if (r->size <= CMDQ_BLOCK) {
      r->next = pooled;
      pooled = r;
      if (!pooled_last) pooled_last = r;
      npooled++;
    } else {
      r->next = spent;
      spent = r;
      if (!spent_last) spent_last = r;
    }
  }
  q->retired = NULL;
  if (!pooled && !spent) return;
  uv_mutex_lock(&q->lock);
  if (pooled && q->npool + npooled <= MAX_POOL) {
    pooled_last->next = q->pool;
    q->pool = pooled;
    q->npool += npooled;
    pooled = NULL;
  }
  while (spent && q->large_bytes + spent->size <= CMDQ_LARGE_KEPT) {
    cmd *n = spent->next;
    spent->next = q->large;
    q->large = spent;
    q->large_bytes += spent->size;
    spent = n;
  }
  if (spent) {
    spent_last->next = q->spent;
    q->spent = spent;
  }
  uv_mutex_unlock(&q->lock);
  free_list(pooled);
}

void cmdq_retire(command_queue *q, cmd *c) {
  c->next = q->retired;
  q->retired = c;
}
