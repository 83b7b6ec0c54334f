/* TLS configurations (OpenSSL SSL_CTX). The client ones of one context, each made
 * once per (verification on or off, CA file) and shared by every connection
 * with those settings, so the trust store is loaded once rather than for
 * every connection. Loop thread only; freed after the loop thread ended. */
#ifndef SIO_TLS_CONFIG_H
#define SIO_TLS_CONFIG_H
#include <stddef.h>
#include <openssl/ssl.h>

typedef struct tls_configs tls_configs;

/* NULL when out of memory. The caller owns it: tls_configs_free(). */
tls_configs *tls_configs_new(void);
/* Frees every SSL_CTX (connections still holding one keep their own
 * reference). Accepts NULL. */
void tls_configs_free(tls_configs *t);
/* The SSL_CTX for these settings (ca_file NULL: the system's trust store),
 * made on first use. Borrowed: valid until tls_configs_free(); SSL_new()
 * takes a reference of its own. NULL when it cannot be made (a CA file
 * that does not load: not remembered, so a later call tries again), with
 * the reason in error. */
SSL_CTX *tls_configs_get(tls_configs *t, int verify, const char *ca_file, char *error,
                         size_t error_len);

/* A server's TLS configuration: its certificate (a PEM file, which may
 * hold the chain after it) and private key (a PEM file). The caller owns it:
 * SSL_CTX_free(). NULL when a file does not load or the key does not match
 * the certificate, with the reason in error. */
SSL_CTX *tls_server_config_new(const char *cert_file, const char *key_file, char *error,
                               size_t error_len);
#endif
