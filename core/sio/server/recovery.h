/* Connection state recovery, as socket.io's SessionAwareAdapter: a log of
 * the event packets sent (each with its offset, the bytes shared with the
 * recipients), and the sessions of sockets that left by a transport
 * failure, so that a client coming back with its private id and last
 * offset gets its id and rooms again and the packets it missed.
 *
 * Memory is bounded: packets and sessions expire after
 * maxDisconnectionDuration (a timer frees them), and beyond the limits
 * below the oldest are dropped first. The store knows namespaces only as
 * opaque pointers, so it depends on nothing of the server above it. */
#ifndef SIO_RECOVERY_H
#define SIO_RECOVERY_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "../../util/random_id.h"
#include "../../util/rbuf.h"
#include "../../util/strmap.h"

/* Packets kept in the log, all namespaces together. */
#define RECOVERY_MAX_PACKETS 100000
/* Encoded bytes kept in the log (shared with the recipients' queues while
 * those still hold them). */
#define RECOVERY_MAX_BYTES ((size_t)64 << 20)
/* Sessions kept at once. */
#define RECOVERY_MAX_SESSIONS 100000
/* Bytes of socket.data kept with the sessions, all together (each value is
 * at most maxHttpBufferSize). */
#define RECOVERY_MAX_DATA_BYTES ((size_t)64 << 20)
/* A session that missed more packets than this is not recovered (its
 * client connects as new), so that one restore queues a bounded amount. */
#define RECOVERY_MAX_MISSED 10000
/* The longest offset text: a 64-bit number in base 36. */
#define RECOVERY_OFFSET_MAX 14

typedef struct recovery_options {
  uint64_t max_duration;   /* ms; 0: recovery off */
  int skip_middlewares;
} recovery_options;

typedef struct rec_packet rec_packet;

/* A socket that left, kept for max_duration; after recovery_restore, the
 * caller's, with the packets it missed. */
typedef struct rec_session {
  struct rec_session *prev, *next; /* oldest first */
  uint64_t at;                     /* uv_now when it left */
  const void *nsp;
  char pid[RANDOM_ID_LEN + 1];
  char sid[RANDOM_ID_LEN + 1];
  char **rooms;                    /* not counting its own id; one block */
  size_t nrooms;
  char *data;                      /* JSON of socket.data; NULL: never set */
  size_t data_len;
  rbuf **missed;                   /* encoded messages, in order */
  size_t nmissed;
} rec_session;

typedef struct recovery {
  recovery_options opts;
  uv_loop_t *loop;
  uv_timer_t *timer;               /* the next expiry */
  uint64_t next_id;
  rec_packet **log;                /* ring, oldest at head, ids consecutive */
  size_t head, len, cap;
  size_t bytes;
  strmap sessions;                 /* pid -> rec_session */
  rec_session *oldest, *newest;
  size_t data_bytes;               /* the sessions' data_len, summed */
} recovery;

/* 0, or -1 out of memory. Nothing to do when recovery is off. */
int recovery_start(recovery *r, uv_loop_t *loop);
static inline int recovery_on(const recovery *r) { return r->opts.max_duration != 0; }
/* Reserves the offset of the next packet and writes its text (NUL-terminated). */
uint64_t recovery_next_offset(recovery *r, char text[RECOVERY_OFFSET_MAX + 1]);
/* Logs packet id, sent to rooms minus except in nsp (no rooms: all of it),
 * taking a reference to each message. */
void recovery_log(recovery *r, uint64_t id, const void *nsp, const char *const *rooms,
                  size_t nrooms, const char *const *except, size_t nexcept,
                  rbuf *const *msgs, size_t nmsgs);
/* Keeps the state of a socket that left (pid and sid of at most
 * RANDOM_ID_LEN characters; data: the JSON of its socket.data, copied, or
 * NULL when never set). */
void recovery_persist(recovery *r, const char *pid, const char *sid, const void *nsp,
                      const char *const *rooms, size_t nrooms, const char *data);
/* The session auth names ({"pid","offset",...}) with the packets it missed
 * since offset, removed from the store; NULL when there is none to
 * restore in nsp (unknown, expired, offset too old, too much missed). */
rec_session *recovery_restore(recovery *r, const void *nsp, const char *auth, size_t len);
void recovery_session_free(rec_session *s);
/* Closes the timer: 1 when on_closed(arg) will follow, 0 when there was
 * none. Everything stored is freed. */
int recovery_close(recovery *r, void (*on_closed)(uv_handle_t *h), void *arg);
#endif
