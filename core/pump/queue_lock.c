#define _GNU_SOURCE
#include "queue_lock.h"

#include <pthread.h>

int queue_lock_init(uv_mutex_t *m) {
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
  pthread_mutexattr_t attr;
  if (pthread_mutexattr_init(&attr)) return -1;
  int rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP) ||
           pthread_mutex_init(m, &attr);
  pthread_mutexattr_destroy(&attr);
  return rc ? -1 : 0;
#else
  return uv_mutex_init(m);
#endif
}
