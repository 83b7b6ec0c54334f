/* A client connection to host:port: DNS, TCP, and TLS on top when asked
 * (OpenSSL over memory BIOs, so libuv does all socket I/O). Code above
 * writes and reads plain bytes the same way with or without TLS.
 * Callbacks never run from inside a call made on the stream: only from the
 * loop. Loop thread only. */
#ifndef SIO_TLS_STREAM_H
#define SIO_TLS_STREAM_H
#include <stddef.h>
#include <uv.h>

#include "tls_config.h"

typedef struct tls_stream tls_stream;

typedef struct tls_stream_options {
  const char *host; /* name or address (IPv6 without brackets) */
  int port;
  int tls;
  const char *ca_file; /* NULL: the system's trust store */
  int verify;          /* check the certificate chain and the host name */
  tls_configs *configs; /* with tls: where the SSL_CTX comes from (borrowed) */
} tls_stream_options;

typedef struct tls_stream_handler {
  /* Connected (and the TLS handshake done): bytes written so far go out.
   * May be NULL. */
  void (*on_connect)(tls_stream *s);
  void (*on_read)(tls_stream *s, const char *data, size_t len);
  /* The stream ended: error is NULL when the peer closed it cleanly, else
   * a message ("connection refused", "certificate verify failed: ...").
   * connected says whether on_connect was called. The stream is freed
   * after this returns. */
  void (*on_end)(tls_stream *s, const char *error, int connected);
} tls_stream_handler;

/* Starts resolving and connecting. opts is copied. NULL when out of memory
 * or when TLS cannot be set up (a CA file that does not load). */
tls_stream *tls_stream_connect(uv_loop_t *loop, const tls_stream_options *opts,
                               const tls_stream_handler *h, void *data);
void *tls_stream_data(const tls_stream *s);
/* Queues bytes; before the connection is ready they wait for it. 0, or -1
 * when out of memory or closing. */
int tls_stream_write(tls_stream *s, const void *p, size_t n);
/* 1 when nothing waits to be written. */
int tls_stream_idle(const tls_stream *s);
/* Back-pressure: stops reading from the socket (before the connection is
 * made too) until resumed. What one read already carried is still handed
 * up, so on_read may follow a pause once. */
void tls_stream_pause(tls_stream *s);
void tls_stream_resume(tls_stream *s);
/* Ends the stream without another callback: at once, or (graceful) after
 * what is queued has been written. The memory is freed by the loop. */
void tls_stream_close(tls_stream *s, int graceful);
#endif
