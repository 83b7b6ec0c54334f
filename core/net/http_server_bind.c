#include "http_server_bind.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int resolve(uv_loop_t *loop, const char *host, int port, struct sockaddr_storage *out) {
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0 ||
      uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0)
    return 0;
  char service[8];
  snprintf(service, sizeof(service), "%d", port);
  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  uv_getaddrinfo_t req;
  int rc = uv_getaddrinfo(loop, &req, NULL, host, service, &hints);
  if (rc) return rc;
  if (req.addrinfo->ai_addrlen > sizeof(*out)) rc = UV_EAI_FAMILY;
  else memcpy(out, req.addrinfo->ai_addr, req.addrinfo->ai_addrlen);
  uv_freeaddrinfo(req.addrinfo);
  return rc;
}

/* libuv 1.44 (Debian 12) has no UV_TCP_REUSEPORT: the socket is made here
 * with the option set, and handed to libuv. */
static int open_reusable(uv_tcp_t *listener, int family) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return uv_translate_sys_error(errno);
  int one = 1;
  int rc = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))
               ? uv_translate_sys_error(errno)
               : uv_tcp_open(listener, fd);
  if (rc) close(fd);
  return rc;
}

int http_server_bind(uv_tcp_t *listener, const char *host, int port, int reuse_port) {
  struct sockaddr_storage addr;
  int rc = resolve(listener->loop, host, port, &addr);
  if (rc) return rc;
  if (reuse_port && (rc = open_reusable(listener, addr.ss_family))) return rc;
  return uv_tcp_bind(listener, (struct sockaddr *)&addr, 0);
}
