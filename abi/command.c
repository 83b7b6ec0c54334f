#include "command.h"

#include <string.h>

size_t abi_str_size(const char *s) { return s ? strlen(s) + 8 : 0; }

size_t abi_strs_size(const char *const *v, size_t n) {
  size_t total = n * sizeof(char *);
  for (size_t i = 0; i < n; i++) total += abi_str_size(v[i]);
  return total;
}

size_t abi_target_size(const sio_target *t) {
  if (!t) return 0;
  return abi_str_size(t->nsp) + abi_str_size(t->sid) + abi_strs_size(t->rooms, t->nrooms) +
         abi_strs_size(t->except, t->nexcept);
}

size_t abi_message_size(const sio_message *m) {
  size_t total = abi_str_size(m->event) + m->args_len + 8 +
                 m->nbins * (sizeof(sio_attachment) + 8);
  for (size_t i = 0; i < m->nbins; i++) total += m->bins[i].len;
  return total;
}

abi_cmd *abi_cmd_new(struct sio_context *ctx, void *handle, int op, size_t extra) {
  /* The arena needs no zeroing: every byte of it is written before use. */
  abi_cmd *c = cmdq_alloc(&ctx->cmdq, sizeof(*c) + extra, sizeof(*c));
  if (!c) return NULL;
  c->handle = handle;
  c->op = op;
  c->ack_id = -1;
  c->arena_next = c->arena;
  return c;
}

static void *arena_take(abi_cmd *c, size_t n) {
  /* Pointers and attachments stay 8-byte aligned. */
  void *p = c->arena_next;
  c->arena_next += (n + 7) & ~(size_t)7;
  return p;
}

char *abi_cmd_str(abi_cmd *c, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = arena_take(c, n);
  memcpy(p, s, n);
  return p;
}

char **abi_cmd_strs(abi_cmd *c, const char *const *v, size_t n) {
  if (!n) return NULL;
  char **out = arena_take(c, n * sizeof(char *));
  for (size_t i = 0; i < n; i++) out[i] = abi_cmd_str(c, v[i]);
  return out;
}

void abi_cmd_target(abi_cmd *c, const sio_target *t) {
  if (!t) return;
  c->target.size = sizeof(c->target);
  c->target.nsp = abi_cmd_str(c, t->nsp);
  c->target.sid = abi_cmd_str(c, t->sid);
  c->target.rooms = (const char *const *)abi_cmd_strs(c, t->rooms, t->nrooms);
  c->target.nrooms = t->nrooms;
  c->target.except = (const char *const *)abi_cmd_strs(c, t->except, t->nexcept);
  c->target.nexcept = t->nexcept;
  c->target.flags = t->flags;
}

void abi_cmd_message(abi_cmd *c, const sio_message *m) {
  c->str = abi_cmd_str(c, m->event);
  c->json = arena_take(c, m->args_len + 1);
  memcpy(c->json, m->args_json, m->args_len);
  c->json[m->args_len] = 0;
  c->json_len = m->args_len;
  c->nbins = m->nbins;
  if (m->nbins) {
    c->bins = arena_take(c, m->nbins * sizeof(sio_attachment));
    for (size_t i = 0; i < m->nbins; i++) {
      c->bins[i].data = arena_take(c, m->bins[i].len);
      if (m->bins[i].len) memcpy(c->bins[i].data, m->bins[i].data, m->bins[i].len);
      c->bins[i].len = m->bins[i].len;
    }
  }
  c->flags = m->flags;
  c->timeout_ms = m->timeout_ms;
}

int abi_cmd_submit(struct sio_context *ctx, abi_cmd *c, void (*fn)(cmd *), uint64_t *req_out) {
  if (req_out) {
    c->req = ctx_new_request(ctx);
    *req_out = c->req;
  }
  c->base.run = fn;
  cmdq_push(&ctx->cmdq, &c->base);
  return 0;
}

void abi_cmd_retire(struct sio_context *ctx, abi_cmd *c) { cmdq_retire(&ctx->cmdq, &c->base); }
