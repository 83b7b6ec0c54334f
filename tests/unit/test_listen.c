/* Where a server listens: IPv4, IPv6 and names, each answering an Engine.IO
 * handshake; and every way listening fails, each with Node's wording and a
 * context that goes on (and frees) without a crash or a leak. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "pump_wait.h"
#include <sio/sio.h>

/* sio_server_new's result, the server freed again when made. */
static int try_listen(sio_context *ctx, const char *host, int port, const char *reuse,
                      sio_server **out) {
  sio_options *o;
  char p[16];
  snprintf(p, sizeof(p), "%d", port);
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "port", p) == 0);
  if (host) CHECK(sio_options_set(o, "host", host) == 0);
  if (reuse) CHECK(sio_options_set(o, "reusePort", reuse) == 0);
  sio_server *srv = NULL;
  int rc = sio_server_new(ctx, o, &srv);
  sio_options_free(o);
  CHECK((rc == 0) == (srv != NULL));
  if (out) *out = srv;
  else sio_server_free(srv);
  return rc;
}

/* An Engine.IO polling handshake to addr:port: 1 when the answer opens a
 * session. */
static int handshake_at(const char *addr, int port) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  socklen_t len;
  if (strchr(addr, ':')) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    CHECK(inet_pton(AF_INET6, addr, &a->sin6_addr) == 1);
    len = sizeof(*a);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    CHECK(inet_pton(AF_INET, addr, &a->sin_addr) == 1);
    len = sizeof(*a);
  }
  int fd = socket(ss.ss_family, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, (struct sockaddr *)&ss, len)) {
    close(fd);
    return 0;
  }
  const char *req = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
                    "Connection: close\r\n\r\n";
  CHECK(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
  char buf[2048];
  size_t got = 0;
  ssize_t n;
  while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
    got += (size_t)n;
  buf[got] = 0;
  close(fd);
  return strstr(buf, "HTTP/1.1 200") == buf && strstr(buf, "\"sid\":") != NULL;
}

static int has_ipv6_loopback(void) {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  struct sockaddr_in6 a;
  memset(&a, 0, sizeof(a));
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  int ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
  close(fd);
  return ok;
}

static void test_addresses(sio_context *ctx) {
  sio_server *srv;
  CHECK(try_listen(ctx, "localhost", 0, NULL, &srv) == 0);
  int port = sio_server_port(srv);
  CHECK(port > 0);
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_STREAM;
  CHECK(getaddrinfo("localhost", NULL, &hints, &res) == 0);
  char first[64];
  if (res->ai_family == AF_INET6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, first, sizeof(first));
  else
    inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, first, sizeof(first));
  freeaddrinfo(res);
  CHECK(handshake_at(first, port));
  sio_server_free(srv);

  CHECK(try_listen(ctx, "127.0.0.1", 0, NULL, &srv) == 0);
  CHECK(handshake_at("127.0.0.1", sio_server_port(srv)));
  sio_server_free(srv);

  if (!has_ipv6_loopback()) {
    fprintf(stderr, "test_listen: no IPv6 loopback, IPv6 cases skipped\n");
    return;
  }
  CHECK(try_listen(ctx, "::1", 0, NULL, &srv) == 0);
  port = sio_server_port(srv);
  CHECK(port > 0);
  CHECK(handshake_at("::1", port));
  CHECK(!handshake_at("127.0.0.1", port));
  sio_server_free(srv);

  /* "::" takes IPv4 clients too, as Node's default does. */
  CHECK(try_listen(ctx, "::", 0, NULL, &srv) == 0);
  port = sio_server_port(srv);
  CHECK(handshake_at("::1", port));
  CHECK(handshake_at("127.0.0.1", port));
  sio_server_free(srv);
}

static void test_failures(sio_context *ctx) {
  sio_server *first;
  CHECK(try_listen(ctx, "127.0.0.1", 0, NULL, &first) == 0);
  int port = sio_server_port(first);
  char want[128];
  snprintf(want, sizeof(want), "listen EADDRINUSE: address already in use 127.0.0.1:%d", port);
  CHECK(try_listen(ctx, "127.0.0.1", port, NULL, NULL) == SIO_EADDRINUSE);
  CHECK_STR(sio_last_error(), want);
  /* Both must ask for it: reusePort on the second alone binds nothing. */
  CHECK(try_listen(ctx, "127.0.0.1", port, "true", NULL) == SIO_EADDRINUSE);
  sio_server_free(first);

  CHECK(try_listen(ctx, "no-such-host.invalid", 0, NULL, NULL) == SIO_EIO);
  CHECK_STR(sio_last_error(), "getaddrinfo ENOTFOUND no-such-host.invalid");
  CHECK(try_listen(ctx, "999.1.1.1", 0, NULL, NULL) == SIO_EIO);
  CHECK_STR(sio_last_error(), "getaddrinfo ENOTFOUND 999.1.1.1");
  CHECK(try_listen(ctx, "", 0, NULL, NULL) == SIO_EIO);
  /* An address of no interface here (TEST-NET-1, RFC 5737). */
  CHECK(try_listen(ctx, "192.0.2.1", 0, NULL, NULL) == SIO_EIO);
  CHECK_STR(sio_last_error(), "listen EADDRNOTAVAIL: address not available 192.0.2.1:0");

  /* The context still serves after all of them. */
  sio_server *srv;
  CHECK(try_listen(ctx, "127.0.0.1", 0, NULL, &srv) == 0);
  CHECK(handshake_at("127.0.0.1", sio_server_port(srv)));
  sio_server_free(srv);
}

/* A port below 1024 for a user that may not bind one. */
static void test_permission(void) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    if (getuid() == 0 && setuid(65534)) _exit(2);
    sio_context *ctx;
    if (sio_context_new(&ctx)) _exit(3);
    int rc = try_listen(ctx, "127.0.0.1", 80, NULL, NULL);
    int ok = rc == SIO_EIO &&
             strcmp(sio_last_error(), "listen EACCES: permission denied 127.0.0.1:80") == 0;
    if (!ok) fprintf(stderr, "test_listen: port 80: %d %s\n", rc, sio_last_error());
    sio_context_free(ctx);
    _exit(ok ? 0 : 1);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Two servers on one port, both asking for SO_REUSEPORT. */
static void test_reuse_port(sio_context *ctx) {
  sio_server *a, *b;
  CHECK(try_listen(ctx, "127.0.0.1", 0, "true", &a) == 0);
  int port = sio_server_port(a);
  CHECK(try_listen(ctx, "127.0.0.1", port, "true", &b) == 0);
  CHECK(sio_server_port(b) == port);
  for (int i = 0; i < 4; i++) CHECK(handshake_at("127.0.0.1", port));
  /* The second goes on alone once the first is gone. */
  CHECK(sio_server_close(a) == 0);
  CHECK(wait_event(ctx, SIO_EV_SERVER_CLOSED)->server == a);
  sio_server_free(a);
  for (int i = 0; i < 4; i++) CHECK(handshake_at("127.0.0.1", port));
  sio_server_free(b);
}

int main(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  test_addresses(ctx);
  test_failures(ctx);
  test_reuse_port(ctx);
  sio_context_free(ctx);
  /* A context whose only server failed to listen ends cleanly. */
  CHECK(sio_context_new(&ctx) == 0);
  CHECK(try_listen(ctx, "localhost.invalid", 0, NULL, NULL) == SIO_EIO);
  sio_context_free(ctx);
  test_permission();
  puts("test_listen: ok");
  return 0;
}
