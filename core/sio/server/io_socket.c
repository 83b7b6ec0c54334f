#include <stdlib.h>
#include <string.h>

#include "../../adapter/cluster.h"
#include "../../util/json.h"
#include "../event_decode.h"
#include "io_server.h"

/* An acknowledgement the client owes for one of our emits. */
struct io_ack_wait {
  ack_wait w;              /* first: the ack id, the deadline, the links */
  io_socket *sock;
  uint64_t req;
  io_ack_collect *collect; /* a broadcast's (its own timer), or NULL */
};

static void post_socket_event(io_socket *sock, int type, const char *reason) {
  ev_rec *r = ev_new(type);
  if (!r) return;
  if (ev_set_str(r, &r->ev.nsp, sock->nsp->name) || ev_set_str(r, &r->ev.sid, sock->sid) ||
      ev_set_str(r, &r->ev.reason, reason)) {
    ev_free(r);
    return;
  }
  if (type == SIO_EV_DISCONNECTING) {
    sbuf rooms = SBUF_INIT;
    if (io_socket_rooms_json(sock, &rooms)) {
      sbuf_free(&rooms);
      ev_free(r);
      return;
    }
    ev_take_data(r, rooms.data, rooms.len);
  }
  io_post(sock->nsp->srv, r);
}

/* The rooms a recovered socket had, and the packets it missed: socket.io
 * sends these before its CONNECT reply (the client buffers them until it). */
static void restore(io_socket *sock, rec_session *restored) {
  memcpy(sock->pid, restored->pid, sizeof(sock->pid));
  sock->data = restored->data;
  restored->data = NULL;
  for (size_t i = 0; i < restored->nrooms; i++) io_socket_join(sock, restored->rooms[i]);
  io_send_encoded(sock->client, restored->missed, restored->nmissed);
}

io_socket *io_socket_connect(io_conn *c, io_namespace *nsp, const char *sid,
                             const char *auth, rec_session *restored) {
  io_server *s = nsp->srv;
  io_socket *sock = calloc(1, sizeof(*sock));
  io_socket **list = realloc(c->sockets, (c->nsockets + 1) * sizeof(*list));
  if (list) c->sockets = list;
  if (!sock || !list || !(sock->auth = strdup(auth))) goto fail;
  memcpy(sock->sid, sid, sizeof(sock->sid));
  sock->nsp = nsp;
  sock->client = c;
  if (strmap_put(&nsp->sockets, sid, sock)) goto fail;
  if (strmap_put(&s->sockets, sid, sock)) {
    strmap_del(&nsp->sockets, sid);
    goto fail;
  }
  c->sockets[c->nsockets++] = sock;
  if (s->cluster) cluster_room_added(s->cluster, nsp, sid, 1);
  if (c->connect_timer) {
    uv_timer_stop(c->connect_timer);
  }
  if (restored)
    restore(sock, restored);
  else if (recovery_on(&s->recovery))
    random_id(sock->pid);

  sbuf reply = SBUF_INIT;
  sio_packet p;
  sio_packet_init(&p);
  p.type = SIO_P_CONNECT;
  p.nsp = nsp->name;
  if (eio_session_revision(c->eio) == 3) {
    /* socket.io-client 2.x takes a CONNECT without data. */
    io_send_packet(c, &p);
  } else if (!(sock->pid[0]
                   ? sbuf_printf(&reply, "{\"sid\":\"%s\",\"pid\":\"%s\"}", sid, sock->pid)
                   : sbuf_printf(&reply, "{\"sid\":\"%s\"}", sid))) {
    p.data = reply.data;
    p.data_len = reply.len;
    io_send_packet(c, &p);
  }
  sbuf_free(&reply);

  ev_rec *r = ev_new(SIO_EV_CONNECTION);
  sbuf hs = SBUF_INIT;
  if (r && !ev_set_str(r, &r->ev.nsp, nsp->name) && !ev_set_str(r, &r->ev.sid, sid) &&
      !io_handshake_with_auth(&hs, c->handshake, auth)) {
    r->ev.flags = restored ? SIO_EVF_RECOVERED : 0;
    ev_take_data(r, hs.data, hs.len);
    io_post(s, r);
  } else {
    sbuf_free(&hs);
    ev_free(r);
  }
  recovery_session_free(restored);
  return sock;
fail:
  recovery_session_free(restored);
  if (sock) free(sock->auth);
  free(sock);
  return NULL;
}

/* ---- rooms -------------------------------------------------------------- */

int io_socket_join(io_socket *sock, const char *room) {
  if (strcmp(room, sock->sid) == 0) return 0;
  io_namespace *nsp = sock->nsp;
  io_room *r = strmap_get(&nsp->rooms, room);
  if (!r) {
    r = calloc(1, sizeof(*r));
    if (!r || !(r->name = strdup(room)) || strmap_put(&nsp->rooms, room, r)) {
      if (r) free(r->name);
      free(r);
      return SIO_ENOMEM;
    }
    if (nsp->srv->cluster) cluster_room_added(nsp->srv->cluster, nsp, room, 0);
  }
  if (ptrset_has(&r->members, sock)) return 0;
  if (sock->nrooms == sock->caprooms) {
    size_t cap = sock->caprooms ? sock->caprooms * 2 : 2;
    io_room **rooms = realloc(sock->rooms, cap * sizeof(*rooms));
    if (!rooms) goto fail;
    sock->rooms = rooms;
    sock->caprooms = cap;
  }
  if (ptrset_add(&r->members, sock) < 0) goto fail;
  sock->rooms[sock->nrooms++] = r;
  return 0;
fail:
  if (r->members.len == 0) {
    if (nsp->srv->cluster) cluster_room_removed(nsp->srv->cluster, nsp, room, 0);
    strmap_del(&nsp->rooms, room);
    free(r->name);
    free(r);
  }
  return SIO_ENOMEM;
}

static void leave_room(io_socket *sock, io_room *r) {
  ptrset_del(&r->members, sock);
  for (size_t i = 0; i < sock->nrooms; i++) {
    if (sock->rooms[i] == r) {
      /* Keep join order: socket.rooms lists rooms as they were joined. */
      memmove(&sock->rooms[i], &sock->rooms[i + 1], (sock->nrooms - i - 1) * sizeof(*sock->rooms));
      sock->nrooms--;
      break;
    }
  }
  if (r->members.len == 0) {
    io_server *s = sock->nsp->srv;
    if (s->cluster) cluster_room_removed(s->cluster, sock->nsp, r->name, 0);
    strmap_del(&sock->nsp->rooms, r->name);
    ptrset_free(&r->members);
    free(r->name);
    free(r);
  }
}

void io_socket_leave(io_socket *sock, const char *room) {
  io_room *r = strmap_get(&sock->nsp->rooms, room);
  if (r && ptrset_has(&r->members, sock)) leave_room(sock, r);
}

int io_socket_rooms_json(const io_socket *sock, sbuf *out) {
  int rc = sbuf_puts(out, "[") | json_write_string(out, sock->sid, strlen(sock->sid));
  for (size_t i = 0; i < sock->nrooms; i++)
    rc |= sbuf_putc(out, ',') |
          json_write_string(out, sock->rooms[i]->name, strlen(sock->rooms[i]->name));
  return rc | sbuf_putc(out, ']');
}

int io_socket_rooms(io_server *s, const char *sid, char **json) {
  *json = NULL;
  if (s->closing) return SIO_ECLOSED;
  const io_socket *sock = strmap_get(&s->sockets, sid);
  if (!sock) return SIO_ENOTFOUND;
  sbuf out = SBUF_INIT;
  if (io_socket_rooms_json(sock, &out)) {
    sbuf_free(&out);
    return SIO_ENOMEM;
  }
  *json = sbuf_detach(&out, NULL);
  return *json ? 0 : SIO_ENOMEM;
}

/* ---- socket.data ------------------------------------------------------------ */

int io_socket_set_data(io_server *s, const char *sid, const char *json, size_t len) {
  io_socket *sock = strmap_get(&s->sockets, sid);
  if (!sock) return SIO_ENOTFOUND;
  if (!json) {
    json = "null";
    len = 4;
  }
  char *copy = malloc(len + 1);
  if (!copy) return SIO_ENOMEM;
  memcpy(copy, json, len);
  copy[len] = 0;
  free(sock->data);
  sock->data = copy;
  return 0;
}

int io_socket_data_json(const io_socket *sock, sbuf *out) {
  return sbuf_puts(out, sock->data ? sock->data : "{}");
}

/* ---- acknowledgements ---------------------------------------------------- */

static io_ack_wait *wait_of(ack_wait *w) { return (io_ack_wait *)w; }

static void post_ack(io_socket *sock, uint64_t req, int err, const char *reason, const char *data,
                     size_t len, sio_attachment *bins, size_t nbins) {
  ev_rec *r = ev_new(SIO_EV_ACK);
  if (!r) {
    sio_attachments_free(bins, nbins);
    return;
  }
  ev_take_bins(r, bins, nbins);
  if (ev_set_str(r, &r->ev.nsp, sock->nsp->name) || ev_set_str(r, &r->ev.sid, sock->sid) ||
      ev_set_str(r, &r->ev.reason, reason) || (data && ev_set_data(r, data, len))) {
    ev_free(r);
    return;
  }
  r->ev.req = req;
  r->ev.err = err;
  io_post(sock->nsp->srv, r);
}

void io_ack_expired(ack_table *t, ack_wait *aw) {
  (void)t;
  io_ack_wait *w = wait_of(aw);
  post_ack(w->sock, w->req, SIO_ETIMEDOUT, "operation has timed out", NULL, 0, NULL, 0);
  free(w);
}

int io_socket_expect_ack(io_socket *sock, int64_t id, uint64_t req, io_ack_collect *collect,
                         int timeout_ms) {
  io_ack_wait *w = calloc(1, sizeof(*w));
  if (!w) return SIO_ENOMEM;
  w->sock = sock;
  w->req = req;
  w->collect = collect;
  ack_add(&sock->nsp->srv->acks, &sock->acks, &w->w, id,
          !collect && timeout_ms > 0 ? (uint64_t)timeout_ms : 0);
  return 0;
}

static void on_ack_packet(io_socket *sock, sio_packet *p) {
  ack_wait *aw = ack_find(&sock->acks, p->id);
  if (!aw) return;
  io_ack_wait *w = wait_of(aw);
  ack_remove(aw);
  const char *data = p->data ? p->data : "[]";
  size_t len = p->data ? p->data_len : 2;
  if (w->collect)
    io_ack_collect_response(w->collect, data, len, p->bins, p->nbins);
  else
    post_ack(sock, w->req, 0, NULL, data, len, p->bins, p->nbins);
  p->bins = NULL;
  p->nbins = 0;
  free(w);
}

int io_ack_reply(io_server *s, const char *sid, int64_t ack_id, char *json, size_t len,
                 sio_attachment *bins, size_t nbins) {
  io_socket *sock = strmap_get(&s->sockets, sid);
  if (!sock) return SIO_ENOTFOUND;
  sio_packet p;
  sio_packet_init(&p);
  p.type = nbins ? SIO_P_BINARY_ACK : SIO_P_ACK;
  p.nsp = sock->nsp->name;
  p.id = ack_id;
  p.data = json;
  p.data_len = len;
  p.bins = bins;
  p.nbins = p.nattach = nbins;
  return io_send_packet(sock->client, &p) ? SIO_EDISCONNECTED : 0;
}

/* ---- packets from the client --------------------------------------------- */

static void on_event_packet(io_socket *sock, sio_packet *p) {
  io_server *s = sock->nsp->srv;
  ev_rec *r = ev_new(SIO_EV_EVENT);
  if (!r) return;
  int rc = event_decode(r, p->data, p->data_len, &s->split_name) ||
           ev_set_str(r, &r->ev.nsp, sock->nsp->name) || ev_set_str(r, &r->ev.sid, sock->sid);
  if (s->split_name.cap > SCRATCH_KEPT) sbuf_free(&s->split_name);
  if (rc) {
    ev_free(r);
    return;
  }
  r->ev.ack_id = p->id;
  ev_take_bins(r, p->bins, p->nbins);
  p->bins = NULL;
  p->nbins = 0;
  io_post(s, r);
}

void io_socket_packet(io_socket *sock, sio_packet *p) {
  switch (p->type) {
    case SIO_P_EVENT:
    case SIO_P_BINARY_EVENT:
      on_event_packet(sock, p);
      break;
    case SIO_P_ACK:
    case SIO_P_BINARY_ACK:
      on_ack_packet(sock, p);
      break;
    case SIO_P_DISCONNECT:
      io_socket_close(sock, "client namespace disconnect", 0);
      break;
    default:
      break;
  }
}

/* ---- leaving --------------------------------------------------------------- */

/* socket.io's RECOVERABLE_DISCONNECT_REASONS: the connection failed, the
 * client did not ask to leave. "server shutting down" is among them, but
 * this store ends with the server. */
static int recoverable(const char *reason) {
  static const char *const reasons[] = {"transport error", "transport close", "forced close",
                                        "ping timeout", "forced server close"};
  for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
    if (strcmp(reason, reasons[i]) == 0) return 1;
  return 0;
}

static void persist(io_socket *sock) {
  const char **rooms = sock->nrooms ? malloc(sock->nrooms * sizeof(*rooms)) : NULL;
  if (sock->nrooms && !rooms) return;
  for (size_t i = 0; i < sock->nrooms; i++) rooms[i] = sock->rooms[i]->name;
  recovery_persist(&sock->nsp->srv->recovery, sock->pid, sock->sid, sock->nsp, rooms,
                   sock->nrooms, sock->data);
  free(rooms);
}

static void fail_acks(io_socket *sock) {
  while (sock->acks.head) {
    io_ack_wait *w = wait_of(sock->acks.head);
    ack_remove(&w->w);
    if (w->collect)
      io_ack_collect_release(w->collect);
    else
      post_ack(sock, w->req, SIO_EDISCONNECTED, "socket has been disconnected", NULL, 0, NULL, 0);
    free(w);
  }
}

void io_socket_close(io_socket *sock, const char *reason, int send_packet) {
  io_server *s = sock->nsp->srv;
  if (send_packet) {
    sio_packet p;
    sio_packet_init(&p);
    p.type = SIO_P_DISCONNECT;
    p.nsp = sock->nsp->name;
    io_send_packet(sock->client, &p);
  }
  post_socket_event(sock, SIO_EV_DISCONNECTING, reason);
  if (sock->pid[0] && !s->closing && recoverable(reason)) persist(sock);
  while (sock->nrooms) leave_room(sock, sock->rooms[sock->nrooms - 1]);
  fail_acks(sock);
  if (s->cluster) cluster_room_removed(s->cluster, sock->nsp, sock->sid, 1);
  strmap_del(&sock->nsp->sockets, sock->sid);
  strmap_del(&s->sockets, sock->sid);
  io_conn_remove_socket(sock->client, sock);
  post_socket_event(sock, SIO_EV_DISCONNECT, reason);
  free(sock->rooms);
  free(sock->auth);
  free(sock->data);
  free(sock);
}
