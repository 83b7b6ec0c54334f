/* The messages of @socket.io/redis-adapter 8's sharded adapter, which are
 * socket.io-adapter 2.5's ClusterAdapter's: {type, data, uid, nsp}, JSON
 * text, or notepack (msgpack) when data holds binary values; a reader tells
 * them apart by the first byte, '{' for JSON. */
#ifndef SIO_SHARDED_CODEC_H
#define SIO_SHARDED_CODEC_H
#include <stddef.h>

#include "adapter_codec.h"

/* socket.io-adapter's MessageType (the heartbeat ones are not used). */
enum sharded_type {
  SH_BROADCAST = 3,
  SH_SOCKETS_JOIN = 4,
  SH_SOCKETS_LEAVE = 5,
  SH_DISCONNECT_SOCKETS = 6,
  SH_FETCH_SOCKETS = 7,
  SH_FETCH_SOCKETS_RESPONSE = 8,
  SH_SERVER_SIDE_EMIT = 9,
  SH_SERVER_SIDE_EMIT_RESPONSE = 10,
  SH_BROADCAST_CLIENT_COUNT = 11,
  SH_BROADCAST_ACK = 12
};

/* Appends the message {type, data, uid, nsp}, data being JSON whose
 * placeholders stand for bins: JSON text without bins, msgpack with them
 * (the bins inline). 0, or -1 (out of memory, or data is no JSON). */
int sharded_encode(sbuf *out, int type, const char *data, size_t len, sio_attachment *bins,
                   size_t nbins, const char *uid, const char *nsp);

/* A BROADCAST's data, appended: {"packet":{"type":2,"data":[..]},
 * "requestId":".." (with acks), "opts":{"rooms","except","flags"}}, flags
 * holding volatile, compress and (timeout_ms > 0) timeout. 0 or -1. */
int sharded_broadcast_data(sbuf *out, const sio_packet *p, const sio_target *t,
                           unsigned emit_flags, const char *request_id, int timeout_ms);

/* A message read from Redis; everything in it is owned. */
typedef struct sharded_msg {
  long type;            /* -1 when absent */
  sbuf json;            /* the message as JSON, placeholders for bins */
  sbuf uid, nsp;        /* "" when absent */
  sbuf request_id;      /* data.requestId; data NULL when absent */
  const char *data;     /* data's value, inside json; NULL when absent */
  size_t data_len;
  sio_attachment *bins;
  size_t nbins;
} sharded_msg;

/* 0, or -1 when msg is not such a message (larger than max_payload once
 * decoded, or out of memory); m is to be freed either way. */
int sharded_decode(const char *msg, size_t len, size_t max_payload, sharded_msg *m);
void sharded_msg_free(sharded_msg *m);

/* The BROADCAST m as a broadcast to deliver (its request_id set when it
 * asks for acks); m's bins are taken. 0, or -1 (then b is empty). */
int sharded_read_broadcast(sharded_msg *m, adapter_broadcast *b);
#endif
