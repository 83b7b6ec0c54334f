#include "wire.h"

#include <stdio.h>
#include <string.h>

static bool has_prefix(const char *p, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  return len >= n && memcmp(p, prefix, n) == 0;
}

/* Reads decimal digits at *at; returns false when there are none. */
static bool read_number(const char *p, size_t len, size_t *at, uint32_t *value) {
  size_t start = *at;
  uint32_t v = 0;
  while (*at < len && p[*at] >= '0' && p[*at] <= '9') {
    v = v * 10 + (uint32_t)(p[*at] - '0');
    (*at)++;
  }
  *value = v;
  return *at > start;
}

static enum wire_kind event_kind(const char *p, size_t len) {
  if (has_prefix(p, len, "[\"echo\"")) {
    return WIRE_ECHO;
  }
  if (has_prefix(p, len, "[\"bcast\"")) {
    return WIRE_BCAST;
  }
  return has_prefix(p, len, "[") ? WIRE_OTHER_EVENT : WIRE_MALFORMED;
}

static struct wire_packet classify_socketio(const char *p, size_t len) {
  struct wire_packet w = {WIRE_MALFORMED, 0, 0};
  if (len < 2) {
    return w;
  }
  size_t at = 2;
  switch (p[1]) {
  case '0':
    w.kind = WIRE_CONNECTED;
    break;
  case '1':
  case '4':
    w.kind = WIRE_REFUSED;
    break;
  case '2': {
    uint32_t server_ack_id;
    read_number(p, len, &at, &server_ack_id);
    w.kind = event_kind(p + at, len - at);
    break;
  }
  case '3':
    if (read_number(p, len, &at, &w.ack_id)) {
      w.kind = WIRE_ACK;
    }
    break;
  case '5':
  case '6': {
    uint32_t attachments;
    if (!read_number(p, len, &at, &attachments) || at >= len || p[at] != '-') {
      break;
    }
    at++;
    w.attachments = attachments;
    bool has_id = read_number(p, len, &at, &w.ack_id);
    if (p[1] == '6') {
      w.kind = has_id ? WIRE_ACK : WIRE_MALFORMED;
    } else {
      w.kind = event_kind(p + at, len - at);
    }
    break;
  }
  default:
    break;
  }
  return w;
}

struct wire_packet wire_classify(const char *p, size_t len) {
  struct wire_packet w = {WIRE_MALFORMED, 0, 0};
  if (len == 0) {
    return w;
  }
  switch (p[0]) {
  case '0':
    w.kind = WIRE_OPEN;
    break;
  case '1':
    w.kind = WIRE_CLOSE;
    break;
  case '2':
    w.kind = WIRE_PING;
    break;
  case '3':
  case '6':
    w.kind = WIRE_NOOP;
    break;
  case '4':
    return classify_socketio(p, len);
  default:
    break;
  }
  return w;
}

void wire_event(struct bytebuf *out, const char *event, long ack_id, const char *payload,
                size_t payload_len, bool binary) {
  char head[64];
  int n;
  if (binary) {
    n = ack_id >= 0 ? snprintf(head, sizeof head, "451-%ld[\"%s\",", ack_id, event)
                    : snprintf(head, sizeof head, "451-[\"%s\",", event);
    bytebuf_append(out, head, (size_t)n);
    static const char placeholder[] = "{\"_placeholder\":true,\"num\":0}]";
    bytebuf_append(out, placeholder, sizeof placeholder - 1);
    return;
  }
  n = ack_id >= 0 ? snprintf(head, sizeof head, "42%ld[\"%s\",\"", ack_id, event)
                  : snprintf(head, sizeof head, "42[\"%s\",\"", event);
  bytebuf_append(out, head, (size_t)n);
  bytebuf_append(out, payload, payload_len);
  bytebuf_append(out, "\"]", 2);
}
