/* A Socket.IO v5 packet, the same whatever parser put it on the wire: the
 * payload is JSON text in which binary values are placeholders
 * {"_placeholder":true,"num":N}, and the binary values are attachments. */
#ifndef SIO_SIO_PACKET_H
#define SIO_SIO_PACKET_H
#include <stddef.h>
#include <stdint.h>

#include "../../util/attachment.h"

enum sio_packet_type {
  SIO_P_CONNECT = 0,
  SIO_P_DISCONNECT = 1,
  SIO_P_EVENT = 2,
  SIO_P_ACK = 3,
  SIO_P_CONNECT_ERROR = 4,
  SIO_P_BINARY_EVENT = 5,
  SIO_P_BINARY_ACK = 6
};

/* At most this many attachments in one packet, whatever the parser:
 * socket.io-parser's default maxAttachments. socket.io-msgpack-parser has
 * no limit of its own; libsio applies this one there too, so that a packet
 * read with one parser can always be written with the other. */
#define SIO_MAX_ATTACHMENTS 10

/* The largest ack id either parser accepts: 2^53 - 1, the last integer a
 * JavaScript peer reads (socket.io-parser uses Number()) and writes back
 * unchanged. A larger one is a parse error. */
#define SIO_MAX_ACK_ID INT64_C(9007199254740991)

typedef struct sio_packet {
  int type;
  char *nsp;         /* NUL-terminated, "/" for the main namespace */
  int64_t id;        /* ack id, -1 when absent */
  char *data;        /* JSON text of data_len bytes, or NULL */
  size_t data_len;
  size_t nattach;    /* attachments announced (BINARY_* types) */
  sio_attachment *bins; /* malloc'ed array of nbins (owned) */
  size_t nbins;
  /* 0: nsp and data are malloc'ed and data is NUL-terminated. 1: a decoded
   * EVENT or ACK whose nsp and data are the decoder's and its input's,
   * valid until the decode call's caller returns; data is not
   * NUL-terminated. Copying every message's text out of the frame it
   * arrived in would cost two allocations per message. */
  int borrowed;
  int no_compress;   /* outgoing: compress(false), marked on its messages */
} sio_packet;

/* Frees what the packet owns and resets it to an empty packet (id -1). */
void sio_packet_clear(sio_packet *p);
void sio_packet_init(sio_packet *p);
#endif
