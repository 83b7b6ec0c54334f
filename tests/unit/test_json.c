/* Expected values are what JSON.parse / JSON.stringify (Node 20) do. */
#include "check.h"
#include "sio/event_decode.h"
#include "util/json.h"

#define LIT(s) s, sizeof(s) - 1

static const char *const valid[] = {
    "0", "-0", "1", "-1", "10", "0.5", "-0.5e10", "1E+2", "1e-2", "123e456",
    "true", "false", "null", "\"\"", "\"a\"", " \t\r\n1\n", "[]", "{}",
    "[ ]", "{ }", "[1,2,3]", "[[],[[]],{}]", "{\"a\":1,\"b\":[true,null]}",
    "{\"a\":{\"a\":{}}}", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\uaBcD\"",
    "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud83d\\ude00\"",
    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\"",
    "\"\x7f\"", "{\"\":0}", "{\"a\":1,\"a\":2}", " [ 1 , { \"k\" : [ ] } ] ",
};

static const char *const invalid[] = {
    "", " ", "01", "-", "-01", "1.", ".5", "1.e3", "1e", "1e+", "+1", "0x10",
    "1 2", "[1]x", "{}{}", "NaN", "Infinity", "-Infinity", "tru", "truex",
    "nul", "True", "undefined", "'a'", "\"a", "\"\\\"", "\"\\x\"", "\"\\u12\"",
    "\"\\u12G4\"", "\"\\U0041\"", "\"\t\"", "\"\n\"", "\"\x1f\"", "[", "]",
    "[1", "[1,]", "[,1]", "[1,,2]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
    "{,}", "{1:2}", "{a:1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1}", "{]",
    "[\"a\":1]", "\"\x80\"", "\"\xc0\xaf\"", "\"\xc3\"", "\"\xe0\x80\xaf\"",
    "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"",
    "\"\xff\"", "\xef\xbb\xbf" "1", "/*c*/1", "[1]//", "\v1", "\f1", "\xc2\xa0" "1",
};

static void check_validate(void) {
  for (size_t k = 0; k < sizeof valid / sizeof valid[0]; k++) {
    if (json_validate(valid[k], strlen(valid[k])) != 0) {
      fprintf(stderr, "should be valid: %s\n", valid[k]);
      exit(1);
    }
  }
  for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++) {
    if (json_validate(invalid[k], strlen(invalid[k])) != -1) {
      fprintf(stderr, "should be invalid: %s\n", invalid[k]);
      exit(1);
    }
  }
  /* Embedded NUL, in a string and after a value. */
  CHECK(json_validate(LIT("\"a\0b\"")) == -1);
  CHECK(json_validate(LIT("1\0")) == -1);
  /* The length bounds the input, not a NUL. */
  CHECK(json_validate("[1]]", 3) == 0);
  CHECK(json_validate("\"ab\"", 3) == -1);
  CHECK(json_validate("1.5", 2) == -1);
  CHECK(json_validate("true", 3) == -1);
}

/* Strings are scanned 16 and 8 bytes at a time: one byte of every value at
 * every position of a block and a word, and across the end of the input,
 * must be judged as the byte-at-a-time rule judges it. Valid JSON strings of one byte value
 * repeated: printable ASCII other than '"' and '\\'. */
static void check_string_words(void) {
  char text[40];
  sbuf read = SBUF_INIT;
  for (int b = 0; b < 256; b++) {
    int plain = b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
    for (size_t at = 1; at <= 24; at++) {
      for (size_t len = at + 1; len <= 34; len += 3) {
        memset(text, 'a', sizeof(text));
        text[0] = '"';
        text[at] = (char)b;
        text[len] = '"';
        if (json_validate(text, len + 1) != (plain ? 0 : -1)) {
          fprintf(stderr, "byte 0x%02x at %zu of a string of %zu: misjudged\n", b, at, len - 1);
          exit(1);
        }
        sbuf_reset(&read);
        long end = json_read_string(text, len + 1, 0, &read);
        long want = b == '"' ? (long)at + 1 : plain ? (long)len + 1 : -1;
        if (end != want || (plain && (read.len != len - 1 || memcmp(read.data, text + 1, len - 1)))) {
          fprintf(stderr, "byte 0x%02x at %zu of a string of %zu: misread\n", b, at, len - 1);
          exit(1);
        }
      }
    }
  }
  /* An escape or a UTF-8 sequence that a word boundary cuts through. */
  for (size_t at = 1; at <= 16; at++) {
    memset(text, 'a', sizeof(text));
    text[0] = '"';
    memcpy(text + at, "\\u00e9\xc3\xa9\\\"", 10);
    text[at + 10] = '"';
    CHECK(json_validate(text, at + 11) == 0);
    text[at + 6] = '\x80';
    CHECK(json_validate(text, at + 11) == -1);
  }
  /* The string's end found a word in: what follows is not skipped over. */
  CHECK(json_validate(LIT("[\"abcdefghijk\",\"abcdefgh\"]")) == 0);
  CHECK(json_validate(LIT("[\"abcdefghijk\"x\"abcdefgh\"]")) == -1);
  sbuf_free(&read);
}

static void check_depth(void) {
  char deep[2 * (JSON_MAX_DEPTH + 1) + 1];
  for (int d = JSON_MAX_DEPTH; d <= JSON_MAX_DEPTH + 1; d++) {
    size_t n = 0;
    for (int k = 0; k < d; k++) deep[n++] = '[';
    for (int k = 0; k < d; k++) deep[n++] = ']';
    CHECK(json_validate(deep, n) == (d <= JSON_MAX_DEPTH ? 0 : -1));
  }
  /* Objects count too. */
  sbuf b = SBUF_INIT;
  for (int k = 0; k < JSON_MAX_DEPTH; k++) CHECK(sbuf_puts(&b, "{\"a\":") == 0);
  CHECK(sbuf_puts(&b, "1") == 0);
  for (int k = 0; k < JSON_MAX_DEPTH; k++) CHECK(sbuf_putc(&b, '}') == 0);
  CHECK(json_validate(b.data, b.len) == 0);
  sbuf_reset(&b);
  for (int k = 0; k <= JSON_MAX_DEPTH; k++) CHECK(sbuf_puts(&b, "{\"a\":[") == 0);
  CHECK(json_validate(b.data, b.len) == -1);
  /* A million open brackets: refused without recursion. */
  size_t big = 1000000;
  char *open = malloc(big);
  CHECK(open);
  memset(open, '[', big);
  CHECK(json_validate(open, big) == -1);
  CHECK(json_skip_value(open, big, 0) == -1);
  CHECK(json_count_placeholders(open, big, SIZE_MAX) == -1);
  free(open);
  sbuf_free(&b);
}

static void check_skip_and_peek(void) {
  const char *s = "[ 1, \"x]\", {\"a\":[2]} ] tail";
  size_t n = strlen(s);
  CHECK(json_skip_value(s, n, 0) == 22);
  CHECK(json_skip_value(s, n, 1) == 3);
  CHECK(json_skip_value(s, n, 4) == 9);
  CHECK(json_skip_value(s, n, 10) == 20);
  CHECK(json_skip_value(s, n, 22) == -1);
  CHECK(json_skip_value(s, n, n) == -1);
  CHECK(json_skip_value(s, n, n + 1) == -1);
  CHECK(json_skip_value(LIT("01"), 0) == 1);
  CHECK(json_skip_value(LIT("  null,"), 0) == 6);

  CHECK(json_peek(LIT(" {"), 0) == '{');
  CHECK(json_peek(LIT("["), 0) == '[');
  CHECK(json_peek(LIT("\"a\""), 0) == '"');
  CHECK(json_peek(LIT("\nnull"), 0) == 'n');
  CHECK(json_peek(LIT("true"), 0) == 't');
  CHECK(json_peek(LIT("false"), 0) == 'f');
  CHECK(json_peek(LIT("-1"), 0) == '0');
  CHECK(json_peek(LIT("7"), 0) == '0');
  CHECK(json_peek(LIT("x"), 0) == 0);
  CHECK(json_peek(LIT("   "), 0) == 0);
  CHECK(json_peek(LIT("[1]"), 1) == '0');
  CHECK(json_peek(LIT("[1]"), 3) == 0);
  CHECK(json_peek(LIT("[1]"), 9) == 0);
}

static void check_write_string(void) {
  char all[128];
  for (int k = 0; k < 128; k++) all[k] = (char)k;
  sbuf b = SBUF_INIT;
  CHECK(json_write_string(&b, all, sizeof all) == 0);
  CHECK_STR(b.data,
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t"
            "\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014"
            "\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d"
            "\\u001e\\u001f !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMN"
            "OPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\"");
  sbuf_reset(&b);
  /* Multi-byte UTF-8 (U+2028 included) goes through untouched. */
  CHECK(json_write_string(&b, LIT("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x80\xa8")) == 0);
  CHECK_STR(b.data, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x80\xa8\"");
  sbuf_reset(&b);
  CHECK(sbuf_puts(&b, "x:") == 0);
  CHECK(json_write_string(&b, "", 0) == 0);
  CHECK(json_write_string(&b, NULL, 0) == 0);
  CHECK(json_write_string(&b, LIT("a\"")) == 0);
  CHECK_STR(b.data, "x:\"\"\"\"\"a\\\"\"");
  sbuf_free(&b);
}

static void check_read_string(void) {
  sbuf b = SBUF_INIT;
  const char *s = "[\"\\ud83d\\ude00\\ud800x\\udc00\\u00e9\\/\",1]";
  CHECK(json_read_string(s, strlen(s), 1, &b) == 36);
  /* Node writes a lone surrogate as U+FFFD (ef bf bd). */
  CHECK_MEM(b.data, b.len, "\xf0\x9f\x98\x80\xef\xbf\xbd" "x\xef\xbf\xbd\xc3\xa9/",
            14);
  sbuf_reset(&b);
  CHECK(json_read_string(LIT("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000z\""), 0, &b) == 23);
  CHECK_MEM(b.data, b.len, "\"\\\b\f\n\r\t\0z", 9);
  sbuf_reset(&b);
  /* A high surrogate followed by a non-low escape. */
  CHECK(json_read_string(LIT("\"\\ud800\\u0041\""), 0, &b) == 14);
  CHECK_MEM(b.data, b.len, "\xef\xbf\xbd" "A", 4);
  sbuf_reset(&b);
  CHECK(json_read_string(LIT("\"\\ud800\\\"\""), 0, &b) == 10);
  CHECK_MEM(b.data, b.len, "\xef\xbf\xbd\"", 4);

  /* Failures leave the buffer as it was. */
  sbuf_reset(&b);
  CHECK(sbuf_puts(&b, "keep") == 0);
  const char *bad[] = {"\"abc", "\"\\q\"", "\"\\u00\"", "\"a\nb\"", "abc",
                       "\"\xc3\"", "\"\\ud800\\uZZZZ\"", "\"\\"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    CHECK(json_read_string(bad[k], strlen(bad[k]), 0, &b) == -1);
    CHECK_STR(b.data, "keep");
  }
  CHECK(json_read_string(LIT("\"a\""), 3, &b) == -1);
  CHECK(json_read_string(LIT("\"a\""), 9, &b) == -1);
  sbuf_free(&b);

  CHECK(json_string_equals(LIT("\"connect\""), 0, LIT("connect")) == 1);
  CHECK(json_string_equals(LIT("\"\\u0063onnect\""), 0, LIT("connect")) == 1);
  CHECK(json_string_equals(LIT("\"connect\""), 0, LIT("connec")) == 0);
  CHECK(json_string_equals(LIT("\"connec\""), 0, LIT("connect")) == 0);
  CHECK(json_string_equals(LIT("\"connect_error\""), 0, LIT("connect")) == 0);
  CHECK(json_string_equals(LIT("\"\""), 0, "", 0) == 1);
  CHECK(json_string_equals(LIT("\"connect"), 0, LIT("connect")) == 0);
  CHECK(json_string_equals(LIT("connect"), 0, LIT("connect")) == 0);
}

/* EVENT payloads go through event_decode (core/sio/event_decode.c), after
 * the packet decoder has validated them: the same path here. One scratch
 * buffer for every call, as a connection keeps one. */
static sbuf scratch = SBUF_INIT;

static void check_decoded_n(const char *json, size_t n, const char *name, const char *args) {
  CHECK(json_validate(json, n) == 0);
  json_event_parts ep;
  CHECK(json_event_locate(json, n, &ep) == 0);
  /* The name as json_read_string decodes it, at the place located. */
  sbuf decoded = SBUF_INIT;
  CHECK(json_read_string(json, n, ep.name_at, &decoded) == (long)ep.name_end);
  CHECK_STR(decoded.data ? decoded.data : "", name);
  CHECK(ep.name_escaped == (memchr(json + ep.name_at, '\\', ep.name_end - ep.name_at) != NULL));
  sbuf_free(&decoded);
  ev_rec *r = ev_new(SIO_EV_EVENT);
  CHECK(r);
  CHECK(event_decode(r, json, n, &scratch) == 0);
  CHECK_STR(r->ev.name, name);
  CHECK_STR(r->ev.data, args);
  CHECK(r->ev.data_len == strlen(args));
  CHECK(json_validate(r->ev.data, r->ev.data_len) == 0);
  ev_free(r);
}

static void check_decoded(const char *json, const char *name, const char *args) {
  check_decoded_n(json, strlen(json), name, args);
}

/* Valid JSON that is no EVENT payload: refused, the record left as it was. */
static void check_refused(const char *json, size_t n) {
  CHECK(json_validate(json, n) == 0);
  ev_rec *r = ev_new(SIO_EV_EVENT);
  CHECK(r);
  CHECK(event_decode(r, json, n, &scratch) == -1);
  CHECK(r->ev.name == NULL && r->ev.data == NULL && r->ev.data_len == 0);
  ev_free(r);
}

static void check_events(void) {
  check_decoded("[\"hello\",1,\"w\xc3\xb6rld\",{\"a\":[true,null]}]", "hello",
              "[1,\"w\xc3\xb6rld\",{\"a\":[true,null]}]");
  check_decoded("[\"msg\"]", "msg", "[]");
  check_decoded(" [ \"a\\nb\" , 1 ] ", "a\nb", "[ 1 ]");
  check_decoded("[\"\",[]]", "", "[[]]");
  check_decoded("[\"\\u00e9\"]", "\xc3\xa9", "[]");
  check_decoded("\n[\"\\\"q\\\\\" ]\t", "\"q\\", "[]");
  check_decoded("[\"\\ud83d\\ude00\",[[{}]],\"]\"] ", "\xf0\x9f\x98\x80", "[[[{}]],\"]\"]");
  /* A name and data longer than the record's store (EV_STORE). */
  char big[2 * EV_STORE + 64], want_name[EV_STORE + 8], want_args[EV_STORE + 16];
  memset(want_name, 'n', EV_STORE + 1);
  want_name[EV_STORE + 1] = 0;
  memset(want_args, '7', sizeof want_args);
  want_args[0] = '[';
  want_args[EV_STORE + 2] = ']';
  want_args[EV_STORE + 3] = 0;
  snprintf(big, sizeof big, "[\"%s\",%s", want_name, want_args + 1);
  check_decoded(big, want_name, want_args);
  snprintf(big, sizeof big, "[\"\\u006e%s\",%s", want_name + 1, want_args + 1);
  check_decoded(big, want_name, want_args);
  /* A number as the name, as socket.io-parser takes it: the host gets
   * String(n), the name JavaScript listens under. */
  static const char *const numbers[][3] = {
      {"[42,\"x\"]", "42", "[\"x\"]"},      {"[ -0 ]", "0", "[]"},
      {"[1.50,true]", "1.5", "[true]"},    {"[1e2]", "100", "[]"},
      {"[1E21,1]", "1e+21", "[1]"},        {"[-2.5e-7]", "-2.5e-7", "[]"},
      {"[0.1,{}]", "0.1", "[{}]"},         {"[1e999]", "Infinity", "[]"},
      {"[123456789012345678901234]", "1.2345678901234569e+23", "[]"}};
  for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
    const char *json = numbers[k][0];
    json_event_parts ep;
    CHECK(json_event_locate(json, strlen(json), &ep) == 0 && ep.name_number);
    ev_rec *r = ev_new(SIO_EV_EVENT);
    CHECK(r);
    CHECK(event_decode(r, json, strlen(json), &scratch) == 0);
    CHECK_STR(r->ev.name, numbers[k][1]);
    CHECK_STR(r->ev.data, numbers[k][2]);
    ev_free(r);
  }
  /* Not an array starting with a string or a number, or a NUL in the name
   * (which would shorten the C string handed on). */
  const char *bad[] = {"[]", "[true,1]", "[{},\"a\"]", "{\"a\":1}", "\"a\"", "[\"a\\u0000b\"]",
                       "[\"\\u0000\",1]", "[[\"a\"]]", "[null]", " 1 "};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    check_refused(bad[k], strlen(bad[k]));
  /* What is not valid JSON never reaches event_decode: the packet decoder
   * refuses it (event_decode's contract is valid JSON). */
  const char *invalid_events[] = {"", "[\"a\"", "[\"a\",]", "[\"a\"]x", "[\"a\"]]"};
  for (size_t k = 0; k < sizeof invalid_events / sizeof invalid_events[0]; k++)
    CHECK(json_validate(invalid_events[k], strlen(invalid_events[k])) == -1);
  CHECK(json_validate("[\"a\"]", 4) == -1);
  /* The length bounds the payload, not a NUL. */
  check_decoded_n("[\"a\",1]]", 7, "a", "[1]");

  sbuf b = SBUF_INIT;
  CHECK(json_event_join(&b, "hello", LIT("[1,\"x\",{\"a\":[]}]")) == 0);
  CHECK_STR(b.data, "[\"hello\",1,\"x\",{\"a\":[]}]");
  sbuf_reset(&b);
  CHECK(json_event_join(&b, "ping", LIT("[]")) == 0);
  CHECK_STR(b.data, "[\"ping\"]");
  sbuf_reset(&b);
  CHECK(json_event_join(&b, "q\"\n", LIT(" [ ] ")) == 0);
  CHECK_STR(b.data, "[\"q\\\"\\n\"]");
  sbuf_reset(&b);
  CHECK(json_event_join(&b, "a", LIT(" [ 1 , 2 ]\n")) == 0);
  CHECK_STR(b.data, "[\"a\",1 , 2]");
  CHECK(json_validate(b.data, b.len) == 0);
  sbuf_reset(&b);
  CHECK(json_event_join(&b, "a", LIT("{}")) == -1);
  CHECK(json_event_join(&b, "a", LIT("[")) == -1);
  CHECK(json_event_join(&b, "a", "", 0) == -1);
  CHECK(b.len == 0);
  sbuf_free(&b);
}

static long count(const char *json, size_t nbins) {
  return json_count_placeholders(json, strlen(json), nbins);
}

static void check_placeholders(void) {
  CHECK(count("[\"a\"]", 0) == 0);
  /* Without a '{' only the validation is left to do. */
  CHECK(count("[1,", 0) == -1);
  CHECK(count("[1] x", 0) == -1);
  CHECK(count("[\"{\"]", 0) == 0);
  CHECK(count("[\"a\",{\"_placeholder\":true,\"num\":0}]", 1) == 1);
  CHECK(count("[\"a\",{\"x\":{\"_placeholder\":true,\"num\":0},"
              "\"y\":[{\"_placeholder\":true,\"num\":1}]}]", 2) == 2);
  CHECK(count("[{\"_placeholder\":true,\"num\":1}]", 2) == 1);
  /* Key order, escaped keys and extra keys as JS reads them. */
  CHECK(count("[{\"num\":0,\"_placeholder\":true}]", 1) == 1);
  CHECK(count("[{\"\\u005fplaceholder\":true,\"n\\u0075m\":0}]", 1) == 1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0,\"x\":1}]", 1) == 1);
  CHECK(count("[{ \"_placeholder\" : true , \"num\" : 1 }]", 2) == 1);
  /* num is a plain integer: the other spellings JS would read as an index
   * are refused (a reader that truncates the text would misread them). */
  CHECK(count("[{\"_placeholder\":true,\"num\":-0}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":1.0}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0.1e1}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":1e0}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":1E0}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":100e-2}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0e99999999999}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":"
              "0.000000000000000000000000000001e30}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":01}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":true}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":[0]}]", 2) == -1);
  /* Last duplicate wins, as in JSON.parse. */
  CHECK(count("[{\"_placeholder\":true,\"num\":5,\"_placeholder\":false}]", 1) == 0);
  CHECK(count("[{\"_placeholder\":false,\"_placeholder\":true,\"num\":0}]", 1) == 1);
  CHECK(count("[{\"_placeholder\":true,\"num\":9,\"num\":0}]", 1) == 1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0,\"num\":9}]", 1) == -1);
  /* Not placeholders at all. */
  CHECK(count("[{\"_placeholder\":false,\"num\":5}]", 1) == 0);
  CHECK(count("[{\"_placeholder\":\"true\",\"num\":5}]", 1) == 0);
  CHECK(count("[{\"_placeholder\":1,\"num\":5}]", 1) == 0);
  CHECK(count("[{\"_placeholder\":[true],\"num\":5}]", 1) == 0);
  CHECK(count("[[\"_placeholder\",true]]", 1) == 0);
  CHECK(count("[{\"_Placeholder\":true,\"num\":5}]", 1) == 0);
  /* Inside a placeholder nothing is looked at (JS replaces it whole), be
   * it before or after the members that make it one, however deep. */
  CHECK(count("[{\"num\":0,\"_placeholder\":true,"
              "\"extra\":{\"_placeholder\":true,\"num\":9}}]", 1) == 1);
  CHECK(count("[{\"num\":0,\"_placeholder\":true,"
              "\"x\":{\"_placeholder\":true,\"num\":0}}]", 1) == 1);
  CHECK(count("[{\"x\":[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}],"
              "\"_placeholder\":true,\"num\":0}]", 1) == 1);
  CHECK(count("[{\"_placeholder\":true,\"num\":1,\"a\":{\"_placeholder\":true,\"num\":0,"
              "\"b\":{\"_placeholder\":true,\"num\":-1}}},{\"_placeholder\":true,\"num\":0}]",
              2) == 2);
  /* ...but a bad num of the outer one still is. */
  CHECK(count("[{\"x\":{\"_placeholder\":true,\"num\":0},\"_placeholder\":true,"
              "\"num\":1.0}]", 2) == -1);
  /* Malformed ones. */
  CHECK(count("[{\"_placeholder\":true,\"num\":1}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":\"0\"}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":null}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":{}}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":-1}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0.5}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":1e-1}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":1e400}]", 2) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":18446744073709551616}]",
              SIZE_MAX) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":18446744073709551617}]",
              SIZE_MAX) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":1e400}]", SIZE_MAX) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0}]", 0) == -1);
  CHECK(count("[{\"x\":[{\"_placeholder\":true,\"num\":3}]}]", 3) == -1);
  /* More placeholders than attachments. */
  CHECK(count("[{\"_placeholder\":true,\"num\":0},"
              "{\"_placeholder\":true,\"num\":0}]", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0},"
              "{\"_placeholder\":true,\"num\":0}]", 2) == 2);
  /* Counting only. */
  CHECK(count("[{\"_placeholder\":true,\"num\":123456}]", SIZE_MAX) == 1);
  CHECK(count("[{\"_placeholder\":true,\"num\":-3}]", SIZE_MAX) == -1);
  /* Invalid JSON. */
  CHECK(count("[{\"_placeholder\":true,\"num\":0}", 1) == -1);
  CHECK(count("[{\"_placeholder\":true,\"num\":0}] x", 1) == -1);
  CHECK(count("", 1) == -1);
  CHECK(count(" {\"_placeholder\":true,\"num\":0} ", 1) == 1);
}

static void check_placeholder_num(void) {
  CHECK(json_placeholder_num(LIT("0"), 1) == 0);
  CHECK(json_placeholder_num(LIT("9"), 10) == 9);
  CHECK(json_placeholder_num(LIT("10"), 10) == -1);
  CHECK(json_placeholder_num(LIT("0"), 0) == -1);
  CHECK(json_placeholder_num(LIT("123456789012345678"), SIZE_MAX) == 123456789012345678);
  CHECK(json_placeholder_num(LIT("1234567890123456789"), SIZE_MAX) == -1);
  CHECK(json_placeholder_num(LIT("99999999999999999999999"), SIZE_MAX) == -1);
  static const char *const refused[] = {"", "-0", "-1", "+1", "00", "01", "1.0", "1.", "1e0",
                                        "1E0", "0.1e1", "1e-0", "0x1", " 1", "1 "};
  for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
    CHECK(json_placeholder_num(refused[k], strlen(refused[k]), 10) == -1);
}

/* Rewrites in after "<" in the output; want NULL: refused, "<" left. */
static void rewrite_is(const char *in, size_t nbins, size_t offset, long found, const char *want) {
  sbuf out = SBUF_INIT;
  sbuf_puts(&out, "<");
  long rc = json_rewrite_placeholders(in, strlen(in), nbins, offset, &out);
  if (!want) {
    CHECK(rc == -1);
    CHECK_STR(out.data, "<");
  } else {
    CHECK(rc == found);
    CHECK_STR(out.data + 1, want);
  }
  sbuf_free(&out);
}

#define PH(n) "{\"_placeholder\":true,\"num\":" #n "}"

static void check_rewrite_placeholders(void) {
  rewrite_is("[1,\"a\"]", 0, 5, 0, "[1,\"a\"]");
  rewrite_is(PH(0), 1, 3, 1, PH(3));
  rewrite_is("[{\"num\":1,\"_placeholder\":true},{\"x\":" PH(0) "}]", 2, 10, 2,
             "[" PH(11) ",{\"x\":" PH(10) "}]");
  /* One spelling whatever arrived: JS drops the other members with the
   * object. */
  rewrite_is("[ { \"n\\u0075m\" : 0 , \"_placeholder\" : true, \"y\": [1] } ]", 1, 0, 1,
             "[ " PH(0) " ]");
  /* A placeholder inside a placeholder is its content: dropped, whether it
   * comes before or after the members that make the outer one. */
  rewrite_is("[{\"num\":0,\"_placeholder\":true,\"x\":" PH(0) "}]", 1, 3, 1, "[" PH(3) "]");
  rewrite_is("[\"a\",{\"x\":" PH(0) ",\"_placeholder\":true,\"num\":1}," PH(0) "]", 2, 5, 2,
             "[\"a\"," PH(6) "," PH(5) "]");
  rewrite_is("[" PH(1) ",{\"a\":{\"b\":{\"_placeholder\":true,\"num\":0,\"c\":[" PH(7) "]},"
             "\"_placeholder\":true,\"num\":0,\"d\":" PH(1) "}},{\"e\":" PH(0) "}]", 3, 1, 3,
             "[" PH(2) ",{\"a\":" PH(1) "},{\"e\":" PH(1) "}]");
  /* Not a placeholder (false, or no num): left alone. */
  rewrite_is("{\"_placeholder\":false,\"num\":0}", 1, 3, 0, "{\"_placeholder\":false,\"num\":0}");
  rewrite_is("{\"_placeholder\":true,\"num\":4}", 1, 3, 0, NULL);
  rewrite_is("[1,", 1, 3, 0, NULL);
  /* A num that only reads as an index after rounding or truncation. */
  rewrite_is("[{\"_placeholder\":true,\"num\":0.000000000000000000000000000001e30}]", 2, 4, 0,
             NULL);
  rewrite_is("[{\"_placeholder\":true,\"num\":1.0000000000000000000000000000009}]", 2, 4, 0, NULL);
  rewrite_is("[{\"_placeholder\":true,\"num\":10000000000000000000000000000000e-31}]", 2, 0, 0,
             NULL);
  /* More placeholders than attachments. */
  rewrite_is("[" PH(0) "," PH(0) "]", 1, 0, 0, NULL);
  rewrite_is("[" PH(0) "," PH(0) "]", 2, 0, 2, "[" PH(0) "," PH(0) "]");
}

/* What the count accepts, the rewrite accepts with the same count, and its
 * output (offset included) reads back the same, unchanged by a second
 * rewrite. */
static void check_agreement(const char *s, size_t n, size_t nbins) {
  long found = json_count_placeholders(s, n, nbins);
  sbuf out = SBUF_INIT;
  CHECK(json_rewrite_placeholders(s, n, nbins, 3, &out) == found);
  if (found >= 0) {
    CHECK(json_validate(out.data, out.len) == 0);
    CHECK(json_count_placeholders(out.data, out.len, nbins + 3) == found);
    sbuf again = SBUF_INIT;
    CHECK(json_rewrite_placeholders(out.data, out.len, nbins + 3, 0, &again) == found);
    CHECK_MEM(again.data, again.len, out.data, out.len);
    sbuf_free(&again);
  }
  sbuf_free(&out);
}

/* Every prefix and single-byte change of a rich document through every
 * entry point: the verdicts vary, crashes and leaks must not (ASan/UBSan). */
static void check_mutations(void) {
  const char seed[] =
      "[\"ev\\u00e9\",{\"_placeholder\":true,\"num\":1},[-0.5E+3,\"\\ud83d\\ude00\"],"
      "{\"a\":{\"num\":0,\"_placeholder\":true,\"b\":{\"_placeholder\":true,\"num\":1}}},"
      "null,false,\"\xc3\xa9\"]";
  const char alphabet[] = "[]{}\",:\\u0123456789.eE+-tfn \x01\x80\xc3\xed\xff";
  char buf[sizeof seed];
  for (size_t cut = 0; cut < sizeof seed; cut++) {
    for (size_t at = 0; at <= cut; at++) {
      for (size_t a = 0; a < sizeof alphabet; a++) {
        memcpy(buf, seed, cut);
        if (at < cut) buf[at] = alphabet[a];
        else if (a) break;
        int valid = json_validate(buf, cut) == 0;
        long end = json_skip_value(buf, cut, 0);
        CHECK(end <= (long)cut);
        CHECK(!valid || end >= 0);
        long found = json_count_placeholders(buf, cut, 2);
        CHECK(valid || found == -1);
        check_agreement(buf, cut, 2);
        /* Locating reads only within the text, valid or not; decoding
         * (valid JSON only, its contract) gives valid JSON data. */
        json_event_parts ep;
        int located = json_event_locate(buf, cut, &ep) == 0;
        if (located)
          CHECK(ep.name_at < ep.name_end && ep.name_end <= (ep.rest_at ? ep.rest_at : ep.end) &&
                ep.end <= cut && (!ep.rest_at || ep.rest_at < ep.end));
        if (valid) {
          ev_rec *r = ev_new(SIO_EV_EVENT);
          CHECK(r);
          if (event_decode(r, buf, cut, &scratch) == 0) {
            CHECK(located && r->ev.name && json_validate(r->ev.data, r->ev.data_len) == 0);
            CHECK(strlen(r->ev.name) == ep.name_end - ep.name_at - 2 || ep.name_escaped ||
                  ep.name_number);
          }
          ev_free(r);
        }
        sbuf text = SBUF_INIT;
        json_read_string(buf, cut, 1, &text);
        sbuf_free(&text);
      }
    }
  }
}

int main(void) {
  check_placeholder_num();
  check_rewrite_placeholders();
  check_validate();
  check_string_words();
  check_depth();
  check_skip_and_peek();
  check_write_string();
  check_read_string();
  check_events();
  check_placeholders();
  check_mutations();
  sbuf_free(&scratch);
  return 0;
}
