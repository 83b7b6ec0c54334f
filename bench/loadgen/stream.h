/* Non-blocking TCP plumbing shared by both transports. */
#ifndef LOADGEN_STREAM_H
#define LOADGEN_STREAM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"

/* The epoll instance every stream registers with. */
void stream_set_epoll(int epfd);

/* Starts a non-blocking connect from 127.0.0.(1 + source) to `dst`. */
bool stream_connect(struct stream *s, struct client *owner, const struct sockaddr_in *dst,
                    unsigned source);

/* Called on the first readiness event after stream_connect: returns false
 * when the connection was refused. */
bool stream_finish_connect(struct stream *s, uint32_t events);

/* Reads what is there into s->in. Returns bytes read, 0 on EOF, -1 on error,
 * -2 when nothing was ready. */
ssize_t stream_read(struct stream *s);

/* Writes s->out; registers for EPOLLOUT when the socket is full. Returns false
 * when the connection failed. */
bool stream_flush(struct stream *s);

void stream_close(struct stream *s);

#endif
