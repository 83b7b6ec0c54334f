/* The listening socket of an HTTP server: the host it is given (an IPv4 or
 * IPv6 address, or a name) turned into one address, and the socket bound
 * to it. */
#ifndef SIO_HTTP_SERVER_BIND_H
#define SIO_HTTP_SERVER_BIND_H
#include <uv.h>

/* Binds the initialized listener to host:port. A name is resolved (on the
 * calling thread: a server starts rarely) and the first address is taken,
 * as Node's server.listen does. reuse_port sets SO_REUSEPORT, so that other
 * processes that set it too can bind the same address. 0, or a negative
 * libuv error: UV_EAI_* when the name does not resolve. An address already
 * in use may only be reported by uv_listen. */
int http_server_bind(uv_tcp_t *listener, const char *host, int port, int reuse_port);
#endif
