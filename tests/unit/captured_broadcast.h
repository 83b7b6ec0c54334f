/* For the tests of both Redis adapters' codecs: the Node adapters' bytes,
 * captured and kept as hex, and the one broadcast both were captured
 * sending, as each codec must read it. */
#ifndef SIO_TEST_CAPTURED_BROADCAST_H
#define SIO_TEST_CAPTURED_BROADCAST_H
#include <stdio.h>
#include <string.h>

#include "adapter/adapter_codec.h"
#include "check.h"

/* hex into out (room for strlen(hex) / 2 bytes): the byte count. */
static inline size_t unhex(const char *hex, char *out) {
  size_t n = strlen(hex) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (char)v;
  }
  return n;
}

/* io.to("room1").except("x").emit("ev", 1, "two", Buffer.from([0, 255])). */
static inline void check_to_room1(const adapter_broadcast *b) {
  static const char data[] = "[\"ev\",1,\"two\",{\"_placeholder\":true,\"num\":0}]";
  CHECK(b->packet.type == SIO_P_BINARY_EVENT);
  CHECK_STR(b->packet.nsp, "/");
  CHECK_MEM(b->packet.data, b->packet.data_len, data, strlen(data));
  CHECK(b->packet.nbins == 1 && b->packet.bins[0].len == 2);
  CHECK(memcmp(b->packet.bins[0].data, "\x00\xff", 2) == 0);
  CHECK(b->nrooms == 1 && b->nexcept == 1 && b->flags == 0);
  CHECK_STR(b->rooms[0], "room1");
  CHECK_STR(b->except[0], "x");
}
#endif
