/* bare_server: the ceiling the Socket.IO servers are measured against. A
 * single-threaded epoll WebSocket server that answers the load generator's
 * wire (see packets.c) with no Socket.IO layer at all, so the difference
 * between it and a real server is the cost of that layer.
 *
 *   bare_server [--port N] [--handoff]
 *       prints `listening on PORT`, stops on SIGINT/SIGTERM. --handoff answers
 *       every event (42/45 packets and binary frames) on a second thread, with
 *       queues shaped like libsio's (handoff.h): the cost of that hand-off
 *       alone, with no Socket.IO layer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytebuf.h"
#include "handoff.h"
#include "packets.h"
#include "ws_accept.h"
#include "ws_frame.h"

#define MAX_FRAME (64u << 20)
#define READ_CHUNK (256u << 10)
#define MAX_REQUEST_HEAD 8192

struct conn {
  int fd;
  unsigned long id;
  bool upgraded;
  bool joined;
  bool dirty;          /* queued for the flush at the end of the loop turn */
  bool wants_out;      /* EPOLLOUT registered because a write came up short */
  unsigned attachments; /* binary frames still to echo back as they are */
  size_t joined_slot;  /* index in the joined array, to remove in O(1) */
  uint32_t slot;       /* --handoff: in the server's table, named by replies */
  struct bytebuf in, out;
  struct conn *next_dirty;
  struct conn *prev, *next; /* every connection, to free them on shutdown */
};

struct server {
  int epfd;
  int listen_fd;
  unsigned long next_id;
  struct conn *all;
  struct conn **joined; /* broadcast targets */
  size_t joined_count, joined_cap;
  struct conn *dirty;
  bool accept_paused; /* out of descriptors: wait for a close */
  struct bytebuf scratch_packet, scratch_frame;
  char *read_buf; /* READ_CHUNK bytes shared by all reads */
  struct handoff *handoff; /* --handoff only */
  struct handoff_table table;
};

/* The epoll tag of the hand-off's reply eventfd (the listener's is NULL). */
static char reply_fd_tag;

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void mark_dirty(struct server *s, struct conn *c) {
  if (!c->dirty) {
    c->dirty = true;
    c->next_dirty = s->dirty;
    s->dirty = c;
  }
}

static void join(struct server *s, struct conn *c) {
  if (s->joined_count == s->joined_cap) {
    s->joined_cap = s->joined_cap ? s->joined_cap * 2 : 1024;
    s->joined = realloc(s->joined, s->joined_cap * sizeof *s->joined);
    if (!s->joined) {
      abort();
    }
  }
  c->joined = true;
  c->joined_slot = s->joined_count;
  s->joined[s->joined_count++] = c;
}

static void leave(struct server *s, struct conn *c) {
  struct conn *last = s->joined[--s->joined_count];
  s->joined[c->joined_slot] = last;
  last->joined_slot = c->joined_slot;
  c->joined = false;
}

/* Closing is deferred to the flush so that a connection is never freed while
 * it may still sit on the dirty list: its fd becomes -1 and flush frees it. */
static void close_conn(struct server *s, struct conn *c) {
  if (c->fd < 0) {
    return;
  }
  if (c->joined) {
    leave(s, c);
  }
  close(c->fd);
  c->fd = -1;
  mark_dirty(s, c);
  if (s->accept_paused) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fd, &ev);
    s->accept_paused = false;
  }
}

static void send_frame(struct server *s, struct conn *c, enum ws_opcode op, const char *p,
                       size_t len) {
  ws_frame_append(&c->out, op, p, len, false);
  mark_dirty(s, c);
}

static void broadcast_text(struct server *s, const char *p, size_t len) {
  /* Encode once, copy the finished frame to every connection. */
  s->scratch_frame.start = s->scratch_frame.end = 0;
  ws_frame_append(&s->scratch_frame, WS_TEXT, p, len, false);
  for (size_t i = 0; i < s->joined_count; i++) {
    struct conn *c = s->joined[i];
    bytebuf_append(&c->out, bytebuf_head(&s->scratch_frame), bytebuf_len(&s->scratch_frame));
    mark_dirty(s, c);
  }
}

static void apply_decision(struct server *s, struct conn *c, struct bare_decision d,
                           const char *reply, size_t reply_len) {
  switch (d.action) {
  case BARE_JOINED:
    if (!c->joined) {
      join(s, c);
    }
    send_frame(s, c, WS_TEXT, reply, reply_len);
    break;
  case BARE_REPLY:
    send_frame(s, c, WS_TEXT, reply, reply_len);
    c->attachments += d.attachments;
    break;
  case BARE_BROADCAST:
    broadcast_text(s, reply, reply_len);
    break;
  case BARE_CLOSE:
    close_conn(s, c);
    break;
  case BARE_IGNORE:
    break;
  }
}

static void handle_text(struct server *s, struct conn *c, const char *p, size_t len) {
  if (s->handoff && len >= 2 && p[0] == '4' && (p[1] == '2' || p[1] == '5')) {
    /* An event (EVENT or BINARY_EVENT): the host answers it. */
    handoff_stage(s->handoff, c->slot, c->id, HANDOFF_TEXT, p, len);
    return;
  }
  s->scratch_packet.start = s->scratch_packet.end = 0;
  struct bare_decision d = bare_answer_text(p, len, c->id, &s->scratch_packet);
  apply_decision(s, c, d, bytebuf_head(&s->scratch_packet), bytebuf_len(&s->scratch_packet));
}

static void echo_binary(struct server *s, struct conn *c, const char *p, size_t len) {
  if (c->attachments > 0) {
    c->attachments--;
    send_frame(s, c, WS_BINARY, p, len);
  }
}

/* --handoff: the host's answers, in the order their packets came. A reply
 * for a connection that is gone is dropped; a broadcast goes out anyway. */
static void apply_replies(struct server *s) {
  for (struct handoff_rec *r = handoff_take_replies(s->handoff); r; r = r->next) {
    const char *p = bytebuf_head(&r->bytes);
    size_t len = bytebuf_len(&r->bytes);
    if (r->kind == HANDOFF_TEXT && r->decision.action == BARE_BROADCAST) {
      broadcast_text(s, p, len);
      continue;
    }
    struct conn *c = handoff_table_get(&s->table, r->slot, r->conn_id);
    if (!c || c->fd < 0) {
      continue;
    }
    if (r->kind == HANDOFF_BINARY) {
      echo_binary(s, c, p, len);
    } else {
      apply_decision(s, c, r->decision, p, len);
    }
  }
}

static void handle_frames(struct server *s, struct conn *c) {
  struct ws_frame f;
  int rc = 0;
  while (c->fd >= 0 &&
         (rc = ws_frame_parse(bytebuf_head(&c->in), bytebuf_len(&c->in), MAX_FRAME, &f)) > 0) {
    switch (f.opcode) {
    case WS_TEXT:
      handle_text(s, c, f.payload, f.payload_len);
      break;
    case WS_BINARY:
      if (s->handoff) {
        handoff_stage(s->handoff, c->slot, c->id, HANDOFF_BINARY, f.payload, f.payload_len);
      } else {
        echo_binary(s, c, f.payload, f.payload_len);
      }
      break;
    case WS_PING:
      send_frame(s, c, WS_PONG, f.payload, f.payload_len);
      break;
    case WS_CLOSE:
      close_conn(s, c);
      return;
    default:
      break;
    }
    bytebuf_consume(&c->in, f.frame_len);
  }
  if (c->fd >= 0 && rc < 0) {
    close_conn(s, c);
  }
}

static const char *find_header(const char *head, const char *name, size_t *value_len) {
  size_t name_len = strlen(name);
  for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
    const char *field = line + 2;
    if (strncasecmp(field, name, name_len) == 0 && field[name_len] == ':') {
      const char *v = field + name_len + 1;
      while (*v == ' ') {
        v++;
      }
      const char *end = strstr(v, "\r\n");
      *value_len = (size_t)(end - v);
      return v;
    }
  }
  return NULL;
}

static void handle_upgrade_request(struct server *s, struct conn *c) {
  char *head = bytebuf_head(&c->in);
  size_t len = bytebuf_len(&c->in);
  char *end = memmem(head, len, "\r\n\r\n", 4);
  if (!end) {
    if (len > MAX_REQUEST_HEAD) {
      close_conn(s, c);
    }
    return;
  }
  end[2] = '\0'; /* keep the last header's CRLF for find_header */
  size_t key_len = 0;
  const char *key = find_header(head, "Sec-WebSocket-Key", &key_len);
  if (strncmp(head, "GET /socket.io/", 15) != 0 || !strstr(head, "transport=websocket") || !key) {
    static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    bytebuf_append(&c->out, bad, sizeof bad - 1);
    mark_dirty(s, c);
    c->upgraded = false;
    bytebuf_consume(&c->in, len);
    return;
  }
  char accept[WS_ACCEPT_LEN];
  ws_accept_compute(key, key_len, accept);
  char response[200];
  int n = snprintf(response, sizeof response,
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %.*s\r\n\r\n",
                   WS_ACCEPT_LEN, accept);
  bytebuf_append(&c->out, response, (size_t)n);
  bytebuf_consume(&c->in, (size_t)(end + 4 - head));
  c->upgraded = true;
  s->scratch_packet.start = s->scratch_packet.end = 0;
  bare_open_packet(c->id, &s->scratch_packet);
  send_frame(s, c, WS_TEXT, bytebuf_head(&s->scratch_packet), bytebuf_len(&s->scratch_packet));
  handle_frames(s, c);
}

/* Reads go to one shared buffer and are copied to the connection's: a
 * per-connection read buffer of READ_CHUNK would cost an idle connection a
 * page or more, and the bare server is meant to show the least memory a
 * connection can take. */
static void on_readable(struct server *s, struct conn *c) {
  ssize_t n = read(c->fd, s->read_buf, READ_CHUNK);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    close_conn(s, c);
    return;
  }
  if (n < 0) {
    return;
  }
  bytebuf_append(&c->in, s->read_buf, (size_t)n);
  if (c->upgraded) {
    handle_frames(s, c);
  } else {
    handle_upgrade_request(s, c);
  }
  if (c->fd >= 0 && bytebuf_len(&c->in) == 0) {
    bytebuf_release(&c->in);
  }
}

static void set_wants_out(struct server *s, struct conn *c, bool wants) {
  if (c->wants_out == wants) {
    return;
  }
  c->wants_out = wants;
  struct epoll_event ev = {.events = EPOLLIN | (wants ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void flush_conn(struct server *s, struct conn *c) {
  while (bytebuf_len(&c->out) > 0) {
    ssize_t n = write(c->fd, bytebuf_head(&c->out), bytebuf_len(&c->out));
    if (n < 0) {
      if (errno == EAGAIN) {
        set_wants_out(s, c, true);
      } else if (errno != EINTR) {
        close_conn(s, c);
      }
      return;
    }
    bytebuf_consume(&c->out, (size_t)n);
  }
  set_wants_out(s, c, false);
  bytebuf_release(&c->out);
  if (!c->upgraded) {
    close_conn(s, c); /* a refused request is answered, then closed */
  }
}

static void free_conn(struct server *s, struct conn *c) {
  if (c->prev) {
    c->prev->next = c->next;
  } else {
    s->all = c->next;
  }
  if (c->next) {
    c->next->prev = c->prev;
  }
  if (s->handoff) {
    handoff_table_remove(&s->table, c->slot);
  }
  bytebuf_release(&c->in);
  bytebuf_release(&c->out);
  free(c);
}

static void flush_dirty(struct server *s) {
  while (s->dirty) {
    struct conn *c = s->dirty;
    s->dirty = c->next_dirty;
    c->dirty = false;
    if (c->fd >= 0) {
      flush_conn(s, c);
    }
    if (c->fd < 0 && !c->dirty) {
      free_conn(s, c);
    }
  }
}

static void accept_all(struct server *s) {
  for (;;) {
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        /* The listening socket stays readable: stop watching it until a
         * connection closes, or the loop would spin. */
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL);
        s->accept_paused = true;
      }
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
      abort();
    }
    c->fd = fd;
    c->id = ++s->next_id;
    if (s->handoff) {
      c->slot = handoff_table_add(&s->table, c, c->id);
    }
    c->next = s->all;
    if (s->all) {
      s->all->prev = c;
    }
    s->all = c;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
  }
}

static void shut_down(struct server *s) {
  while (s->all) {
    struct conn *c = s->all;
    close_conn(s, c);
    free_conn(s, c);
  }
  handoff_stop(s->handoff);
  handoff_table_free(&s->table);
  close(s->listen_fd);
  close(s->epfd);
  free(s->joined);
  free(s->read_buf);
  bytebuf_release(&s->scratch_packet);
  bytebuf_release(&s->scratch_frame);
}

static int listen_on(unsigned port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 4096) < 0) {
    perror("bare_server: listen");
    exit(1);
  }
  socklen_t addr_len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &addr_len);
  printf("listening on %u\n", ntohs(addr.sin_port));
  fflush(stdout);
  return fd;
}

static void raise_fd_limit(void) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int main(int argc, char **argv) {
  unsigned port = 3000;
  bool handoff = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = (unsigned)strtoul(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--handoff") == 0) {
      handoff = true;
    } else {
      fprintf(stderr, "usage: bare_server [--port N] [--handoff]\n");
      return 2;
    }
  }
  raise_fd_limit();
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = {.sa_handler = on_stop_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  struct server s = {.epfd = epoll_create1(EPOLL_CLOEXEC), .read_buf = malloc(READ_CHUNK)};
  if (!s.read_buf) {
    return 1;
  }
  if (handoff) {
    s.handoff = handoff_start();
    if (!s.handoff) {
      fprintf(stderr, "bare_server: cannot start the host thread\n");
      return 1;
    }
    struct epoll_event rev = {.events = EPOLLIN, .data.ptr = &reply_fd_tag};
    epoll_ctl(s.epfd, EPOLL_CTL_ADD, handoff_reply_fd(s.handoff), &rev);
  }
  s.listen_fd = listen_on(port);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(s.epfd, EPOLL_CTL_ADD, s.listen_fd, &ev);

  struct epoll_event events[256];
  while (!stop_requested) {
    int n = epoll_wait(s.epfd, events, 256, -1);
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (!c) {
        accept_all(&s);
        continue;
      }
      if (events[i].data.ptr == &reply_fd_tag) {
        apply_replies(&s);
        continue;
      }
      if (c->fd < 0) {
        continue;
      }
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        on_readable(&s, c);
      }
      if (c->fd >= 0 && (events[i].events & EPOLLOUT)) {
        mark_dirty(&s, c);
      }
    }
    if (s.handoff) {
      handoff_submit(s.handoff);
    }
    flush_dirty(&s);
  }
  shut_down(&s);
  return 0;
}
