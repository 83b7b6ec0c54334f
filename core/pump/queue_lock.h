/* The lock of the event and command queues. Both threads take it for a few
 * instructions, about a million times a second under load: a plain mutex
 * sends the loser to sleep in the kernel (a futex wait, and a wake for the
 * winner), where spinning briefly finds it free. glibc's adaptive mutex
 * spins before it sleeps. */
#ifndef SIO_QUEUE_LOCK_H
#define SIO_QUEUE_LOCK_H
#include <uv.h>

/* 0 or -1; destroyed with uv_mutex_destroy. */
int queue_lock_init(uv_mutex_t *m);
#endif
