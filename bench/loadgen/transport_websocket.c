/* Socket.IO over a WebSocket opened directly (transport=websocket), as the
 * official client does when told to skip polling. */
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <zlib.h>

#include "run.h"
#include "stream.h"
#include "transport.h"
#include "ws_frame.h"

#define MAX_FRAME (64u << 20)
#define MAX_RESPONSE_HEAD 8192

static bool offer_deflate;
/* The server's compressed messages are inflated here, one at a time (the
 * generator has one thread); no context is taken over, as libsio answers. */
static z_stream inflater;
static bool inflater_ready;
static struct bytebuf inflated;

void websocket_transport_offer_deflate(bool on) { offer_deflate = on; }

/* The message of a frame with RSV1, or NULL when it does not inflate. */
static const char *inflate_message(const char *p, size_t len, size_t *out_len) {
  static const unsigned char tail[4] = {0x00, 0x00, 0xff, 0xff};
  if (!inflater_ready) {
    if (inflateInit2(&inflater, -15) != Z_OK) {
      return NULL;
    }
    inflater_ready = true;
  }
  inflateReset(&inflater);
  bytebuf_consume(&inflated, bytebuf_len(&inflated));
  for (int part = 0; part < 2; part++) {
    inflater.next_in = part ? (unsigned char *)tail : (unsigned char *)p;
    inflater.avail_in = part ? sizeof tail : (unsigned)len;
    while (inflater.avail_in) {
      char *dst = bytebuf_reserve(&inflated, 65536);
      inflater.next_out = (unsigned char *)dst;
      inflater.avail_out = 65536;
      int rc = inflate(&inflater, Z_SYNC_FLUSH);
      inflated.end += 65536 - inflater.avail_out;
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return NULL;
      }
    }
  }
  *out_len = bytebuf_len(&inflated);
  return bytebuf_head(&inflated);
}

static bool ws_launch(struct client *c, const struct sockaddr_in *dst, unsigned source) {
  if (!stream_connect(&c->main, c, dst, source)) {
    return false;
  }
  char request[400];
  /* The key is fixed: the accept value is not checked, only the 101. */
  int n = snprintf(request, sizeof request,
                   "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                   "Host: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: bG9hZGdlbi1rZXktMDAwMQ==\r\n"
                   "%s"
                   "Sec-WebSocket-Version: 13\r\n\r\n",
                   transport_host(),
                   offer_deflate ? "Sec-WebSocket-Extensions: permessage-deflate; "
                                   "client_max_window_bits\r\n"
                                 : "");
  bytebuf_append(&c->main.out, request, (size_t)n);
  c->main.awaiting = true; /* the 101 response */
  return true;
}

/* Returns false when the response is not (yet) a complete 101. */
static bool take_upgrade_response(struct client *c) {
  struct stream *s = &c->main;
  const char *head = bytebuf_head(&s->in);
  size_t len = bytebuf_len(&s->in);
  const char *end = memmem(head, len, "\r\n\r\n", 4);
  if (!end) {
    if (len > MAX_RESPONSE_HEAD) {
      run_on_failure(c, "oversized upgrade response");
    }
    return false;
  }
  if (len < 12 || memcmp(head + 9, "101", 3) != 0) {
    run_on_failure(c, "upgrade refused");
    return false;
  }
  bytebuf_consume(&s->in, (size_t)(end + 4 - head));
  s->awaiting = false;
  return true;
}

static void handle_frames(struct client *c) {
  struct stream *s = &c->main;
  struct ws_frame f;
  int rc = 0;
  while (c->phase != PHASE_CLOSED &&
         (rc = ws_frame_parse(bytebuf_head(&s->in), bytebuf_len(&s->in), MAX_FRAME, &f)) > 0) {
    /* Consuming only moves offsets: the payload stays valid for the call. */
    bytebuf_consume(&s->in, f.frame_len);
    if (f.rsv1 &&
        !(f.payload = (char *)inflate_message(f.payload, f.payload_len, &f.payload_len))) {
      run_on_failure(c, "bad compressed message");
      return;
    }
    switch (f.opcode) {
    case WS_TEXT:
      run_on_text(c, f.payload, f.payload_len);
      break;
    case WS_BINARY:
      run_on_binary(c, f.payload, f.payload_len);
      break;
    case WS_PING:
      ws_frame_append(&s->out, WS_PONG, f.payload, f.payload_len, true);
      run_mark_dirty(c);
      break;
    case WS_CLOSE:
      run_on_failure(c, "server closed the WebSocket");
      return;
    default:
      break;
    }
  }
  if (c->phase != PHASE_CLOSED && rc < 0) {
    run_on_failure(c, "bad frame");
  }
}

static void ws_on_event(struct stream *s, uint32_t events) {
  struct client *c = s->owner;
  if (s->connecting) {
    if (!stream_finish_connect(s, events)) {
      run_on_failure(c, "connect failed");
      return;
    }
    run_mark_dirty(c);
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    ssize_t n = stream_read(s);
    if (n == 0 || n == -1) {
      run_on_failure(c, "connection closed");
      return;
    }
    if (s->awaiting && !take_upgrade_response(c)) {
      return;
    }
    handle_frames(c);
  }
  if (c->phase != PHASE_CLOSED && (events & EPOLLOUT)) {
    run_mark_dirty(c);
  }
}

static void ws_send_text(struct client *c, const char *p, size_t len) {
  ws_frame_append(&c->main.out, WS_TEXT, p, len, true);
  run_mark_dirty(c);
}

static void ws_send_binary(struct client *c, const char *p, size_t len) {
  ws_frame_append(&c->main.out, WS_BINARY, p, len, true);
  run_mark_dirty(c);
}

static void ws_flush(struct client *c) {
  if (!stream_flush(&c->main)) {
    run_on_failure(c, "write failed");
  }
}

static void ws_close(struct client *c) { stream_close(&c->main); }

const struct transport_ops websocket_transport = {
    .launch = ws_launch,
    .on_event = ws_on_event,
    .send_text = ws_send_text,
    .send_binary = ws_send_binary,
    .flush = ws_flush,
    .close = ws_close,
};
