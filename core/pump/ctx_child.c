/* Children the host frees before the context, and the host's tags that the
 * pump puts in events (ev.user, ev.socket_user). */
#include "context.h"

#include <stddef.h>

void ctx_child_drop_tags(struct sio_context *ctx, ctx_child *c) {
  atomic_fetch_sub(&ctx->ntags, c->socket_users.len);
  strmap_free(&c->socket_users);
}

void ctx_child_release(struct sio_context *ctx, ctx_child *c) {
  atomic_store(&c->freed, 1);
  uv_mutex_lock(&ctx->tags_lock);
  ctx_child_drop_tags(ctx, c);
  uv_mutex_unlock(&ctx->tags_lock);
}

int ctx_set_socket_user(struct sio_context *ctx, ctx_child *c, const char *sid, void *user) {
  int rc = 0;
  uv_mutex_lock(&ctx->tags_lock);
  size_t before = c->socket_users.len;
  if (!user)
    strmap_del(&c->socket_users, sid);
  else if (strmap_put(&c->socket_users, sid, user))
    rc = SIO_ENOMEM;
  if (c->socket_users.len > before) atomic_fetch_add(&ctx->ntags, 1);
  if (c->socket_users.len < before) atomic_fetch_sub(&ctx->ntags, 1);
  uv_mutex_unlock(&ctx->tags_lock);
  return rc;
}

static void reap(struct sio_context *ctx, ctx_child *c) {
  uv_mutex_lock(&ctx->children_lock);
  for (ctx_child **p = &ctx->children; *p; p = &(*p)->next)
    if (*p == c) {
      *p = c->next;
      break;
    }
  uv_mutex_unlock(&ctx->children_lock);
  ctx_child_drop_tags(ctx, c);
  c->destroy(c);
}

/* The sio_server and sio_client start with their ctx_child. */
static ctx_child *owner(const sio_event *ev) {
  return ev->server ? (ctx_child *)(void *)ev->server : (ctx_child *)(void *)ev->client;
}

/* Under tags_lock. A socket's DISCONNECT is the last event to carry its tag. */
static void *socket_user(struct sio_context *ctx, ctx_child *c, const sio_event *ev) {
  if (!c->socket_users.len) return NULL;
  if (ev->type != SIO_EV_DISCONNECT) return strmap_get(&c->socket_users, ev->sid);
  void *user = strmap_del(&c->socket_users, ev->sid);
  if (user) atomic_fetch_sub(&ctx->ntags, 1);
  return user;
}

size_t ctx_filter_events(struct sio_context *ctx, ev_rec **first) {
  /* No lock and no lookup at all until the host tags a socket. */
  int tags = atomic_load(&ctx->ntags) != 0;
  if (tags) uv_mutex_lock(&ctx->tags_lock);
  ev_rec *kept = NULL, **kept_tail = &kept, *dropped = NULL, **dropped_tail = &dropped;
  size_t n = 0;
  for (ev_rec *r = *first, *next; r; r = next) {
    next = r->next;
    if (r->ev.type == EV_MARKER) {
      reap(ctx, (ctx_child *)(void *)((char *)r - offsetof(ctx_child, reap)));
      continue;
    }
    ctx_child *c = owner(&r->ev);
    if (c && atomic_load_explicit(&c->freed, memory_order_acquire)) {
      *dropped_tail = r;
      dropped_tail = &r->next;
      continue;
    }
    if (c) {
      r->ev.user = atomic_load_explicit(&c->user, memory_order_acquire);
      if (tags && r->ev.server && r->ev.sid) r->ev.socket_user = socket_user(ctx, c, &r->ev);
    }
    *kept_tail = r;
    kept_tail = &r->next;
    n++;
  }
  if (tags) uv_mutex_unlock(&ctx->tags_lock);
  *dropped_tail = NULL;
  *kept_tail = dropped;
  *first = kept;
  return n;
}
