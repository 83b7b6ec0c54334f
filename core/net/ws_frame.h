/* WebSocket framing (RFC 6455). Whole frames are decoded here and server
 * frames written here; the client's masked frames go through wslay's frame
 * layer, one context per I/O thread, only ever handed whole frames, so no
 * state is left in it between calls and an idle connection keeps no 4 KiB
 * wslay buffer of its own. */
#ifndef SIO_WS_FRAME_H
#define SIO_WS_FRAME_H
#include <stddef.h>
#include <stdint.h>

#include "../util/sbuf.h"

enum { WS_TEXT = 1, WS_BINARY = 2, WS_CLOSE = 8, WS_PING = 9, WS_PONG = 10 };

/* Size of the frame at the start of p[0..n): 0 while the header is
 * incomplete, else header + payload bytes (which may exceed n). Sets
 * *payload_len. */
uint64_t ws_frame_size(const uint8_t *p, size_t n, uint64_t *payload_len);

/* Reassembles messages across frames. */
typedef struct ws_reader {
  sbuf msg;      /* fragments of a message not finished yet */
  uint8_t msg_opcode;
  uint8_t allow_rsv1;     /* permessage-deflate was negotiated */
  uint8_t msg_compressed; /* the message's first frame had RSV1 */
} ws_reader;

/* What one whole frame turned out to be. */
typedef struct ws_frame_result {
  int kind;          /* 0: nothing to hand up yet, else a WS_* opcode */
  const char *data;  /* message or control payload, valid until next call */
  size_t len;
  uint16_t close_code;
  int compressed;    /* a message sent deflated (RSV1): data is compressed */
} ws_frame_result;

/* Decodes one whole frame (f, n = ws_frame_size). expect_mask is 1 on the
 * server side. max_message bounds a reassembled message. Returns 0 with *out
 * set, or -1 on a protocol violation (and *close_code says which: 1002
 * protocol error, 1007 bad UTF-8 is not checked, 1009 too big). */
int ws_read_frame(ws_reader *r, const uint8_t *f, size_t n, int expect_mask,
                  size_t max_message, ws_frame_result *out);
void ws_reader_free(ws_reader *r);

/* Frees this thread's wslay context; a thread hook (util/thread_hooks.h)
 * calls it on a thread whose owner runs them. */
void ws_frame_thread_done(void);

/* Appends a whole frame to out; mask = 1 on the client side. */
int ws_write_frame(sbuf *out, int opcode, const void *data, size_t len,
                   int mask);
/* Appends a whole server frame whose payload is deflated (RSV1 set, RFC
 * 7692). */
int ws_write_deflated_frame(sbuf *out, int opcode, const void *data, size_t len);
#endif
