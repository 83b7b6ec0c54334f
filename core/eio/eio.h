/* The Engine.IO layer as the Socket.IO layer sees it, and the one header of
 * eio/ that core/sio includes: the v4 server (handshake, routing,
 * verification, the official HTTP errors, CORS, the sessions), the client
 * (eio_client.h) and the packet encoders the Socket.IO parsers write
 * messages with (eio_packet.h). The Socket.IO layer sees sessions and
 * messages only; sessions' and connections' insides stay in eio/
 * (eio_session.h). */
#ifndef SIO_EIO_H
#define SIO_EIO_H
#include <stddef.h>
#include <stdint.h>

#include "../net/http_conn.h"
#include "../util/rbuf.h"
#include "../util/strmap.h"
#include "eio_client.h"
#include "eio_hooks.h"
#include "eio_packet.h"

typedef struct eio_session eio_session;
typedef struct eio_server eio_server;

typedef struct eio_options {
  char *path;             /* with a trailing "/", e.g. "/socket.io/" */
  uint64_t ping_interval; /* ms */
  uint64_t ping_timeout;
  uint64_t upgrade_timeout;
  size_t max_payload;     /* maxHttpBufferSize */
  uint64_t headers_timeout; /* ms, Node's http headersTimeout (0: none) */
  uint64_t request_timeout; /* ms, Node's http requestTimeout (0: none) */
  int allow_polling, allow_websocket, allow_upgrades;
  int allow_eio3;         /* allowEIO3: Engine.IO v3 clients (eio3.h) */
  char *cors_origin;      /* NULL: no CORS; "*" or a comma-separated list */
  int cors_credentials;
  char *client_dir;       /* serveClient: socket.io-client's dist folder */
  char *static_dir;
  int reuse_port;         /* SO_REUSEPORT: other processes may bind the port */
  SSL_CTX *tls;           /* set: HTTPS and WSS only (freed with the options) */
  eio_hook_options hooks;  /* allowRequest, headers, cookie (eio_hooks.h) */
  /* permessage-deflate on WebSockets, for messages of at least
   * deflate_threshold bytes; polling responses of at least
   * http_compression_threshold bytes gzipped or deflated. */
  int per_message_deflate;
  size_t deflate_threshold;
  int http_compression;
  size_t http_compression_threshold;
} eio_options;

typedef struct eio_handler {
  /* A new session; req is the handshake request (valid during the call).
   * Returning non-zero refuses it (500). */
  int (*on_open)(eio_session *s, const http_request *req);
  /* One MESSAGE packet. */
  void (*on_message)(eio_session *s, const char *data, size_t len, int binary);
  /* The session ended (reason: "transport close", "transport error",
   * "ping timeout", "parse error", "forced close", "server shutting down").
   * No call on s after this returns. */
  void (*on_close)(eio_session *s, const char *reason);
  /* A refused request: code/message as in the JSON error body, context
   * the JSON object engine.io's connection_error carries. */
  void (*on_error)(eio_server *e, const http_request *req, int code, const char *message,
                   const char *context);
  /* With opts.hooks.allow_request: a new connection asks to open. Returns
   * the id the answer (eio_request_accept/refuse) will name, or 0 when it
   * could not be asked (the request is then refused). */
  uint64_t (*on_allow_request)(eio_server *e, const http_request *req);
  /* The session's transport is now WebSocket. */
  void (*on_upgrade)(eio_session *s);
} eio_handler;

/* Embedded in its owner; the fields are the Engine.IO layer's (the owner
 * fills opts, handler, owner and on_closed before eio_server_start). */
struct eio_server {
  http_server http;
  eio_options opts;
  const eio_handler *handler;
  void *owner;
  strmap sessions;           /* sid -> eio_session */
  eio_session *flush_list;   /* polling sessions with packets to answer */
  eio_hooks hooks;           /* requests waiting for the host (eio_hooks.h) */
  int closing;
  void (*on_closed)(eio_server *e);
};

/* Takes ownership of the strings in opts. 0, or a negative libuv error. */
int eio_server_start(eio_server *e, uv_loop_t *loop, const char *host, int port);
/* Stops accepting, ends every session with "server shutting down" (a
 * polling client still gets what was queued for it, within a grace period),
 * closes every connection, then calls e->on_closed. */
void eio_server_close(eio_server *e);
/* eio_server_close, then ends every session at once and closes every
 * connection without waiting for their output. */
void eio_server_abort(eio_server *e);
/* Back-pressure: stops reading from every connection until resumed. */
void eio_server_pause(eio_server *e);
void eio_server_resume(eio_server *e);
int eio_server_paused(const eio_server *e);
/* The TCP port it listens on (after a successful eio_server_start). */
int eio_server_port(eio_server *e);
void eio_options_free(eio_options *o);

/* Queues one encoded packet (eio_encode*): takes a reference of its own.
 * 0, or -1 when the session is closing or its output is over its bound. */
int eio_send(eio_session *s, rbuf *pkt);
/* 1 when a packet sent now goes out without waiting (volatile emits). */
int eio_writable(const eio_session *s);
/* A broadcast's sends, a batch at a time, one link deeper per call: first
 * the session's connection, then (with the connection loaded) its output
 * buffer. The loads of a whole batch then overlap instead of each send
 * waiting on memory in turn. */
void eio_prefetch_transport(const eio_session *s);
void eio_prefetch_output(const eio_session *s);
/* Closes the session after its queued packets ("forced close"). */
void eio_close(eio_session *s);
const char *eio_session_id(const eio_session *s);
eio_server *eio_session_server(const eio_session *s);
void eio_session_set_data(eio_session *s, void *data);
void *eio_session_data(const eio_session *s);
/* "polling" or "websocket". */
const char *eio_session_transport(const eio_session *s);
/* The Engine.IO revision the client speaks: 4, or 3 (allowEIO3). */
int eio_session_revision(const eio_session *s);
/* Answers a request on_allow_request asked about. headers: "Name: value\r\n"
 * lines for the handshake's response, or NULL. message NULL: "Forbidden".
 * 0, or -1 when no request waits under id. */
int eio_request_accept(eio_server *e, uint64_t id, const char *headers);
int eio_request_refuse(eio_server *e, uint64_t id, const char *message);
#endif
