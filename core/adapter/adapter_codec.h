/* The messages of @socket.io/redis-adapter 8: a broadcast is the msgpack
 * (notepack.io) encoding of [uid, packet, {rooms, except, flags}], packet
 * being the Socket.IO packet object {type, data, nsp} with binary values
 * inline, as socket.io-msgpack-parser writes it. */
#ifndef SIO_ADAPTER_CODEC_H
#define SIO_ADAPTER_CODEC_H
#include <stddef.h>

#include <sio/sio.h>

#include "../sio/codec/sio_packet.h"
#include "../util/sbuf.h"

/* Appends the broadcast message of packet p (an EVENT or BINARY_EVENT, data
 * with placeholders and p->bins) for the rooms and except of t, with the
 * SIO_EMIT_VOLATILE and SIO_EMIT_NO_COMPRESS bits of emit_flags as flags
 * volatile and compress. 0, or -1 when out of memory. */
int adapter_encode_broadcast(sbuf *out, const char *uid, const sio_packet *p,
                             const sio_target *t, unsigned emit_flags);

/* A broadcast read from Redis; everything in it is owned. */
typedef struct adapter_broadcast {
  char *uid;
  sio_packet packet;  /* data as JSON with placeholders, bins */
  char **rooms;
  size_t nrooms;
  char **except;
  size_t nexcept;
  unsigned flags;     /* SIO_EMIT_VOLATILE, SIO_EMIT_NO_COMPRESS */
  long timeout;       /* flags.timeout (ms), -1 when absent */
  char *request_id;   /* a BROADCAST request's requestId, or NULL */
} adapter_broadcast;

/* 0, or -1 when msg is not such a message (or is larger than max_payload
 * once decoded, or memory ran out); *out is then empty. */
int adapter_decode_broadcast(const char *msg, size_t len, size_t max_payload,
                             adapter_broadcast *out);
void adapter_broadcast_free(adapter_broadcast *b);

/* A broadcast with acknowledgements is a request (msgpack):
 * {uid, requestId, type: 7, packet, opts: {rooms, except, flags}}, flags
 * holding timeout too. */
int adapter_encode_broadcast_request(sbuf *out, const char *uid, const char *request_id,
                                     const sio_packet *p, const sio_target *t, unsigned emit_flags,
                                     int timeout_ms);
int adapter_decode_broadcast_request(const char *msg, size_t len, size_t max_payload,
                                     adapter_broadcast *out);
/* Each client's answer to it (msgpack): {type: 9, requestId, packet: the
 * first of args (a JSON array with placeholders for bins), or nil}. */
int adapter_encode_broadcast_ack(sbuf *out, const char *request_id, const char *args,
                                 size_t len, sio_attachment *bins, size_t nbins);

/* One member of a msgpack map written by adapter_encode_message: a string
 * (text), a JSON value whose placeholders stand for bins (json), or else an
 * unsigned number. */
typedef struct adapter_message_field {
  const char *key;
  const char *text;
  const char *json;
  size_t json_len;
  sio_attachment *bins;
  size_t nbins;
  unsigned number;
} adapter_message_field;

/* Appends the msgpack map of the n fields, in their order, binary values
 * inline as notepack.io writes Buffers. 0, or -1 (out of memory, bad JSON). */
int adapter_encode_message(sbuf *out, const adapter_message_field *fields, size_t n);

/* ---- requests and responses ----------------------------------------------
 * The Node adapter writes most of them as JSON and some as msgpack (a
 * broadcast with acknowledgements, its acknowledgements); a reader tells them
 * apart by the first byte, '{' for JSON, as it does. */

/* The message as JSON text: a JSON message validated and copied, a msgpack
 * one converted by the msgpack parser (binary values become placeholders,
 * their bytes *bins). 0, or -1 when it is neither. */
int adapter_message_json(const char *msg, size_t len, size_t max_payload, sbuf *json,
                         sio_attachment **bins, size_t *nbins);

/* Where the value of member key of the JSON object s[0..n) (valid JSON)
 * starts, or -1 when it has none. */
long adapter_json_member(const char *s, size_t n, const char *key);

/* The string member key, decoded into out (reset first). 0 or -1. */
int adapter_json_string(const char *s, size_t n, const char *key, sbuf *out);

/* The array of strings (or numbers, as JavaScript writes them) at s[i], as
 * malloc'ed C strings in *out (freed with adapter_strs_free). 0 or -1. */
int adapter_json_strs(const char *s, size_t n, long i, char ***out, size_t *count);
void adapter_strs_free(char **v, size_t n);
#endif
