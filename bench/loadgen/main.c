/* loadgen: drives any Socket.IO v5 server over its wire protocol with
 * simulated clients and prints one JSON line of results. See options.c for
 * the command line and run.c for what each scenario does. */
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "options.h"
#include "run.h"

#define EVENTS_PER_WAIT 512

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

int main(int argc, char **argv) {
  struct options o;
  if (!options_parse(argc, argv, &o)) {
    return 2;
  }
  rlim_t per_client = o.transport == TRANSPORT_POLLING ? 2 : 1;
  raise_fd_limit((rlim_t)o.clients * per_client + 64);
  signal(SIGPIPE, SIG_IGN);

  int epfd = epoll_create1(EPOLL_CLOEXEC);
  run_init(&o, epfd);
  struct epoll_event events[EVENTS_PER_WAIT];
  while (!run_finished()) {
    int n = epoll_wait(epfd, events, EVENTS_PER_WAIT, run_timeout_ms());
    for (int i = 0; i < n; i++) {
      run_dispatch(events[i].data.ptr, events[i].events);
    }
    run_step();
    run_flush();
  }
  return run_report(stdout);
}
