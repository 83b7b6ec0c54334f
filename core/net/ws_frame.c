#include "ws_frame.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <wslay/wslay.h>

/* The input of the one call in progress on this thread's wslay context. */
typedef struct wslay_io {
  const uint8_t *in;
  size_t in_len;
  sbuf *out;
} wslay_io;

static _Thread_local wslay_io io_;
/* One wslay context per role: wslay 1.1 carries a frame's masking state
 * over to the next frame it reads, so a context that has read a client's
 * masked frames garbles a server's unmasked ones. [0] server side, [1]
 * client side. */
static _Thread_local wslay_frame_context_ptr wslay_[2];

static ssize_t on_wslay_recv(uint8_t *buf, size_t len, int flags, void *ud) {
  (void)flags;
  (void)ud;
  if (!io_.in_len) return -1; /* wslay reads that as "want read" */
  size_t n = len < io_.in_len ? len : io_.in_len;
  memcpy(buf, io_.in, n);
  io_.in += n;
  io_.in_len -= n;
  return (ssize_t)n;
}

static ssize_t on_wslay_send(const uint8_t *data, size_t len, int flags, void *ud) {
  (void)flags;
  (void)ud;
  if (sbuf_append(io_.out, data, len)) return -1;
  return (ssize_t)len;
}

static int on_wslay_genmask(uint8_t *buf, size_t len, void *ud) {
  (void)ud;
  return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static wslay_frame_context_ptr thread_wslay(int client_side) {
  wslay_frame_context_ptr *w = &wslay_[client_side ? 1 : 0];
  if (!*w) {
    static const struct wslay_frame_callbacks cb = {on_wslay_send, on_wslay_recv,
                                                    on_wslay_genmask};
    if (wslay_frame_context_init(w, &cb, NULL)) *w = NULL;
  }
  return *w;
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
  return hdr + len;
}

int ws_read_frame(ws_reader *r, const uint8_t *f, size_t n, int expect_mask,
                  size_t max_message, ws_frame_result *out) {
  memset(out, 0, sizeof(*out));
  out->close_code = 1002;
  int client_side = !expect_mask;
  wslay_frame_context_ptr w = thread_wslay(client_side);
  if (!w) return -1;
  io_.in = f;
  io_.in_len = n;
  struct wslay_frame_iocb iocb;
  int opcode = -1, fin = 0, mask = 0, rsv = 0;
  size_t start = r->msg.len;
  for (;;) {
    ssize_t got = wslay_frame_recv(w, &iocb);
    if (got == WSLAY_ERR_WANT_READ) break;
    if (got < 0) goto fail;
    opcode = iocb.opcode;
    fin = iocb.fin;
    mask = iocb.mask;
    rsv = iocb.rsv;
    if (r->msg.len + iocb.data_length > max_message) {
      out->close_code = 1009;
      goto fail;
    }
    if (sbuf_append(&r->msg, iocb.data, iocb.data_length)) goto fail;
    if (!io_.in_len && r->msg.len - start == iocb.payload_length) break;
  }
  if (opcode < 0 || mask != expect_mask || rsv) goto fail;
  if (opcode >= WS_CLOSE) {
    /* A control frame may interleave with a fragmented message: its payload
     * sits after the fragments gathered so far. */
    if (!fin || r->msg.len - start > 125) goto fail;
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
  }
  if (fin) {
    out->kind = r->msg_opcode;
    out->data = r->msg.data ? r->msg.data : "";
    out->len = r->msg.len;
    r->msg_opcode = 0;
    r->msg.len = 0; /* the bytes stay readable until the next append */
  }
  return 0;
fail:
  /* wslay may hold part of a broken frame: start over with a fresh one. */
  wslay_frame_context_free(w);
  wslay_[client_side] = NULL;
  return -1;
}

void ws_frame_thread_done(void) {
  for (int i = 0; i < 2; i++) {
    if (wslay_[i]) wslay_frame_context_free(wslay_[i]);
    wslay_[i] = NULL;
  }
}

void ws_reader_free(ws_reader *r) { sbuf_free(&r->msg); }

int ws_write_frame(sbuf *out, int opcode, const void *data, size_t len, int mask) {
  wslay_frame_context_ptr w = thread_wslay(mask);
  if (!w) return -1;
  size_t before = out->len;
  io_.out = out;
  struct wslay_frame_iocb iocb = {1, 0, (uint8_t)opcode, len, (uint8_t)(mask ? 1 : 0),
                                  (const uint8_t *)data, len};
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
