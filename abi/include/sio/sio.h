/*
 * libsio — Socket.IO v5 / Engine.IO v4 server and client in C.
 *
 * The one public header, installed as <sio/sio.h>. Everything the host may
 * use is declared here; every other symbol of the library is hidden.
 *
 * Threads. A context (sio_context) runs its own I/O thread. The host never
 * gets a callback: it drains events with sio_next_event() (or many at once
 * with sio_next_events()) from ONE thread at a time (the "pumping" thread)
 * and may wait on sio_context_fd(). Every command (emit, ack, join, leave,
 * disconnect, ...) may be called from any thread; it is copied, queued, and
 * carried out on the I/O thread in the order of calls.
 *
 * Errors. Functions return 0 (or a positive count) on success and a negative
 * SIO_E* code on failure; sio_last_error() gives a readable message for the
 * last failure on the calling thread. When a call fails, no event will ever
 * come for it.
 *
 * Ownership. Every pointer the host hands in is copied before the call
 * returns. Every pointer inside an event is borrowed: it stays valid until the
 * next sio_next_event() or sio_next_events() call on the same context, or
 * sio_context_free(). The one exception is sio_socket_rooms(), which hands
 * out memory the host releases with sio_free().
 *
 * Compatibility (docs/abi-policy.md). Within major version 1 the ABI only
 * grows: functions, event types, flags, option keys and struct fields are
 * added, never changed or removed. Structs the host fills (sio_target,
 * sio_message) start with their size, set by their _INIT macro, so that a
 * field added later never moves an old caller's. sio_event starts with the
 * size the library filled. A host must ignore event types and flags it does
 * not know; an event that needs an answer is only ever sent to a host that
 * asked for it (a flag or an option), so an old host never hangs.
 */
#ifndef SIO_SIO_H
#define SIO_SIO_H

#ifndef SIO_CDEF
#include <stddef.h>
#include <stdint.h>
#endif

/* Marks the exported functions. The library is built with hidden visibility
 * and SIO_BUILDING defined; for the host it expands to nothing. */
#if defined(SIO_BUILDING) && defined(__GNUC__)
#define SIO_EXTERN __attribute__((visibility("default")))
#else
#define SIO_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define SIO_VERSION_MAJOR 1
#define SIO_VERSION_MINOR 2
#define SIO_VERSION_PATCH 0
/* 0xMMmmpp, comparable with sio_version(). */
#define SIO_VERSION_NUM 0x010200

/* ---------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */
enum sio_error {
  SIO_OK = 0,
  SIO_EINVAL = -1,        /* an argument is NULL, malformed or out of range */
  SIO_ENOMEM = -2,        /* out of memory */
  SIO_ECLOSED = -3,       /* the server, client or context is closed */
  SIO_EBUSY = -4,         /* another thread is pumping this context */
  SIO_ERESERVED = -5,     /* the event name is reserved by Socket.IO */
  SIO_ENOTFOUND = -6,     /* no such socket, request or namespace */
  SIO_ETIMEDOUT = -7,     /* an acknowledgement did not come in time */
  SIO_EDISCONNECTED = -8, /* the socket went away before delivery */
  SIO_EADDRINUSE = -9,    /* the listen address is taken */
  SIO_EIO = -10,          /* a system or network error (see sio_last_error) */
  SIO_EPROTO = -11,       /* the peer broke the protocol */
  SIO_ETOOBIG = -12       /* a payload exceeds a configured limit */
};

/* Static English text for a code; never NULL. */
SIO_EXTERN const char *sio_strerror(int code);

/* Message about the last failed call on this thread; never NULL. Borrowed:
 * valid until the next failing libsio call on this thread. */
SIO_EXTERN const char *sio_last_error(void);

/* ---------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------ */
/* SIO_VERSION_NUM of the loaded library. A host built with this header needs
 * a library of the same major and at least this minor:
 * (sio_version() >> 16) == SIO_VERSION_MAJOR &&
 * (sio_version() >> 8) >= (SIO_VERSION_NUM >> 8). */
SIO_EXTERN unsigned sio_version(void);
/* "1.2.0"; static. */
SIO_EXTERN const char *sio_version_string(void);

/* Releases memory the library handed out (see sio_socket_rooms). Accepts
 * NULL. */
SIO_EXTERN void sio_free(void *p);

/* ---------------------------------------------------------------------------
 * Handles (opaque)
 * ------------------------------------------------------------------------ */
typedef struct sio_context sio_context;
typedef struct sio_options sio_options;
typedef struct sio_server sio_server;
typedef struct sio_client sio_client;

/* A borrowed byte range (a binary attachment). Frozen, like struct iovec:
 * arrays of it are only reached through sio_message, whose size fixes the
 * layout of what it points to. */
typedef struct sio_buf {
  const void *data;
  size_t len;
} sio_buf;

/* ---------------------------------------------------------------------------
 * Context: the I/O thread, the event queue and the pump
 * ------------------------------------------------------------------------ */
/* Starts the I/O thread. *out belongs to the caller: sio_context_free(). */
SIO_EXTERN int sio_context_new(sio_context **out);

/* Closes every server and client of the context, stops the I/O thread and
 * frees everything, including the sio_server and sio_client handles created
 * on it that were not freed yet. Accepts NULL. Must not run concurrently
 * with other calls on ctx. */
SIO_EXTERN void sio_context_free(sio_context *ctx);

/* A file descriptor that is readable while events are pending. Owned by the
 * context: do not read, write or close it. Valid until sio_context_free(). */
SIO_EXTERN int sio_context_fd(const sio_context *ctx);

/* Makes a sio_next_event() that is waiting return 0 early. Any thread. */
SIO_EXTERN int sio_context_wakeup(sio_context *ctx);

/* Event types, in ranges: 1-31 both roles, 32-63 server, 64-95 client, 96
 * and up for later additions. A host ignores a type it does not know. */
enum sio_event_type {
  SIO_EV_NONE = 0,

  /* ---- both roles ---- */
  /* An event from the peer. nsp, sid, name, data = JSON array of the
   * arguments with {"_placeholder":true,"num":N} for binary values, bins =
   * the attachments. ack_id >= 0 when the peer waits for an acknowledgement:
   * answer with sio_ack() (server) or sio_client_ack(). */
  SIO_EV_EVENT = 1,
  /* An acknowledgement for an emit made with SIO_EMIT_ACK. req = the request
   * id that emit returned; sid; data = JSON array of the arguments (for a
   * broadcast, flags has SIO_EVF_BROADCAST and data is a JSON array of each
   * client's first argument), bins. err = 0, or SIO_ETIMEDOUT ("operation
   * has timed out"; a broadcast then still carries the responses that
   * came), or SIO_EDISCONNECTED. reason = the message when err != 0. */
  SIO_EV_ACK = 2,
  /* A socket left its namespace. nsp, sid, reason.
   * Server reasons (as socket.io): "server namespace disconnect", "client
   * namespace disconnect", "server shutting down", "ping timeout",
   * "transport close", "transport error", "parse error", "forced close",
   * "forced server close".
   * Client reasons (as socket.io-client): "io server disconnect" (the
   * server left the socket: no reconnection for that namespace), "io client
   * disconnect" (sio_client_disconnect or sio_client_close), "ping timeout",
   * "transport close", "transport error", "parse error". On the client,
   * flags has SIO_EVF_FINAL when the socket will not join again by itself
   * (only sio_client_socket() brings it back). */
  SIO_EV_DISCONNECT = 3,
  /* An asynchronous failure of a command (req = the request id the command
   * handed back), or a server-level error (req = 0; data =
   * {"code":N,"message":"..."} for rejected HTTP requests). err, reason. */
  SIO_EV_ERROR = 4,
  /* The context could not queue some events since the last such event:
   * count = how many (server and client are NULL). An event is lost when
   * memory runs out (an emit's failure or an acknowledgement that could not
   * be reported is among them), or when the host has left
   * "maxQueuedEvents" events unread and more keep coming while reading is
   * paused (timers, disconnects, the host's own requests): past twice
   * maxQueuedEvents, and at least maxQueuedEvents + 65536, each further one
   * is dropped and counted here. Comes first in the batch of the next
   * pump. */
  SIO_EV_EVENTS_LOST = 5,

  /* ---- server ---- */
  /* A socket joined a namespace. nsp, sid, data = handshake JSON
   * {"headers","time","address","xdomain","secure","issued","url","query",
   * "auth"}. flags has SIO_EVF_RECOVERED when connection state recovery
   * restored a socket that had left for a transport failure: same sid and
   * rooms, and the events it missed were sent to it before. See the
   * "connectionStateRecovery.maxDisconnectionDuration" (ms, 120000 once
   * either key is set; unset: off) and "connectionStateRecovery.
   * skipMiddlewares" ("true") options in the options section of sio.h, with
   * the memory bounds: packets kept for that long, at most 100000 and
   * 64 MiB; at most 100000 sessions; more than 10000 missed: not restored. */
  SIO_EV_CONNECTION = 32,
  /* A client asks to join a namespace that has middleware (see
   * SIO_NS_MIDDLEWARE). req, nsp, sid (the id it will get), data = handshake
   * JSON. flags has SIO_EVF_NEW_NAMESPACE when the namespace does not exist
   * yet (dynamic namespaces), SIO_EVF_RECOVERED when accepting restores a
   * socket that had left (sid is its former id). Answer with
   * sio_connect_accept() or sio_connect_refuse(). */
  SIO_EV_CONNECT_REQUEST = 33,
  /* A socket is leaving; its rooms are still joined. nsp, sid, reason,
   * data = JSON array of its rooms. */
  SIO_EV_DISCONNECTING = 34,
  /* The answer to sio_fetch_sockets(). req, data = JSON array of
   * {"id","nsp","rooms","handshake","data"}, data being the socket's
   * sio_socket_set_data() value ({} when never set; "data" since 1.2). With
   * an "adapter", other nodes' sockets also have "remote":true, and "data"
   * as their node gave it (socket.data of a Node node). */
  SIO_EV_SOCKETS = 35,
  /* sio_server_close() has finished. */
  SIO_EV_SERVER_CLOSED = 36,

  /* ---- client ---- */
  /* Connected to a namespace. nsp, sid (flags has SIO_EVF_RECOVERED when
   * the server restored the session's state: same sid, and the events
   * missed meanwhile follow). Emits buffered while disconnected have been
   * sent, in order, when this arrives. */
  SIO_EV_CONNECT = 64,
  /* The namespace was not joined. nsp, reason = message, data = JSON of the
   * server's data or NULL. Either the server refused it (flags has
   * SIO_EVF_FINAL: the socket stays out until sio_client_socket() asks
   * again), or a connection attempt failed (reason "timeout", "xhr poll
   * error", "websocket error", a TLS error...) or the connection dropped
   * before the namespace answered: reconnection goes on as configured, and
   * SIO_EVF_FINAL says when it will not. */
  SIO_EV_CONNECT_ERROR = 65,
  /* A reconnection attempt starts: attempt = 1, 2, ... The client's
   * SIO_EV_RECONNECT* events carry the namespace of the URL given to
   * sio_client_new() (sio_client_nsp()). */
  SIO_EV_RECONNECT_ATTEMPT = 66,
  /* Reconnected at attempt; each namespace then gets its own
   * SIO_EV_CONNECT. */
  SIO_EV_RECONNECT = 67,
  /* Gave up reconnecting ("reconnectionAttempts"). Emits still waiting are
   * reported (SIO_EDISCONNECTED) and later ones fail the same way, until
   * sio_client_socket() opens the connection again. */
  SIO_EV_RECONNECT_FAILED = 68,
  /* Reconnection attempt `attempt` failed; reason = why (as in the
   * SIO_EV_CONNECT_ERROR each waiting namespace got). As in
   * socket.io-client, it comes after the next attempt is scheduled, so
   * after the last attempt it follows SIO_EV_RECONNECT_FAILED. */
  SIO_EV_RECONNECT_ERROR = 69,

  /* ---- server, since 1.1 ---- */
  /* engine.io's allowRequest, only with the server option "allowRequest":
   * a new Engine.IO connection asks to open (a handshake, or a WebSocket
   * opened without one). req, data = the request as JSON
   * {"method","headers","time","address","xdomain","secure","issued","url",
   * "query"} (the handshake object plus "method"). Answer with
   * sio_request_accept() or sio_request_refuse(); a request left
   * unanswered for connectTimeout is refused as Forbidden. */
  SIO_EV_ALLOW_REQUEST = 96,
  /* A socket's connection moved to WebSocket (socket.conn's "upgrade").
   * nsp, sid, name = "websocket". Each socket of the connection gets one. */
  SIO_EV_UPGRADE = 97,
  /* engine.io's "connection_error", only with the server option
   * "connectionErrorEvents" (it then stands for the SIO_EV_ERROR with
   * req = 0 a refused request gives otherwise). err = SIO_EPROTO, reason =
   * message, data = {"code":N,"message":"...","context":{...},"req":{...}}
   * with code and message as in the HTTP error, context as engine.io
   * gives it, and req as in SIO_EV_ALLOW_REQUEST (left out when the URL
   * cannot be read). */
  SIO_EV_CONNECTION_ERROR = 98,

  /* ---- server with an "adapter", since 1.1 ---- */
  /* serverSideEmit from another node (Node's io.on("name") on the server).
   * nsp, name, data = JSON array of the arguments (JSON values only: the
   * Node adapter sends these requests as JSON). ack_id >= 0 when the sender
   * waits (serverSideEmitWithAck): answer with sio_server_side_ack() within
   * its adapter.requestsTimeout; only the first argument is sent back. */
  SIO_EV_SERVER_SIDE_EVENT = 100,
  /* The adapter lost its Redis connection (or never got it): err = SIO_EIO,
   * reason = what failed. Local traffic goes on; broadcasts made meanwhile
   * reach this node's sockets only, and each is reported by SIO_EV_ERROR
   * with its request id; it reconnects by itself (back-off of 50 ms per
   * attempt, at most 500 ms, as node-redis). */
  SIO_EV_ADAPTER_DOWN = 101,
  /* The adapter is connected and subscribed again (and the first time). */
  SIO_EV_ADAPTER_UP = 102
};

/* Event flags. A host ignores the ones it does not know. */
#define SIO_EVF_NEW_NAMESPACE 0x1u /* CONNECT_REQUEST for an unknown namespace */
#define SIO_EVF_BROADCAST 0x2u     /* ACK collects several clients */
#define SIO_EVF_RECOVERED 0x4u     /* CONNECTION/CONNECT restored its state */
#define SIO_EVF_FINAL 0x8u         /* client DISCONNECT/CONNECT_ERROR: no further attempt */

/* One event. Owned by the context; every pointer in it is borrowed until the
 * next sio_next_event() or sio_next_events() on the same context. Fields are
 * only ever appended: a field exists when its offset is below size. Never
 * allocate this struct yourself. Unused pointers are NULL. */
typedef struct sio_event {
  size_t size;           /* sizeof(sio_event) of the library that filled it */
  int type;              /* enum sio_event_type */
  unsigned flags;        /* SIO_EVF_* */
  uint64_t req;          /* request id of the command this answers, or 0 */
  sio_server *server;    /* the server it belongs to, or NULL */
  sio_client *client;    /* the client it belongs to, or NULL */
  void *user;            /* the server's or client's sio_*_set_user() value */
  void *socket_user;     /* server: the socket's sio_socket_set_user() value */
  const char *nsp;       /* namespace, e.g. "/" */
  const char *sid;       /* Socket.IO socket id (20 characters) */
  const char *name;      /* event name (SIO_EV_EVENT); a number as the name comes as JavaScript writes it ("42") */
  const char *data;      /* JSON text, NUL-terminated, data_len bytes */
  size_t data_len;
  const sio_buf *bins;   /* binary attachments, nbins of them */
  size_t nbins;
  int64_t ack_id;        /* SIO_EV_EVENT: >= 0 when the peer waits for an ack; else -1 */
  int err;               /* 0 or SIO_E* */
  const char *reason;    /* disconnect reason or error message */
  unsigned attempt;      /* SIO_EV_RECONNECT*: the attempt number */
  uint64_t count;        /* SIO_EV_EVENTS_LOST: how many */
} sio_event;

/* The pump. Waits up to timeout_ms (0: do not wait, -1: forever) for an
 * event. Returns 1 and sets *out when there is one, 0 when the wait ended
 * without one, or a negative code (SIO_EBUSY when another thread is pumping
 * the same context). *out is valid until the next call on this context. */
SIO_EXTERN int sio_next_event(sio_context *ctx, int timeout_ms, const sio_event **out);

/* The pump, many events at a time: waits as sio_next_event() does, then
 * takes up to max (>= 1) events at once, in order, into out[0..n). Returns n
 * (0 when the wait ended without one) or a negative code. Every event taken
 * is valid until the next sio_next_event() or sio_next_events() call on this
 * context: one call and one lock per batch instead of per event. */
SIO_EXTERN int sio_next_events(sio_context *ctx, int timeout_ms, const sio_event **out,
                               size_t max);

/* ---------------------------------------------------------------------------
 * Options: an opaque builder with string keys and values, named as the
 * official JavaScript options are. Server keys and client keys are separate
 * tables: sio_server_new() refuses a client key and sio_client_new() a
 * server key, naming it.
 *
 * Server keys: "host" (default "0.0.0.0"), "port" (default 3000; 0 picks a
 * free port), "path" ("/socket.io/"), "pingInterval" (25000),
 * "pingTimeout" (20000), "connectTimeout" (45000), "upgradeTimeout" (10000),
 * "maxHttpBufferSize" (1000000), "transports" ("polling,websocket"),
 * "allowUpgrades" ("true"), "cors.origin" (unset: no CORS headers; "*" or a
 * comma-separated list), "cors.credentials" ("false"), "serveClient" (path
 * of socket.io-client's dist/ folder), "staticDir" (a folder served for other
 * paths), "parser" ("json" or "msgpack"), "maxQueuedEvents" (65536),
 * "headersTimeout" (60000) and "requestTimeout" (300000): Node's http
 * server options, ms from the start of a request until its headers, or the
 * whole request, are in; past them it gets 408 and the connection closes
 * (0: no limit).
 * Since 1.1: "adapter" (unset: one node; "redis://host:port[/db]": join the
 * cluster of @socket.io/redis-adapter 8 nodes, Node.js or libsio, on that
 * Redis; since 1.2 "redis://[user]:password@host..." authenticates, as
 * node-redis, and rediss:// is refused: no TLS to Redis), "adapter.key" ("socket.io", the channels' prefix) and
 * "adapter.requestsTimeout" (5000 ms, how long cluster requests wait).
 * Since 1.2: "adapter.sharded" ("false"; "true": the protocol of the
 * package's createShardedAdapter, Redis 7 sharded pub/sub) and
 * "adapter.subscriptionMode" ("dynamic", "static" or "dynamic-private", its
 * subscriptionMode; anything else: SIO_EINVAL).
 * "allowEIO3" ("false"): serve Engine.IO v3 clients (socket.io-client 2.x)
 * as engine.io and socket.io 4 do: the v3 framing, the client pinging, "/"
 * joined without a CONNECT, a namespace's query as its auth; without it
 * they get HTTP 400 {"code":5,"message":"Unsupported protocol version"}.
 * Since 1.1: "allowRequest" ("false"; "true": every new connection waits
 * for the host, see SIO_EV_ALLOW_REQUEST), "connectionErrorEvents"
 * ("false"; see SIO_EV_CONNECTION_ERROR), "headers.initial" and "headers"
 * (JSON objects of header names to string values, added to the handshake's
 * response, and to every polling response and WebSocket handshake:
 * engine.io's "initial_headers" and "headers" events), "cookie" (unset: no
 * cookie; a name: the handshake's polling response sets NAME=<Engine.IO
 * sid>, as engine.io's cookie option), "cookie.path" ("/"; "" leaves it
 * out), "cookie.httpOnly" ("true"), "cookie.sameSite" ("lax"; "strict",
 * "none" or "false" to leave it out).
 *
 * Connection state recovery (socket.io's connectionStateRecovery), server
 * keys: "connectionStateRecovery.maxDisconnectionDuration" (ms; setting
 * either key turns recovery on, with 120000 by default; 0 or unset: off) and
 * "connectionStateRecovery.skipMiddlewares" ("true"). The CONNECT answer
 * then carries a private id, and every event emitted without SIO_EMIT_ACK
 * and not volatile carries its offset (a string) as last argument. A socket
 * that leaves for a transport failure ("transport close", "transport
 * error", "ping timeout", "forced close", "forced server close") is kept
 * for that long; its client, coming back with its private id and last
 * offset, gets the same sid, its rooms and the events it missed (sent
 * before the CONNECT answer, as socket.io does), and the host an
 * SIO_EV_CONNECTION with SIO_EVF_RECOVERED (namespaces with middleware get
 * the SIO_EV_CONNECT_REQUEST, with that flag, only when skipMiddlewares is
 * "false"). The host's tag (sio_socket_set_user) is not kept across: the
 * host had its SIO_EV_DISCONNECT (the Python and Lua bindings keep
 * socket.data themselves, as socket.io restores it). Memory is bounded: the
 * emitted packets are kept (their encoded bytes shared with the recipients)
 * for maxDisconnectionDuration, at most 100000 of them and 64 MiB, the
 * oldest dropped first; at most 100000 sessions (the oldest dropped first);
 * a session that missed more than 10000 messages is not recovered.
 *
 * Since 1.1, compression as engine.io has it: "perMessageDeflate" ("false";
 * setting "perMessageDeflate.threshold" turns it on too) negotiates
 * permessage-deflate (RFC 7692) with WebSocket clients, always with
 * server_no_context_takeover and client_no_context_takeover, so a
 * connection keeps no compression state and a broadcast is deflated once;
 * messages of "perMessageDeflate.threshold" (1024) bytes or more go
 * deflated, a client's compressed message inflates to at most
 * "maxHttpBufferSize" (past it the connection closes with 1009).
 * "httpCompression" ("true") gzips or deflates, as the request's
 * Accept-Encoding prefers, long-polling responses of
 * "httpCompression.threshold" (1024) bytes or more. SIO_EMIT_NO_COMPRESS
 * leaves an emit out of both.
 *
 * Client keys: "path" ("/socket.io/"), "transports" ("polling,websocket":
 * start on polling and upgrade; "websocket" alone connects with a WebSocket
 * directly), "upgrade" ("true"), "query" (URL-encoded pairs added to every
 * request), "extraHeaders" (JSON object of header names to values),
 * "timeout" (20000: ms for each connection attempt), "reconnection"
 * ("true"), "reconnectionAttempts" (0: no limit), "reconnectionDelay"
 * (1000), "reconnectionDelayMax" (5000), "randomizationFactor" ("0.5"),
 * "ackTimeout" (0: none; with "retries"), "retries" (0), "parser" ("json"
 * or "msgpack"), "tls.ca" (a PEM file of trusted certificates; default: the
 * system's), "tls.verify" ("true": certificate and host name are checked),
 * "maxQueuedEvents" (65536: past it the client stops reading from the
 * server until the host has drained half of its event queue, as the server
 * does).
 *
 * Since 1.1 the client also takes "perMessageDeflate" ("true", as
 * engine.io-client in Node.js: WebSocket upgrades offer permessage-deflate
 * and, when the server accepts, messages of "perMessageDeflate.threshold"
 * (1024) bytes or more go deflated, SIO_EMIT_NO_COMPRESS ones excepted;
 * what the server sends compressed inflates to at most 100 MiB).
 * ------------------------------------------------------------------------ */
/* *out belongs to the caller: sio_options_free(). */
SIO_EXTERN int sio_options_new(sio_options **out);
/* Accepts NULL. */
SIO_EXTERN void sio_options_free(sio_options *opts);
/* Copies key and value. SIO_EINVAL for a key of neither table or a bad
 * value. */
SIO_EXTERN int sio_options_set(sio_options *opts, const char *key, const char *value);

/* ---------------------------------------------------------------------------
 * Messages: what an emit or an acknowledgement carries
 * ------------------------------------------------------------------------ */
/* Emit flags. Unknown bits are refused with SIO_EINVAL, so a host can tell
 * that its library lacks a feature. */
#define SIO_EMIT_ACK 0x1u      /* wait for acknowledgements (SIO_EV_ACK) */
#define SIO_EMIT_VOLATILE 0x2u /* drop for clients that are not ready */
/* Since 1.1: sent uncompressed, as socket.io's compress(false): no
 * permessage-deflate for this emit's messages, and a polling response made
 * only of such messages is not gzipped (options "perMessageDeflate" and
 * "httpCompression"). */
#define SIO_EMIT_NO_COMPRESS 0x4u

/* Filled by the host; start from SIO_MESSAGE_INIT so that size is set and
 * every other field is zero. */
typedef struct sio_message {
  size_t size;           /* sizeof(sio_message), set by SIO_MESSAGE_INIT */
  const char *event;     /* the event name (emits); NULL for acknowledgements */
  const char *args_json; /* a JSON array of the arguments, or NULL for none;
                          * binary values as {"_placeholder":true,"num":N},
                          * N indexing bins */
  size_t args_len;       /* bytes of args_json */
  const sio_buf *bins;   /* attachments (at most 10), nbins of them */
  size_t nbins;
  unsigned flags;        /* SIO_EMIT_* (emits only) */
  int timeout_ms;        /* > 0 bounds the wait for acknowledgements (emits only) */
} sio_message;
#define SIO_MESSAGE_INIT {sizeof(sio_message), NULL, NULL, 0, NULL, 0, 0u, 0}

/* ---------------------------------------------------------------------------
 * Server
 * ------------------------------------------------------------------------ */
/* Creates a server on ctx and starts listening before it returns (so a taken
 * port fails here with SIO_EADDRINUSE). opts may be NULL for the defaults and
 * is not kept. *out stays valid until sio_server_free() or
 * sio_context_free(), even after sio_server_close(). The main namespace "/"
 * exists from the start.
 *
 * Where it listens: "host" is an IPv4 or IPv6 address ("::" takes IPv4
 * clients too) or a name, resolved when the server starts ("localhost"; the
 * first address is taken, as Node does). "reusePort" ("false") sets
 * SO_REUSEPORT, so that another process (a second worker, or the next one
 * during a reload) can listen on the same port at the same time; every
 * process must ask for it. A failure to listen is reported in Node's words:
 * SIO_EADDRINUSE with "listen EADDRINUSE: address already in use
 * 127.0.0.1:3000", SIO_EIO with "getaddrinfo ENOTFOUND no.such.host" or
 * "listen EACCES: permission denied 0.0.0.0:80".
 *
 * HTTPS and WSS: "tls.cert" (a PEM file: the certificate, then any
 * intermediate certificates of its chain) and "tls.key" (a PEM file: its
 * private key), both or neither. They are loaded here: a file that does not
 * load, or a key that does not match the certificate, fails with SIO_EINVAL
 * and the reason ("tls.cert: cannot load cert.pem: ..."). Every connection
 * is then TLS (1.2 or later), and the handshake JSON says "secure":true. A
 * peer that does not speak TLS, or stalls in the TLS handshake (past
 * "headersTimeout"), is closed.
 *
 * Several nodes (docs/multi-node.md): "adapter" joins the cluster of
 * @socket.io/redis-adapter nodes on that Redis. Since 1.2,
 * "adapter.sharded" = "true" speaks the protocol of its
 * createShardedAdapter (Redis 7 sharded pub/sub) and
 * "adapter.subscriptionMode" is its subscriptionMode: "dynamic" (the
 * default: each room but the sockets' own ids has a channel of its own),
 * "static" (none has) or "dynamic-private" (every room has); another value
 * fails here with SIO_EINVAL. */
SIO_EXTERN int sio_server_new(sio_context *ctx, const sio_options *opts,
                              sio_server **out);

/* The TCP port the server listens on (useful with "port" = "0"). */
SIO_EXTERN int sio_server_port(const sio_server *srv);

/* Disconnects every socket with "server shutting down", closes the listener
 * and every connection; SIO_EV_SERVER_CLOSED follows. Later commands on srv
 * fail with SIO_ECLOSED. */
SIO_EXTERN int sio_server_close(sio_server *srv);

/* Releases srv, closing it first if it is open (as sio_server_close, but no
 * SIO_EV_SERVER_CLOSED comes). From this call on no event of srv is handed
 * out (those still queued are dropped) and srv must not be used; its memory
 * goes back once the I/O thread is done with it, while the host pumps.
 * Accepts NULL. Not twice. */
SIO_EXTERN void sio_server_free(sio_server *srv);

/* A value of the host's, handed back as ev->user in every event of srv
 * taken after this call (NULL until set). Any thread. */
SIO_EXTERN int sio_server_set_user(sio_server *srv, void *user);

/* Namespace flags. Unknown bits are refused with SIO_EINVAL. */
#define SIO_NS_MIDDLEWARE 0x1u /* connections wait for sio_connect_accept() */

/* Declares a namespace (io.of). name starts with "/"; "*" stands for every
 * namespace not declared otherwise (dynamic namespaces: with
 * SIO_NS_MIDDLEWARE the host decides for each name). Calling it again
 * updates the flags. */
SIO_EXTERN int sio_server_of(sio_server *srv, const char *name, unsigned flags);

/* Answers a SIO_EV_CONNECT_REQUEST. */
SIO_EXTERN int sio_connect_accept(sio_server *srv, uint64_t req);
/* Refuses it: the client gets CONNECT_ERROR {"message":message,"data":data}.
 * data_json may be NULL. */
SIO_EXTERN int sio_connect_refuse(sio_server *srv, uint64_t req, const char *message,
                                  const char *data_json);

/* Answers a SIO_EV_ALLOW_REQUEST: the connection opens. headers_json (may
 * be NULL) is a JSON object of header names to string values added to the
 * handshake's response (engine.io's "initial_headers"), e.g.
 * {"Set-Cookie":"node=3"} for sticky sessions. Since 1.1. */
SIO_EXTERN int sio_request_accept(sio_server *srv, uint64_t req, const char *headers_json);
/* Refuses it as engine.io does: HTTP 403 {"code":4,"message":message}
 * (message NULL: "Forbidden"), or for a WebSocket a plain 400 with message
 * as its body. A request that is gone (answered, timed out, its client
 * left) gives SIO_EV_ERROR SIO_ENOTFOUND with req. Since 1.1. */
SIO_EXTERN int sio_request_refuse(sio_server *srv, uint64_t req, const char *message);

/* The transport socket sid's connection uses now, once every command
 * issued before this call has run: *name_out = "polling" or "websocket"
 * (static strings). Waits for the I/O thread, as sio_socket_rooms() does.
 * SIO_ENOTFOUND when the socket is gone. Since 1.1. */
SIO_EXTERN int sio_socket_transport(sio_server *srv, const char *sid, const char **name_out);

/* A value of the host's for socket sid, handed back as ev->socket_user in
 * the socket's events taken after this call, until its SIO_EV_DISCONNECT
 * (which still carries it). Call it between the socket's SIO_EV_CONNECTION
 * and SIO_EV_DISCONNECT; NULL removes it. Any thread. */
SIO_EXTERN int sio_socket_set_user(sio_server *srv, const char *sid, void *user);

/* The rooms socket sid is in, once every command issued before this call
 * has run: *json_out = a JSON array of room names, the socket's own id
 * first. Waits for the I/O thread. *json_out belongs to the caller:
 * sio_free(). SIO_ENOTFOUND when the socket is gone. */
SIO_EXTERN int sio_socket_rooms(sio_server *srv, const char *sid, char **json_out);

/* socket.data: the JSON value json (copied before the call returns; NULL
 * means null) becomes socket sid's data, which sio_fetch_sockets() lists
 * ("data" of SIO_EV_SOCKETS), other nodes of the cluster get in their
 * fetchSockets() (a Node node's RemoteSocket.data), and connection state
 * recovery gives back to a restored socket, as socket.io does. A socket
 * starts with {}. A command like sio_emit: any thread, run in the order of
 * calls. SIO_EINVAL when json is not one JSON value, SIO_ETOOBIG when it is
 * longer than the server's "maxHttpBufferSize" (Node sends socket.data to
 * other nodes in one message). A sid that is gone (or not connected yet)
 * is ignored, with no event: the data of a socket that left matters to no
 * one, and the host may learn of the leaving only after the call. Since
 * 1.2. */
SIO_EXTERN int sio_socket_set_data(sio_server *srv, const char *sid, const char *json);

/* Who an operation applies to: io.of(nsp).to(rooms).except(except), or one
 * socket (sid, and then no rooms: SIO_EINVAL). A socket's id is also a room
 * holding just that socket. NULL for a target means the whole namespace
 * "/". Start from SIO_TARGET_INIT. */
typedef struct sio_target {
  size_t size;                /* sizeof(sio_target), set by SIO_TARGET_INIT */
  const char *nsp;            /* namespace; NULL means "/" */
  const char *sid;            /* one socket (fails if it is gone), or NULL */
  const char *const *rooms;   /* NULL/0: the whole namespace */
  size_t nrooms;
  const char *const *except;  /* rooms whose sockets are left out */
  size_t nexcept;
  unsigned flags;             /* SIO_TARGET_*; since 1.1 (0 from older hosts) */
} sio_target;
#define SIO_TARGET_INIT {sizeof(sio_target), NULL, NULL, NULL, 0, NULL, 0, 0}
/* Target flags. Unknown bits are refused with SIO_EINVAL. */
#define SIO_TARGET_LOCAL 0x1u /* io.local: this node only, even with an "adapter" */

/* Emits msg->event with msg's arguments to the target. With SIO_EMIT_ACK,
 * the SIO_EV_ACK carries the request id; msg->timeout_ms > 0 bounds the wait
 * (required for broadcasts), 0 waits until the socket disconnects.
 * *req_out (may be NULL) receives the request id that the SIO_EV_ACK, or an
 * SIO_EV_ERROR about this emit, will carry. Fails with SIO_ERESERVED for a
 * reserved event name, SIO_EINVAL for bad JSON, placeholders or flags,
 * SIO_ECLOSED after sio_server_close(). An emit to a sid that is gone is
 * reported as SIO_EV_ERROR (SIO_ENOTFOUND) with the request id. */
SIO_EXTERN int sio_emit(sio_server *srv, const sio_target *to, const sio_message *msg,
                        uint64_t *req_out);

/* Acknowledges a SIO_EV_EVENT of socket sid whose ack_id >= 0, with msg's
 * arguments (msg->event NULL, no flags, no timeout; msg NULL: no
 * arguments). *req_out (may be NULL) receives the request id an
 * SIO_EV_ERROR will carry when the socket is gone. */
SIO_EXTERN int sio_ack(sio_server *srv, const char *sid, int64_t ack_id,
                       const sio_message *msg, uint64_t *req_out);

/* socketsJoin / socketsLeave: the selected sockets join or leave rooms.
 * *req_out (may be NULL) receives the request id an SIO_EV_ERROR will carry
 * (a selection of one sid that is gone: SIO_ENOTFOUND). */
SIO_EXTERN int sio_join(sio_server *srv, const sio_target *to, const char *const *rooms,
                        size_t nrooms, uint64_t *req_out);
SIO_EXTERN int sio_leave(sio_server *srv, const sio_target *to, const char *const *rooms,
                         size_t nrooms, uint64_t *req_out);

/* Disconnect flags. Unknown bits are refused with SIO_EINVAL. */
#define SIO_DISCONNECT_CLOSE 0x1u /* close the underlying connections too */

/* disconnectSockets: the selected sockets leave their namespace ("server
 * namespace disconnect"); with SIO_DISCONNECT_CLOSE every namespace of
 * their connections is left the same way and the connections close.
 * *req_out as for sio_join. */
SIO_EXTERN int sio_disconnect(sio_server *srv, const sio_target *to, unsigned flags,
                              uint64_t *req_out);

/* fetchSockets: answered by SIO_EV_SOCKETS with the request id put in
 * *req_out (required: the answer is only found by it). */
SIO_EXTERN int sio_fetch_sockets(sio_server *srv, const sio_target *to,
                                 uint64_t *req_out);

/* serverSideEmit (namespace "/"): msg->event with msg's arguments (JSON
 * values only: attachments are refused with SIO_EINVAL) to every other node
 * of the cluster, which gets it as SIO_EV_SERVER_SIDE_EVENT. With
 * SIO_EMIT_ACK in msg->flags (serverSideEmitWithAck), one SIO_EV_ACK with
 * the request id put in *req_out, flags SIO_EVF_BROADCAST, data = JSON
 * array of every other node's answer; err SIO_ETIMEDOUT, reason "timeout
 * reached: only N responses received out of M", when some did not answer
 * within "adapter.requestsTimeout" (data then holds those that came).
 * Without an "adapter" it reaches nobody, and an ack is answered at once
 * with [] (the Node adapter with no other node answers so; Node's
 * in-memory adapter only logs a warning and never answers). Since 1.1. */
SIO_EXTERN int sio_server_side_emit(sio_server *srv, const sio_message *msg, uint64_t *req_out);

/* Answers a SIO_EV_SERVER_SIDE_EVENT whose ack_id >= 0: the first of msg's
 * arguments goes back (msg NULL: null). An ack_id unknown or past its
 * timeout is reported by SIO_EV_ERROR (SIO_ENOTFOUND) with the request id
 * put in *req_out. Since 1.1. */
SIO_EXTERN int sio_server_side_ack(sio_server *srv, uint64_t ack_id, const sio_message *msg,
                                   uint64_t *req_out);

/* ---------------------------------------------------------------------------
 * Client (socket.io-client's Manager and its sockets)
 *
 * Reconnection follows socket.io-client: after a connection is lost (not
 * after "io server disconnect" or sio_client_close) the client waits
 * reconnectionDelay * 2^n ms, moved by up to randomizationFactor of itself
 * either way and capped at reconnectionDelayMax, before attempt n + 1.
 *
 * Nothing the host emits is lost silently: an emit that cannot be
 * delivered (the client closed, the namespace was left or refused,
 * reconnection gave up) is answered by SIO_EV_ACK with err
 * SIO_EDISCONNECTED when it asked for one, else by SIO_EV_ERROR with its
 * request id. An acknowledgement still awaited when the connection drops
 * fails the same way ("socket has been disconnected"), as in
 * socket.io-client; emits still in the buffer keep waiting.
 *
 * With connection state recovery on the server, each event's last argument
 * is the offset string the server appended (socket.io-client hands it to
 * listeners the same way); the client sends the latest one back when it
 * reconnects.
 * ------------------------------------------------------------------------ */
/* Creates a client for url ("http://", "https://", "ws://" or "wss://"; its
 * path, if any, names the namespace the first socket opens, as io(url)
 * does: see sio_client_nsp()) and starts connecting: the main socket's
 * namespace is joined with auth_json (an object, or NULL). Events follow on
 * the context's queue (SIO_EV_CONNECT, SIO_EV_CONNECT_ERROR, ...), each
 * with ev->client set. opts may be NULL and is not kept. *out stays valid
 * until sio_client_free() or sio_context_free(), even after
 * sio_client_close(). */
SIO_EXTERN int sio_client_new(sio_context *ctx, const char *url, const sio_options *opts,
                              const char *auth_json, sio_client **out);

/* The namespace of the main socket, taken from the URL's path as
 * socket.io-client does ("/" when the URL has none). Owned by cli: valid
 * until sio_client_free() or sio_context_free(). NULL when cli is NULL. */
SIO_EXTERN const char *sio_client_nsp(const sio_client *cli);

/* A value of the host's, handed back as ev->user in every event of cli
 * taken after this call (NULL until set). Any thread. */
SIO_EXTERN int sio_client_set_user(sio_client *cli, void *user);

/* Opens another namespace over the same connection (io(url + nsp) with the
 * same Manager). auth_json may be NULL. For a namespace that was left or
 * refused, joins it again (with auth_json when given, else the previous
 * auth), and reopens the connection if no namespace was holding it. */
SIO_EXTERN int sio_client_socket(sio_client *cli, const char *nsp, const char *auth_json);

/* Emits on the client's socket of namespace nsp (NULL means "/"). Message
 * rules as sio_emit. Emits made while disconnected are buffered and sent on
 * (re)connection, in order, except SIO_EMIT_VOLATILE ones, which are
 * dropped (with SIO_EMIT_ACK: SIO_EV_ACK with SIO_EDISCONNECTED). *req_out
 * (may be NULL) receives the request id that the SIO_EV_ACK, or an
 * SIO_EV_ERROR about this emit, will carry. msg->timeout_ms > 0 bounds the
 * wait for the acknowledgement (0: the "ackTimeout" option); SIO_ETIMEDOUT
 * then. With "retries" > 0, non-volatile emits go out one at a time, each
 * sent again when its acknowledgement does not come within the timeout,
 * until "retries" more tries failed (at-least-once delivery,
 * socket.io-client 4.6+); without SIO_EMIT_ACK a final failure is an
 * SIO_EV_ERROR. A namespace never opened: SIO_EV_ERROR SIO_ENOTFOUND. */
SIO_EXTERN int sio_client_emit(sio_client *cli, const char *nsp, const sio_message *msg,
                               uint64_t *req_out);

/* Acknowledges a SIO_EV_EVENT received on namespace nsp (NULL means "/"),
 * msg as for sio_ack. When that socket is no longer connected, SIO_EV_ERROR
 * (SIO_EDISCONNECTED) with the request id put in *req_out (may be NULL) says
 * the acknowledgement was not sent. */
SIO_EXTERN int sio_client_ack(sio_client *cli, const char *nsp, int64_t ack_id,
                              const sio_message *msg, uint64_t *req_out);

/* Leaves namespace nsp (NULL means "/"): SIO_EV_DISCONNECT "io client
 * disconnect" when it was connected; it is not joined again on
 * reconnection. The connection closes when no namespace is left. */
SIO_EXTERN int sio_client_disconnect(sio_client *cli, const char *nsp);

/* Closes every socket ("io client disconnect") and the connection, with no
 * reconnection; what was still waiting is reported as described above.
 * Later commands on cli fail with SIO_ECLOSED. */
SIO_EXTERN int sio_client_close(sio_client *cli);

/* Releases cli, closing it first if it is open (as sio_client_close). From
 * this call on no event of cli is handed out (those still queued are
 * dropped, and nothing is reported for what was waiting) and cli must not
 * be used; its memory goes back once the I/O thread is done with it, while
 * the host pumps. Accepts NULL. Not twice. */
SIO_EXTERN void sio_client_free(sio_client *cli);

#ifdef __cplusplus
}
#endif
#endif /* SIO_SIO_H */
