/* The Socket.IO server on the I/O thread: namespaces, the per-connection
 * state (io_conn), sockets, rooms, acknowledgements and broadcasts. Everything here
 * runs on the context's loop thread; the ABI layer reaches it through
 * commands only. */
#ifndef SIO_IO_SERVER_H
#define SIO_IO_SERVER_H
#include <stdint.h>

#include "../../eio/eio.h"
#include "../../pump/context.h"
#include "../../util/ptrset.h"
#include "../../util/random_id.h"
#include "../../util/strmap.h"
#include <sio/sio.h>
#include "../ack_table.h"
#include "../codec/sio_parser.h"
#include "recovery.h"

typedef struct io_server io_server;
typedef struct io_namespace io_namespace;
typedef struct io_conn io_conn;
typedef struct io_socket io_socket;
typedef struct io_room io_room;
typedef struct io_ack_wait io_ack_wait;
typedef struct io_ack_collect io_ack_collect;
typedef struct io_pending_connect io_pending_connect;
typedef struct cluster cluster;

/* Scratch buffers larger than this are given back after use, so one large
 * message does not stay allocated. */
#define SCRATCH_KEPT (64 * 1024)

struct io_server {
  eio_server eio;            /* first: the Engine.IO layer below */
  struct sio_context *ctx;
  sio_server *handle;        /* the host's handle, put in every event */
  const sio_parser *parser;
  strmap namespaces;         /* name -> io_namespace */
  io_namespace *root;        /* "/", never removed: every emit names it */
  int has_wildcard;          /* "*" declared: dynamic namespaces */
  unsigned wildcard_flags;
  strmap sockets;            /* sid -> io_socket, every namespace */
  ack_table acks;            /* every socket's acknowledgement deadlines */
  io_pending_connect *pending; /* connections waiting for the host */
  uint64_t connect_timeout;  /* ms */
  size_t max_queued_events;  /* reading stops above it (back-pressure) */
  uint32_t mark_epoch;       /* for de-duplicating broadcast recipients */
  /* Scratch for an incoming event's name when it has escapes to decode,
   * and for the text of an emit until it is encoded. */
  sbuf split_name, emit_text;
  int closing;
  /* What must end before nothing of the server is left on the loop: the
   * Engine.IO server, and the broadcast acknowledgement collections (each
   * has a timer and posts an event). */
  int eio_closed;
  int acks_closed;           /* the ack table's timer */
  int recovery_closed;       /* the recovery store's timer */
  size_t collects;
  void (*on_closed)(io_server *s); /* see io_server_finish */
  recovery recovery;         /* connection state recovery; opts set before start */
  cluster *cluster;          /* the "adapter", or NULL: one node (core/adapter) */
};

struct io_namespace {
  char *name;
  unsigned flags;            /* SIO_NS_* */
  io_server *srv;
  strmap sockets;            /* sid -> io_socket */
  strmap rooms;              /* name -> io_room */
  int64_t next_ack_id;
};

struct io_room {
  char *name;
  ptrset members;            /* io_socket */
};

/* One Engine.IO connection as the Socket.IO server sees it (socket.io's
 * Client; not libsio's client role). */
struct io_conn {
  io_server *srv;
  eio_session *eio;
  sio_decoder *decoder;
  io_socket **sockets;       /* one per joined namespace */
  size_t nsockets;
  char *handshake;           /* JSON object without "auth", see io_handshake.c */
  uv_timer_t *connect_timer; /* until the first namespace is joined */
  int closing;
};

struct io_socket {
  char sid[RANDOM_ID_LEN + 1];
  io_namespace *nsp;
  io_conn *client;
  uint32_t mark;             /* next to client: a broadcast reads both */
  char *auth;                /* JSON of the CONNECT payload, "{}" when none */
  char pid[RANDOM_ID_LEN + 1]; /* private id for recovery, "" when off */
  char *data;                /* JSON of socket.data (sio_socket_set_data); NULL: {} */
  io_room **rooms;           /* joined rooms, not counting its own id */
  size_t nrooms, caprooms;
  ack_list acks;             /* io_ack_wait: acknowledgements it owes us */
};

/* A connection waiting for sio_connect_accept/refuse. */
struct io_pending_connect {
  io_pending_connect *next;
  uint64_t req;
  io_conn *client;
  char *nsp;
  char *auth;
  char sid[RANDOM_ID_LEN + 1];
  int new_namespace;
  rec_session *restored;     /* the state it gets back, or NULL */
};

/* ---- io_server.c -------------------------------------------------------- */
/* Starts listening; takes ownership of the strings in opts. */
int io_server_start(io_server *s, struct sio_context *ctx, sio_server *handle,
                    const sio_parser *parser, eio_options *opts, const char *host,
                    int port, uint64_t connect_timeout, size_t max_queued_events);
/* Reads again after the host caught up. */
void io_server_resume(io_server *s);
/* The TCP port it listens on, once started. */
int io_server_port(io_server *s);
/* Disconnects everyone ("server shutting down") and closes;
 * SIO_EV_SERVER_CLOSED follows. */
void io_server_close(io_server *s);
/* Closes now, without waiting for output to drain (the context ends). */
void io_server_abort(io_server *s);
/* Closes (as io_server_close) and calls on_closed once nothing of s is left
 * on the loop: no handle, timer or callback of it, no event to come. At
 * once when that is already so. */
void io_server_finish(io_server *s, void (*on_closed)(io_server *s));
/* An acknowledgement collection of s has ended (io_ack.c). */
void io_server_collect_gone(io_server *s);
/* Frees what is left after on_closed (or after a failed start). */
void io_server_free(io_server *s);
int io_server_of(io_server *s, const char *name, unsigned flags);
io_namespace *io_namespace_get(io_server *s, const char *name, int create, unsigned flags);
/* Posts an event to the host with the server's handle set. */
void io_post(io_server *s, ev_rec *r);
/* An SIO_EV_ERROR for request req. */
void io_post_error(io_server *s, uint64_t req, int err, const char *message);
/* Encodes p and sends the messages to one client. 0 or -1. */
int io_send_packet(io_conn *c, const sio_packet *p);
/* Sends already encoded messages to one client. */
int io_send_encoded(io_conn *c, rbuf *const *msgs, size_t n);

/* ---- io_conn.c ---------------------------------------------------------- */
io_conn *io_conn_new(io_server *s, eio_session *e, const http_request *req);
void io_conn_message(io_conn *c, const char *data, size_t len, int binary);
/* The Engine.IO session ended: every socket leaves with reason. */
void io_conn_closed(io_conn *c, const char *reason);
/* Closes the whole connection (its sockets get reason first). */
void io_conn_close(io_conn *c, const char *reason);
void io_conn_remove_socket(io_conn *c, io_socket *sock);
void io_pending_free(io_pending_connect *p);
int io_connect_accept(io_server *s, uint64_t req);
int io_connect_refuse(io_server *s, uint64_t req, const char *message, const char *data);

/* ---- io_socket.c -------------------------------------------------------- */
/* Creates and announces a socket (CONNECT reply, SIO_EV_CONNECTION). With
 * restored (taken, freed whatever happens), the socket gets back the rooms,
 * id and private id of a session that left, and the packets it missed go
 * out before the CONNECT reply, as socket.io sends them. */
io_socket *io_socket_connect(io_conn *c, io_namespace *nsp, const char *sid,
                             const char *auth, rec_session *restored);
/* A packet from the client for this socket. */
void io_socket_packet(io_socket *sock, sio_packet *p);
/* Leaves: disconnecting event, rooms, disconnect event, freed. send_packet:
 * tell the client with a DISCONNECT packet. */
void io_socket_close(io_socket *sock, const char *reason, int send_packet);
int io_socket_join(io_socket *sock, const char *room);
void io_socket_leave(io_socket *sock, const char *room);
/* The JSON array of its rooms, its own id first. */
int io_socket_rooms_json(const io_socket *sock, sbuf *out);
/* sio_socket_rooms: *json = the rooms JSON of socket sid, malloc'ed (the
 * host frees it with sio_free). 0, SIO_ENOTFOUND, SIO_ECLOSED or
 * SIO_ENOMEM. */
int io_socket_rooms(io_server *s, const char *sid, char **json);
/* sio_socket_set_data: socket sid's data becomes the JSON json (len bytes,
 * validated by the caller; NULL: null). 0, SIO_ENOTFOUND or SIO_ENOMEM. */
int io_socket_set_data(io_server *s, const char *sid, const char *json, size_t len);
/* Appends the JSON of the socket's data ({} when never set). */
int io_socket_data_json(const io_socket *sock, sbuf *out);
/* The server's ack table: an acknowledgement's deadline passed. */
void io_ack_expired(ack_table *t, ack_wait *w);
/* Registers an ack the client owes (collect may be NULL). */
int io_socket_expect_ack(io_socket *sock, int64_t id, uint64_t req, io_ack_collect *collect,
                         int timeout_ms);
int io_ack_reply(io_server *s, const char *sid, int64_t ack_id, char *json, size_t len,
                 sio_attachment *bins, size_t nbins);

/* ---- io_ack.c ----------------------------------------------------------- */
/* A broadcast's acknowledgements, gathered into one SIO_EV_ACK. */
io_ack_collect *io_ack_collect_new(io_server *s, uint64_t req, int timeout_ms);
void io_ack_collect_expect(io_ack_collect *c);
/* Starts waiting (after every recipient was counted). */
void io_ack_collect_start(io_ack_collect *c);
/* One recipient's answer; takes bins (the array and each buffer). */
void io_ack_collect_response(io_ack_collect *c, const char *json, size_t len,
                             sio_attachment *bins, size_t nbins);
/* One recipient will never answer (it left). */
void io_ack_collect_release(io_ack_collect *c);
/* Takes back one io_ack_collect_expect that will not be answered (the
 * cluster holds one per node that has not said how many clients it asked). */
void io_ack_collect_unexpect(io_ack_collect *c);
/* A recipient's answer handed on (json: its arguments; bins taken). */
typedef void (*io_ack_forward_fn)(void *arg, const char *json, size_t len, sio_attachment *bins,
                                  size_t nbins);
/* on_end (may be NULL) runs when gathering ends; with forward, answers go
 * to it and no SIO_EV_ACK is posted. */
void io_ack_collect_hooks(io_ack_collect *c, void (*on_end)(void *arg), io_ack_forward_fn forward,
                          void *arg);

/* ---- io_broadcast.c ----------------------------------------------------- */
/* Called with a batch of selected sockets, so that a callee can overlap the
 * memory loads of the whole batch (see io_broadcast.c). */
typedef void (*io_each_fn)(io_socket *const *socks, size_t n, void *arg);
/* Calls fn for every socket the target selects (each once), in batches.
 * Returns the count, or -1 when the target names a single socket that does
 * not exist. */
long io_select(io_server *s, const sio_target *t, io_each_fn fn, void *arg);
int io_emit(io_server *s, const sio_target *t, const char *event, const char *args,
            size_t args_len, sio_attachment *bins, size_t nbins, unsigned flags,
            int timeout_ms, uint64_t req);
/* Delivers a packet another node broadcast (p: EVENT or BINARY_EVENT) to
 * the sockets of this node that t selects; emit_flags: SIO_EMIT_VOLATILE,
 * SIO_EMIT_NO_COMPRESS. */
/* With collect, every recipient owes it an acknowledgement (p->id is set
 * here) and the count of them is returned. */
long io_emit_packet(io_server *s, const sio_target *t, sio_packet *p, unsigned emit_flags,
                    io_ack_collect *collect);
/* serverSideEmit of ["event", ...args] (see sio_server_side_emit). */
int io_server_side_emit(io_server *s, const char *event, const char *args, size_t len,
                        int with_ack, uint64_t req);
int io_join(io_server *s, const sio_target *t, char *const *rooms, size_t n, int leave);
int io_disconnect(io_server *s, const sio_target *t, int close);
int io_fetch_sockets(io_server *s, const sio_target *t, uint64_t req);
/* The JSON array of the sockets t selects, appended to out: as in
 * SIO_EV_SOCKETS, or (node_shape) as the Node adapter answers a remote
 * fetch. 0 or SIO_ENOMEM. */
int io_describe_sockets(io_server *s, const sio_target *t, int node_shape, sbuf *out);

/* ---- io_hooks.c ---------------------------------------------------------- */
/* The Engine.IO layer's callbacks (eio_handler): a refused request
 * (SIO_EV_ERROR, or SIO_EV_CONNECTION_ERROR when asked for), allowRequest
 * (SIO_EV_ALLOW_REQUEST; returns its request id, 0 when it could not be
 * posted), an upgrade (SIO_EV_UPGRADE for each socket of the session). */
void io_hooks_on_error(eio_server *e, const http_request *req, int code, const char *message,
                       const char *context);
uint64_t io_hooks_on_allow_request(eio_server *e, const http_request *req);
void io_hooks_on_upgrade(eio_session *e);
/* sio_request_accept/refuse: 0, or SIO_ENOTFOUND when no request waits
 * under req. headers: "Name: value\r\n" lines or NULL. */
int io_request_accept(io_server *s, uint64_t req, const char *headers);
int io_request_refuse(io_server *s, uint64_t req, const char *message);
/* sio_socket_transport: *name = "polling" or "websocket" (static). 0,
 * SIO_ENOTFOUND or SIO_ECLOSED. */
int io_socket_transport(io_server *s, const char *sid, const char **name);

/* ---- io_handshake.c ----------------------------------------------------- */
/* The handshake object socket.io gives a socket, without "auth". */
char *io_handshake_json(const http_request *req, const char *transport_url);
/* The handshake object with "method" first: what allowRequest and
 * connection_error tell of a request. NULL when out of memory or when its
 * URL cannot be read. */
char *io_request_json(const http_request *req);
/* Appends handshake with ,"auth":auth spliced in before the last brace. */
int io_handshake_with_auth(sbuf *out, const char *handshake, const char *auth);
#endif
