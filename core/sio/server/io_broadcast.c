/* Operations on a selection of sockets — io.of(nsp).to(rooms).except(rooms)
 * or one socket — and the emit that encodes a packet once for all of them. */
#include <stdlib.h>
#include <string.h>

#include "../../util/json.h"
#include "io_server.h"

#include "../../adapter/cluster.h"

static io_socket *room_socket(io_namespace *nsp, const char *room) {
  /* Every socket is alone in a room named by its id. */
  return strmap_get(&nsp->sockets, room);
}

static void mark_room(io_namespace *nsp, const char *room, uint32_t epoch) {
  io_room *r = strmap_get(&nsp->rooms, room);
  if (r) {
    void *p;
    for (size_t i = 0; (p = ptrset_next(&r->members, &i));) ((io_socket *)p)->mark = epoch;
  }
  io_socket *own = room_socket(nsp, room);
  if (own) own->mark = epoch;
}

/* A broadcast to thousands of sockets spends most of its time waiting on
 * memory, each recipient being a chain of pointers (socket, client, session,
 * connection, output buffer). Sockets are therefore taken a batch at a time,
 * and each link of the chain is started for the whole batch before any of it
 * is used, so that the loads overlap. */
#define SOCKET_BATCH 32

typedef struct visitor {
  uint32_t epoch;
  io_each_fn fn;
  void *arg;
  long count;
  io_socket *batch[SOCKET_BATCH];
  size_t n;
} visitor;

static void visit_batch(visitor *v) {
  size_t kept = 0;
  for (size_t i = 0; i < v->n; i++) {
    io_socket *sock = v->batch[i];
    if (sock->mark == v->epoch) continue;
    sock->mark = v->epoch;
    v->batch[kept++] = sock;
  }
  if (kept) v->fn(v->batch, kept, v->arg);
  v->count += (long)kept;
  v->n = 0;
}

static void offer(visitor *v, io_socket *sock) {
  __builtin_prefetch(sock, 1);
  v->batch[v->n++] = sock;
  if (v->n == SOCKET_BATCH) visit_batch(v);
}

static void offer_room(visitor *v, io_namespace *nsp, const char *room) {
  io_room *r = strmap_get(&nsp->rooms, room);
  if (r) {
    void *p;
    for (size_t j = 0; (p = ptrset_next(&r->members, &j));) offer(v, p);
  }
  io_socket *own = room_socket(nsp, room);
  if (own) offer(v, own);
}

long io_select(io_server *s, const sio_target *t, io_each_fn fn, void *arg) {
  io_namespace *nsp = io_namespace_get(s, t->nsp ? t->nsp : "/", 0, 0);
  if (t->sid) {
    io_socket *sock = nsp ? strmap_get(&nsp->sockets, t->sid) : NULL;
    if (!sock) return -1;
    fn(&sock, 1, arg);
    return 1;
  }
  if (!nsp) return 0;
  uint32_t epoch = ++s->mark_epoch;
  if (epoch == 0) {
    /* The counter wrapped: clear every mark so none matches by accident. */
    const char *k;
    void *v;
    for (size_t i = 0; strmap_next(&s->sockets, &i, &k, &v);) ((io_socket *)v)->mark = 0;
    epoch = ++s->mark_epoch;
  }
  for (size_t i = 0; i < t->nexcept; i++) mark_room(nsp, t->except[i], epoch);
  visitor v = {.epoch = epoch, .fn = fn, .arg = arg};
  if (t->nrooms == 0) {
    const char *k;
    void *sock;
    for (size_t i = 0; strmap_next(&nsp->sockets, &i, &k, &sock);) offer(&v, sock);
  }
  for (size_t i = 0; i < t->nrooms; i++) offer_room(&v, nsp, t->rooms[i]);
  visit_batch(&v);
  return v.count;
}

/* Gathers the selection first, for operations that change rooms or close
 * sockets and so must not run while the rooms are being walked. */
typedef struct socket_list {
  io_socket **items;
  size_t len, cap;
  int failed;
} socket_list;

static void add_to_list(io_socket *const *socks, size_t n, void *arg) {
  socket_list *l = arg;
  if (l->len + n > l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    while (cap < l->len + n) cap *= 2;
    io_socket **items = realloc(l->items, cap * sizeof(*items));
    if (!items) {
      l->failed = 1;
      return;
    }
    l->items = items;
    l->cap = cap;
  }
  memcpy(l->items + l->len, socks, n * sizeof(*socks));
  l->len += n;
}

/* Whether an operation on t also goes to the other nodes: not for one
 * socket (it lives here) nor for io.local. */
static int cluster_wide(const io_server *s, const sio_target *t) {
  return s->cluster && !t->sid && !(t->flags & SIO_TARGET_LOCAL);
}

/* ---- emit ------------------------------------------------------------------ */

typedef struct emit_job {
  rbuf *msgs[SIO_MAX_ENCODED];
  size_t nmsgs;
  int is_volatile;
  io_ack_collect *collect;
  int64_t ack_id;
  long acks;       /* recipients that owe collect an answer */
} emit_job;

static void send_now(emit_job *j, io_socket *sock) {
  if (j->is_volatile && !eio_writable(sock->client->eio)) return;
  if (io_send_encoded(sock->client, j->msgs, j->nmsgs)) return;
  if (j->collect && io_socket_expect_ack(sock, j->ack_id, 0, j->collect, 0) == 0) {
    io_ack_collect_expect(j->collect);
    j->acks++;
  }
}

static void send_to(io_socket *const *socks, size_t n, void *arg) {
  emit_job *j = arg;
  for (size_t i = 0; i < n; i++) __builtin_prefetch(socks[i]->client);
  for (size_t i = 0; i < n; i++) __builtin_prefetch(socks[i]->client->eio);
  for (size_t i = 0; i < n; i++) eio_prefetch_transport(socks[i]->client->eio);
  for (size_t i = 0; i < n; i++) eio_prefetch_output(socks[i]->client->eio);
  for (size_t i = 0; i < n; i++) send_now(j, socks[i]);
}

/* The EVENT (BINARY_EVENT with bins) packet of nsp whose arguments are
 * data; it borrows data, bins and the namespace's name. */
static void event_packet(sio_packet *p, io_namespace *nsp, const sbuf *data,
                         sio_attachment *bins, size_t nbins) {
  sio_packet_init(p);
  p->type = nbins ? SIO_P_BINARY_EVENT : SIO_P_EVENT;
  p->nsp = nsp->name;
  p->data = data->data;
  p->data_len = data->len;
  p->bins = bins;
  p->nbins = p->nattach = nbins;
}

int io_emit(io_server *s, const sio_target *t, const char *event, const char *args,
            size_t args_len, sio_attachment *bins, size_t nbins, unsigned flags,
            int timeout_ms, uint64_t req) {
  io_namespace *nsp = io_namespace_get(s, t->nsp ? t->nsp : "/", 0, 0);
  io_socket *single = NULL;
  if (t->sid) {
    single = nsp ? strmap_get(&nsp->sockets, t->sid) : NULL;
    if (!single) return SIO_ENOTFOUND;
  } else if (!nsp) {
    if (flags & SIO_EMIT_ACK) {
      /* Nobody to wait for: an empty answer, at once. */
      io_ack_collect *c = io_ack_collect_new(s, req, timeout_ms);
      if (!c) return SIO_ENOMEM;
      io_ack_collect_start(c);
    }
    return 0;
  }
  /* The packet is encoded from the joined text at once: scratch will do. */
  sbuf *data = &s->emit_text;
  sbuf_reset(data);
  if (json_event_join(data, event, args, args_len)) return SIO_ENOMEM;
  io_ack_collect *collect = NULL;
  if (!single && (flags & SIO_EMIT_ACK)) {
    collect = io_ack_collect_new(s, req, timeout_ms);
    if (!collect) return SIO_ENOMEM;
  }
  /* The other nodes get it as the Node adapter sends it: without the
   * recovery offset (its RedisAdapter keeps no session log) and without an
   * ack id, and not when it is for one socket or for this node only. With
   * acks it is a request, and their clients' answers join collect's. */
  if (cluster_wide(s, t)) {
    sio_packet out;
    event_packet(&out, nsp, data, bins, nbins);
    int prc = collect ? cluster_broadcast_ack(s->cluster, t, &out, flags, timeout_ms, collect)
                      : cluster_broadcast(s->cluster, t, &out, flags);
    if (prc)
      io_post_error(s, req, prc,
                    prc == SIO_EIO ? "the adapter is down: the broadcast reached this node only"
                                   : "the broadcast was not published: out of memory");
  }
  /* socket.io-adapter's SessionAwareAdapter: an event without ack that is
   * not volatile carries its offset as last argument, and is logged for the
   * sessions that will miss it. */
  uint64_t offset = 0;
  if (recovery_on(&s->recovery) && !(flags & (SIO_EMIT_ACK | SIO_EMIT_VOLATILE))) {
    char text[RECOVERY_OFFSET_MAX + 1];
    offset = recovery_next_offset(&s->recovery, text);
    data->len--; /* the closing bracket */
    if (sbuf_puts(data, ",\"") || sbuf_puts(data, text) || sbuf_puts(data, "\"]"))
      return SIO_ENOMEM;
  }
  sio_packet p;
  event_packet(&p, nsp, data, bins, nbins);
  if (flags & SIO_EMIT_ACK) p.id = nsp->next_ack_id++;
  emit_job j = {.is_volatile = (flags & SIO_EMIT_VOLATILE) != 0, .ack_id = p.id, .collect = collect};
  int rc = s->parser->encode(&p, j.msgs, &j.nmsgs) ? SIO_ENOMEM : 0;
  if (data->cap > SCRATCH_KEPT) sbuf_free(data);
  if (rc) {
    if (collect) io_ack_collect_start(collect);
    return rc;
  }
  for (size_t i = 0; i < j.nmsgs && (flags & SIO_EMIT_NO_COMPRESS); i++) j.msgs[i]->no_compress = 1;
  if (offset) {
    const char *own = single ? single->sid : NULL;
    recovery_log(&s->recovery, offset, nsp, single ? &own : t->rooms, single ? 1 : t->nrooms,
                 single ? NULL : t->except, single ? 0 : t->nexcept, j.msgs, j.nmsgs);
  }
  if (single) {
    if (j.is_volatile && !eio_writable(single->client->eio)) {
      /* dropped, as volatile packets are */
    } else if (io_send_encoded(single->client, j.msgs, j.nmsgs)) {
      rc = SIO_EDISCONNECTED;
    } else if (flags & SIO_EMIT_ACK) {
      rc = io_socket_expect_ack(single, p.id, req, NULL, timeout_ms);
    }
  } else {
    if (!rc) io_select(s, t, send_to, &j);
    if (j.collect) io_ack_collect_start(j.collect);
  }
  for (size_t i = 0; i < j.nmsgs; i++) rbuf_unref(j.msgs[i]);
  return rc;
}

long io_emit_packet(io_server *s, const sio_target *t, sio_packet *p, unsigned emit_flags,
                    io_ack_collect *collect) {
  emit_job j = {.is_volatile = (emit_flags & SIO_EMIT_VOLATILE) != 0, .collect = collect};
  io_namespace *nsp = io_namespace_get(s, t->nsp ? t->nsp : "/", 0, 0);
  if (!nsp) return 0;
  p->id = collect ? nsp->next_ack_id++ : -1;
  j.ack_id = p->id;
  if (s->parser->encode(p, j.msgs, &j.nmsgs)) return 0;
  for (size_t i = 0; i < j.nmsgs && (emit_flags & SIO_EMIT_NO_COMPRESS); i++)
    j.msgs[i]->no_compress = 1;
  io_select(s, t, send_to, &j);
  for (size_t i = 0; i < j.nmsgs; i++) rbuf_unref(j.msgs[i]);
  return j.acks;
}

int io_server_side_emit(io_server *s, const char *event, const char *args, size_t len,
                        int with_ack, uint64_t req) {
  if (s->cluster) return cluster_server_side_emit(s->cluster, event, args, len, with_ack, req);
  if (!with_ack) return 0;
  /* No other node to answer. */
  ev_rec *r = ev_new(SIO_EV_ACK);
  if (!r) return SIO_ENOMEM;
  r->ev.req = req;
  r->ev.flags = SIO_EVF_BROADCAST;
  if (ev_set_data(r, "[]", 2)) {
    ev_free(r);
    return SIO_ENOMEM;
  }
  io_post(s, r);
  return 0;
}

/* ---- rooms, disconnects, fetch ------------------------------------------------ */

int io_join(io_server *s, const sio_target *t, char *const *rooms, size_t n, int leave) {
  if (cluster_wide(s, t)) cluster_rooms_op(s->cluster, t, rooms, n, leave);
  socket_list l = {0};
  if (io_select(s, t, add_to_list, &l) < 0) return SIO_ENOTFOUND;
  int rc = l.failed ? SIO_ENOMEM : 0;
  for (size_t i = 0; i < l.len && !rc; i++)
    for (size_t k = 0; k < n && !rc; k++) {
      if (leave)
        io_socket_leave(l.items[i], rooms[k]);
      else
        rc = io_socket_join(l.items[i], rooms[k]);
    }
  free(l.items);
  return rc;
}

int io_disconnect(io_server *s, const sio_target *t, int close) {
  if (cluster_wide(s, t)) cluster_disconnect(s->cluster, t, close);
  socket_list l = {0};
  if (io_select(s, t, add_to_list, &l) < 0) return SIO_ENOTFOUND;
  int rc = l.failed ? SIO_ENOMEM : 0;
  if (close) {
    /* Closing a client ends all its sockets, some maybe selected too:
     * gather the clients first, each once. */
    io_conn **clients = l.len ? malloc(l.len * sizeof(*clients)) : NULL;
    size_t nc = 0;
    for (size_t i = 0; clients && i < l.len; i++) {
      io_conn *c = l.items[i]->client;
      size_t k = 0;
      while (k < nc && clients[k] != c) k++;
      if (k == nc) clients[nc++] = c;
    }
    for (size_t i = 0; i < nc; i++) {
      io_conn *c = clients[i];
      /* socket.disconnect(true): every namespace of the client is told,
       * then the connection closes. */
      while (c->nsockets) io_socket_close(c->sockets[c->nsockets - 1], "server namespace disconnect", 1);
      io_conn_close(c, "forced server close");
    }
    if (!clients && l.len) rc = SIO_ENOMEM;
    free(clients);
  } else {
    for (size_t i = 0; i < l.len; i++)
      io_socket_close(l.items[i], "server namespace disconnect", 1);
  }
  free(l.items);
  return rc;
}

typedef struct fetch_job {
  sbuf out;
  int first;
  int failed;
  int node_shape;
} fetch_job;

/* libsio's {"id","nsp","rooms","handshake","data"}, or what the Node adapter
 * answers for a remote fetch: {"id","handshake","rooms","data"}. */
static void describe_one(fetch_job *j, const io_socket *sock) {
  sbuf *o = &j->out;
  int rc = sbuf_puts(o, j->first ? "{\"id\":" : ",{\"id\":");
  j->first = 0;
  rc |= json_write_string(o, sock->sid, strlen(sock->sid));
  if (!j->node_shape)
    rc |= sbuf_puts(o, ",\"nsp\":") | json_write_string(o, sock->nsp->name, strlen(sock->nsp->name)) |
          sbuf_puts(o, ",\"rooms\":") | io_socket_rooms_json(sock, o);
  rc |= sbuf_puts(o, ",\"handshake\":") | io_handshake_with_auth(o, sock->client->handshake, sock->auth);
  if (j->node_shape) rc |= sbuf_puts(o, ",\"rooms\":") | io_socket_rooms_json(sock, o);
  rc |= sbuf_puts(o, ",\"data\":") | io_socket_data_json(sock, o);
  if (rc || sbuf_putc(o, '}')) j->failed = 1;
}

static void describe(io_socket *const *socks, size_t n, void *arg) {
  for (size_t i = 0; i < n; i++) describe_one(arg, socks[i]);
}

int io_describe_sockets(io_server *s, const sio_target *t, int node_shape, sbuf *out) {
  fetch_job j = {*out, 1, 0, node_shape};
  int rc = sbuf_putc(&j.out, '[');
  long n = rc ? 0 : io_select(s, t, describe, &j);
  if (!rc && n < 0) {
    /* A selection of one socket that left: an empty list, as socket.io. */
    sbuf_reset(&j.out);
    rc = sbuf_putc(&j.out, '[');
  }
  rc |= sbuf_putc(&j.out, ']');
  *out = j.out;
  return rc || j.failed ? SIO_ENOMEM : 0;
}

int io_fetch_sockets(io_server *s, const sio_target *t, uint64_t req) {
  sbuf out = SBUF_INIT;
  if (io_describe_sockets(s, t, 0, &out)) {
    sbuf_free(&out);
    return SIO_ENOMEM;
  }
  if (s->cluster && !t->sid && !(t->flags & SIO_TARGET_LOCAL))
    return cluster_fetch(s->cluster, t, out.data, out.len, req);
  ev_rec *r = ev_new(SIO_EV_SOCKETS);
  if (!r) {
    sbuf_free(&out);
    return SIO_ENOMEM;
  }
  r->ev.req = req;
  ev_take_data(r, out.data, out.len);
  io_post(s, r);
  return 0;
}
