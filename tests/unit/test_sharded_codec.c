/* The sharded Redis adapter's messages against bytes the Node adapter
 * published (@socket.io/redis-adapter 8.3.0's createShardedAdapter on
 * socket.io-adapter 2.5.8 and node-redis 4, captured by a subscriber to
 * its shard channels): read, and written back identically; every
 * truncation refused. */
#include <stdlib.h>
#include <string.h>

#include "adapter/sharded_codec.h"
#include "captured_broadcast.h"
#include "check.h"

#define UID "61320279cffe3860"

/* io.to("room1").except("x").emit("ev", 1, "two", Buffer.from([0, 255]))
 * on "socket.io#/#room1#" (a room's own channel): notepack, as it holds a
 * Buffer. */
static const char TO_ROOM[] =
    "84a47479706503a46461746182a67061636b657482a47479706502a46461746194a2657601a374776fc40200ff"
    "a46f70747383a5726f6f6d7391a5726f6f6d31a665786365707491a178a5666c61677380a3756964b036313332"
    "303237396366666533383630a36e7370a12f";
/* io.volatile.compress(false).emit("plain", {a: [true, null]}) on
 * "socket.io#/#". */
static const char VOLATILE[] =
    "{\"type\":3,\"data\":{\"packet\":{\"type\":2,\"data\":[\"plain\",{\"a\":[true,null]}]},"
    "\"opts\":{\"rooms\":[],\"except\":[],\"flags\":{\"volatile\":true,\"compress\":false}}},"
    "\"uid\":\"" UID "\",\"nsp\":\"/\"}";
/* Another node's broadcast with acknowledgements, as Node writes it. */
static const char ASK[] =
    "{\"type\":3,\"data\":{\"packet\":{\"type\":2,\"data\":[\"ask\"]},\"requestId\":"
    "\"bbbbbbbbbbbbbbbb\",\"opts\":{\"rooms\":[],\"except\":[],\"flags\":{\"timeout\":1000}}},"
    "\"uid\":\"0123456789abcdef\",\"nsp\":\"/\"}";
/* The answers of the Node node: its client count for ASK, and its
 * serverSideEmit callback's cb({got: "q", bin: Buffer.from([1, 2])}) on
 * "socket.io#/#0123456789abcdef#". */
static const char CLIENT_COUNT[] =
    "{\"type\":11,\"data\":{\"requestId\":\"bbbbbbbbbbbbbbbb\",\"clientCount\":0},"
    "\"uid\":\"" UID "\",\"nsp\":\"/\"}";
static const char SSE_ANSWER[] =
    "84a4747970650aa46461746182a9726571756573744964b061616161616161616161616161616161a67061636b"
    "657482a3676f74a171a362696ec4020102a3756964b036313332303237396366666533383630a36e7370a12f";
/* io.serverSideEmit("sse", "hi", 3). */
static const char SSE[] = "{\"type\":9,\"data\":{\"packet\":[\"sse\",\"hi\",3]},\"uid\":\"" UID
                          "\",\"nsp\":\"/\"}";

static void check_written_back(const adapter_broadcast *b, const char *request_id, int timeout,
                               const char *expected, size_t n) {
  sio_target t = {sizeof(t), "/", NULL, (const char *const *)b->rooms, b->nrooms,
                  (const char *const *)b->except, b->nexcept, 0};
  sbuf data = SBUF_INIT, out = SBUF_INIT;
  CHECK(sharded_broadcast_data(&data, &b->packet, &t, b->flags, request_id, timeout) == 0);
  CHECK(sharded_encode(&out, SH_BROADCAST, data.data, data.len, b->packet.bins, b->packet.nbins,
                       b->uid, "/") == 0);
  CHECK_MEM(out.data, out.len, expected, n);
  sbuf_free(&data);
  sbuf_free(&out);
}

static void test_broadcast_to_a_room(void) {
  char msg[256];
  size_t n = unhex(TO_ROOM, msg);
  sharded_msg m;
  CHECK(sharded_decode(msg, n, 1000000, &m) == 0);
  CHECK(m.type == SH_BROADCAST);
  CHECK_STR(m.uid.data, UID);
  CHECK_STR(m.nsp.data, "/");
  CHECK(m.request_id.data == NULL);
  adapter_broadcast b;
  CHECK(sharded_read_broadcast(&m, &b) == 0);
  check_to_room1(&b);
  CHECK(b.packet.data[b.packet.data_len] == 0 && b.request_id == NULL);
  check_written_back(&b, NULL, 0, msg, n);
  adapter_broadcast_free(&b);
  sharded_msg_free(&m);
}

static void test_volatile_uncompressed_broadcast(void) {
  sharded_msg m;
  CHECK(sharded_decode(VOLATILE, strlen(VOLATILE), 1000000, &m) == 0);
  adapter_broadcast b;
  CHECK(sharded_read_broadcast(&m, &b) == 0);
  CHECK(b.packet.type == SIO_P_EVENT && b.packet.nbins == 0);
  CHECK_STR(b.packet.data, "[\"plain\",{\"a\":[true,null]}]");
  CHECK(b.flags == (SIO_EMIT_VOLATILE | SIO_EMIT_NO_COMPRESS) && b.timeout == -1);
  CHECK(b.nrooms == 0 && b.nexcept == 0);
  check_written_back(&b, NULL, 0, VOLATILE, strlen(VOLATILE));
  adapter_broadcast_free(&b);
  sharded_msg_free(&m);
}

static void test_broadcast_with_acks_and_its_count(void) {
  sharded_msg m;
  CHECK(sharded_decode(ASK, strlen(ASK), 1000000, &m) == 0);
  CHECK_STR(m.request_id.data, "bbbbbbbbbbbbbbbb");
  adapter_broadcast b;
  CHECK(sharded_read_broadcast(&m, &b) == 0);
  CHECK_STR(b.request_id, "bbbbbbbbbbbbbbbb");
  CHECK(b.timeout == 1000);
  CHECK_STR(b.packet.data, "[\"ask\"]");
  check_written_back(&b, "bbbbbbbbbbbbbbbb", 1000, ASK, strlen(ASK));
  adapter_broadcast_free(&b);
  sharded_msg_free(&m);

  static const char count[] = "{\"requestId\":\"bbbbbbbbbbbbbbbb\",\"clientCount\":0}";
  sbuf out = SBUF_INIT;
  CHECK(sharded_encode(&out, SH_BROADCAST_CLIENT_COUNT, count, strlen(count), NULL, 0, UID, "/") == 0);
  CHECK_MEM(out.data, out.len, CLIENT_COUNT, strlen(CLIENT_COUNT));
  sbuf_free(&out);
}

static void test_answer_with_binary(void) {
  char msg[256];
  size_t n = unhex(SSE_ANSWER, msg);
  sharded_msg m;
  CHECK(sharded_decode(msg, n, 1000000, &m) == 0);
  CHECK(m.type == SH_SERVER_SIDE_EMIT_RESPONSE);
  CHECK_STR(m.request_id.data, "aaaaaaaaaaaaaaaa");
  static const char data[] =
      "{\"requestId\":\"aaaaaaaaaaaaaaaa\",\"packet\":{\"got\":\"q\",\"bin\":{\"_placeholder\":true,"
      "\"num\":0}}}";
  CHECK_MEM(m.data, m.data_len, data, strlen(data));
  CHECK(m.nbins == 1 && m.bins[0].len == 2 && memcmp(m.bins[0].data, "\x01\x02", 2) == 0);
  sbuf out = SBUF_INIT;
  CHECK(sharded_encode(&out, SH_SERVER_SIDE_EMIT_RESPONSE, m.data, m.data_len, m.bins, m.nbins,
                       UID, "/") == 0);
  CHECK_MEM(out.data, out.len, msg, n);
  sbuf_free(&out);
  sharded_msg_free(&m);
}

static void test_request(void) {
  sharded_msg m;
  CHECK(sharded_decode(SSE, strlen(SSE), 1000000, &m) == 0);
  CHECK(m.type == SH_SERVER_SIDE_EMIT && m.request_id.data == NULL);
  static const char data[] = "{\"packet\":[\"sse\",\"hi\",3]}";
  CHECK_MEM(m.data, m.data_len, data, strlen(data));
  adapter_broadcast b;
  CHECK(sharded_read_broadcast(&m, &b) == -1);
  sbuf out = SBUF_INIT;
  CHECK(sharded_encode(&out, SH_SERVER_SIDE_EMIT, data, strlen(data), NULL, 0, UID, "/") == 0);
  CHECK_MEM(out.data, out.len, SSE, strlen(SSE));
  sbuf_free(&out);
  sharded_msg_free(&m);
}

static void test_bad_messages_are_refused(void) {
  char msg[256];
  size_t n = unhex(TO_ROOM, msg);
  for (size_t len = 0; len < n; len++) {
    sharded_msg m;
    adapter_broadcast b;
    CHECK(sharded_decode(msg, len, 1000000, &m) == -1 || sharded_read_broadcast(&m, &b) == -1);
    sharded_msg_free(&m);
  }
  for (size_t len = 0; len < strlen(VOLATILE); len++) {
    sharded_msg m;
    CHECK(sharded_decode(VOLATILE, len, 1000000, &m) == -1);
    sharded_msg_free(&m);
  }
  static const char *bad[] = {
      "{\"data\":{},\"uid\":\"u\",\"nsp\":\"/\"}",          /* no type */
      "{\"type\":\"3\",\"data\":{},\"uid\":\"u\",\"nsp\":\"/\"}", /* not a number */
      "{\"type\":3,\"data\":{},\"nsp\":\"/\"}",             /* no uid */
      "{\"type\":3,\"data\":{},\"uid\":\"u\"}",             /* no nsp */
      "[3]",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    sharded_msg m;
    CHECK(sharded_decode(bad[i], strlen(bad[i]), 1000000, &m) == -1);
    sharded_msg_free(&m);
  }
  /* A BROADCAST whose packet is not an EVENT, or has no data array. */
  static const char *not_events[] = {
      "{\"type\":3,\"data\":{\"packet\":{\"type\":3,\"data\":[\"x\"]}},\"uid\":\"u\",\"nsp\":\"/\"}",
      "{\"type\":3,\"data\":{\"packet\":{\"type\":2,\"data\":\"x\"}},\"uid\":\"u\",\"nsp\":\"/\"}",
      "{\"type\":3,\"data\":{\"packet\":{\"type\":2,\"data\":[\"x\"]},\"opts\":{\"rooms\":[{}]}},"
      "\"uid\":\"u\",\"nsp\":\"/\"}",
  };
  for (size_t i = 0; i < sizeof not_events / sizeof *not_events; i++) {
    sharded_msg m;
    adapter_broadcast b;
    CHECK(sharded_decode(not_events[i], strlen(not_events[i]), 1000000, &m) == 0);
    CHECK(sharded_read_broadcast(&m, &b) == -1);
    sharded_msg_free(&m);
  }
}

int main(void) {
  test_broadcast_to_a_room();
  test_volatile_uncompressed_broadcast();
  test_broadcast_with_acks_and_its_count();
  test_answer_with_binary();
  test_request();
  test_bad_messages_are_refused();
  return 0;
}
