#include "pump_fault.h"

atomic_int pump_fault_armed;
static atomic_int left[PUMP_FAULT_SITES];
static atomic_int armed_type;

void pump_fault_arm(enum pump_fault_site site, int event_type, int n) {
  if (site == PUMP_FAULT_EVENT) atomic_store(&armed_type, event_type);
  atomic_store(&left[site], n);
  int any = 0;
  for (int i = 0; i < PUMP_FAULT_SITES; i++) any |= atomic_load(&left[i]) > 0;
  atomic_store(&pump_fault_armed, any);
}

int pump_fault_pending(enum pump_fault_site site) { return atomic_load(&left[site]); }

int pump_fault_take(enum pump_fault_site site, int event_type) {
  if (site == PUMP_FAULT_EVENT && event_type != atomic_load(&armed_type)) return 0;
  int n = atomic_load(&left[site]);
  while (n > 0)
    if (atomic_compare_exchange_weak(&left[site], &n, n - 1)) return 1;
  return 0;
}
