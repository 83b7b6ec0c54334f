/* URL splitting for the client: schemes, default ports, IPv6 literals. */
#include "check.h"
#include "net/url.h"

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

int main(void) {
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
