/* One namespace of the client (socket.io-client's Socket): joining with
 * auth and the recovery state, the server's answers, incoming events, and
 * leaving. Outgoing emits and their acknowledgements are in client_emit.c. */
#include <stdlib.h>
#include <string.h>

#include "../../util/json.h"
#include "client_manager.h"
#include "../event_decode.h"

/* What socket.io-client reports when a CONNECT reply has no sid. */
#define V2_SERVER_MESSAGE                                                              \
  "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, " \
  "but they are not compatible (more information here: "                             \
  "https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"

cl_socket *cl_socket_new(cl_manager *m, const char *nsp, const char *auth) {
  cl_socket *s = calloc(1, sizeof(*s));
  cl_socket **list = realloc(m->sockets, (m->nsockets + 1) * sizeof(*list));
  if (list) m->sockets = list;
  if (!s || !list || !(s->nsp = strdup(nsp)) || (auth && !(s->auth = strdup(auth)))) {
    if (s) free(s->nsp);
    free(s);
    return NULL;
  }
  s->mgr = m;
  m->sockets[m->nsockets++] = s;
  return s;
}

static void free_emits(cl_emit *e) {
  while (e) {
    cl_emit *next = e->next;
    for (size_t i = 0; i < e->nbins; i++) free(e->bins[i].data);
    free(e->bins);
    free(e->data);
    free(e);
    e = next;
  }
}

void cl_socket_free(cl_socket *s) {
  free_emits(s->buffer);
  free_emits(s->queue);
  /* After the loop thread ended: the table is not kept up any more. */
  for (ack_wait *w = s->acks.head; w;) {
    ack_wait *next = w->next;
    free(w);
    w = next;
  }
  free(s->nsp);
  free(s->auth);
  free(s->sid);
  free(s->pid);
  free(s->offset);
  free(s);
}

/* An event about this socket, with its namespace and current id. */
static ev_rec *socket_event(cl_socket *s, int type, const char *reason) {
  ev_rec *r = ev_new(type);
  if (r && !ev_set_str(r, &r->ev.nsp, s->nsp) && !ev_set_str(r, &r->ev.sid, s->sid) &&
      !ev_set_str(r, &r->ev.reason, reason))
    return r;
  ev_free(r);
  return NULL;
}

/* ---- joining ------------------------------------------------------------- */

/* The members of a JSON object without its braces ("" when empty). */
static void object_members(const char *obj, const char **at, size_t *len) {
  const char *open = strchr(obj, '{');
  const char *close = strrchr(obj, '}');
  const char *p = open + 1;
  while (p < close && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  *at = p;
  *len = (size_t)(close - p);
}

/* The CONNECT payload: auth, and for a session to recover
 * Object.assign({pid, offset}, auth) as socket.io-client writes it. */
static int connect_payload(cl_socket *s, sbuf *out) {
  if (!s->pid) return s->auth ? sbuf_puts(out, s->auth) : 0;
  int rc = sbuf_puts(out, "{\"pid\":") | json_write_string(out, s->pid, strlen(s->pid));
  if (s->offset)
    rc |= sbuf_puts(out, ",\"offset\":") | json_write_string(out, s->offset, strlen(s->offset));
  if (s->auth) {
    const char *members;
    size_t len;
    object_members(s->auth, &members, &len);
    if (len) rc |= sbuf_putc(out, ',') | sbuf_append(out, members, len);
  }
  return rc | sbuf_putc(out, '}');
}

void cl_socket_on_open(cl_socket *s) {
  sbuf payload = SBUF_INIT;
  sio_packet p;
  sio_packet_init(&p);
  p.type = SIO_P_CONNECT;
  p.nsp = s->nsp;
  if (connect_payload(s, &payload) == 0) {
    p.data = payload.data;
    p.data_len = payload.len;
    cl_send_packet(s->mgr, &p);
  }
  sbuf_free(&payload);
}

void cl_socket_activate(cl_socket *s, const char *auth) {
  cl_manager *m = s->mgr;
  if (auth) {
    char *copy = strdup(auth);
    if (copy) {
      free(s->auth);
      s->auth = copy;
    }
  }
  int was_active = s->active;
  s->active = 1;
  /* A closed manager (every namespace left, or reconnection gave up) opens
   * again; its open joins every active socket. */
  if (!m->reconnecting && m->state == CL_CLOSED)
    cl_manager_open(m);
  else if (!was_active && m->state == CL_OPEN)
    cl_socket_on_open(s);
}

/* socket.io-client's Socket.onclose: posts the disconnect (final: the
 * socket will not join again by itself), then fails the acknowledgements
 * the server can no longer send. */
static void socket_closed(cl_socket *s, const char *reason, int final) {
  s->connected = 0;
  ev_rec *r = socket_event(s, SIO_EV_DISCONNECT, reason);
  if (r) {
    r->ev.flags = final ? SIO_EVF_FINAL : 0;
    cl_post(s->mgr, r);
  }
  cl_socket_clear_acks(s);
  free(s->sid);
  s->sid = NULL;
}

void cl_socket_on_close(cl_socket *s, const char *reason) {
  int final = !cl_manager_will_retry(s->mgr);
  if (s->connected) {
    socket_closed(s, reason, final);
  } else {
    /* Not joined yet: socket.io-client reports the failure as connect_error. */
    ev_rec *r = socket_event(s, SIO_EV_CONNECT_ERROR, reason);
    if (!r) return;
    r->ev.flags = final ? SIO_EVF_FINAL : 0;
    cl_post(s->mgr, r);
  }
}

/* The socket leaves: it does not join again on reconnection, only when
 * sio_client_socket() asks, so what waits for it now is reported. */
static void deactivate(cl_socket *s) {
  s->active = 0;
  cl_socket_fail_all(s, SIO_EDISCONNECTED, "socket has been disconnected");
  cl_manager_socket_left(s->mgr);
}

void cl_socket_disconnect(cl_socket *s) {
  if (!s->active && !s->connected) return;
  if (s->connected) {
    sio_packet p;
    sio_packet_init(&p);
    p.type = SIO_P_DISCONNECT;
    p.nsp = s->nsp;
    cl_send_packet(s->mgr, &p);
    socket_closed(s, "io client disconnect", 1);
  }
  deactivate(s);
}

int cl_socket_ack(cl_socket *s, int64_t ack_id, const char *json, size_t len,
                  const sio_attachment *bins, size_t nbins) {
  if (!s->connected) return SIO_EDISCONNECTED;
  sio_packet p;
  sio_packet_init(&p);
  p.type = nbins ? SIO_P_BINARY_ACK : SIO_P_ACK;
  p.nsp = s->nsp;
  p.id = ack_id;
  p.data = (char *)json;
  p.data_len = len;
  p.bins = (sio_attachment *)bins;
  p.nbins = p.nattach = nbins;
  return cl_send_packet(s->mgr, &p) ? SIO_EDISCONNECTED : 0;
}

/* ---- packets from the server ------------------------------------------- */

static void on_connect(cl_socket *s, const sio_packet *p) {
  char *sid = p->data ? cl_json_string_member(p->data, p->data_len, "sid") : NULL;
  if (!sid) {
    ev_rec *r = socket_event(s, SIO_EV_CONNECT_ERROR, V2_SERVER_MESSAGE);
    if (r) cl_post(s->mgr, r);
    return;
  }
  char *pid = cl_json_string_member(p->data, p->data_len, "pid");
  int recovered = pid && s->pid && strcmp(pid, s->pid) == 0;
  free(s->pid);
  s->pid = pid;
  free(s->sid);
  s->sid = sid;
  s->connected = 1;
  cl_socket_flush(s);
  ev_rec *r = socket_event(s, SIO_EV_CONNECT, NULL);
  if (!r) return;
  r->ev.flags = recovered ? SIO_EVF_RECOVERED : 0;
  cl_post(s->mgr, r);
}

static void on_connect_error(cl_socket *s, const sio_packet *p) {
  const char *data = p->data ? p->data : "{}";
  size_t len = p->data ? p->data_len : 2;
  char *message = cl_json_string_member(data, len, "message");
  size_t at, end;
  int has_data = cl_json_member(data, len, "data", &at, &end);
  ev_rec *r = socket_event(s, SIO_EV_CONNECT_ERROR, message ? message : "");
  free(message);
  /* Refused by the server: it stays out until the host asks again. */
  if (r) r->ev.flags = SIO_EVF_FINAL;
  if (r && has_data && ev_set_data(r, data + at, end - at)) {
    ev_free(r);
    r = NULL;
  }
  if (r) cl_post(s->mgr, r);
  deactivate(s);
}

/* With connection state recovery, the server appends the event's offset as
 * a last string argument; the latest one goes back in the next CONNECT. */
static void remember_offset(cl_socket *s, const char *args, size_t len) {
  size_t at, end;
  if (!s->pid || !cl_json_last_item(args, len, &at, &end) || args[at] != '"') return;
  sbuf offset = SBUF_INIT;
  if (json_read_string(args, len, at, &offset) < 0) {
    sbuf_free(&offset);
    return;
  }
  char *text = sbuf_detach(&offset, NULL);
  if (!text) return;
  free(s->offset);
  s->offset = text;
}

static void on_event(cl_socket *s, sio_packet *p) {
  ev_rec *r = socket_event(s, SIO_EV_EVENT, NULL);
  if (!r) return;
  sbuf scratch = SBUF_INIT;
  int rc = event_decode(r, p->data, p->data_len, &scratch);
  sbuf_free(&scratch);
  if (rc) {
    ev_free(r);
    return;
  }
  remember_offset(s, r->ev.data, r->ev.data_len);
  r->ev.ack_id = p->id;
  ev_take_bins(r, p->bins, p->nbins);
  p->bins = NULL;
  p->nbins = 0;
  cl_post(s->mgr, r);
}

static void on_server_disconnect(cl_socket *s) {
  s->active = 0;
  if (s->connected) socket_closed(s, "io server disconnect", 1);
  deactivate(s);
}

void cl_socket_packet(cl_socket *s, sio_packet *p) {
  switch (p->type) {
    case SIO_P_CONNECT:
      on_connect(s, p);
      break;
    case SIO_P_EVENT:
    case SIO_P_BINARY_EVENT:
      on_event(s, p);
      break;
    case SIO_P_ACK:
    case SIO_P_BINARY_ACK:
      cl_socket_on_ack(s, p);
      break;
    case SIO_P_DISCONNECT:
      on_server_disconnect(s);
      break;
    case SIO_P_CONNECT_ERROR:
      on_connect_error(s, p);
      break;
    default:
      break;
  }
}
