#include "redis_shard_sub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "../util/strmap.h"

#define RETRY_STEP_MS 50
#define RETRY_MAX_MS 500
#define CONNECT_TIMEOUT_MS 5000

/* One connection attempt: its poll handle must be closed before hiredis
 * closes the socket, so both go together, freed once libuv lets go. */
typedef struct shard_link {
  uv_poll_t poll;
  redisContext *ctx;
  redis_shard_sub *owner;
  int events;
} shard_link;

struct redis_shard_sub {
  uv_loop_t *loop;
  redis_url url;
  redis_shard_sub_events ev;
  void *data;
  shard_link *link;     /* the connection being made or made, or NULL */
  uv_getaddrinfo_t resolve;
  uv_timer_t timer;     /* the connect timeout, then the next attempt */
  int resolving;
  int up;
  int closing;
  int timer_closed;
  int links;            /* links not yet freed */
  int hello;            /* replies owed before up: AUTH's, then PING's */
  unsigned attempts;
  char refusal[160];    /* Redis refused AUTH or PING: why the attempt failed */
  strmap channels;      /* the channels listened to (values unused) */
};

static void connect_now(redis_shard_sub *s);

static void maybe_closed(redis_shard_sub *s) {
  if (s->closing && s->timer_closed && !s->resolving && !s->links) {
    strmap_free(&s->channels);
    redis_url_free(&s->url);
    s->ev.closed(s);
    free(s);
  }
}

static void on_link_closed(uv_handle_t *h) {
  shard_link *l = h->data;
  redis_shard_sub *s = l->owner;
  redisFree(l->ctx);
  free(l);
  s->links--;
  maybe_closed(s);
}

static void drop_link(redis_shard_sub *s) {
  shard_link *l = s->link;
  if (!l) return;
  s->link = NULL;
  uv_close((uv_handle_t *)&l->poll, on_link_closed);
}

static void on_retry(uv_timer_t *t) { connect_now(t->data); }

static void failed(redis_shard_sub *s, const char *why) {
  s->up = 0;
  if (s->closing) return;
  s->attempts++;
  unsigned delay = s->attempts * RETRY_STEP_MS;
  uv_timer_start(&s->timer, on_retry, delay < RETRY_MAX_MS ? delay : RETRY_MAX_MS, 0);
  s->ev.down(s, why);
}

/* The connection is gone: a refusal by Redis is the better reason. */
static void lost(redis_shard_sub *s, const char *what) {
  char why[160];
  if (s->refusal[0])
    memcpy(why, s->refusal, sizeof why);
  else
    snprintf(why, sizeof why, "redis %s:%d: %s", s->url.host, s->url.port, what);
  s->refusal[0] = 0;
  drop_link(s);
  failed(s, why);
}

static void on_connect_timeout(uv_timer_t *t) {
  redis_shard_sub *s = t->data;
  if (s->link && !s->up) lost(s, "connect timeout");
}

static void on_poll(uv_poll_t *h, int status, int events);

static void poll_for(shard_link *l, int events) {
  if (events == l->events) return;
  l->events = events;
  uv_poll_start(&l->poll, events, on_poll);
}

static int send_cmd(redis_shard_sub *s, const char *cmd, const char *arg) {
  if (!s->link) return -1;
  const char *argv[3] = {cmd, arg};
  size_t lens[3] = {strlen(cmd), arg ? strlen(arg) : 0};
  if (redisAppendCommandArgv(s->link->ctx, arg ? 2 : 1, argv, lens) != REDIS_OK) return -1;
  poll_for(s->link, UV_READABLE | UV_WRITABLE);
  return 0;
}

static void note_refusal(redis_shard_sub *s, const redisReply *r) {
  if (!s->refusal[0] && r->type == REDIS_REPLY_ERROR)
    snprintf(s->refusal, sizeof s->refusal, "redis %s:%d: %s", s->url.host, s->url.port, r->str);
}

/* Up once the server has answered PING as Redis does. */
static void on_hello_reply(redis_shard_sub *s, const redisReply *r) {
  note_refusal(s, r);
  if (--s->hello) return;
  if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "PONG") != 0) {
    lost(s, "not a Redis server");
    return;
  }
  s->refusal[0] = 0;
  s->up = 1;
  s->attempts = 0;
  uv_timer_stop(&s->timer);
  const char *name;
  void *v;
  for (size_t i = 0; strmap_next(&s->channels, &i, &name, &v);) send_cmd(s, "SSUBSCRIBE", name);
  s->ev.up(s);
}

static void on_reply(redis_shard_sub *s, const redisReply *r) {
  if (s->hello) {
    on_hello_reply(s, r);
    return;
  }
  /* ["smessage", channel, payload]; the (un)subscribe confirmations say
   * nothing the caller needs. */
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
  for (size_t i = 0; i < 3; i++)
    if (r->element[i]->type != REDIS_REPLY_STRING) return;
  if (strcmp(r->element[0]->str, "smessage") == 0)
    s->ev.message(s, r->element[1]->str, r->element[1]->len, r->element[2]->str, r->element[2]->len);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  shard_link *l = h->data;
  redis_shard_sub *s = l->owner;
  if (s->link != l) return;
  if (status < 0) {
    lost(s, uv_strerror(status));
    return;
  }
  redisContext *ctx = l->ctx;
  if (events & UV_WRITABLE) {
    int done = 0;
    if (redisBufferWrite(ctx, &done) != REDIS_OK) {
      lost(s, ctx->errstr);
      return;
    }
    if (done) poll_for(l, UV_READABLE);
  }
  if (!(events & UV_READABLE)) return;
  if (redisBufferRead(ctx) != REDIS_OK) {
    lost(s, ctx->errstr);
    return;
  }
  for (;;) {
    void *reply = NULL;
    if (redisGetReplyFromReader(ctx, &reply) != REDIS_OK) {
      lost(s, ctx->errstr);
      return;
    }
    if (!reply) return;
    on_reply(s, reply);
    freeReplyObject(reply);
    /* The reply may have ended this connection (a refusal, a close). */
    if (s->link != l) return;
  }
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  redis_shard_sub *s = req->data;
  s->resolving = 0;
  char ip[64] = "";
  if (status == 0 && res) {
    if (res->ai_family == AF_INET6)
      uv_ip6_name((struct sockaddr_in6 *)res->ai_addr, ip, sizeof ip);
    else
      uv_ip4_name((struct sockaddr_in *)res->ai_addr, ip, sizeof ip);
  }
  uv_freeaddrinfo(res);
  if (s->closing) {
    maybe_closed(s);
    return;
  }
  char why[160];
  if (!ip[0]) {
    snprintf(why, sizeof why, "getaddrinfo %s %s", status == UV_EAI_AGAIN ? "EAI_AGAIN" : "ENOTFOUND",
             s->url.host);
    failed(s, why);
    return;
  }
  /* A numeric address: hiredis's own lookup of it does not block. */
  redisContext *ctx = redisConnectNonBlock(ip, s->url.port);
  shard_link *l = ctx && !ctx->err ? calloc(1, sizeof(*l)) : NULL;
  if (!l || uv_poll_init(s->loop, &l->poll, ctx->fd) != 0) {
    snprintf(why, sizeof why, "redis %s:%d: %s", s->url.host, s->url.port,
             ctx && ctx->err ? ctx->errstr : "cannot connect");
    free(l);
    if (ctx) redisFree(ctx);
    failed(s, why);
    return;
  }
  l->ctx = ctx;
  l->owner = s;
  l->poll.data = l;
  s->link = l;
  s->links++;
  /* AUTH first, as node-redis does: its error is the reason told. */
  s->hello = 1;
  if (s->url.password) {
    const char *argv[3] = {"AUTH", s->url.user ? s->url.user : s->url.password, s->url.password};
    size_t lens[3] = {4, strlen(argv[1]), strlen(s->url.password)};
    redisAppendCommandArgv(ctx, s->url.user ? 3 : 2, argv, lens);
    s->hello++;
  }
  send_cmd(s, "PING", NULL);
  uv_timer_start(&s->timer, on_connect_timeout, CONNECT_TIMEOUT_MS, 0);
}

static void connect_now(redis_shard_sub *s) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  char port[8];
  snprintf(port, sizeof port, "%d", s->url.port);
  s->resolve.data = s;
  if (uv_getaddrinfo(s->loop, &s->resolve, on_resolved, s->url.host, port, &hints) == 0)
    s->resolving = 1;
  else
    failed(s, "getaddrinfo failed");
}

redis_shard_sub *redis_shard_sub_new(uv_loop_t *loop, const redis_url *url,
                                     const redis_shard_sub_events *ev, void *data) {
  redis_shard_sub *s = calloc(1, sizeof(*s));
  if (!s || redis_url_copy(url, &s->url)) {
    free(s);
    return NULL;
  }
  s->loop = loop;
  s->ev = *ev;
  s->data = data;
  uv_timer_init(loop, &s->timer);
  s->timer.data = s;
  connect_now(s);
  return s;
}

void *redis_shard_sub_data(const redis_shard_sub *s) { return s->data; }

int redis_shard_sub_is_up(const redis_shard_sub *s) { return s->up; }

int redis_shard_sub_add(redis_shard_sub *s, const char *channel) {
  if (strmap_get(&s->channels, channel)) return 0;
  if (strmap_put(&s->channels, channel, s)) return -1;
  if (s->up) send_cmd(s, "SSUBSCRIBE", channel);
  return 0;
}

void redis_shard_sub_remove(redis_shard_sub *s, const char *channel) {
  if (strmap_del(&s->channels, channel) && s->up) send_cmd(s, "SUNSUBSCRIBE", channel);
}

static void on_timer_closed(uv_handle_t *h) {
  redis_shard_sub *s = h->data;
  s->timer_closed = 1;
  maybe_closed(s);
}

void redis_shard_sub_close(redis_shard_sub *s) {
  if (s->closing) return;
  s->closing = 1;
  s->up = 0;
  if (s->resolving) uv_cancel((uv_req_t *)&s->resolve);
  drop_link(s);
  uv_close((uv_handle_t *)&s->timer, on_timer_closed);
}
