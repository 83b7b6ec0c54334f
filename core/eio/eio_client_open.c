#include "eio_client_open.h"

#include <string.h>

#include "../util/json.h"
#include "../util/sbuf.h"

static size_t skip_ws(const char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

static int read_uint(const char *s, size_t n, size_t i, uint64_t *out) {
  uint64_t v = 0;
  size_t start = i;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return -1;
    v = v * 10 + (uint64_t)(s[i++] - '0');
  }
  /* A fraction or an exponent makes it something a timer cannot use. */
  if (i == start || (i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'))) return -1;
  *out = v;
  return 0;
}

static int lists_websocket(const char *s, size_t n, size_t i) {
  if (json_peek(s, n, i) != '[') return 0;
  i = skip_ws(s, n, i) + 1;
  for (;;) {
    i = skip_ws(s, n, i);
    if (i >= n || s[i] == ']') return 0;
    if (s[i] == '"' && json_string_equals(s, n, i, "websocket", 9)) return 1;
    long end = json_skip_value(s, n, i);
    if (end < 0) return 0;
    i = skip_ws(s, n, (size_t)end);
    if (i < n && s[i] == ',') i++;
  }
}

int eio_open_parse(const char *s, size_t n, eio_open_info *out) {
  memset(out, 0, sizeof(*out));
  if (json_validate(s, n) || json_peek(s, n, 0) != '{') return -1;
  sbuf key = SBUF_INIT, sid = SBUF_INIT;
  uint64_t max_payload = 0;
  int have_sid = 0, have_interval = 0, have_timeout = 0;
  size_t i = skip_ws(s, n, 0) + 1;
  /* The text is valid JSON, so the walk below needs no bounds checks
   * beyond what the json helpers do. */
  for (;;) {
    i = skip_ws(s, n, i);
    if (s[i] == '}') break;
    sbuf_reset(&key);
    long end = json_read_string(s, n, i, &key);
    i = skip_ws(s, n, skip_ws(s, n, (size_t)end) + 1); /* past ':' */
    const char *k = key.data ? key.data : "";
    if (strcmp(k, "sid") == 0 && s[i] == '"') {
      sbuf_reset(&sid);
      have_sid = json_read_string(s, n, i, &sid) >= 0;
    } else if (strcmp(k, "upgrades") == 0) {
      out->websocket_upgrade = lists_websocket(s, n, i);
    } else if (strcmp(k, "pingInterval") == 0) {
      have_interval = read_uint(s, n, i, &out->ping_interval) == 0;
    } else if (strcmp(k, "pingTimeout") == 0) {
      have_timeout = read_uint(s, n, i, &out->ping_timeout) == 0;
    } else if (strcmp(k, "maxPayload") == 0) {
      read_uint(s, n, i, &max_payload);
    }
    i = skip_ws(s, n, (size_t)json_skip_value(s, n, i));
    if (s[i] == ',') i++;
  }
  sbuf_free(&key);
  if (!have_sid || sid.len == 0 || sid.len > 255 || !have_interval || !have_timeout) {
    sbuf_free(&sid);
    return -1;
  }
  /* Beyond what a JavaScript timer takes, and their sum must not wrap. */
  if (out->ping_interval > INT32_MAX) out->ping_interval = INT32_MAX;
  if (out->ping_timeout > INT32_MAX) out->ping_timeout = INT32_MAX;
  out->sid = sbuf_detach(&sid, NULL);
  out->max_payload = max_payload && max_payload < SIZE_MAX ? (size_t)max_payload : SIZE_MAX;
  return out->sid ? 0 : -1;
}
