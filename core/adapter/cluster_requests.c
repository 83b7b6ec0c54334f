/* Requests of other nodes, answered as the Node adapter answers them: on
 * "<key>-response#<nsp>#" in the classic protocol (its default,
 * publishOnSpecificResponseChannel off), on the requester's own channel in
 * the sharded one. A node's own requests come back to it and are ignored:
 * it has done its part already. */
#include <stdlib.h>
#include <string.h>

#include "../sio/event_decode.h"
#include "../util/json.h"
#include "adapter_codec.h"
#include "cluster_internal.h"
#include "sharded_codec.h"

/* A server-side event the host was asked to acknowledge. Kept until the
 * requester's timeout has surely passed. */
struct sse_wait {
  sse_wait *next;
  int64_t ack_id;
  uint64_t expires;     /* loop time, ms */
  char *nsp;
  char request_id[ID_MAX * 4 + 1];
  char requester[ID_MAX * 4 + 1];
};

typedef struct request {
  cluster *c;
  io_namespace *nsp;
  const char *json;     /* its fields */
  size_t len;
  const char *uid, *id; /* "" when absent */
  long type;
} request;

/* Answers q with members (`,"key":value...`). */
static void respond(const request *q, int classic, int sharded, const sbuf *members) {
  cluster_respond(q->c, q->nsp->name, q->uid, classic, sharded, q->id, members->data, members->len,
                  NULL, 0);
}

/* The opts {rooms, except} of a request as a target on this node only. */
static int read_target(const request *q, sio_target *t, char ***rooms, char ***except) {
  long opts = adapter_json_member(q->json, q->len, "opts");
  const char *o = opts < 0 ? NULL : q->json + opts;
  size_t on = opts < 0 ? 0 : q->len - (size_t)opts;
  *t = (sio_target){sizeof(*t), q->nsp->name, NULL, NULL, 0, NULL, 0, SIO_TARGET_LOCAL};
  *rooms = *except = NULL;
  if (!o) return 0;
  if (adapter_json_strs(o, on, adapter_json_member(o, on, "rooms"), rooms, &t->nrooms)) return -1;
  if (adapter_json_strs(o, on, adapter_json_member(o, on, "except"), except, &t->nexcept)) {
    adapter_strs_free(*rooms, t->nrooms);
    return -1;
  }
  t->rooms = (const char *const *)*rooms;
  t->except = (const char *const *)*except;
  return 0;
}

static void free_target(sio_target *t, char **rooms, char **except) {
  adapter_strs_free(rooms, t->nrooms);
  adapter_strs_free(except, t->nexcept);
}

static void on_fetch(request *q) {
  sio_target t;
  char **rooms, **except;
  if (read_target(q, &t, &rooms, &except)) return;
  sbuf o = SBUF_INIT;
  if ((sbuf_puts(&o, ",\"sockets\":") | io_describe_sockets(q->c->srv, &t, 1, &o)) == 0)
    respond(q, -1, SH_FETCH_SOCKETS_RESPONSE, &o);
  sbuf_free(&o);
  free_target(&t, rooms, except);
}

static void on_rooms_op(request *q) {
  long single = adapter_json_member(q->json, q->len, "sid");
  if (single >= 0) {
    /* The form for one socket: {sid, room}, answered. */
    sbuf sid = SBUF_INIT, room = SBUF_INIT, o = SBUF_INIT;
    io_socket *sock = NULL;
    if (adapter_json_string(q->json, q->len, "sid", &sid) == 0 &&
        adapter_json_string(q->json, q->len, "room", &room) == 0)
      sock = strmap_get(&q->nsp->sockets, sid.data);
    if (sock) {
      if (q->type == REQ_REMOTE_JOIN)
        io_socket_join(sock, room.data);
      else
        io_socket_leave(sock, room.data);
      respond(q, -1, -1, &o);
    }
    sbuf_free(&sid);
    sbuf_free(&room);
    sbuf_free(&o);
    return;
  }
  sio_target t;
  char **rooms, **except, **names;
  size_t n;
  if (read_target(q, &t, &rooms, &except)) return;
  if (adapter_json_strs(q->json, q->len, adapter_json_member(q->json, q->len, "rooms"), &names, &n) == 0) {
    io_join(q->c->srv, &t, names, n, q->type == REQ_REMOTE_LEAVE);
    adapter_strs_free(names, n);
  }
  free_target(&t, rooms, except);
}

static int json_true(const request *q, const char *key) {
  long at = adapter_json_member(q->json, q->len, key);
  return at >= 0 && json_peek(q->json, q->len, (size_t)at) == 't';
}

static void on_disconnect(request *q) {
  sio_target t;
  char **rooms, **except;
  if (read_target(q, &t, &rooms, &except)) return;
  io_disconnect(q->c->srv, &t, json_true(q, "close"));
  free_target(&t, rooms, except);
}

/* The sockets' ids of the rooms asked for (the whole namespace without). */
static void collect_ids(io_socket *const *socks, size_t n, void *arg) {
  sbuf *o = arg;
  for (size_t i = 0; i < n; i++) {
    if (o->data[o->len - 1] != '[') sbuf_putc(o, ',');
    json_write_string(o, socks[i]->sid, strlen(socks[i]->sid));
  }
}

static void on_sockets(request *q) {
  sio_target t = {sizeof(t), q->nsp->name, NULL, NULL, 0, NULL, 0, SIO_TARGET_LOCAL};
  char **rooms;
  if (adapter_json_strs(q->json, q->len, adapter_json_member(q->json, q->len, "rooms"), &rooms, &t.nrooms))
    return;
  t.rooms = (const char *const *)rooms;
  sbuf o = SBUF_INIT;
  if (sbuf_puts(&o, ",\"sockets\":[") == 0) {
    io_select(q->c->srv, &t, collect_ids, &o);
    if (sbuf_putc(&o, ']') == 0) respond(q, -1, -1, &o);
  }
  sbuf_free(&o);
  adapter_strs_free(rooms, t.nrooms);
}

/* Node's adapter.rooms: every room, the sockets' own ones included. */
static void on_all_rooms(request *q) {
  sbuf o = SBUF_INIT;
  int rc = sbuf_puts(&o, ",\"rooms\":[");
  const char *name;
  void *v;
  int first = 1;
  for (size_t i = 0; strmap_next(&q->nsp->rooms, &i, &name, &v); first = 0)
    rc |= (first ? 0 : sbuf_putc(&o, ',')) | json_write_string(&o, name, strlen(name));
  for (size_t i = 0; strmap_next(&q->nsp->sockets, &i, &name, &v); first = 0)
    rc |= (first ? 0 : sbuf_putc(&o, ',')) | json_write_string(&o, name, strlen(name));
  if ((rc | sbuf_putc(&o, ']')) == 0) respond(q, -1, -1, &o);
  sbuf_free(&o);
}

static void forget_expired(cluster *c) {
  uint64_t now = uv_now(&c->srv->ctx->loop);
  for (sse_wait **p = &c->sse_waits; *p;) {
    sse_wait *w = *p;
    if (w->expires > now) {
      p = &w->next;
      continue;
    }
    *p = w->next;
    free(w->nsp);
    free(w);
  }
}

/* The event and its arguments: the classic request's "data", the sharded
 * one's "packet". */
static const char *sse_member(const cluster *c) { return c->o.sharded ? "packet" : "data"; }

static void on_server_side_emit(request *q) {
  cluster *c = q->c;
  long at = adapter_json_member(q->json, q->len, sse_member(c));
  long end = at < 0 ? -1 : json_skip_value(q->json, q->len, (size_t)at);
  if (end < 0) return;
  ev_rec *r = ev_new(SIO_EV_SERVER_SIDE_EVENT);
  if (!r) return;
  sbuf scratch = SBUF_INIT;
  int rc = event_decode(r, q->json + at, (size_t)(end - at), &scratch) ||
           ev_set_str(r, &r->ev.nsp, q->nsp->name);
  sbuf_free(&scratch);
  if (rc) {
    ev_free(r);
    return;
  }
  if (q->id[0]) {
    forget_expired(c);
    sse_wait *w = calloc(1, sizeof(*w));
    if (!w || strlen(q->id) >= sizeof w->request_id || strlen(q->uid) >= sizeof w->requester ||
        !(w->nsp = strdup(q->nsp->name))) {
      free(w);
      ev_free(r);
      return;
    }
    strcpy(w->request_id, q->id);
    strcpy(w->requester, q->uid);
    w->ack_id = r->ev.ack_id = c->next_sse_ack++;
    /* The requester waits requestsTimeout (its own, likely the same). */
    w->expires = uv_now(&c->srv->ctx->loop) + c->o.requests_timeout;
    w->next = c->sse_waits;
    c->sse_waits = w;
  }
  io_post(c->srv, r);
}

int cluster_server_side_ack(cluster *c, int64_t ack_id, const char *args, size_t len) {
  sse_wait **p = &c->sse_waits;
  while (*p && (*p)->ack_id != ack_id) p = &(*p)->next;
  sse_wait *w = *p;
  if (!w) return SIO_ENOTFOUND;
  *p = w->next;
  /* Only one argument is expected, as the Node adapter's callback takes. */
  sbuf o = SBUF_INIT;
  int rc = sbuf_printf(&o, ",\"%s\":", sse_member(c));
  size_t i = 1;
  while (i < len && (args[i] == ' ' || args[i] == '\n' || args[i] == '\t' || args[i] == '\r')) i++;
  long end = i < len && args[i] != ']' ? json_skip_value(args, len, i) : -1;
  rc |= end < 0 ? sbuf_puts(&o, "null") : sbuf_append(&o, args + i, (size_t)end - i);
  if (!rc)
    cluster_respond(c, w->nsp, w->requester, REQ_SERVER_SIDE_EMIT, SH_SERVER_SIDE_EMIT_RESPONSE,
                    w->request_id, o.data, o.len, NULL, 0);
  sbuf_free(&o);
  free(w->nsp);
  free(w);
  return 0;
}

void cluster_serve_request(cluster *c, io_namespace *nsp, long type, const char *json, size_t len,
                           const char *uid, const char *id) {
  if (strcmp(uid, c->uid) == 0) return;
  request q = {c, nsp, json, len, uid, id, type};
  switch (type) {
    case REQ_SOCKETS: on_sockets(&q); break;
    case REQ_ALL_ROOMS: on_all_rooms(&q); break;
    case REQ_REMOTE_JOIN:
    case REQ_REMOTE_LEAVE: on_rooms_op(&q); break;
    case REQ_REMOTE_DISCONNECT: on_disconnect(&q); break;
    case REQ_REMOTE_FETCH: on_fetch(&q); break;
    case REQ_SERVER_SIDE_EMIT: on_server_side_emit(&q); break;
    default: break;
  }
}

void cluster_on_request(cluster *c, io_namespace *nsp, const char *msg, size_t len) {
  sbuf json = SBUF_INIT, uid = SBUF_INIT, id = SBUF_INIT;
  sio_attachment *bins;
  size_t nbins;
  if (adapter_message_json(msg, len, c->srv->eio.opts.max_payload, &json, &bins, &nbins)) return;
  long type = -1;
  long at = adapter_json_member(json.data, json.len, "type");
  if (at >= 0 && json_peek(json.data, json.len, (size_t)at) == '0') type = strtol(json.data + at, NULL, 10);
  adapter_json_string(json.data, json.len, "uid", &uid);
  adapter_json_string(json.data, json.len, "requestId", &id);
  if (sbuf_puts(&uid, "") == 0 && sbuf_puts(&id, "") == 0) {
    if (type == REQ_BROADCAST) {
      if (strcmp(uid.data, c->uid) != 0) cluster_on_broadcast_request(c, nsp, msg, len);
    } else {
      cluster_serve_request(c, nsp, type, json.data, json.len, uid.data, id.data);
    }
  }
  for (size_t i = 0; i < nbins; i++) free(bins[i].data);
  free(bins);
  sbuf_free(&json);
  sbuf_free(&uid);
  sbuf_free(&id);
}

void cluster_requests_close(cluster *c) {
  while (c->sse_waits) {
    sse_wait *w = c->sse_waits;
    c->sse_waits = w->next;
    free(w->nsp);
    free(w);
  }
}
