/* engine.io's hooks around a connection's opening: allowRequest (a new
 * connection waits for the host's answer), the headers added to responses
 * ("initial_headers", "headers" and the cookie option), and the context
 * each refused request reports (connection_error). Used by eio_server.c
 * and eio_session.c. */
#ifndef SIO_EIO_HOOKS_H
#define SIO_EIO_HOOKS_H
#include <stdint.h>

#include "../net/http_conn.h"
#include "../util/sbuf.h"
#include "../util/strmap.h"

typedef struct eio_server eio_server;
typedef struct eio_waiting eio_waiting;

typedef struct eio_hook_options {
  int allow_request;              /* new connections wait for the host */
  int connection_error_events;    /* refusals reported in full (io_hooks.c) */
  uint64_t allow_request_timeout; /* ms the host has to answer */
  char *initial_headers;          /* "Name: value\r\n" lines, or NULL */
  char *headers;                  /* the same, for every response */
  char *cookie;                   /* "name=" of the sid cookie, or NULL */
  char *cookie_attributes;        /* "; Path=/; HttpOnly; SameSite=Lax" */
} eio_hook_options;

typedef struct eio_hooks {
  strmap by_id;          /* request id (decimal) -> eio_waiting */
  strmap by_conn;        /* connection address (hex) -> eio_waiting */
  eio_waiting *oldest, *newest; /* arrival order, which is deadline order */
  uv_timer_t *timer;     /* the oldest's deadline; NULL when none waits */
} eio_hooks;

/* A connection's opening request (no sid) that passed verification: asks
 * the host when allowRequest is on, else opens it at once. */
void eio_hooks_verify(eio_server *e, http_conn *c, http_request *req, int transport,
                      int protocol);
/* c is closing: 1 when it was waiting for the host (forgotten now). */
int eio_hooks_conn_closed(eio_server *e, http_conn *c);
/* The server is closing: every waiting request is forgotten (the HTTP
 * server closes their connections) and the timer goes. */
void eio_hooks_close(eio_server *e);
void eio_hook_options_free(eio_hook_options *o);

/* What a polling response carries besides its own headers: CORS,
 * Cache-Control, initial (the handshake's, or NULL) and the configured
 * "headers". */
int eio_response_headers(const eio_server *e, const http_request *req, const char *initial,
                         sbuf *out);
/* The handshake response's own headers for session sid: the cookie (on
 * polling only, as engine.io sets it), "headers.initial" and the host's
 * (accepted, may be NULL). malloc'ed lines, NULL when there are none;
 * *failed is set when memory ran out. */
char *eio_initial_headers(const eio_server *e, const char *sid, int polling,
                          const char *accepted, int *failed);

/* eio_server.c: opens the connection (the handshake proper) with the
 * host's extra headers, or refuses it with code 4 as engine.io does for
 * allowRequest (message NULL: "Forbidden"; context: the connection_error
 * context). protocol: engine.io's revision, 4 or 3 (refused: unsupported). */
void eio_open_connection(eio_server *e, http_conn *c, http_request *req, int transport,
                         int protocol, const char *accepted);
void eio_refuse_request(eio_server *e, http_conn *c, http_request *req, const char *message,
                        const char *context);
#endif
