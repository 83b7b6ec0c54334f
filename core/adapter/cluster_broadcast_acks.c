/* Broadcasts with acknowledgements across the cluster, as the Node adapter
 * does them: the broadcast is a BROADCAST request; every node delivers it,
 * answers BROADCAST_CLIENT_COUNT with the number of its clients that now
 * owe an answer, then one BROADCAST_ACK per answer. The asking node waits
 * for as many counts as PUBSUB NUMSUB (SHARDNUMSUB) says nodes listen, then
 * for every client counted, or until the emit's timeout. The sharded
 * protocol's BROADCAST with a requestId is this request. */
#include <stdlib.h>
#include <string.h>

#include "../util/json.h"
#include "adapter_codec.h"
#include "cluster_internal.h"
#include "sharded_codec.h"

/* A client count past this is taken for garbage: each is one expect. */
#define MAX_REMOTE_CLIENTS 10000000L

struct ack_bcast {
  ack_bcast *next;
  cluster *c;
  char id[ID_MAX + 1];
  io_ack_collect *collect; /* NULL once gathering ended */
  long servers;            /* the other nodes (NUMSUB - 1), -1 until known */
  long counted;            /* BROADCAST_CLIENT_COUNT answers so far */
  long held;               /* expects held for nodes that have not counted */
  long remote_expected, remote_answered;
  int refs;                /* the collect, NUMSUB's reply */
};

static void bcast_unref(ack_bcast *b) {
  if (--b->refs) return;
  cluster *c = b->c;
  free(b);
  cluster_unref(c);
}

static void on_gathered(void *arg) {
  ack_bcast *b = arg;
  b->collect = NULL;
  ack_bcast **p = &b->c->ack_bcasts;
  while (*p != b) p = &(*p)->next;
  *p = b->next;
  bcast_unref(b);
}

static void expect_n(io_ack_collect *k, long n) {
  for (long i = 0; i < n; i++) io_ack_collect_expect(k);
}

static void on_numsub(redisAsyncContext *ac, void *reply, void *priv) {
  (void)ac;
  ack_bcast *b = priv;
  redisReply *r = reply;
  io_ack_collect *k = b->collect;
  if (k) {
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[1]->type == REDIS_REPLY_INTEGER) {
      b->servers = (long)r->element[1]->integer - 1;
      b->held = b->servers > b->counted ? b->servers - b->counted : 0;
      expect_n(k, b->held);
    }
    /* The hold for this reply; without one (Redis went away) the nodes
     * that counted already are all that is waited for. */
    io_ack_collect_unexpect(k);
  }
  bcast_unref(b);
}

int cluster_broadcast_ack(cluster *c, const sio_target *t, const sio_packet *p, unsigned emit_flags,
                          int timeout_ms, io_ack_collect *collect) {
  if (!redis_conn_is_up(c->pub)) return SIO_EIO;
  ack_bcast *b = calloc(1, sizeof(*b));
  if (!b) return SIO_ENOMEM;
  b->c = c;
  b->servers = -1;
  cluster_new_id(c, b->id);
  const char *nsp = t->nsp ? t->nsp : "/";
  sbuf data = SBUF_INIT, *msg = &c->out;
  sbuf_reset(msg);
  int rc = 0;
  if (c->o.sharded)
    rc = sharded_broadcast_data(&data, p, t, emit_flags, b->id, timeout_ms) ||
         sharded_encode(msg, SH_BROADCAST, data.data, data.len, p->bins, p->nbins, c->uid, nsp);
  else
    rc = adapter_encode_broadcast_request(msg, c->uid, b->id, p, t, emit_flags, timeout_ms);
  sbuf_free(&data);
  if (rc)
    rc = SIO_ENOMEM;
  else if (cluster_count_nodes(c, nsp, on_numsub, b))
    rc = SIO_EIO;
  if (!rc) {
    b->collect = collect;
    b->refs = 2;
    c->live++;
    b->next = c->ack_bcasts;
    c->ack_bcasts = b;
    /* Held until NUMSUB answers: the collection cannot end before. */
    io_ack_collect_expect(collect);
    io_ack_collect_hooks(collect, on_gathered, NULL, b);
    cluster_send_request(c, nsp, msg->data, msg->len);
  } else {
    free(b);
  }
  if (msg->cap > SCRATCH_KEPT) sbuf_free(msg);
  return rc;
}

static long json_long(const char *json, size_t len, const char *key) {
  long at = adapter_json_member(json, len, key);
  if (at < 0 || json_peek(json, len, (size_t)at) != '0') return -1;
  return strtol(json + at, NULL, 10);
}

int cluster_broadcast_response(cluster *c, long type, const char *json, size_t len,
                               const char *request_id, sio_attachment *bins, size_t nbins) {
  ack_bcast *b = c->ack_bcasts;
  while (b && strcmp(b->id, request_id) != 0) b = b->next;
  if (!b) return 0;
  if (type == REQ_BROADCAST_CLIENT_COUNT) {
    long n = json_long(json, len, "clientCount");
    if (n < 0 || n > MAX_REMOTE_CLIENTS) return 0;
    b->counted++;
    b->remote_expected += n;
    io_ack_collect *k = b->collect;
    expect_n(k, n);
    if (b->servers >= 0 && b->held > 0) {
      b->held--;
      io_ack_collect_unexpect(k);
    }
    return 0;
  }
  if (type != REQ_BROADCAST_ACK || b->remote_answered >= b->remote_expected) return 0;
  /* Its one argument, as an argument list. */
  long at = adapter_json_member(json, len, "packet");
  long end = at < 0 ? -1 : json_skip_value(json, len, (size_t)at);
  sbuf args = SBUF_INIT;
  if (sbuf_putc(&args, '[') || (end > at && sbuf_append(&args, json + at, (size_t)(end - at))) ||
      sbuf_putc(&args, ']')) {
    sbuf_free(&args);
    return 0;
  }
  b->remote_answered++;
  io_ack_collect_response(b->collect, args.data, args.len, bins, nbins);
  sbuf_free(&args);
  return 1;
}

/* ---- another node's broadcast ---------------------------------------------- */

typedef struct forward {
  cluster *c;
  char *nsp;
  char *request_id;
  char *requester;
} forward;

/* The first of a client's answer's arguments, as the Node adapter's
 * callback takes it, as a "packet" member (null when there is none). */
static int first_arg_member(sbuf *o, const char *json, size_t len) {
  size_t i = 1;
  while (i < len && (json[i] == ' ' || json[i] == '\n' || json[i] == '\t' || json[i] == '\r')) i++;
  long end = i < len && json[i] != ']' ? json_skip_value(json, len, i) : -1;
  return sbuf_puts(o, ",\"packet\":") |
         (end < 0 ? sbuf_puts(o, "null") : sbuf_append(o, json + i, (size_t)end - i));
}

static void on_client_answer(void *arg, const char *json, size_t len, sio_attachment *bins,
                             size_t nbins) {
  forward *f = arg;
  cluster *c = f->c;
  sbuf o = SBUF_INIT, channel = SBUF_INIT;
  if (c->o.sharded) {
    if (first_arg_member(&o, json, len) == 0)
      cluster_respond(c, f->nsp, f->requester, REQ_BROADCAST_ACK, SH_BROADCAST_ACK, f->request_id,
                      o.data, o.len, bins, nbins);
  } else if (adapter_encode_broadcast_ack(&o, f->request_id, json, len, bins, nbins) == 0 &&
             cluster_channel(c, "-response", f->nsp, &channel) == 0) {
    cluster_publish(c, channel.data, o.data, o.len);
  }
  sbuf_free(&o);
  sbuf_free(&channel);
  for (size_t i = 0; i < nbins; i++) free(bins[i].data);
  free(bins);
}

static void on_forward_end(void *arg) {
  forward *f = arg;
  cluster *c = f->c;
  free(f->nsp);
  free(f->request_id);
  free(f->requester);
  free(f);
  cluster_unref(c);
}

void cluster_on_broadcast_request(cluster *c, io_namespace *nsp, const char *msg, size_t len) {
  adapter_broadcast b;
  if (adapter_decode_broadcast_request(msg, len, c->srv->eio.opts.max_payload, &b) == 0)
    cluster_forward_broadcast(c, nsp, &b);
}

void cluster_forward_broadcast(cluster *c, io_namespace *nsp, adapter_broadcast *bp) {
  adapter_broadcast b = *bp;
  forward *f = strcmp(b.uid, c->uid) != 0 ? calloc(1, sizeof(*f)) : NULL;
  long timeout = b.timeout > 0 ? b.timeout : (long)c->o.requests_timeout;
  io_ack_collect *k = NULL;
  if (f && (f->nsp = strdup(nsp->name)) && (f->request_id = strdup(b.request_id)) &&
      (f->requester = strdup(b.uid)))
    k = io_ack_collect_new(c->srv, 0, (int)timeout);
  if (!k) {
    if (f) {
      free(f->nsp);
      free(f->request_id);
      free(f->requester);
    }
    free(f);
    adapter_broadcast_free(&b);
    return;
  }
  f->c = c;
  c->live++;
  io_ack_collect_hooks(k, on_forward_end, on_client_answer, f);
  sio_target t = {sizeof(t), nsp->name, NULL, (const char *const *)b.rooms, b.nrooms,
                  (const char *const *)b.except, b.nexcept, SIO_TARGET_LOCAL};
  long count = io_emit_packet(c->srv, &t, &b.packet, b.flags, k);
  sbuf o = SBUF_INIT;
  if (sbuf_printf(&o, ",\"clientCount\":%ld", count) == 0)
    cluster_respond(c, nsp->name, b.uid, REQ_BROADCAST_CLIENT_COUNT, SH_BROADCAST_CLIENT_COUNT,
                    b.request_id, o.data, o.len, NULL, 0);
  sbuf_free(&o);
  io_ack_collect_start(k);
  adapter_broadcast_free(&b);
}
