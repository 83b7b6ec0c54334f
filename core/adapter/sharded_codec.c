#include "sharded_codec.h"

#include <stdlib.h>
#include <string.h>

#include "../util/json.h"

int sharded_encode(sbuf *out, int type, const char *data, size_t len, sio_attachment *bins,
                   size_t nbins, const char *uid, const char *nsp) {
  if (nbins) {
    /* notepack.io writes the object's keys in the order they were set. */
    adapter_message_field f[4] = {{"type", NULL, NULL, 0, NULL, 0, (unsigned)type},
                                  {"data", NULL, data, len, bins, nbins, 0},
                                  {"uid", uid, NULL, 0, NULL, 0, 0},
                                  {"nsp", nsp, NULL, 0, NULL, 0, 0}};
    return adapter_encode_message(out, f, 4);
  }
  int rc = sbuf_printf(out, "{\"type\":%d,\"data\":", type) | sbuf_append(out, data, len) |
           sbuf_puts(out, ",\"uid\":") | json_write_string(out, uid, strlen(uid)) |
           sbuf_puts(out, ",\"nsp\":") | json_write_string(out, nsp, strlen(nsp)) |
           sbuf_putc(out, '}');
  return rc ? -1 : 0;
}

static int write_strs(sbuf *o, const char *const *v, size_t n) {
  int rc = sbuf_putc(o, '[');
  for (size_t i = 0; i < n; i++)
    rc |= (i ? sbuf_putc(o, ',') : 0) | json_write_string(o, v[i], strlen(v[i]));
  return rc | sbuf_putc(o, ']');
}

int sharded_broadcast_data(sbuf *out, const sio_packet *p, const sio_target *t,
                           unsigned emit_flags, const char *request_id, int timeout_ms) {
  if (!p->data) return -1;
  /* The packet as socket.io hands it to its adapter: an EVENT whatever
   * its binary values, without an id or a namespace (the message has it). */
  int rc = sbuf_puts(out, "{\"packet\":{\"type\":2,\"data\":") | sbuf_append(out, p->data, p->data_len) |
           sbuf_putc(out, '}');
  if (request_id)
    rc |= sbuf_puts(out, ",\"requestId\":") | json_write_string(out, request_id, strlen(request_id));
  rc |= sbuf_puts(out, ",\"opts\":{\"rooms\":") | write_strs(out, t->rooms, t->nrooms) |
        sbuf_puts(out, ",\"except\":") | write_strs(out, t->except, t->nexcept) |
        sbuf_puts(out, ",\"flags\":{");
  const char *sep = "";
  if (emit_flags & SIO_EMIT_VOLATILE) {
    rc |= sbuf_puts(out, "\"volatile\":true");
    sep = ",";
  }
  if (emit_flags & SIO_EMIT_NO_COMPRESS) {
    rc |= sbuf_printf(out, "%s\"compress\":false", sep);
    sep = ",";
  }
  if (timeout_ms > 0) rc |= sbuf_printf(out, "%s\"timeout\":%d", sep, timeout_ms);
  return rc | sbuf_puts(out, "}}}") ? -1 : 0;
}

static int json_number_at(const char *s, size_t n, long at, long *v) {
  if (at < 0 || json_peek(s, n, (size_t)at) != '0') return -1;
  *v = strtol(s + at, NULL, 10);
  return 0;
}

int sharded_decode(const char *msg, size_t len, size_t max_payload, sharded_msg *m) {
  memset(m, 0, sizeof(*m));
  m->type = -1;
  if (len > max_payload + 4096 ||
      adapter_message_json(msg, len, max_payload, &m->json, &m->bins, &m->nbins))
    return -1;
  const char *j = m->json.data;
  size_t n = m->json.len;
  if (json_number_at(j, n, adapter_json_member(j, n, "type"), &m->type) ||
      adapter_json_string(j, n, "uid", &m->uid) || adapter_json_string(j, n, "nsp", &m->nsp) ||
      sbuf_puts(&m->uid, "") || sbuf_puts(&m->nsp, ""))
    return -1;
  long at = adapter_json_member(j, n, "data");
  long end = at < 0 ? -1 : json_skip_value(j, n, (size_t)at);
  if (end < 0) return 0;
  m->data = j + at;
  m->data_len = (size_t)(end - at);
  if (json_peek(m->data, m->data_len, 0) == '{' &&
      adapter_json_string(m->data, m->data_len, "requestId", &m->request_id))
    sbuf_free(&m->request_id);
  return 0;
}

void sharded_msg_free(sharded_msg *m) {
  sbuf_free(&m->json);
  sbuf_free(&m->uid);
  sbuf_free(&m->nsp);
  sbuf_free(&m->request_id);
  for (size_t i = 0; i < m->nbins; i++) free(m->bins[i].data);
  free(m->bins);
  memset(m, 0, sizeof(*m));
}

/* The member key of the object s[0..n) as a span; -1 when it has none or
 * its value is not of kind (json_peek's letter). */
static int member_span(const char *s, size_t n, const char *key, char kind, const char **v,
                       size_t *vn) {
  long at = adapter_json_member(s, n, key);
  if (at < 0 || json_peek(s, n, (size_t)at) != kind) return -1;
  long end = json_skip_value(s, n, (size_t)at);
  if (end < 0) return -1;
  *v = s + at;
  *vn = (size_t)(end - at);
  return 0;
}

static void read_flags(const char *s, size_t n, adapter_broadcast *b) {
  long at = adapter_json_member(s, n, "volatile");
  if (at >= 0 && json_peek(s, n, (size_t)at) == 't') b->flags |= SIO_EMIT_VOLATILE;
  at = adapter_json_member(s, n, "compress");
  if (at >= 0 && json_peek(s, n, (size_t)at) == 'f') b->flags |= SIO_EMIT_NO_COMPRESS;
  long timeout;
  if (json_number_at(s, n, adapter_json_member(s, n, "timeout"), &timeout) == 0 && timeout >= 0 &&
      timeout < 86400000)
    b->timeout = timeout;
}

static int read_opts(const char *s, size_t n, adapter_broadcast *b) {
  const char *f;
  size_t fn;
  if (adapter_json_strs(s, n, adapter_json_member(s, n, "rooms"), &b->rooms, &b->nrooms) ||
      adapter_json_strs(s, n, adapter_json_member(s, n, "except"), &b->except, &b->nexcept))
    return -1;
  if (member_span(s, n, "flags", '{', &f, &fn) == 0) read_flags(f, fn, b);
  return 0;
}

int sharded_read_broadcast(sharded_msg *m, adapter_broadcast *b) {
  memset(b, 0, sizeof(*b));
  sio_packet_init(&b->packet);
  b->timeout = -1;
  const char *packet, *data, *opts;
  size_t packet_len, data_len, opts_len;
  long type;
  if (!m->data || member_span(m->data, m->data_len, "packet", '{', &packet, &packet_len) ||
      member_span(packet, packet_len, "data", '[', &data, &data_len) ||
      json_number_at(packet, packet_len, adapter_json_member(packet, packet_len, "type"), &type) ||
      type != SIO_P_EVENT)
    return -1;
  sio_packet *p = &b->packet;
  if (!(b->uid = strdup(m->uid.data)) || !(p->nsp = strdup(m->nsp.data)) ||
      !(p->data = strndup(data, data_len)) ||
      (m->request_id.data && !(b->request_id = strdup(m->request_id.data))) ||
      (member_span(m->data, m->data_len, "opts", '{', &opts, &opts_len) == 0 &&
       read_opts(opts, opts_len, b))) {
    adapter_broadcast_free(b);
    return -1;
  }
  p->data_len = data_len;
  p->type = m->nbins ? SIO_P_BINARY_EVENT : SIO_P_EVENT;
  p->bins = m->bins;
  p->nbins = p->nattach = m->nbins;
  m->bins = NULL;
  m->nbins = 0;
  return 0;
}
