#include "redis_conn.h"

#include <stdlib.h>

#include "redis_dial.h"
#include "redis_uv.h"

struct redis_conn {
  redis_dial dial;
  redis_conn_events ev;
  void *data;
  redisAsyncContext *ac;
};

static void maybe_closed(redis_conn *c) {
  if (redis_dial_settled(&c->dial) && !c->ac) {
    redis_url_free(&c->dial.url);
    c->ev.closed(c);
    free(c);
  }
}

static void on_auth(redisAsyncContext *ac, void *reply, void *priv) {
  redis_conn *c = priv;
  if (reply && !c->dial.closing && c->ac == ac) redis_dial_note_refusal(&c->dial, reply);
}

static void on_pong(redisAsyncContext *ac, void *reply, void *priv) {
  redis_conn *c = priv;
  if (!reply || c->dial.closing || c->ac != ac) return;
  if (!redis_dial_pong(&c->dial, reply)) {
    redisAsyncDisconnect(ac);
    return;
  }
  c->ev.up(c);
}

static void on_connect(const redisAsyncContext *ac, int status) {
  redis_conn *c = ac->data;
  if (status != REDIS_OK) {
    /* hiredis frees the context after this callback. */
    c->ac = NULL;
    redis_dial_lost(&c->dial, ac->errstr);
    maybe_closed(c);
    return;
  }
  /* AUTH first, as node-redis does: its error is the reason told, and the
   * PING after it is refused too. */
  const char *argv[3];
  size_t lens[3];
  int argc = redis_dial_auth(&c->dial, argv, lens);
  if (argc) redisAsyncCommandArgv((redisAsyncContext *)ac, on_auth, c, argc, argv, lens);
  redisAsyncCommand((redisAsyncContext *)ac, on_pong, c, "PING");
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
  redis_conn *c = ac->data;
  c->ac = NULL;
  if (c->dial.closing) {
    maybe_closed(c);
    return;
  }
  redis_dial_lost(&c->dial, status == REDIS_OK ? "connection closed" : ac->errstr);
}

static int open_at(redis_dial *d, const char *ip) {
  redis_conn *c = d->owner;
  redisAsyncContext *ac = redisAsyncConnect(ip, d->url.port);
  if (!ac || ac->err || redis_uv_attach(ac, d->loop)) {
    redis_dial_lost(d, ac && ac->err ? ac->errstr : "cannot connect");
    if (ac) redisAsyncFree(ac);
    return -1;
  }
  ac->data = c;
  c->ac = ac;
  redisAsyncSetConnectCallback(ac, on_connect);
  redisAsyncSetDisconnectCallback(ac, on_disconnect);
  return 0;
}

static void on_connect_timeout(redis_dial *d) {
  redis_conn *c = d->owner;
  if (!c->ac) return;
  redisAsyncContext *ac = c->ac;
  /* Freed rather than disconnected: hiredis's disconnect waits for the
   * answer to PING, which a peer that accepted and stays silent never
   * sends. The reason is given here, not by the disconnect callback. */
  ac->onDisconnect = NULL;
  c->ac = NULL;
  redisAsyncFree(ac);
  redis_dial_lost(d, "connect timeout");
}

static void on_down(redis_dial *d, const char *why) {
  redis_conn *c = d->owner;
  c->ev.down(c, why);
}

static void on_settled(redis_dial *d) { maybe_closed(d->owner); }

static const redis_dial_ops dial_ops = {open_at, on_connect_timeout, on_down, on_settled};

redis_conn *redis_conn_new(uv_loop_t *loop, const redis_url *url, const redis_conn_events *ev,
                           void *data) {
  redis_conn *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  c->ev = *ev;
  c->data = data;
  if (redis_dial_start(&c->dial, loop, url, &dial_ops, c)) {
    free(c);
    return NULL;
  }
  return c;
}

void *redis_conn_data(const redis_conn *c) { return c->data; }

int redis_conn_is_up(const redis_conn *c) { return c->dial.up; }

int redis_conn_send(redis_conn *c, redisCallbackFn *fn, void *priv, int argc, const char **argv,
                    const size_t *lens) {
  if (!c->dial.up || !c->ac) return -1;
  return redisAsyncCommandArgv(c->ac, fn, priv, argc, argv, lens) == REDIS_OK ? 0 : -1;
}

void redis_conn_close(redis_conn *c) {
  if (redis_dial_close(&c->dial)) return;
  if (c->ac) {
    redisAsyncContext *ac = c->ac;
    /* The disconnect callback may run inside the free: it sees closing. */
    c->ac = NULL;
    redisAsyncFree(ac);
  }
}
