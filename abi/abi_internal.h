/* What the ABI functions share: the handle structs, error recording and
 * the export marker. Not installed. */
#ifndef SIO_ABI_INTERNAL_H
#define SIO_ABI_INTERNAL_H
#include <stdatomic.h>

#include "../core/pump/context.h"
#include "../core/sio/io_server.h"
#include <sio/sio.h>

/* Only what the header declares is exported (see also libsio.map). */
#define SIO_EXPORT __attribute__((visibility("default")))

struct sio_server {
  ctx_child child;     /* first: the context destroys it */
  struct sio_context *ctx;
  atomic_int closed;   /* set by sio_server_close: later commands fail */
  int port;
  io_server core;      /* loop-thread state */
};

/* An emit's or ack's arguments: a JSON array whose placeholders match the
 * attachments (at most SIO_MAX_ATTACHMENTS). 0 or SIO_EINVAL, with the
 * message naming fn. */
int abi_check_payload(const char *json, size_t len, const sio_buf *bins, size_t nbins,
                      const char *fn);
/* 1 for an event name socket.io reserves ("connect", "disconnect", ...). */
int abi_reserved_event(const char *event);

/* Records message for sio_last_error() and returns code. */
int abi_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Server option values parsed from a sio_options (abi/options.c). */
typedef struct server_config {
  char *host;
  int port;
  uint64_t connect_timeout;
  size_t max_queued_events;
  const sio_parser *parser;
  eio_options eio;
} server_config;

/* Fills cfg from opts (NULL: defaults). cfg owns its strings afterwards:
 * free them with server_config_free. */
int server_config_from(const sio_options *opts, server_config *cfg);
void server_config_free(server_config *cfg);

/* ---- client ---------------------------------------------------------------- */
#include "../core/sio/client_manager.h"

struct sio_client {
  ctx_child child;     /* first: the context destroys it */
  struct sio_context *ctx;
  atomic_int closed;   /* set by sio_client_close: later commands fail */
  cl_manager core;     /* loop-thread state */
};

/* Fills cfg from opts (NULL: defaults), except cfg->eio.url, which the
 * caller sets. cfg owns its strings afterwards: free them with
 * cl_config_free, on failure too. */
int client_config_from(const sio_options *opts, cl_config *cfg);
#endif
