/* A scriptable Socket.IO client over the public ABI, for the Node.js tests.
 *
 * Reads one JSON command per line on stdin:
 *   {"cmd":"connect","url":U,"options":{key:value...},"auth":{...}}
 *   {"cmd":"socket","nsp":N,"auth":{...}}
 *   {"cmd":"emit","nsp":N,"event":E,"args":[...],"bins":[hex...],
 *    "ack":true,"volatile":true,"compress":false,"timeout":MS,"id":X}
 *   {"cmd":"ack","nsp":N,"ack_id":I,"args":[...],"bins":[hex...]}
 *   {"cmd":"disconnect","nsp":N}   {"cmd":"close"}
 *   {"cmd":"pump","on":false} stops taking events (a busy host), "on":true
 *   takes them again
 *   {"cmd":"exit"} (closes the client first; with "close":false it leaves
 *   that to sio_context_free)
 * and prints one JSON line per sio_event, plus one "result" line per
 * command with its return code (and request id, echoing "id"). An event
 * shows "attempt" on the reconnection events, "count" on events_lost and
 * "final":true when it has SIO_EVF_FINAL. Binary
 * attachments travel as hex strings. Option values may be strings, numbers
 * or booleans. End of input acts as "exit". */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/json_value.h"
#include <sio/sio.h>

static sio_context *ctx;
static sio_client *cli;
static int close_on_exit = 1;
static int pumping = 1; /* {"cmd":"pump","on":false} stops taking events */

/* ---- output ------------------------------------------------------------- */

static void put_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      printf("\\%c", *p);
    else if (*p < 0x20)
      printf("\\u%04x", *p);
    else
      putchar(*p);
  }
  putchar('"');
}

static void put_field(const char *key, const char *value) {
  if (!value) return;
  printf(",\"%s\":", key);
  put_string(value);
}

static const char *event_name(int type) {
  switch (type) {
    case SIO_EV_EVENT: return "event";
    case SIO_EV_ACK: return "ack";
    case SIO_EV_DISCONNECT: return "disconnect";
    case SIO_EV_ERROR: return "error";
    case SIO_EV_CONNECT: return "connect";
    case SIO_EV_CONNECT_ERROR: return "connect_error";
    case SIO_EV_RECONNECT_ATTEMPT: return "reconnect_attempt";
    case SIO_EV_RECONNECT: return "reconnect";
    case SIO_EV_RECONNECT_FAILED: return "reconnect_failed";
    case SIO_EV_RECONNECT_ERROR: return "reconnect_error";
    case SIO_EV_EVENTS_LOST: return "events_lost";
    default: return "other";
  }
}

static void print_event(const sio_event *ev) {
  printf("{\"type\":\"%s\",\"client\":%s", event_name(ev->type), ev->client ? "true" : "false");
  put_field("nsp", ev->nsp);
  put_field("sid", ev->sid);
  put_field("name", ev->name);
  if (ev->data) printf(",\"data\":%s", ev->data);
  if (ev->nbins) {
    printf(",\"bins\":[");
    for (size_t i = 0; i < ev->nbins; i++) {
      printf("%s\"", i ? "," : "");
      const unsigned char *b = ev->bins[i].data;
      for (size_t k = 0; k < ev->bins[i].len; k++) printf("%02x", b[k]);
      putchar('"');
    }
    putchar(']');
  }
  if (ev->req) printf(",\"req\":%llu", (unsigned long long)ev->req);
  if (ev->ack_id >= 0) printf(",\"ack_id\":%lld", (long long)ev->ack_id);
  if (ev->type == SIO_EV_RECONNECT_ATTEMPT || ev->type == SIO_EV_RECONNECT ||
      ev->type == SIO_EV_RECONNECT_ERROR)
    printf(",\"attempt\":%u", ev->attempt);
  if (ev->type == SIO_EV_EVENTS_LOST) printf(",\"count\":%llu", (unsigned long long)ev->count);
  if (ev->err) printf(",\"err\":%d", ev->err);
  if (ev->flags & SIO_EVF_RECOVERED) printf(",\"recovered\":true");
  if (ev->flags & SIO_EVF_FINAL) printf(",\"final\":true");
  put_field("reason", ev->reason);
  printf("}\n");
}

static void print_result(const char *cmd, const jv *id, int rc, uint64_t req) {
  printf("{\"type\":\"result\",\"cmd\":");
  put_string(cmd);
  if (id) printf(",\"id\":%.*s", (int)id->raw_len, id->raw);
  printf(",\"rc\":%d", rc);
  if (req) printf(",\"req\":%llu", (unsigned long long)req);
  if (rc < 0) put_field("error", sio_last_error());
  printf("}\n");
}

static void drain_events(void) {
  const sio_event *ev;
  while (sio_next_event(ctx, 0, &ev) == 1) print_event(ev);
  fflush(stdout);
}

/* ---- commands ----------------------------------------------------------- */

static const char *str_of(const jv *obj, const char *key) {
  const jv *v = jv_get(obj, key);
  return v && v->type == JV_STRING ? v->str : NULL;
}

/* A member's raw JSON as a NUL-terminated copy, or NULL. */
static char *raw_of(const jv *obj, const char *key) {
  const jv *v = jv_get(obj, key);
  if (!v || v->type == JV_NULL) return NULL;
  return strndup(v->raw, v->raw_len);
}

static int set_options(sio_options *opts, const jv *map) {
  for (size_t i = 0; map && map->type == JV_OBJECT && i < map->count; i++) {
    const jv *item = &map->items[i];
    char *value = item->type == JV_STRING ? strdup(item->str) : strndup(item->raw, item->raw_len);
    int rc = value ? sio_options_set(opts, item->key, value) : SIO_ENOMEM;
    free(value);
    if (rc) return rc;
  }
  return 0;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The "bins" member as buffers; *n = how many. NULL when there are none. */
static sio_buf *read_bins(const jv *cmd, size_t *n) {
  const jv *list = jv_get(cmd, "bins");
  *n = 0;
  if (!list || list->type != JV_ARRAY || list->count == 0) return NULL;
  sio_buf *bins = calloc(list->count, sizeof(*bins));
  for (size_t i = 0; bins && i < list->count; i++) {
    const char *hex = list->items[i].type == JV_STRING ? list->items[i].str : "";
    size_t len = strlen(hex) / 2;
    unsigned char *b = malloc(len + 1);
    for (size_t k = 0; b && k < len; k++)
      b[k] = (unsigned char)(hex_digit(hex[2 * k]) << 4 | hex_digit(hex[2 * k + 1]));
    bins[i].data = b;
    bins[i].len = len;
    (*n)++;
  }
  return bins;
}

static void free_bins(sio_buf *bins, size_t n) {
  for (size_t i = 0; i < n; i++) free((void *)bins[i].data);
  free(bins);
}

static int do_connect(const jv *cmd) {
  sio_options *opts = NULL;
  int rc = sio_options_new(&opts);
  if (!rc) rc = set_options(opts, jv_get(cmd, "options"));
  char *auth = raw_of(cmd, "auth");
  const char *url = str_of(cmd, "url");
  if (!rc) rc = sio_client_new(ctx, url ? url : "", opts, auth, &cli);
  free(auth);
  sio_options_free(opts);
  return rc;
}

/* The command's "args" and "bins" as a message; *bins (what msg.bins
 * points at) is the caller's: free_bins(). */
static sio_message message_of(const jv *cmd, sio_buf **bins) {
  sio_message msg = SIO_MESSAGE_INIT;
  const jv *a = jv_get(cmd, "args");
  msg.args_json = a ? a->raw : "[]";
  msg.args_len = a ? a->raw_len : 2;
  *bins = read_bins(cmd, &msg.nbins);
  msg.bins = *bins;
  return msg;
}

static int do_emit(const jv *cmd, uint64_t *req) {
  sio_buf *bins;
  sio_message msg = message_of(cmd, &bins);
  const jv *ack = jv_get(cmd, "ack"), *vol = jv_get(cmd, "volatile"), *t = jv_get(cmd, "timeout");
  const char *event = str_of(cmd, "event");
  msg.event = event ? event : "";
  const jv *compress = jv_get(cmd, "compress");
  msg.flags = (ack && ack->boolean ? SIO_EMIT_ACK : 0) |
              (vol && vol->boolean ? SIO_EMIT_VOLATILE : 0) |
              (compress && !compress->boolean ? SIO_EMIT_NO_COMPRESS : 0);
  msg.timeout_ms = t ? (int)t->number : 0;
  int rc = sio_client_emit(cli, str_of(cmd, "nsp"), &msg, req);
  free_bins(bins, msg.nbins);
  return rc;
}

static int do_ack(const jv *cmd, uint64_t *req) {
  sio_buf *bins;
  sio_message msg = message_of(cmd, &bins);
  const jv *id = jv_get(cmd, "ack_id");
  int rc = sio_client_ack(cli, str_of(cmd, "nsp"), id ? (int64_t)id->number : -1, &msg, req);
  free_bins(bins, msg.nbins);
  return rc;
}

/* Runs one command line; returns 1 when the driver should exit. */
static int run_line(const char *line, size_t len) {
  jv *cmd = jv_parse(line, len);
  const char *name = cmd ? str_of(cmd, "cmd") : NULL;
  if (!name) {
    printf("{\"type\":\"result\",\"cmd\":null,\"rc\":%d,\"error\":\"not a command\"}\n", SIO_EINVAL);
    jv_free(cmd);
    return 0;
  }
  int rc = 0, done = 0;
  uint64_t req = 0;
  if (strcmp(name, "connect") == 0) {
    rc = do_connect(cmd);
  } else if (strcmp(name, "socket") == 0) {
    char *auth = raw_of(cmd, "auth");
    rc = sio_client_socket(cli, str_of(cmd, "nsp"), auth);
    free(auth);
  } else if (strcmp(name, "emit") == 0) {
    rc = do_emit(cmd, &req);
  } else if (strcmp(name, "ack") == 0) {
    rc = do_ack(cmd, &req);
  } else if (strcmp(name, "disconnect") == 0) {
    rc = sio_client_disconnect(cli, str_of(cmd, "nsp"));
  } else if (strcmp(name, "close") == 0) {
    rc = sio_client_close(cli);
  } else if (strcmp(name, "pump") == 0) {
    const jv *on = jv_get(cmd, "on");
    pumping = !on || on->type != JV_BOOL || on->boolean;
  } else if (strcmp(name, "exit") == 0) {
    const jv *close = jv_get(cmd, "close");
    close_on_exit = !close || close->type != JV_BOOL || close->boolean;
    done = 1;
  } else {
    rc = SIO_EINVAL;
  }
  print_result(name, jv_get(cmd, "id"), rc, req);
  fflush(stdout);
  jv_free(cmd);
  return done;
}

/* ---- main loop ------------------------------------------------------------- */

int main(void) {
  if (sio_context_new(&ctx)) {
    fprintf(stderr, "client_driver: %s\n", sio_last_error());
    return 1;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int done = 0;
  while (!done) {
    struct pollfd fds[2] = {{0, POLLIN, 0}, {sio_context_fd(ctx), POLLIN, 0}};
    if (poll(fds, pumping ? 2 : 1, -1) < 0 && errno != EINTR) break;
    if (pumping && fds[1].revents) drain_events();
    if (!fds[0].revents) continue;
    if (len + 4096 > cap) {
      cap = (len + 4096) * 2;
      char *grown = realloc(buf, cap);
      if (!grown) break;
      buf = grown;
    }
    ssize_t n = read(0, buf + len, cap - len);
    if (n <= 0) break;
    len += (size_t)n;
    char *nl;
    while (!done && (nl = memchr(buf, '\n', len))) {
      size_t line = (size_t)(nl - buf);
      if (line) done = run_line(buf, line);
      memmove(buf, nl + 1, len - line - 1);
      len -= line + 1;
    }
  }
  free(buf);
  /* Leave cleanly: close the client, show what that produced, free all. */
  if (cli && close_on_exit) sio_client_close(cli);
  const sio_event *ev;
  while (sio_next_event(ctx, 200, &ev) == 1) print_event(ev);
  sio_context_free(ctx);
  printf("{\"type\":\"exited\"}\n");
  fflush(stdout);
  return 0;
}
