/* The bare server's --handoff machinery, in process: packets staged on this
 * (the "I/O") thread come back answered by the host thread, in order; the
 * connection table refuses a stale id. */
#include <poll.h>
#include <string.h>

#include "check.h"
#include "handoff.h"

struct want {
  enum handoff_kind kind;
  enum bare_action action;
  unsigned attachments;
  const char *bytes;
};

static void stage(struct handoff *h, enum handoff_kind kind, const char *p) {
  handoff_stage(h, 3, 42, kind, p, strlen(p));
}

/* Waits for the replies and checks them against `want`, in order. */
static void expect(struct handoff *h, const struct want *want, size_t n) {
  size_t got = 0;
  while (got < n) {
    struct pollfd pfd = {.fd = handoff_reply_fd(h), .events = POLLIN};
    CHECK(poll(&pfd, 1, 5000) == 1);
    for (struct handoff_rec *r = handoff_take_replies(h); r; r = r->next, got++) {
      CHECK(got < n);
      CHECK(r->slot == 3 && r->conn_id == 42);
      CHECK(r->kind == want[got].kind);
      if (r->kind == HANDOFF_TEXT) {
        CHECK(r->decision.action == want[got].action);
        CHECK(r->decision.attachments == want[got].attachments);
      }
      CHECK_MEM(bytebuf_head(&r->bytes), bytebuf_len(&r->bytes), want[got].bytes,
                strlen(want[got].bytes));
    }
  }
}

int main(void) {
  struct handoff *h = handoff_start();
  CHECK(h != NULL);

  static const struct want round[] = {
      {HANDOFF_TEXT, BARE_REPLY, 0, "42[\"echo\",\"abc\"]"},
      {HANDOFF_TEXT, BARE_REPLY, 0, "4312[\"abc\",1]"},
      {HANDOFF_TEXT, BARE_BROADCAST, 0, "42[\"bcast\",\"x\"]"},
      {HANDOFF_TEXT, BARE_REPLY, 1, "451-[\"echo\",{\"_placeholder\":true,\"num\":0}]"},
      {HANDOFF_BINARY, BARE_IGNORE, 0, "\x01\x02\x03"},
      {HANDOFF_TEXT, BARE_REPLY, 1, "461-9[{\"_placeholder\":true,\"num\":0}]"},
      {HANDOFF_BINARY, BARE_IGNORE, 0, "zz"},
  };
  /* Several rounds, so that records come back and are reused. */
  for (int i = 0; i < 50; i++) {
    stage(h, HANDOFF_TEXT, "42[\"echo\",\"abc\"]");
    stage(h, HANDOFF_TEXT, "4212[\"ack\",\"abc\",1]");
    stage(h, HANDOFF_TEXT, "42[\"other\"]"); /* ignored: no reply */
    stage(h, HANDOFF_TEXT, "42[\"bcast\",\"x\"]");
    stage(h, HANDOFF_TEXT, "451-[\"echo\",{\"_placeholder\":true,\"num\":0}]");
    stage(h, HANDOFF_BINARY, "\x01\x02\x03");
    handoff_submit(h);
    stage(h, HANDOFF_TEXT, "451-9[\"ack\",{\"_placeholder\":true,\"num\":0}]");
    stage(h, HANDOFF_BINARY, "zz");
    handoff_submit(h);
    handoff_submit(h); /* nothing staged: nothing happens */
    expect(h, round, sizeof round / sizeof round[0]);
  }
  /* Staged but never submitted, and a batch never taken: freed by stop. */
  stage(h, HANDOFF_TEXT, "42[\"echo\",\"late\"]");
  handoff_submit(h);
  stage(h, HANDOFF_TEXT, "42[\"echo\",\"never sent\"]");
  handoff_stop(h);

  struct handoff_table t = {0};
  int a, b;
  uint32_t sa = handoff_table_add(&t, &a, 1);
  CHECK(handoff_table_get(&t, sa, 1) == &a);
  handoff_table_remove(&t, sa);
  CHECK(handoff_table_get(&t, sa, 1) == NULL);
  uint32_t sb = handoff_table_add(&t, &b, 2);
  CHECK(sb == sa);                            /* the slot is reused... */
  CHECK(handoff_table_get(&t, sa, 1) == NULL); /* ...but the old id misses */
  CHECK(handoff_table_get(&t, sb, 2) == &b);
  CHECK(handoff_table_get(&t, 999, 2) == NULL);
  handoff_table_free(&t);
  return 0;
}
