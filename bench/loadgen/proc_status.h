/* Reads another process's memory figures from /proc/PID/status. */
#ifndef LOADGEN_PROC_STATUS_H
#define LOADGEN_PROC_STATUS_H

struct proc_memory {
  long rss_kb; /* VmRSS: resident now */
  long hwm_kb; /* VmHWM: the peak resident size */
};

/* Returns 0, or -1 when the process is gone (figures then -1). */
int proc_memory_read(int pid, struct proc_memory *out);

#endif
