/* Socket.IO over HTTP long-polling (transport=polling, no upgrade): a GET
 * always waiting for packets on one keep-alive connection, POSTs carrying the
 * client's packets on another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "run.h"
#include "stream.h"
#include "transport.h"

#define RECORD_SEPARATOR '\x1e'

static llhttp_settings_t response_settings;
static bool response_settings_ready;

static int on_headers_complete(llhttp_t *parser) {
  return llhttp_get_status_code(parser) == 200 ? 0 : -1;
}

static int on_body(llhttp_t *parser, const char *at, size_t len) {
  struct stream *s = parser->data;
  bytebuf_append(&s->body, at, len);
  return 0;
}

/* Pausing hands the complete response to the caller of llhttp_execute, which
 * may then close the client without pulling the parser from under itself. */
static int on_message_complete(llhttp_t *parser) {
  (void)parser;
  return HPE_PAUSED;
}

static bool open_stream(struct stream *s, struct client *c, const struct sockaddr_in *dst,
                        unsigned source) {
  if (!stream_connect(s, c, dst, source)) {
    return false;
  }
  if (!s->http) {
    s->http = malloc(sizeof *s->http);
    if (!s->http) {
      abort();
    }
  }
  llhttp_init(s->http, HTTP_RESPONSE, &response_settings);
  s->http->data = s;
  return true;
}

static void queue_get(struct client *c) {
  char request[256];
  int n = snprintf(request, sizeof request,
                   "GET /socket.io/?EIO=4&transport=polling%s%s HTTP/1.1\r\nHost: %s\r\n\r\n",
                   c->sid[0] ? "&sid=" : "", c->sid, transport_host());
  bytebuf_append(&c->main.out, request, (size_t)n);
  c->main.awaiting = true;
  run_mark_dirty(c);
}

static bool poll_launch(struct client *c, const struct sockaddr_in *dst, unsigned source) {
  if (!response_settings_ready) {
    llhttp_settings_init(&response_settings);
    response_settings.on_headers_complete = on_headers_complete;
    response_settings.on_body = on_body;
    response_settings.on_message_complete = on_message_complete;
    response_settings_ready = true;
  }
  if (!open_stream(&c->main, c, dst, source) || !open_stream(&c->post, c, dst, source)) {
    return false;
  }
  c->sid[0] = '\0';
  queue_get(c);
  return true;
}

/* The open packet `0{"sid":"...",...}` names the session every later request
 * must carry. */
static bool take_sid(struct client *c, const char *p, size_t len) {
  static const char key[] = "\"sid\":\"";
  const char *at = memmem(p, len, key, sizeof key - 1);
  if (!at) {
    return false;
  }
  at += sizeof key - 1;
  const char *end = memchr(at, '"', len - (size_t)(at - p));
  if (!end || (size_t)(end - at) >= sizeof c->sid) {
    return false;
  }
  memcpy(c->sid, at, (size_t)(end - at));
  c->sid[end - at] = '\0';
  return true;
}

static void handle_get_response(struct client *c) {
  struct stream *s = &c->main;
  s->awaiting = false;
  char *p = bytebuf_head(&s->body);
  size_t len = bytebuf_len(&s->body);
  if (!c->sid[0] && !take_sid(c, p, len)) {
    run_on_failure(c, "no sid in the handshake");
    return;
  }
  size_t start = 0;
  while (start <= len && c->phase != PHASE_CLOSED) {
    const char *sep = memchr(p + start, RECORD_SEPARATOR, len - start);
    size_t end = sep ? (size_t)(sep - p) : len;
    if (end > start) {
      run_on_text(c, p + start, end - start);
    }
    start = end + 1;
  }
  bytebuf_release(&s->body);
  if (c->phase != PHASE_CLOSED) {
    queue_get(c);
  }
}

static void handle_post_response(struct client *c) {
  c->post.awaiting = false;
  c->post.body.start = c->post.body.end = 0;
  run_mark_dirty(c); /* packets queued meanwhile go in the next POST */
}

static void parse_responses(struct client *c, struct stream *s) {
  const char *data = bytebuf_head(&s->in);
  size_t len = bytebuf_len(&s->in);
  while (len > 0) {
    llhttp_errno_t err = llhttp_execute(s->http, data, len);
    if (err == HPE_OK) {
      break;
    }
    if (err != HPE_PAUSED) {
      run_on_failure(c, "bad HTTP response");
      return;
    }
    const char *resume_at = llhttp_get_error_pos(s->http);
    len -= (size_t)(resume_at - data);
    data = resume_at;
    llhttp_resume(s->http);
    if (s == &c->main) {
      handle_get_response(c);
    } else {
      handle_post_response(c);
    }
    if (c->phase == PHASE_CLOSED) {
      return;
    }
  }
  s->in.start = s->in.end = 0;
}

static void poll_on_event(struct stream *s, uint32_t events) {
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
    parse_responses(c, s);
  }
  if (c->phase != PHASE_CLOSED && (events & EPOLLOUT)) {
    run_mark_dirty(c);
  }
}

static void poll_send_text(struct client *c, const char *p, size_t len) {
  if (bytebuf_len(&c->post_queue) > 0) {
    bytebuf_append(&c->post_queue, "\x1e", 1);
  }
  bytebuf_append(&c->post_queue, p, len);
  run_mark_dirty(c);
}

static void poll_send_binary(struct client *c, const char *p, size_t len) {
  (void)p;
  (void)len;
  run_on_failure(c, "binary payloads are not implemented over polling");
}

static void poll_flush(struct client *c) {
  size_t queued = bytebuf_len(&c->post_queue);
  if (!c->post.awaiting && queued > 0 && c->sid[0]) {
    char head[320];
    int n = snprintf(head, sizeof head,
                     "POST /socket.io/?EIO=4&transport=polling&sid=%s HTTP/1.1\r\nHost: %s\r\n"
                     "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: %zu\r\n\r\n",
                     c->sid, transport_host(), queued);
    bytebuf_append(&c->post.out, head, (size_t)n);
    bytebuf_append(&c->post.out, bytebuf_head(&c->post_queue), queued);
    bytebuf_consume(&c->post_queue, queued);
    c->post.awaiting = true;
  }
  if (!stream_flush(&c->main) || !stream_flush(&c->post)) {
    run_on_failure(c, "write failed");
  }
}

static void poll_close(struct client *c) {
  stream_close(&c->main);
  stream_close(&c->post);
  free(c->main.http);
  free(c->post.http);
  c->main.http = c->post.http = NULL;
  bytebuf_release(&c->post_queue);
}

const struct transport_ops polling_transport = {
    .launch = poll_launch,
    .on_event = poll_on_event,
    .send_text = poll_send_text,
    .send_binary = poll_send_binary,
    .flush = poll_flush,
    .close = poll_close,
};
