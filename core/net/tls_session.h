/* One TLS connection's record layer, either role, over memory BIOs: the
 * caller moves ciphertext between it and the socket (libuv does all socket
 * I/O), and plain bytes in and out. Used by the client's streams
 * (tls_stream.c) and the server's connections (http_conn.c). Loop thread
 * only. */
#ifndef SIO_TLS_SESSION_H
#define SIO_TLS_SESSION_H
#include <stddef.h>
#include <openssl/ssl.h>

#include "../util/sbuf.h"

typedef struct tls_session tls_session;

/* A session on ctx (it takes a reference of its own), accepting when
 * server, else connecting. NULL when out of memory. */
tls_session *tls_session_new(SSL_CTX *ctx, int server);
/* Accepts NULL. */
void tls_session_free(tls_session *t);
/* For per-connection settings before the handshake (SNI, host checks). */
SSL *tls_session_ssl(tls_session *t);
/* Ciphertext from the peer. 0, or -1 when out of memory. */
int tls_session_feed(tls_session *t, const void *p, size_t n);
/* Advances the handshake with what was fed: 1 done, 0 more input needed,
 * -1 failed (tls_session_error says why). */
int tls_session_handshake(tls_session *t);
int tls_session_ready(const tls_session *t);
/* Plain bytes the peer sent, up to cap: how many, 0 when more input is
 * needed, TLS_SESSION_CLOSED when the peer ended the session
 * (close_notify), TLS_SESSION_FAILED on an error. */
#define TLS_SESSION_CLOSED (-1)
#define TLS_SESSION_FAILED (-2)
int tls_session_read(tls_session *t, char *buf, size_t cap);
/* Encrypts plain bytes (the handshake must be done). 0, or -1. */
int tls_session_write(tls_session *t, const void *p, size_t n);
/* Queues close_notify. */
void tls_session_shutdown(tls_session *t);
/* Appends the ciphertext waiting for the peer to out. 0, or -1. */
int tls_session_take_output(tls_session *t, sbuf *out);
/* Why the last handshake, read or write failed: a verification failure
 * names the certificate problem ("certificate verify failed: ..."), anything
 * else the step and OpenSSL's first error ("TLS handshake failed: ..."). */
const char *tls_session_error(const tls_session *t);
#endif
