/* Text from the peer made valid UTF-8 as Node reads it (the WHATWG decoder's
 * U+FFFD per maximal ill-formed subpart, Latin-1 for headers), and the
 * grouping of repeated names that the handshake's query and headers use. */
#include "check.h"
#include "util/pair_groups.h"
#include "util/utf8.h"

#define FFFD "\xef\xbf\xbd"

static void check_repaired(const char *in, size_t n, const char *want) {
  sbuf out = SBUF_INIT;
  CHECK(utf8_append_repaired(&out, in, n) == 0);
  CHECK_MEM(out.data, out.len, want, strlen(want));
  CHECK(out.data[out.len] == 0);
  sbuf_free(&out);
}

static void check_utf8(void) {
  CHECK(utf8_valid_prefix("abc", 3) == 3);
  CHECK(utf8_valid_prefix("a\xc3\xa9\xff", 4) == 3);
  CHECK(utf8_valid_prefix("\xf0\x9f\x98\x80", 4) == 4);
  CHECK(utf8_valid_prefix("\xf0\x9f\x98", 3) == 0);
  check_repaired("plain", 5, "plain");
  check_repaired("\xff", 1, FFFD);
  check_repaired("a\xc3\xa9z", 4, "a\xc3\xa9z");
  /* A truncated sequence is one U+FFFD; the byte that broke it starts over. */
  check_repaired("\xe2\x82z", 3, FFFD "z");
  check_repaired("\xf0\x9f\x98\xc3\xa9", 5, FFFD "\xc3\xa9");
  /* Surrogates, overlongs and past U+10FFFF: one U+FFFD per byte. */
  check_repaired("\xed\xa0\x80", 3, FFFD FFFD FFFD);
  check_repaired("\xc0\xaf", 2, FFFD FFFD);
  check_repaired("\xe0\x80\xaf", 3, FFFD FFFD FFFD);
  check_repaired("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD);
  check_repaired("\x80\xbf", 2, FFFD FFFD);

  sbuf out = SBUF_INIT;
  CHECK(utf8_append_latin1(&out, "a\xff\xc3\xa9", 4) == 0);
  CHECK_STR(out.data, "a\xc3\xbf\xc3\x83\xc2\xa9");
  sbuf_free(&out);
  CHECK(utf8_is_ascii("abc", 3) && !utf8_is_ascii("a\x80", 2));
}

/* n pairs "k<i % kinds>\0v\0": each pair's next of its kind is i + kinds. */
static void check_groups(size_t n, size_t kinds) {
  sbuf list = SBUF_INIT;
  for (size_t i = 0; i < n; i++) {
    sbuf_printf(&list, "k%zu", i % kinds);
    sbuf_append(&list, "\0v", 3);
  }
  pair_groups g;
  CHECK(pair_groups_build(&g, list.data, n) == 0);
  for (size_t i = 0; i < n; i++) {
    CHECK(g.first[i] == (i < kinds));
    CHECK(g.next[i] == (i + kinds < n ? (uint32_t)(i + kinds) : PAIR_GROUPS_END));
    CHECK_STR(pair_value(g.name[i]), "v");
  }
  pair_groups_free(&g);
  sbuf_free(&list);
}

int main(void) {
  check_utf8();
  check_groups(0, 1);
  check_groups(5, 2);
  check_groups(PAIR_GROUPS_FEW, 7);
  check_groups(PAIR_GROUPS_FEW + 1, 7);
  check_groups(20000, 1);
  check_groups(20000, 20000);
  check_groups(20000, 333);
  puts("test_utf8: ok");
  return 0;
}
