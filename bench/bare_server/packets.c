#include "packets.h"

#include <stdio.h>
#include <string.h>

static int starts_with(const char *p, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  return len >= n && memcmp(p, prefix, n) == 0;
}

static size_t skip_digits(const char *p, size_t len, size_t at) {
  while (at < len && p[at] >= '0' && p[at] <= '9') {
    at++;
  }
  return at;
}

void bare_open_packet(unsigned long conn_id, struct bytebuf *out_packet) {
  char text[160];
  int n = snprintf(text, sizeof text,
                   "0{\"sid\":\"bare%lu\",\"upgrades\":[],\"pingInterval\":25000,"
                   "\"pingTimeout\":20000,\"maxPayload\":1000000}",
                   conn_id);
  bytebuf_append(out_packet, text, (size_t)n);
}

/* `42<id>["ack",args...]` -> `43<id>[args...]`, and the binary form
 * `451-<id>["ack",args...]` -> `461-<id>[args...]`: the ack carries the
 * arguments back without the event name. */
static int answer_ack(const char *p, size_t len, size_t id_start, const char *reply_prefix,
                      size_t prefix_len, struct bytebuf *reply) {
  size_t id_end = skip_digits(p, len, id_start);
  if (id_end == id_start || !starts_with(p + id_end, len - id_end, "[\"ack\"")) {
    return 0;
  }
  size_t rest = id_end + strlen("[\"ack\"");
  if (rest < len && p[rest] == ',') {
    rest++;
  }
  bytebuf_append(reply, reply_prefix, prefix_len);
  bytebuf_append(reply, p + id_start, id_end - id_start);
  bytebuf_append(reply, "[", 1);
  bytebuf_append(reply, p + rest, len - rest);
  return 1;
}

struct bare_decision bare_answer_text(const char *p, size_t len, unsigned long conn_id,
                                      struct bytebuf *reply) {
  struct bare_decision d = {BARE_IGNORE, 0};
  if (starts_with(p, len, "40")) {
    char text[64];
    int n = snprintf(text, sizeof text, "40{\"sid\":\"sbare%lu\"}", conn_id);
    bytebuf_append(reply, text, (size_t)n);
    d.action = BARE_JOINED;
  } else if (starts_with(p, len, "1") || starts_with(p, len, "41")) {
    d.action = BARE_CLOSE;
  } else if (starts_with(p, len, "42[\"echo\"")) {
    bytebuf_append(reply, p, len);
    d.action = BARE_REPLY;
  } else if (starts_with(p, len, "42[\"bcast\"")) {
    bytebuf_append(reply, p, len);
    d.action = BARE_BROADCAST;
  } else if (starts_with(p, len, "42")) {
    if (answer_ack(p, len, 2, "43", 2, reply)) {
      d.action = BARE_REPLY;
    }
  } else if (starts_with(p, len, "45")) {
    /* `45<n>-[...]` or `45<n>-<id>[...]`: n attachments follow. */
    size_t count_end = skip_digits(p, len, 2);
    if (count_end == 2 || count_end >= len || p[count_end] != '-') {
      return d;
    }
    unsigned attachments = 0;
    for (size_t i = 2; i < count_end; i++) {
      attachments = attachments * 10 + (unsigned)(p[i] - '0');
    }
    size_t head = count_end + 1;
    if (starts_with(p + head, len - head, "[\"echo\"")) {
      bytebuf_append(reply, p, len);
    } else {
      /* A binary ack answers with BINARY_ACK `46<n>-<id>[...]`. */
      char prefix[24];
      int n = snprintf(prefix, sizeof prefix, "46%u-", attachments);
      if (!answer_ack(p, len, head, prefix, (size_t)n, reply)) {
        return d;
      }
    }
    d.action = BARE_REPLY;
    d.attachments = attachments;
  }
  return d;
}
