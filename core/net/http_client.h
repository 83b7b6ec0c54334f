/* HTTP/1.1 client requests over one keep-alive connection (llhttp), one
 * request at a time, and the WebSocket upgrade of such a connection. The
 * connection is made on the first request and made again when the server
 * closed it between requests. Callbacks come from the loop only, never
 * from inside a call made on the client. Loop thread only. */
#ifndef SIO_HTTP_CLIENT_H
#define SIO_HTTP_CLIENT_H
#include <stddef.h>
#include <uv.h>

#include "tls_stream.h"

typedef struct http_client http_client;

typedef struct http_client_options {
  tls_stream_options conn;
  const char *host_header; /* the Host header's value */
  size_t max_body;         /* bound for response bodies and WebSocket messages */
  int offer_deflate;       /* a WebSocket upgrade offers permessage-deflate */
} http_client_options;

typedef struct http_client_handler {
  /* The complete response to the request in flight. */
  void (*on_response)(http_client *c, int status, const char *body, size_t len);
  /* The server accepted the WebSocket upgrade. */
  void (*on_ws_open)(http_client *c);
  /* A WebSocket message (binary or text). */
  void (*on_ws_message)(http_client *c, const char *data, size_t len, int binary);
  /* The connection failed while a request was in flight or a WebSocket was
   * open. error is NULL when the server closed the WebSocket cleanly. The
   * client stays usable for a new request. */
  void (*on_end)(http_client *c, const char *error);
} http_client_handler;

/* opts is copied. NULL when out of memory. */
http_client *http_client_new(uv_loop_t *loop, const http_client_options *opts,
                             const http_client_handler *h, void *data);
void *http_client_data(const http_client *c);
/* Sends a request; target is the path and query. headers: complete lines
 * ("Name: value\r\n") or NULL. A body gets a Content-Length. 0, or -1
 * while a request is in flight, on a WebSocket, or out of memory. */
int http_client_request(http_client *c, const char *method, const char *target,
                        const char *headers, const void *body, size_t len);
/* Sends a WebSocket upgrade request for target. 0 or -1 as above. */
int http_client_websocket(http_client *c, const char *target, const char *headers);
/* Queues one WebSocket message (WS_TEXT or WS_BINARY). 0, or -1 when no
 * WebSocket is open or out of memory. */
int http_client_ws_send(http_client *c, int opcode, const void *data, size_t len);
/* The same, deflated when the server accepted permessage-deflate. */
int http_client_ws_send_deflated(http_client *c, int opcode, const void *data, size_t len);
/* Back-pressure: stops reading responses and messages (on later
 * connections too) until resumed; what one read carried still comes. */
void http_client_pause(http_client *c);
void http_client_resume(http_client *c);
/* 1 when no bytes wait to be written. */
int http_client_idle(const http_client *c);
/* Frees the client without another callback. graceful: queued bytes (and a
 * WebSocket close frame) are written first, by the loop. */
void http_client_close(http_client *c, int graceful);
#endif
