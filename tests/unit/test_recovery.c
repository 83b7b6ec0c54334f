/* The connection state recovery store: a session restored with the packets
 * its rooms selected after its offset, in order, sharing the logged bytes;
 * nothing restored for a wrong namespace, pid or offset, bad auth text, an
 * offset dropped by the packet bound, or too many missed; sessions and
 * packets freed by the timer once expired; everything freed on close. */
#include <stdio.h>

#include "check.h"
#include "sio/server/recovery.h"

static int ns_a, ns_b; /* two namespaces, by address */
static int closed;

static void on_closed(uv_handle_t *h) {
  CHECK(h->data == &closed);
  free(h);
  closed++;
}

/* Logs one packet whose text is its offset; returns that offset's text. */
static const char *emit(recovery *r, const void *nsp, const char *const *rooms, size_t nrooms,
                        const char *const *except, size_t nexcept) {
  static char text[RECOVERY_OFFSET_MAX + 1];
  uint64_t id = recovery_next_offset(r, text);
  rbuf *b = rbuf_copy(text, strlen(text), 0);
  recovery_log(r, id, nsp, rooms, nrooms, except, nexcept, &b, 1);
  rbuf_unref(b);
  return text;
}

static void auth_of(char *out, size_t n, const char *pid, const char *offset) {
  snprintf(out, n, "{\"token\":1,\"pid\":\"%s\",\"offset\":\"%s\",\"x\":[1]}", pid, offset);
}

static rec_session *restore(recovery *r, const void *nsp, const char *pid, const char *offset) {
  char auth[200];
  auth_of(auth, sizeof(auth), pid, offset);
  return recovery_restore(r, nsp, auth, strlen(auth));
}

static void start(recovery *r, uv_loop_t *loop, uint64_t ms) {
  memset(r, 0, sizeof(*r));
  r->opts.max_duration = ms;
  CHECK(recovery_start(r, loop) == 0);
}

static void finish(recovery *r, uv_loop_t *loop) {
  closed = 0;
  CHECK(recovery_close(r, on_closed, &closed) == 1);
  uv_run(loop, UV_RUN_DEFAULT);
  CHECK(closed == 1);
}

static void test_restore_filters_and_orders(uv_loop_t *loop) {
  recovery r;
  start(&r, loop, 60000);
  const char *red[] = {"red"}, *blue[] = {"blue"}, *sid[] = {"SID"};
  char last[RECOVERY_OFFSET_MAX + 1];
  snprintf(last, sizeof(last), "%s", emit(&r, &ns_a, NULL, 0, NULL, 0));
  recovery_persist(&r, "PID", "SID", &ns_a, red, 1, NULL);
  emit(&r, &ns_a, red, 1, NULL, 0);   /* 2: its room */
  emit(&r, &ns_a, blue, 1, NULL, 0);  /* 3: another room */
  emit(&r, &ns_b, NULL, 0, NULL, 0);  /* 4: another namespace */
  emit(&r, &ns_a, NULL, 0, red, 1);   /* 5: everyone but its room */
  emit(&r, &ns_a, NULL, 0, NULL, 0);  /* 6: everyone */
  emit(&r, &ns_a, sid, 1, NULL, 0);   /* 7: to it alone */
  emit(&r, &ns_a, NULL, 0, sid, 1);   /* 8: everyone but it */
  CHECK(restore(&r, &ns_b, "PID", last) == NULL); /* other namespace */
  CHECK(restore(&r, &ns_a, "nope", last) == NULL);
  rec_session *s = restore(&r, &ns_a, "PID", last);
  CHECK(s != NULL);
  CHECK_STR(s->sid, "SID");
  CHECK(s->nrooms == 1);
  CHECK_STR(s->rooms[0], "red");
  CHECK(s->nmissed == 3);
  CHECK_STR(s->missed[0]->data, "2");
  CHECK_STR(s->missed[1]->data, "6");
  CHECK_STR(s->missed[2]->data, "7");
  CHECK(s->missed[0]->refs == 2); /* the log's and the session's */
  recovery_session_free(s);
  CHECK(restore(&r, &ns_a, "PID", last) == NULL); /* taken once */
  finish(&r, loop);
}

static void test_refusals(uv_loop_t *loop) {
  recovery r;
  start(&r, loop, 60000);
  char first[RECOVERY_OFFSET_MAX + 1];
  snprintf(first, sizeof(first), "%s", emit(&r, &ns_a, NULL, 0, NULL, 0));
  static const char *const bad[] = {
      "", "{", "[]", "null", "{\"pid\":\"PID\"}", "{\"pid\":1,\"offset\":\"1\"}",
      "{\"pid\":\"PID\",\"offset\":1}", "{\"pid\":\"PID\",\"offset\":\"\"}",
      "{\"pid\":\"PID\",\"offset\":\"01\"}", "{\"pid\":\"PID\",\"offset\":\"zzzzzzzzzzzzzzzzz\"}",
      "{\"pid\":\"PID\",\"offset\":\"A\"}", "{\"pid\":\"PID\",\"offset\":\"9\"}",
      "{\"pid\" \"PID\",\"offset\":\"1\"}", "{\"a\":[,\"pid\":\"PID\",\"offset\":\"1\"}"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    recovery_persist(&r, "PID", "SID", &ns_a, NULL, 0, NULL);
    CHECK(recovery_restore(&r, &ns_a, bad[i], strlen(bad[i])) == NULL);
  }
  /* Escapes in the pid are decoded. */
  recovery_persist(&r, "PID", "SID", &ns_a, NULL, 0, NULL);
  const char *escaped = "{\"pid\":\"P\\u0049D\",\"offset\":\"1\"}";
  rec_session *s = recovery_restore(&r, &ns_a, escaped, strlen(escaped));
  CHECK(s != NULL && s->nmissed == 0);
  recovery_session_free(s);
  finish(&r, loop);
}

static void test_bounds(uv_loop_t *loop) {
  recovery r;
  start(&r, loop, 60000);
  char first[RECOVERY_OFFSET_MAX + 1];
  snprintf(first, sizeof(first), "%s", emit(&r, &ns_a, NULL, 0, NULL, 0));
  recovery_persist(&r, "PID", "SID", &ns_a, NULL, 0, NULL);
  recovery_persist(&r, "PID2", "SID2", &ns_a, NULL, 0, NULL);
  for (int i = 0; i < RECOVERY_MAX_MISSED + 1; i++) emit(&r, &ns_a, NULL, 0, NULL, 0);
  CHECK(restore(&r, &ns_a, "PID", first) == NULL); /* missed too many */
  for (int i = 0; i < RECOVERY_MAX_PACKETS; i++) emit(&r, &ns_a, NULL, 0, NULL, 0);
  CHECK(r.len == RECOVERY_MAX_PACKETS);
  CHECK(restore(&r, &ns_a, "PID2", first) == NULL); /* its offset was dropped */
  for (int i = 0; i < RECOVERY_MAX_SESSIONS + 5; i++) {
    char pid[32];
    snprintf(pid, sizeof(pid), "P%d", i);
    recovery_persist(&r, pid, "SID", &ns_a, NULL, 0, NULL);
  }
  CHECK(r.sessions.len == RECOVERY_MAX_SESSIONS);
  CHECK(strmap_get(&r.sessions, "P0") == NULL); /* the oldest went first */
  CHECK(strmap_get(&r.sessions, "P5") != NULL);
  finish(&r, loop);
}

/* socket.data comes back with the session; the data kept is bounded, the
 * oldest sessions dropped first. */
static void test_data(uv_loop_t *loop) {
  recovery r;
  start(&r, loop, 60000);
  char last[RECOVERY_OFFSET_MAX + 1];
  snprintf(last, sizeof(last), "%s", emit(&r, &ns_a, NULL, 0, NULL, 0));
  recovery_persist(&r, "PID", "SID", &ns_a, NULL, 0, "{\"user\":\"ann\"}");
  recovery_persist(&r, "PID2", "SID2", &ns_a, NULL, 0, NULL);
  CHECK(r.data_bytes == 14);
  rec_session *s = restore(&r, &ns_a, "PID", last);
  CHECK(s != NULL);
  CHECK_STR(s->data, "{\"user\":\"ann\"}");
  CHECK(r.data_bytes == 0);
  recovery_session_free(s);
  s = restore(&r, &ns_a, "PID2", last);
  CHECK(s != NULL && s->data == NULL);
  recovery_session_free(s);
  size_t size = RECOVERY_MAX_DATA_BYTES / 4 + 1;
  char *big = malloc(size + 3);
  CHECK(big != NULL);
  big[0] = '"';
  memset(big + 1, 'x', size);
  memcpy(big + 1 + size, "\"", 2);
  for (int i = 0; i < 4; i++) {
    char pid[8];
    snprintf(pid, sizeof(pid), "B%d", i);
    recovery_persist(&r, pid, "SID", &ns_a, NULL, 0, big);
  }
  free(big);
  CHECK(r.sessions.len == 3 && r.data_bytes == 3 * (size + 2));
  CHECK(strmap_get(&r.sessions, "B0") == NULL);
  finish(&r, loop);
}

static void test_expiry(uv_loop_t *loop) {
  recovery r;
  start(&r, loop, 30);
  char last[RECOVERY_OFFSET_MAX + 1];
  snprintf(last, sizeof(last), "%s", emit(&r, &ns_a, NULL, 0, NULL, 0));
  recovery_persist(&r, "PID", "SID", &ns_a, NULL, 0, NULL);
  uv_run(loop, UV_RUN_DEFAULT); /* until the timer has nothing left to wait for */
  CHECK(r.len == 0);
  CHECK(r.sessions.len == 0 && r.oldest == NULL);
  CHECK(restore(&r, &ns_a, "PID", last) == NULL);
  finish(&r, loop);
}

static void test_off(void) {
  recovery r;
  memset(&r, 0, sizeof(r));
  CHECK(!recovery_on(&r));
  CHECK(recovery_start(&r, NULL) == 0);
  rbuf *b = rbuf_copy("x", 1, 0);
  recovery_log(&r, 1, &ns_a, NULL, 0, NULL, 0, &b, 1);
  CHECK(b->refs == 1 && r.len == 0);
  rbuf_unref(b);
  recovery_persist(&r, "PID", "SID", &ns_a, NULL, 0, NULL);
  CHECK(r.sessions.len == 0);
  CHECK(recovery_restore(&r, &ns_a, "{}", 2) == NULL);
  CHECK(recovery_close(&r, on_closed, &closed) == 0);
}

int main(void) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  test_restore_filters_and_orders(&loop);
  test_refusals(&loop);
  test_bounds(&loop);
  test_data(&loop);
  test_expiry(&loop);
  test_off();
  CHECK(uv_loop_close(&loop) == 0);
  puts("test_recovery: ok");
  return 0;
}
