/* The client's input path with a hostile server: HTTP responses, the
 * Engine.IO handshake, polling payloads, the WebSocket upgrade and frames,
 * Socket.IO packets of both parsers, acknowledgements, reconnection. Each
 * input gets a new Socket.IO client (cl_manager) on this thread's loop,
 * connecting to a listening socket of this program on 127.0.0.1, whose
 * accepted connections write what the input says.
 *
 * Input: a flags byte (bit 0: msgpack parser; bits 1-2: polling and
 * WebSocket, polling only, WebSocket only; bit 3: reconnection), then
 * messages separated by FUZZ_SEP. A message's first byte picks one of the
 * connections the client made, in the order it made them (the rest is
 * written to it), or, as NCONNS, that time passes (every timer fires).
 * "$ACCEPT" in a message stands for the Sec-WebSocket-Accept answering the
 * last key the client sent on that connection.
 *
 * A host joins "/admin" too, emits with an acknowledgement on each
 * connect, and acknowledges every event that asks for it. What the client
 * writes must be well-formed: HTTP/1.1 requests, masked frames after an
 * upgrade. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <llhttp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_loop.h"
#include "net/ws_frame.h"
#include "sio/client/client_manager.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/sha1.h"

#define NCONNS 4
#define ACCEPT_TOKEN "$ACCEPT"

typedef struct conn {
  int fd;
  sbuf in; /* what the client wrote */
} conn;

static struct sio_context *ctx;
static int listener = -1;
static int port;
static uv_timer_t kick;
static cl_manager mgr;
static conn conns[NCONNS];
static size_t nconns;
static uint64_t next_req = 1;

static void noop(uv_timer_t *t) { (void)t; }

static void setup(void) {
  ctx = fuzz_context();
  listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  FUZZ_CHECK(listener >= 0 && bind(listener, (struct sockaddr *)&a, sizeof a) == 0 &&
             listen(listener, 64) == 0 && getsockname(listener, (struct sockaddr *)&a, &len) == 0);
  port = ntohs(a.sin_port);
  /* Bounds each wait for the resolver's thread without keeping the loop
   * alive. */
  uv_timer_init(&ctx->loop, &kick);
  uv_unref((uv_handle_t *)&kick);
}

static void start_client(unsigned flags) {
  memset(&mgr, 0, sizeof mgr);
  cl_config cfg = {0};
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  cfg.eio.url = fuzz_strdup(url);
  cfg.eio.path = fuzz_strdup("/socket.io/");
  int transports = (flags >> 1) & 3;
  cfg.eio.allow_polling = transports != 2;
  cfg.eio.allow_websocket = transports != 1;
  cfg.eio.upgrade = 1;
  cfg.eio.timeout_ms = 20000;
  cfg.parser = flags & 1 ? &sio_parser_msgpack : &sio_parser_json;
  cfg.reconnection = (flags & 8) != 0;
  cfg.reconnection_attempts = 2;
  cfg.reconnection_delay = 1000;
  cfg.reconnection_delay_max = 5000;
  cfg.randomization_factor = 0.5;
  cfg.max_queued_events = (size_t)1 << 30;
  FUZZ_CHECK(cl_manager_start(&mgr, ctx, NULL, &cfg, "/", "{\"token\":\"t\"}") == 0);
  cl_socket *admin = cl_manager_socket(&mgr, "/admin");
  if (admin) cl_socket_activate(admin, NULL);
}

static cl_socket *socket_of(const char *nsp) {
  for (size_t i = 0; i < mgr.nsockets; i++)
    if (!strcmp(mgr.sockets[i]->nsp, nsp)) return mgr.sockets[i];
  return NULL;
}

/* The host's turn: every event staged since the last one. */
static int host(void) {
  ev_rec *list = fuzz_take_events(ctx);
  int n = 0;
  for (ev_rec *r = list; r; r = r->next, n++) {
    const sio_event *ev = &r->ev;
    cl_socket *s = ev->nsp ? socket_of(ev->nsp) : NULL;
    switch (ev->type) {
      case SIO_EV_CONNECT:
        if (s) {
          static const char args[] = "[{\"_placeholder\":true,\"num\":0},2]";
          static char bytes[] = {1, 2};
          sio_attachment bin = {bytes, sizeof bytes};
          cl_socket_emit(s, next_req++, "hello", args, sizeof args - 1, &bin, 1, SIO_EMIT_ACK,
                         1000);
        }
        break;
      case SIO_EV_EVENT:
        FUZZ_CHECK(fuzz_event_data_ok(ev));
        if (s && ev->ack_id >= 0) {
          sio_attachment *bins = fuzz_copy_bins(ev->bins, ev->nbins);
          cl_socket_ack(s, ev->ack_id, ev->data, ev->data_len, bins, ev->nbins);
          sio_attachments_free(bins, ev->nbins);
        }
        break;
      case SIO_EV_ACK:
        if (!ev->err) FUZZ_CHECK(fuzz_event_data_ok(ev));
        break;
      default:
        break;
    }
  }
  ev_free_list(list);
  return n;
}

/* Accepts the client's new connections and reads what it wrote. */
static size_t serve(void) {
  size_t got = 0;
  int fd;
  while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
    if (nconns == NCONNS) {
      close(fd);
      continue;
    }
    conns[nconns++].fd = fd;
    got++;
  }
  char buf[65536];
  for (size_t i = 0; i < nconns; i++) {
    ssize_t n;
    while (conns[i].fd >= 0 && (n = read(conns[i].fd, buf, sizeof buf)) > 0) {
      FUZZ_CHECK(sbuf_append(&conns[i].in, buf, (size_t)n) == 0);
      got += (size_t)n;
    }
  }
  return got;
}

/* One turn of the loop. While a request is out (the resolver's thread, a
 * connect), waits for it up to 1 ms. */
static void turn(void) {
  if (ctx->loop.active_reqs.count) {
    uv_timer_start(&kick, noop, 1, 0);
    uv_run(&ctx->loop, UV_RUN_ONCE);
    uv_timer_stop(&kick);
  } else {
    uv_run(&ctx->loop, UV_RUN_NOWAIT);
  }
}

static int host_and_serve(void) {
  int n = host();
  return n + (serve() > 0);
}

/* Runs the loop, this server and the host until nothing moves. */
static void settle(void) {
  for (int quiet = 0, turns = 0; quiet < 3 && turns < 200; turns++) {
    turn();
    int moved = host() > 0;
    moved |= serve() > 0;
    quiet = moved || ctx->loop.active_reqs.count ? 0 : quiet + 1;
  }
}

/* ---- what the client wrote ------------------------------------------- */

/* HTTP/1.1 requests, then masked WebSocket frames after an upgrade
 * request (which this server may never have answered: then the frames are
 * not there either). */
static void check_requests(const sbuf *in) {
  if (!in->len) return;
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  llhttp_t parser;
  llhttp_init(&parser, HTTP_REQUEST, &s);
  llhttp_errno_t err = llhttp_execute(&parser, in->data, in->len);
  if (err == HPE_OK) return;
  if (err != HPE_PAUSED_UPGRADE) {
    fprintf(stderr, "client wrote a bad request (%s): %.*s\n", llhttp_errno_name(err),
            (int)(in->len > 2000 ? 2000 : in->len), in->data);
    abort();
  }
  size_t used = (size_t)(llhttp_get_error_pos(&parser) - in->data);
  ws_reader r = {.msg = SBUF_INIT};
  while (used < in->len) {
    uint64_t plen;
    uint64_t size = ws_frame_size((const uint8_t *)in->data + used, in->len - used, &plen);
    FUZZ_CHECK(size && size <= in->len - used);
    ws_frame_result f;
    FUZZ_CHECK(ws_read_frame(&r, (const uint8_t *)in->data + used, (size_t)size, 1,
                             (size_t)1 << 30, &f) == 0);
    used += (size_t)size;
  }
  ws_reader_free(&r);
}

static void close_conns(void) {
  for (size_t i = 0; i < nconns; i++) {
    fuzz_trace((int)i, &conns[i].in);
    check_requests(&conns[i].in);
    /* A reset leaves no TIME_WAIT behind: thousands of inputs a second. */
    struct linger lg = {1, 0};
    setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(conns[i].fd);
    sbuf_free(&conns[i].in);
  }
  nconns = 0;
}

/* The Sec-WebSocket-Accept for the last key in what the client wrote. */
static void accept_for(const sbuf *in, sbuf *out) {
  static const char key[] = "Sec-WebSocket-Key: ";
  const char *p = in->data, *last = NULL, *end = in->data + in->len;
  while (p && (p = memmem(p, (size_t)(end - p), key, sizeof key - 1))) last = p = p + sizeof key - 1;
  if (!last) return;
  const char *eol = memchr(last, '\r', (size_t)(end - last));
  if (!eol) return;
  sbuf k = SBUF_INIT;
  uint8_t digest[20];
  FUZZ_CHECK(sbuf_append(&k, last, (size_t)(eol - last)) == 0 &&
             sbuf_puts(&k, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11") == 0);
  sha1(k.data, k.len, digest);
  FUZZ_CHECK(base64_encode(out, digest, sizeof digest) == 0);
  sbuf_free(&k);
}

/* Writes msg to c with "$ACCEPT" filled in. */
static void send_msg(conn *c, const uint8_t *msg, size_t len) {
  sbuf b = SBUF_INIT;
  size_t tlen = strlen(ACCEPT_TOKEN);
  for (size_t i = 0; i < len;) {
    if (i + tlen <= len && !memcmp(msg + i, ACCEPT_TOKEN, tlen)) {
      accept_for(&c->in, &b);
      i += tlen;
    } else {
      FUZZ_CHECK(sbuf_putc(&b, (char)msg[i++]) == 0);
    }
  }
  if (b.len && send(c->fd, b.data, b.len, MSG_NOSIGNAL) < 0)
    FUZZ_CHECK(errno == EAGAIN || errno == EPIPE || errno == ECONNRESET);
  sbuf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) setup();
  if (size < 1) return 0;
  start_client(data[0]);
  settle();
  size_t pos = 1, len;
  const uint8_t *msg;
  while (fuzz_next(data, size, &pos, &msg, &len)) {
    if (len == 0) continue;
    unsigned pick = (msg[0] & 7) % (NCONNS + 1); /* ASCII digits name themselves */
    if (pick == NCONNS) {
      fuzz_time_passes(&ctx->loop, (uv_handle_t *)&kick);
    } else if (pick < nconns) {
      send_msg(&conns[pick], msg + 1, len - 1);
    }
    settle();
  }
  close_conns();
  cl_manager_abort(&mgr);
  fuzz_wind_down(&ctx->loop, (uv_handle_t *)&kick, turn, host_and_serve);
  close_conns();
  cl_manager_free(&mgr);
  return 0;
}
