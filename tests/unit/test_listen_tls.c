/* A server over TLS: certificate and key files that do not load fail
 * sio_server_new with the reason; the library's own client, trusting the
 * certificate (tls.ca), connects over polling and WebSocket, and the
 * server's handshake says secure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pump_wait.h"
#include <sio/sio.h>

static char dir[] = "/tmp/test_listen_tls_XXXXXX";
static char cert[96], key[96], other_key[96], garbage[96];

static int make_files(void) {
  CHECK(mkdtemp(dir) != NULL);
  snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
  snprintf(key, sizeof(key), "%s/key.pem", dir);
  snprintf(other_key, sizeof(other_key), "%s/other.pem", dir);
  snprintf(garbage, sizeof(garbage), "%s/garbage.pem", dir);
  char cmd[1024];
  snprintf(cmd, sizeof(cmd),
           "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 -subj /CN=localhost "
           "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1 && "
           "openssl genrsa -out %s 2048 >/dev/null 2>&1 && "
           "printf -- '-----BEGIN CERTIFICATE-----\\nnot base64\\n-----END CERTIFICATE-----\\n' > %s",
           key, cert, other_key, garbage);
  return system(cmd) == 0;
}

static int new_server(sio_context *ctx, const char *c, const char *k, sio_server **out) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "port", "0") == 0);
  CHECK(sio_options_set(o, "host", "127.0.0.1") == 0);
  if (c) CHECK(sio_options_set(o, "tls.cert", c) == 0);
  if (k) CHECK(sio_options_set(o, "tls.key", k) == 0);
  *out = NULL;
  int rc = sio_server_new(ctx, o, out);
  sio_options_free(o);
  return rc;
}

static void test_bad_files(sio_context *ctx) {
  sio_server *srv;
  CHECK(new_server(ctx, cert, NULL, &srv) == SIO_EINVAL);
  CHECK_STR(sio_last_error(), "tls.cert and tls.key go together");
  CHECK(new_server(ctx, "/nonexistent/cert.pem", key, &srv) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "tls.cert: cannot load /nonexistent/cert.pem") == sio_last_error());
  CHECK(new_server(ctx, garbage, key, &srv) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "tls.cert: cannot load") == sio_last_error());
  CHECK(new_server(ctx, cert, "/nonexistent/key.pem", &srv) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "tls.key: cannot load /nonexistent/key.pem") == sio_last_error());
  CHECK(new_server(ctx, cert, garbage, &srv) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "tls.key: cannot load") == sio_last_error());
  CHECK(new_server(ctx, cert, other_key, &srv) == SIO_EINVAL);
  CHECK(strstr(sio_last_error(), "does not match the certificate") != NULL);
  CHECK(srv == NULL);
}

static void connect_client(sio_context *ctx, int port, const char *transports) {
  char url[64];
  snprintf(url, sizeof(url), "https://localhost:%d", port);
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "tls.ca", cert) == 0);
  CHECK(sio_options_set(o, "transports", transports) == 0);
  CHECK(sio_options_set(o, "reconnection", "false") == 0);
  sio_client *cli;
  CHECK(sio_client_new(ctx, url, o, NULL, &cli) == 0);
  sio_options_free(o);
  const sio_event *ev = wait_event(ctx, SIO_EV_CONNECTION);
  CHECK(strstr(ev->data, "\"secure\":true") != NULL);
  wait_event(ctx, SIO_EV_CONNECT);
  sio_client_free(cli);
}

int main(void) {
  if (!make_files()) {
    fprintf(stderr, "test_listen_tls: no openssl command, skipped\n");
    return 0;
  }
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  test_bad_files(ctx);
  sio_server *srv;
  CHECK(new_server(ctx, cert, key, &srv) == 0);
  int port = sio_server_port(srv);
  connect_client(ctx, port, "polling");
  connect_client(ctx, port, "websocket");
  connect_client(ctx, port, "polling,websocket");
  sio_context_free(ctx);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  puts("test_listen_tls: ok");
  return 0;
}
