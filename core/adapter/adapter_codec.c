#include "adapter_codec.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sio/codec/sio_parser.h"
#include "../util/json.h"

/* msgpack-c's packer calls return what the writer returned; the sink
 * remembers a failure instead, so that a run of calls is checked once. */
typedef struct sink {
  sbuf *b;
  int failed;
} sink;

static int sink_write(void *data, const char *buf, size_t len) {
  sink *s = data;
  if (sbuf_append(s->b, buf, len)) s->failed = 1;
  return s->failed ? -1 : 0;
}

static int key_is(const msgpack_object *k, const char *name) {
  return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(name) &&
         memcmp(k->via.str.ptr, name, k->via.str.size) == 0;
}

static void pack_cstr(msgpack_packer *pk, const char *s) {
  size_t n = strlen(s);
  msgpack_pack_str(pk, n);
  msgpack_pack_str_body(pk, s, n);
}

static void pack_strs(msgpack_packer *pk, const char *const *v, size_t n) {
  msgpack_pack_array(pk, n);
  for (size_t i = 0; i < n; i++) pack_cstr(pk, v[i]);
}

/* The packet object, as socket.io-msgpack-parser writes it. */
static void pack_packet(sink *sk, const sio_packet *p) {
  rbuf *msgs[SIO_MAX_ENCODED];
  size_t n = 0;
  if (sio_parser_msgpack.encode(p, msgs, &n)) {
    sk->failed = 1;
    return;
  }
  sink_write(sk, msgs[0]->data, msgs[0]->len);
  rbuf_unref(msgs[0]);
}

/* {rooms, except, flags}, the keys in the order the Node adapter writes
 * them; timeout_ms > 0 goes in flags. */
static void pack_opts(msgpack_packer *pk, const sio_target *t, unsigned emit_flags, int timeout_ms) {
  msgpack_pack_map(pk, 3);
  pack_cstr(pk, "rooms");
  pack_strs(pk, t->rooms, t->nrooms);
  pack_cstr(pk, "except");
  pack_strs(pk, t->except, t->nexcept);
  pack_cstr(pk, "flags");
  int volatile_ = (emit_flags & SIO_EMIT_VOLATILE) != 0;
  int no_compress = (emit_flags & SIO_EMIT_NO_COMPRESS) != 0;
  msgpack_pack_map(pk, (size_t)(volatile_ + no_compress + (timeout_ms > 0)));
  if (volatile_) {
    pack_cstr(pk, "volatile");
    msgpack_pack_true(pk);
  }
  if (no_compress) {
    pack_cstr(pk, "compress");
    msgpack_pack_false(pk);
  }
  if (timeout_ms > 0) {
    pack_cstr(pk, "timeout");
    msgpack_pack_unsigned_int(pk, (unsigned)timeout_ms);
  }
}

int adapter_encode_broadcast(sbuf *out, const char *uid, const sio_packet *p,
                             const sio_target *t, unsigned emit_flags) {
  sink sk = {out, 0};
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sk, sink_write);
  msgpack_pack_array(&pk, 3);
  pack_cstr(&pk, uid);
  pack_packet(&sk, p);
  pack_opts(&pk, t, emit_flags, 0);
  return sk.failed ? -1 : 0;
}

int adapter_encode_broadcast_request(sbuf *out, const char *uid, const char *request_id,
                                     const sio_packet *p, const sio_target *t, unsigned emit_flags,
                                     int timeout_ms) {
  sink sk = {out, 0};
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sk, sink_write);
  msgpack_pack_map(&pk, 5);
  pack_cstr(&pk, "uid");
  pack_cstr(&pk, uid);
  pack_cstr(&pk, "requestId");
  pack_cstr(&pk, request_id);
  pack_cstr(&pk, "type");
  msgpack_pack_unsigned_int(&pk, 7);
  pack_cstr(&pk, "packet");
  pack_packet(&sk, p);
  pack_cstr(&pk, "opts");
  pack_opts(&pk, t, emit_flags, timeout_ms);
  return sk.failed ? -1 : 0;
}

/* Packs the first item of the JSON array args (placeholders standing for
 * bins) as msgpack, binary values inline, or nil when it is empty: the
 * msgpack parser writes args as the data of an ACK packet, and the item is
 * taken from there. */
static void pack_first_item(sink *sk, msgpack_packer *pk, const char *args, size_t len,
                            sio_attachment *bins, size_t nbins) {
  sio_packet p;
  sio_packet_init(&p);
  p.type = nbins ? SIO_P_BINARY_ACK : SIO_P_ACK;
  p.nsp = (char *)"/";
  p.data = (char *)args;
  p.data_len = len;
  p.bins = bins;
  p.nbins = p.nattach = nbins;
  rbuf *msgs[SIO_MAX_ENCODED];
  size_t n = 0;
  if (sio_parser_msgpack.encode(&p, msgs, &n)) {
    sk->failed = 1;
    return;
  }
  msgpack_unpacked u;
  msgpack_unpacked_init(&u);
  size_t off = 0;
  /* The unpacked objects point into msgs[0]: it lives until they are packed. */
  int ok = msgpack_unpack_next(&u, msgs[0]->data, msgs[0]->len, &off) == MSGPACK_UNPACK_SUCCESS &&
           u.data.type == MSGPACK_OBJECT_MAP;
  const msgpack_object *first = NULL;
  for (uint32_t i = 0; ok && i < u.data.via.map.size; i++) {
    const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
    if (key_is(&kv->key, "data") && kv->val.type == MSGPACK_OBJECT_ARRAY && kv->val.via.array.size)
      first = &kv->val.via.array.ptr[0];
  }
  if (!ok) sk->failed = 1;
  if (first)
    msgpack_pack_object(pk, *first);
  else
    msgpack_pack_nil(pk);
  msgpack_unpacked_destroy(&u);
  rbuf_unref(msgs[0]);
}

int adapter_encode_broadcast_ack(sbuf *out, const char *request_id, const char *args,
                                 size_t len, sio_attachment *bins, size_t nbins) {
  sink sk = {out, 0};
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sk, sink_write);
  msgpack_pack_map(&pk, 3);
  pack_cstr(&pk, "type");
  msgpack_pack_unsigned_int(&pk, 9);
  pack_cstr(&pk, "requestId");
  pack_cstr(&pk, request_id);
  pack_cstr(&pk, "packet");
  pack_first_item(&sk, &pk, args, len, bins, nbins);
  return sk.failed ? -1 : 0;
}

int adapter_encode_message(sbuf *out, const adapter_message_field *fields, size_t n) {
  sink sk = {out, 0};
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sk, sink_write);
  msgpack_pack_map(&pk, n);
  sbuf wrapped = SBUF_INIT;
  for (size_t i = 0; i < n && !sk.failed; i++) {
    const adapter_message_field *f = &fields[i];
    pack_cstr(&pk, f->key);
    if (f->text) {
      pack_cstr(&pk, f->text);
      continue;
    }
    if (!f->json) {
      msgpack_pack_unsigned_int(&pk, f->number);
      continue;
    }
    sbuf_reset(&wrapped);
    if (sbuf_putc(&wrapped, '[') || sbuf_append(&wrapped, f->json, f->json_len) ||
        sbuf_putc(&wrapped, ']'))
      sk.failed = 1;
    else
      pack_first_item(&sk, &pk, wrapped.data, wrapped.len, f->bins, f->nbins);
  }
  sbuf_free(&wrapped);
  return sk.failed ? -1 : 0;
}

/* A room as the JavaScript adapter names it: strings, and numbers written
 * as JavaScript writes integers (Node accepts any value as a room). */
static char *room_name(const msgpack_object *o) {
  char num[32];
  switch (o->type) {
    case MSGPACK_OBJECT_STR:
      if (memchr(o->via.str.ptr, 0, o->via.str.size)) return NULL;
      return strndup(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
      snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64);
      return strdup(num);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
      snprintf(num, sizeof num, "%lld", (long long)o->via.i64);
      return strdup(num);
    default:
      return NULL;
  }
}

static int read_rooms(const msgpack_object *o, char ***out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (o->type == MSGPACK_OBJECT_NIL) return 0;
  if (o->type != MSGPACK_OBJECT_ARRAY) return -1;
  if (o->via.array.size == 0) return 0;
  char **v = calloc(o->via.array.size, sizeof(*v));
  if (!v) return -1;
  *out = v;
  for (uint32_t i = 0; i < o->via.array.size; i++) {
    if (!(v[i] = room_name(&o->via.array.ptr[i]))) return -1;
    (*n)++;
  }
  return 0;
}

static int read_flags(const msgpack_object *o, unsigned *flags) {
  if (o->type != MSGPACK_OBJECT_MAP) return o->type == MSGPACK_OBJECT_NIL ? 0 : -1;
  for (uint32_t i = 0; i < o->via.map.size; i++) {
    const msgpack_object_kv *kv = &o->via.map.ptr[i];
    int on = kv->val.type == MSGPACK_OBJECT_BOOLEAN && kv->val.via.boolean;
    int off = kv->val.type == MSGPACK_OBJECT_BOOLEAN && !kv->val.via.boolean;
    if (key_is(&kv->key, "volatile") && on) *flags |= SIO_EMIT_VOLATILE;
    if (key_is(&kv->key, "compress") && off) *flags |= SIO_EMIT_NO_COMPRESS;
  }
  return 0;
}

static void read_timeout(const msgpack_object *o, long *timeout) {
  if (o->type != MSGPACK_OBJECT_MAP) return;
  for (uint32_t i = 0; i < o->via.map.size; i++) {
    const msgpack_object_kv *kv = &o->via.map.ptr[i];
    if (!key_is(&kv->key, "timeout")) continue;
    if (kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER && kv->val.via.u64 < 86400000)
      *timeout = (long)kv->val.via.u64;
    else if (kv->val.type == MSGPACK_OBJECT_FLOAT64 && kv->val.via.f64 >= 0 && kv->val.via.f64 < 86400000)
      *timeout = (long)kv->val.via.f64;
  }
}

static int read_opts(const msgpack_object *o, adapter_broadcast *b) {
  if (o->type != MSGPACK_OBJECT_MAP) return -1;
  for (uint32_t i = 0; i < o->via.map.size; i++) {
    const msgpack_object_kv *kv = &o->via.map.ptr[i];
    int rc = 0;
    if (key_is(&kv->key, "rooms"))
      rc = read_rooms(&kv->val, &b->rooms, &b->nrooms);
    else if (key_is(&kv->key, "except"))
      rc = read_rooms(&kv->val, &b->except, &b->nexcept);
    else if (key_is(&kv->key, "flags")) {
      rc = read_flags(&kv->val, &b->flags);
      read_timeout(&kv->val, &b->timeout);
    }
    if (rc) return -1;
  }
  return 0;
}

/* The packet object, written back as msgpack and read by the msgpack
 * parser: the same checks and the same JSON as a client's packet gets. */
static int read_packet(const msgpack_object *o, size_t max_payload, sio_packet *p) {
  sbuf raw = SBUF_INIT;
  sink sk = {&raw, 0};
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sk, sink_write);
  msgpack_pack_object(&pk, *o);
  int rc = sk.failed || !raw.data ? -1 : 0;
  sio_decoder *d = rc ? NULL : sio_parser_msgpack.decoder_new(max_payload);
  if (!d || sio_parser_msgpack.decode(d, raw.data, raw.len, 1, p) != 1) rc = -1;
  if (d) sio_parser_msgpack.decoder_free(d);
  sbuf_free(&raw);
  if (!rc && p->type != SIO_P_EVENT && p->type != SIO_P_BINARY_EVENT) rc = -1;
  return rc;
}

/* Starts out empty and unpacks msg, which must be one msgpack object and
 * no more, into u (initialised even on failure, for the caller to
 * destroy). 0, or -1 for an oversized or malformed message. */
static int unpack_broadcast(const char *msg, size_t len, size_t max_payload,
                            adapter_broadcast *out, msgpack_unpacked *u) {
  memset(out, 0, sizeof(*out));
  sio_packet_init(&out->packet);
  out->timeout = -1;
  msgpack_unpacked_init(u);
  if (len > max_payload + 4096) return -1;
  size_t off = 0;
  return msgpack_unpack_next(u, msg, len, &off) == MSGPACK_UNPACK_SUCCESS && off == len ? 0 : -1;
}

int adapter_decode_broadcast(const char *msg, size_t len, size_t max_payload,
                             adapter_broadcast *out) {
  msgpack_unpacked u;
  int rc = unpack_broadcast(msg, len, max_payload, out, &u);
  const msgpack_object *a = &u.data;
  if (rc || a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size < 3 ||
      a->via.array.ptr[0].type != MSGPACK_OBJECT_STR ||
      !(out->uid = strndup(a->via.array.ptr[0].via.str.ptr, a->via.array.ptr[0].via.str.size)) ||
      read_opts(&a->via.array.ptr[2], out) ||
      read_packet(&a->via.array.ptr[1], max_payload, &out->packet))
    rc = -1;
  msgpack_unpacked_destroy(&u);
  if (rc) adapter_broadcast_free(out);
  return rc;
}

int adapter_decode_broadcast_request(const char *msg, size_t len, size_t max_payload,
                                     adapter_broadcast *out) {
  msgpack_unpacked u;
  int rc = unpack_broadcast(msg, len, max_payload, out, &u) || u.data.type != MSGPACK_OBJECT_MAP
               ? -1
               : 0;
  const msgpack_object *packet = NULL, *opts = NULL;
  for (uint32_t i = 0; !rc && i < u.data.via.map.size; i++) {
    const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
    const msgpack_object *v = &kv->val;
    if (key_is(&kv->key, "packet")) packet = v;
    if (key_is(&kv->key, "opts")) opts = v;
    if (key_is(&kv->key, "uid") && v->type == MSGPACK_OBJECT_STR && !out->uid)
      rc = (out->uid = strndup(v->via.str.ptr, v->via.str.size)) ? 0 : -1;
    if (key_is(&kv->key, "requestId") && v->type == MSGPACK_OBJECT_STR && !out->request_id)
      rc = (out->request_id = strndup(v->via.str.ptr, v->via.str.size)) ? 0 : -1;
  }
  if (rc || !packet || !opts || !out->uid || !out->request_id || read_opts(opts, out) ||
      read_packet(packet, max_payload, &out->packet))
    rc = -1;
  msgpack_unpacked_destroy(&u);
  if (rc) adapter_broadcast_free(out);
  return rc;
}

void adapter_broadcast_free(adapter_broadcast *b) {
  free(b->uid);
  free(b->request_id);
  sio_packet_clear(&b->packet);
  /* read_rooms counts only what it filled; the rest of the array is zeroed. */
  adapter_strs_free(b->rooms, b->nrooms);
  adapter_strs_free(b->except, b->nexcept);
  memset(b, 0, sizeof(*b));
  sio_packet_init(&b->packet);
}

/* ---- requests and responses -------------------------------------------------- */

int adapter_message_json(const char *msg, size_t len, size_t max_payload, sbuf *json,
                         sio_attachment **bins, size_t *nbins) {
  *bins = NULL;
  *nbins = 0;
  sbuf_reset(json);
  if (len && msg[0] == '{')
    return json_validate(msg, len) == 0 && sbuf_append(json, msg, len) == 0 ? 0 : -1;
  /* The msgpack parser reads it as the one argument of an ACK packet
   * {type: 3, nsp: "/", data: [message]}: its JSON, placeholders and all,
   * is then the packet's data without the brackets. */
  static const uint8_t head[] = {0x83, 0xa4, 't', 'y', 'p', 'e', 0x03, 0xa3, 'n', 's', 'p',
                                 0xa1, '/', 0xa4, 'd', 'a', 't', 'a', 0x91};
  sbuf wrapped = SBUF_INIT;
  sio_packet p;
  sio_packet_init(&p);
  sio_decoder *d = sio_parser_msgpack.decoder_new(max_payload + sizeof head);
  int rc = !d || sbuf_append(&wrapped, head, sizeof head) || sbuf_append(&wrapped, msg, len) ||
                   sio_parser_msgpack.decode(d, wrapped.data, wrapped.len, 1, &p) != 1 ||
                   p.data_len < 2
               ? -1
               : 0;
  if (d) sio_parser_msgpack.decoder_free(d);
  sbuf_free(&wrapped);
  if (!rc) rc = sbuf_append(json, p.data + 1, p.data_len - 2);
  if (!rc && json_peek(json->data, json->len, 0) != '{') rc = -1;
  if (!rc) {
    *bins = p.bins;
    *nbins = p.nbins;
    p.bins = NULL;
    p.nbins = 0;
  }
  sio_packet_clear(&p);
  return rc;
}

long adapter_json_member(const char *s, size_t n, const char *key) {
  size_t i = 0;
  while (i < n && s[i] != '{') i++;
  if (i++ == n) return -1;
  size_t klen = strlen(key);
  for (;;) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == ','))
      i++;
    if (i >= n || s[i] != '"') return -1;
    int match = json_string_equals(s, n, i, key, klen);
    long end = json_skip_value(s, n, i);
    if (end < 0) return -1;
    i = (size_t)end;
    while (i < n && s[i] != ':') i++;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    if (match) return (long)i;
    end = json_skip_value(s, n, i);
    if (end < 0) return -1;
    i = (size_t)end;
  }
}

int adapter_json_string(const char *s, size_t n, const char *key, sbuf *out) {
  sbuf_reset(out);
  long i = adapter_json_member(s, n, key);
  return i >= 0 && json_peek(s, n, (size_t)i) == '"' && json_read_string(s, n, (size_t)i, out) >= 0
             ? 0
             : -1;
}

static size_t skip_ws(const char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

/* Appends a copy of item (no NUL inside) to the array. 0 or -1. */
static int push_str(char ***v, size_t *count, size_t *cap, const sbuf *item) {
  const char *text = item->data ? item->data : "";
  if (memchr(text, 0, item->len)) return -1;
  if (*count == *cap) {
    size_t ncap = *cap ? *cap * 2 : 8;
    char **grown = realloc(*v, ncap * sizeof(*grown));
    if (!grown) return -1;
    *v = grown;
    *cap = ncap;
  }
  char *copy = strdup(text);
  if (!copy) return -1;
  (*v)[(*count)++] = copy;
  return 0;
}

int adapter_json_strs(const char *s, size_t n, long at, char ***out, size_t *count) {
  *out = NULL;
  *count = 0;
  if (at < 0 || json_peek(s, n, (size_t)at) == 'n') return 0;
  if (json_peek(s, n, (size_t)at) != '[' || json_skip_value(s, n, (size_t)at) < 0) return -1;
  /* The array is valid JSON: the walk ends at its closing bracket. */
  size_t i = skip_ws(s, n, (size_t)at) + 1, cap = 0;
  sbuf item = SBUF_INIT;
  int rc = 0;
  while (!rc) {
    i = skip_ws(s, n, i);
    if (s[i] == ']') break;
    if (s[i] == ',') {
      i++;
      continue;
    }
    char type = json_peek(s, n, i);
    long next = json_skip_value(s, n, i);
    sbuf_reset(&item);
    if (type == '"')
      rc = json_read_string(s, n, i, &item) < 0 ? -1 : 0;
    else if (type == '0')
      rc = sbuf_append(&item, s + i, (size_t)next - i);
    else
      rc = -1;
    if (!rc) rc = push_str(out, count, &cap, &item);
    i = (size_t)next;
  }
  sbuf_free(&item);
  if (rc) {
    adapter_strs_free(*out, *count);
    *out = NULL;
    *count = 0;
  }
  return rc;
}

void adapter_strs_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}
