/* The load generator's packet classification and the packets it builds. */
#include <string.h>

#include "check.h"
#include "wire.h"

static struct wire_packet classify(const char *p) { return wire_classify(p, strlen(p)); }

static void classifies_engine_io_packets(void) {
  CHECK(classify("0{\"sid\":\"a\",\"upgrades\":[]}").kind == WIRE_OPEN);
  CHECK(classify("1").kind == WIRE_CLOSE);
  CHECK(classify("2").kind == WIRE_PING);
  CHECK(classify("6").kind == WIRE_NOOP);
  CHECK(classify("").kind == WIRE_MALFORMED);
  CHECK(classify("9").kind == WIRE_MALFORMED);
}

static void classifies_socket_io_packets(void) {
  CHECK(classify("40{\"sid\":\"x\"}").kind == WIRE_CONNECTED);
  CHECK(classify("44{\"message\":\"Invalid namespace\"}").kind == WIRE_REFUSED);
  CHECK(classify("41").kind == WIRE_REFUSED);
  CHECK(classify("42[\"echo\",\"abc\"]").kind == WIRE_ECHO);
  CHECK(classify("42[\"bcast\",1]").kind == WIRE_BCAST);
  CHECK(classify("42[\"auth\",{}]").kind == WIRE_OTHER_EVENT);
  CHECK(classify("427[\"echo\",1]").kind == WIRE_ECHO); /* the server asks for an ack */
  CHECK(classify("42{}").kind == WIRE_MALFORMED);
  CHECK(classify("43").kind == WIRE_MALFORMED);

  struct wire_packet ack = classify("4317[\"abc\"]");
  CHECK(ack.kind == WIRE_ACK && ack.ack_id == 17 && ack.attachments == 0);

  struct wire_packet bin = classify("451-[\"echo\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(bin.kind == WIRE_ECHO && bin.attachments == 1);

  struct wire_packet bin_ack = classify("462-99[{\"_placeholder\":true,\"num\":0},{}]");
  CHECK(bin_ack.kind == WIRE_ACK && bin_ack.attachments == 2 && bin_ack.ack_id == 99);
  CHECK(classify("461-[{}]").kind == WIRE_MALFORMED); /* a binary ack needs its id */
}

static void builds_events(void) {
  struct bytebuf b = {0};
  wire_event(&b, "echo", -1, "xyz", 3, false);
  CHECK_MEM(bytebuf_head(&b), bytebuf_len(&b), "42[\"echo\",\"xyz\"]", 16);

  b.start = b.end = 0;
  wire_event(&b, "ack", 5, "xyz", 3, false);
  CHECK_MEM(bytebuf_head(&b), bytebuf_len(&b), "425[\"ack\",\"xyz\"]", 16);

  static const char binary_ack[] = "451-12[\"ack\",{\"_placeholder\":true,\"num\":0}]";
  b.start = b.end = 0;
  wire_event(&b, "ack", 12, "xyz", 3, true);
  CHECK_MEM(bytebuf_head(&b), bytebuf_len(&b), binary_ack, sizeof binary_ack - 1);
  bytebuf_release(&b);
}

int main(void) {
  classifies_engine_io_packets();
  classifies_socket_io_packets();
  builds_events();
  return 0;
}
