/* What listen, emit and connect share: the client's options, its connection,
 * and the report of its connection events on stderr. */
#ifndef SIO_CLI_SESSION_H
#define SIO_CLI_SESSION_H
#include <sio/sio.h>

#include "args.h"

/* The options every client subcommand takes, first in its table. */
#define SESSION_OPTIONS                                                                   \
  {"--namespace", "NSP", "namespace to join (default: the URL's path, else /)"},          \
      {"--auth", "JSON", "auth payload of the handshake, a JSON object"},                \
      {"--parser", "PARSER", "json (default) or msgpack (socket.io-msgpack-parser)"},     \
      {"--transports", "LIST", "polling,websocket (default), polling or websocket"},       \
      {"--tls-ca", "FILE", "trust the certificates of this PEM file for https/wss URLs"}, \
      {"--insecure", NULL, "do not verify the server's certificate (https/wss URLs)"}

typedef struct session {
  sio_context *ctx;
  sio_client *cli;
  const char *nsp; /* the namespace joined, owned by cli */
} session;

/* Creates the context and the client for url with the SESSION_OPTIONS of a;
 * reconnection on or off. Returns 0, or the exit status after printing what
 * is wrong: 2 for a bad command line, 1 for any other failure. */
int session_open(session *s, const cli_command *cmd, const cli_args *a, const char *url,
                 int reconnection);

enum session_verdict {
  SESSION_OTHER,     /* not a connection event: the caller's to handle */
  SESSION_REPORTED,  /* a connection event, reported on stderr */
  SESSION_CONNECTED, /* the namespace was joined (reported) */
  SESSION_TRANSIENT, /* a connection attempt failed; another may follow */
  SESSION_OVER       /* refused, left by the server or given up: stop */
};

/* Reports a connection event of ev on stderr and says what it means. */
enum session_verdict session_report(const sio_event *ev);

/* Closes the client, reports what the close produced, frees everything.
 * With linger, first lets SESSION_LINGER_MS pass: the official server
 * handles an event on the tick after it arrived and drops it when the
 * disconnection came in meanwhile, so an event sent without an
 * acknowledgement right before the close would be lost. */
#define SESSION_LINGER_MS 200
void session_close(session *s, int linger);

/* "sio: " + message on stderr, in red on a terminal. */
void session_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
