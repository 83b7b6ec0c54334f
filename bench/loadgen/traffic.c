/* The events clients send and the replies they count: echo and ack keep a
 * window of events in flight per client (or follow a fixed total rate), bcast
 * keeps a window of broadcasts in flight from client 0 until every client
 * has received them. */
#include <stdlib.h>

#include "monotime.h"
#include "run.h"
#include "run_state.h"
#include "wire_msgpack.h"

#define RS run_state

bool traffic_flowing(void) { return RS.phase == RUN_WARMUP || RS.phase == RUN_MEASURING; }

static bool counting(void) { return RS.phase == RUN_MEASURING; }

static void send_with_payload(struct client *c, const char *event, long ack_id) {
  RS.packet.start = RS.packet.end = 0;
  if (RS.o->msgpack) {
    wire_msgpack_event(&RS.packet, event, ack_id, RS.payload, RS.o->size, RS.o->binary);
    RS.transport->send_binary(c, bytebuf_head(&RS.packet), bytebuf_len(&RS.packet));
    return;
  }
  wire_event(&RS.packet, event, ack_id, RS.payload, RS.o->size, RS.o->binary);
  RS.transport->send_text(c, bytebuf_head(&RS.packet), bytebuf_len(&RS.packet));
  if (RS.o->binary) {
    RS.transport->send_binary(c, RS.payload, RS.o->size);
  }
}

static void send_event(struct client *c) {
  uint64_t seq = c->sent_seq++;
  c->sent_at[seq & c->ring_mask] = monotime_us();
  c->in_flight++;
  bool ack = RS.o->scenario == SCENARIO_ACK;
  send_with_payload(c, ack ? "ack" : "echo", ack ? (long)(seq & 0x7FFFFFFF) : -1);
  if (counting()) {
    RS.sent++;
  }
}

static void send_bcast(void) {
  struct client *sender = &RS.clients[0];
  uint64_t seq = RS.bcast_sent++;
  RS.bcast_sent_at[seq & (BCAST_RING - 1)] = monotime_us();
  RS.bcast_deliveries[seq & (BCAST_RING - 1)] = 0;
  send_with_payload(sender, "bcast", -1);
  if (counting()) {
    RS.sent++;
  }
}

/* A broadcast is done when every client still connected has it. */
static void advance_bcasts(void) {
  while (RS.bcast_done < RS.bcast_sent &&
         RS.bcast_deliveries[RS.bcast_done & (BCAST_RING - 1)] >= RS.ready) {
    RS.bcast_done++;
    if (counting()) {
      RS.bcasts_completed++;
    }
  }
  while (traffic_flowing() && RS.clients[0].phase == PHASE_READY &&
         RS.bcast_sent - RS.bcast_done < RS.o->window) {
    send_bcast();
  }
}

void traffic_start(void) {
  if (RS.o->scenario == SCENARIO_BCAST) {
    advance_bcasts();
    return;
  }
  RS.rate_start = monotime_us();
  RS.rate_sent = 0;
  if (RS.o->rate > 0) {
    return;
  }
  for (unsigned i = 0; i < RS.o->clients; i++) {
    struct client *c = &RS.clients[i];
    while (c->phase == PHASE_READY && c->in_flight < RS.o->window) {
      send_event(c);
    }
  }
}

void traffic_pace(uint64_t now) {
  if (!traffic_flowing() || RS.o->rate <= 0 || RS.o->scenario == SCENARIO_BCAST) {
    return;
  }
  uint64_t due = (uint64_t)((double)(now - RS.rate_start) * RS.o->rate / 1e6);
  while (RS.rate_sent < due) {
    /* Round-robin over clients with room in their window; when none has
     * room the server is saturated and the rest waits for replies. */
    unsigned tried = 0;
    struct client *c = NULL;
    while (tried++ < RS.o->clients) {
      struct client *candidate = &RS.clients[RS.rate_cursor];
      RS.rate_cursor = (RS.rate_cursor + 1) % RS.o->clients;
      if (candidate->phase == PHASE_READY && candidate->in_flight < RS.o->window) {
        c = candidate;
        break;
      }
    }
    if (!c) {
      return;
    }
    send_event(c);
    RS.rate_sent++;
  }
}

static void on_bcast_delivery(struct client *c) {
  uint64_t seq = c->bcasts_seen++;
  if (seq >= RS.bcast_sent || RS.bcast_sent - seq > BCAST_RING) {
    return; /* not ours, or too old to account for */
  }
  if (counting()) {
    RS.received++;
    uint64_t us = monotime_us() - RS.bcast_sent_at[seq & (BCAST_RING - 1)];
    latency_record(&RS.latency, us);
    if (run_on_port2(c)) {
      latency_record(&RS.cross_latency, us);
    }
  }
  RS.bcast_deliveries[seq & (BCAST_RING - 1)]++;
  advance_bcasts();
}

void traffic_on_reply(struct client *c, const struct wire_packet *w) {
  if (w->kind == WIRE_BCAST) {
    on_bcast_delivery(c);
    return;
  }
  if (c->in_flight == 0) {
    return; /* a reply to nothing we sent: ignore */
  }
  /* Echoes come back in order; acks say which event they answer. Ack ids
   * are the low 31 bits of the sequence number. */
  uint64_t seq = c->recv_seq;
  if (w->kind == WIRE_ACK) {
    seq = (c->sent_seq & ~(uint64_t)0x7FFFFFFF) | w->ack_id;
    if (seq >= c->sent_seq) {
      seq -= (uint64_t)1 << 31;
    }
  }
  c->recv_seq++;
  c->in_flight--;
  if (counting()) {
    RS.received++;
    latency_record(&RS.latency, monotime_us() - c->sent_at[seq & c->ring_mask]);
  }
  if (traffic_flowing() && RS.o->rate <= 0) {
    send_event(c);
  }
}

void traffic_on_client_lost(void) {
  if (RS.o->scenario == SCENARIO_BCAST) {
    advance_bcasts();
  }
}
