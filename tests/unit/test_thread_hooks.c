/* Thread hooks: each runs once, the last added first, only on the thread
 * that added it; the modules' per-thread state (rbuf's pool) hangs on them. */
#include <pthread.h>

#include "check.h"
#include "util/rbuf.h"
#include "util/thread_hooks.h"

static _Thread_local char order[8];
static _Thread_local int norder;

static void run_a(void) { order[norder++] = 'a'; }
static void run_b(void) { order[norder++] = 'b'; }

static void *hooks_in_order(void *arg) {
  (void)arg;
  static _Thread_local thread_hook a = {run_a, NULL, 0}, b = {run_b, NULL, 0};
  CHECK(!thread_hooks_active());
  thread_hooks_begin();
  CHECK(thread_hooks_active());
  thread_hooks_add(&a);
  thread_hooks_add(&b);
  thread_hooks_add(&a); /* already there: still runs once */
  thread_hooks_end();
  CHECK(norder == 2 && order[0] == 'b' && order[1] == 'a');
  CHECK(!thread_hooks_active());
  thread_hooks_end(); /* forgotten: nothing runs again */
  CHECK(norder == 2);
  return NULL;
}

/* rbuf keeps a freed small buffer for reuse only where hooks run, and its
 * hook frees what it kept (under ASan, a leak otherwise). A block the
 * allocator hands out in between does not take it. */
static void *rbuf_pools_with_hooks(void *arg) {
  (void)arg;
  thread_hooks_begin();
  rbuf *p = rbuf_new(10, 0);
  CHECK(p);
  rbuf_unref(p);
  void *other = malloc(256);
  rbuf *q = rbuf_new(10, 0);
  CHECK(q == p);
  rbuf_unref(q);
  free(other);
  for (int i = 0; i < 8; i++) rbuf_unref(rbuf_new(10, 0));
  thread_hooks_end();
  return NULL;
}

static void on_thread(void *(*fn)(void *)) {
  pthread_t t;
  CHECK(pthread_create(&t, NULL, fn, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);
}

int main(void) {
  on_thread(hooks_in_order);
  on_thread(rbuf_pools_with_hooks);
  on_thread(hooks_in_order); /* a new thread starts with no hooks */
  return 0;
}
