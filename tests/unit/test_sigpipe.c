/* A peer that resets its connection while the server writes to it must not
 * end the host's process: on the I/O thread, where every socket write
 * happens, a write to a closed peer fails with EPIPE instead of raising
 * SIGPIPE (whose default action, left in place here as a host leaves it,
 * would kill this test). */
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "pump/context.h"

typedef struct write_cmd {
  cmd base;
  ssize_t written;
  int err;
} write_cmd;

static void run_write(cmd *c) {
  write_cmd *w = (write_cmd *)c;
  int fds[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  close(fds[1]);
  w->written = write(fds[0], "x", 1);
  w->err = errno;
  close(fds[0]);
}

int main(void) {
  CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
  struct sio_context *ctx = ctx_alloc();
  CHECK(ctx && ctx_start(ctx) == 0);
  write_cmd w = {.written = 0};
  w.base.run = run_write;
  cmdq_call(&ctx->cmdq, &w.base);
  CHECK(w.written == -1 && w.err == EPIPE);
  ctx_stop(ctx);
  free(ctx);
  puts("test_sigpipe: ok");
  return 0;
}
