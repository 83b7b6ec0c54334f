#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK (128u << 10)

static int epoll_fd = -1;

void stream_set_epoll(int epfd) { epoll_fd = epfd; }

static void watch(struct stream *s, bool out, int op) {
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.ptr = s};
  epoll_ctl(epoll_fd, op, s->fd, &ev);
  s->wants_out = out;
}

bool stream_connect(struct stream *s, struct client *owner, const struct sockaddr_in *dst,
                    unsigned source) {
  s->owner = owner;
  s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0) {
    return false; /* the caller counts it; EMFILE would repeat per client */
  }
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source > 0) {
    /* Several source addresses lift the ~28k ephemeral port limit of one
     * address; no-port binding lets connect() pick the port per destination. */
    setsockopt(s->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + source);
    if (bind(s->fd, (struct sockaddr *)&src, sizeof src) < 0) {
      perror("loadgen: bind source address");
      close(s->fd);
      s->fd = -1;
      return false;
    }
  }
  if (connect(s->fd, (const struct sockaddr *)dst, sizeof *dst) < 0 && errno != EINPROGRESS) {
    close(s->fd);
    s->fd = -1;
    return false;
  }
  s->connecting = true;
  watch(s, true, EPOLL_CTL_ADD);
  return true;
}

bool stream_finish_connect(struct stream *s, uint32_t events) {
  int err = 0;
  socklen_t len = sizeof err;
  if ((events & EPOLLERR) || getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
    return false;
  }
  s->connecting = false;
  return true;
}

/* One read buffer for all streams, copied into the stream's own: a
 * READ_CHUNK buffer per stream would be one mmap each, and 50,000 clients
 * would come close to the kernel's limit on mappings. */
static char read_buf[READ_CHUNK];

ssize_t stream_read(struct stream *s) {
  ssize_t n = read(s->fd, read_buf, READ_CHUNK);
  if (n > 0) {
    bytebuf_append(&s->in, read_buf, (size_t)n);
    return n;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    return -2;
  }
  return n;
}

bool stream_flush(struct stream *s) {
  if (s->fd < 0) {
    return false;
  }
  if (s->connecting) {
    return true; /* EPOLLOUT will say when the connection is up */
  }
  while (bytebuf_len(&s->out) > 0) {
    ssize_t n = write(s->fd, bytebuf_head(&s->out), bytebuf_len(&s->out));
    if (n < 0) {
      if (errno == EAGAIN) {
        if (!s->wants_out) {
          watch(s, true, EPOLL_CTL_MOD);
        }
        return true;
      }
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    bytebuf_consume(&s->out, (size_t)n);
  }
  if (s->wants_out) {
    watch(s, false, EPOLL_CTL_MOD);
  }
  /* Idle clients should not hold buffers: the generator itself must fit
   * 50,000 of them next to the server. */
  if (s->out.cap > (64u << 10)) {
    bytebuf_release(&s->out);
  }
  return true;
}

void stream_close(struct stream *s) {
  if (s->fd >= 0) {
    close(s->fd);
    s->fd = -1;
  }
  bytebuf_release(&s->in);
  bytebuf_release(&s->out);
  bytebuf_release(&s->body);
}
