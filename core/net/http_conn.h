/* HTTP/1.1 server connections (llhttp) that may become WebSocket
 * connections. Owns the TCP socket, parsing, and batched writes: output is
 * gathered during a loop iteration and written once at its end. */
#ifndef SIO_HTTP_CONN_H
#define SIO_HTTP_CONN_H
#include <llhttp.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "../util/sbuf.h"
#include "tls_session.h"
#include "ws_frame.h"

typedef struct http_conn http_conn;
typedef struct http_server http_server;

typedef struct http_request {
  int method;       /* llhttp_method_t */
  sbuf url;
  sbuf headers;     /* "name\0value\0" pairs, names lower-cased */
  size_t nheaders;
  sbuf body;
  int upgrade;      /* an Upgrade request (WebSocket) */
  int keep_alive;
  int too_big;      /* the body went over max_body */
  char peer[64];    /* remote address, no port */
  int secure;       /* came over TLS */
} http_request;

/* Value of a request header (name lower-case), or NULL. */
const char *http_header(const http_request *req, const char *name);

typedef struct http_handler {
  /* A complete request. The connection waits (reading no further request)
   * until http_respond() is called for it, now or later. For an upgrade
   * request, call http_accept_websocket() or respond with an error. */
  void (*on_request)(http_conn *c, http_request *req);
  /* A WebSocket message (kind WS_TEXT or WS_BINARY). */
  void (*on_ws_message)(http_conn *c, const char *data, size_t len, int binary);
  /* The connection is gone; no call on c after this returns. */
  void (*on_close)(http_conn *c);
} http_handler;

#define HTTP_SPARE_OUTPUTS 32

struct http_server {
  uv_loop_t *loop;
  uv_tcp_t listener;
  const http_handler *handler;
  void *owner;
  size_t max_body;          /* bytes; larger bodies are refused with 413 */
  size_t max_ws_message;    /* bytes; larger messages close the socket 1009 */
  size_t max_out;           /* bytes queued to a slow reader before closing */
  uint64_t keep_alive_ms;   /* idle keep-alive connections are closed */
  /* A request not complete this long after it began gets 408 and the
   * connection closes (Node's headersTimeout and requestTimeout; 0: none). */
  uint64_t headers_timeout_ms;
  uint64_t request_timeout_ms;
  http_conn *conns;         /* every open connection */
  http_conn *dirty;         /* connections with output to flush */
  uv_prepare_t flusher_before_poll; /* output made by timers */
  uv_check_t flusher;               /* output made by I/O and commands */
  uv_timer_t sweeper;
  /* WebSocket output buffers of connections that flushed everything, for
   * the next connection with output (see http_conn.c, take_output). */
  sbuf spare_out[HTTP_SPARE_OUTPUTS];
  size_t nspare_out;
  int closing;
  int listener_closed, handles_closed;
  int paused;               /* reading stopped: the host is behind */
  int reuse_port;           /* SO_REUSEPORT on the listener */
  SSL_CTX *tls;             /* set: HTTPS, every connection over TLS (borrowed) */
  uint64_t closing_since;
  /* Called at the end of each loop iteration, before output is written:
   * the layer above batches what it has gathered. */
  void (*before_flush)(http_server *s);
  void (*on_closed)(http_server *s); /* after http_server_close finished */
  int open_handles;
};

struct http_conn {
  /* What every send and flush reads comes first, in one cache line: a
   * broadcast walks thousands of connections, and each line it misses
   * costs more than the rest of the send. */
  http_server *srv;
  http_conn *dirty_next;
  sbuf out;                 /* bytes to write at the end of this iteration */
  unsigned awaiting_response : 1, is_dirty : 1, writing : 1, closing : 1,
      close_after_write : 1, websocket : 1,
      failed : 1, /* closed for a protocol error or a stuck reader */
      stuck : 1,  /* given up on in a send: closed at the next flush, written or not */
      in_handler : 1, /* on_request is running: its request must live on */
      had_request : 1; /* a request began on this connection */
  sbuf inflight;            /* bytes handed to uv_write */
  uv_tcp_t tcp;
  http_conn *prev, *next;   /* srv->conns */
  llhttp_t *parser;         /* NULL once a WebSocket */
  http_request *req;        /* the request being read or answered */
  ws_reader *ws;            /* set once a WebSocket */
  sbuf in;                  /* bytes not parsed yet */
  uv_write_t wreq;
  uint64_t last_active;     /* loop time of the last byte read */
  uint64_t request_start;   /* loop time the current request began */
  void *session;            /* owner data (the Engine.IO session) */
  tls_session *tls;         /* set on an HTTPS server: out holds plain bytes until flushed */
  int deflate_bits;         /* permessage-deflate's window; 0: not in use */
};

/* Starts listening. 0, or a negative libuv error. */
int http_server_listen(http_server *s, uv_loop_t *loop, const char *host, int port);
int http_server_port(http_server *s);
/* Serves a connected stream socket that did not come through the listener
 * (the fuzz target's end of a socketpair, tests/fuzz/fuzz_server.c); the
 * connection owns fd from then on. 0, or -1 (fd is not closed). */
int http_server_adopt(http_server *s, uv_os_sock_t fd);
/* Stops reading from every connection (new ones too) until resumed. */
void http_server_pause(http_server *s);
void http_server_resume(http_server *s);
/* Refuses new connections; the open ones go on. */
void http_server_stop_accepting(http_server *s);
/* Closes the listener and every connection (on_close for each) once their
 * queued output is written, or after a grace period; then on_closed. */
void http_server_close(http_server *s);
/* Closes everything now, written or not (the context is ending). */
void http_server_abort(http_server *s);

/* Answers the request in progress. extra_headers: complete header lines
 * ("Name: value\r\n"...) or NULL. */
void http_respond(http_conn *c, int status, const char *content_type,
                  const char *extra_headers, const void *body, size_t len);
/* Answers the upgrade request with 101 and switches to WebSocket. */
void http_accept_websocket(http_conn *c, const char *extra_headers);
/* Queues a WebSocket message. -1 when the connection's output is over
 * max_out (it is then being closed). */
int http_ws_send(http_conn *c, int opcode, const void *data, size_t len);
/* Turns permessage-deflate on for an accepted WebSocket (net/ws_deflate.h
 * negotiated window_bits): compressed messages are read, inflated up to
 * max_ws_message (past it the connection closes 1009, 1007 for bad data). */
void http_ws_use_deflate(http_conn *c, int window_bits);
/* http_ws_send for a payload deflated with c->deflate_bits (RSV1 set). */
int http_ws_send_deflated(http_conn *c, int opcode, const void *data, size_t len);
/* 1 when nothing waits to be written (volatile packets go only then). */
int http_conn_idle_output(const http_conn *c);
/* Starts loading where the next send writes, for a broadcast that sends to
 * a batch of connections and would otherwise wait on each in turn. */
void http_conn_prefetch_output(const http_conn *c);
/* Closes after the queued output is written; a WebSocket says code first. */
void http_conn_close(http_conn *c, uint16_t ws_code);
#endif
