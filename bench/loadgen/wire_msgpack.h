/* The same Socket.IO packets as wire.h in socket.io-msgpack-parser's form:
 * one msgpack map {type, nsp, data, id} per binary Engine.IO message. The
 * Engine.IO packets (open, ping, pong) stay text. */
#ifndef LOADGEN_WIRE_MSGPACK_H
#define LOADGEN_WIRE_MSGPACK_H

#include <stdbool.h>
#include <stddef.h>

#include "bytebuf.h"
#include "wire.h"

/* CONNECT to "/". */
void wire_msgpack_connect(struct bytebuf *out);

/* An event with one argument: the payload as a msgpack str, or with `binary`
 * as a bin. `ack_id` < 0 asks for no ack. */
void wire_msgpack_event(struct bytebuf *out, const char *event, long ack_id, const char *payload,
                        size_t payload_len, bool binary);

/* Classifies a whole packet; never reads past `len`. */
struct wire_packet wire_msgpack_classify(const unsigned char *p, size_t len);

#endif
