/* The Socket.IO parser interface. A parser turns a sio_packet into Engine.IO
 * messages and back. Two exist: JSON (socket.io-parser, the default) and
 * msgpack (socket.io-msgpack-parser). */
#ifndef SIO_SIO_PARSER_H
#define SIO_SIO_PARSER_H
#include <stddef.h>
#include "../../util/rbuf.h"
#include "sio_packet.h"

typedef struct sio_decoder sio_decoder;

/* Upper bound on the Engine.IO messages one packet encodes to. */
#define SIO_MAX_ENCODED (1 + SIO_MAX_ATTACHMENTS)

typedef struct sio_parser {
  const char *name; /* "json" or "msgpack" */
  /* Encodes p into *nout (<= SIO_MAX_ENCODED) complete Engine.IO MESSAGE
   * packets made with eio_encode()/eio_encode_binary(), each with refs = 1,
   * owned by the caller. For BINARY_* packets p->bins hold the attachments
   * in order. Returns 0, or -1 (out of memory, or a packet the parser cannot
   * express); nothing is returned on failure. */
  int (*encode)(const sio_packet *p, rbuf **out, size_t *nout);
  /* max_payload bounds what one decoded packet may allocate. */
  sio_decoder *(*decoder_new)(size_t max_payload);
  /* Feeds the payload of one Engine.IO MESSAGE (text without the "4", or
   * the raw bytes of a binary one). Returns 1 with a complete packet moved
   * into *out (the caller owns it; *out must be empty on entry), 0 when the
   * packet waits for more attachments, -1 when the input is invalid: the
   * connection must then close with "parse error". */
  int (*decode)(sio_decoder *d, const char *data, size_t len, int binary,
                sio_packet *out);
  void (*decoder_free)(sio_decoder *d);
} sio_parser;

extern const sio_parser sio_parser_json;
extern const sio_parser sio_parser_msgpack;

/* "json" or "msgpack"; NULL for an unknown name. */
const sio_parser *sio_parser_by_name(const char *name);
#endif
