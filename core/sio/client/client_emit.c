/* What a client socket sends and what it waits for, as socket.io-client 4.8
 * does it: emits go out at once while connected, wait in the send buffer
 * otherwise (volatile ones are dropped instead), acknowledgements time out
 * per emit ("timeout" or "ackTimeout"), and with "retries" every emit goes
 * through a queue that sends one at a time until the server acknowledges
 * it or the tries run out (at-least-once delivery). One timer on the
 * manager serves every deadline. */
#include <stdlib.h>
#include <string.h>

#include "../../util/json.h"
#include "client_manager.h"

#define TIMEOUT_MESSAGE "operation has timed out"
#define DISCONNECTED_MESSAGE "socket has been disconnected"

/* ---- reporting ------------------------------------------------------------ */

static void post_ack(cl_socket *s, uint64_t req, int err, const char *reason, sio_packet *p) {
  ev_rec *r = ev_new(SIO_EV_ACK);
  if (!r) return;
  r->ev.req = req;
  r->ev.err = err;
  if (ev_set_str(r, &r->ev.nsp, s->nsp) || ev_set_str(r, &r->ev.sid, s->sid) ||
      ev_set_str(r, &r->ev.reason, reason)) {
    ev_free(r);
    return;
  }
  if (p) {
    if (ev_set_data(r, p->data ? p->data : "[]", p->data ? p->data_len : 2)) {
      ev_free(r);
      return;
    }
    ev_take_bins(r, p->bins, p->nbins);
    p->bins = NULL;
    p->nbins = 0;
  }
  cl_post(s->mgr, r);
}

/* An emit that will not be delivered (or whose delivery is not confirmed):
 * an SIO_EV_ACK error when the host waits for one, SIO_EV_ERROR otherwise. */
static void report_failure(cl_socket *s, uint64_t req, int wants_ack, int err,
                           const char *reason) {
  if (wants_ack)
    post_ack(s, req, err, reason, NULL);
  else
    cl_post_error(s->mgr, s->nsp, req, err, reason);
}

/* ---- emits ---------------------------------------------------------------- */

static void emit_free(cl_emit *e) {
  for (size_t i = 0; i < e->nbins; i++) free(e->bins[i].data);
  free(e->bins);
  free(e->data);
  free(e);
}

static cl_emit *emit_new(uint64_t req, const char *event, const char *args, size_t args_len,
                         const sio_attachment *bins, size_t nbins) {
  cl_emit *e = calloc(1, sizeof(*e));
  if (!e) return NULL;
  e->req = req;
  e->ack_id = -1;
  sbuf data = SBUF_INIT;
  if (json_event_join(&data, event, args, args_len) ||
      (nbins && !(e->bins = calloc(nbins, sizeof(*e->bins))))) {
    sbuf_free(&data);
    free(e);
    return NULL;
  }
  e->data = data.data;
  e->data_len = data.len;
  for (; e->nbins < nbins; e->nbins++) {
    sio_attachment *b = &e->bins[e->nbins];
    b->data = malloc(bins[e->nbins].len ? bins[e->nbins].len : 1);
    if (!b->data) {
      emit_free(e);
      return NULL;
    }
    memcpy(b->data, bins[e->nbins].data, bins[e->nbins].len);
    b->len = bins[e->nbins].len;
  }
  return e;
}

static int send_event(cl_socket *s, const cl_emit *e, int64_t ack_id) {
  sio_packet p;
  sio_packet_init(&p);
  /* The msgpack encoder reads placeholders only in BINARY_ packets. */
  p.type = e->nbins ? SIO_P_BINARY_EVENT : SIO_P_EVENT;
  p.nsp = s->nsp;
  p.id = ack_id;
  p.data = e->data;
  p.data_len = e->data_len;
  p.bins = e->bins;
  p.nbins = p.nattach = e->nbins;
  p.no_compress = e->no_compress;
  return cl_send_packet(s->mgr, &p);
}

static void append(cl_emit **head, cl_emit **tail, cl_emit *e) {
  e->next = NULL;
  if (*tail)
    (*tail)->next = e;
  else
    *head = e;
  *tail = e;
}

static cl_emit *pop(cl_emit **head, cl_emit **tail) {
  cl_emit *e = *head;
  if (e) {
    *head = e->next;
    if (!*head) *tail = NULL;
    e->next = NULL;
  }
  return e;
}

static cl_emit *buffered_with_ack(cl_socket *s, int64_t ack_id) {
  for (cl_emit *e = s->buffer; e; e = e->next)
    if (e->ack_id == ack_id) return e;
  return NULL;
}

static void remove_buffered(cl_socket *s, cl_emit *target) {
  cl_emit *prev = NULL;
  for (cl_emit *e = s->buffer; e; prev = e, e = e->next) {
    if (e != target) continue;
    if (prev)
      prev->next = e->next;
    else
      s->buffer = e->next;
    if (s->buffer_tail == e) s->buffer_tail = prev;
    emit_free(e);
    return;
  }
}

/* ---- acknowledgements ------------------------------------------------------ */

static cl_ack *ack_of(ack_wait *w) { return (cl_ack *)w; }

static void expect_ack(cl_socket *s, int64_t id, uint64_t req, int timeout_ms, cl_emit *queued) {
  cl_manager *m = s->mgr;
  cl_ack *a = calloc(1, sizeof(*a));
  if (!a) {
    report_failure(s, req, 1, SIO_ENOMEM, "out of memory");
    return;
  }
  a->sock = s;
  a->req = req;
  a->queued = queued;
  ack_add(&m->acks, &s->acks, &a->w, id,
          timeout_ms > 0 ? (uint64_t)timeout_ms : m->cfg.ack_timeout);
}

/* ---- the retry queue --------------------------------------------------------- */

static void drain_queue(cl_socket *s, int force) {
  cl_emit *e = s->queue;
  if (!s->connected || !e || (e->pending && !force)) return;
  e->pending = 1;
  e->tries++;
  int64_t id = s->next_ack_id++;
  expect_ack(s, id, e->req, e->timeout_ms, e);
  send_event(s, e, id);
}

/* One try of the queue's head ended: err = 0 with the server's answer in p,
 * or a failed try, which ends the emit once the tries exceed "retries". */
static void try_ended(cl_socket *s, cl_emit *e, int err, const char *reason, sio_packet *p) {
  if (e != s->queue) return;
  e->pending = 0;
  if (err && e->tries <= s->mgr->cfg.retries) {
    drain_queue(s, 0);
    return;
  }
  pop(&s->queue, &s->queue_tail);
  if (err)
    report_failure(s, e->req, e->wants_ack, err, reason);
  else if (e->wants_ack)
    post_ack(s, e->req, 0, NULL, p);
  emit_free(e);
  drain_queue(s, 0);
}

/* ---- the socket's side --------------------------------------------------------- */

void cl_socket_emit(cl_socket *s, uint64_t req, const char *event, const char *args,
                    size_t args_len, const sio_attachment *bins, size_t nbins,
                    unsigned flags, int timeout_ms) {
  cl_manager *m = s->mgr;
  int wants_ack = (flags & SIO_EMIT_ACK) != 0;
  int is_volatile = (flags & SIO_EMIT_VOLATILE) != 0;
  if (!s->active || !cl_manager_can_deliver(m)) {
    report_failure(s, req, wants_ack, SIO_EDISCONNECTED,
                   s->active ? "the connection is closed and will not be retried"
                             : "the socket has left its namespace");
    return;
  }
  int writable = m->state == CL_OPEN && m->eio && eio_client_writable(m->eio);
  if (is_volatile && !writable) {
    /* Dropped by request; a host waiting for the ack still hears of it. */
    if (wants_ack) post_ack(s, req, SIO_EDISCONNECTED, "the volatile event was dropped", NULL);
    return;
  }
  cl_emit *e = emit_new(req, event, args, args_len, bins, nbins);
  if (!e) {
    report_failure(s, req, wants_ack, SIO_ENOMEM, "out of memory");
    return;
  }
  e->wants_ack = wants_ack;
  e->no_compress = (flags & SIO_EMIT_NO_COMPRESS) != 0;
  e->timeout_ms = timeout_ms;
  if (m->cfg.retries && !is_volatile) {
    append(&s->queue, &s->queue_tail, e);
    drain_queue(s, 0);
    return;
  }
  int64_t id = -1;
  if (wants_ack) {
    id = s->next_ack_id++;
    expect_ack(s, id, req, timeout_ms, NULL);
  }
  if (s->connected) {
    send_event(s, e, id);
    emit_free(e);
  } else {
    e->ack_id = id;
    append(&s->buffer, &s->buffer_tail, e);
  }
}

void cl_socket_flush(cl_socket *s) {
  cl_emit *e;
  while ((e = pop(&s->buffer, &s->buffer_tail))) {
    send_event(s, e, e->ack_id);
    emit_free(e);
  }
  drain_queue(s, 1);
}

void cl_socket_on_ack(cl_socket *s, sio_packet *p) {
  ack_wait *w = ack_find(&s->acks, p->id);
  if (!w) return;
  cl_ack *a = ack_of(w);
  ack_remove(w);
  if (a->queued)
    try_ended(s, a->queued, 0, NULL, p);
  else
    post_ack(s, a->req, 0, NULL, p);
  free(a);
}

/* The first acknowledgement of an emit already sent (not one still in the
 * send buffer), or NULL. */
static cl_ack *first_sent_ack(cl_socket *s) {
  for (ack_wait *w = s->acks.head; w; w = w->next)
    if (!buffered_with_ack(s, w->id)) return ack_of(w);
  return NULL;
}

void cl_socket_clear_acks(cl_socket *s) {
  cl_ack *a;
  while ((a = first_sent_ack(s))) {
    ack_remove(&a->w);
    if (!a->queued)
      post_ack(s, a->req, SIO_EDISCONNECTED, DISCONNECTED_MESSAGE, NULL);
    else if (a->w.deadline)
      try_ended(s, a->queued, SIO_EDISCONNECTED, DISCONNECTED_MESSAGE, NULL);
    else
      /* Without a deadline the try is not counted as failed: it is sent
       * again once the socket is back. */
      a->queued->pending = 0;
    free(a);
  }
}

void cl_socket_fail_all(cl_socket *s, int err, const char *message) {
  cl_ack *a;
  while ((a = first_sent_ack(s))) {
    ack_remove(&a->w);
    if (!a->queued) post_ack(s, a->req, err, message, NULL);
    free(a);
  }
  cl_emit *e;
  while ((e = pop(&s->buffer, &s->buffer_tail))) {
    ack_wait *w = ack_find(&s->acks, e->ack_id);
    if (w) {
      ack_remove(w);
      free(ack_of(w));
    }
    report_failure(s, e->req, e->wants_ack, err, message);
    emit_free(e);
  }
  while ((e = pop(&s->queue, &s->queue_tail))) {
    report_failure(s, e->req, e->wants_ack, err, message);
    emit_free(e);
  }
}

void cl_ack_expired(ack_table *t, ack_wait *w) {
  (void)t;
  cl_ack *a = ack_of(w);
  cl_socket *s = a->sock;
  if (a->queued) {
    try_ended(s, a->queued, SIO_ETIMEDOUT, TIMEOUT_MESSAGE, NULL);
  } else {
    cl_emit *buffered = buffered_with_ack(s, w->id);
    if (buffered) remove_buffered(s, buffered);
    post_ack(s, a->req, SIO_ETIMEDOUT, TIMEOUT_MESSAGE, NULL);
  }
  free(a);
}
