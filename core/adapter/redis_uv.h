/* hiredis's event hooks on a libuv loop, as its libuv adapter sets them, with
 * the fix of hiredis 1.x: when the poll reports an error (a refused connect
 * makes libuv report UV_EBADF), hiredis still gets its read or write call
 * and so learns of the failure. The adapter of Debian 12's hiredis 0.14
 * drops it, and such a connection would hang forever. */
#ifndef SIO_REDIS_UV_H
#define SIO_REDIS_UV_H
#include <uv.h>

#include <hiredis/async.h>

/* 0, or -1 (out of memory, or a bad descriptor). */
int redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop);
#endif
