/* The Engine.IO layer's hooks as the host sees them: allowRequest asked
 * as an event, connection errors, upgrades, and the transport a socket's
 * connection uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_server.h"

/* {"code":N,"message":"...","context":{...},"req":{...}}, "req" left out
 * when the request cannot be read. */
static int connection_error_json(sbuf *out, const http_request *req, int code,
                                 const char *message, const char *context) {
  char *request = io_request_json(req);
  int rc = sbuf_printf(out, "{\"code\":%d,\"message\":\"%s\",\"context\":%s", code, message,
                       context);
  if (request) rc |= sbuf_puts(out, ",\"req\":") | sbuf_puts(out, request);
  free(request);
  return rc | sbuf_putc(out, '}');
}

void io_hooks_on_error(eio_server *e, const http_request *req, int code, const char *message,
                       const char *context) {
  io_server *s = (io_server *)e;
  int detailed = e->opts.hooks.connection_error_events;
  ev_rec *r = ev_new(detailed ? SIO_EV_CONNECTION_ERROR : SIO_EV_ERROR);
  if (!r) return;
  sbuf body = SBUF_INIT;
  int rc = detailed ? connection_error_json(&body, req, code, message, context)
                    : sbuf_printf(&body, "{\"code\":%d,\"message\":\"%s\"}", code, message);
  r->ev.err = SIO_EPROTO;
  if (rc || ev_set_str(r, &r->ev.reason, message)) {
    sbuf_free(&body);
    ev_free(r);
    return;
  }
  ev_take_data(r, body.data, body.len);
  io_post(s, r);
}

uint64_t io_hooks_on_allow_request(eio_server *e, const http_request *req) {
  io_server *s = (io_server *)e;
  ev_rec *r = ev_new(SIO_EV_ALLOW_REQUEST);
  char *request = io_request_json(req);
  if (!r || !request) {
    ev_free(r);
    free(request);
    return 0;
  }
  r->ev.req = ctx_new_request(s->ctx);
  ev_take_data(r, request, strlen(request));
  io_post(s, r);
  return r->ev.req;
}

void io_hooks_on_upgrade(eio_session *e) {
  io_conn *c = eio_session_data(e);
  for (size_t i = 0; c && i < c->nsockets; i++) {
    io_socket *sock = c->sockets[i];
    ev_rec *r = ev_new(SIO_EV_UPGRADE);
    if (!r) continue;
    if (ev_set_str(r, &r->ev.nsp, sock->nsp->name) || ev_set_str(r, &r->ev.sid, sock->sid) ||
        ev_set_str(r, &r->ev.name, "websocket")) {
      ev_free(r);
      continue;
    }
    io_post(c->srv, r);
  }
}

int io_request_accept(io_server *s, uint64_t req, const char *headers) {
  return eio_request_accept(&s->eio, req, headers) ? SIO_ENOTFOUND : 0;
}

int io_request_refuse(io_server *s, uint64_t req, const char *message) {
  return eio_request_refuse(&s->eio, req, message) ? SIO_ENOTFOUND : 0;
}

int io_socket_transport(io_server *s, const char *sid, const char **name) {
  *name = NULL;
  if (s->closing) return SIO_ECLOSED;
  const io_socket *sock = strmap_get(&s->sockets, sid);
  if (!sock) return SIO_ENOTFOUND;
  *name = eio_session_transport(sock->client->eio);
  return 0;
}
