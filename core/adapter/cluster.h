/* A server's place in a cluster of @socket.io/redis-adapter 8 nodes
 * (createAdapter's protocol, or createShardedAdapter's with
 * adapter.sharded): two Redis connections on the I/O thread (a publisher,
 * and a subscriber to every namespace's channels), the broadcasts between
 * nodes, and the host told when Redis goes and comes back
 * (SIO_EV_ADAPTER_DOWN/UP). */
#ifndef SIO_CLUSTER_H
#define SIO_CLUSTER_H
#include <stdint.h>

#include "../sio/server/io_server.h"
#include "redis_url.h"

/* "adapter.subscriptionMode" of the sharded adapter: which rooms have a
 * channel of their own. */
enum cluster_subscription_mode {
  SUBSCRIPTION_DYNAMIC = 0, /* public rooms (not a socket's own id) */
  SUBSCRIPTION_STATIC,      /* none */
  SUBSCRIPTION_DYNAMIC_PRIVATE /* every room */
};

typedef struct cluster_options {
  redis_url url;             /* url.host NULL: no adapter */
  char *key;                 /* "adapter.key", the channels' prefix */
  uint64_t requests_timeout; /* ms */
  int sharded;               /* "adapter.sharded" */
  int subscription_mode;     /* enum cluster_subscription_mode */
} cluster_options;

void cluster_options_free(cluster_options *o);

/* Joins the cluster: s->cluster is set and connecting starts (a failure
 * to reach Redis is an SIO_EV_ADAPTER_DOWN, not an error here). Takes the
 * strings of o. 0 or UV_ENOMEM. */
int cluster_start(io_server *s, cluster_options *o);
/* A namespace was created: its channels are subscribed to. */
void cluster_namespace_added(cluster *c, io_namespace *nsp);
/* A room of nsp came to be or went away (own: a socket's own id, as it
 * joined or left the namespace): the sharded adapter's dynamic modes
 * listen to its channel meanwhile. */
void cluster_room_added(cluster *c, io_namespace *nsp, const char *room, int own);
void cluster_room_removed(cluster *c, io_namespace *nsp, const char *room, int own);
/* Publishes an emit of packet p (its data without the recovery offset)
 * to the other nodes. 0, or SIO_EIO when Redis is not reachable now, or
 * SIO_ENOMEM. */
int cluster_broadcast(cluster *c, const sio_target *t, const sio_packet *p, unsigned emit_flags);
/* A broadcast with acknowledgements (p without its ack id) sent to the
 * other nodes as a request: their clients are counted into collect, and
 * their answers join it. 0, SIO_EIO (Redis is not reachable: collect
 * gathers this node's answers only) or SIO_ENOMEM. */
int cluster_broadcast_ack(cluster *c, const sio_target *t, const sio_packet *p, unsigned emit_flags,
                          int timeout_ms, io_ack_collect *collect);
/* fetchSockets across the cluster: local (malloc'ed, taken) is the JSON
 * array of this node's sockets; the other nodes' follow, each with
 * "remote":true, in one SIO_EV_SOCKETS with req, or an SIO_EV_ERROR
 * (SIO_ETIMEDOUT) when some did not answer within adapter.requestsTimeout.
 * 0 (the answer follows), or SIO_ENOMEM. */
int cluster_fetch(cluster *c, const sio_target *t, char *local, size_t len, uint64_t req);
/* socketsJoin/socketsLeave and disconnectSockets on the other nodes (this
 * node has done its part). Not answered, as in the Node adapter. */
void cluster_rooms_op(cluster *c, const sio_target *t, char *const *rooms, size_t n, int leave);
void cluster_disconnect(cluster *c, const sio_target *t, int close);
/* serverSideEmit of ["event", ...args] to every other node of namespace
 * "/". With ack: one SIO_EV_ACK (SIO_EVF_BROADCAST) with req, data = the
 * array of their answers; err SIO_ETIMEDOUT when some did not answer in
 * time. 0, SIO_EIO (Redis is not reachable; with ack, reported when the
 * timeout passes), SIO_ENOMEM. */
int cluster_server_side_emit(cluster *c, const char *event, const char *args, size_t len,
                             int with_ack, uint64_t req);
/* The host's answer to SIO_EV_SERVER_SIDE_EVENT ack_id: the first item of
 * args (a JSON array). 0 or SIO_ENOTFOUND (unknown or expired). */
int cluster_server_side_ack(cluster *c, int64_t ack_id, const char *args, size_t len);
/* Leaves: the connections close, and io_server_collect_gone(s) follows
 * once nothing of the cluster is left on the loop. */
void cluster_close(cluster *c);
#endif
