/* URL splitting for the client: schemes, default ports, IPv6 literals; and
 * the server's query strings: decoding, repeated names, what the handshake
 * JSON makes of them. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/url.h"
#include "net/url_query.h"

static void check_url(const char *s, int secure, int websocket, const char *host, int port,
                      const char *path, const char *query) {
  url_parts u;
  CHECK(url_parse(s, &u) == 0);
  CHECK(u.secure == secure);
  CHECK(u.websocket == websocket);
  CHECK_STR(u.host, host);
  CHECK(u.port == port);
  CHECK_STR(u.path, path);
  if (query)
    CHECK_STR(u.query, query);
  else
    CHECK(u.query == NULL);
  url_parts_free(&u);
}

static void check_bad(const char *s) {
  url_parts u;
  CHECK(url_parse(s, &u) == -1);
  CHECK(u.host == NULL && u.path == NULL && u.query == NULL);
}

/* The handshake's query object for url. */
static void check_query_json(const char *url, const char *json) {
  url_query q;
  sbuf out = SBUF_INIT;
  CHECK(url_query_parse(&q, url, strlen(url)) == 0);
  CHECK(url_query_to_json(&q, &out) == 0);
  CHECK_STR(out.data, json);
  sbuf_free(&out);
  url_query_free(&q);
}

static void check_query_bad(const char *url) {
  url_query q;
  CHECK(url_query_parse(&q, url, strlen(url)) == -1);
  url_query_free(&q);
}

static void check_queries(void) {
  check_query_json("/p?a=1&b=x+y&c=%41", "{\"a\":\"1\",\"b\":\"x y\",\"c\":\"A\"}");
  check_query_json("/p", "{}");
  check_query_json("/p?&&a&", "{\"a\":\"\"}");
  /* A repeated name: its first place, its last value. */
  check_query_json("/p?a=1&b=2&a=3", "{\"a\":\"3\",\"b\":\"2\"}");
  /* Invalid UTF-8 as URLSearchParams decodes it: one U+FFFD per maximal
   * ill-formed subpart. */
  check_query_json("/p?x=%FF&y=%C3%A9&z=%E2%82&w=%ED%A0%80",
                   "{\"x\":\"\xef\xbf\xbd\",\"y\":\"\xc3\xa9\",\"z\":\"\xef\xbf\xbd\","
                   "\"w\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
  check_query_json("/p?%FF=1", "{\"\xef\xbf\xbd\":\"1\"}");
  check_query_bad("/p?x=%00sid%00ZZZ");
  check_query_bad("/p?%00=1");
  check_query_bad("/p%00?a=1");
  check_query_bad("/p?a=%zz");
  {
    /* A raw NUL, as a caller that has the length may hand it over. */
    url_query raw;
    static const char with_nul[] = "/p?x=a\0sid\0ZZZ";
    CHECK(url_query_parse(&raw, with_nul, sizeof(with_nul) - 1) == -1);
    url_query_free(&raw);
  }

  url_query q;
  const char *url = "/socket.io/?sid=a&sid=b";
  CHECK(url_query_parse(&q, url, strlen(url)) == 0);
  CHECK_STR(url_query_get(&q, "sid"), "b");
  CHECK(url_query_get(&q, "EIO") == NULL);
  url_query_free(&q);

  /* Thousands of names, repeated and not, past the table kept on the stack. */
  sbuf big = SBUF_INIT, want = SBUF_INIT;
  sbuf_puts(&big, "/p?");
  sbuf_puts(&want, "{");
  for (int i = 0; i < 3000; i++) sbuf_printf(&big, "n%d=%d&", i % 1000, i);
  for (int i = 0; i < 1000; i++) sbuf_printf(&want, "%s\"n%d\":\"%d\"", i ? "," : "", i, i + 2000);
  sbuf_puts(&want, "}");
  check_query_json(big.data, want.data);
  sbuf_free(&big);
  sbuf_free(&want);
}

int main(void) {
  check_queries();
  check_url("http://example.com", 0, 0, "example.com", 80, "/", NULL);
  check_url("https://example.com", 1, 0, "example.com", 443, "/", NULL);
  check_url("ws://example.com", 0, 1, "example.com", 80, "/", NULL);
  check_url("wss://example.com", 1, 1, "example.com", 443, "/", NULL);
  check_url("HTTPS://Example.com:8443/a/b?x=1&y=2#frag", 1, 0, "Example.com", 8443, "/a/b",
            "x=1&y=2");
  check_url("http://127.0.0.1:3000/socket.io/", 0, 0, "127.0.0.1", 3000, "/socket.io/", NULL);
  check_url("http://[::1]:3000/", 0, 0, "::1", 3000, "/", NULL);
  check_url("wss://[2001:db8::1]", 1, 1, "2001:db8::1", 443, "/", NULL);
  check_url("http://host?q", 0, 0, "host", 80, "/", "q");
  check_url("http://host:/p", 0, 0, "host", 80, "/p", NULL);
  check_url("http://host#only-fragment", 0, 0, "host", 80, "/", NULL);
  check_url("http://host/?", 0, 0, "host", 80, "/", "");

  url_parts u;
  CHECK(url_parse("http://h:80/", &u) == 0 && u.default_port);
  url_parts_free(&u);
  CHECK(url_parse("https://h:80/", &u) == 0 && !u.default_port);
  url_parts_free(&u);

  check_bad("ftp://example.com");
  check_bad("example.com");
  check_bad("http://");
  check_bad("http:///path");
  check_bad("http://host:0/");
  check_bad("http://host:65536/");
  check_bad("http://host:12a/");
  check_bad("http://host:123456/");
  check_bad("http://user:pw@host/");
  check_bad("http://[::1/");
  check_bad("http://[::1]x/");
  check_bad("http://[]/");
  check_bad("http://[not-ip]/");
  check_bad("http://ho st/");

  CHECK(url_host_is_ip("127.0.0.1"));
  CHECK(url_host_is_ip("::1"));
  CHECK(!url_host_is_ip("localhost"));
  puts("test_url: ok");
  return 0;
}
