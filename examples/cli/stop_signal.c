#include "stop_signal.h"

volatile sig_atomic_t stop_requested;
static sio_context *wake_ctx;

/* The handler only flags and wakes the pump: nothing else is safe here. */
static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
  if (wake_ctx) sio_context_wakeup(wake_ctx);
}

void stop_signal_catch(sio_context *ctx) {
  wake_ctx = ctx;
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}
