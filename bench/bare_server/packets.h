/* What the bare server answers to each Engine.IO/Socket.IO text packet the
 * load generator sends: just enough of the protocol to be driven by it, with
 * none of the Socket.IO layer (no parsing of JSON, no namespaces, no rooms). */
#ifndef BARE_PACKETS_H
#define BARE_PACKETS_H

#include <stddef.h>

#include "bytebuf.h"

enum bare_action {
  BARE_IGNORE,
  BARE_REPLY,     /* send `reply` to the sender */
  BARE_JOINED,    /* send `reply` to the sender, who now gets broadcasts */
  BARE_BROADCAST, /* send `reply` to everyone joined */
  BARE_CLOSE,
};

struct bare_decision {
  enum bare_action action;
  /* Binary frames that follow the packet and go back to the sender as they
   * are (the attachments of a binary echo or binary ack). */
  unsigned attachments;
};

/* Decides the answer to one text packet; the answer's bytes go to `reply`. */
struct bare_decision bare_answer_text(const char *packet, size_t len, unsigned long conn_id,
                                      struct bytebuf *reply);

/* The Engine.IO open packet sent right after the upgrade. */
void bare_open_packet(unsigned long conn_id, struct bytebuf *out_packet);

#endif
