/* Engine.IO v4 packet codec: the type digit, WebSocket frames and the
 * long-polling payload (records joined by \x1e, binary as "b" + base64). */
#ifndef SIO_EIO_PACKET_H
#define SIO_EIO_PACKET_H
#include <stddef.h>
#include "../util/rbuf.h"
#include "../util/sbuf.h"

enum eio_type {
  EIO_OPEN = 0,
  EIO_CLOSE = 1,
  EIO_PING = 2,
  EIO_PONG = 3,
  EIO_MESSAGE = 4,
  EIO_UPGRADE = 5,
  EIO_NOOP = 6
};

#define EIO_RECORD_SEPARATOR '\x1e'

/* A decoded packet. data is borrowed from the input (or from the scratch
 * buffer given to eio_payload_next). A binary packet is always a MESSAGE. */
typedef struct eio_packet {
  int type;
  int binary;
  const char *data;
  size_t len;
} eio_packet;

/* Decodes one text packet "<type digit><data>" (a WebSocket text frame or a
 * polling record without "b"). 0, or -1 when the type is missing or
 * unknown. */
int eio_decode_text(const char *s, size_t n, eio_packet *out);

/* Iterates over a long-polling body. *pos starts at 0. Returns 1 with *out
 * set, 0 at the end, -1 on a malformed record (empty record, bad type, bad
 * base64). A "b<base64>" record decodes into scratch; out->data then points
 * into scratch and is valid until the next call. */
int eio_payload_next(const char *body, size_t n, size_t *pos, sbuf *scratch,
                     eio_packet *out);

/* A whole outgoing packet as shareable bytes: text packets hold
 * "<type digit><data>", binary ones hold the raw bytes of a MESSAGE.
 * Returns NULL when out of memory. */
rbuf *eio_encode(int type, const char *data, size_t n);
rbuf *eio_encode_binary(const void *data, size_t n);

/* Added for encoders that write a packet's data in place (one copy on the
 * broadcast path): a text packet holding the type digit and n bytes of room
 * the caller fills at ->data + 1. NULL when out of memory. */
rbuf *eio_alloc_text(int type, size_t n);

/* Appends one encoded packet (from eio_encode*) to a polling body,
 * preceded by \x1e unless the body is empty; binary as "b" + base64. */
int eio_payload_append(sbuf *body, const rbuf *pkt);
#endif
