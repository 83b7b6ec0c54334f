#include "ws_frame.h"

#include "../util/random_bytes.h"
#include "../util/thread_hooks.h"

#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

/* wslay frames only what the client side writes: masked frames need a
 * random mask per frame, which it draws through on_wslay_genmask. Reading
 * and unmasked (server) writes are a header and a copy, done here directly:
 * they are on every message's path. */
static _Thread_local sbuf *out_;
static _Thread_local wslay_frame_context_ptr wslay_;
static _Thread_local thread_hook wslay_hook = {ws_frame_thread_done, NULL, 0};

static ssize_t on_wslay_recv(uint8_t *buf, size_t len, int flags, void *ud) {
  (void)buf;
  (void)len;
  (void)flags;
  (void)ud;
  return -1; /* never reads */
}

static ssize_t on_wslay_send(const uint8_t *data, size_t len, int flags, void *ud) {
  (void)flags;
  (void)ud;
  if (sbuf_append(out_, data, len)) return -1;
  return (ssize_t)len;
}

static int on_wslay_genmask(uint8_t *buf, size_t len, void *ud) {
  (void)ud;
  return random_bytes(buf, len);
}

static wslay_frame_context_ptr thread_wslay(void) {
  if (!wslay_) {
    static const struct wslay_frame_callbacks cb = {on_wslay_send, on_wslay_recv,
                                                    on_wslay_genmask};
    if (wslay_frame_context_init(&wslay_, &cb, NULL)) wslay_ = NULL;
    if (wslay_) thread_hooks_add(&wslay_hook);
  }
  return wslay_;
}

uint64_t ws_frame_size(const uint8_t *p, size_t n, uint64_t *payload_len) {
  if (n < 2) return 0;
  uint64_t len = p[1] & 0x7f;
  size_t hdr = 2;
  if (len == 126) {
    if (n < 4) return 0;
    len = ((uint64_t)p[2] << 8) | p[3];
    hdr = 4;
  } else if (len == 127) {
    if (n < 10) return 0;
    len = 0;
    for (int i = 0; i < 8; i++) len = (len << 8) | p[2 + i];
    hdr = 10;
  }
  if (p[1] & 0x80) hdr += 4;
  *payload_len = len;
  /* A length near 2^64 (invalid anyway) must not wrap to a small size. */
  return len > UINT64_MAX - hdr ? UINT64_MAX : hdr + len;
}

/* Appends the payload, unmasked with key (4 bytes) or copied as is. */
static int append_payload(sbuf *b, const uint8_t *p, size_t n, const uint8_t *key) {
  if (!key) return sbuf_append(b, p, n);
  if (sbuf_reserve(b, n)) return -1;
  uint8_t *w = (uint8_t *)b->data + b->len;
  size_t i = 0;
  uint64_t k8;
  uint8_t k[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
  memcpy(&k8, k, 8);
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    memcpy(&v, p + i, 8);
    v ^= k8;
    memcpy(w + i, &v, 8);
  }
  for (; i < n; i++) w[i] = p[i] ^ key[i & 3];
  b->len += n;
  b->data[b->len] = 0;
  return 0;
}

int ws_read_frame(ws_reader *r, const uint8_t *f, size_t n, int expect_mask,
                  size_t max_message, ws_frame_result *out) {
  memset(out, 0, sizeof(*out));
  out->close_code = 1002;
  uint64_t plen;
  uint64_t size = ws_frame_size(f, n, &plen);
  if (!size || size != n) return -1;
  int fin = f[0] >> 7, rsv = (f[0] >> 4) & 7, opcode = f[0] & 0xf, mask = f[1] >> 7;
  size_t hdr = (size_t)(n - plen);
  size_t len7 = f[1] & 0x7f;
  /* RFC 6455 5.2: lengths in their shortest form; control frames short and
   * unfragmented. */
  if ((len7 == 126 && plen < 126) || (len7 == 127 && (plen < 65536 || plen >> 63)))
    return -1;
  /* RSV1 is permessage-deflate's, once negotiated, and marks the first
   * frame of a compressed message (RFC 7692 6). */
  int rsv1 = (rsv & 4) != 0;
  if (mask != expect_mask || (rsv & ~(r->allow_rsv1 ? 4 : 0))) return -1;
  /* Opcodes 0xB-0xF are reserved control frames: unknown, so fatal. */
  if (opcode > WS_PONG) return -1;
  if (rsv1 && (opcode == 0 || opcode >= WS_CLOSE)) return -1;
  if (opcode >= WS_CLOSE && (!fin || plen > 125)) return -1;
  if (r->msg.len + plen > max_message) {
    out->close_code = 1009;
    return -1;
  }
  size_t start = r->msg.len;
  if (append_payload(&r->msg, f + hdr, (size_t)plen, mask ? f + hdr - 4 : NULL)) return -1;
  if (opcode >= WS_CLOSE) {
    /* A control frame may interleave with a fragmented message: its payload
     * sits after the fragments gathered so far. */
    out->kind = opcode;
    out->data = r->msg.data + start;
    out->len = r->msg.len - start;
    if (opcode == WS_CLOSE && out->len >= 2)
      out->close_code = (uint16_t)(((uint8_t)out->data[0] << 8) | (uint8_t)out->data[1]);
    else if (opcode == WS_CLOSE)
      out->close_code = 1005;
    r->msg.len = start; /* the caller reads data before the next call */
    return 0;
  }
  if (opcode == 0) {
    if (!r->msg_opcode) goto fail;
  } else {
    if (opcode != WS_TEXT && opcode != WS_BINARY) goto fail;
    if (r->msg_opcode) goto fail;
    r->msg_opcode = (uint8_t)opcode;
    r->msg_compressed = (uint8_t)rsv1;
  }
  if (fin) {
    out->kind = r->msg_opcode;
    out->compressed = r->msg_compressed;
    out->data = r->msg.data ? r->msg.data : "";
    out->len = r->msg.len;
    r->msg_opcode = 0;
    r->msg.len = 0; /* the bytes stay readable until the next append */
  }
  return 0;
fail:
  r->msg.len = start;
  return -1;
}

void ws_frame_thread_done(void) {
  if (wslay_) wslay_frame_context_free(wslay_);
  wslay_ = NULL;
}

void ws_reader_free(ws_reader *r) { sbuf_free(&r->msg); }

int ws_write_deflated_frame(sbuf *out, int opcode, const void *data, size_t len) {
  size_t start = out->len;
  if (ws_write_frame(out, opcode, data, len, 0)) return -1;
  out->data[start] |= 0x40;
  return 0;
}

int ws_write_frame(sbuf *out, int opcode, const void *data, size_t len, int mask) {
  if (!mask) {
    uint8_t hdr[10] = {(uint8_t)(0x80 | opcode)};
    size_t hlen = 2;
    if (len < 126) {
      hdr[1] = (uint8_t)len;
    } else if (len < 65536) {
      hdr[1] = 126;
      hdr[2] = (uint8_t)(len >> 8);
      hdr[3] = (uint8_t)len;
      hlen = 4;
    } else {
      hdr[1] = 127;
      for (int i = 0; i < 8; i++) hdr[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
      hlen = 10;
    }
    if (sbuf_reserve(out, hlen + len)) return -1;
    memcpy(out->data + out->len, hdr, hlen);
    if (len) memcpy(out->data + out->len + hlen, data, len);
    out->len += hlen + len;
    out->data[out->len] = 0;
    return 0;
  }
  wslay_frame_context_ptr w = thread_wslay();
  if (!w) return -1;
  size_t before = out->len;
  out_ = out;
  struct wslay_frame_iocb iocb = {1, 0, (uint8_t)opcode, len, 1, (const uint8_t *)data, len};
  size_t sent = 0;
  do {
    ssize_t n = wslay_frame_send(w, &iocb);
    if (n < 0) {
      out->len = before;
      return -1;
    }
    sent += (size_t)n;
    iocb.data += n;
    iocb.data_length -= (size_t)n;
  } while (sent < len);
  return 0;
}
