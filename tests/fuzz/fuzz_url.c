/* URLs (core/net/url.c) and request targets (core/net/url_query.c). The
 * input is both a client's server URL and a request's path and query. */
#include "fuzz_util.h"
#include "net/url.h"
#include "net/url_query.h"
#include "util/json.h"

static void check_url(const char *s) {
  url_parts u;
  int rc = url_parse(s, &u);
  FUZZ_CHECK(rc == 0 || rc == -1);
  if (rc) return;
  FUZZ_CHECK(u.host && u.host[0]);
  FUZZ_CHECK(u.port >= 1 && u.port <= 65535);
  FUZZ_CHECK(u.path && u.path[0] == '/');
  if (u.default_port) FUZZ_CHECK(u.port == (u.secure ? 443 : 80));
  FUZZ_CHECK(!strpbrk(u.host, "/?#@"));
  (void)url_host_is_ip(u.host);
  url_parts_free(&u);
}

/* The pairs list holds exactly npairs names and values, each a C string:
 * walking them as url_query_get does ends where the list ends, and the value
 * it finds for a name is that pair's or a later repeat's (the last one). */
static void check_query(const char *s, size_t n) {
  url_query q;
  if (url_query_parse(&q, s, n)) {
    url_query_free(&q);
    return;
  }
  FUZZ_CHECK(q.path.len <= n && strlen(q.path.data ? q.path.data : "") <= q.path.len);
  const char *p = q.pairs.data;
  size_t walked = 0;
  for (size_t i = 0; i < q.npairs; i++) {
    const char *name = p;
    const char *v = p + strlen(p) + 1;
    const char *last = url_query_get(&q, name);
    FUZZ_CHECK(last && last >= v);
    const char *its_name = last - strlen(name) - 1;
    FUZZ_CHECK(!strcmp(its_name, name) && (its_name == q.pairs.data || its_name[-1] == 0));
    p = v + strlen(v) + 1;
    walked = (size_t)(p - q.pairs.data);
  }
  FUZZ_CHECK(walked == q.pairs.len);
  sbuf json = SBUF_INIT;
  FUZZ_CHECK(url_query_to_json(&q, &json) == 0);
  FUZZ_CHECK(json_validate(json.data, json.len) == 0 && json_peek(json.data, json.len, 0) == '{');
  sbuf_free(&json);
  url_query_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = 0;
  check_url(s);
  check_query(s, size);
  free(s);
  return 0;
}
