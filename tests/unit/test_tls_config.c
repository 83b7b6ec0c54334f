/* tls_configs: one SSL_CTX per (verify, CA file), made once and reused. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "net/tls_config.h"

int main(void) {
  tls_configs *t = tls_configs_new();
  CHECK(t != NULL);
  char err[256] = "";
  SSL_CTX *sys = tls_configs_get(t, 1, NULL, err, sizeof(err));
  CHECK(sys != NULL);
  CHECK(tls_configs_get(t, 1, NULL, err, sizeof(err)) == sys);

  SSL_CTX *insecure = tls_configs_get(t, 0, NULL, err, sizeof(err));
  CHECK(insecure != NULL && insecure != sys);
  /* Without verification the CA file plays no part. */
  CHECK(tls_configs_get(t, 0, "/nonexistent.pem", err, sizeof(err)) == insecure);

  /* A CA file that does not load fails with the reason, every time. */
  err[0] = 0;
  CHECK(tls_configs_get(t, 1, "/nonexistent.pem", err, sizeof(err)) == NULL);
  CHECK(strstr(err, "cannot load the CA file") != NULL);
  err[0] = 0;
  CHECK(tls_configs_get(t, 1, "/nonexistent.pem", err, sizeof(err)) == NULL);
  CHECK(strstr(err, "cannot load the CA file") != NULL);

  /* A CA file that loads: one SSL_CTX for it, another for another file. */
  char dir[] = "/tmp/tls_config_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char a[64], b[64], cmd[512];
  snprintf(a, sizeof(a), "%s/a.pem", dir);
  snprintf(b, sizeof(b), "%s/b.pem", dir);
  snprintf(cmd, sizeof(cmd),
           "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/k.pem -out %s -days 1 "
           "-subj /CN=test >/dev/null 2>&1 && cp %s %s",
           dir, a, a, b);
  if (system(cmd) == 0) {
    SSL_CTX *ca = tls_configs_get(t, 1, a, err, sizeof(err));
    CHECK(ca != NULL && ca != sys && ca != insecure);
    CHECK(tls_configs_get(t, 1, a, err, sizeof(err)) == ca);
    SSL_CTX *cb = tls_configs_get(t, 1, b, err, sizeof(err));
    CHECK(cb != NULL && cb != ca);
    /* A connection's reference outlives the cache. */
    SSL *ssl = SSL_new(ca);
    CHECK(ssl != NULL);
    tls_configs_free(t);
    t = NULL;
    CHECK(SSL_get_SSL_CTX(ssl) == ca);
    SSL_free(ssl);
  } else {
    fprintf(stderr, "test_tls_config: no openssl command, CA file cases skipped\n");
  }
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  tls_configs_free(t);
  tls_configs_free(NULL);
  puts("test_tls_config: ok");
  return 0;
}
