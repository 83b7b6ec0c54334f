#include "redis_dial.h"

#include <stdio.h>
#include <string.h>

#define RETRY_STEP_MS 50
#define RETRY_MAX_MS 500
/* node-redis's connectTimeout: a host that drops packets is given up on. */
#define CONNECT_TIMEOUT_MS 5000

static void connect_now(redis_dial *d);

static void on_retry(uv_timer_t *t) { connect_now(t->data); }

static void failed(redis_dial *d, const char *why) {
  d->up = 0;
  if (d->closing) return;
  d->attempts++;
  unsigned delay = d->attempts * RETRY_STEP_MS;
  uv_timer_start(&d->timer, on_retry, delay < RETRY_MAX_MS ? delay : RETRY_MAX_MS, 0);
  d->ops->down(d, why);
}

static void on_connect_timeout(uv_timer_t *t) {
  redis_dial *d = t->data;
  if (!d->up) d->ops->timeout(d);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  redis_dial *d = req->data;
  d->resolving = 0;
  char ip[64] = "";
  if (status == 0 && res) {
    if (res->ai_family == AF_INET6)
      uv_ip6_name((struct sockaddr_in6 *)res->ai_addr, ip, sizeof ip);
    else
      uv_ip4_name((struct sockaddr_in *)res->ai_addr, ip, sizeof ip);
  }
  uv_freeaddrinfo(res);
  if (d->closing) {
    d->ops->settled(d);
    return;
  }
  if (!ip[0]) {
    /* Worded as Node's dns errors are, as node-redis reports them. */
    char why[REDIS_DIAL_WHY];
    snprintf(why, sizeof why, "getaddrinfo %s %s", status == UV_EAI_AGAIN ? "EAI_AGAIN" : "ENOTFOUND",
             d->url.host);
    failed(d, why);
    return;
  }
  if (d->ops->open(d, ip) == 0) uv_timer_start(&d->timer, on_connect_timeout, CONNECT_TIMEOUT_MS, 0);
}

static void connect_now(redis_dial *d) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  char port[8];
  snprintf(port, sizeof port, "%d", d->url.port);
  d->resolve.data = d;
  if (uv_getaddrinfo(d->loop, &d->resolve, on_resolved, d->url.host, port, &hints) == 0)
    d->resolving = 1;
  else
    failed(d, "getaddrinfo failed");
}

int redis_dial_start(redis_dial *d, uv_loop_t *loop, const redis_url *url,
                     const redis_dial_ops *ops, void *owner) {
  if (redis_url_copy(url, &d->url)) return -1;
  d->loop = loop;
  d->ops = ops;
  d->owner = owner;
  uv_timer_init(loop, &d->timer);
  d->timer.data = d;
  connect_now(d);
  return 0;
}

int redis_dial_auth(const redis_dial *d, const char *argv[3], size_t lens[3]) {
  const redis_url *u = &d->url;
  if (!u->password) return 0;
  argv[0] = "AUTH";
  argv[1] = u->user ? u->user : u->password;
  argv[2] = u->password;
  lens[0] = 4;
  lens[1] = strlen(argv[1]);
  lens[2] = strlen(u->password);
  return u->user ? 3 : 2;
}

void redis_dial_note_refusal(redis_dial *d, const redisReply *r) {
  if (!d->refusal[0] && r->type == REDIS_REPLY_ERROR)
    snprintf(d->refusal, sizeof d->refusal, "redis %s:%d: %s", d->url.host, d->url.port, r->str);
}

int redis_dial_pong(redis_dial *d, const redisReply *r) {
  if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "PONG") != 0) {
    redis_dial_note_refusal(d, r);
    return 0;
  }
  d->refusal[0] = 0;
  d->up = 1;
  d->attempts = 0;
  uv_timer_stop(&d->timer);
  return 1;
}

void redis_dial_lost(redis_dial *d, const char *what) {
  char why[REDIS_DIAL_WHY];
  if (d->refusal[0])
    memcpy(why, d->refusal, sizeof why);
  else
    snprintf(why, sizeof why, "redis %s:%d: %s", d->url.host, d->url.port, what);
  d->refusal[0] = 0;
  failed(d, why);
}

static void on_timer_closed(uv_handle_t *h) {
  redis_dial *d = h->data;
  d->timer_closed = 1;
  d->ops->settled(d);
}

int redis_dial_close(redis_dial *d) {
  if (d->closing) return -1;
  d->closing = 1;
  d->up = 0;
  if (d->resolving) uv_cancel((uv_req_t *)&d->resolve);
  uv_close((uv_handle_t *)&d->timer, on_timer_closed);
  return 0;
}

int redis_dial_settled(const redis_dial *d) {
  return d->closing && d->timer_closed && !d->resolving;
}
