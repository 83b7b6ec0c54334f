/* The test server of examples/TEST-SERVER.md, written against the public
 * ABI only: what the interop tests, the benchmarks and anyone checking
 * compatibility run. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json_value.h"
#include <sio/sio.h>

static sio_context *ctx;
static volatile sig_atomic_t stopping;
/* SIGUSR1 to SIGUSR2: the host does not pump (back-pressure tests). */
static volatile sig_atomic_t pump_stopped;

/* ---- small helpers ---------------------------------------------------- */

typedef struct text {
  char *s;
  size_t len, cap;
} text;

static void text_add(text *t, const char *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + n + 1) cap *= 2;
    char *p = realloc(t->s, cap);
    if (!p) abort();
    t->s = p;
    t->cap = cap;
  }
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = 0;
}

static void text_puts(text *t, const char *s) { text_add(t, s, strlen(s)); }

static void text_quote(text *t, const char *s) {
  size_t cap = strlen(s) * 6 + 3;
  char *buf = malloc(cap);
  if (!buf) abort();
  size_t n = jv_quote(buf, cap, s);
  text_add(t, buf, n);
  free(buf);
}

/* "[" + items from..end of args joined + "]": the raw JSON, so placeholders
 * keep pointing at the same attachments. */
static void args_from(text *t, const jv *args, size_t from) {
  text_puts(t, "[");
  for (size_t i = from; i < args->count; i++) {
    if (i > from) text_puts(t, ",");
    text_add(t, args->items[i].raw, args->items[i].raw_len);
  }
  text_puts(t, "]");
}

static void check(int rc, const char *what) {
  if (rc < 0) fprintf(stderr, "test_server: %s: %s (%s)\n", what, sio_strerror(rc), sio_last_error());
}

/* ---- what the server remembers ----------------------------------------- */

enum pending_kind { P_FETCH, P_FETCH_DATA, P_EMIT_ACK, P_SERVER_SIDE };

typedef struct pending {
  uint64_t req;
  enum pending_kind kind;
  char nsp[256];
  char sid[32];
  int64_t ack_id;
  char reply[128]; /* the event a server ack's result is emitted as */
} pending;

static pending *pendings;
static size_t npending, cappending;

static pending *remember(uint64_t req, enum pending_kind kind, const sio_event *ev, int64_t ack_id) {
  if (npending == cappending) {
    cappending = cappending ? cappending * 2 : 16;
    pendings = realloc(pendings, cappending * sizeof(*pendings));
    if (!pendings) abort();
  }
  pending *p = &pendings[npending++];
  p->req = req;
  p->kind = kind;
  snprintf(p->nsp, sizeof(p->nsp), "%s", ev->nsp);
  snprintf(p->sid, sizeof(p->sid), "%s", ev->sid);
  p->ack_id = ack_id;
  p->reply[0] = 0;
  return p;
}

static int recall(uint64_t req, pending *out) {
  for (size_t i = 0; i < npending; i++) {
    if (pendings[i].req == req) {
      *out = pendings[i];
      pendings[i] = pendings[--npending];
      return 1;
    }
  }
  return 0;
}

/* Acknowledgements a client asked for that hold-ack keeps unanswered until
 * release-ack names their key. */
typedef struct held_ack {
  char key[128];
  char sid[32];
  int64_t ack_id;
} held_ack;

static held_ack *held;
static size_t nheld, capheld;

static void hold_ack(const char *key, const sio_event *ev) {
  if (nheld == capheld) {
    capheld = capheld ? capheld * 2 : 8;
    held = realloc(held, capheld * sizeof(*held));
    if (!held) abort();
  }
  held_ack *h = &held[nheld++];
  snprintf(h->key, sizeof(h->key), "%s", key);
  snprintf(h->sid, sizeof(h->sid), "%s", ev->sid);
  h->ack_id = ev->ack_id;
}

static int release_ack(const char *key, held_ack *out) {
  for (size_t i = 0; i < nheld; i++) {
    if (!strcmp(held[i].key, key)) {
      *out = held[i];
      held[i] = held[--nheld];
      return 1;
    }
  }
  return 0;
}

typedef struct disconnect_record {
  char nsp[256];
  char sid[32];
  char reason[64];
} disconnect_record;

/* Namespaces that had a connection: on SIGTERM their sockets are
 * disconnected first, as the reference server does. */
static char (*namespaces)[256];
static size_t nnamespaces, capnamespaces;

static void remember_namespace(const char *nsp) {
  for (size_t i = 0; i < nnamespaces; i++)
    if (!strcmp(namespaces[i], nsp)) return;
  if (nnamespaces == capnamespaces) {
    capnamespaces = capnamespaces ? capnamespaces * 2 : 8;
    namespaces = realloc(namespaces, capnamespaces * sizeof(*namespaces));
    if (!namespaces) abort();
  }
  snprintf(namespaces[nnamespaces++], sizeof(*namespaces), "%s", nsp);
}

static disconnect_record *disconnects;
static size_t ndisconnects, capdisconnects;

static void record_disconnect(const sio_event *ev) {
  if (ndisconnects == capdisconnects) {
    capdisconnects = capdisconnects ? capdisconnects * 2 : 64;
    disconnects = realloc(disconnects, capdisconnects * sizeof(*disconnects));
    if (!disconnects) abort();
  }
  disconnect_record *d = &disconnects[ndisconnects++];
  snprintf(d->nsp, sizeof(d->nsp), "%s", ev->nsp);
  snprintf(d->sid, sizeof(d->sid), "%s", ev->sid);
  snprintf(d->reason, sizeof(d->reason), "%s", ev->reason ? ev->reason : "");
}

/* ---- engine hooks ---------------------------------------------------------- */

/* What each SIO_EV_CONNECTION_ERROR said: {code, message, context, method,
 * url} as JSON, oldest first. */
static char **connection_errors;
static size_t nconnection_errors, capconnection_errors;

static void record_connection_error(const sio_event *ev) {
  jv *err = jv_parse(ev->data, ev->data_len);
  const jv *req = jv_get(err, "req");
  text t = {0};
  text_puts(&t, "{");
  static const char *const fields[] = {"code", "message", "context"};
  for (size_t i = 0; i < 3; i++) {
    const jv *v = jv_get(err, fields[i]);
    text_puts(&t, i ? ",\"" : "\"");
    text_puts(&t, fields[i]);
    text_puts(&t, "\":");
    if (v) text_add(&t, v->raw, v->raw_len);
    else text_puts(&t, "null");
  }
  static const char *const req_fields[] = {"method", "url"};
  for (size_t i = 0; i < 2; i++) {
    const jv *v = jv_get(req, req_fields[i]);
    text_puts(&t, ",\"");
    text_puts(&t, req_fields[i]);
    text_puts(&t, "\":");
    if (v) text_add(&t, v->raw, v->raw_len);
    else text_puts(&t, "null");
  }
  text_puts(&t, "}");
  jv_free(err);
  if (nconnection_errors == capconnection_errors) {
    capconnection_errors = capconnection_errors ? capconnection_errors * 2 : 64;
    connection_errors = realloc(connection_errors, capconnection_errors * sizeof(char *));
    if (!connection_errors) abort();
  }
  connection_errors[nconnection_errors++] = t.s;
}

/* Sockets whose connection restored a previous session ("nsp sid"). */
static char (*recovered)[300];
static size_t nrecovered, caprecovered;

static void record_recovered(const sio_event *ev) {
  if (nrecovered == caprecovered) {
    caprecovered = caprecovered ? caprecovered * 2 : 16;
    recovered = realloc(recovered, caprecovered * sizeof(*recovered));
    if (!recovered) abort();
  }
  snprintf(recovered[nrecovered++], sizeof(*recovered), "%s %s", ev->nsp, ev->sid);
}

static int was_recovered(const sio_event *ev) {
  char key[sizeof(*recovered)];
  snprintf(key, sizeof(key), "%s %s", ev->nsp, ev->sid);
  for (size_t i = 0; i < nrecovered; i++)
    if (!strcmp(recovered[i], key)) return 1;
  return 0;
}

/* ---- emitting ------------------------------------------------------------ */

/* Namespace nsp, or its one socket sid. */
static sio_target target(const char *nsp, const char *sid) {
  sio_target t = SIO_TARGET_INIT;
  t.nsp = nsp;
  t.sid = sid;
  return t;
}

/* event (NULL for an acknowledgement) with the arguments json and bins. */
static sio_message message(const char *event, const char *json, size_t len, const sio_buf *bins,
                           size_t nbins) {
  sio_message m = SIO_MESSAGE_INIT;
  m.event = event;
  m.args_json = json;
  m.args_len = len;
  m.bins = bins;
  m.nbins = nbins;
  return m;
}

static void emit_to(sio_server *srv, const sio_target *to, const char *event, const char *json,
                    size_t len, const sio_buf *bins, size_t nbins, const char *what) {
  sio_message m = message(event, json, len, bins, nbins);
  check(sio_emit(srv, to, &m, NULL), what);
}

static void emit_to_socket(sio_server *srv, const char *nsp, const char *sid, const char *event,
                           const char *json, size_t len, const sio_buf *bins, size_t nbins) {
  sio_target t = target(nsp, sid);
  emit_to(srv, &t, event, json, len, bins, nbins, event);
}

static void ack_socket(sio_server *srv, const char *sid, int64_t ack_id, const char *json,
                       size_t len, const sio_buf *bins, size_t nbins, const char *what) {
  sio_message m = message(NULL, json, len, bins, nbins);
  check(sio_ack(srv, sid, ack_id, &m, NULL), what);
}

#define FLOOD_MAX_COUNT 10000
#define FLOOD_MAX_SIZE 10000000

static int whole_in(const jv *v, double max) {
  return v && v->type == JV_NUMBER && v->number >= 0 && v->number <= max &&
         v->number == (double)(long)v->number;
}

/* "flood" count, size: count events "flood" (i, size x's) to the sender,
 * for the tests of clients that do not read. */
static void flood(sio_server *srv, const sio_event *ev, const jv *count, const jv *size) {
  if (!whole_in(count, FLOOD_MAX_COUNT) || !whole_in(size, FLOOD_MAX_SIZE)) return;
  char *xs = malloc((size_t)size->number + 1);
  if (!xs) abort();
  memset(xs, 'x', (size_t)size->number);
  xs[(size_t)size->number] = 0;
  text t = {0};
  for (long i = 0; i < (long)count->number; i++) {
    char head[32];
    t.len = 0;
    snprintf(head, sizeof(head), "[%ld,\"", i);
    text_puts(&t, head);
    text_puts(&t, xs);
    text_puts(&t, "\"]");
    emit_to_socket(srv, ev->nsp, ev->sid, "flood", t.s, t.len, NULL, 0);
  }
  free(t.s);
  free(xs);
}

static void ack_with(sio_server *srv, const sio_event *ev, const char *json) {
  if (ev->ack_id >= 0) ack_socket(srv, ev->sid, ev->ack_id, json, strlen(json), NULL, 0, "ack");
}

/* rooms given as a string or an array of strings. */
static size_t room_list(const jv *v, const char **out, size_t cap) {
  if (!v) return 0;
  if (v->type == JV_STRING) {
    out[0] = v->str;
    return 1;
  }
  size_t n = 0;
  for (size_t i = 0; v->type == JV_ARRAY && i < v->count && n < cap; i++)
    if (v->items[i].type == JV_STRING) out[n++] = v->items[i].str;
  return n;
}

static int compare_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sorted_rooms_json(text *t, const jv *rooms) {
  size_t n = rooms ? rooms->count : 0;
  const char **names = calloc(n ? n : 1, sizeof(*names));
  for (size_t i = 0; i < n; i++) names[i] = rooms->items[i].str ? rooms->items[i].str : "";
  qsort(names, n, sizeof(*names), compare_str);
  text_puts(t, "[");
  for (size_t i = 0; i < n; i++) {
    if (i) text_puts(t, ",");
    text_quote(t, names[i]);
  }
  text_puts(t, "]");
  free(names);
}

static int compare_socket(const void *a, const void *b) {
  const jv *x = jv_get(a, "id"), *y = jv_get(b, "id");
  return strcmp(x && x->str ? x->str : "", y && y->str ? y->str : "");
}

/* ---- handlers ------------------------------------------------------------ */

/* The handlers that pass their arguments on untouched: they need no
 * parsing, and they are what the benchmarks measure. */
static int on_plain_event(sio_server *srv, const sio_event *ev) {
  const char *name = ev->name;
  if (!strcmp(name, "echo") || !strcmp(name, "message")) {
    emit_to_socket(srv, ev->nsp, ev->sid, name[0] == 'e' ? "echo" : "message-back", ev->data,
                   ev->data_len, ev->bins, ev->nbins);
  } else if (!strcmp(name, "ack") || !strcmp(name, "message-with-ack") || !strcmp(name, "42")) {
    if (ev->ack_id >= 0)
      ack_socket(srv, ev->sid, ev->ack_id, ev->data, ev->data_len, ev->bins, ev->nbins, "ack");
  } else if (!strcmp(name, "bcast")) {
    sio_target nsp_all = target(ev->nsp, NULL);
    emit_to(srv, &nsp_all, "bcast", ev->data, ev->data_len, ev->bins, ev->nbins, "bcast");
  } else if (!strcmp(name, "echo-uncompressed")) {
    sio_target self = target(ev->nsp, ev->sid);
    sio_message m = message("echo", ev->data, ev->data_len, ev->bins, ev->nbins);
    m.flags = SIO_EMIT_NO_COMPRESS;
    check(sio_emit(srv, &self, &m, NULL), name);
  } else {
    return 0;
  }
  return 1;
}

static void on_event(sio_server *srv, const sio_event *ev) {
  if (on_plain_event(srv, ev)) return;
  jv *args = jv_parse(ev->data, ev->data_len);
  if (!args) return;
  const char *name = ev->name;
  const jv *a0 = jv_at(args, 0), *a1 = jv_at(args, 1);
  sio_target self = target(ev->nsp, ev->sid);
  sio_target nsp_all = target(ev->nsp, NULL);
  text t = {0};
  if ((!strcmp(name, "join") || !strcmp(name, "leave")) && a0 && a0->type == JV_STRING) {
    const char *room = a0->str;
    if (name[0] == 'j')
      check(sio_join(srv, &self, &room, 1, NULL), "join");
    else
      check(sio_leave(srv, &self, &room, 1, NULL), "leave");
    /* The rooms once the join or leave has run: ["sid", ...] sorted. */
    char *rooms = NULL;
    jv *list = sio_socket_rooms(srv, ev->sid, &rooms) == 0 ? jv_parse(rooms, strlen(rooms)) : NULL;
    text_puts(&t, "[");
    sorted_rooms_json(&t, list);
    text_puts(&t, "]");
    ack_with(srv, ev, t.s);
    jv_free(list);
    sio_free(rooms);
  } else if (!strcmp(name, "to") && a1 && a1->type == JV_STRING) {
    const char *rooms[64];
    sio_target to = target(ev->nsp, NULL);
    to.rooms = rooms;
    to.nrooms = room_list(a0, rooms, 64);
    args_from(&t, args, 2);
    emit_to(srv, &to, a1->str, t.s, t.len, ev->bins, ev->nbins, "to");
  } else if (!strcmp(name, "to-except")) {
    const jv *event = jv_at(args, 2);
    const char *rooms[64], *except[64];
    sio_target to = target(ev->nsp, NULL);
    to.rooms = rooms;
    to.nrooms = room_list(a0, rooms, 64);
    to.except = except;
    to.nexcept = room_list(a1, except, 64);
    if (event && event->type == JV_STRING) {
      args_from(&t, args, 3);
      emit_to(srv, &to, event->str, t.s, t.len, ev->bins, ev->nbins, "to-except");
    }
  } else if ((!strcmp(name, "broadcast") || !strcmp(name, "volatile")) && a0 && a0->type == JV_STRING) {
    const char *me = ev->sid;
    sio_target to = target(ev->nsp, NULL);
    to.except = &me;
    to.nexcept = 1;
    int is_volatile = name[0] == 'v';
    args_from(&t, args, 1);
    sio_message m = message(a0->str, t.s, t.len, ev->bins, ev->nbins);
    m.flags = is_volatile ? SIO_EMIT_VOLATILE : 0;
    check(sio_emit(srv, is_volatile ? &self : &to, &m, NULL), name);
  } else if (!strcmp(name, "volatile-to") && a0 && a0->type == JV_STRING && a1 && a1->type == JV_STRING) {
    const char *room = a0->str;
    sio_target to = target(ev->nsp, NULL);
    to.rooms = &room;
    to.nrooms = 1;
    args_from(&t, args, 2);
    sio_message m = message(a1->str, t.s, t.len, ev->bins, ev->nbins);
    m.flags = SIO_EMIT_VOLATILE;
    check(sio_emit(srv, &to, &m, NULL), "volatile-to");
  } else if (!strcmp(name, "socket-to") && a0 && a0->type == JV_STRING && a1 && a1->type == JV_STRING) {
    const char *me = ev->sid, *room = a0->str;
    sio_target to = target(ev->nsp, NULL);
    to.rooms = &room;
    to.nrooms = 1;
    to.except = &me;
    to.nexcept = 1;
    args_from(&t, args, 2);
    emit_to(srv, &to, a1->str, t.s, t.len, ev->bins, ev->nbins, "socket-to");
  } else if (!strcmp(name, "of") && a0 && a0->type == JV_STRING && a1 && a1->type == JV_STRING) {
    sio_target to = target(a0->str, NULL);
    args_from(&t, args, 2);
    emit_to(srv, &to, a1->str, t.s, t.len, ev->bins, ev->nbins, "of");
  } else if ((!strcmp(name, "server-ack") || !strcmp(name, "broadcast-ack") ||
              !strcmp(name, "server-ack-reply")) &&
             a0 && a1) {
    /* server-ack-reply names the result's event first; the rest is server-ack's. */
    int with_reply = !strcmp(name, "server-ack-reply");
    const jv *timeout = with_reply ? a1 : a0, *event = jv_at(args, with_reply ? 2 : 1);
    int single = name[0] == 's';
    if (timeout->type == JV_NUMBER && event && event->type == JV_STRING &&
        (!with_reply || a0->type == JV_STRING)) {
      uint64_t req;
      args_from(&t, args, with_reply ? 3 : 2);
      sio_message m = message(event->str, t.s, t.len, ev->bins, ev->nbins);
      m.flags = SIO_EMIT_ACK;
      m.timeout_ms = (int)timeout->number;
      int rc = sio_emit(srv, single ? &self : &nsp_all, &m, &req);
      check(rc, name);
      if (rc == 0) {
        pending *p = remember(req, P_EMIT_ACK, ev, -1);
        snprintf(p->reply, sizeof(p->reply), "%s",
                 with_reply ? a0->str : single ? "server-ack-result" : "broadcast-ack-result");
      }
    }
  } else if (!strcmp(name, "hold-ack") && a0 && a0->type == JV_STRING) {
    if (ev->ack_id >= 0) hold_ack(a0->str, ev);
  } else if (!strcmp(name, "release-ack") && a0 && a0->type == JV_STRING) {
    held_ack h;
    if (release_ack(a0->str, &h)) {
      args_from(&t, args, 1);
      ack_socket(srv, h.sid, h.ack_id, t.s, t.len, ev->bins, ev->nbins, name);
    }
  } else if (!strcmp(name, "server-side-emit")) {
    uint64_t req;
    args_from(&t, args, 0);
    sio_message m = message("sse", t.s, t.len, NULL, 0);
    m.flags = SIO_EMIT_ACK;
    int rc = sio_server_side_emit(srv, &m, &req);
    check(rc, name);
    if (rc == 0) remember(req, P_SERVER_SIDE, ev, ev->ack_id);
  } else if (!strcmp(name, "fetch") || !strcmp(name, "fetch-data")) {
    uint64_t req;
    check(sio_fetch_sockets(srv, &nsp_all, &req), name);
    remember(req, name[5] ? P_FETCH_DATA : P_FETCH, ev, ev->ack_id);
  } else if (!strcmp(name, "set-data")) {
    /* The value as the client sent it; none (undefined) is kept as null. */
    t.len = 0;
    if (a0) text_add(&t, a0->raw, a0->raw_len);
    check(sio_socket_set_data(srv, ev->sid, a0 ? t.s : NULL), name);
    ack_with(srv, ev, "[]");
  } else if ((!strcmp(name, "sockets-join") || !strcmp(name, "sockets-leave")) && a0 &&
             a0->type == JV_STRING) {
    const char *room = a0->str;
    if (!strcmp(name, "sockets-join"))
      check(sio_join(srv, &nsp_all, &room, 1, NULL), name);
    else
      check(sio_leave(srv, &nsp_all, &room, 1, NULL), name);
    ack_with(srv, ev, "[]");
  } else if (!strcmp(name, "disconnect-room") && a0 && a0->type == JV_STRING) {
    const char *room = a0->str;
    sio_target to = target(ev->nsp, NULL);
    to.rooms = &room;
    to.nrooms = 1;
    int close = a1 && a1->type == JV_BOOL && a1->boolean;
    check(sio_disconnect(srv, &to, close ? SIO_DISCONNECT_CLOSE : 0, NULL), name);
  } else if (!strcmp(name, "disconnect-me")) {
    int close = a0 && a0->type == JV_BOOL && a0->boolean;
    check(sio_disconnect(srv, &self, close ? SIO_DISCONNECT_CLOSE : 0, NULL), name);
  } else if (!strcmp(name, "flood")) {
    flood(srv, ev, a0, a1);
  } else if (!strcmp(name, "transport")) {
    const char *transport = NULL;
    check(sio_socket_transport(srv, ev->sid, &transport), name);
    text_puts(&t, "[");
    text_quote(&t, transport ? transport : "");
    text_puts(&t, "]");
    ack_with(srv, ev, t.s);
  } else if (!strcmp(name, "last-connection-errors")) {
    text_puts(&t, "[[");
    for (size_t i = 0; i < nconnection_errors; i++) {
      if (i) text_puts(&t, ",");
      text_puts(&t, connection_errors[i]);
    }
    text_puts(&t, "]]");
    ack_with(srv, ev, t.s);
  } else if (!strcmp(name, "recovered")) {
    ack_with(srv, ev, was_recovered(ev) ? "[true]" : "[false]");
  } else if (!strcmp(name, "last-disconnects")) {
    text_puts(&t, "[[");
    int first = 1;
    for (size_t i = 0; i < ndisconnects; i++) {
      if (strcmp(disconnects[i].nsp, ev->nsp)) continue;
      text_puts(&t, first ? "[" : ",[");
      first = 0;
      text_quote(&t, disconnects[i].sid);
      text_puts(&t, ",");
      text_quote(&t, disconnects[i].reason);
      text_puts(&t, "]");
    }
    text_puts(&t, "]]");
    ack_with(srv, ev, t.s);
  }
  free(t.s);
  jv_free(args);
}

static void on_sockets(sio_server *srv, const sio_event *ev) {
  pending p;
  if (!recall(ev->req, &p)) return;
  jv *list = jv_parse(ev->data, ev->data_len);
  text t = {0};
  if (!list) return;
  qsort(list->items, list->count, sizeof(jv), compare_socket);
  text_puts(&t, "[[");
  for (size_t i = 0; i < list->count; i++) {
    const jv *id = jv_get(&list->items[i], "id");
    if (i) text_puts(&t, ",");
    text_puts(&t, "{\"id\":");
    text_quote(&t, id && id->str ? id->str : "");
    if (p.kind == P_FETCH_DATA) {
      const jv *data = jv_get(&list->items[i], "data");
      text_puts(&t, ",\"data\":");
      if (data) text_add(&t, data->raw, data->raw_len);
      else text_puts(&t, "null");
    } else {
      text_puts(&t, ",\"rooms\":");
      sorted_rooms_json(&t, jv_get(&list->items[i], "rooms"));
    }
    text_puts(&t, "}");
  }
  text_puts(&t, "]]");
  if (p.ack_id >= 0) ack_socket(srv, p.sid, p.ack_id, t.s, t.len, NULL, 0, "ack");
  free(t.s);
  jv_free(list);
}

static void on_ack(sio_server *srv, const sio_event *ev) {
  pending p;
  if (!recall(ev->req, &p)) return;
  text t = {0};
  if (p.kind == P_SERVER_SIDE) {
    /* server-side-emit's answer: {err, res}. */
    text_puts(&t, "[{\"err\":");
    if (ev->err) text_quote(&t, ev->reason ? ev->reason : "error");
    else text_puts(&t, "null");
    text_puts(&t, ",\"res\":");
    if (ev->data) text_add(&t, ev->data, ev->data_len);
    else text_puts(&t, "[]");
    text_puts(&t, "}]");
    if (p.ack_id >= 0) ack_socket(srv, p.sid, p.ack_id, t.s, t.len, NULL, 0, "server-side-emit");
    free(t.s);
    return;
  }
  text_puts(&t, "[");
  if (ev->err) text_quote(&t, ev->reason ? ev->reason : "error");
  else text_puts(&t, "null");
  text_puts(&t, ",");
  if (ev->data) text_add(&t, ev->data, ev->data_len);
  else text_puts(&t, "[]");
  text_puts(&t, "]");
  emit_to_socket(srv, p.nsp, p.sid, p.reply, t.s, t.len, ev->bins, ev->nbins);
  free(t.s);
}

/* serverSideEmit from another node: "sse" ...args, cb -> cb(args[0]). */
static void on_server_side_event(sio_server *srv, const sio_event *ev) {
  if (strcmp(ev->name, "sse") != 0 || ev->ack_id < 0) return;
  jv *args = jv_parse(ev->data, ev->data_len);
  if (!args) return;
  text t = {0};
  args_from(&t, args, 0);
  /* Only the first argument goes back; the adapter keeps that one. */
  sio_message m = message(NULL, t.s, t.len, NULL, 0);
  check(sio_server_side_ack(srv, (uint64_t)ev->ack_id, &m, NULL), "sse");
  free(t.s);
  jv_free(args);
}

/* allowRequest: refused when the query has "deny" (its value is the
 * message), else accepted; "sticky" in the query adds X-Sticky with its
 * value to the handshake's response. */
static void on_allow_request(sio_server *srv, const sio_event *ev) {
  jv *req = jv_parse(ev->data, ev->data_len);
  const jv *query = jv_get(req, "query");
  const jv *deny = jv_get(query, "deny");
  const jv *sticky = jv_get(query, "sticky");
  if (deny && deny->type == JV_STRING) {
    check(sio_request_refuse(srv, ev->req, deny->str), "refuse request");
  } else if (sticky && sticky->type == JV_STRING) {
    text t = {0};
    text_puts(&t, "{\"X-Sticky\":");
    text_quote(&t, sticky->str);
    text_puts(&t, "}");
    check(sio_request_accept(srv, ev->req, t.s), "accept request");
    free(t.s);
  } else {
    check(sio_request_accept(srv, ev->req, NULL), "accept request");
  }
  jv_free(req);
}

/* Sockets whose auth asked for "upgrades" carry a tag: they hear of their
 * connection's upgrade. */
static int wants_upgrades;

static void on_upgrade(sio_server *srv, const sio_event *ev) {
  if (ev->socket_user != &wants_upgrades) return;
  text t = {0};
  text_puts(&t, "[");
  text_quote(&t, ev->name);
  text_puts(&t, "]");
  emit_to_socket(srv, ev->nsp, ev->sid, "upgrade", t.s, t.len, NULL, 0);
  free(t.s);
}

static void on_connect_request(sio_server *srv, const sio_event *ev) {
  jv *hs = jv_parse(ev->data, ev->data_len);
  const jv *token = jv_get(jv_get(hs, "auth"), "token");
  if (!strcmp(ev->nsp, "/private")) {
    if (token && token->type == JV_STRING && !strcmp(token->str, "secret"))
      check(sio_connect_accept(srv, ev->req), "accept");
    else
      check(sio_connect_refuse(srv, ev->req, "not authorized", "{\"reason\":\"bad token\"}"), "refuse");
  } else if (!strncmp(ev->nsp, "/dyn-", 5)) {
    check(sio_connect_accept(srv, ev->req), "accept");
  } else {
    check(sio_connect_refuse(srv, ev->req, "Invalid namespace", NULL), "refuse");
  }
  jv_free(hs);
}

static void on_connection(sio_server *srv, const sio_event *ev) {
  remember_namespace(ev->nsp);
  if (ev->flags & SIO_EVF_RECOVERED) record_recovered(ev);
  jv *hs = jv_parse(ev->data, ev->data_len);
  const jv *auth = jv_get(hs, "auth");
  text t = {0};
  text_puts(&t, "[");
  if (auth) text_add(&t, auth->raw, auth->raw_len);
  else text_puts(&t, "{}");
  text_puts(&t, "]");
  emit_to_socket(srv, ev->nsp, ev->sid, "auth", t.s, t.len, NULL, 0);
  const jv *upgrades = jv_get(auth, "upgrades");
  if (upgrades && upgrades->type == JV_BOOL && upgrades->boolean)
    check(sio_socket_set_user(srv, ev->sid, &wants_upgrades), "set user");
  const jv *echo = jv_get(auth, "handshake");
  if (echo && echo->type == JV_BOOL && echo->boolean) {
    t.len = 0;
    text_puts(&t, "[{");
    static const char *const fields[] = {"query", "headers", "url", "secure"};
    for (size_t i = 0; i < 4; i++) {
      const jv *v = jv_get(hs, fields[i]);
      text_puts(&t, i ? ",\"" : "\"");
      text_puts(&t, fields[i]);
      text_puts(&t, "\":");
      if (v) text_add(&t, v->raw, v->raw_len);
      else text_puts(&t, "null");
    }
    text_puts(&t, "}]");
    emit_to_socket(srv, ev->nsp, ev->sid, "handshake", t.s, t.len, NULL, 0);
  }
  free(t.s);
  jv_free(hs);
}

/* ---- main ------------------------------------------------------------------ */

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
  sio_context_wakeup(ctx);
}

static void on_pump_signal(int sig) {
  pump_stopped = sig == SIGUSR1;
  sio_context_wakeup(ctx);
}

static void usage(void) {
  fprintf(stderr,
          "usage: sio_test_server [--port N] [--ping-interval MS] [--ping-timeout MS]\n"
          "       [--connect-timeout MS] [--max-http-buffer-size BYTES] [--cors-origin ORIGIN]\n"
          "       [--transports polling,websocket] [--parser json|msgpack] [--serve-client DIR]\n"
          "       [--max-queued-events N] [--headers-timeout MS] [--request-timeout MS]\n"
          "       [--host HOST] [--reuse-port] [--tls-cert PEM --tls-key PEM]\n"
          "       [--allow-eio3 true|false]\n"
          "       [--allow-request true] [--connection-errors true] [--cookie NAME]\n"
          "       [--initial-headers JSON] [--headers JSON]\n"
          "       [--recovery MS] [--redis redis://HOST:PORT]\n"
          "       [--redis-sharded [--subscription-mode static|dynamic|dynamic-private]]\n"
          "       [--per-message-deflate true|false] [--per-message-deflate-threshold BYTES]\n"
          "       [--http-compression true|false] [--http-compression-threshold BYTES]\n");
  exit(2);
}

int main(int argc, char **argv) {
  static const struct {
    const char *flag, *key;
  } flags[] = {{"--port", "port"},
               {"--host", "host"},
               {"--tls-cert", "tls.cert"},
               {"--tls-key", "tls.key"},
               {"--ping-interval", "pingInterval"},
               {"--ping-timeout", "pingTimeout"},
               {"--connect-timeout", "connectTimeout"},
               {"--recovery", "connectionStateRecovery.maxDisconnectionDuration"},
               {"--max-http-buffer-size", "maxHttpBufferSize"},
               {"--per-message-deflate", "perMessageDeflate"},
               {"--per-message-deflate-threshold", "perMessageDeflate.threshold"},
               {"--http-compression", "httpCompression"},
               {"--http-compression-threshold", "httpCompression.threshold"},
               {"--cors-origin", "cors.origin"},
               {"--allow-request", "allowRequest"},
               {"--connection-errors", "connectionErrorEvents"},
               {"--cookie", "cookie"},
               {"--initial-headers", "headers.initial"},
               {"--headers", "headers"},
               {"--transports", "transports"},
               {"--allow-eio3", "allowEIO3"},
               {"--parser", "parser"},
               {"--serve-client", "serveClient"},
               {"--max-queued-events", "maxQueuedEvents"},
               {"--headers-timeout", "headersTimeout"},
               {"--request-timeout", "requestTimeout"},
               {"--redis", "adapter"},
               {"--subscription-mode", "adapter.subscriptionMode"}};
  sio_options *opts;
  if (sio_options_new(&opts)) return 1;
  sio_options_set(opts, "port", "3000");
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reuse-port") == 0) {
      sio_options_set(opts, "reusePort", "true");
      continue;
    }
    if (strcmp(argv[i], "--redis-sharded") == 0) {
      sio_options_set(opts, "adapter.sharded", "true");
      continue;
    }
    size_t k = 0;
    while (k < sizeof(flags) / sizeof(flags[0]) && strcmp(argv[i], flags[k].flag)) k++;
    if (k == sizeof(flags) / sizeof(flags[0]) || i + 1 >= argc) usage();
    if (sio_options_set(opts, flags[k].key, argv[++i])) {
      fprintf(stderr, "sio_test_server: %s\n", sio_last_error());
      return 2;
    }
  }
  if (sio_context_new(&ctx)) {
    fprintf(stderr, "sio_test_server: %s\n", sio_last_error());
    return 1;
  }
  sio_server *srv;
  int rc = sio_server_new(ctx, opts, &srv);
  sio_options_free(opts);
  if (rc) {
    fprintf(stderr, "sio_test_server: %s\n", sio_last_error());
    sio_context_free(ctx);
    return 1;
  }
  sio_server_of(srv, "/custom", 0);
  sio_server_of(srv, "/private", SIO_NS_MIDDLEWARE);
  sio_server_of(srv, "*", SIO_NS_MIDDLEWARE);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGUSR1, on_pump_signal);
  signal(SIGUSR2, on_pump_signal);
  printf("listening on %d\n", sio_server_port(srv));
  fflush(stdout);

  int closing = 0;
  for (;;) {
    while (pump_stopped && !stopping) nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    if (stopping && !closing) {
      closing = 1;
      for (size_t i = 0; i < nnamespaces; i++) {
        sio_target all = target(namespaces[i], NULL);
        check(sio_disconnect(srv, &all, 0, NULL), "disconnect");
      }
      sio_server_close(srv);
    }
    const sio_event *batch[64];
    rc = sio_next_events(ctx, closing ? 5000 : -1, batch, 64);
    if (rc < 0) {
      /* The pump failing is a bug in the core: make it visible. */
      fprintf(stderr, "sio_test_server: sio_next_events: %s\n", sio_last_error());
      sio_context_free(ctx);
      return 1;
    }
    if (rc == 0 && closing) break;
    for (int i = 0; i < rc; i++) {
      const sio_event *ev = batch[i];
      switch (ev->type) {
        case SIO_EV_CONNECTION: on_connection(srv, ev); break;
        case SIO_EV_CONNECT_REQUEST: on_connect_request(srv, ev); break;
        case SIO_EV_EVENT: on_event(srv, ev); break;
        case SIO_EV_ACK: on_ack(srv, ev); break;
        case SIO_EV_SOCKETS: on_sockets(srv, ev); break;
        case SIO_EV_DISCONNECT: record_disconnect(ev); break;
        case SIO_EV_ALLOW_REQUEST: on_allow_request(srv, ev); break;
        case SIO_EV_UPGRADE: on_upgrade(srv, ev); break;
        case SIO_EV_CONNECTION_ERROR: record_connection_error(ev); break;
        case SIO_EV_SERVER_SIDE_EVENT: on_server_side_event(srv, ev); break;
        /* On stdout, where the tests of the cluster look for them. */
        case SIO_EV_ADAPTER_DOWN:
          printf("adapter down: %s\n", ev->reason ? ev->reason : "");
          fflush(stdout);
          break;
        case SIO_EV_ADAPTER_UP:
          printf("adapter up\n");
          fflush(stdout);
          break;
        case SIO_EV_EVENTS_LOST:
          fprintf(stderr, "test_server: %llu events lost\n", (unsigned long long)ev->count);
          break;
        case SIO_EV_SERVER_CLOSED: goto done;
        default: break;
      }
    }
  }
done:
  sio_context_free(ctx);
  free(pendings);
  free(held);
  free(disconnects);
  free(namespaces);
  for (size_t i = 0; i < nconnection_errors; i++) free(connection_errors[i]);
  free(connection_errors);
  return 0;
}
