#include "tls_session.h"

#include <limits.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>

struct tls_session {
  SSL *ssl; /* owns the BIOs */
  BIO *rbio, *wbio;
  char error[256];
};

tls_session *tls_session_new(SSL_CTX *ctx, int server) {
  tls_session *t = calloc(1, sizeof(*t));
  if (!t) return NULL;
  t->ssl = SSL_new(ctx);
  t->rbio = BIO_new(BIO_s_mem());
  t->wbio = BIO_new(BIO_s_mem());
  if (!t->ssl || !t->rbio || !t->wbio) {
    BIO_free(t->rbio);
    BIO_free(t->wbio);
    SSL_free(t->ssl);
    free(t);
    ERR_clear_error();
    return NULL;
  }
  SSL_set_bio(t->ssl, t->rbio, t->wbio);
  if (server)
    SSL_set_accept_state(t->ssl);
  else
    SSL_set_connect_state(t->ssl);
  return t;
}

void tls_session_free(tls_session *t) {
  if (!t) return;
  SSL_free(t->ssl);
  free(t);
}

SSL *tls_session_ssl(tls_session *t) { return t->ssl; }

int tls_session_feed(tls_session *t, const void *p, size_t n) {
  while (n) {
    int chunk = n > INT_MAX ? INT_MAX : (int)n;
    int w = BIO_write(t->rbio, p, chunk);
    if (w <= 0) return -1;
    p = (const char *)p + w;
    n -= (size_t)w;
  }
  return 0;
}

static void describe(tls_session *t, const char *what) {
  long verify = SSL_get_verify_result(t->ssl);
  if (verify != X509_V_OK) {
    snprintf(t->error, sizeof(t->error), "certificate verify failed: %s",
             X509_verify_cert_error_string(verify));
  } else {
    unsigned long e = ERR_peek_error();
    char detail[200] = "";
    if (e) ERR_error_string_n(e, detail, sizeof(detail));
    snprintf(t->error, sizeof(t->error), "%s%s%s", what, e ? ": " : "", detail);
  }
  ERR_clear_error();
}

int tls_session_handshake(tls_session *t) {
  int rc = SSL_do_handshake(t->ssl);
  if (rc == 1) return 1;
  int err = SSL_get_error(t->ssl, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
  describe(t, "TLS handshake failed");
  return -1;
}

int tls_session_ready(const tls_session *t) { return SSL_is_init_finished(t->ssl); }

int tls_session_read(tls_session *t, char *buf, size_t cap) {
  int n = SSL_read(t->ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap);
  if (n > 0) return n;
  int err = SSL_get_error(t->ssl, n);
  if (err == SSL_ERROR_WANT_READ) return 0;
  if (err == SSL_ERROR_ZERO_RETURN) return TLS_SESSION_CLOSED;
  describe(t, "TLS read failed");
  return TLS_SESSION_FAILED;
}

int tls_session_write(tls_session *t, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    int chunk = n > INT_MAX ? INT_MAX : (int)n;
    int w = SSL_write(t->ssl, c, chunk);
    if (w <= 0) {
      describe(t, "TLS write failed");
      return -1;
    }
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

void tls_session_shutdown(tls_session *t) {
  SSL_shutdown(t->ssl);
  ERR_clear_error();
}

int tls_session_take_output(tls_session *t, sbuf *out) {
  size_t pending;
  while ((pending = BIO_ctrl_pending(t->wbio)) > 0) {
    int chunk = pending > INT_MAX ? INT_MAX : (int)pending;
    if (sbuf_reserve(out, (size_t)chunk)) return -1;
    int n = BIO_read(t->wbio, out->data + out->len, chunk);
    if (n <= 0) return -1;
    out->len += (size_t)n;
    out->data[out->len] = 0;
  }
  return 0;
}

const char *tls_session_error(const tls_session *t) { return t->error; }
