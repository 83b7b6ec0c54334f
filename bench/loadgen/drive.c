#include "drive.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "monotime.h"
#include "run.h"
#include "run_state.h"

#define EVENTS_PER_WAIT 512
#define PROGRESS_EVERY_US 200000

/* Each client needs one descriptor (two when polling); 50,000 clients need
 * far more than the usual soft limit of 1024. */
static void raise_fd_limit(rlim_t wanted) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= wanted) {
    return;
  }
  lim.rlim_cur = wanted;
  if (lim.rlim_max < wanted) {
    lim.rlim_max = wanted; /* allowed when running as root */
  }
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    fprintf(stderr, "loadgen: descriptor limit is %llu, clients may fail\n",
            (unsigned long long)lim.rlim_max);
  }
}

static void report_progress(loadgen_progress_fn *on_progress, void *arg) {
  static const char *const names[] = {"connecting", "warmup", "measuring", "settling", "done"};
  struct loadgen_progress p = {names[run_state.phase], run_state.o->clients, run_state.ready,
                               run_state.failures, run_state.received};
  on_progress(&p, arg);
}

int loadgen_drive(const struct options *o, FILE *out, loadgen_progress_fn *on_progress,
                  void *arg) {
  rlim_t per_client = o->transport == TRANSPORT_POLLING ? 2 : 1;
  raise_fd_limit((rlim_t)o->clients * per_client + 64);
  signal(SIGPIPE, SIG_IGN);

  int epfd = epoll_create1(EPOLL_CLOEXEC);
  run_init(o, epfd);
  uint64_t next_progress = monotime_us() + PROGRESS_EVERY_US;
  struct epoll_event events[EVENTS_PER_WAIT];
  while (!run_finished()) {
    int n = epoll_wait(epfd, events, EVENTS_PER_WAIT, run_timeout_ms());
    for (int i = 0; i < n; i++) {
      run_dispatch(events[i].data.ptr, events[i].events);
    }
    run_step();
    run_flush();
    if (on_progress && monotime_us() >= next_progress) {
      report_progress(on_progress, arg);
      next_progress = monotime_us() + PROGRESS_EVERY_US;
    }
  }
  if (on_progress) {
    report_progress(on_progress, arg);
  }
  return run_report(out);
}
