#include "thread_hooks.h"

#include <stddef.h>

static _Thread_local int active;
static _Thread_local thread_hook *hooks;

void thread_hooks_begin(void) { active = 1; }

int thread_hooks_active(void) { return active; }

void thread_hooks_add(thread_hook *h) {
  if (h->added) return;
  h->added = 1;
  h->next = hooks;
  hooks = h;
}

void thread_hooks_end(void) {
  active = 0;
  while (hooks) {
    thread_hook *h = hooks;
    hooks = h->next;
    h->added = 0;
    h->run();
  }
}
