/* WebSocket (RFC 6455) framing, both directions: the load generator sends
 * masked client frames, the bare server sends unmasked server frames. */
#ifndef BENCH_WS_FRAME_H
#define BENCH_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

enum ws_opcode {
  WS_CONTINUATION = 0x0,
  WS_TEXT = 0x1,
  WS_BINARY = 0x2,
  WS_CLOSE = 0x8,
  WS_PING = 0x9,
  WS_PONG = 0xA,
};

struct ws_frame {
  bool fin;
  bool rsv1; /* permessage-deflate: the message is compressed */
  enum ws_opcode opcode;
  char *payload; /* unmasked in place, inside the input buffer */
  size_t payload_len;
  size_t frame_len; /* header + payload: what to consume */
};

/* Appends one frame. `mask` is true for client frames; the masking key then
 * comes from a cheap generator, which is enough for a load test. */
void ws_frame_append(struct bytebuf *out, enum ws_opcode opcode, const void *payload,
                     size_t len, bool mask);

/* XORs `data` with the masking key, in place (masking and unmasking are the
 * same operation). */
void ws_mask(char *data, size_t len, const unsigned char key[4]);

/* Parses the frame at the front of `data`. Returns 1 when a whole frame is
 * there (and unmasks it in place), 0 when more bytes are needed, -1 when the
 * frame is malformed or larger than `max_payload`. */
int ws_frame_parse(char *data, size_t len, size_t max_payload, struct ws_frame *frame);

#endif
