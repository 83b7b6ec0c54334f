/* What the ABI functions share: the handle structs, error recording and
 * the export marker. Not installed. */
#ifndef SIO_ABI_INTERNAL_H
#define SIO_ABI_INTERNAL_H
#include <stdatomic.h>

#include "../core/pump/context.h"
#include "../core/adapter/cluster.h"
#include "../core/sio/server/io_server.h"
#include <sio/sio.h>


struct sio_server {
  ctx_child child;     /* first: the context destroys it */
  struct sio_context *ctx;
  atomic_int closed;   /* set by sio_server_close: later commands fail */
  int port;
  io_server core;      /* loop-thread state */
};

/* Copies a size-first struct the host filled (src, whose first field is
 * its size) into dst, known bytes long (this library's sizeof): zeroes what
 * an older host did not hand in, and refuses unknown trailing fields that
 * are not zero and sizes below min (the size at 1.0). 0 or SIO_EINVAL. */
int abi_copy_struct(void *dst, size_t known, const void *src, size_t min, const char *fn,
                    const char *what);
/* An emit's (ack 0) or an acknowledgement's (ack 1) message, copied into
 * *out: the event name, the flags, and arguments that are a JSON array
 * whose placeholders match the attachments (at most SIO_MAX_ATTACHMENTS;
 * NULL arguments become "[]"). in may be NULL for an acknowledgement. 0,
 * SIO_ERESERVED or SIO_EINVAL, with the message naming fn. */
int abi_check_message(const sio_message *in, int ack, sio_message *out, const char *fn);
/* A selection, copied into *out. 0 or SIO_EINVAL. */
int abi_check_target(const sio_target *in, sio_target *out, const char *fn);
/* 1 for an event name socket.io reserves ("connect", "disconnect", ...). */
int abi_reserved_event(const char *event);

/* A JSON object of header names to string values as "Name: value\r\n"
 * lines appended to out (NULL: only checked). -1 for anything else, a name
 * that is not an HTTP token or a value with a line break. */
int abi_header_lines(const char *json, sbuf *out);

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
  recovery_options recovery;
  cluster_options adapter;   /* adapter.url.host NULL: one node */
} server_config;

/* Fills cfg from opts (NULL: defaults). cfg owns its strings afterwards:
 * free them with server_config_free. */
int server_config_from(const sio_options *opts, server_config *cfg);
void server_config_free(server_config *cfg);

/* ---- client ---------------------------------------------------------------- */
#include "../core/sio/client/client_manager.h"

struct sio_client {
  ctx_child child;     /* first: the context destroys it */
  struct sio_context *ctx;
  atomic_int closed;   /* set by sio_client_close: later commands fail */
  char *nsp;           /* the URL's namespace (sio_client_nsp), set before start */
  cl_manager core;     /* loop-thread state */
};

/* Fills cfg from opts (NULL: defaults), except cfg->eio.url, which the
 * caller sets. cfg owns its strings afterwards: free them with
 * cl_config_free, on failure too. */
int client_config_from(const sio_options *opts, cl_config *cfg);
#endif
