#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "abi_internal.h"

int sio_context_new(sio_context **out) {
  if (!out) return abi_fail(SIO_EINVAL, "sio_context_new: out is NULL");
  *out = NULL;
  sio_context *ctx = ctx_alloc();
  if (!ctx) return abi_fail(SIO_ENOMEM, "sio_context_new: out of memory");
  if (ctx_start(ctx)) {
    free(ctx);
    return abi_fail(SIO_EIO, "sio_context_new: cannot start the I/O thread");
  }
  *out = ctx;
  return 0;
}

void sio_context_free(sio_context *ctx) {
  if (!ctx) return;
  ctx_stop(ctx);
  free(ctx);
}

int sio_context_fd(const sio_context *ctx) {
  if (!ctx) return abi_fail(SIO_EINVAL, "sio_context_fd: ctx is NULL");
  return ctx->evq.fd;
}

int sio_context_wakeup(sio_context *ctx) {
  if (!ctx) return abi_fail(SIO_EINVAL, "sio_context_wakeup: ctx is NULL");
  atomic_store(&ctx->woken, 1);
  evq_poke(&ctx->evq);
  return 0;
}

static int wait_readable(int fd, int timeout_ms) {
  struct pollfd p = {fd, POLLIN, 0};
  int n;
  do n = poll(&p, 1, timeout_ms);
  while (n < 0 && errno == EINTR);
  return n;
}

/* Both pumps: waits as sio_next_event() documents, then takes up to max
 * events; the ones taken before are handed back to the queue first. */
static int pump(sio_context *ctx, int timeout_ms, size_t max, ev_rec **first) {
  *first = NULL;
  if (atomic_exchange(&ctx->pumping, 1)) return SIO_EBUSY;
  size_t n = 0;
  for (;;) {
    n = ctx_take_events(ctx, max, first);
    if (n) break;
    if (atomic_exchange(&ctx->woken, 0) || timeout_ms == 0) break;
    /* Waits the whole timeout again after a spurious wake: good enough for
     * a pump that is called in a loop. */
    if (wait_readable(ctx->evq.fd, timeout_ms) == 0) break;
  }
  atomic_store(&ctx->pumping, 0);
  return (int)n;
}

int sio_next_event(sio_context *ctx, int timeout_ms, const sio_event **out) {
  if (!ctx || !out) return abi_fail(SIO_EINVAL, "sio_next_event: NULL argument");
  *out = NULL;
  ev_rec *r;
  int n = pump(ctx, timeout_ms, 1, &r);
  if (n == SIO_EBUSY)
    return abi_fail(SIO_EBUSY, "sio_next_event: another thread is pumping this context");
  if (n) *out = &r->ev;
  return n;
}

int sio_next_events(sio_context *ctx, int timeout_ms, const sio_event **out,
                               size_t max) {
  if (!ctx || !out) return abi_fail(SIO_EINVAL, "sio_next_events: NULL argument");
  if (max == 0 || max > INT_MAX)
    return abi_fail(SIO_EINVAL, "sio_next_events: max must be between 1 and INT_MAX");
  ev_rec *r;
  int n = pump(ctx, timeout_ms, max, &r);
  if (n == SIO_EBUSY)
    return abi_fail(SIO_EBUSY, "sio_next_events: another thread is pumping this context");
  for (int i = 0; i < n; i++, r = r->next) out[i] = &r->ev;
  return n;
}
