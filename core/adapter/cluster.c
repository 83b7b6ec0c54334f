#include <stdlib.h>
#include <string.h>

#include "../util/random_bytes.h"
#include "adapter_codec.h"
#include "cluster_internal.h"

void cluster_options_free(cluster_options *o) {
  redis_url_free(&o->url);
  free(o->key);
  o->key = NULL;
}

void cluster_new_id(const cluster *c, char id[ID_MAX + 1]) {
  if (c->o.sharded) {
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[ID_MAX / 2] = {0};
    random_bytes(bytes, sizeof bytes);
    for (size_t i = 0; i < sizeof bytes; i++) {
      id[2 * i] = hex[bytes[i] >> 4];
      id[2 * i + 1] = hex[bytes[i] & 15];
    }
    id[ID_MAX] = 0;
    return;
  }
  char random[RANDOM_ID_LEN + 1];
  random_id(random);
  memcpy(id, random, 6);
  id[6] = 0;
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
    io_emit_packet(c->srv, &t, &b.packet, b.flags, NULL);
  }
  adapter_broadcast_free(&b);
}

/* A message on "<key>-request#<nsp>#" or "<key>-response#<nsp>#...". */
static void on_message(cluster *c, const redisReply *channel, const redisReply *payload) {
  size_t klen = strlen(c->o.key);
  const char *ch = channel->str;
  if (channel->len <= klen || memcmp(ch, c->o.key, klen) != 0) return;
  static const char req[] = "-request#", resp[] = "-response#";
  if (strncmp(ch + klen, resp, sizeof resp - 1) == 0) {
    cluster_on_response(c, payload->str, payload->len);
    return;
  }
  if (strncmp(ch + klen, req, sizeof req - 1) != 0) return;
  const char *name = ch + klen + sizeof req - 1;
  size_t n = channel->len - (size_t)(name - ch);
  if (n < 2 || name[n - 1] != '#') return;
  sbuf nsp = SBUF_INIT;
  io_namespace *ns = sbuf_append(&nsp, name, n - 1) ? NULL : io_namespace_get(c->srv, nsp.data, 0, 0);
  sbuf_free(&nsp);
  if (ns) cluster_on_request(c, ns, payload->str, payload->len);
}

/* Every subscription's replies: confirmations, then ["message", channel,
 * payload] or ["pmessage", pattern, channel, payload]. */
static void on_sub_reply(redisAsyncContext *ac, void *reply, void *priv) {
  (void)ac;
  cluster *c = priv;
  redisReply *r = reply;
  if (!r || c->closing || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
  for (size_t i = 0; i < r->elements; i++)
    if (r->element[i]->type != REDIS_REPLY_STRING && r->element[i]->type != REDIS_REPLY_INTEGER)
      return;
  const char *kind = r->element[0]->str;
  if (strcmp(kind, "pmessage") == 0 && r->elements == 4)
    on_broadcast(c, r->element[3]->str, r->element[3]->len);
  else if (strcmp(kind, "message") == 0 && r->elements == 3 &&
           r->element[2]->type == REDIS_REPLY_STRING)
    on_message(c, r->element[1], r->element[2]);
}

/* ---- subscriptions --------------------------------------------------------- */

static int subscribe(cluster *c, const char *cmd, const char *channel) {
  const char *argv[2] = {cmd, channel};
  size_t lens[2] = {strlen(cmd), strlen(channel)};
  return redis_conn_send(c->sub, on_sub_reply, c, 2, argv, lens);
}

/* As the Node adapter: the broadcasts' pattern, the requests, the
 * responses, and the responses meant for this node alone. */
static void subscribe_namespace(cluster *c, const char *nsp) {
  sbuf *o = &c->out;
  sbuf_reset(o);
  if (sbuf_printf(o, "%s#%s#*", c->o.key, nsp) == 0) subscribe(c, "PSUBSCRIBE", o->data);
  if (cluster_channel(c, "-request", nsp, o) == 0) subscribe(c, "SUBSCRIBE", o->data);
  if (cluster_channel(c, "-response", nsp, o) == 0) subscribe(c, "SUBSCRIBE", o->data);
  if (cluster_channel(c, "-response", nsp, o) == 0 && sbuf_printf(o, "%s#", c->uid) == 0)
    subscribe(c, "SUBSCRIBE", o->data);
}

void cluster_namespace_added(cluster *c, io_namespace *nsp) {
  if (c->sub && redis_conn_is_up(c->sub)) subscribe_namespace(c, nsp->name);
  if (c->shard) cluster_sharded_start(c);
}

/* ---- connections ----------------------------------------------------------- */

static void check_up(cluster *c) {
  if (redis_conn_is_up(c->pub) &&
      (c->sub ? redis_conn_is_up(c->sub) : redis_shard_sub_is_up(c->shard)))
    post_state(c, 1, NULL);
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

static void on_conn_closed(redis_conn *rc) { cluster_unref(redis_conn_data(rc)); }

void cluster_unref(cluster *c) {
  if (--c->live) return;
  io_server *s = c->srv;
  cluster_options_free(&c->o);
  sbuf_free(&c->out);
  free(c);
  io_server_collect_gone(s);
}

static const redis_conn_events conn_events = {on_conn_up, on_conn_down, on_conn_closed};

static void on_shard_up(redis_shard_sub *sub) { check_up(redis_shard_sub_data(sub)); }

static void on_shard_down(redis_shard_sub *sub, const char *why) {
  post_state(redis_shard_sub_data(sub), 0, why);
}

static void on_shard_closed(redis_shard_sub *sub) { cluster_unref(redis_shard_sub_data(sub)); }

static const redis_shard_sub_events shard_events = {on_shard_up, on_shard_down,
                                                    cluster_sharded_message, on_shard_closed};

int cluster_start(io_server *s, cluster_options *o) {
  cluster *c = calloc(1, sizeof(*c));
  if (!c) return UV_ENOMEM;
  c->srv = s;
  c->o.sharded = o->sharded;
  cluster_new_id(c, c->uid);
  uv_loop_t *loop = &s->ctx->loop;
  c->pub = redis_conn_new(loop, &o->url, &conn_events, c);
  if (c->pub && o->sharded)
    c->shard = redis_shard_sub_new(loop, &o->url, &shard_events, c);
  else if (c->pub)
    c->sub = redis_conn_new(loop, &o->url, &conn_events, c);
  if (!c->sub && !c->shard) {
    if (c->pub) {
      c->live = 1;
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
  c->live = 2;
  /* Counted with the acknowledgement collections: the server is not gone
   * before its connections are. */
  s->collects++;
  s->cluster = c;
  if (c->shard && cluster_sharded_start(c)) {
    cluster_close(c);
    return UV_ENOMEM;
  }
  return 0;
}

int cluster_broadcast(cluster *c, const sio_target *t, const sio_packet *p, unsigned emit_flags) {
  if (!redis_conn_is_up(c->pub)) return SIO_EIO;
  if (c->o.sharded) return cluster_sharded_broadcast(c, t, p, emit_flags);
  sbuf channel = SBUF_INIT;
  sbuf *msg = &c->out;
  sbuf_reset(msg);
  const char *nsp = t->nsp ? t->nsp : "/";
  /* A broadcast to one room goes to that room's channel, as the Node
   * adapter publishes it. */
  int rc = t->nrooms == 1 ? sbuf_printf(&channel, "%s#%s#%s#", c->o.key, nsp, t->rooms[0])
                          : sbuf_printf(&channel, "%s#%s#", c->o.key, nsp);
  if (!rc) rc = adapter_encode_broadcast(msg, c->uid, p, t, emit_flags);
  rc = rc ? SIO_ENOMEM : cluster_publish(c, channel.data, msg->data, msg->len);
  sbuf_free(&channel);
  if (msg->cap > SCRATCH_KEPT) sbuf_free(msg);
  return rc;
}

void cluster_close(cluster *c) {
  if (c->closing) return;
  c->closing = 1;
  c->srv->cluster = NULL;
  cluster_calls_close(c);
  cluster_requests_close(c);
  redis_conn_close(c->pub);
  if (c->sub) redis_conn_close(c->sub);
  if (c->shard) redis_shard_sub_close(c->shard);
}
