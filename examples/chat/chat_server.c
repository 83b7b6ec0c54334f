/*
 * sio_chat_server: the libsio chat demo.
 *
 * Written against the public header only: events are drained with
 * sio_next_event() on the main thread and every reaction is a command
 * (sio_emit, sio_ack, sio_join, sio_leave). All chat state lives here, on the
 * pumping thread, so it needs no locks.
 *
 * Protocol (namespace "/"; every reply is one JSON object):
 *   client -> server
 *     "login"  nick, ack     -> ack {ok, nick, rooms} | {ok:false, error}
 *     "rooms"  ack           -> ack {ok, rooms}
 *     "join"   room, ack     -> ack {ok, room, users, history}
 *     "leave"  ack           -> ack {ok}
 *     "message" text, ack    -> ack {ok, id, ts}
 *     "typing" / "stop typing"
 *   server -> client
 *     "rooms" [{name, users}]      to everyone when a room or a count changes
 *     "users" {room, users}        to a room when its members change
 *     "user joined" / "user left"  {room, nick, ts}, to the room
 *     "message" {id, ts, room, nick, text}, to the room except the sender
 *     "typing" / "stop typing" {room, nick}, to the room except the sender
 */
/* For sigaction, strdup, strcasecmp and clock_gettime under strict C11. */
#define _POSIX_C_SOURCE 200809L

#include <sio/sio.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* Limits on what a client may send: counted in code points for text a person
 * types, and in bytes for the buffers that hold it (4 bytes per code point at
 * most in UTF-8). */
#define NICK_MAX_CHARS 20
#define NICK_MAX_BYTES (NICK_MAX_CHARS * 4)
#define ROOM_MAX_CHARS 24
#define TEXT_MAX_CHARS 500
#define TEXT_MAX_BYTES (TEXT_MAX_CHARS * 4)
/* Rooms exist while someone is in them; the cap bounds the memory that
 * clients can make the server hold in room histories. */
#define ROOMS_MAX 64
#define HISTORY_LEN 50
#define USER_BUCKETS 1024
#define SID_MAX 63
/* Deeper nesting than this in an argument array is refused, so a hostile
 * payload cannot exhaust the stack of the recursive skipper. */
#define JSON_DEPTH_MAX 32
/* Prefix of the libsio room that backs a chat room: a socket's id is also a
 * room, so an unprefixed name chosen by a client could address one socket. */
#define ROOM_PREFIX "chat:"

static const char *const permanent_rooms[] = {"general", "random"};

/* ------------------------------------------------------------------------
 * A growable string. Allocation failure is sticky and checked once, where
 * the text is used, which keeps the builders free of error plumbing.
 * --------------------------------------------------------------------- */
typedef struct strbuf {
  char *p;
  size_t len, cap;
  int oom;
} strbuf;

static void sb_reserve(strbuf *b, size_t extra) {
  if (b->oom || b->len + extra + 1 <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->oom = 1;
    return;
  }
  b->p = p;
  b->cap = cap;
}

static void sb_putn(strbuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  if (b->oom)
    return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_printf(strbuf *b, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  /* Only used for numbers, which always fit. */
  if (n > 0 && (size_t)n < sizeof tmp)
    sb_putn(b, tmp, (size_t)n);
}

/* Appends s as a JSON string literal. s is valid UTF-8 (everything stored was
 * checked on the way in), so only quotes, backslashes and control characters
 * need escaping. */
static void sb_json_str(strbuf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  sb_putn(b, "\"", 1);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    switch (*c) {
    case '"': sb_putn(b, "\\\"", 2); break;
    case '\\': sb_putn(b, "\\\\", 2); break;
    case '\n': sb_putn(b, "\\n", 2); break;
    case '\r': sb_putn(b, "\\r", 2); break;
    case '\t': sb_putn(b, "\\t", 2); break;
    default:
      if (*c < 0x20) {
        char esc[6] = {'\\', 'u', '0', '0', hex[*c >> 4], hex[*c & 15]};
        sb_putn(b, esc, sizeof esc);
      } else {
        sb_putn(b, (const char *)c, 1);
      }
    }
  }
  sb_putn(b, "\"", 1);
}

static void sb_free(strbuf *b) {
  free(b->p);
  *b = (strbuf){0};
}

/* ------------------------------------------------------------------------
 * A strict reader for the one shape the handlers need: a string element of
 * the argument array. It validates the whole array (RFC 8259 grammar, UTF-8,
 * escapes, surrogate pairs) rather than trusting the core to have done so.
 * --------------------------------------------------------------------- */
typedef struct jcur {
  const unsigned char *p, *end;
} jcur;

static void j_ws(jcur *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static int j_hex4(jcur *c, unsigned *out) {
  if (c->end - c->p < 4)
    return -1;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char h = *c->p++;
    v <<= 4;
    if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
    else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
    else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
    else return -1;
  }
  *out = v;
  return 0;
}

/* Length of the UTF-8 sequence at p (shortest form, no surrogates, at most
 * U+10FFFF), or 0 when it is not valid. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end) {
  size_t n;
  unsigned cp;
  if (p[0] < 0x80) return 1;
  if (p[0] >= 0xC2 && p[0] <= 0xDF) { n = 2; cp = p[0] & 0x1Fu; }
  else if (p[0] >= 0xE0 && p[0] <= 0xEF) { n = 3; cp = p[0] & 0x0Fu; }
  else if (p[0] >= 0xF0 && p[0] <= 0xF4) { n = 4; cp = p[0] & 0x07u; }
  else return 0;
  if ((size_t)(end - p) < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

static void put_utf8(unsigned cp, unsigned char *o, size_t *n) {
  if (cp < 0x80) {
    o[(*n)++] = (unsigned char)cp;
  } else if (cp < 0x800) {
    o[(*n)++] = (unsigned char)(0xC0 | (cp >> 6));
    o[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    o[(*n)++] = (unsigned char)(0xE0 | (cp >> 12));
    o[(*n)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
  } else {
    o[(*n)++] = (unsigned char)(0xF0 | (cp >> 18));
    o[(*n)++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[(*n)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[(*n)++] = (unsigned char)(0x80 | (cp & 0x3F));
  }
}

/* Reads a string at the cursor. With out != NULL it is decoded there as
 * UTF-8 and NUL-terminated; a string that needs more than cap - 1 bytes sets
 * *too_long and is still consumed, so the caller can tell "too long" from
 * "malformed". */
static int j_string(jcur *c, char *out, size_t cap, size_t *len_out,
                    int *too_long) {
  unsigned char buf[4];
  size_t len = 0;
  if (c->p >= c->end || *c->p != '"')
    return -1;
  c->p++;
  for (;;) {
    if (c->p >= c->end)
      return -1;
    unsigned char ch = *c->p;
    size_t n = 0;
    if (ch == '"') {
      c->p++;
      break;
    }
    if (ch < 0x20)
      return -1;
    if (ch == '\\') {
      c->p++;
      if (c->p >= c->end)
        return -1;
      unsigned char e = *c->p++;
      unsigned cp;
      switch (e) {
      case '"': case '\\': case '/': buf[n++] = e; break;
      case 'b': buf[n++] = '\b'; break;
      case 'f': buf[n++] = '\f'; break;
      case 'n': buf[n++] = '\n'; break;
      case 'r': buf[n++] = '\r'; break;
      case 't': buf[n++] = '\t'; break;
      case 'u':
        if (j_hex4(c, &cp))
          return -1;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned lo;
          if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
            return -1;
          c->p += 2;
          if (j_hex4(c, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return -1;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        /* Decoded text ends up in C strings, where a NUL would silently
         * cut it short. */
        if (cp == 0 && out)
          return -1;
        put_utf8(cp, buf, &n);
        break;
      default:
        return -1;
      }
    } else {
      n = utf8_seq(c->p, c->end);
      if (!n)
        return -1;
      memcpy(buf, c->p, n);
      c->p += n;
    }
    if (out) {
      if (len + n < cap)
        memcpy(out + len, buf, n);
      else
        *too_long = 1;
    }
    len += n;
  }
  if (out && !*too_long)
    out[len] = '\0';
  if (len_out)
    *len_out = len;
  return 0;
}

static int j_digits(jcur *c) {
  const unsigned char *start = c->p;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
    c->p++;
  return c->p > start ? 0 : -1;
}

static int j_number(jcur *c) {
  if (c->p < c->end && *c->p == '-')
    c->p++;
  if (c->p < c->end && *c->p == '0')
    c->p++;
  else if (j_digits(c))
    return -1;
  if (c->p < c->end && *c->p == '.') {
    c->p++;
    if (j_digits(c))
      return -1;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    c->p++;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
      c->p++;
    if (j_digits(c))
      return -1;
  }
  return 0;
}

static int j_literal(jcur *c, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
    return -1;
  c->p += n;
  return 0;
}

static int j_skip_value(jcur *c, int depth);

/* Walks the elements of the array or object at the cursor. With want >= 0
 * (arrays only), the element at that index must be a string and is decoded
 * into out; *found tells whether the array had that many elements. */
static int j_container(jcur *c, int depth, long want, char *out, size_t cap,
                       int *found, int *too_long) {
  unsigned char close = *c->p == '[' ? ']' : '}';
  if (depth >= JSON_DEPTH_MAX)
    return -1;
  c->p++;
  j_ws(c);
  if (c->p < c->end && *c->p == close) {
    c->p++;
    return 0;
  }
  for (long i = 0;; i++) {
    j_ws(c);
    if (close == '}') {
      if (j_string(c, NULL, 0, NULL, NULL))
        return -1;
      j_ws(c);
      if (c->p >= c->end || *c->p != ':')
        return -1;
      c->p++;
      j_ws(c);
    }
    if (i == want) {
      if (j_string(c, out, cap, NULL, too_long))
        return -1;
      *found = 1;
    } else if (j_skip_value(c, depth + 1)) {
      return -1;
    }
    j_ws(c);
    if (c->p >= c->end)
      return -1;
    if (*c->p == close) {
      c->p++;
      return 0;
    }
    if (*c->p != ',')
      return -1;
    c->p++;
  }
}

static int j_skip_value(jcur *c, int depth) {
  if (c->p >= c->end)
    return -1;
  switch (*c->p) {
  case '"': return j_string(c, NULL, 0, NULL, NULL);
  case '[': case '{': return j_container(c, depth, -1, NULL, 0, NULL, NULL);
  case 't': return j_literal(c, "true");
  case 'f': return j_literal(c, "false");
  case 'n': return j_literal(c, "null");
  default: return j_number(c);
  }
}

enum { ARG_OK = 0, ARG_MISSING = -1, ARG_TOO_LONG = -2, ARG_BAD = -3 };

/* Decodes element `index` of the argument array json into out. */
static int arg_string(const char *json, size_t len, long index, char *out,
                      size_t cap) {
  jcur c = {(const unsigned char *)json, (const unsigned char *)json + len};
  int found = 0, too_long = 0;
  if (!json)
    return ARG_BAD;
  j_ws(&c);
  if (c.p >= c.end || *c.p != '[')
    return ARG_BAD;
  if (j_container(&c, 0, index, out, cap, &found, &too_long))
    return ARG_BAD;
  j_ws(&c);
  if (c.p != c.end)
    return ARG_BAD;
  if (!found)
    return ARG_MISSING;
  return too_long ? ARG_TOO_LONG : ARG_OK;
}

/* ------------------------------------------------------------------------
 * Validation of what people type.
 * --------------------------------------------------------------------- */

/* Strips surrounding spaces in place (s is valid UTF-8). */
static void trim(char *s) {
  size_t a = 0, n = strlen(s);
  while (s[a] == ' ')
    a++;
  while (n > a && s[n - 1] == ' ')
    n--;
  memmove(s, s + a, n - a);
  s[n - a] = '\0';
}

/* Code points in s, or -1 when s holds a control character (C0, DEL, C1),
 * which has no business in a one-line nickname or message. */
static long visible_chars(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  long n = 0;
  for (; *p; p++) {
    if (*p < 0x20 || *p == 0x7F)
      return -1;
    /* C1 controls U+0080..U+009F are encoded C2 80..C2 9F. */
    if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
      return -1;
    if ((*p & 0xC0) != 0x80)
      n++;
  }
  return n;
}

static const char *check_nick(char *nick) {
  trim(nick);
  long n = visible_chars(nick);
  if (n < 0)
    return "nickname has invalid characters";
  if (n == 0 || n > NICK_MAX_CHARS)
    return "nickname must be 1 to 20 characters";
  return NULL;
}

/* Room names are lower-case ASCII words so that they read well in a list and
 * cannot be confused with one another. */
static const char *check_room(char *room) {
  trim(room);
  size_t n = strlen(room);
  if (n == 0 || n > ROOM_MAX_CHARS)
    return "room name must be 1 to 24 characters";
  for (size_t i = 0; i < n; i++) {
    char ch = room[i];
    if (ch >= 'A' && ch <= 'Z')
      room[i] = (char)(ch - 'A' + 'a');
    else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
               ch == '-' || ch == '_'))
      return "room names use letters, digits, '-' and '_'";
  }
  return NULL;
}

static const char *check_text(char *text) {
  trim(text);
  long n = visible_chars(text);
  if (n < 0)
    return "message has invalid characters";
  if (n == 0)
    return "message is empty";
  if (n > TEXT_MAX_CHARS)
    return "message is longer than 500 characters";
  return NULL;
}

/* ------------------------------------------------------------------------
 * Chat state.
 * --------------------------------------------------------------------- */
typedef struct room {
  char name[ROOM_MAX_CHARS + 1];
  char key[sizeof ROOM_PREFIX + ROOM_MAX_CHARS]; /* the libsio room */
  size_t members;
  int permanent;
  /* The last messages as ready JSON objects, oldest at hist_head. */
  char *history[HISTORY_LEN];
  size_t hist_head, hist_count;
  struct room *next;
} room;

typedef struct user {
  char sid[SID_MAX + 1];
  char nick[NICK_MAX_BYTES + 1]; /* empty until "login" */
  room *room;
  struct user *next; /* hash chain */
} user;

typedef struct chat {
  sio_server *srv;
  user *buckets[USER_BUCKETS];
  size_t nusers;
  room *rooms; /* in creation order, permanent ones first */
  size_t nrooms;
  uint64_t next_msg_id;
} chat;

static size_t sid_hash(const char *sid) {
  /* FNV-1a: ids are random already, any spreading function will do. */
  uint32_t h = 2166136261u;
  for (; *sid; sid++)
    h = (h ^ (unsigned char)*sid) * 16777619u;
  return h % USER_BUCKETS;
}

static user *user_find(chat *ch, const char *sid) {
  for (user *u = ch->buckets[sid_hash(sid)]; u; u = u->next)
    if (strcmp(u->sid, sid) == 0)
      return u;
  return NULL;
}

static user *user_add(chat *ch, const char *sid) {
  if (strlen(sid) > SID_MAX)
    return NULL;
  user *u = calloc(1, sizeof *u);
  if (!u)
    return NULL;
  strcpy(u->sid, sid);
  size_t h = sid_hash(sid);
  u->next = ch->buckets[h];
  ch->buckets[h] = u;
  ch->nusers++;
  return u;
}

static void user_remove(chat *ch, user *gone) {
  for (user **pp = &ch->buckets[sid_hash(gone->sid)]; *pp; pp = &(*pp)->next) {
    if (*pp == gone) {
      *pp = gone->next;
      ch->nusers--;
      free(gone);
      return;
    }
  }
}

/* Nicknames are unique, compared without ASCII case, so that two people in
 * one room can always be told apart. */
static int nick_taken(chat *ch, const char *nick) {
  for (size_t b = 0; b < USER_BUCKETS; b++)
    for (user *u = ch->buckets[b]; u; u = u->next)
      if (u->nick[0] && strcasecmp(u->nick, nick) == 0)
        return 1;
  return 0;
}

static room *room_find(chat *ch, const char *name) {
  for (room *r = ch->rooms; r; r = r->next)
    if (strcmp(r->name, name) == 0)
      return r;
  return NULL;
}

static room *room_create(chat *ch, const char *name, int permanent) {
  room *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  snprintf(r->name, sizeof r->name, "%s", name);
  snprintf(r->key, sizeof r->key, "%s%s", ROOM_PREFIX, name);
  r->permanent = permanent;
  room **tail = &ch->rooms;
  while (*tail)
    tail = &(*tail)->next;
  *tail = r;
  ch->nrooms++;
  return r;
}

static void room_free(room *r) {
  for (size_t i = 0; i < r->hist_count; i++)
    free(r->history[(r->hist_head + i) % HISTORY_LEN]);
  free(r);
}

/* Drops a room nobody is in, unless it is one of the permanent ones. */
static void room_release(chat *ch, room *r) {
  if (r->members || r->permanent)
    return;
  for (room **pp = &ch->rooms; *pp; pp = &(*pp)->next) {
    if (*pp == r) {
      *pp = r->next;
      ch->nrooms--;
      room_free(r);
      return;
    }
  }
}

static void room_remember(room *r, const char *msg_json) {
  char *copy = strdup(msg_json);
  if (!copy)
    return;
  if (r->hist_count == HISTORY_LEN) {
    free(r->history[r->hist_head]);
    r->history[r->hist_head] = copy;
    r->hist_head = (r->hist_head + 1) % HISTORY_LEN;
  } else {
    r->history[(r->hist_head + r->hist_count) % HISTORY_LEN] = copy;
    r->hist_count++;
  }
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------
 * Output.
 * --------------------------------------------------------------------- */
static void report(const char *what, int rc) {
  fprintf(stderr, "chat: %s failed: %s (%s)\n", what, sio_strerror(rc),
          sio_last_error());
}

/* Sends event with one argument, the JSON value obj, to `to`. */
static void emit_obj(chat *ch, const sio_target *to, const char *event,
                     strbuf *obj) {
  strbuf args = {0};
  sb_puts(&args, "[");
  if (!obj->oom)
    sb_putn(&args, obj->p, obj->len);
  sb_puts(&args, "]");
  if (obj->oom || args.oom) {
    fprintf(stderr, "chat: out of memory, \"%s\" not sent\n", event);
  } else {
    sio_message msg = SIO_MESSAGE_INIT;
    msg.event = event;
    msg.args_json = args.p;
    msg.args_len = args.len;
    int rc = sio_emit(ch->srv, to, &msg, NULL);
    if (rc < 0)
      report("emit", rc);
  }
  sb_free(&args);
}

static void emit_to_room(chat *ch, const room *r, const char *except_sid,
                         const char *event, strbuf *obj) {
  const char *rooms[1] = {r->key};
  const char *except[1] = {except_sid};
  sio_target to = SIO_TARGET_INIT;
  to.rooms = rooms;
  to.nrooms = 1;
  if (except_sid) {
    to.except = except;
    to.nexcept = 1;
  }
  emit_obj(ch, &to, event, obj);
}

static void ack_obj(chat *ch, const sio_event *ev, strbuf *obj) {
  if (ev->ack_id < 0)
    return;
  strbuf args = {0};
  sb_puts(&args, "[");
  if (!obj->oom)
    sb_putn(&args, obj->p, obj->len);
  sb_puts(&args, "]");
  if (obj->oom || args.oom) {
    fprintf(stderr, "chat: out of memory, ack not sent\n");
  } else {
    sio_message msg = SIO_MESSAGE_INIT;
    msg.args_json = args.p;
    msg.args_len = args.len;
    int rc = sio_ack(ch->srv, ev->sid, ev->ack_id, &msg, NULL);
    if (rc < 0)
      report("ack", rc);
  }
  sb_free(&args);
}

static void ack_error(chat *ch, const sio_event *ev, const char *error) {
  strbuf obj = {0};
  sb_puts(&obj, "{\"ok\":false,\"error\":");
  sb_json_str(&obj, error);
  sb_puts(&obj, "}");
  ack_obj(ch, ev, &obj);
  sb_free(&obj);
}

static void rooms_json(chat *ch, strbuf *b) {
  sb_puts(b, "[");
  for (room *r = ch->rooms; r; r = r->next) {
    if (r != ch->rooms)
      sb_puts(b, ",");
    sb_puts(b, "{\"name\":");
    sb_json_str(b, r->name);
    sb_printf(b, ",\"users\":%zu}", r->members);
  }
  sb_puts(b, "]");
}

/* Nicknames of a room's members, sorted so that every client shows the same
 * list. */
static int cmp_nick(const void *a, const void *b) {
  return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static void users_json(chat *ch, const room *r, strbuf *b) {
  const char **nicks = r->members ? calloc(r->members, sizeof *nicks) : NULL;
  size_t n = 0;
  if (r->members && !nicks) {
    b->oom = 1;
    return;
  }
  for (size_t i = 0; i < USER_BUCKETS; i++)
    for (user *u = ch->buckets[i]; u; u = u->next)
      if (u->room == r && n < r->members)
        nicks[n++] = u->nick;
  if (n > 1)
    qsort(nicks, n, sizeof *nicks, cmp_nick);
  sb_puts(b, "[");
  for (size_t i = 0; i < n; i++) {
    if (i)
      sb_puts(b, ",");
    sb_json_str(b, nicks[i]);
  }
  sb_puts(b, "]");
  free(nicks);
}

static void broadcast_rooms(chat *ch) {
  strbuf obj = {0};
  rooms_json(ch, &obj);
  emit_obj(ch, NULL, "rooms", &obj);
  sb_free(&obj);
}

static void broadcast_users(chat *ch, const room *r, const char *except_sid) {
  strbuf obj = {0};
  sb_puts(&obj, "{\"room\":");
  sb_json_str(&obj, r->name);
  sb_puts(&obj, ",\"users\":");
  users_json(ch, r, &obj);
  sb_puts(&obj, "}");
  emit_to_room(ch, r, except_sid, "users", &obj);
  sb_free(&obj);
}

/* "user joined" / "user left" to the room, leaving out except_sid. */
static void notice(chat *ch, const room *r, const char *event,
                   const char *nick, const char *except_sid) {
  strbuf obj = {0};
  sb_puts(&obj, "{\"room\":");
  sb_json_str(&obj, r->name);
  sb_puts(&obj, ",\"nick\":");
  sb_json_str(&obj, nick);
  sb_printf(&obj, ",\"ts\":%lld}", (long long)now_ms());
  emit_to_room(ch, r, except_sid, event, &obj);
  sb_free(&obj);
}

/* Takes u out of its room and tells the ones who stay. gone: the socket has
 * disconnected, so the core has already taken it out of its rooms. */
static void leave_room(chat *ch, user *u, int gone) {
  room *r = u->room;
  if (!r)
    return;
  if (!gone) {
    const char *keys[1] = {r->key};
    sio_target me = SIO_TARGET_INIT;
    me.sid = u->sid;
    int rc = sio_leave(ch->srv, &me, keys, 1, NULL);
    if (rc < 0)
      report("leave", rc);
  }
  u->room = NULL;
  r->members--;
  if (!r->members) {
    room_release(ch, r);
    return;
  }
  /* The leaver gets no "stop typing" of its own, so clear any indicator it
   * left behind for the others. */
  strbuf obj = {0};
  sb_puts(&obj, "{\"room\":");
  sb_json_str(&obj, r->name);
  sb_puts(&obj, ",\"nick\":");
  sb_json_str(&obj, u->nick);
  sb_puts(&obj, "}");
  emit_to_room(ch, r, NULL, "stop typing", &obj);
  sb_free(&obj);
  notice(ch, r, "user left", u->nick, NULL);
  broadcast_users(ch, r, NULL);
}

/* ------------------------------------------------------------------------
 * Handlers.
 * --------------------------------------------------------------------- */
static void on_login(chat *ch, user *u, const sio_event *ev) {
  char nick[NICK_MAX_BYTES + 1];
  const char *err = NULL;
  int rc = arg_string(ev->data, ev->data_len, 0, nick, sizeof nick);
  if (u->nick[0])
    err = "already logged in";
  else if (rc == ARG_TOO_LONG)
    err = "nickname must be 1 to 20 characters";
  else if (rc != ARG_OK)
    err = "expected a nickname";
  else if ((err = check_nick(nick)) == NULL && nick_taken(ch, nick))
    err = "nickname is taken";
  if (err) {
    ack_error(ch, ev, err);
    return;
  }
  strcpy(u->nick, nick);
  strbuf obj = {0};
  sb_puts(&obj, "{\"ok\":true,\"nick\":");
  sb_json_str(&obj, u->nick);
  sb_puts(&obj, ",\"rooms\":");
  rooms_json(ch, &obj);
  sb_puts(&obj, "}");
  ack_obj(ch, ev, &obj);
  sb_free(&obj);
}

static void on_rooms(chat *ch, const sio_event *ev) {
  strbuf obj = {0};
  sb_puts(&obj, "{\"ok\":true,\"rooms\":");
  rooms_json(ch, &obj);
  sb_puts(&obj, "}");
  ack_obj(ch, ev, &obj);
  sb_free(&obj);
}

static void on_join(chat *ch, user *u, const sio_event *ev) {
  char name[ROOM_MAX_CHARS + 1];
  const char *err = NULL;
  int rc = arg_string(ev->data, ev->data_len, 0, name, sizeof name);
  if (!u->nick[0])
    err = "log in first";
  else if (rc == ARG_TOO_LONG)
    err = "room name must be 1 to 24 characters";
  else if (rc != ARG_OK)
    err = "expected a room name";
  else
    err = check_room(name);
  if (err) {
    ack_error(ch, ev, err);
    return;
  }
  room *r = room_find(ch, name);
  if (!r) {
    if (ch->nrooms >= ROOMS_MAX) {
      ack_error(ch, ev, "too many rooms; join an existing one");
      return;
    }
    if (!(r = room_create(ch, name, 0))) {
      ack_error(ch, ev, "out of memory");
      return;
    }
  }
  if (u->room != r) {
    leave_room(ch, u, 0);
    const char *keys[1] = {r->key};
    sio_target me = SIO_TARGET_INIT;
    me.sid = u->sid;
    rc = sio_join(ch->srv, &me, keys, 1, NULL);
    if (rc < 0) {
      report("join", rc);
      room_release(ch, r);
      ack_error(ch, ev, "could not join the room");
      broadcast_rooms(ch);
      return;
    }
    u->room = r;
    r->members++;
    notice(ch, r, "user joined", u->nick, u->sid);
    broadcast_users(ch, r, u->sid);
    broadcast_rooms(ch);
  }
  strbuf obj = {0};
  sb_puts(&obj, "{\"ok\":true,\"room\":");
  sb_json_str(&obj, r->name);
  sb_puts(&obj, ",\"users\":");
  users_json(ch, r, &obj);
  sb_puts(&obj, ",\"history\":[");
  for (size_t i = 0; i < r->hist_count; i++) {
    if (i)
      sb_puts(&obj, ",");
    sb_puts(&obj, r->history[(r->hist_head + i) % HISTORY_LEN]);
  }
  sb_puts(&obj, "]}");
  ack_obj(ch, ev, &obj);
  sb_free(&obj);
}

static void on_leave(chat *ch, user *u, const sio_event *ev) {
  if (!u->room) {
    ack_error(ch, ev, "not in a room");
    return;
  }
  leave_room(ch, u, 0);
  broadcast_rooms(ch);
  strbuf obj = {0};
  sb_puts(&obj, "{\"ok\":true}");
  ack_obj(ch, ev, &obj);
  sb_free(&obj);
}

static void on_message(chat *ch, user *u, const sio_event *ev) {
  char text[TEXT_MAX_BYTES + 1];
  const char *err = NULL;
  int rc = arg_string(ev->data, ev->data_len, 0, text, sizeof text);
  if (!u->room)
    err = "join a room first";
  else if (rc == ARG_TOO_LONG)
    err = "message is longer than 500 characters";
  else if (rc != ARG_OK)
    err = "expected the message text";
  else
    err = check_text(text);
  if (err) {
    ack_error(ch, ev, err);
    return;
  }
  uint64_t id = ++ch->next_msg_id;
  long long ts = (long long)now_ms();
  strbuf msg = {0};
  sb_printf(&msg, "{\"id\":%llu,\"ts\":%lld,\"room\":",
            (unsigned long long)id, ts);
  sb_json_str(&msg, u->room->name);
  sb_puts(&msg, ",\"nick\":");
  sb_json_str(&msg, u->nick);
  sb_puts(&msg, ",\"text\":");
  sb_json_str(&msg, text);
  sb_puts(&msg, "}");
  if (msg.oom) {
    ack_error(ch, ev, "out of memory");
    sb_free(&msg);
    return;
  }
  room_remember(u->room, msg.p);
  emit_to_room(ch, u->room, u->sid, "message", &msg);
  sb_free(&msg);
  strbuf obj = {0};
  sb_printf(&obj, "{\"ok\":true,\"id\":%llu,\"ts\":%lld}",
            (unsigned long long)id, ts);
  ack_obj(ch, ev, &obj);
  sb_free(&obj);
}

static void on_typing(chat *ch, user *u, const char *event) {
  if (!u->room)
    return;
  strbuf obj = {0};
  sb_puts(&obj, "{\"room\":");
  sb_json_str(&obj, u->room->name);
  sb_puts(&obj, ",\"nick\":");
  sb_json_str(&obj, u->nick);
  sb_puts(&obj, "}");
  emit_to_room(ch, u->room, u->sid, event, &obj);
  sb_free(&obj);
}

static void on_event(chat *ch, const sio_event *ev) {
  user *u = ev->sid ? user_find(ch, ev->sid) : NULL;
  const char *name = ev->name ? ev->name : "";
  if (!u)
    return;
  if (strcmp(name, "login") == 0)
    on_login(ch, u, ev);
  else if (strcmp(name, "rooms") == 0)
    on_rooms(ch, ev);
  else if (strcmp(name, "join") == 0)
    on_join(ch, u, ev);
  else if (strcmp(name, "leave") == 0)
    on_leave(ch, u, ev);
  else if (strcmp(name, "message") == 0)
    on_message(ch, u, ev);
  else if (strcmp(name, "typing") == 0 || strcmp(name, "stop typing") == 0)
    on_typing(ch, u, name);
  else
    ack_error(ch, ev, "unknown event");
}

/* The context holds this one server, so every event is about it. */
static void on_server_event(chat *ch, const sio_event *ev) {
  /* The chat lives in "/" alone (the core refuses undeclared namespaces);
   * anything else is not ours to track. */
  if (ev->nsp && strcmp(ev->nsp, "/") != 0)
    return;
  switch (ev->type) {
  case SIO_EV_CONNECTION:
    if (ev->sid && !user_find(ch, ev->sid) && !user_add(ch, ev->sid)) {
      fprintf(stderr, "chat: cannot track %s, disconnecting it\n", ev->sid);
      sio_target it = SIO_TARGET_INIT;
      it.sid = ev->sid;
      sio_disconnect(ch->srv, &it, SIO_DISCONNECT_CLOSE, NULL);
    }
    break;
  case SIO_EV_EVENT:
    on_event(ch, ev);
    break;
  case SIO_EV_DISCONNECT: {
    user *u = ev->sid ? user_find(ch, ev->sid) : NULL;
    if (!u)
      break;
    if (u->room) {
      leave_room(ch, u, 1);
      broadcast_rooms(ch);
    }
    user_remove(ch, u);
    break;
  }
  case SIO_EV_ERROR:
    fprintf(stderr, "chat: error: %s\n",
            ev->reason ? ev->reason : sio_strerror(ev->err));
    break;
  default:
    break;
  }
}

static void chat_free(chat *ch) {
  for (size_t b = 0; b < USER_BUCKETS; b++) {
    while (ch->buckets[b]) {
      user *u = ch->buckets[b];
      ch->buckets[b] = u->next;
      free(u);
    }
  }
  while (ch->rooms) {
    room *r = ch->rooms;
    ch->rooms = r->next;
    room_free(r);
  }
}

/* ------------------------------------------------------------------------
 * Startup, the pump and shutdown.
 * --------------------------------------------------------------------- */
static sio_context *g_ctx;
static volatile sig_atomic_t g_stop;

/* Only async-signal-safe work here: raise the flag and wake the pump, which
 * returns 0 so that the loop sees the flag and shuts down on its own thread. */
static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
  sio_context_wakeup(g_ctx);
}

static void usage(FILE *to, const char *argv0) {
  fprintf(to,
          "usage: %s [--port N] [--host ADDR] [--public DIR] [--client DIR]\n"
          "  --port N      TCP port (default 3000)\n"
          "  --host ADDR   address to listen on (default 0.0.0.0)\n"
          "  --public DIR  the page's files (default: public/ beside the source)\n"
          "  --client DIR  socket.io-client's dist/ folder (default: its\n"
          "                node_modules copy beside the source, from `npm ci`)\n",
          argv0);
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv) {
  /* CMake compiles with absolute paths, so __FILE__ names the source folder
   * and the defaults work from any working directory; a relative __FILE__
   * falls back to running from the repository root. */
  char here[4096] = "examples/chat";
  if (__FILE__[0] == '/') {
    snprintf(here, sizeof here, "%s", __FILE__);
    char *slash = strrchr(here, '/');
    *slash = '\0';
  }
  char public_dir[4200], client_dir[4200];
  snprintf(public_dir, sizeof public_dir, "%s/public", here);
  snprintf(client_dir, sizeof client_dir,
           "%s/node_modules/socket.io-client/dist", here);
  const char *port = "3000", *host = "0.0.0.0";

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout, argv[0]);
      return 0;
    }
    if (!v) {
      usage(stderr, argv[0]);
      return 2;
    }
    if (strcmp(a, "--port") == 0) {
      char *end;
      errno = 0;
      long p = strtol(v, &end, 10);
      if (errno || *end || end == v || p < 0 || p > 65535) {
        fprintf(stderr, "chat: bad port '%s'\n", v);
        return 2;
      }
      port = v;
    } else if (strcmp(a, "--host") == 0) {
      host = v;
    } else if (strcmp(a, "--public") == 0) {
      snprintf(public_dir, sizeof public_dir, "%s", v);
    } else if (strcmp(a, "--client") == 0) {
      snprintf(client_dir, sizeof client_dir, "%s", v);
    } else {
      usage(stderr, argv[0]);
      return 2;
    }
    i++;
  }
  if (!is_dir(public_dir)) {
    fprintf(stderr, "chat: page folder %s not found (use --public)\n",
            public_dir);
    return 1;
  }
  if (!is_dir(client_dir)) {
    fprintf(stderr,
            "chat: %s not found: run `npm ci` in examples/chat "
            "(or use --client)\n",
            client_dir);
    return 1;
  }

  sio_options *opts = NULL;
  sio_server *srv = NULL;
  int rc = sio_context_new(&g_ctx);
  if (rc < 0) {
    report("sio_context_new", rc);
    return 1;
  }
  if ((rc = sio_options_new(&opts)) < 0 ||
      (rc = sio_options_set(opts, "host", host)) < 0 ||
      (rc = sio_options_set(opts, "port", port)) < 0 ||
      (rc = sio_options_set(opts, "staticDir", public_dir)) < 0 ||
      (rc = sio_options_set(opts, "serveClient", client_dir)) < 0 ||
      (rc = sio_server_new(g_ctx, opts, &srv)) < 0) {
    report("server setup", rc);
    sio_options_free(opts);
    sio_context_free(g_ctx);
    return 1;
  }
  sio_options_free(opts);

  chat ch = {.srv = srv};
  for (size_t i = 0; i < sizeof permanent_rooms / sizeof *permanent_rooms; i++)
    if (!room_create(&ch, permanent_rooms[i], 1)) {
      fprintf(stderr, "chat: out of memory\n");
      sio_context_free(g_ctx);
      return 1;
    }

  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  /* A peer that goes away mid-write must cost a write error, not the
   * process. */
  signal(SIGPIPE, SIG_IGN);

  const char *shown = strcmp(host, "0.0.0.0") == 0 ? "localhost" : host;
  printf("chat: open http://%s:%d/ (Ctrl-C stops)\n", shown,
         sio_server_port(srv));
  fflush(stdout);

  int status = 0;
  while (!g_stop) {
    const sio_event *ev;
    rc = sio_next_event(g_ctx, -1, &ev);
    if (rc < 0) {
      report("sio_next_event", rc);
      status = 1;
      break;
    }
    if (rc == 1)
      on_server_event(&ch, ev);
  }

  printf("chat: shutting down\n");
  fflush(stdout);
  rc = sio_server_close(srv);
  if (rc < 0) {
    report("sio_server_close", rc);
  } else {
    /* Lets the clients hear "server shutting down" before the context goes,
     * bounded so that a stuck peer cannot hold the exit. */
    const sio_event *ev;
    int64_t deadline = now_ms() + 2000;
    for (int64_t left; (left = deadline - now_ms()) > 0;) {
      rc = sio_next_event(g_ctx, (int)left, &ev);
      if (rc < 0 || (rc == 1 && ev->type == SIO_EV_SERVER_CLOSED))
        break;
    }
  }
  sio_context_free(g_ctx);
  chat_free(&ch);
  return status;
}
