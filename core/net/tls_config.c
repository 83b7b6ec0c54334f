#include "tls_config.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tls_config {
  struct tls_config *next;
  int verify;
  char *ca_file; /* NULL: the system's trust store */
  SSL_CTX *ctx;
} tls_config;

struct tls_configs {
  tls_config *list; /* a context rarely has more than one or two */
};

tls_configs *tls_configs_new(void) { return calloc(1, sizeof(tls_configs)); }

void tls_configs_free(tls_configs *t) {
  if (!t) return;
  tls_config *c = t->list;
  while (c) {
    tls_config *next = c->next;
    SSL_CTX_free(c->ctx);
    free(c->ca_file);
    free(c);
    c = next;
  }
  free(t);
}

static int same_file(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

static void describe(char *error, size_t error_len, const char *what) {
  unsigned long e = ERR_peek_error();
  char detail[200] = "";
  if (e) ERR_error_string_n(e, detail, sizeof(detail));
  snprintf(error, error_len, "%s%s%s", what, e ? ": " : "", detail);
  ERR_clear_error();
}

static SSL_CTX *make_ctx(int verify, const char *ca_file, char *error, size_t error_len) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    describe(error, error_len, "TLS setup failed");
    return NULL;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (!verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return ctx;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                       : SSL_CTX_set_default_verify_paths(ctx);
  if (loaded != 1) {
    describe(error, error_len, ca_file ? "cannot load the CA file" : "cannot load the trust store");
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

SSL_CTX *tls_configs_get(tls_configs *t, int verify, const char *ca_file, char *error,
                         size_t error_len) {
  verify = verify != 0;
  if (!verify) ca_file = NULL; /* nothing is checked against it */
  for (tls_config *c = t->list; c; c = c->next)
    if (c->verify == verify && same_file(c->ca_file, ca_file)) return c->ctx;
  tls_config *c = calloc(1, sizeof(*c));
  if (!c || (ca_file && !(c->ca_file = strdup(ca_file)))) {
    free(c);
    snprintf(error, error_len, "out of memory");
    return NULL;
  }
  c->verify = verify;
  c->ctx = make_ctx(verify, ca_file, error, error_len);
  if (!c->ctx) {
    free(c->ca_file);
    free(c);
    return NULL;
  }
  c->next = t->list;
  t->list = c;
  return c->ctx;
}

SSL_CTX *tls_server_config_new(const char *cert_file, const char *key_file, char *error,
                               size_t error_len) {
  char what[300];
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    describe(error, error_len, "TLS setup failed");
    return NULL;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
    snprintf(what, sizeof(what), "tls.cert: cannot load %s", cert_file);
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
    /* A key is checked against the certificate as it loads. */
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
      snprintf(what, sizeof(what), "tls.key: %s does not match the certificate in %s", key_file,
               cert_file);
    else
      snprintf(what, sizeof(what), "tls.key: cannot load %s", key_file);
  } else {
    ERR_clear_error();
    return ctx;
  }
  describe(error, error_len, what);
  SSL_CTX_free(ctx);
  return NULL;
}
