/* This node's requests to the others (fetchSockets, serverSideEmit with
 * acks) and their answers, as the Node adapter asks: first PUBSUB NUMSUB
 * (SHARDNUMSUB) of the namespace's request channel says how many nodes
 * listen, then the request goes out and waits for one answer per other
 * node, at most adapter.requestsTimeout. The fire-and-forget ones (socketsJoin,
 * socketsLeave, disconnectSockets, serverSideEmit without ack) are here too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sio/event_decode.h"
#include "../util/json.h"
#include "adapter_codec.h"
#include "cluster_internal.h"
#include "sharded_codec.h"

struct cluster_call {
  cluster_call *next;
  cluster *c;
  char id[ID_MAX + 1];
  int type;             /* REQ_REMOTE_FETCH or REQ_SERVER_SIDE_EMIT */
  uint64_t req;
  char *nsp;
  char *request;        /* the JSON sent once NUMSUB has answered */
  long expected;        /* answers awaited; -1 until NUMSUB answers */
  long got;
  sbuf items;           /* the answers' items, comma-separated */
  uv_timer_t timer;
  int refs;             /* the timer, and NUMSUB's reply while it is due */
  int done;
};

static void call_unref(cluster_call *k) {
  if (--k->refs) return;
  cluster *c = k->c;
  free(k->nsp);
  free(k->request);
  sbuf_free(&k->items);
  free(k);
  cluster_unref(c);
}

static void on_timer_closed(uv_handle_t *h) { call_unref(h->data); }

/* The answer for the host; err != 0 names what went wrong. */
static void finish(cluster_call *k, int err, const char *why) {
  if (k->done) return;
  k->done = 1;
  cluster_call **p = &k->c->calls;
  while (*p != k) p = &(*p)->next;
  *p = k->next;
  uv_close((uv_handle_t *)&k->timer, on_timer_closed);
  io_server *s = k->c->srv;
  if (k->type == REQ_REMOTE_FETCH && err) {
    io_post_error(s, k->req, err, why);
    return;
  }
  ev_rec *r = ev_new(k->type == REQ_REMOTE_FETCH ? SIO_EV_SOCKETS : SIO_EV_ACK);
  if (!r) return;
  r->ev.req = k->req;
  r->ev.err = err;
  if (k->type == REQ_SERVER_SIDE_EMIT) r->ev.flags = SIO_EVF_BROADCAST;
  if ((err && ev_set_str(r, &r->ev.reason, why)) || sbuf_putc(&k->items, ']')) {
    ev_free(r);
    return;
  }
  size_t len;
  char *data = sbuf_detach(&k->items, &len);
  if (!data) {
    ev_drop(r);
    return;
  }
  ev_take_data(r, data, len);
  io_post(s, r);
}

static void on_timeout(uv_timer_t *t) {
  cluster_call *k = t->data;
  char why[160];
  /* The classic adapter's fetchSockets says it its own way. */
  if (k->type == REQ_REMOTE_FETCH && !k->c->o.sharded)
    snprintf(why, sizeof why, "timeout reached while waiting for fetchSockets response");
  else
    snprintf(why, sizeof why, "timeout reached: only %ld responses received out of %ld", k->got,
             k->expected < 0 ? 0 : k->expected);
  finish(k, SIO_ETIMEDOUT, why);
}

static void answered(cluster_call *k) {
  if (k->expected >= 0 && k->got >= k->expected) finish(k, 0, NULL);
}

static void on_numsub(redisAsyncContext *ac, void *reply, void *priv) {
  (void)ac;
  cluster_call *k = priv;
  redisReply *r = reply;
  if (!k->done && r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
      r->element[1]->type == REDIS_REPLY_INTEGER) {
    /* Every node listening, this one included. */
    k->expected = (long)r->element[1]->integer - 1;
    if (k->expected > 0) cluster_send_request(k->c, k->nsp, k->request, strlen(k->request));
    answered(k);
  }
  /* Without an answer (Redis went away), the timeout ends the call. */
  call_unref(k);
}

/* Starts a call whose request text is request (taken). */
static int call_start(cluster *c, int type, const char *id, const char *nsp, char *request,
                      const char *first_items, uint64_t req) {
  cluster_call *k = calloc(1, sizeof(*k));
  if (!k || !(k->nsp = strdup(nsp)) || sbuf_putc(&k->items, '[') ||
      (first_items && sbuf_puts(&k->items, first_items))) {
    if (k) {
      free(k->nsp);
      sbuf_free(&k->items);
    }
    free(k);
    free(request);
    return SIO_ENOMEM;
  }
  k->c = c;
  k->type = type;
  k->req = req;
  k->request = request;
  k->expected = -1;
  memcpy(k->id, id, sizeof k->id);
  k->refs = 1;
  c->live++;
  k->next = c->calls;
  c->calls = k;
  uv_timer_init(&c->srv->ctx->loop, &k->timer);
  k->timer.data = k;
  uv_timer_start(&k->timer, on_timeout, c->o.requests_timeout, 0);
  if (cluster_count_nodes(c, nsp, on_numsub, k) == 0) k->refs++;
  return 0;
}

static int write_strs(sbuf *o, const char *const *v, size_t n) {
  int rc = sbuf_putc(o, '[');
  for (size_t i = 0; i < n; i++)
    rc |= (i ? sbuf_putc(o, ',') : 0) | json_write_string(o, v[i], strlen(v[i]));
  return rc | sbuf_putc(o, ']');
}

/* The "opts" member (`,"opts":{"rooms","except"}`, sharded: "flags" too). */
static int write_opts(const cluster *c, sbuf *o, const sio_target *t) {
  return sbuf_puts(o, ",\"opts\":{\"rooms\":") | write_strs(o, t->rooms, t->nrooms) |
         sbuf_puts(o, ",\"except\":") | write_strs(o, t->except, t->nexcept) |
         (c->o.sharded ? sbuf_puts(o, ",\"flags\":{}") : 0) | sbuf_putc(o, '}');
}

int cluster_fetch(cluster *c, const sio_target *t, char *local, size_t len, uint64_t req) {
  char id[ID_MAX + 1];
  cluster_new_id(c, id);
  const char *nsp = t->nsp ? t->nsp : "/";
  sbuf m = SBUF_INIT, o = SBUF_INIT;
  int rc = write_opts(c, &m, t) ||
           cluster_request_text(c, &o, REQ_REMOTE_FETCH, SH_FETCH_SOCKETS, id, nsp, m.data, m.len);
  /* The local array without its closing bracket: the others' follow. */
  if (!rc && len >= 2) local[len - 1] = 0;
  rc = rc ? SIO_ENOMEM
          : call_start(c, REQ_REMOTE_FETCH, id, nsp, sbuf_detach(&o, NULL), local + 1, req);
  sbuf_free(&m);
  sbuf_free(&o);
  free(local);
  return rc;
}

/* A request nobody answers. */
static void tell(cluster *c, int classic, int sharded, const char *nsp, const sbuf *members) {
  sbuf o = SBUF_INIT;
  if (cluster_request_text(c, &o, classic, sharded, NULL, nsp, members->data, members->len) == 0)
    cluster_send_request(c, nsp, o.data, o.len);
  sbuf_free(&o);
}

void cluster_rooms_op(cluster *c, const sio_target *t, char *const *rooms, size_t n, int leave) {
  sbuf m = SBUF_INIT;
  if ((write_opts(c, &m, t) | sbuf_puts(&m, ",\"rooms\":") |
       write_strs(&m, (const char *const *)rooms, n)) == 0)
    tell(c, leave ? REQ_REMOTE_LEAVE : REQ_REMOTE_JOIN, leave ? SH_SOCKETS_LEAVE : SH_SOCKETS_JOIN,
         t->nsp ? t->nsp : "/", &m);
  sbuf_free(&m);
}

void cluster_disconnect(cluster *c, const sio_target *t, int close) {
  sbuf m = SBUF_INIT;
  if ((write_opts(c, &m, t) | sbuf_puts(&m, close ? ",\"close\":true" : ",\"close\":false")) == 0)
    tell(c, REQ_REMOTE_DISCONNECT, SH_DISCONNECT_SOCKETS, t->nsp ? t->nsp : "/", &m);
  sbuf_free(&m);
}

int cluster_server_side_emit(cluster *c, const char *event, const char *args, size_t len,
                             int with_ack, uint64_t req) {
  char id[ID_MAX + 1];
  cluster_new_id(c, id);
  /* The event and its arguments: the classic request's "data", the
   * sharded one's "packet". */
  sbuf m = SBUF_INIT, o = SBUF_INIT;
  int rc = sbuf_printf(&m, ",\"%s\":", c->o.sharded ? "packet" : "data") |
           json_event_join(&m, event, args, len);
  if (!rc)
    rc = cluster_request_text(c, &o, REQ_SERVER_SIDE_EMIT, SH_SERVER_SIDE_EMIT, with_ack ? id : NULL,
                              "/", m.data, m.len);
  sbuf_free(&m);
  if (rc) {
    sbuf_free(&o);
    return SIO_ENOMEM;
  }
  if (with_ack) return call_start(c, REQ_SERVER_SIDE_EMIT, id, "/", sbuf_detach(&o, NULL), NULL, req);
  rc = cluster_send_request(c, "/", o.data, o.len);
  sbuf_free(&o);
  return rc;
}

/* Appends the items of the array at json[i] to the call's, each socket
 * object marked "remote":true for fetchSockets. */
static void take_items(cluster_call *k, const char *json, size_t n, long i, int mark_remote) {
  if (i < 0 || json_peek(json, n, (size_t)i) != '[') return;
  size_t at = (size_t)i + 1;
  for (;;) {
    while (at < n && json[at] != ']' && (json[at] == ',' || json[at] == ' ' || json[at] == '\n'))
      at++;
    if (at >= n || json[at] == ']') return;
    long end = json_skip_value(json, n, at);
    if (end < 0) return;
    if (k->items.len > 1) sbuf_putc(&k->items, ',');
    if (mark_remote && json[at] == '{') {
      sbuf_puts(&k->items, "{\"remote\":true,\"nsp\":");
      json_write_string(&k->items, k->nsp, strlen(k->nsp));
      size_t body = at + 1;
      while (body < n && (json[body] == ' ' || json[body] == '\n')) body++;
      if (json[body] != '}') sbuf_putc(&k->items, ',');
      sbuf_append(&k->items, json + body, (size_t)end - body);
    } else {
      sbuf_append(&k->items, json + at, (size_t)end - at);
    }
    at = (size_t)end;
  }
}

void cluster_take_response(cluster *c, long type, const char *json, size_t len, const char *id,
                           sio_attachment *bins, size_t nbins) {
  if (cluster_broadcast_response(c, type, json, len, id, bins, nbins)) {
    bins = NULL;
    nbins = 0;
  }
  cluster_call *k = c->calls;
  while (k && strcmp(k->id, id) != 0) k = k->next;
  if (k && k->type == REQ_REMOTE_FETCH) {
    take_items(k, json, len, adapter_json_member(json, len, "sockets"), 1);
    k->got++;
    answered(k);
  } else if (k && k->type == REQ_SERVER_SIDE_EMIT) {
    long at = adapter_json_member(json, len, c->o.sharded ? "packet" : "data");
    long end = at < 0 ? -1 : json_skip_value(json, len, (size_t)at);
    if (k->items.len > 1) sbuf_putc(&k->items, ',');
    if (end < 0)
      sbuf_puts(&k->items, "null");
    else
      sbuf_append(&k->items, json + at, (size_t)(end - at));
    k->got++;
    answered(k);
  }
  for (size_t i = 0; i < nbins; i++) free(bins[i].data);
  free(bins);
}

void cluster_on_response(cluster *c, const char *msg, size_t len) {
  sbuf json = SBUF_INIT, id = SBUF_INIT;
  sio_attachment *bins;
  size_t nbins;
  if (adapter_message_json(msg, len, c->srv->eio.opts.max_payload, &json, &bins, &nbins)) return;
  if (adapter_json_string(json.data, json.len, "requestId", &id) == 0) {
    long type = -1;
    long at = adapter_json_member(json.data, json.len, "type");
    if (at >= 0 && json_peek(json.data, json.len, (size_t)at) == '0')
      type = strtol(json.data + at, NULL, 10);
    cluster_take_response(c, type, json.data, json.len, id.data, bins, nbins);
  } else {
    for (size_t i = 0; i < nbins; i++) free(bins[i].data);
    free(bins);
  }
  sbuf_free(&json);
  sbuf_free(&id);
}

void cluster_calls_close(cluster *c) {
  while (c->calls) finish(c->calls, SIO_ECLOSED, "the server is closed");
}
