#include "recovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/json.h"
#include "../../util/sbuf.h"

struct rec_packet {
  uint64_t id, at;
  const void *nsp;
  char **rooms, **except;  /* within one block with the strings */
  size_t nrooms, nexcept;
  size_t bytes;
  size_t nmsgs;
  rbuf *msgs[];
};

/* ---- expiry ------------------------------------------------------------------ */

static rec_packet *log_at(const recovery *r, size_t i) { return r->log[(r->head + i) % r->cap]; }

static void drop_oldest_packet(recovery *r) {
  rec_packet *p = log_at(r, 0);
  r->head = (r->head + 1) % r->cap;
  r->len--;
  r->bytes -= p->bytes;
  for (size_t i = 0; i < p->nmsgs; i++) rbuf_unref(p->msgs[i]);
  free(p->rooms);
  free(p);
}

static void unlink_session(recovery *r, rec_session *s) {
  if (s->prev) s->prev->next = s->next;
  else r->oldest = s->next;
  if (s->next) s->next->prev = s->prev;
  else r->newest = s->prev;
  s->prev = s->next = NULL;
  strmap_del(&r->sessions, s->pid);
  r->data_bytes -= s->data_len;
}

static void schedule(recovery *r);

static void on_expiry(uv_timer_t *t) {
  recovery *r = t->data;
  uint64_t now = uv_now(r->loop);
  while (r->oldest && r->oldest->at + r->opts.max_duration < now) {
    rec_session *s = r->oldest;
    unlink_session(r, s);
    recovery_session_free(s);
  }
  while (r->len && log_at(r, 0)->at + r->opts.max_duration < now) drop_oldest_packet(r);
  schedule(r);
}

/* The timer runs while anything is stored, for the first thing to expire. */
static void schedule(recovery *r) {
  if (!r->timer || uv_is_active((uv_handle_t *)r->timer)) return;
  uint64_t first = UINT64_MAX;
  if (r->oldest) first = r->oldest->at;
  if (r->len && log_at(r, 0)->at < first) first = log_at(r, 0)->at;
  if (first == UINT64_MAX) return;
  uint64_t due = first + r->opts.max_duration + 1, now = uv_now(r->loop);
  uv_timer_start(r->timer, on_expiry, due > now ? due - now : 0, 0);
}

int recovery_start(recovery *r, uv_loop_t *loop) {
  if (!recovery_on(r)) return 0;
  r->loop = loop;
  r->timer = malloc(sizeof(*r->timer));
  if (!r->timer) return -1;
  uv_timer_init(loop, r->timer);
  r->timer->data = r;
  return 0;
}

/* ---- the packet log ------------------------------------------------------------ */

uint64_t recovery_next_offset(recovery *r, char text[RECOVERY_OFFSET_MAX + 1]) {
  uint64_t id = ++r->next_id, v = id;
  char tmp[RECOVERY_OFFSET_MAX];
  size_t n = 0;
  do tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
  while ((v /= 36) != 0);
  for (size_t i = 0; i < n; i++) text[i] = tmp[n - 1 - i];
  text[n] = 0;
  return id;
}

/* 0 when text is not an offset this store could have written. */
static uint64_t parse_offset(const char *text, size_t n) {
  if (n == 0 || n > RECOVERY_OFFSET_MAX || (n > 1 && text[0] == '0')) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    char c = text[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1;
    if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / 36) return 0;
    v = v * 36 + (uint64_t)d;
  }
  return v;
}

/* Copies names into the block that follows the pointer array at *slot. */
static size_t names_size(const char *const *names, size_t n) {
  size_t size = n * sizeof(char *);
  for (size_t i = 0; i < n; i++) size += strlen(names[i]) + 1;
  return size;
}

static char *copy_names(char **slot, char *text, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(names[i]) + 1;
    memcpy(text, names[i], len);
    slot[i] = text;
    text += len;
  }
  return text;
}

void recovery_log(recovery *r, uint64_t id, const void *nsp, const char *const *rooms,
                  size_t nrooms, const char *const *except, size_t nexcept,
                  rbuf *const *msgs, size_t nmsgs) {
  if (!r->timer) return; /* off, or closed */
  rec_packet *p = malloc(sizeof(*p) + nmsgs * sizeof(rbuf *));
  char **names = malloc(names_size(rooms, nrooms) + names_size(except, nexcept) + 1);
  if (r->len == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    rec_packet **log = p && names ? malloc(cap * sizeof(*log)) : NULL;
    if (log) {
      for (size_t i = 0; i < r->len; i++) log[i] = log_at(r, i);
      free(r->log);
      r->log = log;
      r->head = 0;
      r->cap = cap;
    }
  }
  if (!p || !names || r->len == r->cap) {
    /* A packet missing from the log only makes the sessions that would
     * have needed it not recoverable (their offset is not found). */
    free(p);
    free(names);
    return;
  }
  p->id = id;
  p->at = uv_now(r->loop);
  p->nsp = nsp;
  p->rooms = names;
  p->except = names + nrooms;
  p->nrooms = nrooms;
  p->nexcept = nexcept;
  char *text = (char *)(names + nrooms + nexcept);
  text = copy_names(p->rooms, text, rooms, nrooms);
  copy_names(p->except, text, except, nexcept);
  /* What the packet holds, the shared messages included (the log may be the
   * last to hold them). */
  p->bytes = sizeof(*p) + nmsgs * sizeof(rbuf *) + names_size(rooms, nrooms) +
             names_size(except, nexcept);
  p->nmsgs = nmsgs;
  for (size_t i = 0; i < nmsgs; i++) {
    p->msgs[i] = rbuf_ref(msgs[i]);
    p->bytes += sizeof(rbuf) + msgs[i]->len + 1;
  }
  /* The log starts again after a gap: ids must stay consecutive for the
   * lookup by offset. */
  if (r->len && log_at(r, r->len - 1)->id + 1 != id)
    while (r->len) drop_oldest_packet(r);
  r->log[(r->head + r->len) % r->cap] = p;
  r->len++;
  r->bytes += p->bytes;
  while (r->len > 1 && (r->len > RECOVERY_MAX_PACKETS || r->bytes > RECOVERY_MAX_BYTES))
    drop_oldest_packet(r);
  schedule(r);
}

/* ---- sessions -------------------------------------------------------------------- */

void recovery_session_free(rec_session *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nmissed; i++) rbuf_unref(s->missed[i]);
  free(s->missed);
  free(s->rooms);
  free(s->data);
  free(s);
}

void recovery_persist(recovery *r, const char *pid, const char *sid, const void *nsp,
                      const char *const *rooms, size_t nrooms, const char *data) {
  if (!r->timer) return;
  rec_session *s = calloc(1, sizeof(*s));
  char **names = nrooms ? malloc(names_size(rooms, nrooms)) : NULL;
  if (!s || (nrooms && !names) || (data && !(s->data = strdup(data)))) goto fail;
  s->data_len = data ? strlen(data) : 0;
  s->at = uv_now(r->loop);
  s->nsp = nsp;
  snprintf(s->pid, sizeof(s->pid), "%s", pid);
  snprintf(s->sid, sizeof(s->sid), "%s", sid);
  s->rooms = names;
  s->nrooms = nrooms;
  copy_names(names, (char *)(names + nrooms), rooms, nrooms);
  rec_session *old = strmap_get(&r->sessions, s->pid);
  if (old) {
    unlink_session(r, old);
    recovery_session_free(old);
  }
  if (strmap_put(&r->sessions, s->pid, s)) goto fail;
  s->prev = r->newest;
  if (r->newest) r->newest->next = s;
  else r->oldest = s;
  r->newest = s;
  r->data_bytes += s->data_len;
  while (r->oldest &&
         (r->sessions.len > RECOVERY_MAX_SESSIONS || r->data_bytes > RECOVERY_MAX_DATA_BYTES)) {
    rec_session *first = r->oldest;
    unlink_session(r, first);
    recovery_session_free(first);
  }
  schedule(r);
  return;
fail:
  free(names);
  if (s) free(s->data);
  free(s);
}

static int has_name(char *const *names, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0) return 1;
  return 0;
}

/* socket.io-adapter's shouldIncludePacket, the session's rooms being its own
 * id and the rooms it had joined. */
static int was_sent_to(const rec_packet *p, const rec_session *s) {
  if (p->nsp != s->nsp) return 0;
  int included = p->nrooms == 0 || has_name(p->rooms, p->nrooms, s->sid);
  for (size_t i = 0; i < s->nrooms && !included; i++)
    included = has_name(p->rooms, p->nrooms, s->rooms[i]);
  if (!included || has_name(p->except, p->nexcept, s->sid)) return 0;
  for (size_t i = 0; i < s->nrooms; i++)
    if (has_name(p->except, p->nexcept, s->rooms[i])) return 0;
  return 1;
}

static size_t skip_ws(const char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

/* The string member key of the JSON object s into out; 0, or -1 when s is
 * not an object or the member is missing or not a string. */
static int string_member(const char *s, size_t n, const char *key, sbuf *out) {
  size_t i = skip_ws(s, n, 0);
  if (i >= n || s[i] != '{') return -1;
  i = skip_ws(s, n, i + 1);
  while (i < n && s[i] == '"') {
    int match = json_string_equals(s, n, i, key, strlen(key));
    long end = json_skip_value(s, n, i);
    if (end < 0) return -1;
    i = skip_ws(s, n, (size_t)end);
    if (i >= n || s[i] != ':') return -1;
    i = skip_ws(s, n, i + 1);
    if (match) return i < n && s[i] == '"' && json_read_string(s, n, i, out) >= 0 ? 0 : -1;
    end = json_skip_value(s, n, i);
    if (end < 0) return -1;
    i = skip_ws(s, n, (size_t)end);
    if (i < n && s[i] == ',') i = skip_ws(s, n, i + 1);
  }
  return -1;
}

/* The packets s missed after the one with id, in order. */
static int collect_missed(recovery *r, rec_session *s, uint64_t id) {
  size_t first = (size_t)(id - log_at(r, 0)->id) + 1, cap = 0;
  for (size_t i = first; i < r->len; i++) {
    rec_packet *p = log_at(r, i);
    if (!was_sent_to(p, s)) continue;
    if (s->nmissed + p->nmsgs > cap) {
      cap = cap ? cap * 2 : 16;
      while (cap < s->nmissed + p->nmsgs) cap *= 2;
      rbuf **missed = realloc(s->missed, cap * sizeof(*missed));
      if (!missed) return -1;
      s->missed = missed;
    }
    for (size_t k = 0; k < p->nmsgs; k++) s->missed[s->nmissed++] = rbuf_ref(p->msgs[k]);
    if (s->nmissed > RECOVERY_MAX_MISSED) return -1;
  }
  return 0;
}

rec_session *recovery_restore(recovery *r, const void *nsp, const char *auth, size_t len) {
  if (!recovery_on(r)) return NULL;
  sbuf pid = SBUF_INIT, offset = SBUF_INIT;
  rec_session *s = NULL;
  if (string_member(auth, len, "pid", &pid) || string_member(auth, len, "offset", &offset) ||
      sbuf_putc(&pid, 0))
    goto done;
  s = strmap_get(&r->sessions, pid.data);
  if (!s || s->nsp != nsp) {
    s = NULL;
    goto done;
  }
  unlink_session(r, s);
  uint64_t id = parse_offset(offset.data, offset.len);
  int found = id && r->len && id >= log_at(r, 0)->id && id - log_at(r, 0)->id < r->len &&
              log_at(r, (size_t)(id - log_at(r, 0)->id))->nsp == nsp;
  if (s->at + r->opts.max_duration < uv_now(r->loop) || !found || collect_missed(r, s, id)) {
    recovery_session_free(s);
    s = NULL;
  }
done:
  sbuf_free(&pid);
  sbuf_free(&offset);
  return s;
}

int recovery_close(recovery *r, void (*on_closed)(uv_handle_t *h), void *arg) {
  while (r->oldest) {
    rec_session *s = r->oldest;
    unlink_session(r, s);
    recovery_session_free(s);
  }
  strmap_free(&r->sessions);
  while (r->len) drop_oldest_packet(r);
  free(r->log);
  r->log = NULL;
  r->cap = 0;
  if (!r->timer) return 0;
  r->timer->data = arg;
  uv_close((uv_handle_t *)r->timer, on_closed);
  r->timer = NULL;
  return 1;
}
