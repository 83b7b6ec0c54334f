/* The sharded protocol (createShardedAdapter): the node listens, on its
 * connection of SSUBSCRIBEs, to "<key>#<nsp>#" of each namespace (the
 * broadcasts and requests of every node), to "<key>#<nsp>#<uid>#" (the
 * answers meant for it) and, in the dynamic subscription modes, to
 * "<key>#<nsp>#<room>#" of each room it has: a broadcast to that one room
 * is published there, and reaches only the nodes with members in it. */
#include <stdlib.h>
#include <string.h>

#include "cluster_internal.h"
#include "sharded_codec.h"

/* "<key>#<nsp>#", followed by "<tail>#" when tail is given. */
static int channel_of(const cluster *c, const char *nsp, const char *tail, sbuf *out) {
  sbuf_reset(out);
  return tail ? sbuf_printf(out, "%s#%s#%s#", c->o.key, nsp, tail)
              : sbuf_printf(out, "%s#%s#", c->o.key, nsp);
}

/* Whether a room has a channel of its own (own: a socket's own id). */
static int room_has_channel(const cluster *c, int own) {
  return c->o.subscription_mode == SUBSCRIPTION_DYNAMIC_PRIVATE ||
         (c->o.subscription_mode == SUBSCRIPTION_DYNAMIC && !own);
}

static int listen_to(cluster *c, const char *nsp, const char *tail) {
  sbuf ch = SBUF_INIT;
  int rc = channel_of(c, nsp, tail, &ch) || redis_shard_sub_add(c->shard, ch.data) ? -1 : 0;
  sbuf_free(&ch);
  return rc;
}

static int listen_namespace(cluster *c, io_namespace *nsp) {
  int rc = listen_to(c, nsp->name, NULL) | listen_to(c, nsp->name, c->uid);
  const char *name;
  void *v;
  if (room_has_channel(c, 0))
    for (size_t i = 0; strmap_next(&nsp->rooms, &i, &name, &v);) rc |= listen_to(c, nsp->name, name);
  if (room_has_channel(c, 1))
    for (size_t i = 0; strmap_next(&nsp->sockets, &i, &name, &v);) rc |= listen_to(c, nsp->name, name);
  return rc;
}

int cluster_sharded_start(cluster *c) {
  const char *name;
  void *nsp;
  int rc = 0;
  for (size_t i = 0; strmap_next(&c->srv->namespaces, &i, &name, &nsp);)
    rc |= listen_namespace(c, nsp);
  return rc ? UV_ENOMEM : 0;
}

void cluster_room_added(cluster *c, io_namespace *nsp, const char *room, int own) {
  if (c->shard && room_has_channel(c, own)) listen_to(c, nsp->name, room);
}

void cluster_room_removed(cluster *c, io_namespace *nsp, const char *room, int own) {
  if (!c->shard || !room_has_channel(c, own)) return;
  sbuf ch = SBUF_INIT;
  if (channel_of(c, nsp->name, room, &ch) == 0) redis_shard_sub_remove(c->shard, ch.data);
  sbuf_free(&ch);
}

int cluster_sharded_broadcast(cluster *c, const sio_target *t, const sio_packet *p,
                              unsigned emit_flags) {
  const char *nsp = t->nsp ? t->nsp : "/";
  sbuf data = SBUF_INIT, channel = SBUF_INIT, *msg = &c->out;
  sbuf_reset(msg);
  /* To one room: that room's channel, as the Node adapter chooses it (a
   * room of a socket id's length is taken for one in "dynamic"). */
  int own = t->nrooms == 1 && strlen(t->rooms[0]) == RANDOM_ID_LEN;
  const char *room = t->nrooms == 1 && room_has_channel(c, own) ? t->rooms[0] : NULL;
  int rc = sharded_broadcast_data(&data, p, t, emit_flags, NULL, 0) ||
                   sharded_encode(msg, SH_BROADCAST, data.data, data.len, p->bins, p->nbins, c->uid,
                                  nsp) ||
                   channel_of(c, nsp, room, &channel)
               ? SIO_ENOMEM
               : cluster_publish(c, channel.data, msg->data, msg->len);
  sbuf_free(&data);
  sbuf_free(&channel);
  if (msg->cap > SCRATCH_KEPT) sbuf_free(msg);
  return rc;
}

void cluster_sharded_respond(cluster *c, const char *nsp, const char *requester, int type,
                             const char *data, size_t len, sio_attachment *bins, size_t nbins) {
  sbuf msg = SBUF_INIT, channel = SBUF_INIT;
  if (sharded_encode(&msg, type, data, len, bins, nbins, c->uid, nsp) == 0 &&
      channel_of(c, nsp, requester, &channel) == 0)
    cluster_publish(c, channel.data, msg.data, msg.len);
  sbuf_free(&msg);
  sbuf_free(&channel);
}

static void on_broadcast(cluster *c, io_namespace *nsp, sharded_msg *m) {
  adapter_broadcast b;
  if (sharded_read_broadcast(m, &b)) return;
  if (b.request_id) {
    cluster_forward_broadcast(c, nsp, &b);
    return;
  }
  sio_target t = {sizeof(t), nsp->name, NULL, (const char *const *)b.rooms, b.nrooms,
                  (const char *const *)b.except, b.nexcept, SIO_TARGET_LOCAL};
  io_emit_packet(c->srv, &t, &b.packet, b.flags, NULL);
  adapter_broadcast_free(&b);
}

/* The request types as the shared code knows them (enum adapter_request). */
static long request_type(long type) {
  switch (type) {
    case SH_SOCKETS_JOIN: return REQ_REMOTE_JOIN;
    case SH_SOCKETS_LEAVE: return REQ_REMOTE_LEAVE;
    case SH_DISCONNECT_SOCKETS: return REQ_REMOTE_DISCONNECT;
    case SH_FETCH_SOCKETS: return REQ_REMOTE_FETCH;
    case SH_SERVER_SIDE_EMIT: return REQ_SERVER_SIDE_EMIT;
    default: return -1;
  }
}

static long response_type(long type) {
  switch (type) {
    case SH_SERVER_SIDE_EMIT_RESPONSE: return REQ_SERVER_SIDE_EMIT;
    case SH_BROADCAST_CLIENT_COUNT: return REQ_BROADCAST_CLIENT_COUNT;
    case SH_BROADCAST_ACK: return REQ_BROADCAST_ACK;
    default: return -1;
  }
}

static void dispatch(cluster *c, io_namespace *nsp, sharded_msg *m) {
  const char *id = m->request_id.data ? m->request_id.data : "";
  if (m->type == SH_BROADCAST) {
    on_broadcast(c, nsp, m);
  } else if (request_type(m->type) >= 0) {
    cluster_serve_request(c, nsp, request_type(m->type), m->data, m->data_len, m->uid.data, id);
  } else if (id[0] && (m->type == SH_FETCH_SOCKETS_RESPONSE || response_type(m->type) >= 0)) {
    cluster_take_response(c, response_type(m->type), m->data, m->data_len, id, m->bins, m->nbins);
    m->bins = NULL;
    m->nbins = 0;
  }
}

void cluster_sharded_message(redis_shard_sub *sub, const char *channel, size_t channel_len,
                             const char *msg, size_t len) {
  (void)channel;
  (void)channel_len;
  cluster *c = redis_shard_sub_data(sub);
  if (c->closing) return;
  sharded_msg m;
  /* Every node's messages come back to it too: Redis sends to every
   * subscriber of the channel. */
  int ok = sharded_decode(msg, len, c->srv->eio.opts.max_payload, &m) == 0 && m.data &&
           strcmp(m.uid.data, c->uid) != 0;
  io_namespace *nsp = ok ? io_namespace_get(c->srv, m.nsp.data, 0, 0) : NULL;
  if (nsp) dispatch(c, nsp, &m);
  sharded_msg_free(&m);
}
