/* The Manager: one Engine.IO connection, the namespace sockets over it, and
 * reconnection as socket.io-client 4.8 does it (Manager.open, onclose,
 * reconnect, _destroy, _close). */
#include "client_manager.h"

#include <stdlib.h>
#include <string.h>

/* Bounds what one decoded packet may allocate. socket.io-client sets no
 * limit; the server's maxHttpBufferSize already bounds each message. */
#define CL_MAX_PACKET ((size_t)1 << 30)

/* ---- events ------------------------------------------------------------- */

void cl_post(cl_manager *m, ev_rec *r) {
  r->ev.client = m->handle;
  if (!r->ev.nsp && ev_set_str(r, &r->ev.nsp, m->main_nsp)) {
    ev_free(r);
    return;
  }
  size_t max = m->cfg.max_queued_events;
  if (ctx_post_event(m->ctx, r, max) < max || m->paused) return;
  /* The host is behind: the server waits rather than the queue growing;
   * the pump resumes us once it is half drained (as the server does). */
  m->paused = 1;
  if (m->eio) eio_client_pause(m->eio);
  ctx_reading_paused(m->ctx, m->cfg.max_queued_events / 2 + 1);
}

void cl_manager_resume(cl_manager *m) {
  if (!m->paused) return;
  m->paused = 0;
  if (m->eio) eio_client_resume(m->eio);
}

void cl_post_error(cl_manager *m, const char *nsp, uint64_t req, int err, const char *message) {
  ev_rec *r = ev_new(SIO_EV_ERROR);
  if (!r) return;
  r->ev.req = req;
  r->ev.err = err;
  if (ev_set_str(r, &r->ev.nsp, nsp) || ev_set_str(r, &r->ev.reason, message)) {
    ev_free(r);
    return;
  }
  cl_post(m, r);
}

static void post_manager_event(cl_manager *m, int type, unsigned attempt) {
  ev_rec *r = ev_new(type);
  if (!r) return;
  r->ev.attempt = attempt;
  cl_post(m, r);
}

/* socket.io-client's "reconnect_error": the attempt's error goes to the
 * host as the reason. */
static void post_reconnect_error(cl_manager *m, unsigned attempt, const char *reason) {
  ev_rec *r = ev_new(SIO_EV_RECONNECT_ERROR);
  if (!r) return;
  r->ev.attempt = attempt;
  if (ev_set_str(r, &r->ev.reason, reason)) {
    ev_free(r);
    return;
  }
  cl_post(m, r);
}

/* ---- state -------------------------------------------------------------- */

int cl_manager_will_retry(const cl_manager *m) {
  unsigned limit = m->cfg.reconnection_attempts;
  return m->cfg.reconnection && !m->skip_reconnect && !m->closed &&
         !(limit && m->backoff.attempts >= limit);
}

int cl_manager_can_deliver(const cl_manager *m) {
  return !m->closed && (m->state != CL_CLOSED || m->reconnecting);
}

cl_socket *cl_manager_socket(cl_manager *m, const char *nsp) {
  for (size_t i = 0; i < m->nsockets; i++)
    if (strcmp(m->sockets[i]->nsp, nsp) == 0) return m->sockets[i];
  return NULL;
}

/* Nothing will carry the sockets' emits any more: tell the host about each
 * rather than keep them forever. */
static void fail_if_dead(cl_manager *m) {
  if (cl_manager_can_deliver(m)) return;
  for (size_t i = 0; i < m->nsockets; i++)
    if (m->sockets[i]->active)
      cl_socket_fail_all(m->sockets[i], SIO_EDISCONNECTED,
                         "the connection is closed and will not be retried");
}

int cl_send_packet(cl_manager *m, const sio_packet *p) {
  if (!m->eio || m->state != CL_OPEN) return -1;
  rbuf *msgs[SIO_MAX_ENCODED];
  size_t n = 0;
  if (m->cfg.parser->encode(p, msgs, &n)) return -1;
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    msgs[i]->no_compress = p->no_compress != 0;
    if (!rc && eio_client_send(m->eio, msgs[i])) rc = -1;
    rbuf_unref(msgs[i]);
  }
  return rc;
}

/* ---- reconnection ------------------------------------------------------- */

static void open_connection(cl_manager *m);

static void on_reconnect_timer(uv_timer_t *t) {
  cl_manager *m = t->data;
  if (m->skip_reconnect) return;
  post_manager_event(m, SIO_EV_RECONNECT_ATTEMPT, m->backoff.attempts);
  open_connection(m);
}

static void reconnect(cl_manager *m) {
  if (m->reconnecting || m->skip_reconnect || m->closed) return;
  unsigned limit = m->cfg.reconnection_attempts;
  if (limit && m->backoff.attempts >= limit) {
    cl_backoff_reset(&m->backoff);
    post_manager_event(m, SIO_EV_RECONNECT_FAILED, 0);
    return;
  }
  uint64_t delay = cl_backoff_duration(&m->backoff);
  m->reconnecting = 1;
  uv_timer_start(&m->reconnect_timer, on_reconnect_timer, delay, 0);
}

/* ---- the connection ----------------------------------------------------- */

static void drop_connection(cl_manager *m) {
  if (m->eio) {
    /* Detached first: its on_close, when it comes, is not ours to handle. */
    eio_client *old = m->eio;
    m->eio = NULL;
    m->detached++;
    eio_client_close(old);
  }
  if (m->decoder) m->cfg.parser->decoder_free(m->decoder);
  m->decoder = NULL;
  m->state = CL_CLOSED;
}

/* socket.io-client's Manager.onclose: the open connection ended. */
static void on_connection_closed(cl_manager *m, const char *reason) {
  uv_timer_stop(&m->reconnect_timer);
  drop_connection(m);
  cl_backoff_reset(&m->backoff);
  for (size_t i = 0; i < m->nsockets; i++)
    if (m->sockets[i]->active) cl_socket_on_close(m->sockets[i], reason);
  if (m->cfg.reconnection && !m->skip_reconnect) reconnect(m);
  fail_if_dead(m);
}

/* An attempt to connect failed before the handshake finished. */
static void on_attempt_failed(cl_manager *m, const char *reason) {
  drop_connection(m);
  for (size_t i = 0; i < m->nsockets; i++)
    if (m->sockets[i]->active) cl_socket_on_close(m->sockets[i], reason);
  if (m->reconnecting) {
    unsigned attempt = m->backoff.attempts;
    m->reconnecting = 0;
    reconnect(m);
    post_reconnect_error(m, attempt, reason);
  } else if (m->cfg.reconnection && m->backoff.attempts == 0) {
    reconnect(m);
  }
  fail_if_dead(m);
}

static void on_eio_open(eio_client *c) {
  cl_manager *m = eio_client_data(c);
  if (c != m->eio) return;
  m->decoder = m->cfg.parser->decoder_new(CL_MAX_PACKET);
  if (!m->decoder) {
    on_connection_closed(m, "transport error");
    return;
  }
  m->state = CL_OPEN;
  for (size_t i = 0; i < m->nsockets; i++)
    if (m->sockets[i]->active) cl_socket_on_open(m->sockets[i]);
  if (m->reconnecting) {
    unsigned attempt = m->backoff.attempts;
    m->reconnecting = 0;
    cl_backoff_reset(&m->backoff);
    post_manager_event(m, SIO_EV_RECONNECT, attempt);
  }
}

static void on_eio_message(eio_client *c, const char *data, size_t len, int binary) {
  cl_manager *m = eio_client_data(c);
  if (c != m->eio || !m->decoder) return;
  sio_packet p;
  sio_packet_init(&p);
  int rc = m->cfg.parser->decode(m->decoder, data, len, binary, &p);
  if (rc < 0) {
    on_connection_closed(m, "parse error");
    return;
  }
  if (rc == 0) return;
  cl_socket *s = cl_manager_socket(m, p.nsp ? p.nsp : "/");
  /* Like socket.io-client, packets for a namespace nobody listens to are
   * ignored. */
  if (s && s->active) cl_socket_packet(s, &p);
  sio_packet_clear(&p);
}

static void check_finished(cl_manager *m);

static void on_eio_close(eio_client *c, const char *reason, int opened) {
  cl_manager *m = eio_client_data(c);
  if (c != m->eio) {
    if (m->detached) m->detached--;
    check_finished(m);
    return;
  }
  m->eio = NULL;
  if (opened)
    on_connection_closed(m, reason);
  else
    on_attempt_failed(m, reason);
}

static const eio_client_handler cl_eio_handler = {on_eio_open, on_eio_message, on_eio_close};

static void open_connection(cl_manager *m) {
  m->state = CL_OPENING;
  m->eio = eio_client_connect(&m->ctx->loop, &m->cfg.eio, &cl_eio_handler, m);
  if (!m->eio) {
    on_attempt_failed(m, "transport error");
    return;
  }
  if (m->paused) eio_client_pause(m->eio);
}

void cl_manager_open(cl_manager *m) {
  if (m->state != CL_CLOSED || m->closed) return;
  m->skip_reconnect = 0;
  open_connection(m);
}

/* socket.io-client's Manager._close: no namespace is left, or the host
 * closes the client. */
static void force_close(cl_manager *m) {
  m->skip_reconnect = 1;
  m->reconnecting = 0;
  on_connection_closed(m, "forced close");
}

void cl_manager_socket_left(cl_manager *m) {
  for (size_t i = 0; i < m->nsockets; i++)
    if (m->sockets[i]->active) return;
  force_close(m);
}

/* ---- lifecycle ---------------------------------------------------------- */

int cl_manager_start(cl_manager *m, struct sio_context *ctx, sio_client *handle,
                     cl_config *cfg, const char *main_nsp, const char *auth) {
  m->ctx = ctx;
  m->handle = handle;
  m->cfg = *cfg;
  memset(cfg, 0, sizeof(*cfg));
  if (!m->cfg.max_queued_events) m->cfg.max_queued_events = 1;
  cl_backoff_init(&m->backoff, m->cfg.reconnection_delay, m->cfg.reconnection_delay_max,
                  m->cfg.randomization_factor);
  uv_timer_init(&ctx->loop, &m->reconnect_timer);
  ack_table_init(&m->acks, &ctx->loop, cl_ack_expired);
  m->reconnect_timer.data = m;
  m->timers_ready = 1;
  m->main_nsp = strdup(main_nsp);
  cl_socket *s = m->main_nsp ? cl_socket_new(m, main_nsp, auth) : NULL;
  if (!s) return SIO_ENOMEM;
  /* The first connection starts here, so that a URL the transport cannot
   * use (a bad port, say) fails sio_client_new instead of every attempt. */
  s->active = 1;
  m->state = CL_OPENING;
  m->eio = eio_client_connect(&ctx->loop, &m->cfg.eio, &cl_eio_handler, m);
  if (!m->eio) {
    s->active = 0;
    m->state = CL_CLOSED;
    return SIO_EINVAL;
  }
  return 0;
}

void cl_manager_close(cl_manager *m) {
  if (m->closed) return;
  for (size_t i = 0; i < m->nsockets; i++)
    if (m->sockets[i]->active) cl_socket_disconnect(m->sockets[i]);
  if (m->state != CL_CLOSED || m->reconnecting) force_close(m);
  m->closed = 1;
}

void cl_manager_abort(cl_manager *m) {
  cl_manager_close(m);
  if (m->timers_ready) {
    m->timers_ready = 0;
    uv_close((uv_handle_t *)&m->reconnect_timer, NULL);
    ack_table_close(&m->acks, m, NULL);
  }
}

static void check_finished(cl_manager *m) {
  void (*cb)(cl_manager *) = m->on_closed;
  if (!cb || m->open_timers || m->detached || m->eio) return;
  m->on_closed = NULL;
  cb(m);
}

static void on_timer_closed(uv_handle_t *h) {
  cl_manager *m = h->data;
  m->open_timers--;
  check_finished(m);
}

void cl_manager_finish(cl_manager *m, void (*on_closed)(cl_manager *m)) {
  cl_manager_close(m);
  if (m->timers_ready) {
    m->timers_ready = 0;
    m->open_timers = 2;
    uv_close((uv_handle_t *)&m->reconnect_timer, on_timer_closed);
    ack_table_close(&m->acks, m, on_timer_closed);
  }
  m->on_closed = on_closed;
  check_finished(m);
}

void cl_manager_free(cl_manager *m) {
  for (size_t i = 0; i < m->nsockets; i++) cl_socket_free(m->sockets[i]);
  free(m->sockets);
  free(m->main_nsp);
  if (m->decoder) m->cfg.parser->decoder_free(m->decoder);
  cl_config_free(&m->cfg);
}

void cl_config_free(cl_config *cfg) {
  eio_client_options *e = &cfg->eio;
  free(e->url);
  free(e->path);
  free(e->query);
  free(e->extra_headers);
  free(e->tls_ca_file);
  memset(e, 0, sizeof(*e));
}
