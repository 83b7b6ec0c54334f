#include <stdarg.h>
#include <stdio.h>

#include "abi_internal.h"

static _Thread_local char last_error_[512];

int abi_fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error_, sizeof(last_error_), fmt, ap);
  va_end(ap);
  return code;
}

const char *sio_last_error(void) { return last_error_; }

const char *sio_strerror(int code) {
  switch (code) {
    case SIO_OK: return "success";
    case SIO_EINVAL: return "invalid argument";
    case SIO_ENOMEM: return "out of memory";
    case SIO_ECLOSED: return "closed";
    case SIO_EBUSY: return "another thread is pumping this context";
    case SIO_ERESERVED: return "reserved event name";
    case SIO_ENOTFOUND: return "not found";
    case SIO_ETIMEDOUT: return "operation has timed out";
    case SIO_EDISCONNECTED: return "socket has been disconnected";
    case SIO_EADDRINUSE: return "address already in use";
    case SIO_EIO: return "input/output error";
    case SIO_EPROTO: return "protocol error";
    case SIO_ETOOBIG: return "payload too large";
    default: return "unknown error";
  }
}
