#include "redis_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_uv.h"

#define RETRY_STEP_MS 50
#define RETRY_MAX_MS 500
/* node-redis's connectTimeout: a host that drops packets is given up on. */
#define CONNECT_TIMEOUT_MS 5000

struct redis_conn {
  uv_loop_t *loop;
  redis_url url;
  redis_conn_events ev;
  void *data;
  redisAsyncContext *ac;
  uv_getaddrinfo_t resolve;
  uv_timer_t retry;
  int resolving;
  int up;
  int closing;
  int timer_closed;
  unsigned attempts;
  char refusal[160]; /* Redis refused AUTH or PING: why the attempt failed */
};

static void connect_now(redis_conn *c);

static void maybe_closed(redis_conn *c) {
  if (c->closing && c->timer_closed && !c->resolving && !c->ac) {
    redis_url_free(&c->url);
    c->ev.closed(c);
    free(c);
  }
}

static void on_retry(uv_timer_t *t) { connect_now(t->data); }

static void failed(redis_conn *c, const char *why) {
  c->up = 0;
  if (c->closing) return;
  c->attempts++;
  unsigned delay = c->attempts * RETRY_STEP_MS;
  uv_timer_start(&c->retry, on_retry, delay < RETRY_MAX_MS ? delay : RETRY_MAX_MS, 0);
  c->ev.down(c, why);
}

static void on_connect_timeout(uv_timer_t *t) {
  redis_conn *c = t->data;
  if (!c->ac || c->up) return;
  redisAsyncContext *ac = c->ac;
  if (ac->c.flags & REDIS_CONNECTED) {
    /* Connected but no answer to PING: on_disconnect takes it from here. */
    redisAsyncDisconnect(ac);
    return;
  }
  c->ac = NULL;
  redisAsyncFree(ac);
  char why[160];
  snprintf(why, sizeof why, "redis %s:%d: connect timeout", c->url.host, c->url.port);
  failed(c, why);
}

static void note_refusal(redis_conn *c, const redisReply *r) {
  if (!c->refusal[0] && r->type == REDIS_REPLY_ERROR)
    snprintf(c->refusal, sizeof c->refusal, "redis %s:%d: %s", c->url.host, c->url.port, r->str);
}

static void on_auth(redisAsyncContext *ac, void *reply, void *priv) {
  redis_conn *c = priv;
  if (reply && !c->closing && c->ac == ac) note_refusal(c, reply);
}

/* Up once the server has answered PING as Redis does: a peer that accepts
 * the connection but speaks something else is no Redis. */
static void on_pong(redisAsyncContext *ac, void *reply, void *priv) {
  redis_conn *c = priv;
  redisReply *r = reply;
  if (!r || c->closing || c->ac != ac) return;
  if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "PONG") != 0) {
    note_refusal(c, r);
    redisAsyncDisconnect(ac);
    return;
  }
  c->refusal[0] = 0;
  c->up = 1;
  c->attempts = 0;
  uv_timer_stop(&c->retry);
  c->ev.up(c);
}


static void on_connect(const redisAsyncContext *ac, int status) {
  redis_conn *c = ac->data;
  if (status != REDIS_OK) {
    /* hiredis frees the context after this callback. */
    char why[160];
    snprintf(why, sizeof why, "redis %s:%d: %s", c->url.host, c->url.port, ac->errstr);
    c->ac = NULL;
    failed(c, why);
    maybe_closed(c);
    return;
  }
  /* AUTH first, as node-redis does: its error (WRONGPASS, NOAUTH) is the
   * reason the host is told, and the PING after it is refused too. */
  if (c->url.password) {
    const char *argv[3] = {"AUTH", c->url.user ? c->url.user : c->url.password, c->url.password};
    int argc = c->url.user ? 3 : 2;
    size_t lens[3] = {4, strlen(argv[1]), strlen(c->url.password)};
    redisAsyncCommandArgv((redisAsyncContext *)ac, on_auth, c, argc, argv, lens);
  }
  redisAsyncCommand((redisAsyncContext *)ac, on_pong, c, "PING");
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
  redis_conn *c = ac->data;
  c->ac = NULL;
  if (c->closing) {
    c->up = 0;
    maybe_closed(c);
    return;
  }
  char why[160];
  if (c->refusal[0])
    memcpy(why, c->refusal, sizeof why);
  else
    snprintf(why, sizeof why, "redis %s:%d: %s", c->url.host, c->url.port,
             status == REDIS_OK ? "connection closed" : ac->errstr);
  c->refusal[0] = 0;
  failed(c, why);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  redis_conn *c = req->data;
  c->resolving = 0;
  char ip[64] = "";
  if (status == 0 && res) {
    if (res->ai_family == AF_INET6)
      uv_ip6_name((struct sockaddr_in6 *)res->ai_addr, ip, sizeof ip);
    else
      uv_ip4_name((struct sockaddr_in *)res->ai_addr, ip, sizeof ip);
  }
  uv_freeaddrinfo(res);
  if (c->closing) {
    maybe_closed(c);
    return;
  }
  char why[160];
  if (!ip[0]) {
    snprintf(why, sizeof why, "getaddrinfo %s %s", status == UV_EAI_AGAIN ? "EAI_AGAIN" : "ENOTFOUND",
             c->url.host);
    failed(c, why);
    return;
  }
  /* A numeric address: hiredis's own lookup of it does not block. */
  redisAsyncContext *ac = redisAsyncConnect(ip, c->url.port);
  if (!ac || ac->err || redis_uv_attach(ac, c->loop)) {
    snprintf(why, sizeof why, "redis %s:%d: %s", c->url.host, c->url.port,
             ac && ac->err ? ac->errstr : "cannot connect");
    if (ac) redisAsyncFree(ac);
    failed(c, why);
    return;
  }
  ac->data = c;
  c->ac = ac;
  uv_timer_start(&c->retry, on_connect_timeout, CONNECT_TIMEOUT_MS, 0);
  redisAsyncSetConnectCallback(ac, on_connect);
  redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

static void connect_now(redis_conn *c) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  char port[8];
  snprintf(port, sizeof port, "%d", c->url.port);
  c->resolve.data = c;
  if (uv_getaddrinfo(c->loop, &c->resolve, on_resolved, c->url.host, port, &hints) == 0)
    c->resolving = 1;
  else
    failed(c, "getaddrinfo failed");
}

redis_conn *redis_conn_new(uv_loop_t *loop, const redis_url *url, const redis_conn_events *ev,
                           void *data) {
  redis_conn *c = calloc(1, sizeof(*c));
  if (!c || redis_url_copy(url, &c->url)) {
    free(c);
    return NULL;
  }
  c->loop = loop;
  c->ev = *ev;
  c->data = data;
  uv_timer_init(loop, &c->retry);
  c->retry.data = c;
  connect_now(c);
  return c;
}

void *redis_conn_data(const redis_conn *c) { return c->data; }

int redis_conn_is_up(const redis_conn *c) { return c->up; }

int redis_conn_send(redis_conn *c, redisCallbackFn *fn, void *priv, int argc, const char **argv,
                    const size_t *lens) {
  if (!c->up || !c->ac) return -1;
  return redisAsyncCommandArgv(c->ac, fn, priv, argc, argv, lens) == REDIS_OK ? 0 : -1;
}

static void on_timer_closed(uv_handle_t *h) {
  redis_conn *c = h->data;
  c->timer_closed = 1;
  maybe_closed(c);
}

void redis_conn_close(redis_conn *c) {
  if (c->closing) return;
  c->closing = 1;
  if (c->resolving) uv_cancel((uv_req_t *)&c->resolve);
  if (c->ac) {
    redisAsyncContext *ac = c->ac;
    /* The disconnect callback may run inside the free: it sees closing. */
    c->ac = NULL;
    redisAsyncFree(ac);
  }
  uv_close((uv_handle_t *)&c->retry, on_timer_closed);
}
