/* Expected bytes and verdicts are what npm socket.io-parser 4.2.7 encodes
 * and decodes, except where a comment says the difference is deliberate. */
#include "check.h"
#include "sio/codec/sio_parser.h"
#include "util/json.h"

#define LIT(s) s, sizeof(s) - 1

static const sio_parser *P = &sio_parser_json;

/* ---- encoding ---- */

typedef struct encode_case {
  int type;
  const char *nsp;
  int64_t id;
  const char *data;
  const char *wire; /* the Engine.IO text message, "4" included */
} encode_case;

static const encode_case encodes[] = {
    {SIO_P_CONNECT, "/", -1, NULL, "40"},
    {SIO_P_CONNECT, "/admin", -1, "{\"token\":\"abc\"}",
     "40/admin,{\"token\":\"abc\"}"},
    {SIO_P_CONNECT, "/", -1, "{\"sid\":\"xyz\"}", "40{\"sid\":\"xyz\"}"},
    {SIO_P_DISCONNECT, "/admin", -1, NULL, "41/admin,"},
    {SIO_P_DISCONNECT, "/", -1, NULL, "41"},
    {SIO_P_EVENT, "/", -1, "[\"hello\",1,\"w\xc3\xb6rld\",{\"a\":[true,null]}]",
     "42[\"hello\",1,\"w\xc3\xb6rld\",{\"a\":[true,null]}]"},
    {SIO_P_EVENT, "/chat", 12, "[\"msg\"]", "42/chat,12[\"msg\"]"},
    {SIO_P_EVENT, "/", 0, "[\"x\"]", "420[\"x\"]"},
    {SIO_P_ACK, "/", 7, "[]", "437[]"},
    {SIO_P_ACK, "/chat", 9007199254740991, "[\"ok\",2]",
     "43/chat,9007199254740991[\"ok\",2]"},
    {SIO_P_CONNECT_ERROR, "/", -1, "{\"message\":\"Invalid namespace\"}",
     "44{\"message\":\"Invalid namespace\"}"},
    {SIO_P_CONNECT_ERROR, "/x", -1, "\"not authorized\"",
     "44/x,\"not authorized\""},
    /* The JS encoder omits a namespace that is "/" or empty. */
    {SIO_P_EVENT, NULL, -1, "[\"a\"]", "42[\"a\"]"},
    {SIO_P_EVENT, "", -1, "[\"a\"]", "42[\"a\"]"},
    /* A BINARY_ type without attachments goes out plain, as in JS. */
    {SIO_P_BINARY_EVENT, "/", -1, "[\"a\"]", "42[\"a\"]"},
    {SIO_P_BINARY_ACK, "/", 3, "[]", "433[]"},
    {SIO_P_EVENT, "/", INT64_MAX, "[\"a\"]", "429223372036854775807[\"a\"]"},
};

static void set_packet(sio_packet *p, int type, const char *nsp, int64_t id,
                       const char *data) {
  sio_packet_init(p);
  p->type = type;
  p->nsp = (char *)nsp;
  p->id = id;
  p->data = (char *)data;
  p->data_len = data ? strlen(data) : 0;
}

static void check_encode_text(void) {
  for (size_t k = 0; k < sizeof encodes / sizeof encodes[0]; k++) {
    const encode_case *c = &encodes[k];
    sio_packet p;
    set_packet(&p, c->type, c->nsp, c->id, c->data);
    rbuf *out[SIO_MAX_ENCODED];
    size_t nout = 0;
    CHECK(P->encode(&p, out, &nout) == 0);
    CHECK(nout == 1);
    CHECK(out[0]->refs == 1 && !out[0]->binary);
    CHECK_MEM(out[0]->data, out[0]->len, c->wire, strlen(c->wire));
    CHECK(out[0]->data[out[0]->len] == 0);
    rbuf_unref(out[0]);
  }
}

static void check_encode_binary(void) {
  sio_attachment one[] = {{(char *)"\x01\x02\x03", 3}};
  sio_packet p;
  set_packet(&p, SIO_P_EVENT, "/", -1,
             "[\"baz\",{\"_placeholder\":true,\"num\":0}]");
  p.bins = one;
  p.nbins = 1;
  rbuf *out[SIO_MAX_ENCODED];
  size_t nout = 0;
  CHECK(P->encode(&p, out, &nout) == 0);
  CHECK(nout == 2);
  CHECK_STR(out[0]->data, "451-[\"baz\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(out[1]->binary && out[1]->refs == 1);
  CHECK_MEM(out[1]->data, out[1]->len, "\x01\x02\x03", 3);
  for (size_t k = 0; k < nout; k++) rbuf_unref(out[k]);

  sio_attachment two[] = {{(char *)"hi", 2}, {NULL, 0}};
  set_packet(&p, SIO_P_BINARY_EVENT, "/bin", 3,
             "[\"a\",{\"x\":{\"_placeholder\":true,\"num\":0},"
             "\"y\":[{\"_placeholder\":true,\"num\":1}]}]");
  p.bins = two;
  p.nbins = 2;
  CHECK(P->encode(&p, out, &nout) == 0);
  CHECK(nout == 3);
  CHECK_STR(out[0]->data,
            "452-/bin,3[\"a\",{\"x\":{\"_placeholder\":true,\"num\":0},"
            "\"y\":[{\"_placeholder\":true,\"num\":1}]}]");
  CHECK_MEM(out[1]->data, out[1]->len, "hi", 2);
  CHECK(out[2]->binary && out[2]->len == 0);
  for (size_t k = 0; k < nout; k++) rbuf_unref(out[k]);

  sio_attachment ack[] = {{(char *)"\xff\x00", 2}};
  set_packet(&p, SIO_P_ACK, "/", 4, "[{\"_placeholder\":true,\"num\":0}]");
  p.bins = ack;
  p.nbins = 1;
  CHECK(P->encode(&p, out, &nout) == 0);
  CHECK(nout == 2);
  CHECK_STR(out[0]->data, "461-4[{\"_placeholder\":true,\"num\":0}]");
  CHECK_MEM(out[1]->data, out[1]->len, "\xff\x00", 2);
  for (size_t k = 0; k < nout; k++) rbuf_unref(out[k]);

  /* Ten attachments is the most a JS decoder takes. */
  sio_attachment ten[SIO_MAX_ATTACHMENTS + 1];
  for (size_t k = 0; k <= SIO_MAX_ATTACHMENTS; k++) {
    ten[k].data = (char *)"z";
    ten[k].len = 1;
  }
  set_packet(&p, SIO_P_EVENT, "/", -1, "[\"t\"]");
  p.bins = ten;
  p.nbins = SIO_MAX_ATTACHMENTS;
  CHECK(P->encode(&p, out, &nout) == 0);
  CHECK(nout == SIO_MAX_ENCODED);
  CHECK_STR(out[0]->data, "4510-[\"t\"]");
  for (size_t k = 0; k < nout; k++) rbuf_unref(out[k]);
  p.nbins = SIO_MAX_ATTACHMENTS + 1;
  nout = 99;
  CHECK(P->encode(&p, out, &nout) == -1);
  CHECK(nout == 99);
}

static void check_encode_refused(void) {
  rbuf *out[SIO_MAX_ENCODED];
  size_t nout = 0;
  sio_packet p;
  sio_attachment bin[] = {{(char *)"x", 1}};
  /* Types that cannot carry attachments. */
  int plain[] = {SIO_P_CONNECT, SIO_P_DISCONNECT, SIO_P_CONNECT_ERROR};
  for (size_t k = 0; k < 3; k++) {
    set_packet(&p, plain[k], "/", -1, "{}");
    p.bins = bin;
    p.nbins = 1;
    CHECK(P->encode(&p, out, &nout) == -1);
  }
  set_packet(&p, 7, "/", -1, NULL);
  CHECK(P->encode(&p, out, &nout) == -1);
  set_packet(&p, -1, "/", -1, NULL);
  CHECK(P->encode(&p, out, &nout) == -1);
  /* Namespaces a decoder would read differently. */
  set_packet(&p, SIO_P_EVENT, "admin", -1, "[\"a\"]");
  CHECK(P->encode(&p, out, &nout) == -1);
  set_packet(&p, SIO_P_EVENT, "/a,b", -1, "[\"a\"]");
  CHECK(P->encode(&p, out, &nout) == -1);
}

/* ---- decoding ---- */

typedef struct decode_case {
  const char *wire; /* the Engine.IO message payload, without the "4" */
  int result;
  int type;
  const char *nsp;
  int64_t id;
  const char *data;
} decode_case;

static const decode_case decodes[] = {
    {"0", 1, SIO_P_CONNECT, "/", -1, NULL},
    {"0/admin", 1, SIO_P_CONNECT, "/admin", -1, NULL},
    {"0/admin,", 1, SIO_P_CONNECT, "/admin", -1, NULL},
    {"0/admin,{}", 1, SIO_P_CONNECT, "/admin", -1, "{}"},
    {"0{\"token\":\"abc\"}", 1, SIO_P_CONNECT, "/", -1, "{\"token\":\"abc\"}"},
    {"0/", 1, SIO_P_CONNECT, "/", -1, NULL},
    {"01", 1, SIO_P_CONNECT, "/", 1, NULL},
    {"1", 1, SIO_P_DISCONNECT, "/", -1, NULL},
    {"1/a,", 1, SIO_P_DISCONNECT, "/a", -1, NULL},
    {"2[\"a\"]", 1, SIO_P_EVENT, "/", -1, "[\"a\"]"},
    {"2[1]", 1, SIO_P_EVENT, "/", -1, "[1]"},
    {"2[1.5,2]", 1, SIO_P_EVENT, "/", -1, "[1.5,2]"},
    {"2[-1]", 1, SIO_P_EVENT, "/", -1, "[-1]"},
    {"2[ \"a\" ]", 1, SIO_P_EVENT, "/", -1, "[ \"a\" ]"},
    {"2[\"connected\"]", 1, SIO_P_EVENT, "/", -1, "[\"connected\"]"},
    {"2[\"\\ud800\"]", 1, SIO_P_EVENT, "/", -1, "[\"\\ud800\"]"},
    {"212[\"a\"]", 1, SIO_P_EVENT, "/", 12, "[\"a\"]"},
    {"2/a,12[\"a\"]", 1, SIO_P_EVENT, "/a", 12, "[\"a\"]"},
    {"2/,[\"x\"]", 1, SIO_P_EVENT, "/", -1, "[\"x\"]"},
    {"2[\"a\"] ", 1, SIO_P_EVENT, "/", -1, "[\"a\"] "},
    {"2[\"a\"]\n", 1, SIO_P_EVENT, "/", -1, "[\"a\"]\n"},
    {"29007199254740991[\"a\"]", 1, SIO_P_EVENT, "/", 9007199254740991, "[\"a\"]"},
    {"2/a,9007199254740991[\"a\"]", 1, SIO_P_EVENT, "/a", SIO_MAX_ACK_ID, "[\"a\"]"},
    {"39007199254740991[]", 1, SIO_P_ACK, "/", SIO_MAX_ACK_ID, "[]"},
    {"200009007199254740991[\"a\"]", 1, SIO_P_EVENT, "/", SIO_MAX_ACK_ID, "[\"a\"]"},
    {"3[]", 1, SIO_P_ACK, "/", -1, "[]"},
    {"31[1]", 1, SIO_P_ACK, "/", 1, "[1]"},
    {"4{}", 1, SIO_P_CONNECT_ERROR, "/", -1, "{}"},
    {"4\"x\"", 1, SIO_P_CONNECT_ERROR, "/", -1, "\"x\""},
    {"4/x,{\"message\":\"no\"}", 1, SIO_P_CONNECT_ERROR, "/x", -1,
     "{\"message\":\"no\"}"},
    {"51-[\"a\"]", 0, 0, NULL, 0, NULL},
    {"510-[\"a\"]", 0, 0, NULL, 0, NULL},
    {"501-[\"a\"]", 0, 0, NULL, 0, NULL},
    {"61-[]", 0, 0, NULL, 0, NULL},
    {"601-/a,5[]", 0, 0, NULL, 0, NULL},
    /* Refused by the JS decoder too. */
    {"0[]", -1, 0, NULL, 0, NULL},
    {"0\"x\"", -1, 0, NULL, 0, NULL},
    {"0null", -1, 0, NULL, 0, NULL},
    {"0/a,b", -1, 0, NULL, 0, NULL},
    {"1{}", -1, 0, NULL, 0, NULL},
    {"1/a,{}", -1, 0, NULL, 0, NULL},
    {"2[]", -1, 0, NULL, 0, NULL},
    {"2[true]", -1, 0, NULL, 0, NULL},
    {"2[null]", -1, 0, NULL, 0, NULL},
    {"2[[\"a\"]]", -1, 0, NULL, 0, NULL},
    {"2[{}]", -1, 0, NULL, 0, NULL},
    {"2[\"connect\"]", -1, 0, NULL, 0, NULL},
    {"2[\"\\u0063onnect\"]", -1, 0, NULL, 0, NULL},
    {"2[\"connect_error\"]", -1, 0, NULL, 0, NULL},
    {"2[\"disconnect\"]", -1, 0, NULL, 0, NULL},
    {"2[\"disconnecting\",1]", -1, 0, NULL, 0, NULL},
    {"2[\"newListener\"]", -1, 0, NULL, 0, NULL},
    {"2[\"removeListener\"]", -1, 0, NULL, 0, NULL},
    {"5-[\"connect\"]", -1, 0, NULL, 0, NULL},
    {"51-[\"disconnect\"]", -1, 0, NULL, 0, NULL},
    {"2{}", -1, 0, NULL, 0, NULL},
    {"2\"a\"", -1, 0, NULL, 0, NULL},
    {"2[\"a\"]x", -1, 0, NULL, 0, NULL},
    {"2abc[\"a\"]", -1, 0, NULL, 0, NULL},
    {"2[\"a\",]", -1, 0, NULL, 0, NULL},
    {"2[\"a\"", -1, 0, NULL, 0, NULL},
    {"21e3[\"a\"]", -1, 0, NULL, 0, NULL},
    {"2-1[\"a\"]", -1, 0, NULL, 0, NULL},
    {"3{}", -1, 0, NULL, 0, NULL},
    {"3\"a\"", -1, 0, NULL, 0, NULL},
    {"4[]", -1, 0, NULL, 0, NULL},
    {"4null", -1, 0, NULL, 0, NULL},
    {"5", -1, 0, NULL, 0, NULL},
    {"5-", -1, 0, NULL, 0, NULL},
    {"50-[\"a\"]", -1, 0, NULL, 0, NULL},
    {"511-[\"a\"]", -1, 0, NULL, 0, NULL},
    {"599999999999999999999999-[\"a\"]", -1, 0, NULL, 0, NULL},
    {"5a-[\"a\"]", -1, 0, NULL, 0, NULL},
    {"51[\"a\"]", -1, 0, NULL, 0, NULL},
    {"61-{}", -1, 0, NULL, 0, NULL},
    {"7", -1, 0, NULL, 0, NULL},
    {"9", -1, 0, NULL, 0, NULL},
    {"a", -1, 0, NULL, 0, NULL},
    {"/", -1, 0, NULL, 0, NULL},
    {"-", -1, 0, NULL, 0, NULL},
    /* Placeholders must point at an announced attachment (the JS decoder
     * throws "illegal attachments" once the buffers are in). */
    {"51-[\"a\",{\"_placeholder\":true,\"num\":1}]", -1, 0, NULL, 0, NULL},
    {"51-[\"a\",{\"_placeholder\":true}]", -1, 0, NULL, 0, NULL},
    {"51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]", -1, 0, NULL, 0, NULL},
    /* Deliberately refused: a num JS reads as an index but spelt otherwise
     * than as a plain integer (see json.h). */
    {"52-[\"a\",{\"_placeholder\":true,\"num\":1.0}]", -1, 0, NULL, 0, NULL},
    {"52-[\"a\",{\"_placeholder\":true,\"num\":1e0}]", -1, 0, NULL, 0, NULL},
    {"52-[\"a\",{\"_placeholder\":true,\"num\":-0}]", -1, 0, NULL, 0, NULL},
    {"62-[{\"_placeholder\":true,\"num\":0.000000000000000000000000000001e30}]", -1, 0, NULL,
     0, NULL},
    /* Deliberately refused although the JS decoder takes them: no payload
     * where the packet type needs one (the JS server then dispatches an
     * event with no name or an ack with no arguments)... */
    {"", -1, 0, NULL, 0, NULL},
    {"2", -1, 0, NULL, 0, NULL},
    {"212", -1, 0, NULL, 0, NULL},
    {"2/a", -1, 0, NULL, 0, NULL},
    {"2/a[\"x\"]", -1, 0, NULL, 0, NULL},
    {"3", -1, 0, NULL, 0, NULL},
    {"312", -1, 0, NULL, 0, NULL},
    {"4", -1, 0, NULL, 0, NULL},
    {"4123", -1, 0, NULL, 0, NULL},
    {"51-", -1, 0, NULL, 0, NULL},
    /* ...invalid UTF-8 (a WebSocket peer may not send it; Node's polling
     * transport would decode it to U+FFFD)... */
    {"2[\"\xc3\"]", -1, 0, NULL, 0, NULL},
    /* ...a type that only Number() reads as 0... */
    {" ", -1, 0, NULL, 0, NULL},
    {" 0", -1, 0, NULL, 0, NULL},
    /* ...white space that JS takes for an ack id ("2 [..." has id 0)... */
    {"2 [\"a\"]", -1, 0, NULL, 0, NULL},
    {"3 []", -1, 0, NULL, 0, NULL},
    {"0/a, {}", -1, 0, NULL, 0, NULL},
    {"2\t[\"a\"]", -1, 0, NULL, 0, NULL},
    /* ...an ack id past 2^53 - 1 (JS reads it into a double, which
     * rounds it, and the answer would name another id)... */
    {"29007199254740992[\"a\"]", -1, 0, NULL, 0, NULL},
    {"39007199254740992[]", -1, 0, NULL, 0, NULL},
    {"2/a,9007199254740993[\"a\"]", -1, 0, NULL, 0, NULL},
    {"29223372036854775807[\"a\"]", -1, 0, NULL, 0, NULL},
    {"29223372036854775808[\"a\"]", -1, 0, NULL, 0, NULL},
    {"299999999999999999999[\"a\"]", -1, 0, NULL, 0, NULL},
    {"61-9007199254740992[]", -1, 0, NULL, 0, NULL},
    /* ...and attachment counts only Number() reads. */
    {"5 1-[\"a\"]", -1, 0, NULL, 0, NULL},
    {"51e0-[\"a\"]", -1, 0, NULL, 0, NULL},
    {"50x1-[\"a\"]", -1, 0, NULL, 0, NULL},
};

static void check_decode_table(void) {
  for (size_t k = 0; k < sizeof decodes / sizeof decodes[0]; k++) {
    const decode_case *c = &decodes[k];
    sio_decoder *d = P->decoder_new(1000000);
    CHECK(d);
    sio_packet p;
    sio_packet_init(&p);
    int r = P->decode(d, c->wire, strlen(c->wire), 0, &p);
    if (r != c->result) {
      fprintf(stderr, "decoding \"%s\": %d, expected %d\n", c->wire, r,
              c->result);
      exit(1);
    }
    if (r == 1) {
      CHECK(p.type == c->type);
      CHECK_STR(p.nsp, c->nsp);
      CHECK(p.id == c->id);
      if (c->data) {
        CHECK_MEM(p.data, p.data_len, c->data, strlen(c->data));
      } else {
        CHECK(p.data == NULL && p.data_len == 0);
      }
      CHECK(p.nattach == 0 && p.nbins == 0 && p.bins == NULL);
    } else {
      CHECK(p.nsp == NULL && p.data == NULL && p.id == -1);
    }
    sio_packet_clear(&p);
    P->decoder_free(d);
  }
}

/* Nesting deeper than JSON_MAX_DEPTH is refused (JSON.parse would take
 * it): the limit keeps every scan bounded. */
static void check_decode_depth(void) {
  char wire[2 * JSON_MAX_DEPTH + 16];
  for (int depth = JSON_MAX_DEPTH; depth <= JSON_MAX_DEPTH + 1; depth++) {
    size_t n = 0;
    wire[n++] = '2';
    wire[n++] = '[';
    wire[n++] = '1';
    wire[n++] = ',';
    memset(wire + n, '[', (size_t)depth - 1);
    n += (size_t)depth - 1;
    memset(wire + n, ']', (size_t)depth);
    n += (size_t)depth;
    sio_decoder *d = P->decoder_new(1000000);
    sio_packet p;
    sio_packet_init(&p);
    CHECK(P->decode(d, wire, n, 0, &p) == (depth <= JSON_MAX_DEPTH ? 1 : -1));
    sio_packet_clear(&p);
    P->decoder_free(d);
  }
}

/* The input is bounded by its length, never by a NUL. */
static void check_decode_lengths(void) {
  sio_decoder *d = P->decoder_new(1000000);
  sio_packet p;
  sio_packet_init(&p);
  static const char wire[] = "2[\"a\"]garbage";
  CHECK(P->decode(d, wire, 6, 0, &p) == 1);
  CHECK_MEM(p.data, p.data_len, "[\"a\"]", 5);
  /* An EVENT is handed on without a copy: its data is the input's. */
  CHECK(p.borrowed && p.data == wire + 1);
  sio_packet_clear(&p);
  /* A CONNECT's data is a copy, NUL-terminated (auth is read as a string). */
  CHECK(P->decode(d, "0/a,{}garbage", 6, 0, &p) == 1);
  CHECK(!p.borrowed);
  CHECK_STR(p.data, "{}");
  CHECK_STR(p.nsp, "/a");
  sio_packet_clear(&p);
  /* A borrowed namespace other than "/" is still a C string of its own. */
  CHECK(P->decode(d, "2/chat,[\"a\"]x", 12, 0, &p) == 1);
  CHECK(p.borrowed);
  CHECK_STR(p.nsp, "/chat");
  CHECK_MEM(p.data, p.data_len, "[\"a\"]", 5);
  sio_packet_clear(&p);
  CHECK(P->decode(d, "2[\"a\"]", 5, 0, &p) == -1);
  CHECK(P->decode(d, LIT("2[\"a\0\"]"), 0, &p) == -1);
  CHECK(P->decode(d, LIT("0/a\0b"), 0, &p) == -1);
  CHECK(P->decode(d, LIT("0/a\0b,{}"), 0, &p) == -1);
  CHECK(P->decode(d, LIT("2[\"a\"]\0"), 0, &p) == -1);
  P->decoder_free(d);
}

static void check_decode_binary(void) {
  sio_decoder *d = P->decoder_new(1000000);
  sio_packet p;
  sio_packet_init(&p);
  const char *text = "51-[\"a\",{\"_placeholder\":true,\"num\":0}]";
  CHECK(P->decode(d, text, strlen(text), 0, &p) == 0);
  CHECK(p.nsp == NULL);
  CHECK(P->decode(d, LIT("\x01\x00\x02"), 1, &p) == 1);
  CHECK(p.type == SIO_P_BINARY_EVENT);
  CHECK_STR(p.nsp, "/");
  CHECK(p.id == -1);
  CHECK_STR(p.data, "[\"a\",{\"_placeholder\":true,\"num\":0}]");
  CHECK(p.nattach == 1 && p.nbins == 1);
  CHECK_MEM(p.bins[0].data, p.bins[0].len, "\x01\x00\x02", 3);
  sio_packet_clear(&p);

  /* Two attachments, one empty; the decoder is reusable afterwards. */
  text = "62-/bin,3[{\"_placeholder\":true,\"num\":1},"
         "{\"_placeholder\":true,\"num\":0}]";
  CHECK(P->decode(d, text, strlen(text), 0, &p) == 0);
  CHECK(P->decode(d, "", 0, 1, &p) == 0);
  CHECK(P->decode(d, LIT("hi"), 1, &p) == 1);
  CHECK(p.type == SIO_P_BINARY_ACK && p.id == 3 && p.nbins == 2);
  CHECK_STR(p.nsp, "/bin");
  CHECK(p.bins[0].len == 0 && p.bins[0].data);
  CHECK_MEM(p.bins[1].data, p.bins[1].len, "hi", 2);
  sio_packet_clear(&p);
  CHECK(P->decode(d, LIT("2[\"plain\"]"), 0, &p) == 1);
  CHECK_MEM(p.data, p.data_len, "[\"plain\"]", 9);
  sio_packet_clear(&p);

  /* Ten attachments. */
  CHECK(P->decode(d, LIT("510-[\"t\"]"), 0, &p) == 0);
  for (int k = 0; k < 9; k++) CHECK(P->decode(d, LIT("z"), 1, &p) == 0);
  CHECK(P->decode(d, LIT("z"), 1, &p) == 1);
  CHECK(p.nbins == 10);
  sio_packet_clear(&p);

  /* A binary message with nothing waiting for it. */
  CHECK(P->decode(d, LIT("\x01"), 1, &p) == -1);
  /* A text message while attachments are pending. */
  CHECK(P->decode(d, LIT("52-[\"a\"]"), 0, &p) == 0);
  CHECK(P->decode(d, LIT("x"), 1, &p) == 0);
  CHECK(P->decode(d, LIT("2[\"b\"]"), 0, &p) == -1);
  CHECK(p.nsp == NULL && p.data == NULL);
  P->decoder_free(d);

  /* Freed while attachments are pending: nothing leaks. */
  d = P->decoder_new(1000000);
  CHECK(P->decode(d, LIT("53-[\"a\"]"), 0, &p) == 0);
  CHECK(P->decode(d, LIT("x"), 1, &p) == 0);
  P->decoder_free(d);
  P->decoder_free(NULL);
}

/* A placeholder nested in a placeholder is part of the object JS replaces
 * with the attachment: the packet is valid and the host gets the outer
 * placeholder alone, written in the one form every reader agrees on. */
static void check_decode_nested_placeholders(void) {
  static const struct {
    const char *wire;
    const char *data;
  } cases[] = {
      {"61-5[{\"num\":0,\"_placeholder\":true,\"x\":{\"_placeholder\":true,\"num\":0}}]",
       "[{\"_placeholder\":true,\"num\":0}]"},
      {"52-[\"a\",{\"x\":[{\"_placeholder\":true,\"num\":7}],\"_placeholder\":true,\"num\":1},"
       "{\"_placeholder\":true,\"num\":0,\"y\":\"z\"}]",
       "[\"a\",{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]"},
      {"51-[\"a\",{ \"_placeholder\" : true , \"n\\u0075m\" : 0 }]",
       "[\"a\",{\"_placeholder\":true,\"num\":0}]"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    sio_decoder *d = P->decoder_new(1000000);
    sio_packet p;
    sio_packet_init(&p);
    size_t nattach = (size_t)(cases[k].wire[1] - '0');
    CHECK(P->decode(d, cases[k].wire, strlen(cases[k].wire), 0, &p) == 0);
    for (size_t b = 1; b < nattach; b++) CHECK(P->decode(d, LIT("b"), 1, &p) == 0);
    CHECK(P->decode(d, LIT("b"), 1, &p) == 1);
    CHECK(!p.borrowed && p.nbins == nattach);
    CHECK_STR(p.data, cases[k].data);
    CHECK(p.data_len == strlen(cases[k].data));
    sio_packet_clear(&p);
    P->decoder_free(d);
  }
}

static void check_decode_limit(void) {
  sio_decoder *d = P->decoder_new(16);
  sio_packet p;
  sio_packet_init(&p);
  /* nsp + JSON is what the packet holds: 1 + 15. */
  CHECK(P->decode(d, LIT("2[\"abcdefghijk\"]"), 0, &p) == 1);
  sio_packet_clear(&p);
  CHECK(P->decode(d, LIT("2[\"abcdefghijkl\"]"), 0, &p) == -1);
  /* Attachments count against the same bound. */
  CHECK(P->decode(d, LIT("52-[\"a\"]"), 0, &p) == 0);
  CHECK(P->decode(d, LIT("0123456"), 1, &p) == 0);
  CHECK(P->decode(d, LIT("0123"), 1, &p) == -1);
  CHECK(P->decode(d, LIT("51-[\"a\"]"), 0, &p) == 0);
  CHECK(P->decode(d, LIT("0123456789"), 1, &p) == 1);
  sio_packet_clear(&p);
  P->decoder_free(d);
}

/* Everything encoded decodes back to the same packet. */
static void check_roundtrip(void) {
  sio_decoder *d = P->decoder_new(1000000);
  sio_attachment bins[] = {{(char *)"\x00\xff", 2}, {(char *)"abc", 3}};
  sio_packet in;
  set_packet(&in, SIO_P_EVENT, "/r", 42,
             "[\"e\",{\"_placeholder\":true,\"num\":1},"
             "[{\"_placeholder\":true,\"num\":0}]]");
  in.bins = bins;
  in.nbins = 2;
  rbuf *out[SIO_MAX_ENCODED];
  size_t nout;
  CHECK(P->encode(&in, out, &nout) == 0);
  sio_packet p;
  sio_packet_init(&p);
  for (size_t k = 0; k < nout; k++) {
    /* Strip the Engine.IO type digit from text messages. */
    int binary = out[k]->binary;
    CHECK(P->decode(d, out[k]->data + !binary, out[k]->len - !binary, binary,
                    &p) == (k + 1 == nout));
    rbuf_unref(out[k]);
  }
  CHECK(p.type == SIO_P_BINARY_EVENT && p.id == 42 && p.nbins == 2);
  CHECK_STR(p.nsp, "/r");
  CHECK_MEM(p.data, p.data_len, in.data, in.data_len);
  CHECK_MEM(p.bins[0].data, p.bins[0].len, "\x00\xff", 2);
  CHECK_MEM(p.bins[1].data, p.bins[1].len, "abc", 3);
  sio_packet_clear(&p);
  CHECK(p.nsp == NULL && p.id == -1 && p.bins == NULL);
  P->decoder_free(d);
}

/* Feeds every message of an encoded packet to d; 1 when the last one
 * completes the packet into *p, as it must. */
static int decode_encoded(sio_decoder *d, rbuf **msgs, size_t n, sio_packet *p) {
  int r = -1;
  for (size_t k = 0; k < n; k++) {
    int binary = msgs[k]->binary;
    r = P->decode(d, msgs[k]->data + !binary, msgs[k]->len - !binary, binary, p);
    if (r != (k + 1 == n)) return -1;
  }
  return r;
}

/* decode -> encode -> decode is stable for valid placeholder packets,
 * whatever form their placeholders arrived in, and the second encoding is
 * byte for byte the first. */
static void check_decode_encode_stable(void) {
  static const char *const wires[] = {
      "52-/s,7[\"e\",{\"_placeholder\":true,\"num\":1},[{\"_placeholder\":true,\"num\":0}]]",
      "61-9007199254740991[{\"num\":0,\"_placeholder\":true,\"x\":{\"_placeholder\":true,\"num\":0}}]",
      "53-[\"e\",{\"a\":{\"_placeholder\":true,\"num\":2,\"k\":[1]}},"
      "{\"\\u005fplaceholder\":true,\"num\":0},{\"num\":1,\"_placeholder\":true}]",
  };
  for (size_t w = 0; w < sizeof wires / sizeof wires[0]; w++) {
    sio_decoder *d = P->decoder_new(1000000);
    sio_packet first, second;
    sio_packet_init(&first);
    sio_packet_init(&second);
    size_t nattach = (size_t)(wires[w][1] - '0');
    CHECK(P->decode(d, wires[w], strlen(wires[w]), 0, &first) == 0);
    for (size_t b = 0; b < nattach; b++) {
      char bin[2] = {'0', (char)b};
      CHECK(P->decode(d, bin, sizeof bin, 1, &first) == (b + 1 == nattach));
    }
    rbuf *enc1[SIO_MAX_ENCODED], *enc2[SIO_MAX_ENCODED];
    size_t n1, n2;
    CHECK(P->encode(&first, enc1, &n1) == 0);
    CHECK(decode_encoded(d, enc1, n1, &second) == 1);
    CHECK(second.type == first.type && second.id == first.id && second.nbins == first.nbins);
    CHECK_STR(second.nsp, first.nsp);
    CHECK_MEM(second.data, second.data_len, first.data, first.data_len);
    for (size_t b = 0; b < first.nbins; b++)
      CHECK_MEM(second.bins[b].data, second.bins[b].len, first.bins[b].data, first.bins[b].len);
    CHECK(P->encode(&second, enc2, &n2) == 0);
    CHECK(n2 == n1);
    for (size_t k = 0; k < n1; k++) {
      CHECK_MEM(enc2[k]->data, enc2[k]->len, enc1[k]->data, enc1[k]->len);
      rbuf_unref(enc1[k]);
      rbuf_unref(enc2[k]);
    }
    sio_packet_clear(&first);
    sio_packet_clear(&second);
    P->decoder_free(d);
  }
}

/* Every prefix and every single-byte change of valid packets: any verdict
 * is fine, crashing or leaking is not (run under ASan/UBSan). */
static void check_mutations(void) {
  const char *seeds[] = {
      "52-/bin,3[\"a\",{\"x\":{\"_placeholder\":true,\"num\":0},"
      "\"y\":[{\"_placeholder\":true,\"num\":1}]}]",
      "2/chat,12[\"msg\",{\"k\":[1,2.5e3,true,null,\"\\u00e9\\n\"]}]",
      "61-5[{\"num\":0,\"_placeholder\":true,\"x\":{\"_placeholder\":true,\"num\":0}}]",
      "0/admin,{\"token\":\"abc\"}", "4\"x\"", "31[]"};
  const char alphabet[] = "0123456789/,-[]{}\":.e\\u \x01\x80\xff";
  char buf[256];
  for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
    size_t n = strlen(seeds[s]);
    for (size_t cut = 0; cut <= n; cut++) {
      for (size_t at = 0; at <= cut; at++) {
        for (size_t a = 0; a < sizeof alphabet; a++) {
          memcpy(buf, seeds[s], cut);
          if (at < cut) buf[at] = alphabet[a];
          else if (a) break;
          sio_decoder *d = P->decoder_new(1000000);
          sio_packet p;
          sio_packet_init(&p);
          int r = P->decode(d, buf, cut, 0, &p);
          for (int extra = 0; r == 0 && extra < SIO_MAX_ATTACHMENTS; extra++)
            r = P->decode(d, "b", 1, 1, &p);
          CHECK(r == 1 || r == -1);
          sio_packet_clear(&p);
          P->decoder_free(d);
        }
      }
    }
  }
}

int main(void) {
  CHECK(sio_parser_by_name("json") == &sio_parser_json);
  CHECK(sio_parser_by_name("JSON") == NULL);
  CHECK(sio_parser_by_name("nope") == NULL);
  CHECK(sio_parser_by_name(NULL) == NULL);
  CHECK_STR(sio_parser_json.name, "json");
  check_encode_text();
  check_encode_binary();
  check_encode_refused();
  check_decode_table();
  check_decode_depth();
  check_decode_lengths();
  check_decode_binary();
  check_decode_nested_placeholders();
  check_decode_limit();
  check_roundtrip();
  check_decode_encode_stable();
  check_mutations();
  return 0;
}
