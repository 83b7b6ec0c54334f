/* What the bare server answers to each packet the load generator sends. */
#include <string.h>

#include "check.h"
#include "packets.h"

static struct bytebuf reply;

static struct bare_decision answer(const char *packet) {
  reply.start = reply.end = 0;
  return bare_answer_text(packet, strlen(packet), 7, &reply);
}

static void check_reply(const char *want) {
  CHECK_MEM(bytebuf_head(&reply), bytebuf_len(&reply), want, strlen(want));
}

int main(void) {
  CHECK(answer("40").action == BARE_JOINED);
  check_reply("40{\"sid\":\"sbare7\"}");

  CHECK(answer("42[\"echo\",\"abc\"]").action == BARE_REPLY);
  check_reply("42[\"echo\",\"abc\"]");

  CHECK(answer("4212[\"ack\",\"abc\",1]").action == BARE_REPLY);
  check_reply("4312[\"abc\",1]");
  CHECK(answer("423[\"ack\"]").action == BARE_REPLY);
  check_reply("433[]");

  CHECK(answer("42[\"bcast\",\"abc\"]").action == BARE_BROADCAST);
  check_reply("42[\"bcast\",\"abc\"]");

  struct bare_decision d = answer("451-[\"echo\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(d.action == BARE_REPLY && d.attachments == 1);
  check_reply("451-[\"echo\",{\"_placeholder\":true,\"num\":0}]");

  d = answer("451-9[\"ack\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(d.action == BARE_REPLY && d.attachments == 1);
  check_reply("461-9[{\"_placeholder\":true,\"num\":0}]");

  CHECK(answer("3").action == BARE_IGNORE);
  CHECK(answer("42[\"other\"]").action == BARE_IGNORE);
  CHECK(answer("41").action == BARE_CLOSE);
  CHECK(answer("1").action == BARE_CLOSE);

  struct bytebuf open = {0};
  bare_open_packet(7, &open);
  CHECK(bytebuf_len(&open) > 0 && bytebuf_head(&open)[0] == '0');
  bytebuf_release(&open);
  bytebuf_release(&reply);
  return 0;
}
