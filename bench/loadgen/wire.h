/* The Engine.IO v4 / Socket.IO v5 packets the load generator sends, and the
 * classification of those it receives. Only the default namespace is used,
 * so no packet carries a namespace. */
#ifndef LOADGEN_WIRE_H
#define LOADGEN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

enum wire_kind {
  WIRE_OPEN,          /* 0{...}: Engine.IO handshake */
  WIRE_CLOSE,         /* 1 */
  WIRE_PING,          /* 2: answer with a pong */
  WIRE_NOOP,          /* 6, 3 and anything harmless */
  WIRE_CONNECTED,     /* 40{...}: joined "/" */
  WIRE_REFUSED,       /* 44{...} or 41: the server does not want us */
  WIRE_ECHO,          /* 42["echo",...] or its binary form */
  WIRE_BCAST,         /* 42["bcast",...] or its binary form */
  WIRE_ACK,           /* 43<id>[...] or 46<n>-<id>[...] */
  WIRE_OTHER_EVENT,   /* e.g. the test server's `auth` on connect */
  WIRE_MALFORMED,
};

struct wire_packet {
  enum wire_kind kind;
  unsigned attachments; /* binary frames that complete this packet */
  uint32_t ack_id;
};

struct wire_packet wire_classify(const char *p, size_t len);

/* Appends the text packet of an event carrying one argument: the payload as a
 * string, or with `binary` a placeholder for one attachment that the caller
 * sends next. `ack_id` < 0 asks for no ack. */
void wire_event(struct bytebuf *out, const char *event, long ack_id, const char *payload,
                size_t payload_len, bool binary);

#endif
