/* The Socket.IO client on the I/O thread, shaped like socket.io-client 4.8:
 * a Manager owns one Engine.IO connection and multiplexes the namespace
 * sockets over it, reconnecting with exponential back-off; each socket
 * joins its namespace, buffers emits while disconnected and keeps the
 * acknowledgements it waits for. Everything here runs on the context's loop
 * thread; the ABI layer reaches it through commands only. */
#ifndef SIO_CLIENT_MANAGER_H
#define SIO_CLIENT_MANAGER_H
#include <stdint.h>

#include "../../eio/eio.h"
#include "../../pump/context.h"
#include <sio/sio.h>
#include "../ack_table.h"
#include "../codec/sio_parser.h"

typedef struct cl_manager cl_manager;
typedef struct cl_socket cl_socket;
typedef struct cl_emit cl_emit;
typedef struct cl_ack cl_ack;

/* socket.io-client's Backoff: min * 2^attempts, moved up or down by a random
 * share (jitter) of itself, capped at max. */
typedef struct cl_backoff {
  uint64_t min_ms, max_ms;
  double jitter;      /* 0..1 */
  unsigned attempts;
} cl_backoff;

/* The Manager's options (copied from the host's sio_options). */
typedef struct cl_config {
  eio_client_options eio;    /* owned strings */
  const sio_parser *parser;
  int reconnection;
  unsigned reconnection_attempts; /* 0: no limit */
  uint64_t reconnection_delay, reconnection_delay_max;
  double randomization_factor;
  uint64_t ack_timeout;      /* 0: none */
  unsigned retries;          /* 0: emits are not queued for retrying */
  size_t max_queued_events;  /* reading stops above it (back-pressure) */
} cl_config;

enum cl_state { CL_CLOSED, CL_OPENING, CL_OPEN };

struct cl_manager {
  struct sio_context *ctx;
  sio_client *handle;        /* the host's handle, put in every event */
  cl_config cfg;
  eio_client *eio;           /* the current connection, or NULL */
  sio_decoder *decoder;      /* for the current connection */
  enum cl_state state;
  int reconnecting;          /* a reconnection timer or attempt is under way */
  int skip_reconnect;        /* the host or the namespaces closed it */
  int closed;                /* sio_client_close: nothing more happens */
  int paused;                /* the host's queue is full: not reading */
  cl_backoff backoff;
  uv_timer_t reconnect_timer;
  ack_table acks;            /* every socket's acknowledgement deadlines */
  int timers_ready;
  /* After cl_manager_finish: what must end before nothing of the manager
   * is left on the loop. */
  int open_timers;           /* timers whose close callback has not run */
  int detached;              /* connections closed whose on_close has not come */
  void (*on_closed)(cl_manager *m);
  cl_socket **sockets;       /* one per namespace ever opened */
  size_t nsockets;
  char *main_nsp;            /* the URL's namespace: manager events name it */
};

/* An emit the socket keeps: waiting in the send buffer while disconnected,
 * or in the retry queue ("retries" option) until acknowledged. */
struct cl_emit {
  cl_emit *next;
  uint64_t req;              /* the host's request id */
  int wants_ack;             /* the host asked for SIO_EV_ACK */
  int no_compress;           /* SIO_EMIT_NO_COMPRESS */
  int timeout_ms;            /* per try; 0: the "ackTimeout" option */
  int64_t ack_id;            /* wire id while buffered with an ack, or -1 */
  char *data;                /* ["event",args...] */
  size_t data_len;
  sio_attachment *bins;
  size_t nbins;
  unsigned tries;            /* retry queue: tries so far */
  int pending;               /* retry queue: a try waits for its ack */
};

/* An acknowledgement the server owes this socket. */
struct cl_ack {
  ack_wait w;                /* first: the ack id, the deadline, the links */
  cl_socket *sock;
  uint64_t req;
  cl_emit *queued;           /* the retry-queue emit this try belongs to */
};

struct cl_socket {
  cl_manager *mgr;
  char *nsp;
  char *auth;                /* JSON object, or NULL */
  char *sid;                 /* while connected */
  char *pid, *offset;        /* connection state recovery */
  int active;                /* joins again whenever the manager opens */
  int connected;
  int64_t next_ack_id;
  cl_emit *buffer, *buffer_tail; /* emits made while disconnected */
  cl_emit *queue, *queue_tail;   /* retry queue */
  ack_list acks;             /* cl_ack, in emit order */
};

/* ---- client_manager.c --------------------------------------------------- */
/* Takes the strings of cfg. The main socket (main_nsp, auth) starts
 * connecting at once. 0, SIO_ENOMEM, or SIO_EINVAL when the transport
 * refuses the URL. */
int cl_manager_start(cl_manager *m, struct sio_context *ctx, sio_client *handle,
                     cl_config *cfg, const char *main_nsp, const char *auth);
/* Opens the connection unless it is open or opening. */
void cl_manager_open(cl_manager *m);
/* Every socket leaves ("io client disconnect") and the connection closes,
 * for good. */
void cl_manager_close(cl_manager *m);
/* The context ends: close and release the loop handles. */
void cl_manager_abort(cl_manager *m);
/* Closes (as cl_manager_close), releases the loop handles and calls
 * on_closed once nothing of m is left on the loop: its timers closed and its
 * last connection's on_close came. At once when that is already so. */
void cl_manager_finish(cl_manager *m, void (*on_closed)(cl_manager *m));
/* After the loop thread ended, or after on_closed. */
void cl_manager_free(cl_manager *m);
/* The host drained its queue: read again (back-pressure). */
void cl_manager_resume(cl_manager *m);
/* A socket left: closes the connection when no socket is active. */
void cl_manager_socket_left(cl_manager *m);
/* 1 while the connection is up, coming up, or will be retried. */
/* Whether a connection lost now would be followed by another attempt
 * (reconnection on, attempts left, not closed by the host): a socket's
 * DISCONNECT or CONNECT_ERROR without it is SIO_EVF_FINAL. */
int cl_manager_will_retry(const cl_manager *m);
int cl_manager_can_deliver(const cl_manager *m);
cl_socket *cl_manager_socket(cl_manager *m, const char *nsp);
/* Encodes p and writes it to the connection. 0 or -1. */
int cl_send_packet(cl_manager *m, const sio_packet *p);
/* Posts an event with the client's handle set (nsp defaults to the main
 * namespace). Reading stops when the host's queue is past
 * max_queued_events, until cl_manager_resume. */
void cl_post(cl_manager *m, ev_rec *r);
/* An SIO_EV_ERROR for request req on namespace nsp. */
void cl_post_error(cl_manager *m, const char *nsp, uint64_t req, int err,
                   const char *message);
void cl_config_free(cl_config *cfg);

/* ---- client_backoff.c --------------------------------------------------- */
void cl_backoff_init(cl_backoff *b, uint64_t min_ms, uint64_t max_ms, double jitter);
/* The next delay; counts an attempt. */
uint64_t cl_backoff_duration(cl_backoff *b);
void cl_backoff_reset(cl_backoff *b);

/* ---- client_socket.c ---------------------------------------------------- */
/* NULL when out of memory. auth may be NULL. */
cl_socket *cl_socket_new(cl_manager *m, const char *nsp, const char *auth);
void cl_socket_free(cl_socket *s);
/* Becomes active (socket.connect()): joins now if the manager is open,
 * opens the manager if it is closed. auth (may be NULL) replaces the
 * socket's auth. */
void cl_socket_activate(cl_socket *s, const char *auth);
/* The manager's connection opened: send CONNECT. */
void cl_socket_on_open(cl_socket *s);
/* The manager's connection ended (or an attempt failed) with reason. */
void cl_socket_on_close(cl_socket *s, const char *reason);
/* A decoded packet for this namespace; p is cleared by the caller. */
void cl_socket_packet(cl_socket *s, sio_packet *p);
/* sio_client_disconnect: leaves the namespace ("io client disconnect"). */
void cl_socket_disconnect(cl_socket *s);
/* Acknowledges a server event. 0, or SIO_EDISCONNECTED when the socket is
 * not connected (the ack would reach a session that no longer waits). */
int cl_socket_ack(cl_socket *s, int64_t ack_id, const char *json, size_t len,
                  const sio_attachment *bins, size_t nbins);

/* ---- client_emit.c ------------------------------------------------------ */
/* Emits event with the arguments args (a JSON array) and bins, all copied;
 * flags are SIO_EMIT_*. What cannot be delivered is reported to the host
 * (SIO_EV_ACK or SIO_EV_ERROR with req). */
void cl_socket_emit(cl_socket *s, uint64_t req, const char *event, const char *args,
                    size_t args_len, const sio_attachment *bins, size_t nbins,
                    unsigned flags, int timeout_ms);
/* After CONNECT: send the buffer, then resume the retry queue. */
void cl_socket_flush(cl_socket *s);
/* The connection dropped: acknowledgements of emits already sent fail
 * (socket.io-client's _clearAcks); buffered ones keep waiting. */
void cl_socket_clear_acks(cl_socket *s);
/* Nothing more can be delivered: every buffered, queued or unanswered emit
 * is reported to the host with err and message. */
void cl_socket_fail_all(cl_socket *s, int err, const char *message);
/* An ACK packet from the server. Takes p's data and bins. */
void cl_socket_on_ack(cl_socket *s, sio_packet *p);
/* The manager's ack table: an acknowledgement's deadline passed. */
void cl_ack_expired(ack_table *t, ack_wait *w);

/* ---- client_json.c ------------------------------------------------------ */
/* Iterates the members of the JSON object s[0..n): *pos starts at 0.
 * Returns 1 with key_at (the key's opening quote) and the value's range
 * set, 0 after the last member, -1 when s is not an object. */
int cl_json_next_member(const char *s, size_t n, size_t *pos, size_t *key_at,
                        size_t *value_at, size_t *value_end);
/* Finds member key of the object s[0..n). 1 with the value's range, 0 when
 * absent or s is not an object. */
int cl_json_member(const char *s, size_t n, const char *key, size_t *value_at,
                   size_t *value_end);
/* The string value of member key, decoded, malloc'ed; NULL when absent,
 * not a string, or out of memory. */
char *cl_json_string_member(const char *s, size_t n, const char *key);
/* The range of the last item of the JSON array s[0..n); 0 when empty. */
int cl_json_last_item(const char *s, size_t n, size_t *at, size_t *end);

/* ---- client_url.c ------------------------------------------------------- */
/* io(url): the path of an http(s)/ws(s) URL as the namespace (*nsp, "/"
 * when none) and its query (*query, NULL when none or empty); both
 * malloc'ed, the caller frees them. 0, SIO_EINVAL (not such a URL, or a
 * bad host or port) or SIO_ENOMEM. */
int cl_url_split(const char *url, char **nsp, char **query);
#endif
