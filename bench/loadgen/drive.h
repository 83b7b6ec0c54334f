/* Runs one scenario to its end: the loop of the loadgen program, shared
 * with `sio bench` (examples/cli), which shows its progress. */
#ifndef LOADGEN_DRIVE_H
#define LOADGEN_DRIVE_H

#include <stdint.h>
#include <stdio.h>

#include "options.h"

struct loadgen_progress {
  const char *phase; /* "connecting", "warmup", "measuring", "settling", "done" */
  unsigned clients, ready, failures;
  uint64_t received; /* replies counted in the measuring phase so far */
};

typedef void loadgen_progress_fn(const struct loadgen_progress *p, void *arg);

/* Runs the scenario of o, prints the JSON result line on out and returns
 * the exit code (run_report). on_progress (may be NULL) is called about
 * every 200 ms and once at the end. One run per process: the scenario's
 * state is the process's. */
int loadgen_drive(const struct options *o, FILE *out, loadgen_progress_fn *on_progress,
                  void *arg);

#endif
