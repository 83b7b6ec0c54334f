/* Allocation failures on demand, for the tests of what the pump does out of
 * memory. Internal: the library exports none of this, and while no test arms
 * a failure each check is one relaxed load of a flag nobody writes. */
#ifndef SIO_PUMP_FAULT_H
#define SIO_PUMP_FAULT_H
#include <stdatomic.h>

/* Where an allocation can be made to fail. */
enum pump_fault_site {
  PUMP_FAULT_EVENT,  /* ev_new of the armed event type */
  PUMP_FAULT_RESUME, /* the command that resumes reading (ctx_events_drained) */
  PUMP_FAULT_SITES
};

extern atomic_int pump_fault_armed;

/* Any thread: the next n allocations at site fail; for PUMP_FAULT_EVENT,
 * only those of events of type event_type. n = 0 disarms the site. */
void pump_fault_arm(enum pump_fault_site site, int event_type, int n);
/* Failures armed at site and not yet made. */
int pump_fault_pending(enum pump_fault_site site);
/* 1 when this allocation at site (of an event of event_type) is to fail. */
int pump_fault_take(enum pump_fault_site site, int event_type);

static inline int pump_fault(enum pump_fault_site site, int event_type) {
  if (__builtin_expect(!atomic_load_explicit(&pump_fault_armed, memory_order_relaxed), 1))
    return 0;
  return pump_fault_take(site, event_type);
}
#endif
