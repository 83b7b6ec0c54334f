#include "tls_stream.h"

#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/sbuf.h"
#include "tls_session.h"
#include "url.h"

#define READ_CHUNK 65536

static _Thread_local char read_buf_[READ_CHUNK];
static _Thread_local char plain_buf_[READ_CHUNK];

struct tls_stream {
  uv_loop_t *loop;
  tls_stream_handler h;
  void *data;
  char *host;
  int port;
  uv_getaddrinfo_t resolver;
  struct addrinfo *addrs, *next_addr;
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  uv_write_t wreq;
  sbuf pending;  /* plain bytes written before the connection was ready */
  sbuf out;      /* bytes for the socket (ciphertext with TLS) */
  sbuf inflight; /* bytes handed to uv_write */
  tls_session *tls; /* with TLS; holds a reference to the context's SSL_CTX */
  char error[256]; /* why the last step failed */
  unsigned resolving : 1, tcp_live : 1, tcp_closing : 1, tcp_connected : 1, ready : 1,
      writing : 1, closing : 1, close_after_write : 1, setup_failed : 1, paused : 1,
      reading : 1;
};

static void end_stream(tls_stream *s, const char *error);
static void flush(tls_stream *s);

/* ---- TLS ------------------------------------------------------------------ */

static int tls_setup(tls_stream *s, const tls_stream_options *o) {
  SSL_CTX *ctx = tls_configs_get(o->configs, o->verify, o->ca_file, s->error, sizeof(s->error));
  if (!ctx || !(s->tls = tls_session_new(ctx, 0))) return -1;
  SSL *ssl = tls_session_ssl(s->tls);
  int is_ip = url_host_is_ip(o->host);
  /* SNI carries names only (RFC 6066). */
  if (!is_ip) SSL_set_tlsext_host_name(ssl, o->host);
  if (o->verify) {
    int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), o->host)
                   : SSL_set1_host(ssl, o->host);
    if (ok != 1) return -1;
  }
  return 0;
}

static int encrypt(tls_stream *s, const void *p, size_t n) {
  if (tls_session_write(s->tls, p, n)) {
    snprintf(s->error, sizeof(s->error), "%s", tls_session_error(s->tls));
    return -1;
  }
  return tls_session_take_output(s->tls, &s->out);
}

/* ---- writing ---------------------------------------------------------------- */

static void release_pending(tls_stream *s) {
  int rc = s->tls ? encrypt(s, s->pending.data, s->pending.len)
                  : sbuf_append(&s->out, s->pending.data, s->pending.len);
  sbuf_free(&s->pending);
  if (rc) {
    end_stream(s, s->tls ? s->error : "out of memory");
    return;
  }
  flush(s);
}

static void on_written(uv_write_t *w, int status) {
  tls_stream *s = w->data;
  s->writing = 0;
  sbuf_reset(&s->inflight);
  if (status < 0) {
    if (status != UV_ECANCELED) end_stream(s, uv_strerror(status));
    return;
  }
  flush(s);
}

static void close_tcp(tls_stream *s);

static void flush(tls_stream *s) {
  if (s->writing || !s->tcp_connected || s->tcp_closing) return;
  if (!s->out.len) {
    if (s->close_after_write) close_tcp(s);
    return;
  }
  sbuf tmp = s->inflight;
  s->inflight = s->out;
  s->out = tmp;
  sbuf_reset(&s->out);
  uv_buf_t b = uv_buf_init(s->inflight.data, (unsigned)s->inflight.len);
  s->wreq.data = s;
  int rc = uv_write(&s->wreq, (uv_stream_t *)&s->tcp, &b, 1, on_written);
  if (rc) {
    end_stream(s, uv_strerror(rc));
    return;
  }
  s->writing = 1;
}

int tls_stream_write(tls_stream *s, const void *p, size_t n) {
  if (s->closing) return -1;
  if (!n) return 0;
  if (!s->ready) return sbuf_append(&s->pending, p, n);
  int rc = s->tls ? encrypt(s, p, n) : sbuf_append(&s->out, p, n);
  if (rc) return -1;
  flush(s);
  return 0;
}

int tls_stream_idle(const tls_stream *s) {
  return !s->writing && !s->out.len && !s->pending.len;
}

/* ---- lifecycle ---------------------------------------------------------------- */

static void maybe_free(tls_stream *s) {
  if (s->resolving || s->tcp_live) return;
  if (s->addrs) uv_freeaddrinfo(s->addrs);
  tls_session_free(s->tls);
  sbuf_free(&s->pending);
  sbuf_free(&s->out);
  sbuf_free(&s->inflight);
  free(s->host);
  free(s);
}

static void try_next_address(tls_stream *s);

static void on_tcp_closed(uv_handle_t *h) {
  tls_stream *s = h->data;
  s->tcp_live = s->tcp_closing = s->tcp_connected = s->reading = 0;
  s->writing = 0;
  sbuf_reset(&s->inflight);
  if (s->closing)
    maybe_free(s);
  else
    try_next_address(s);
}

static void close_tcp(tls_stream *s) {
  if (!s->tcp_live || s->tcp_closing) return;
  s->tcp_closing = 1;
  uv_close((uv_handle_t *)&s->tcp, on_tcp_closed);
}

static void shut_down(tls_stream *s) {
  s->closing = 1;
  if (s->resolving) uv_cancel((uv_req_t *)&s->resolver);
  close_tcp(s);
  maybe_free(s);
}

/* The stream is over: the handler hears it once, then everything closes. */
static void end_stream(tls_stream *s, const char *error) {
  if (s->closing) return;
  s->closing = 1;
  s->h.on_end(s, error, s->ready);
  shut_down(s);
}

void tls_stream_close(tls_stream *s, int graceful) {
  if (s->closing) return;
  s->closing = 1;
  if (graceful && s->ready) {
    if (s->tls) {
      tls_session_shutdown(s->tls); /* close_notify, so the peer sees a clean end */
      tls_session_take_output(s->tls, &s->out);
    }
    if (s->writing || s->out.len) {
      s->close_after_write = 1;
      flush(s);
      return;
    }
  }
  shut_down(s);
}

static void became_ready(tls_stream *s) {
  s->ready = 1;
  if (s->pending.len) release_pending(s);
  if (!s->closing && s->h.on_connect) s->h.on_connect(s);
}

static void tls_handshake_step(tls_stream *s) {
  int rc = tls_session_handshake(s->tls);
  if (tls_session_take_output(s->tls, &s->out)) {
    end_stream(s, "out of memory");
    return;
  }
  flush(s);
  if (rc == 1) became_ready(s);
  else if (rc < 0) end_stream(s, tls_session_error(s->tls));
}

/* Hands decrypted bytes up until OpenSSL wants more input. */
static void read_plain(tls_stream *s) {
  while (!s->closing) {
    int n = tls_session_read(s->tls, plain_buf_, sizeof(plain_buf_));
    if (n > 0) {
      s->h.on_read(s, plain_buf_, (size_t)n);
      continue;
    }
    if (n == 0) break;
    end_stream(s, n == TLS_SESSION_CLOSED ? NULL : tls_session_error(s->tls));
    return;
  }
  /* Reading may produce records to send (key updates, alerts). */
  if (!s->closing && tls_session_take_output(s->tls, &s->out) == 0) flush(s);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  (void)h;
  (void)hint;
  *b = uv_buf_init(read_buf_, sizeof(read_buf_));
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b) {
  tls_stream *s = st->data;
  if (n == 0) return;
  if (s->closing) {
    /* Closing gracefully: the peer's bytes no longer matter, its end does. */
    if (n < 0) shut_down(s);
    return;
  }
  if (n < 0) {
    if (n != UV_EOF)
      end_stream(s, uv_strerror((int)n));
    else
      end_stream(s, s->ready ? NULL : "TLS handshake failed: the server closed the connection");
    return;
  }
  if (!s->tls) {
    s->h.on_read(s, b->base, (size_t)n);
    return;
  }
  if (tls_session_feed(s->tls, b->base, (size_t)n)) {
    end_stream(s, "out of memory");
    return;
  }
  if (!s->ready) tls_handshake_step(s);
  if (s->ready && !s->closing) read_plain(s);
}

/* Reads unless paused; 0 or a libuv error. */
static int start_reading(tls_stream *s) {
  if (s->paused || s->reading || !s->tcp_connected || s->tcp_closing) return 0;
  int rc = uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
  if (!rc) s->reading = 1;
  return rc;
}

void tls_stream_pause(tls_stream *s) {
  s->paused = 1;
  if (!s->reading) return;
  uv_read_stop((uv_stream_t *)&s->tcp);
  s->reading = 0;
}

void tls_stream_resume(tls_stream *s) {
  if (!s->paused) return;
  s->paused = 0;
  /* On a connected handle that is not closing, uv_read_start only fails
   * when reading already: the states above rule that out. */
  if (!s->closing) start_reading(s);
}

static void on_connected(uv_connect_t *req, int status) {
  tls_stream *s = req->data;
  if (s->closing) return;
  if (status < 0) {
    snprintf(s->error, sizeof(s->error), "connect %s %s:%d", uv_err_name(status), s->host,
             s->port);
    close_tcp(s); /* on_tcp_closed tries the next address */
    return;
  }
  s->tcp_connected = 1;
  uv_tcp_nodelay(&s->tcp, 1);
  int rc = start_reading(s);
  if (rc) {
    end_stream(s, uv_strerror(rc));
    return;
  }
  if (s->tls)
    tls_handshake_step(s);
  else
    became_ready(s);
}

static void try_next_address(tls_stream *s) {
  struct addrinfo *ai = s->next_addr;
  if (!ai) {
    end_stream(s, s->error[0] ? s->error : "no address to connect to");
    return;
  }
  s->next_addr = ai->ai_next;
  int rc = uv_tcp_init(s->loop, &s->tcp);
  if (rc) {
    end_stream(s, uv_strerror(rc));
    return;
  }
  s->tcp.data = s;
  s->tcp_live = 1;
  s->connect_req.data = s;
  rc = uv_tcp_connect(&s->connect_req, &s->tcp, ai->ai_addr, on_connected);
  if (rc) {
    snprintf(s->error, sizeof(s->error), "connect %s %s:%d", uv_err_name(rc), s->host, s->port);
    close_tcp(s);
  }
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  tls_stream *s = req->data;
  s->resolving = 0;
  s->addrs = res;
  if (s->closing) {
    maybe_free(s);
    return;
  }
  if (s->setup_failed) {
    end_stream(s, s->error[0] ? s->error : "TLS setup failed");
    return;
  }
  if (status < 0) {
    snprintf(s->error, sizeof(s->error), "getaddrinfo %s %s", uv_err_name(status), s->host);
    end_stream(s, s->error);
    return;
  }
  s->next_addr = res;
  try_next_address(s);
}

tls_stream *tls_stream_connect(uv_loop_t *loop, const tls_stream_options *o,
                               const tls_stream_handler *h, void *data) {
  tls_stream *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->loop = loop;
  s->h = *h;
  s->data = data;
  s->port = o->port;
  s->host = strdup(o->host);
  if (!s->host) {
    free(s);
    return NULL;
  }
  /* A TLS set-up failure (say, a CA file that does not load) is reported
   * through on_end like any other, from the loop. */
  if (o->tls && tls_setup(s, o)) s->setup_failed = 1;
  char port[8];
  snprintf(port, sizeof(port), "%d", o->port);
  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  s->resolver.data = s;
  if (uv_getaddrinfo(loop, &s->resolver, on_resolved, s->host, port, &hints)) {
    tls_session_free(s->tls);
    free(s->host);
    free(s);
    return NULL;
  }
  s->resolving = 1;
  return s;
}

void *tls_stream_data(const tls_stream *s) { return s->data; }
