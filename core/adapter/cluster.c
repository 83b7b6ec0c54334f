#include "cluster.h"

#include <stdlib.h>
#include <string.h>

#include "adapter_codec.h"
#include "redis_conn.h"

/* uid2(6): the Node adapter's node ids are 6 characters. */
#define UID_LEN 6

struct cluster {
  io_server *srv;
  cluster_options o;
  char uid[UID_LEN + 1];
  redis_conn *pub, *sub;
  int open_conns;
  int is_up;            /* ADAPTER_UP posted, no ADAPTER_DOWN since */
  int down_posted;      /* ADAPTER_DOWN posted, no ADAPTER_UP since */
  int closing;
  sbuf out;             /* scratch for outgoing messages */
};

void cluster_options_free(cluster_options *o) {
  redis_url_free(&o->url);
  free(o->key);
  o->key = NULL;
}

static void make_uid(char *uid) {
  char id[RANDOM_ID_LEN + 1];
  random_id(id);
  memcpy(uid, id, UID_LEN);
  uid[UID_LEN] = 0;
}

/* ---- the host told ------------------------------------------------------ */

static void post_state(cluster *c, int up, const char *why) {
  if (c->closing || (up ? c->is_up : c->down_posted)) return;
  c->is_up = up;
  c->down_posted = !up;
  ev_rec *r = ev_new(up ? SIO_EV_ADAPTER_UP : SIO_EV_ADAPTER_DOWN);
  if (!r) return;
  if (!up) {
    r->ev.err = SIO_EIO;
    if (ev_set_str(r, &r->ev.reason, why)) {
      ev_free(r);
      return;
    }
  }
  io_post(c->srv, r);
}

/* ---- incoming ------------------------------------------------------------- */

static void on_broadcast(cluster *c, const char *msg, size_t len) {
  adapter_broadcast b;
  if (adapter_decode_broadcast(msg, len, c->srv->eio.opts.max_payload, &b)) return;
  /* The node's own messages come back to it: Redis sends to every
   * subscriber. */
  if (strcmp(b.uid, c->uid) != 0 && io_namespace_get(c->srv, b.packet.nsp, 0, 0)) {
    sio_target t = {sizeof(t), b.packet.nsp, NULL, (const char *const *)b.rooms, b.nrooms,
                    (const char *const *)b.except, b.nexcept, SIO_TARGET_LOCAL};
    io_emit_packet(c->srv, &t, &b.packet, b.flags);
  }
  adapter_broadcast_free(&b);
}

/* Every subscription's replies: confirmations, then ["message", channel,
 * payload] or ["pmessage", pattern, channel, payload]. */
static void on_sub_reply(redisAsyncContext *ac, void *reply, void *priv) {
  (void)ac;
  cluster *c = priv;
  redisReply *r = reply;
  if (!r || c->closing || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
  redisReply *kind = r->element[0];
  if (kind->type != REDIS_REPLY_STRING) return;
  if (strcmp(kind->str, "pmessage") == 0 && r->elements == 4 &&
      r->element[3]->type == REDIS_REPLY_STRING)
    on_broadcast(c, r->element[3]->str, r->element[3]->len);
}

/* ---- subscriptions --------------------------------------------------------- */

static int subscribe(cluster *c, const char *cmd, const char *channel) {
  const char *argv[2] = {cmd, channel};
  size_t lens[2] = {strlen(cmd), strlen(channel)};
  return redis_conn_send(c->sub, on_sub_reply, c, 2, argv, lens);
}

static void subscribe_namespace(cluster *c, const char *nsp) {
  sbuf *o = &c->out;
  sbuf_reset(o);
  if (sbuf_printf(o, "%s#%s#*", c->o.key, nsp) == 0) subscribe(c, "PSUBSCRIBE", o->data);
}

void cluster_namespace_added(cluster *c, io_namespace *nsp) {
  if (redis_conn_is_up(c->sub)) subscribe_namespace(c, nsp->name);
}

/* ---- connections ----------------------------------------------------------- */

static void check_up(cluster *c) {
  if (redis_conn_is_up(c->pub) && redis_conn_is_up(c->sub)) post_state(c, 1, NULL);
}

static void on_conn_up(redis_conn *rc) {
  cluster *c = redis_conn_data(rc);
  if (rc == c->sub) {
    const char *name;
    void *nsp;
    for (size_t i = 0; strmap_next(&c->srv->namespaces, &i, &name, &nsp);)
      subscribe_namespace(c, name);
  }
  check_up(c);
}

static void on_conn_down(redis_conn *rc, const char *why) {
  post_state(redis_conn_data(rc), 0, why);
}

static void on_conn_closed(redis_conn *rc) {
  cluster *c = redis_conn_data(rc);
  if (--c->open_conns) return;
  io_server *s = c->srv;
  cluster_options_free(&c->o);
  sbuf_free(&c->out);
  free(c);
  io_server_collect_gone(s);
}

static const redis_conn_events conn_events = {on_conn_up, on_conn_down, on_conn_closed};

int cluster_start(io_server *s, cluster_options *o) {
  cluster *c = calloc(1, sizeof(*c));
  if (!c) return UV_ENOMEM;
  c->srv = s;
  make_uid(c->uid);
  c->pub = redis_conn_new(&s->ctx->loop, &o->url, &conn_events, c);
  c->sub = c->pub ? redis_conn_new(&s->ctx->loop, &o->url, &conn_events, c) : NULL;
  if (!c->sub) {
    if (c->pub) {
      c->open_conns = 1;
      c->closing = 1;
      c->o = *o;
      *o = (cluster_options){0};
      s->collects++;
      redis_conn_close(c->pub);
    } else {
      free(c);
    }
    return UV_ENOMEM;
  }
  c->o = *o;
  *o = (cluster_options){0};
  c->open_conns = 2;
  /* Counted with the acknowledgement collections: the server is not gone
   * before its connections are. */
  s->collects++;
  s->cluster = c;
  return 0;
}

int cluster_broadcast(cluster *c, const sio_target *t, const sio_packet *p, unsigned emit_flags) {
  if (!redis_conn_is_up(c->pub)) return SIO_EIO;
  sbuf channel = SBUF_INIT;
  sbuf *msg = &c->out;
  sbuf_reset(msg);
  const char *nsp = t->nsp ? t->nsp : "/";
  /* A broadcast to one room goes to that room's channel, as the Node
   * adapter publishes it. */
  int rc = t->nrooms == 1 ? sbuf_printf(&channel, "%s#%s#%s#", c->o.key, nsp, t->rooms[0])
                          : sbuf_printf(&channel, "%s#%s#", c->o.key, nsp);
  if (!rc) rc = adapter_encode_broadcast(msg, c->uid, p, t, emit_flags);
  if (!rc) {
    const char *argv[3] = {"PUBLISH", channel.data, msg->data};
    size_t lens[3] = {7, channel.len, msg->len};
    rc = redis_conn_send(c->pub, NULL, NULL, 3, argv, lens) ? SIO_EIO : 0;
  } else {
    rc = SIO_ENOMEM;
  }
  sbuf_free(&channel);
  if (msg->cap > SCRATCH_KEPT) sbuf_free(msg);
  return rc;
}

void cluster_close(cluster *c) {
  if (c->closing) return;
  c->closing = 1;
  c->srv->cluster = NULL;
  redis_conn_close(c->pub);
  redis_conn_close(c->sub);
}
