/* What the files of the cluster share (cluster.c: connections and
 * subscriptions; cluster_requests.c: answering other nodes; cluster_calls.c:
 * this node's requests to them). Not for other layers. */
#ifndef SIO_CLUSTER_INTERNAL_H
#define SIO_CLUSTER_INTERNAL_H
#include <stdint.h>

#include "cluster.h"
#include "redis_conn.h"

/* uid2(6): the Node adapter's node and request ids are 6 characters. */
#define UID_LEN 6

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
  char uid[UID_LEN + 1];
  redis_conn *pub, *sub;
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

/* A new id as uid2(6) makes them. */
void cluster_new_id(char id[UID_LEN + 1]);
/* PUBLISH; 0, or SIO_EIO when the publisher is not connected. */
int cluster_publish(cluster *c, const char *channel, const char *msg, size_t len);
/* "<key>-request#<nsp>#" or "<key>-response#<nsp>#" into out. 0 or -1. */
int cluster_channel(const cluster *c, const char *kind, const char *nsp, sbuf *out);
/* One of the cluster's loop users (a call) is gone. */
void cluster_unref(cluster *c);

/* ---- cluster_requests.c ---- */
void cluster_on_request(cluster *c, io_namespace *nsp, const char *msg, size_t len);
/* Forgets the server-side events waiting for the host. */
void cluster_requests_close(cluster *c);

/* ---- cluster_broadcast_acks.c ---- */
/* A BROADCAST request of another node: delivered here, the count of
 * clients and each of their answers sent back. */
void cluster_on_broadcast_request(cluster *c, io_namespace *nsp, const char *msg, size_t len);
/* A BROADCAST_CLIENT_COUNT or BROADCAST_ACK for one of this node's
 * broadcasts (json: the response as JSON; bins taken). 1 when it was one. */
int cluster_broadcast_response(cluster *c, const char *json, size_t len, const char *request_id,
                               sio_attachment *bins, size_t nbins);

/* ---- cluster_calls.c ---- */
void cluster_on_response(cluster *c, const char *msg, size_t len);
/* Ends every call (the server closes): their hosts get SIO_ECLOSED. */
void cluster_calls_close(cluster *c);
#endif
