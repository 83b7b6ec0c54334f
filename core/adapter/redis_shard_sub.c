#include "redis_shard_sub.h"

#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "../util/strmap.h"
#include "redis_dial.h"

/* One connection attempt: its poll handle must be closed before hiredis
 * closes the socket, so both go together, freed once libuv lets go. */
typedef struct shard_link {
  uv_poll_t poll;
  redisContext *ctx;
  redis_shard_sub *owner;
  int events;
} shard_link;

struct redis_shard_sub {
  redis_dial dial;
  redis_shard_sub_events ev;
  void *data;
  shard_link *link;     /* the connection being made or made, or NULL */
  int links;            /* links not yet freed */
  int hello;            /* replies owed before up: AUTH's, then PING's */
  strmap channels;      /* the channels listened to (values unused) */
};

static void maybe_closed(redis_shard_sub *s) {
  if (redis_dial_settled(&s->dial) && !s->links) {
    strmap_free(&s->channels);
    redis_url_free(&s->dial.url);
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

static void lost(redis_shard_sub *s, const char *what) {
  drop_link(s);
  redis_dial_lost(&s->dial, what);
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

static void on_hello_reply(redis_shard_sub *s, const redisReply *r) {
  if (--s->hello) {
    redis_dial_note_refusal(&s->dial, r);
    return;
  }
  if (!redis_dial_pong(&s->dial, r)) {
    lost(s, "not a Redis server");
    return;
  }
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

static int open_at(redis_dial *d, const char *ip) {
  redis_shard_sub *s = d->owner;
  redisContext *ctx = redisConnectNonBlock(ip, d->url.port);
  shard_link *l = ctx && !ctx->err ? calloc(1, sizeof(*l)) : NULL;
  if (!l || uv_poll_init(d->loop, &l->poll, ctx->fd) != 0) {
    redis_dial_lost(d, ctx && ctx->err ? ctx->errstr : "cannot connect");
    free(l);
    if (ctx) redisFree(ctx);
    return -1;
  }
  l->ctx = ctx;
  l->owner = s;
  l->poll.data = l;
  s->link = l;
  s->links++;
  /* AUTH first, as node-redis does: its error is the reason told. */
  s->hello = 1;
  const char *argv[3];
  size_t lens[3];
  int argc = redis_dial_auth(d, argv, lens);
  if (argc) {
    redisAppendCommandArgv(ctx, argc, argv, lens);
    s->hello++;
  }
  send_cmd(s, "PING", NULL);
  return 0;
}

static void on_connect_timeout(redis_dial *d) {
  redis_shard_sub *s = d->owner;
  if (s->link) lost(s, "connect timeout");
}

static void on_down(redis_dial *d, const char *why) {
  redis_shard_sub *s = d->owner;
  s->ev.down(s, why);
}

static void on_settled(redis_dial *d) { maybe_closed(d->owner); }

static const redis_dial_ops dial_ops = {open_at, on_connect_timeout, on_down, on_settled};

redis_shard_sub *redis_shard_sub_new(uv_loop_t *loop, const redis_url *url,
                                     const redis_shard_sub_events *ev, void *data) {
  redis_shard_sub *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->ev = *ev;
  s->data = data;
  if (redis_dial_start(&s->dial, loop, url, &dial_ops, s)) {
    free(s);
    return NULL;
  }
  return s;
}

void *redis_shard_sub_data(const redis_shard_sub *s) { return s->data; }

int redis_shard_sub_is_up(const redis_shard_sub *s) { return s->dial.up; }

int redis_shard_sub_add(redis_shard_sub *s, const char *channel) {
  if (strmap_get(&s->channels, channel)) return 0;
  if (strmap_put(&s->channels, channel, s)) return -1;
  if (s->dial.up) send_cmd(s, "SSUBSCRIBE", channel);
  return 0;
}

void redis_shard_sub_remove(redis_shard_sub *s, const char *channel) {
  if (strmap_del(&s->channels, channel) && s->dial.up) send_cmd(s, "SUNSUBSCRIBE", channel);
}

void redis_shard_sub_close(redis_shard_sub *s) {
  if (redis_dial_close(&s->dial)) return;
  drop_link(s);
}
