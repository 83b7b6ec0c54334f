#include <stdlib.h>
#include <string.h>

#include "../../net/url_query.h"
#include "../../util/json.h"
#include "io_server.h"

static void on_connect_timer_closed(uv_handle_t *h) { free(h); }

static void stop_connect_timer(io_conn *c) {
  if (!c->connect_timer) return;
  uv_close((uv_handle_t *)c->connect_timer, on_connect_timer_closed);
  c->connect_timer = NULL;
}

static void on_connect_timeout(uv_timer_t *t) {
  io_conn *c = t->data;
  stop_connect_timer(c);
  if (c->nsockets == 0) io_conn_close(c, "forced server close");
}

static void on_connect_packet(io_conn *c, const char *nsp_name, const char *auth);

/* socket.io connects an Engine.IO v3 client (socket.io-client 2.x, which
 * sends no CONNECT for it) to "/" at once: here on the loop turn after the
 * handshake, so that the open packet goes first. The connect timeout then
 * runs while a middleware decides. */
static void on_v3_open(uv_timer_t *t) {
  io_conn *c = t->data;
  uv_timer_start(t, on_connect_timeout, c->srv->connect_timeout, 0);
  on_connect_packet(c, "/", "{}");
}

io_conn *io_conn_new(io_server *s, eio_session *e, const http_request *req) {
  io_conn *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  c->srv = s;
  c->eio = e;
  /* maxHttpBufferSize bounds each Engine.IO message; a packet is a text
   * message plus up to SIO_MAX_ATTACHMENTS binary ones. */
  c->decoder = s->parser->decoder_new(s->eio.opts.max_payload * (SIO_MAX_ATTACHMENTS + 1));
  c->handshake = io_handshake_json(req, NULL);
  c->connect_timer = malloc(sizeof(uv_timer_t));
  if (!c->decoder || !c->handshake || !c->connect_timer) {
    if (c->decoder) s->parser->decoder_free(c->decoder);
    free(c->handshake);
    free(c->connect_timer);
    free(c);
    return NULL;
  }
  uv_timer_init(&s->ctx->loop, c->connect_timer);
  c->connect_timer->data = c;
  if (eio_session_revision(e) == 3)
    uv_timer_start(c->connect_timer, on_v3_open, 0, 0);
  else
    uv_timer_start(c->connect_timer, on_connect_timeout, s->connect_timeout, 0);
  return c;
}

/* By the namespace's address (namespaces live as long as the server): a
 * packet's lookup reads each socket alone, not its namespace's name too. */
static io_socket *socket_for(io_conn *c, const char *nsp) {
  const io_namespace *n = io_namespace_get(c->srv, nsp, 0, 0);
  for (size_t i = 0; n && i < c->nsockets; i++)
    if (c->sockets[i]->nsp == n) return c->sockets[i];
  return NULL;
}

static int has_pending(io_server *s, io_conn *c, const char *nsp) {
  for (io_pending_connect *p = s->pending; p; p = p->next)
    if (p->client == c && strcmp(p->nsp, nsp) == 0) return 1;
  return 0;
}

/* A CONNECT_ERROR of nsp carrying body (JSON), unless building body failed
 * (rc): then nothing is sent. body is freed. */
static void send_refusal(io_conn *c, const char *nsp, sbuf *body, int rc) {
  if (!rc) {
    sio_packet p;
    sio_packet_init(&p);
    p.type = SIO_P_CONNECT_ERROR;
    p.nsp = (char *)nsp;
    p.data = body->data;
    p.data_len = body->len;
    io_send_packet(c, &p);
  }
  sbuf_free(body);
}

static void send_connect_error(io_conn *c, const char *nsp, const char *message,
                               const char *data) {
  sbuf body = SBUF_INIT;
  int rc = sbuf_puts(&body, "{\"message\":") | json_write_string(&body, message, strlen(message));
  if (data) rc |= sbuf_puts(&body, ",\"data\":") | sbuf_puts(&body, data);
  rc |= sbuf_putc(&body, '}');
  send_refusal(c, nsp, &body, rc);
}

/* A v3 client's socket in "/" is known by the Engine.IO id, as socket.io
 * names it (in other namespaces socket.io writes "<nsp>#<id>", which does
 * not fit libsio's ids: they get a fresh one, like every v4 socket). */
static void new_socket_id(io_conn *c, const char *nsp, char sid[RANDOM_ID_LEN + 1]) {
  io_server *s = c->srv;
  const char *eio_id = eio_session_id(c->eio);
  if (eio_session_revision(c->eio) == 3 && strcmp(nsp, "/") == 0 &&
      strlen(eio_id) == RANDOM_ID_LEN && !strmap_get(&s->sockets, eio_id)) {
    memcpy(sid, eio_id, RANDOM_ID_LEN + 1);
    return;
  }
  do random_id(sid);
  while (strmap_get(&s->sockets, sid));
}

static void ask_host(io_conn *c, const char *nsp, const char *auth, int new_namespace,
                     rec_session *restored) {
  io_server *s = c->srv;
  io_pending_connect *p = calloc(1, sizeof(*p));
  ev_rec *r = ev_new(SIO_EV_CONNECT_REQUEST);
  sbuf hs = SBUF_INIT;
  if (!p || !r || !(p->nsp = strdup(nsp)) || !(p->auth = strdup(auth)) ||
      io_handshake_with_auth(&hs, c->handshake, auth))
    goto fail;
  if (restored)
    memcpy(p->sid, restored->sid, sizeof(p->sid));
  else
    new_socket_id(c, nsp, p->sid);
  p->restored = restored;
  restored = NULL;
  p->req = ctx_new_request(s->ctx);
  p->client = c;
  p->new_namespace = new_namespace;
  r->ev.req = p->req;
  r->ev.flags = (new_namespace ? SIO_EVF_NEW_NAMESPACE : 0) |
                (p->restored ? SIO_EVF_RECOVERED : 0);
  if (ev_set_str(r, &r->ev.nsp, nsp) || ev_set_str(r, &r->ev.sid, p->sid)) goto fail;
  ev_take_data(r, hs.data, hs.len);
  hs.data = NULL;
  p->next = s->pending;
  s->pending = p;
  io_post(s, r);
  return;
fail:
  sbuf_free(&hs);
  ev_free(r);
  recovery_session_free(restored);
  if (p) io_pending_free(p);
  send_connect_error(c, nsp, "Internal server error", NULL);
}

static void on_connect_packet(io_conn *c, const char *nsp_name, const char *auth) {
  io_server *s = c->srv;
  if (has_pending(s, c, nsp_name)) return;
  io_namespace *nsp = io_namespace_get(s, nsp_name, 0, 0);
  unsigned flags;
  if (nsp) {
    flags = nsp->flags;
  } else if (s->has_wildcard) {
    flags = s->wildcard_flags;
  } else {
    send_connect_error(c, nsp_name, "Invalid namespace", NULL);
    return;
  }
  /* Sessions only exist in namespaces that exist. */
  rec_session *restored = nsp ? recovery_restore(&s->recovery, nsp, auth, strlen(auth)) : NULL;
  if (restored && strmap_get(&s->sockets, restored->sid)) {
    recovery_session_free(restored);
    restored = NULL;
  }
  if ((flags & SIO_NS_MIDDLEWARE) && !(restored && s->recovery.opts.skip_middlewares)) {
    ask_host(c, nsp_name, auth, nsp == NULL, restored);
    return;
  }
  if (!nsp) nsp = io_namespace_get(s, nsp_name, 1, flags);
  char sid[RANDOM_ID_LEN + 1];
  if (restored)
    memcpy(sid, restored->sid, sizeof(sid));
  else
    new_socket_id(c, nsp_name, sid);
  if (!nsp || !io_socket_connect(c, nsp, sid, auth, restored))
    send_connect_error(c, nsp_name, "Internal server error", NULL);
}

/* socket.io-client 2.x writes its query into the CONNECT packet's
 * namespace ("/admin?token=x"); socket.io reads it as the auth payload,
 * an object of strings. */
static void on_v3_connect(io_conn *c, const char *nsp) {
  const char *mark = strchr(nsp, '?');
  url_query q;
  sbuf name = SBUF_INIT, auth = SBUF_INIT;
  int rc = mark ? url_query_parse(&q, nsp, strlen(nsp)) : 0;
  if (mark && !rc) {
    rc = sbuf_append(&name, nsp, (size_t)(mark - nsp)) || url_query_to_json(&q, &auth);
    url_query_free(&q);
  }
  if (rc)
    io_conn_close(c, "forced server close");
  else if (socket_for(c, mark ? name.data : nsp))
    io_conn_close(c, "forced server close");
  else
    on_connect_packet(c, mark ? name.data : nsp, mark ? auth.data : "{}");
  sbuf_free(&name);
  sbuf_free(&auth);
}

void io_conn_message(io_conn *c, const char *data, size_t len, int binary) {
  if (c->closing) return;
  sio_packet p;
  sio_packet_init(&p);
  int rc = c->srv->parser->decode(c->decoder, data, len, binary, &p);
  if (rc < 0) {
    /* socket.io closes the connection on a packet it cannot decode. */
    io_conn_close(c, "forced close");
    return;
  }
  if (rc == 0) return;
  const char *nsp = p.nsp ? p.nsp : "/";
  if (p.type == SIO_P_CONNECT && eio_session_revision(c->eio) == 3) {
    on_v3_connect(c, nsp);
    sio_packet_clear(&p);
    return;
  }
  io_socket *sock = socket_for(c, nsp);
  if (p.type == SIO_P_CONNECT && !sock)
    on_connect_packet(c, nsp, p.data ? p.data : "{}");
  else if (p.type != SIO_P_CONNECT && sock)
    io_socket_packet(sock, &p);
  else
    /* A CONNECT to a joined namespace, or a packet for one not joined:
     * socket.io calls that an invalid state and closes. */
    io_conn_close(c, "forced server close");
  sio_packet_clear(&p);
}

void io_pending_free(io_pending_connect *p) {
  recovery_session_free(p->restored);
  free(p->nsp);
  free(p->auth);
  free(p);
}

static void drop_pending(io_server *s, io_conn *c) {
  io_pending_connect **pp = &s->pending;
  while (*pp) {
    io_pending_connect *p = *pp;
    if (p->client == c) {
      *pp = p->next;
      io_pending_free(p);
    } else {
      pp = &p->next;
    }
  }
}

void io_conn_closed(io_conn *c, const char *reason) {
  c->closing = 1;
  stop_connect_timer(c);
  drop_pending(c->srv, c);
  while (c->nsockets) io_socket_close(c->sockets[c->nsockets - 1], reason, 0);
  c->srv->parser->decoder_free(c->decoder);
  free(c->sockets);
  free(c->handshake);
  free(c);
}

void io_conn_close(io_conn *c, const char *reason) {
  if (c->closing) return;
  c->closing = 1;
  while (c->nsockets) io_socket_close(c->sockets[c->nsockets - 1], reason, 0);
  /* The session's end calls io_conn_closed, which frees c. */
  eio_close(c->eio);
}

void io_conn_remove_socket(io_conn *c, io_socket *sock) {
  for (size_t i = 0; i < c->nsockets; i++) {
    if (c->sockets[i] == sock) {
      c->sockets[i] = c->sockets[--c->nsockets];
      return;
    }
  }
}

static io_pending_connect *take_pending(io_server *s, uint64_t req) {
  for (io_pending_connect **pp = &s->pending; *pp; pp = &(*pp)->next) {
    if ((*pp)->req == req) {
      io_pending_connect *p = *pp;
      *pp = p->next;
      return p;
    }
  }
  return NULL;
}

int io_connect_accept(io_server *s, uint64_t req) {
  io_pending_connect *p = take_pending(s, req);
  if (!p) return SIO_ENOTFOUND;
  int rc = 0;
  io_namespace *nsp = io_namespace_get(s, p->nsp, 1, s->wildcard_flags);
  rec_session *restored = p->restored;
  p->restored = NULL;
  if (!nsp) recovery_session_free(restored);
  if (!nsp || !io_socket_connect(p->client, nsp, p->sid, p->auth, restored)) {
    send_connect_error(p->client, p->nsp, "Internal server error", NULL);
    rc = SIO_ENOMEM;
  }
  io_pending_free(p);
  return rc;
}

/* socket.io 4 refuses a v3 client (socket.io-client 2.x, which emits the
 * payload as "error") with the error's data, or else its bare message. */
static void send_v3_refusal(io_conn *c, const char *nsp, const char *message, const char *data) {
  sbuf body = SBUF_INIT;
  int rc = data ? sbuf_puts(&body, data) : json_write_string(&body, message, strlen(message));
  send_refusal(c, nsp, &body, rc);
}

int io_connect_refuse(io_server *s, uint64_t req, const char *message, const char *data) {
  io_pending_connect *p = take_pending(s, req);
  if (!p) return SIO_ENOTFOUND;
  /* A new name refused as "Invalid namespace" is socket.io's denied
   * dynamic namespace, answered {message} whatever the client. */
  int invalid_namespace = p->new_namespace && !data && strcmp(message, "Invalid namespace") == 0;
  if (eio_session_revision(p->client->eio) == 3 && !invalid_namespace)
    send_v3_refusal(p->client, p->nsp, message, data);
  else
    send_connect_error(p->client, p->nsp, message, data);
  io_pending_free(p);
  return 0;
}
