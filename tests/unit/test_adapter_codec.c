/* The Redis adapter's messages against bytes the Node adapter published
 * (@socket.io/redis-adapter 8.3.0 with node-redis, captured by a
 * subscriber): read, and written back identically; requests and answers;
 * every truncation refused; redis:// URLs. */
#include <stdlib.h>
#include <string.h>

#include "adapter/adapter_codec.h"
#include "adapter/redis_url.h"
#include "captured_broadcast.h"
#include "check.h"

/* io.to("room1").except("x").emit("ev", 1, "two", Buffer.from([0, 255]))
 * on channel "socket.io#/#room1#". */
static const char TO_ROOM[] =
    "93a645663053443183a47479706502a46461746194a2657601a374776fc40200ffa36e7370a12f83a5726f6f"
    "6d7391a5726f6f6d31a665786365707491a178a5666c61677380";
/* io.volatile.compress(false).emit("plain", {a: [true, null]}) on
 * "socket.io#/#". */
static const char VOLATILE[] =
    "93a645663053443183a47479706502a46461746192a5706c61696e81a16192c3c0a36e7370a12f83a5726f6f"
    "6d7390a665786365707490a5666c61677382a8766f6c6174696c65c3a8636f6d7072657373c2";
/* io.serverSideEmit("sse", "hi", 3) on "socket.io-request#/#". */
static const char SSE[] = "{\"uid\":\"Ef0SD1\",\"type\":6,\"data\":[\"sse\",\"hi\",3]}";

static void test_broadcast_to_a_room(void) {
  char msg[256];
  size_t n = unhex(TO_ROOM, msg);
  adapter_broadcast b;
  CHECK(adapter_decode_broadcast(msg, n, 1000000, &b) == 0);
  CHECK_STR(b.uid, "Ef0SD1");
  check_to_room1(&b);

  /* Written back from what was read: the same bytes. */
  const char *rooms[] = {"room1"}, *except[] = {"x"};
  sio_target t = {sizeof(t), "/", NULL, rooms, 1, except, 1, 0};
  sbuf out = SBUF_INIT;
  CHECK(adapter_encode_broadcast(&out, "Ef0SD1", &b.packet, &t, 0) == 0);
  CHECK_MEM(out.data, out.len, msg, n);
  sbuf_free(&out);
  adapter_broadcast_free(&b);
}

static void test_volatile_uncompressed_broadcast(void) {
  char msg[256];
  size_t n = unhex(VOLATILE, msg);
  adapter_broadcast b;
  CHECK(adapter_decode_broadcast(msg, n, 1000000, &b) == 0);
  CHECK(b.packet.type == SIO_P_EVENT);
  CHECK(b.flags == (SIO_EMIT_VOLATILE | SIO_EMIT_NO_COMPRESS));
  CHECK(b.nrooms == 0 && b.nexcept == 0);
  CHECK_MEM(b.packet.data, b.packet.data_len, "[\"plain\",{\"a\":[true,null]}]",
            strlen("[\"plain\",{\"a\":[true,null]}]"));
  sio_target t = {sizeof(t), "/", NULL, NULL, 0, NULL, 0, 0};
  sbuf out = SBUF_INIT;
  CHECK(adapter_encode_broadcast(&out, b.uid, &b.packet, &t, b.flags) == 0);
  CHECK_MEM(out.data, out.len, msg, n);
  sbuf_free(&out);
  adapter_broadcast_free(&b);
}

static void test_every_truncation_is_refused(void) {
  char msg[256];
  size_t n = unhex(TO_ROOM, msg);
  for (size_t len = 0; len < n; len++) {
    adapter_broadcast b;
    CHECK(adapter_decode_broadcast(msg, len, 1000000, &b) == -1);
    sbuf json = SBUF_INIT;
    sio_attachment *bins;
    size_t nbins;
    CHECK(adapter_message_json(msg, len, 1000000, &json, &bins, &nbins) == -1 || nbins <= 1);
    for (size_t i = 0; i < nbins; i++) free(bins[i].data);
    free(bins);
    sbuf_free(&json);
  }
  adapter_broadcast b;
  CHECK(adapter_decode_broadcast("\xc1", 1, 1000000, &b) == -1);
  CHECK(adapter_decode_broadcast(SSE, strlen(SSE), 1000000, &b) == -1);
}

static void test_requests_as_json(void) {
  sbuf json = SBUF_INIT, s = SBUF_INIT;
  sio_attachment *bins;
  size_t nbins;
  CHECK(adapter_message_json(SSE, strlen(SSE), 1000000, &json, &bins, &nbins) == 0 && nbins == 0);
  CHECK(adapter_json_string(json.data, json.len, "uid", &s) == 0);
  CHECK_STR(s.data, "Ef0SD1");
  long at = adapter_json_member(json.data, json.len, "type");
  CHECK(at > 0 && json.data[at] == '6');
  at = adapter_json_member(json.data, json.len, "data");
  CHECK(at > 0 && strncmp(json.data + at, "[\"sse\",\"hi\",3]", 14) == 0);
  CHECK(adapter_json_member(json.data, json.len, "requestId") == -1);
  char **rooms;
  size_t n;
  const char *list = "[\"a\", 12, \"b\\u0063\"]";
  CHECK(adapter_json_strs(list, strlen(list), 0, &rooms, &n) == 0 && n == 3);
  CHECK_STR(rooms[0], "a");
  CHECK_STR(rooms[1], "12");
  CHECK_STR(rooms[2], "bc");
  adapter_strs_free(rooms, n);
  const char *bad = "[\"a\", {}]";
  CHECK(adapter_json_strs(bad, strlen(bad), 0, &rooms, &n) == -1 && n == 0);
  CHECK(adapter_message_json("{\"a\":", 5, 1000000, &json, &bins, &nbins) == -1);
  sbuf_free(&json);
  sbuf_free(&s);
}

static void test_broadcast_request_and_its_answers(void) {
  const char *rooms[] = {"r"};
  sio_target t = {sizeof(t), "/", NULL, rooms, 1, NULL, 0, 0};
  sio_attachment bin = {malloc(1), 1};
  ((char *)bin.data)[0] = 7;
  sio_packet p;
  sio_packet_init(&p);
  p.type = SIO_P_BINARY_EVENT;
  p.nsp = (char *)"/";
  p.data = (char *)"[\"ask\",{\"_placeholder\":true,\"num\":0}]";
  p.data_len = strlen(p.data);
  p.bins = &bin;
  p.nbins = p.nattach = 1;
  sbuf out = SBUF_INIT;
  CHECK(adapter_encode_broadcast_request(&out, "node01", "req001", &p, &t, SIO_EMIT_VOLATILE, 2500) == 0);
  adapter_broadcast b;
  CHECK(adapter_decode_broadcast_request(out.data, out.len, 1000000, &b) == 0);
  CHECK_STR(b.uid, "node01");
  CHECK_STR(b.request_id, "req001");
  CHECK(b.timeout == 2500 && b.flags == SIO_EMIT_VOLATILE);
  CHECK(b.nrooms == 1 && b.packet.nbins == 1 && ((char *)b.packet.bins[0].data)[0] == 7);
  adapter_broadcast_free(&b);

  /* A client's answer: its first argument, binary inline, read back as JSON
   * with a placeholder. */
  sbuf_reset(&out);
  const char *args = "[{\"_placeholder\":true,\"num\":0},\"dropped\"]";
  CHECK(adapter_encode_broadcast_ack(&out, "req001", args, strlen(args), &bin, 1) == 0);
  sbuf json = SBUF_INIT;
  sio_attachment *bins;
  size_t nbins;
  CHECK(adapter_message_json(out.data, out.len, 1000000, &json, &bins, &nbins) == 0 && nbins == 1);
  const char *want = "{\"type\":9,\"requestId\":\"req001\",\"packet\":{\"_placeholder\":true,\"num\":0}}";
  CHECK_MEM(json.data, json.len, want, strlen(want));
  free(bins[0].data);
  free(bins);
  free(bin.data);
  sbuf_free(&json);
  sbuf_free(&out);
}

static void test_urls(void) {
  redis_url u;
  CHECK(redis_url_parse("redis://localhost", &u) == 0);
  CHECK_STR(u.host, "localhost");
  CHECK(u.port == 6379 && u.db == 0);
  redis_url_free(&u);
  CHECK(redis_url_parse("redis://10.0.0.5:7000/3", &u) == 0);
  CHECK_STR(u.host, "10.0.0.5");
  CHECK(u.port == 7000 && u.db == 3);
  redis_url_free(&u);
  CHECK(redis_url_parse("redis://[::1]:6380/", &u) == 0);
  CHECK_STR(u.host, "::1");
  CHECK(u.port == 6380);
  redis_url_free(&u);
  CHECK(redis_url_parse("redis://:s%40cr%3At@h:7000", &u) == 0);
  CHECK_STR(u.host, "h");
  CHECK(u.user == NULL && u.port == 7000);
  CHECK_STR(u.password, "s@cr:t");
  redis_url_free(&u);
  CHECK(redis_url_parse("redis://app:pw@[::1]/2", &u) == 0);
  CHECK_STR(u.user, "app");
  CHECK_STR(u.password, "pw");
  CHECK_STR(u.host, "::1");
  CHECK(u.db == 2);
  redis_url copy;
  CHECK(redis_url_copy(&u, &copy) == 0);
  CHECK_STR(copy.user, "app");
  CHECK_STR(copy.password, "pw");
  CHECK_STR(copy.host, "::1");
  redis_url_free(&copy);
  redis_url_free(&u);
  CHECK(redis_url_parse("rediss://h:6380", &u) == REDIS_URL_TLS);
  CHECK(u.host == NULL);
  const char *bad[] = {"http://h", "redis://", "redis://h:0", "redis://h:70000", "redis://h:x",
                       "redis://:pw@", "redis://h/x", "redis://[::1", "redis://h:1/2/3",
                       "redis://:p%4@h", "redis://:p%zz@h", "redis://u:p@x@h"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK(redis_url_parse(bad[i], &u) == REDIS_URL_BAD);
    CHECK(u.host == NULL && u.user == NULL && u.password == NULL);
  }
}

int main(void) {
  test_broadcast_to_a_room();
  test_volatile_uncompressed_broadcast();
  test_every_truncation_is_refused();
  test_requests_as_json();
  test_broadcast_request_and_its_answers();
  test_urls();
  return 0;
}
