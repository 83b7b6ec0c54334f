/* What the files of the cluster share (cluster.c: connections and
 * subscriptions; cluster_wire.c: the two protocols' envelopes and channels;
 * cluster_sharded.c: the sharded protocol's subscriptions and messages;
 * cluster_requests.c: answering other nodes; cluster_calls.c: this node's
 * requests to them). Not for other layers.
 *
 * Two protocols of @socket.io/redis-adapter 8: createAdapter's ("classic",
 * PUBLISH/PSUBSCRIBE, requests and responses as members of one object) and
 * createShardedAdapter's (SPUBLISH/SSUBSCRIBE, socket.io-adapter's
 * ClusterAdapter messages {type, data, uid, nsp}). The requests' fields are
 * the same in both (data of the sharded ones): the code that serves them
 * and gathers the answers is shared, the envelopes are not. */
#ifndef SIO_CLUSTER_INTERNAL_H
#define SIO_CLUSTER_INTERNAL_H
#include <stdint.h>

#include "adapter_codec.h"
#include "cluster.h"
#include "redis_conn.h"
#include "redis_shard_sub.h"

/* The node and request ids: uid2(6) in the classic protocol, 16 hex
 * digits (randomBytes(8)) in the sharded one. */
#define ID_MAX 16

/* @socket.io/redis-adapter's RequestType. */
enum adapter_request {
  REQ_SOCKETS = 0,
  REQ_ALL_ROOMS = 1,
  REQ_REMOTE_JOIN = 2,
  REQ_REMOTE_LEAVE = 3,
  REQ_REMOTE_DISCONNECT = 4,
  REQ_REMOTE_FETCH = 5,
  REQ_SERVER_SIDE_EMIT = 6,
  REQ_BROADCAST = 7,
  REQ_BROADCAST_CLIENT_COUNT = 8,
  REQ_BROADCAST_ACK = 9
};

typedef struct cluster_call cluster_call;
typedef struct sse_wait sse_wait;
typedef struct ack_bcast ack_bcast;

struct cluster {
  io_server *srv;
  cluster_options o;
  char uid[ID_MAX + 1];
  redis_conn *pub, *sub;  /* sub: classic only */
  redis_shard_sub *shard; /* sharded only */
  int live;             /* open connections + calls not yet freed */
  int is_up;            /* ADAPTER_UP posted, no ADAPTER_DOWN since */
  int down_posted;      /* ADAPTER_DOWN posted, no ADAPTER_UP since */
  int closing;
  sbuf out;             /* scratch for outgoing messages */
  cluster_call *calls;  /* this node's requests waiting for answers */
  sse_wait *sse_waits;  /* server-side events waiting for the host's ack */
  ack_bcast *ack_bcasts; /* this node's broadcasts with acks, gathering */
  int64_t next_sse_ack;
};

/* A new id as the Node adapter of the protocol makes them. */
void cluster_new_id(const cluster *c, char id[ID_MAX + 1]);
/* One of the cluster's loop users (a call) is gone. */
void cluster_unref(cluster *c);

/* ---- cluster_wire.c ---- */
/* PUBLISH (SPUBLISH when sharded); 0, or SIO_EIO when the publisher is not
 * connected. */
int cluster_publish(cluster *c, const char *channel, const char *msg, size_t len);
/* "<key>-request#<nsp>#" or "<key>-response#<nsp>#" into out. 0 or -1. */
int cluster_channel(const cluster *c, const char *kind, const char *nsp, sbuf *out);
/* A request's text into out (reset first): classic {"uid","requestId",
 * "type":classic<members>}, sharded {"type":sharded,"data":{"requestId"
 * <members>},"uid","nsp"}; id may be NULL, members is `,"key":value...`.
 * 0 or -1. */
int cluster_request_text(const cluster *c, sbuf *out, int classic, int sharded, const char *id,
                         const char *nsp, const char *members, size_t len);
/* Publishes a request to every node of nsp. 0, SIO_EIO or SIO_ENOMEM. */
int cluster_send_request(cluster *c, const char *nsp, const char *msg, size_t len);
/* PUBSUB NUMSUB (SHARDNUMSUB) of the channel every node of nsp listens to:
 * the reply goes to fn. 0, or -1 when the publisher is not connected. */
int cluster_count_nodes(cluster *c, const char *nsp, redisCallbackFn *fn, void *priv);
/* Answers request_id of node requester: classic {"type":classic,
 * "requestId"<members>} (no type when classic < 0) on the response
 * channel, sharded {"type":sharded,"data":{"requestId"<members>},"uid",
 * "nsp"} on the requester's; the members' placeholders stand for bins
 * (sharded only). */
void cluster_respond(cluster *c, const char *nsp, const char *requester, int classic, int sharded,
                     const char *request_id, const char *members, size_t len,
                     sio_attachment *bins, size_t nbins);

/* ---- cluster_sharded.c ---- */
/* Starts listening (every namespace's channels, and rooms' as the
 * subscription mode says). 0 or UV_ENOMEM. */
int cluster_sharded_start(cluster *c);
int cluster_sharded_broadcast(cluster *c, const sio_target *t, const sio_packet *p,
                              unsigned emit_flags);
/* A message on one of the shard channels. */
void cluster_sharded_message(redis_shard_sub *sub, const char *channel, size_t channel_len,
                             const char *msg, size_t len);
/* The sharded envelope of a response published to node requester. */
void cluster_sharded_respond(cluster *c, const char *nsp, const char *requester, int type,
                             const char *data, size_t len, sio_attachment *bins, size_t nbins);

/* ---- cluster_requests.c ---- */
void cluster_on_request(cluster *c, io_namespace *nsp, const char *msg, size_t len);
/* Serves a request of node uid (type: enum adapter_request; json: its
 * fields; id: its requestId, "" when none). */
void cluster_serve_request(cluster *c, io_namespace *nsp, long type, const char *json, size_t len,
                           const char *uid, const char *id);
/* Forgets the server-side events waiting for the host. */
void cluster_requests_close(cluster *c);

/* ---- cluster_broadcast_acks.c ---- */
/* A BROADCAST request of another node: delivered here, the count of
 * clients and each of their answers sent back. */
void cluster_on_broadcast_request(cluster *c, io_namespace *nsp, const char *msg, size_t len);
/* The same, read already (b is freed). */
void cluster_forward_broadcast(cluster *c, io_namespace *nsp, adapter_broadcast *b);
/* A BROADCAST_CLIENT_COUNT or BROADCAST_ACK (type: enum adapter_request)
 * for one of this node's broadcasts (json: its fields; bins taken). 1 when
 * the bins were taken. */
int cluster_broadcast_response(cluster *c, long type, const char *json, size_t len,
                               const char *request_id, sio_attachment *bins, size_t nbins);

/* ---- cluster_calls.c ---- */
void cluster_on_response(cluster *c, const char *msg, size_t len);
/* An answer to one of this node's requests (type: enum adapter_request, or
 * -1 when it does not say; json: its fields; bins taken). */
void cluster_take_response(cluster *c, long type, const char *json, size_t len, const char *id,
                           sio_attachment *bins, size_t nbins);
/* Ends every call (the server closes): their hosts get SIO_ECLOSED. */
void cluster_calls_close(cluster *c);
#endif
