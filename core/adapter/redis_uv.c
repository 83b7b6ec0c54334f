#include "redis_uv.h"

#include <stdlib.h>

typedef struct redis_uv {
  redisAsyncContext *ac; /* NULL once hiredis let go of it */
  uv_poll_t poll;
  int events;
} redis_uv;

static void on_poll(uv_poll_t *h, int status, int events) {
  redis_uv *p = h->data;
  /* On an error libuv has stopped the poll: what was waited for is handed
   * on, and hiredis's read or write finds the error itself. */
  int ready = status ? p->events : events;
  if (p->ac && (ready & UV_READABLE)) redisAsyncHandleRead(p->ac);
  if (p->ac && (ready & UV_WRITABLE)) redisAsyncHandleWrite(p->ac);
}

static void update(redis_uv *p, int events) {
  p->events = events;
  if (events)
    uv_poll_start(&p->poll, events, on_poll);
  else
    uv_poll_stop(&p->poll);
}

static void add_read(void *d) { update(d, ((redis_uv *)d)->events | UV_READABLE); }
static void del_read(void *d) { update(d, ((redis_uv *)d)->events & ~UV_READABLE); }
static void add_write(void *d) { update(d, ((redis_uv *)d)->events | UV_WRITABLE); }
static void del_write(void *d) { update(d, ((redis_uv *)d)->events & ~UV_WRITABLE); }

static void on_closed(uv_handle_t *h) { free(h->data); }

static void cleanup(void *d) {
  redis_uv *p = d;
  p->ac = NULL;
  uv_close((uv_handle_t *)&p->poll, on_closed);
}

int redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop) {
  if (ac->ev.data) return -1;
  redis_uv *p = calloc(1, sizeof(*p));
  if (!p) return -1;
  if (uv_poll_init(loop, &p->poll, ac->c.fd) != 0) {
    free(p);
    return -1;
  }
  p->ac = ac;
  p->poll.data = p;
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  ac->ev.data = p;
  return 0;
}
