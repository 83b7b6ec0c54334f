#include "wire_msgpack.h"

#include <stdint.h>
#include <string.h>

static void put_u8(struct bytebuf *out, unsigned v) {
  unsigned char b = (unsigned char)v;
  bytebuf_append(out, (const char *)&b, 1);
}

static void put_be(struct bytebuf *out, uint64_t v, unsigned bytes) {
  unsigned char b[8];
  for (unsigned i = 0; i < bytes; i++) {
    b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
  }
  bytebuf_append(out, (const char *)b, bytes);
}

/* str or bin header with the smallest length field msgpack allows. */
static void put_raw(struct bytebuf *out, const char *p, size_t len, bool binary) {
  if (!binary && len < 32) {
    put_u8(out, 0xa0u | (unsigned)len);
  } else if (len <= 0xff) {
    put_u8(out, binary ? 0xc4 : 0xd9);
    put_be(out, len, 1);
  } else if (len <= 0xffff) {
    put_u8(out, binary ? 0xc5 : 0xda);
    put_be(out, len, 2);
  } else {
    put_u8(out, binary ? 0xc6 : 0xdb);
    put_be(out, len, 4);
  }
  bytebuf_append(out, p, len);
}

static void put_key(struct bytebuf *out, const char *key) { put_raw(out, key, strlen(key), false); }

static void put_uint(struct bytebuf *out, uint32_t v) {
  if (v < 0x80) {
    put_u8(out, v);
  } else if (v <= 0xffff) {
    put_u8(out, 0xcd);
    put_be(out, v, 2);
  } else {
    put_u8(out, 0xce);
    put_be(out, v, 4);
  }
}

void wire_msgpack_connect(struct bytebuf *out) {
  put_u8(out, 0x82);
  put_key(out, "type");
  put_uint(out, 0);
  put_key(out, "nsp");
  put_key(out, "/");
}

void wire_msgpack_event(struct bytebuf *out, const char *event, long ack_id, const char *payload,
                        size_t payload_len, bool binary) {
  put_u8(out, ack_id >= 0 ? 0x84 : 0x83);
  put_key(out, "type");
  put_uint(out, 2);
  put_key(out, "nsp");
  put_key(out, "/");
  put_key(out, "data");
  put_u8(out, 0x92);
  put_key(out, event);
  put_raw(out, payload, payload_len, binary);
  if (ack_id >= 0) {
    put_key(out, "id");
    put_uint(out, (uint32_t)ack_id);
  }
}

/* A bounded reader: every read checks the bytes left, and skipping nested
 * values is bounded by depth so hostile input cannot recurse without end. */
struct reader {
  const unsigned char *p;
  size_t len, at;
  bool bad;
};

static uint64_t take_be(struct reader *r, unsigned bytes) {
  if (r->len - r->at < bytes) {
    r->bad = true;
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; i++) {
    v = v << 8 | r->p[r->at++];
  }
  return v;
}

static void take_bytes(struct reader *r, uint64_t n) {
  if (r->len - r->at < n) {
    r->bad = true;
    return;
  }
  r->at += (size_t)n;
}

/* Reads a str header; returns its bytes or NULL when the value is no str. */
static const unsigned char *take_str(struct reader *r, size_t *n) {
  unsigned t = (unsigned)take_be(r, 1);
  uint64_t len;
  if (r->bad) {
    return NULL;
  }
  if (t >= 0xa0 && t <= 0xbf) {
    len = t & 0x1f;
  } else if (t == 0xd9 || t == 0xda || t == 0xdb) {
    len = take_be(r, 1u << (t - 0xd9));
  } else {
    r->at--;
    return NULL;
  }
  const unsigned char *s = r->p + r->at;
  take_bytes(r, len);
  *n = (size_t)len;
  return r->bad ? NULL : s;
}

static bool take_uint(struct reader *r, uint32_t *v) {
  unsigned t = (unsigned)take_be(r, 1);
  if (t < 0x80) {
    *v = t;
  } else if (t >= 0xcc && t <= 0xce) {
    *v = (uint32_t)take_be(r, 1u << (t - 0xcc));
  } else {
    return false;
  }
  return !r->bad;
}

static void skip_value(struct reader *r, unsigned depth);

static void skip_items(struct reader *r, uint64_t n, unsigned depth) {
  for (uint64_t i = 0; i < n && !r->bad; i++) {
    skip_value(r, depth + 1);
  }
}

static void skip_value(struct reader *r, unsigned depth) {
  if (depth > 32) {
    r->bad = true;
    return;
  }
  unsigned t = (unsigned)take_be(r, 1);
  if (r->bad || t < 0x80 || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
    return; /* fixint, nil, bool */
  }
  if (t <= 0x8f) {
    skip_items(r, 2u * (t & 0x0f), depth);
  } else if (t <= 0x9f) {
    skip_items(r, t & 0x0f, depth);
  } else if (t <= 0xbf) {
    take_bytes(r, t & 0x1f);
  } else if (t >= 0xc4 && t <= 0xc6) {
    take_bytes(r, take_be(r, 1u << (t - 0xc4)));
  } else if (t >= 0xd9 && t <= 0xdb) {
    take_bytes(r, take_be(r, 1u << (t - 0xd9)));
  } else if (t == 0xca || t == 0xcb) {
    take_bytes(r, t == 0xca ? 4 : 8);
  } else if (t >= 0xcc && t <= 0xd3) {
    take_bytes(r, 1u << ((t - 0xcc) & 3));
  } else if (t == 0xdc || t == 0xdd) {
    skip_items(r, take_be(r, t == 0xdc ? 2 : 4), depth);
  } else if (t == 0xde || t == 0xdf) {
    skip_items(r, 2 * take_be(r, t == 0xde ? 2 : 4), depth);
  } else if (t >= 0xd4 && t <= 0xd8) {
    take_bytes(r, 1 + (1u << (t - 0xd4)));
  } else if (t >= 0xc7 && t <= 0xc9) {
    take_bytes(r, 1 + take_be(r, 1u << (t - 0xc7)));
  } else {
    r->bad = true;
  }
}

static bool key_is(const unsigned char *k, size_t n, const char *want) {
  return n == strlen(want) && memcmp(k, want, n) == 0;
}

/* The event name, when data is an array starting with a str. */
static enum wire_kind data_kind(struct reader *r) {
  unsigned t = (unsigned)take_be(r, 1);
  uint64_t items;
  if (r->bad) {
    return WIRE_MALFORMED;
  }
  if (t >= 0x90 && t <= 0x9f) {
    items = t & 0x0f;
  } else if (t == 0xdc || t == 0xdd) {
    items = take_be(r, t == 0xdc ? 2 : 4);
  } else {
    r->at--;
    skip_value(r, 0);
    return WIRE_MALFORMED;
  }
  if (items == 0 || r->bad) {
    return WIRE_MALFORMED;
  }
  size_t n = 0;
  const unsigned char *name = take_str(r, &n);
  enum wire_kind kind = WIRE_OTHER_EVENT;
  if (!name) {
    skip_value(r, 1);
  } else if (key_is(name, n, "echo")) {
    kind = WIRE_ECHO;
  } else if (key_is(name, n, "bcast")) {
    kind = WIRE_BCAST;
  }
  skip_items(r, items - 1, 1);
  return kind;
}

struct wire_packet wire_msgpack_classify(const unsigned char *p, size_t len) {
  struct wire_packet w = {WIRE_MALFORMED, 0, 0};
  struct reader r = {p, len, 0, false};
  unsigned t = (unsigned)take_be(&r, 1);
  uint64_t pairs;
  if (t >= 0x80 && t <= 0x8f) {
    pairs = t & 0x0f;
  } else if (t == 0xde || t == 0xdf) {
    pairs = take_be(&r, t == 0xde ? 2 : 4);
  } else {
    return w;
  }
  uint32_t type = UINT32_MAX;
  bool has_id = false;
  enum wire_kind event = WIRE_MALFORMED;
  for (uint64_t i = 0; i < pairs && !r.bad; i++) {
    size_t n = 0;
    const unsigned char *key = take_str(&r, &n);
    if (!key) {
      skip_value(&r, 0);
      skip_value(&r, 0);
    } else if (key_is(key, n, "type")) {
      if (!take_uint(&r, &type)) {
        return w;
      }
    } else if (key_is(key, n, "id")) {
      has_id = take_uint(&r, &w.ack_id);
    } else if (key_is(key, n, "data")) {
      event = data_kind(&r);
    } else {
      skip_value(&r, 0);
    }
  }
  if (r.bad) {
    return w;
  }
  switch (type) {
  case 0:
    w.kind = WIRE_CONNECTED;
    break;
  case 1:
  case 4:
    w.kind = WIRE_REFUSED;
    break;
  case 2:
    w.kind = event;
    break;
  case 3:
    w.kind = has_id ? WIRE_ACK : WIRE_MALFORMED;
    break;
  default:
    break;
  }
  return w;
}
