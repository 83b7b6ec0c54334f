/* Per-thread state kept by a module (a pool, a cache) is freed by hooks the
 * module adds on that thread; whoever owns the thread runs them as it ends.
 * The owner (the context's I/O thread) then knows no module, and a module
 * needs no call from it. */
#ifndef SIO_THREAD_HOOKS_H
#define SIO_THREAD_HOOKS_H

/* A module's hook: one _Thread_local per module, so that adding is free of
 * allocation. */
typedef struct thread_hook {
  void (*run)(void);
  struct thread_hook *next;
  int added;
} thread_hook;

/* The calling thread will run its hooks (thread_hooks_end) before it ends:
 * modules may keep state on it that only a hook frees. */
void thread_hooks_begin(void);
/* 1 between thread_hooks_begin and thread_hooks_end on this thread. */
int thread_hooks_active(void);
/* Adds h to this thread's hooks unless it is there already. */
void thread_hooks_add(thread_hook *h);
/* Runs this thread's hooks, the last added first, and forgets them. */
void thread_hooks_end(void);
#endif
