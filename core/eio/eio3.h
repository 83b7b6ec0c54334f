/* Engine.IO v3 framing, for the clients of allowEIO3 (socket.io-client 2.x),
 * as engine.io 6 reads and writes it (its parser-v3, engine.io-parser 2.2):
 * - a long-polling text payload is "<length>:<packet>" records, the length
 *   in UTF-16 code units of the packet; a binary message in it is
 *   "b4" + base64;
 * - a long-polling binary payload (application/octet-stream, for a client
 *   that did not ask for b64) is, per packet, a 0 (text) or 1 (binary)
 *   byte, the length's decimal digits as bytes 0-9, a 255 byte, then the
 *   packet: text as UTF-8, binary as the type byte 4 and the data;
 * - a binary WebSocket frame holds the type byte 4, then the data.
 * Packets are the eio_packet.h ones: rbufs from eio_encode*. */
#ifndef SIO_EIO3_H
#define SIO_EIO3_H
#include <stddef.h>

#include "../net/url_query.h"
#include "eio_packet.h"

/* The Engine.IO revision a request asks for, as engine.io reads its EIO
 * query: 4 for "4", 3 for anything else (missing included). */
int eio3_revision(const url_query *q);

/* Appends one packet to a v3 text payload. 0, or -1 out of memory (body
 * then unchanged). */
int eio3_payload_append_text(sbuf *body, const rbuf *pkt);
/* Appends one packet to a v3 binary payload; the same contract. */
int eio3_payload_append_binary(sbuf *body, const rbuf *pkt);

/* Iterates over a v3 long-polling body (binary: its content type was
 * application/octet-stream). *pos starts at 0. Returns 1 with *out set, 0
 * at the end, -1 on a malformed payload (a bad length, a record cut short,
 * a bad type or base64). Data decoded from base64 lives in scratch until
 * the next call; otherwise it is borrowed from body. */
int eio3_payload_next(const char *body, size_t n, int binary, size_t *pos, sbuf *scratch,
                      eio_packet *out);

/* A v3 binary WebSocket frame: 0, or -1 unless it is a MESSAGE. */
int eio3_decode_binary_frame(const char *data, size_t n, eio_packet *out);
/* The bytes of a v3 binary WebSocket frame for pkt (binary): appended to
 * out. 0, or -1 out of memory. */
int eio3_binary_frame(sbuf *out, const rbuf *pkt);
#endif
