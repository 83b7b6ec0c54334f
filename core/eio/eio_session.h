/* One Engine.IO connection: its transport (long-polling or WebSocket), the
 * upgrade between them, the heartbeat and the packets waiting to go out.
 * Used by eio_server.c only; the Socket.IO layer uses eio.h. */
#ifndef SIO_EIO_SESSION_H
#define SIO_EIO_SESSION_H
#include "../util/random_id.h"
#include "eio.h"

enum { EIO_POLLING = 0, EIO_WEBSOCKET = 1 };
enum { SESSION_OPEN, SESSION_CLOSING, SESSION_CLOSED };

struct eio_session {
  char sid[RANDOM_ID_LEN + 1];
  eio_server *srv;
  void *data;
  int state;
  int transport;
  http_conn *get;        /* a long-polling GET waiting for packets */
  http_conn *ws;         /* the WebSocket in use */
  http_conn *probe;      /* a WebSocket being upgraded to */
  rbuf **queue;          /* packets waiting for a GET or for the upgrade */
  size_t qlen, qcap;
  size_t queued_bytes;   /* the body of the GET that would take them */
  uv_timer_t heartbeat;  /* ping interval, then pong deadline */
  uv_timer_t *upgrade_timer;
  uint64_t pong_deadline; /* loop time by which a pong must come, or 0 */
  eio_session *flush_next;
  char *initial_headers; /* for the handshake's response (eio_hooks.h), until sent */
  unsigned in_flush_list : 1, upgraded : 1, probed : 1,
      overflowed : 1, /* over its bound: ends at the next flush */
      eio3 : 1,       /* an Engine.IO v3 client (eio3.h) */
      b64 : 1;        /* v3 polling: binary as base64, never a binary payload */
};

/* A new session on transport; registered in srv->sessions. */
eio_session *eio_session_new(eio_server *srv, int transport);
/* Sends the open packet and starts the heartbeat. */
void eio_session_open(eio_session *s);
/* A polling GET (held until packets are there) and a POST body. */
void eio_session_poll(eio_session *s, http_conn *c);
void eio_session_post(eio_session *s, http_conn *c, const char *body, size_t len);
/* A WebSocket for this session: the first transport, or an upgrade. */
void eio_session_attach_ws(eio_session *s, http_conn *c);
/* A text or binary message on one of the session's WebSockets. */
void eio_session_ws_message(eio_session *s, http_conn *c, const char *data, size_t len,
                            int binary);
/* One of the session's connections went away. */
void eio_session_conn_closed(eio_session *s, http_conn *c);
/* Answers the waiting GET with everything queued. */
void eio_session_flush(eio_session *s);
/* The server is closing: ends the session, or for a polling client that
 * has packets waiting, lets its next GET (within grace_ms) take them. */
void eio_session_shut_down(eio_session *s, uint64_t grace_ms);
/* Called when a session left the map: the closing server may be done. */
void eio_server_session_gone(eio_server *e);
/* Ends the session now with reason (the upper layer hears it once). */
void eio_session_end(eio_session *s, const char *reason);

/* httpCompression: body, a polling response, replaced by its gzip or
 * deflate form with its Content-Encoding header appended to headers, when
 * the server's options, req's Accept-Encoding and the size ask for it.
 * compressible: 0 when every packet in it was sent with compress(false).
 * 0, or -1 out of memory. */
int eio_compress_poll_body(const eio_server *e, const http_request *req, int compressible,
                           sbuf *body, sbuf *headers);

/* CORS response headers for req under the server's options (may append
 * nothing). Shared by every response the Engine.IO layer writes. */
int eio_cors_headers(const eio_server *e, const http_request *req, sbuf *out);
#endif
