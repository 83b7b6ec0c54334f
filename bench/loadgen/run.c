/* Connections and phases: launch clients with bounded concurrency, take them
 * through the Engine.IO handshake and the Socket.IO CONNECT, then warm up,
 * measure and stop (or, for idle, hold and read the server's memory). */
#include "run.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "monotime.h"
#include "run_state.h"
#include "stream.h"
#include "wire_msgpack.h"

#define RS run_state
#define MAX_FAILURE_MESSAGES 10

struct run_state run_state;

static uint64_t seconds_us(double s) { return (uint64_t)(s * 1e6); }

static uint32_t ring_size_for(unsigned window) {
  uint32_t n = 1;
  while (n < window) {
    n <<= 1;
  }
  return n;
}

void run_init(const struct options *o, int epfd) {
  RS.o = o;
  RS.transport = o->transport == TRANSPORT_POLLING ? &polling_transport : &websocket_transport;
  stream_set_epoll(epfd);
  transport_set_host(o->host, o->port);
  websocket_transport_offer_deflate(o->deflate);
  RS.dst.sin_family = AF_INET;
  RS.dst.sin_port = htons((uint16_t)o->port);
  inet_pton(AF_INET, o->host, &RS.dst.sin_addr);
  RS.dst2 = RS.dst;
  RS.dst2.sin_port = htons((uint16_t)o->port2);

  RS.clients = calloc(o->clients, sizeof *RS.clients);
  RS.payload = malloc(o->size + 1);
  RS.bcast_sent_at = calloc(BCAST_RING, sizeof *RS.bcast_sent_at);
  RS.bcast_deliveries = calloc(BCAST_RING, sizeof *RS.bcast_deliveries);
  if (!RS.clients || !RS.payload || !RS.bcast_sent_at || !RS.bcast_deliveries) {
    abort();
  }
  /* Plain letters: a string payload then needs no JSON escaping. */
  for (size_t i = 0; i < o->size; i++) {
    RS.payload[i] = (char)('a' + i % 26);
  }
  bool has_window = o->scenario == SCENARIO_ECHO || o->scenario == SCENARIO_ACK;
  uint32_t ring = ring_size_for(o->window);
  for (unsigned i = 0; i < o->clients; i++) {
    struct client *c = &RS.clients[i];
    c->index = i;
    c->main.fd = c->post.fd = -1;
    if (has_window) {
      c->sent_at = calloc(ring, sizeof *c->sent_at);
      if (!c->sent_at) {
        abort();
      }
      c->ring_mask = ring - 1;
    }
  }
  latency_reset(&RS.latency);
  latency_reset(&RS.cross_latency);
  latency_reset(&RS.connect_latency);
  if (o->server_pid > 0) {
    proc_memory_read(o->server_pid, &RS.memory_before);
  }
  RS.phase = RUN_CONNECTING;
  RS.first_launch_at = monotime_us();
}

bool run_on_port2(const struct client *c) { return RS.o->port2 != 0 && c->index % 2 == 1; }

void run_mark_dirty(struct client *c) {
  if (!c->dirty && c->phase != PHASE_CLOSED) {
    c->dirty = true;
    c->next_dirty = RS.dirty;
    RS.dirty = c;
  }
}

void run_flush(void) {
  while (RS.dirty) {
    struct client *c = RS.dirty;
    RS.dirty = c->next_dirty;
    c->dirty = false;
    if (c->phase != PHASE_CLOSED) {
      RS.transport->flush(c);
    }
  }
}

void run_on_failure(struct client *c, const char *why) {
  if (c->phase == PHASE_CLOSED) {
    return;
  }
  if (RS.phase != RUN_DONE) {
    if (++RS.failures <= MAX_FAILURE_MESSAGES) {
      fprintf(stderr, "loadgen: client %u: %s\n", c->index, why);
    }
  }
  if (c->phase == PHASE_READY) {
    RS.ready--;
  } else if (c->phase != PHASE_NEW) {
    RS.handshaking--;
  }
  c->phase = PHASE_CLOSED;
  RS.transport->close(c);
  traffic_on_client_lost();
}

static void on_joined(struct client *c) {
  c->phase = PHASE_READY;
  RS.handshaking--;
  RS.ready++;
  latency_record(&RS.connect_latency, monotime_us() - c->launched_at);
}

static void send_text(struct client *c, const char *p) {
  RS.transport->send_text(c, p, strlen(p));
}

static void send_connect(struct client *c) {
  if (!RS.o->msgpack) {
    send_text(c, "40");
    return;
  }
  RS.packet.start = RS.packet.end = 0;
  wire_msgpack_connect(&RS.packet);
  RS.transport->send_binary(c, bytebuf_head(&RS.packet), bytebuf_len(&RS.packet));
}

static void dispatch_complete(struct client *c, const struct wire_packet *w) {
  if (w->kind == WIRE_ECHO || w->kind == WIRE_ACK || w->kind == WIRE_BCAST) {
    traffic_on_reply(c, w);
  }
}

/* One whole packet, JSON text or msgpack: `p` is only quoted in errors. */
static void on_packet(struct client *c, struct wire_packet w, bool text, const char *p,
                      size_t len) {
  switch (w.kind) {
  case WIRE_OPEN:
    if (c->phase == PHASE_HANDSHAKE) {
      c->phase = PHASE_OPENED;
      send_connect(c);
    }
    break;
  case WIRE_PING:
    send_text(c, "3");
    break;
  case WIRE_CONNECTED:
    if (c->phase == PHASE_OPENED) {
      on_joined(c);
    }
    break;
  case WIRE_CLOSE:
  case WIRE_REFUSED:
    run_on_failure(c, "closed or refused by the server");
    break;
  case WIRE_MALFORMED: {
    char why[96];
    if (!text) {
      snprintf(why, sizeof why, "unexpected msgpack packet of %zu bytes", len);
    } else {
      snprintf(why, sizeof why, "unexpected packet %.*s", (int)(len < 40 ? len : 40), p);
    }
    run_on_failure(c, why);
    break;
  }
  case WIRE_NOOP:
    break;
  case WIRE_ECHO:
  case WIRE_BCAST:
  case WIRE_ACK:
  case WIRE_OTHER_EVENT:
    if (w.attachments > 0) {
      c->pending = w;
      c->pending_left = w.attachments;
    } else {
      dispatch_complete(c, &w);
    }
    break;
  }
}

void run_on_text(struct client *c, const char *p, size_t len) {
  on_packet(c, wire_classify(p, len), true, p, len);
}

void run_on_binary(struct client *c, const char *p, size_t len) {
  if (RS.o->msgpack) {
    on_packet(c, wire_msgpack_classify((const unsigned char *)p, len), false, p, len);
  } else if (c->pending_left > 0 && --c->pending_left == 0) {
    dispatch_complete(c, &c->pending);
  }
}

void run_dispatch(struct stream *s, uint32_t events) {
  if (s->owner->phase != PHASE_CLOSED) {
    RS.transport->on_event(s, events);
  }
}

static void launch_more(uint64_t now) {
  while (RS.launched < RS.o->clients && RS.handshaking < RS.o->concurrency) {
    struct client *c = &RS.clients[RS.launched++];
    c->launched_at = now;
    c->phase = PHASE_HANDSHAKE;
    RS.handshaking++;
    const struct sockaddr_in *dst = run_on_port2(c) ? &RS.dst2 : &RS.dst;
    if (!RS.transport->launch(c, dst, c->index % RS.o->sources)) {
      run_on_failure(c, "could not open a socket");
    } else {
      run_mark_dirty(c);
    }
  }
}

static void give_up_connecting(void) {
  for (unsigned i = 0; i < RS.o->clients; i++) {
    struct client *c = &RS.clients[i];
    if (c->phase != PHASE_READY && c->phase != PHASE_CLOSED) {
      run_on_failure(c, "not joined before --connect-timeout");
    }
  }
  RS.launched = RS.o->clients;
}

static void enter(enum run_phase phase, uint64_t now, double seconds) {
  RS.phase = phase;
  RS.phase_deadline = now + seconds_us(seconds);
}

static void start_measuring(uint64_t now) {
  RS.sent = RS.received = RS.bcasts_completed = 0;
  latency_reset(&RS.latency);
  latency_reset(&RS.cross_latency);
  RS.measure_start = now;
  enter(RUN_MEASURING, now, RS.o->duration);
}

static void finish(uint64_t now) {
  if (RS.phase == RUN_MEASURING) {
    RS.measure_end = now;
  }
  if (RS.o->server_pid > 0) {
    proc_memory_read(RS.o->server_pid, &RS.memory_after);
  }
  RS.phase = RUN_DONE;
}

static void after_connecting(uint64_t now) {
  RS.all_settled_at = now;
  switch (RS.o->scenario) {
  case SCENARIO_RAMP:
    finish(now);
    break;
  case SCENARIO_IDLE:
    enter(RUN_SETTLING, now, RS.o->settle);
    break;
  default:
    enter(RUN_WARMUP, now, RS.o->warmup);
    traffic_start();
    if (RS.o->warmup <= 0) {
      start_measuring(now);
    }
    break;
  }
}

void run_step(void) {
  uint64_t now = monotime_us();
  switch (RS.phase) {
  case RUN_CONNECTING:
    launch_more(now);
    if (now - RS.first_launch_at > seconds_us(RS.o->connect_timeout)) {
      give_up_connecting();
    }
    if (RS.launched == RS.o->clients && RS.handshaking == 0) {
      after_connecting(now);
    }
    break;
  case RUN_WARMUP:
    traffic_pace(now);
    if (now >= RS.phase_deadline) {
      start_measuring(now);
    }
    break;
  case RUN_MEASURING:
    traffic_pace(now);
    if (now >= RS.phase_deadline) {
      finish(now);
    }
    break;
  case RUN_SETTLING:
    if (now >= RS.phase_deadline) {
      finish(now);
    }
    break;
  case RUN_DONE:
    break;
  }
}

int run_timeout_ms(void) {
  if (RS.phase == RUN_CONNECTING || RS.o->rate > 0) {
    return 1;
  }
  return 10;
}

bool run_finished(void) { return RS.phase == RUN_DONE; }
