#include "proc_status.h"

#include <stdio.h>
#include <string.h>

int proc_memory_read(int pid, struct proc_memory *out) {
  out->rss_kb = out->hwm_kb = -1;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) {
    return -1;
  }
  char line[256];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmRSS:", 6) == 0) {
      sscanf(line + 6, "%ld", &out->rss_kb);
    } else if (strncmp(line, "VmHWM:", 6) == 0) {
      sscanf(line + 6, "%ld", &out->hwm_kb);
    }
  }
  fclose(f);
  return 0;
}
