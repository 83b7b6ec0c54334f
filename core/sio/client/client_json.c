/* Reading the few JSON objects the client gets from the server (the
 * CONNECT and CONNECT_ERROR payloads) and the last argument of an event
 * (the recovery offset), on top of util/json's scanner. */
#include <string.h>

#include "../../util/json.h"
#include "client_manager.h"

static size_t skip_ws(const char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

int cl_json_next_member(const char *s, size_t n, size_t *pos, size_t *key_at,
                        size_t *value_at, size_t *value_end) {
  size_t i = skip_ws(s, n, *pos);
  if (*pos == 0) {
    if (i >= n || s[i] != '{') return -1;
    i = skip_ws(s, n, i + 1);
    if (i < n && s[i] == '}') {
      *pos = n;
      return 0;
    }
  } else {
    if (i >= n || s[i] != ',') return 0;
    i = skip_ws(s, n, i + 1);
  }
  if (i >= n || s[i] != '"') return -1;
  long key_end = json_skip_value(s, n, i);
  if (key_end < 0) return -1;
  size_t colon = skip_ws(s, n, (size_t)key_end);
  if (colon >= n || s[colon] != ':') return -1;
  size_t at = skip_ws(s, n, colon + 1);
  long end = json_skip_value(s, n, at);
  if (end < 0) return -1;
  *key_at = i;
  *value_at = at;
  *value_end = (size_t)end;
  *pos = (size_t)end;
  return 1;
}

int cl_json_member(const char *s, size_t n, const char *key, size_t *value_at,
                   size_t *value_end) {
  size_t pos = 0, key_at, at, end;
  size_t key_len = strlen(key);
  while (cl_json_next_member(s, n, &pos, &key_at, &at, &end) == 1) {
    if (json_string_equals(s, n, key_at, key, key_len)) {
      *value_at = at;
      *value_end = end;
      return 1;
    }
  }
  return 0;
}

char *cl_json_string_member(const char *s, size_t n, const char *key) {
  size_t at, end;
  if (!cl_json_member(s, n, key, &at, &end) || s[at] != '"') return NULL;
  sbuf out = SBUF_INIT;
  if (json_read_string(s, n, at, &out) < 0) {
    sbuf_free(&out);
    return NULL;
  }
  return sbuf_detach(&out, NULL);
}

int cl_json_last_item(const char *s, size_t n, size_t *at, size_t *end) {
  size_t i = skip_ws(s, n, 0);
  if (i >= n || s[i] != '[') return 0;
  i = skip_ws(s, n, i + 1);
  int found = 0;
  while (i < n && s[i] != ']') {
    long e = json_skip_value(s, n, i);
    if (e < 0) return 0;
    *at = i;
    *end = (size_t)e;
    found = 1;
    i = skip_ws(s, n, (size_t)e);
    if (i < n && s[i] == ',') i = skip_ws(s, n, i + 1);
  }
  return found;
}
