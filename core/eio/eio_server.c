#include "eio.h"

#include <stdlib.h>
#include <string.h>

#include "../net/static_files.h"
#include "../net/ws_deflate.h"
#include "../net/url_query.h"
#include "../util/base64.h"
#include "../util/json.h"
#include "../util/sha1.h"
#include "eio3.h"
#include "eio_packet.h"
#include "eio_session.h"

enum {
  ERR_UNKNOWN_TRANSPORT = 0,
  ERR_UNKNOWN_SID = 1,
  ERR_BAD_HANDSHAKE_METHOD = 2,
  ERR_BAD_REQUEST = 3,
  ERR_FORBIDDEN = 4,
  ERR_UNSUPPORTED_PROTOCOL_VERSION = 5
};

static const char *const error_messages[] = {
    "Transport unknown", "Session ID unknown", "Bad handshake method",
    "Bad request",       "Forbidden",          "Unsupported protocol version"};

static eio_server *server_of(http_conn *c) { return (eio_server *)c->srv; }

/* ---- CORS (what the npm cors middleware answers) ------------------------ */

static int origin_listed(const char *list, const char *origin) {
  size_t n = strlen(origin);
  for (const char *p = list; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == n && memcmp(p, origin, n) == 0) return 1;
    p += len + (comma ? 1 : 0);
  }
  return 0;
}

int eio_cors_headers(const eio_server *e, const http_request *req, sbuf *out) {
  const char *allowed = e->opts.cors_origin;
  if (!allowed) return 0;
  const char *origin = http_header(req, "origin");
  int rc = 0;
  if (strcmp(allowed, "*") == 0) {
    rc |= sbuf_puts(out, "Access-Control-Allow-Origin: *\r\n");
  } else if (!strchr(allowed, ',')) {
    rc |= sbuf_printf(out, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n", allowed);
  } else {
    if (origin && origin_listed(allowed, origin))
      rc |= sbuf_printf(out, "Access-Control-Allow-Origin: %s\r\n", origin);
    rc |= sbuf_puts(out, "Vary: Origin\r\n");
  }
  if (e->opts.cors_credentials) rc |= sbuf_puts(out, "Access-Control-Allow-Credentials: true\r\n");
  return rc;
}

static void respond_preflight(eio_server *e, http_conn *c, http_request *req) {
  sbuf h = SBUF_INIT;
  eio_cors_headers(e, req, &h);
  sbuf_puts(&h, "Access-Control-Allow-Methods: GET,HEAD,PUT,PATCH,POST,DELETE\r\n");
  const char *asked = http_header(req, "access-control-request-headers");
  if (asked) sbuf_printf(&h, "Access-Control-Allow-Headers: %s\r\nVary: Access-Control-Request-Headers\r\n", asked);
  http_respond(c, 204, NULL, h.data, NULL, 0);
  sbuf_free(&h);
}

/* ---- errors ------------------------------------------------------------- */

/* Refuses req with the official code; the body's message is error_text
 * when given (an allowRequest refusal's), the code's own otherwise, as
 * engine.io's abortRequest/abortUpgrade write it. context: the JSON
 * object engine.io's connection_error carries. */
static void refuse(eio_server *e, http_conn *c, http_request *req, int code,
                   const char *error_text, const char *context) {
  if (e->handler->on_error) e->handler->on_error(e, req, code, error_messages[code], context);
  const char *message = error_text ? error_text : error_messages[code];
  if (req->upgrade) {
    /* A refused WebSocket upgrade gets a bare 400, as engine.io does. */
    req->keep_alive = 0;
    http_respond(c, 400, "text/html", NULL, message, strlen(message));
    return;
  }
  sbuf h = SBUF_INIT, body = SBUF_INIT;
  eio_cors_headers(e, req, &h);
  sbuf_printf(&body, "{\"code\":%d,\"message\":", code);
  json_write_string(&body, message, strlen(message));
  sbuf_putc(&body, '}');
  http_respond(c, code == ERR_FORBIDDEN ? 403 : 400, "application/json", h.data, body.data,
               body.len);
  sbuf_free(&h);
  sbuf_free(&body);
}

static void respond_error(eio_server *e, http_conn *c, http_request *req, int code,
                          const char *context) {
  refuse(e, c, req, code, NULL, context);
}

void eio_refuse_request(eio_server *e, http_conn *c, http_request *req, const char *message,
                        const char *context) {
  refuse(e, c, req, ERR_FORBIDDEN, message, context);
}

/* {"name":name}, with one more string member when key is not NULL (a value
 * taken from the request, hence escaped). */
static void respond_error_named(eio_server *e, http_conn *c, http_request *req, int code,
                                const char *name, const char *key, const char *value) {
  sbuf context = SBUF_INIT;
  int rc = sbuf_putc(&context, '{');
  if (name) rc |= sbuf_printf(&context, "\"name\":\"%s\"", name);
  if (key) {
    rc |= sbuf_printf(&context, "%s\"%s\":", name ? "," : "", key);
    rc |= json_write_string(&context, value, strlen(value));
  }
  rc |= sbuf_putc(&context, '}');
  respond_error(e, c, req, code, rc ? "{}" : context.data);
  sbuf_free(&context);
}

/* ---- WebSocket handshake ------------------------------------------------ */

/* The permessage-deflate answer to the request's offer, appended to h: 1
 * with *bits set when accepted, 0 when not, -1 when the offer is refused
 * (400, as the ws package answers). */
static int negotiate_deflate(http_conn *c, http_request *req, sbuf *h, int *bits) {
  const char *offer = http_header(req, "sec-websocket-extensions");
  if (!server_of(c)->opts.per_message_deflate || !offer) return 0;
  size_t start = h->len;
  if (sbuf_puts(h, "Sec-WebSocket-Extensions: ")) return -1;
  int rc = ws_deflate_negotiate(offer, h, bits);
  if (rc == 1 && sbuf_puts(h, "\r\n")) rc = -1;
  if (rc != 1) h->len = start;
  if (rc < 0) {
    req->keep_alive = 0;
    http_respond(c, 400, "text/html", NULL, WS_DEFLATE_BAD_OFFER, strlen(WS_DEFLATE_BAD_OFFER));
  }
  return rc;
}

/* extra: header lines for the 101 (NULL: none). 0 accepted; -1 a bad
 * handshake, for the caller to answer; -2 refused and answered already. */
static int accept_websocket(http_conn *c, http_request *req, const char *extra) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  const char *key = http_header(req, "sec-websocket-key");
  const char *version = http_header(req, "sec-websocket-version");
  const char *upgrade = http_header(req, "upgrade");
  if (!key || !version || strcmp(version, "13") != 0 || !upgrade ||
      strcasecmp(upgrade, "websocket") != 0)
    return -1;
  sbuf k = SBUF_INIT, h = SBUF_INIT;
  uint8_t digest[20];
  int bits = 0;
  int deflate = negotiate_deflate(c, req, &h, &bits);
  if (deflate < 0) {
    sbuf_free(&h);
    return -2;
  }
  int rc = sbuf_puts(&k, key) | sbuf_puts(&k, guid);
  if (!rc) {
    sha1(k.data, k.len, digest);
    rc = sbuf_puts(&h, "Sec-WebSocket-Accept: ") | base64_encode(&h, digest, sizeof(digest)) |
         sbuf_puts(&h, "\r\n");
    if (extra) rc |= sbuf_puts(&h, extra);
  }
  if (!rc) http_accept_websocket(c, h.data);
  if (!rc && deflate) http_ws_use_deflate(c, bits);
  sbuf_free(&k);
  sbuf_free(&h);
  return rc ? -1 : 0;
}

/* ---- routing ------------------------------------------------------------ */

static int transport_allowed(const eio_server *e, const char *t) {
  if (!t) return -1;
  if (strcmp(t, "polling") == 0 && e->opts.allow_polling) return EIO_POLLING;
  if (strcmp(t, "websocket") == 0 && e->opts.allow_websocket) return EIO_WEBSOCKET;
  return -1;
}

/* A v3 client that cannot take binary polling payloads asks for base64
 * with b64 (read again here: the answer to allowRequest may come later). */
static int wants_b64(const http_request *req) {
  url_query q;
  int b64 = url_query_parse(&q, req->url.data ? req->url.data : "/", req->url.len) == 0 &&
            url_query_get(&q, "b64") != NULL;
  url_query_free(&q);
  return b64;
}

/* The 101 of a WebSocket, with what engine.io's "headers" (and, opening
 * a connection, "initial_headers") add to it. As accept_websocket. */
static int accept_websocket_with(eio_server *e, http_conn *c, http_request *req,
                                 const char *initial) {
  sbuf extra = SBUF_INIT;
  int rc = (initial && sbuf_puts(&extra, initial)) ||
                   (e->opts.hooks.headers && sbuf_puts(&extra, e->opts.hooks.headers))
               ? -1
               : accept_websocket(c, req, extra.data);
  sbuf_free(&extra);
  return rc;
}

/* engine.io checks the protocol version after allowRequest (in its
 * handshake()): a refused request is refused as such whatever its EIO. */
void eio_open_connection(eio_server *e, http_conn *c, http_request *req, int transport,
                         int protocol, const char *accepted) {
  if (protocol == 3 && !e->opts.allow_eio3) {
    respond_error(e, c, req, ERR_UNSUPPORTED_PROTOCOL_VERSION, "{\"protocol\":3}");
    return;
  }
  int failed = 0;
  if (transport == EIO_WEBSOCKET) {
    char *initial = eio_initial_headers(e, NULL, 0, accepted, &failed);
    int rc = failed ? -1 : accept_websocket_with(e, c, req, initial);
    free(initial);
    if (rc == -1)
      respond_error_named(e, c, req, ERR_BAD_REQUEST, "TRANSPORT_HANDSHAKE_ERROR", NULL, NULL);
    if (rc) return;
  }
  eio_session *s = eio_session_new(e, transport);
  if (s && transport == EIO_POLLING)
    s->initial_headers = eio_initial_headers(e, s->sid, 1, accepted, &failed);
  if (!s || failed) {
    if (transport == EIO_WEBSOCKET)
      http_conn_close(c, 1011);
    else
      http_respond(c, 500, "text/plain", NULL, "", 0);
    if (s) eio_session_end(s, "transport error");
    return;
  }
  s->eio3 = protocol == 3;
  s->b64 = s->eio3 && wants_b64(req);
  if (transport == EIO_WEBSOCKET) eio_session_attach_ws(s, c);
  if (e->handler->on_open(s, req)) {
    if (transport == EIO_POLLING) http_respond(c, 500, "text/plain", NULL, "", 0);
    eio_session_end(s, "transport error");
    return;
  }
  eio_session_open(s);
  if (transport == EIO_POLLING) eio_session_poll(s, c);
}

static void engine_request(eio_server *e, http_conn *c, http_request *req, url_query *q) {
  if (e->opts.cors_origin && req->method == HTTP_OPTIONS && !req->upgrade) {
    respond_preflight(e, c, req);
    return;
  }
  const char *transport_name = url_query_get(q, "transport");
  int transport = transport_allowed(e, transport_name);
  if (transport < 0) {
    respond_error_named(e, c, req, ERR_UNKNOWN_TRANSPORT, NULL,
                        transport_name ? "transport" : NULL, transport_name);
    return;
  }
  const char *sid = url_query_get(q, "sid");
  if (!sid) {
    if (req->method != HTTP_GET) {
      respond_error_named(e, c, req, ERR_BAD_HANDSHAKE_METHOD, NULL, "method",
                          llhttp_method_name(req->method));
      return;
    }
    if (transport == EIO_WEBSOCKET && !req->upgrade) {
      respond_error_named(e, c, req, ERR_BAD_REQUEST, "TRANSPORT_HANDSHAKE_ERROR", NULL, NULL);
      return;
    }
    eio_hooks_verify(e, c, req, transport, eio3_revision(q));
    return;
  }
  eio_session *s = strmap_get(&e->sessions, sid);
  if (!s || s->state == SESSION_CLOSED) {
    respond_error_named(e, c, req, ERR_UNKNOWN_SID, NULL, "sid", sid);
    return;
  }
  /* A session keeps the revision it started with. */
  int protocol = eio3_revision(q);
  if (protocol != eio_session_revision(s)) {
    sbuf context = SBUF_INIT;
    int rc = sbuf_printf(&context,
                         "{\"name\":\"PROTOCOL_MISMATCH\",\"protocol\":%d,"
                         "\"previousProtocol\":%d}",
                         protocol, eio_session_revision(s));
    respond_error(e, c, req, ERR_BAD_REQUEST, rc ? "{}" : context.data);
    sbuf_free(&context);
    return;
  }
  if (req->upgrade) {
    int rc = transport != EIO_WEBSOCKET ? -1 : accept_websocket_with(e, c, req, NULL);
    if (rc == -1)
      respond_error_named(e, c, req, ERR_BAD_REQUEST, "TRANSPORT_HANDSHAKE_ERROR", NULL, NULL);
    if (rc) return;
    if (s->transport != EIO_POLLING || s->probe || s->upgraded || s->state != SESSION_OPEN ||
        !e->opts.allow_upgrades) {
      /* Accepted, then closed at once: the session keeps its transport. */
      http_conn_close(c, 1000);
      return;
    }
    eio_session_attach_ws(s, c);
    return;
  }
  if (transport != s->transport || s->upgraded) {
    sbuf context = SBUF_INIT;
    int rc = sbuf_printf(&context,
                         "{\"name\":\"TRANSPORT_MISMATCH\",\"transport\":\"%s\","
                         "\"previousTransport\":\"%s\"}",
                         transport == EIO_WEBSOCKET ? "websocket" : "polling",
                         eio_session_transport(s));
    respond_error(e, c, req, ERR_BAD_REQUEST, rc ? "{}" : context.data);
    sbuf_free(&context);
    return;
  }
  if (req->method == HTTP_GET) {
    eio_session_poll(s, c);
  } else if (req->method == HTTP_POST) {
    if (req->too_big) {
      http_respond(c, 413, "text/plain", NULL, "Payload Too Large", 17);
      return;
    }
    eio_session_post(s, c, req->body.data ? req->body.data : "", req->body.len);
  } else {
    /* engine.io answers a bare 500 here, and reports nothing. */
    respond_error_named(e, c, req, ERR_BAD_REQUEST, "UNSUPPORTED_METHOD", "method",
                        llhttp_method_name(req->method));
  }
}

/* socket.io.js, socket.io.min.js, socket.io.msgpack.min.js,
 * socket.io.esm.min.js and their .map files. */
static int is_client_bundle(const char *name) {
  static const char *const names[] = {
      "socket.io.js", "socket.io.min.js", "socket.io.msgpack.min.js", "socket.io.esm.min.js",
      "socket.io.js.map", "socket.io.min.js.map", "socket.io.msgpack.min.js.map",
      "socket.io.esm.min.js.map"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(name, names[i]) == 0) return 1;
  return 0;
}

static void on_request(http_conn *c, http_request *req) {
  eio_server *e = server_of(c);
  url_query q;
  if (url_query_parse(&q, req->url.data ? req->url.data : "/", req->url.len)) {
    url_query_free(&q);
    req->keep_alive = 0;
    respond_error_named(e, c, req, ERR_BAD_REQUEST, "INVALID_QUERY", NULL, NULL);
    return;
  }
  const char *path = q.path.data ? q.path.data : "/";
  size_t plen = strlen(e->opts.path);
  if (strncmp(path, e->opts.path, plen) == 0) {
    const char *rest = path + plen;
    if (e->opts.client_dir && is_client_bundle(rest) && req->method == HTTP_GET &&
        static_file_respond(c, e->opts.client_dir, rest, "Cache-Control: public, max-age=0\r\n") == 0) {
      url_query_free(&q);
      return;
    }
    engine_request(e, c, req, &q);
    url_query_free(&q);
    return;
  }
  if (req->method == HTTP_GET && !req->upgrade && e->opts.static_dir &&
      static_file_respond(c, e->opts.static_dir, path + 1, NULL) == 0) {
    url_query_free(&q);
    return;
  }
  url_query_free(&q);
  req->keep_alive = req->keep_alive && !req->upgrade;
  http_respond(c, 404, "text/plain", NULL, "Not Found", 9);
}

static void on_ws_message(http_conn *c, const char *data, size_t len, int binary) {
  if (c->session) eio_session_ws_message(c->session, c, data, len, binary);
}

static void on_conn_close(http_conn *c) {
  if (eio_hooks_conn_closed(server_of(c), c)) return;
  if (c->session) eio_session_conn_closed(c->session, c);
}

static const http_handler eio_http_handler = {on_request, on_ws_message, on_conn_close};

static void flush_sessions(http_server *h) {
  eio_server *e = (eio_server *)h;
  while (e->flush_list) {
    eio_session *list = e->flush_list;
    e->flush_list = NULL;
    while (list) {
      eio_session *s = list;
      list = s->flush_next;
      eio_session_flush(s);
    }
  }
}

static void on_http_closed(http_server *h) {
  eio_server *e = (eio_server *)h;
  strmap_free(&e->sessions);
  if (e->on_closed) e->on_closed(e);
}

int eio_server_start(eio_server *e, uv_loop_t *loop, const char *host, int port) {
  e->http.handler = &eio_http_handler;
  e->http.max_body = e->opts.max_payload;
  e->http.max_ws_message = e->opts.max_payload;
  e->http.max_out = e->opts.max_payload * 4 + (8u << 20);
  e->http.keep_alive_ms = 5000;
  e->http.headers_timeout_ms = e->opts.headers_timeout;
  e->http.request_timeout_ms = e->opts.request_timeout;
  e->http.before_flush = flush_sessions;
  e->http.on_closed = on_http_closed;
  e->http.reuse_port = e->opts.reuse_port;
  e->http.tls = e->opts.tls;
  return http_server_listen(&e->http, loop, host, port);
}

#define SHUTDOWN_GRACE_MS 1000

void eio_server_close(eio_server *e) {
  if (e->closing) return;
  e->closing = 1;
  eio_hooks_close(e);
  http_server_stop_accepting(&e->http);
  const char *key;
  void *value;
  for (size_t i = 0; strmap_next(&e->sessions, &i, &key, &value);)
    eio_session_shut_down(value, SHUTDOWN_GRACE_MS);
  if (e->sessions.len == 0) http_server_close(&e->http);
}

void eio_server_abort(eio_server *e) {
  eio_server_close(e);
  const char *key;
  void *value;
  for (size_t i = 0; strmap_next(&e->sessions, &i, &key, &value);)
    eio_session_end(value, "server shutting down");
  http_server_abort(&e->http);
}

void eio_server_pause(eio_server *e) { http_server_pause(&e->http); }

void eio_server_resume(eio_server *e) { http_server_resume(&e->http); }

int eio_server_paused(const eio_server *e) { return e->http.paused; }

int eio_server_port(eio_server *e) { return http_server_port(&e->http); }

void eio_server_session_gone(eio_server *e) {
  if (e->closing && e->sessions.len == 0) http_server_close(&e->http);
}

void eio_options_free(eio_options *o) {
  free(o->path);
  free(o->cors_origin);
  free(o->client_dir);
  free(o->static_dir);
  SSL_CTX_free(o->tls);
  eio_hook_options_free(&o->hooks);
  memset(o, 0, sizeof(*o));
}
