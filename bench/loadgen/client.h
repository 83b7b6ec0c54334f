/* One simulated Socket.IO client and the TCP connections it uses. */
#ifndef LOADGEN_CLIENT_H
#define LOADGEN_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <llhttp.h>

#include "bytebuf.h"
#include "wire.h"

enum client_phase {
  PHASE_NEW,
  PHASE_HANDSHAKE, /* TCP + HTTP upgrade, or the first polling GET */
  PHASE_OPENED,    /* Engine.IO open received, CONNECT to "/" sent */
  PHASE_READY,     /* joined "/": traffic may flow */
  PHASE_CLOSED,
};

struct client;

/* One TCP connection. A WebSocket client has one; a polling client has one for
 * the long-polling GET and one for its POSTs, as a browser would. */
struct stream {
  int fd;
  struct client *owner;
  bool connecting; /* non-blocking connect() not finished yet */
  bool wants_out;  /* EPOLLOUT registered */
  bool awaiting;   /* polling: a request is out, its response not complete */
  struct bytebuf in, out;
  llhttp_t *http;       /* polling: response parser */
  struct bytebuf body;  /* polling: body of the response being parsed */
};

struct client {
  unsigned index;
  enum client_phase phase;
  struct stream main; /* the WebSocket, or the polling GET connection */
  struct stream post; /* polling only */
  char sid[64];       /* Engine.IO session id, for polling URLs */
  struct bytebuf post_queue; /* polling: packets for the next POST, \x1e-joined */
  bool dirty;         /* on the list of clients to flush after this loop turn */
  struct client *next_dirty;
  uint64_t launched_at;

  unsigned in_flight;
  uint64_t sent_seq; /* events sent; doubles as the next ack id */
  uint64_t recv_seq; /* replies received */
  uint64_t *sent_at; /* send time per sequence number, indexed by seq & ring_mask */
  uint32_t ring_mask;
  struct wire_packet pending; /* a binary packet waiting for its attachments */
  unsigned pending_left;
  uint64_t bcasts_seen;
};

#endif
