/* Commands from host threads to the I/O thread. A command is a struct that
 * starts with `cmd`; `run` executes it on the I/O thread and frees it. */
#ifndef SIO_COMMAND_QUEUE_H
#define SIO_COMMAND_QUEUE_H
#include <uv.h>

typedef struct cmd {
  struct cmd *next;
  void (*run)(struct cmd *c);
  uv_sem_t *done; /* posted after run when a caller waits for it */
  size_t size;    /* bytes cmdq_alloc allocated: CMDQ_BLOCK for a pooled block */
} cmd;

/* The size of the blocks cmdq_alloc recycles: an emit to one socket with a
 * small payload fits. */
#define CMDQ_BLOCK 512
/* Bytes of larger retired blocks kept for reuse. Large payloads (16 KiB
 * emits) freed a batch at a time made glibc trim the host's heap and fault
 * it back in: at 20 clients x 8 in flight, 2.3 us of system time per emit
 * on the host thread. */
#define CMDQ_LARGE_KEPT (1024 * 1024)

typedef struct command_queue {
  uv_mutex_t lock;
  cmd *head, *tail;
  /* Commands run and retired (cmdq_retire). The pooled blocks wait for
   * cmdq_alloc to reuse them; the others are freed by the next push, on the
   * host's side where they were allocated, since glibc frees a block cheaply
   * only on the thread whose arena it came from. Freeing a whole batch of
   * blocks at once would instead shrink the heap and grow it back on the
   * next batch: a brk pair, page faults and a TLB shootdown of the I/O
   * thread's core, hundreds of times a second under load. */
  cmd *pool;
  size_t npool;
  cmd *large; /* retired blocks above CMDQ_BLOCK, for cmdq_alloc to reuse */
  size_t large_bytes;
  cmd *spent;
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
/* Any thread: a block of at least size bytes for a command, to be pushed,
 * with its first `zeroed` bytes (at least the cmd header) zeroed and the rest
 * uninitialised; NULL when out of memory. Small ones come from the pool of
 * retired blocks, large ones from the retired large blocks when one is big
 * enough. */
void *cmdq_alloc(command_queue *q, size_t size, size_t zeroed);
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
