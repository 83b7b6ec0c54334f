/* Socket.IO over a WebSocket opened directly (transport=websocket), as the
 * official client does when told to skip polling. */
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "run.h"
#include "stream.h"
#include "transport.h"
#include "ws_frame.h"

#define MAX_FRAME (64u << 20)
#define MAX_RESPONSE_HEAD 8192

static bool ws_launch(struct client *c, const struct sockaddr_in *dst, unsigned source) {
  if (!stream_connect(&c->main, c, dst, source)) {
    return false;
  }
  char request[320];
  /* The key is fixed: the accept value is not checked, only the 101. */
  int n = snprintf(request, sizeof request,
                   "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                   "Host: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: bG9hZGdlbi1rZXktMDAwMQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n",
                   transport_host());
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
