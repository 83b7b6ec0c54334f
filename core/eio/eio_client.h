/* The Engine.IO v4 client: one connection to a server over long-polling,
 * WebSocket or polling upgraded to WebSocket, over TCP or TLS. It answers
 * the server's pings and notices a silent server. Above it sits the
 * Socket.IO client (manager), which sees messages only. Loop thread only. */
#ifndef SIO_EIO_CLIENT_H
#define SIO_EIO_CLIENT_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "../net/tls_config.h"
#include "../util/rbuf.h"

typedef struct eio_client eio_client;

typedef struct eio_client_options {
  char *url;             /* http(s)://host[:port] or ws(s)://...; path and query ignored */
  char *path;            /* "/socket.io/" */
  char *query;           /* extra URL-encoded pairs, or NULL */
  char *extra_headers;   /* "Name: value\r\n" lines, or NULL */
  int allow_polling, allow_websocket, upgrade;
  uint64_t timeout_ms;   /* the handshake must finish within it */
  char *tls_ca_file;     /* NULL: the system's trust store */
  int tls_verify;
  tls_configs *tls_configs; /* borrowed; must outlive the client */
  /* WebSocket upgrades offer permessage-deflate; once accepted, packets of
   * deflate_threshold bytes or more go deflated (unless no_compress). */
  int per_message_deflate;
  size_t deflate_threshold;
} eio_client_options;

typedef struct eio_client_handler {
  /* The handshake finished (open packet received). */
  void (*on_open)(eio_client *c);
  /* One MESSAGE packet (text without the "4", or binary bytes). */
  void (*on_message)(eio_client *c, const char *data, size_t len, int binary);
  /* The connection ended or could not be made. reason: "transport close",
   * "transport error", "ping timeout", "parse error", "forced close"
   * (eio_client_close), or for a failed attempt a message such as
   * "timeout", "xhr poll error", "websocket error", or the TLS error.
   * opened says whether on_open had been called. No call on c follows; it
   * is freed after this returns. */
  void (*on_close)(eio_client *c, const char *reason, int opened);
} eio_client_handler;

/* Starts connecting. opts is copied. NULL when out of memory or the URL is
 * not usable (then nothing is called). */
eio_client *eio_client_connect(uv_loop_t *loop, const eio_client_options *opts,
                               const eio_client_handler *h, void *data);
void *eio_client_data(const eio_client *c);
/* Queues one packet made with eio_encode*() (takes a reference of its own).
 * Packets sent before on_open wait for it. 0, or -1 once closing. */
int eio_client_send(eio_client *c, rbuf *pkt);
/* 1 when a packet sent now would be written at once (volatile emits). */
int eio_client_writable(const eio_client *c);
/* Back-pressure: stops taking packets from the server (the WebSocket, or
 * the GET in flight, stops reading; no new GET goes out) until resumed. The silent-server
 * check waits too, and starts over on resume: while paused, silence is
 * ours. What already arrived is still handed up. */
void eio_client_pause(eio_client *c);
void eio_client_resume(eio_client *c);
/* Closes after writing what is queued; on_close(..., "forced close") comes. */
void eio_client_close(eio_client *c);
/* "polling" or "websocket". */
const char *eio_client_transport(const eio_client *c);
/* The session id from the open packet. */
const char *eio_client_sid(const eio_client *c);
#endif
