/* The whole server path, from bytes in to bytes out: HTTP requests,
 * long-polling, WebSocket frames, Engine.IO sessions, both Socket.IO
 * parsers, namespaces, acknowledgements. Each input gets a new server on
 * this thread's loop; its connections are socketpairs handed to the server
 * with http_server_adopt(), so nothing goes over the network.
 *
 * Input: a flags byte (bit 0: msgpack parser, bit 1: CORS for any origin
 * with credentials, bit 2: allowRequest, connection errors in full, the
 * sid cookie and headers on responses), then messages separated by
 * FUZZ_SEP. A message's first
 * byte picks one of NCONNS connections (the rest is written to it) or, as
 * NCONNS, that time passes (every timer fires). "$SID" in a message stands
 * for the session id the server handed out last.
 *
 * A host answers the events: it accepts or refuses new connections
 * (allowRequest) and namespace connections, echoes each
 * event back (with its attachments), acknowledges what asks for it, and
 * greets each new socket with an emit that waits for an acknowledgement,
 * once to the socket and once to its namespace (gathered answers).
 *
 * What the server writes must be well-formed: HTTP/1.1 responses, then
 * after a 101 unmasked WebSocket frames; what it hands the host must be
 * valid JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <llhttp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_loop.h"
#include "net/http_conn.h"
#include "net/ws_frame.h"
#include "sio/server/io_server.h"
#include "util/json.h"

#define NCONNS 3
#define SID_TOKEN "$SID"

typedef struct peer {
  int fd;          /* our end; -1 when not opened yet */
  sbuf out;        /* what the server wrote to it */
} peer;

static struct sio_context *ctx;
static io_server srv;
static peer peers[NCONNS];
static char last_sid[RANDOM_ID_LEN + 1];
static uint64_t next_req = 1;

static void start_server(unsigned flags) {
  memset(&srv, 0, sizeof srv);
  eio_options o = {0};
  o.path = fuzz_strdup("/socket.io/");
  o.ping_interval = 25000;
  o.ping_timeout = 20000;
  o.upgrade_timeout = 10000;
  o.max_payload = 100000;
  o.allow_polling = o.allow_websocket = o.allow_upgrades = 1;
  if (flags & 2) {
    o.cors_origin = fuzz_strdup("*");
    o.cors_credentials = 1;
  }
  if (flags & 4) {
    o.hooks.allow_request = o.hooks.connection_error_events = 1;
    o.hooks.allow_request_timeout = 45000;
    o.hooks.cookie = fuzz_strdup("io=");
    o.hooks.cookie_attributes = fuzz_strdup("; Path=/; HttpOnly; SameSite=Lax");
    o.hooks.initial_headers = fuzz_strdup("X-Initial: 1\r\n");
    o.hooks.headers = fuzz_strdup("X-Every: 2\r\n");
  }
  const sio_parser *parser = flags & 1 ? &sio_parser_msgpack : &sio_parser_json;
  FUZZ_CHECK(io_server_start(&srv, ctx, NULL, parser, &o, "127.0.0.1", 0, 45000,
                             (size_t)1 << 30) == 0);
  FUZZ_CHECK(io_server_of(&srv, "/admin", 0) == 0);
  FUZZ_CHECK(io_server_of(&srv, "/mw", SIO_NS_MIDDLEWARE) == 0);
}

static void greet(const sio_event *ev) {
  static const char args[] = "[{\"_placeholder\":true,\"num\":0},\"hi\"]";
  sio_buf bin = {"\x01\x02\x03", 3};
  sio_target to = {.size = sizeof(sio_target), .nsp = ev->nsp, .sid = ev->sid};
  for (int all = 0; all < 2; all++) {
    sio_attachment *bins = fuzz_copy_bins(&bin, 1);
    to.sid = all ? NULL : ev->sid;
    io_emit(&srv, &to, "welcome", args, sizeof args - 1, bins, 1, SIO_EMIT_ACK, 1000, next_req++);
    sio_attachments_free(bins, 1);
  }
}

static void answer(const sio_event *ev) {
  sio_attachment *bins = fuzz_copy_bins(ev->bins, ev->nbins);
  if (ev->ack_id >= 0) {
    char *json = malloc(ev->data_len + 1);
    FUZZ_CHECK(json);
    memcpy(json, ev->data, ev->data_len + 1);
    io_ack_reply(&srv, ev->sid, ev->ack_id, json, ev->data_len, bins, ev->nbins);
    free(json);
  } else {
    sio_target to = {.size = sizeof(sio_target), .nsp = ev->nsp, .sid = ev->sid};
    io_emit(&srv, &to, ev->name, ev->data, ev->data_len, bins, ev->nbins, 0, 0, 0);
  }
  sio_attachments_free(bins, ev->nbins);
}

/* The host's turn: every event staged since the last one. */
static int host(void) {
  ev_rec *list = fuzz_take_events(ctx);
  int n = 0;
  for (ev_rec *r = list; r; r = r->next, n++) {
    const sio_event *ev = &r->ev;
    switch (ev->type) {
      case SIO_EV_CONNECT_REQUEST:
        FUZZ_CHECK(json_validate(ev->data, ev->data_len) == 0);
        if (ev->sid[0] & 1)
          io_connect_accept(&srv, ev->req);
        else
          io_connect_refuse(&srv, ev->req, "refused", "{\"why\":1}");
        break;
      case SIO_EV_ALLOW_REQUEST:
        FUZZ_CHECK(json_validate(ev->data, ev->data_len) == 0);
        if (ev->req & 1)
          io_request_accept(&srv, ev->req, "X-Sticky: 1\r\n");
        else
          io_request_refuse(&srv, ev->req, ev->req & 2 ? "go \"away\"" : NULL);
        break;
      case SIO_EV_CONNECTION_ERROR:
        FUZZ_CHECK(json_validate(ev->data, ev->data_len) == 0);
        break;
      case SIO_EV_CONNECTION:
        /* The handshake: headers, query and auth as the client sent them. */
        FUZZ_CHECK(json_validate(ev->data, ev->data_len) == 0);
        greet(ev);
        break;
      case SIO_EV_EVENT:
        FUZZ_CHECK(fuzz_event_data_ok(ev));
        answer(ev);
        break;
      case SIO_EV_ACK:
        if (ev->err) break;
        FUZZ_CHECK(fuzz_event_data_ok(ev));
        break;
      default:
        break;
    }
  }
  ev_free_list(list);
  return n;
}

/* The Engine.IO open packet's sid; "40{"sid":..." is a Socket.IO one. */
static void remember_sid(const sbuf *out) {
  static const char key[] = "0{\"sid\":\"";
  const char *p = out->data, *end = out->data + out->len;
  while (p && (p = memmem(p, (size_t)(end - p), key, sizeof key - 1))) {
    int socket_io = p > out->data && p[-1] == '4';
    p += sizeof key - 1;
    if (socket_io) continue;
    if ((size_t)(end - p) > RANDOM_ID_LEN && p[RANDOM_ID_LEN] == '"') {
      memcpy(last_sid, p, RANDOM_ID_LEN);
      last_sid[RANDOM_ID_LEN] = 0;
    }
  }
}

/* Reads what the server wrote; the bytes read. */
static size_t drain(void) {
  size_t got = 0;
  char buf[65536];
  for (int i = 0; i < NCONNS; i++) {
    if (peers[i].fd < 0) continue;
    ssize_t n;
    size_t before = peers[i].out.len;
    while ((n = read(peers[i].fd, buf, sizeof buf)) > 0) {
      FUZZ_CHECK(sbuf_append(&peers[i].out, buf, (size_t)n) == 0);
      got += (size_t)n;
    }
    if (peers[i].out.len > before) remember_sid(&peers[i].out);
  }
  return got;
}

static void turn(void) { uv_run(&ctx->loop, UV_RUN_NOWAIT); }

/* Runs the loop and the host until nothing moves. */
static void settle(void) {
  for (int quiet = 0, turns = 0; quiet < 3 && turns < 200; turns++) {
    turn();
    int moved = host() > 0;
    moved |= drain() > 0;
    quiet = moved ? 0 : quiet + 1;
  }
}

static peer *open_peer(int i) {
  if (peers[i].fd >= 0) return &peers[i];
  int sv[2];
  FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
  if (http_server_adopt(&srv.eio.http, sv[1])) {
    close(sv[0]);
    close(sv[1]);
    return NULL;
  }
  peers[i].fd = sv[0];
  return &peers[i];
}

/* Writes msg with "$SID" replaced by the last session id. */
static void send_msg(peer *p, const uint8_t *msg, size_t len) {
  sbuf b = SBUF_INIT;
  size_t sid_len = strlen(SID_TOKEN);
  for (size_t i = 0; i < len;) {
    if (last_sid[0] && i + sid_len <= len && !memcmp(msg + i, SID_TOKEN, sid_len)) {
      FUZZ_CHECK(sbuf_puts(&b, last_sid) == 0);
      i += sid_len;
    } else {
      FUZZ_CHECK(sbuf_putc(&b, (char)msg[i++]) == 0);
    }
  }
  /* A full socket buffer drops the rest: a client that stopped writing. */
  if (b.len && send(p->fd, b.data, b.len, MSG_NOSIGNAL) < 0)
    FUZZ_CHECK(errno == EAGAIN || errno == EPIPE || errno == ECONNRESET);
  sbuf_free(&b);
}

/* ---- what the server wrote ------------------------------------------- */

static int on_status_complete(llhttp_t *p) {
  int status = llhttp_get_status_code(p);
  FUZZ_CHECK(status >= 100 && status <= 599);
  return 0;
}

/* The bytes a connection received: responses, then frames after a 101. */
static void check_output(const sbuf *out) {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_status_complete = on_status_complete;
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &s);
  const char *p = out->data;
  size_t n = out->len;
  if (!n) return;
  llhttp_errno_t err = llhttp_execute(&parser, p, n);
  if (err == HPE_OK) return;
  if (err != HPE_PAUSED_UPGRADE) {
    fprintf(stderr, "server wrote a bad response (%s): %.*s\n", llhttp_errno_name(err),
            (int)(n > 2000 ? 2000 : n), p);
    abort();
  }
  FUZZ_CHECK(llhttp_get_status_code(&parser) == 101);
  const char *at = llhttp_get_error_pos(&parser);
  size_t used = (size_t)(at - p);
  ws_reader r = {.msg = SBUF_INIT};
  while (used < n) {
    uint64_t plen;
    uint64_t size = ws_frame_size((const uint8_t *)p + used, n - used, &plen);
    FUZZ_CHECK(size && size <= n - used);
    ws_frame_result f;
    FUZZ_CHECK(ws_read_frame(&r, (const uint8_t *)p + used, (size_t)size, 0, (size_t)1 << 30, &f) == 0);
    used += (size_t)size;
  }
  ws_reader_free(&r);
}

static void setup(void) {
  ctx = fuzz_context();
  for (int i = 0; i < NCONNS; i++) peers[i].fd = -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) setup();
  if (size < 1) return 0;
  start_server(data[0]);
  last_sid[0] = 0;
  size_t pos = 1, len;
  const uint8_t *msg;
  while (fuzz_next(data, size, &pos, &msg, &len)) {
    if (len == 0) continue;
    if (msg[0] % (NCONNS + 1) == NCONNS) {
      fuzz_time_passes(&ctx->loop, NULL);
      settle();
      continue;
    }
    peer *p = open_peer(msg[0] % (NCONNS + 1));
    if (!p) continue;
    send_msg(p, msg + 1, len - 1);
    settle();
  }
  for (int i = 0; i < NCONNS; i++) {
    if (peers[i].fd < 0) continue;
    fuzz_trace(i, &peers[i].out);
    check_output(&peers[i].out);
    close(peers[i].fd);
    peers[i].fd = -1;
    sbuf_free(&peers[i].out);
  }
  settle();
  io_server_abort(&srv);
  fuzz_wind_down(&ctx->loop, NULL, turn, host);
  io_server_free(&srv);
  return 0;
}
