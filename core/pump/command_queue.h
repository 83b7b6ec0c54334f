/* Commands from host threads to the I/O thread. A command is a struct that
 * starts with `cmd`; `run` executes it on the I/O thread and frees it. */
#ifndef SIO_COMMAND_QUEUE_H
#define SIO_COMMAND_QUEUE_H
#include <uv.h>

typedef struct cmd {
  struct cmd *next;
  void (*run)(struct cmd *c);
  uv_sem_t *done; /* posted after run when a caller waits for it */
} cmd;

typedef struct command_queue {
  uv_mutex_t lock;
  cmd *head, *tail;
  /* Commands run and retired (cmdq_retire), freed by the next push on the
   * host's side, where they were allocated: glibc frees a block cheaply
   * only on the thread whose arena it came from. */
  cmd *spent;
  size_t nspent;
  /* I/O thread only: retired during the current run. On a cache line of
   * its own, away from what pushers write. */
  _Alignas(64) cmd *retired;
  uv_async_t async; /* wakes the I/O thread */
} command_queue;

/* On the I/O thread, before it runs. drain_cb calls cmdq_run_all(). */
int cmdq_init(command_queue *q, uv_loop_t *loop, uv_async_cb drain_cb);
/* On the I/O thread: closes the async handle (the loop must run once more). */
void cmdq_close(command_queue *q);
/* After the loop ended: frees the commands never run. */
void cmdq_destroy(command_queue *q);
/* Any thread. */
void cmdq_push(command_queue *q, cmd *c);
/* Any thread but the I/O thread: pushes c and waits until it has run. */
void cmdq_call(command_queue *q, cmd *c);
/* I/O thread: runs every queued command, in order. */
void cmdq_run_all(command_queue *q);
/* I/O thread, from a command's run, instead of free(c): c is freed later by
 * a thread that pushes commands. */
void cmdq_retire(command_queue *q, cmd *c);
#endif
