/* State shared by the parts of the scenario driver (run.c: connections and
 * phases, traffic.c: events and replies, report.c: the result line). One
 * process runs one scenario, so it lives in one place. */
#ifndef LOADGEN_RUN_STATE_H
#define LOADGEN_RUN_STATE_H

#include <netinet/in.h>
#include <stdint.h>

#include "client.h"
#include "latency.h"
#include "options.h"
#include "proc_status.h"
#include "transport.h"

#define BCAST_RING BCAST_MAX_WINDOW

enum run_phase {
  RUN_CONNECTING, /* launching clients until all are ready or failed */
  RUN_WARMUP,     /* traffic flows, nothing is counted */
  RUN_MEASURING,  /* traffic flows and is counted */
  RUN_SETTLING,   /* idle: connections held before the memory is read */
  RUN_DONE,
};

struct run_state {
  const struct options *o;
  const struct transport_ops *transport;
  struct sockaddr_in dst;
  struct sockaddr_in dst2; /* --port2's node */
  struct client *clients;
  struct client *dirty; /* clients to flush at the end of the loop turn */

  enum run_phase phase;
  uint64_t phase_deadline;
  unsigned launched, handshaking, ready, failures;
  uint64_t first_launch_at, all_settled_at;
  uint64_t measure_start, measure_end;

  char *payload; /* `size` bytes sent as the event's argument */
  struct bytebuf packet; /* scratch for building packets */

  /* counted while measuring */
  uint64_t sent, received, bcasts_completed;
  struct latency latency;
  struct latency cross_latency; /* bcast deliveries to clients on --port2's node */
  struct latency connect_latency; /* launch to joined, over the whole connect phase */

  /* broadcast bookkeeping, by broadcast sequence number & (BCAST_RING - 1) */
  uint64_t bcast_sent, bcast_done;
  uint64_t *bcast_sent_at;
  uint32_t *bcast_deliveries;

  /* rate-limited traffic */
  uint64_t rate_start, rate_sent;
  unsigned rate_cursor;

  struct proc_memory memory_before, memory_after;
};

extern struct run_state run_state;

/* traffic.c */
void traffic_start(void);
void traffic_pace(uint64_t now);
void traffic_on_reply(struct client *c, const struct wire_packet *w);
void traffic_on_client_lost(void);
bool traffic_flowing(void);

#endif
