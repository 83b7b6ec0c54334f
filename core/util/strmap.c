#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char tombstone_;
#define STRMAP_TOMBSTONE (&tombstone_)

/* Eight bytes a step: a socket id is looked up per emit, and a byte-wise
 * hash of its 20 characters is a chain of 20 dependent multiplications. */
static size_t hash_str(const char *s) {
  size_t n = strlen(s);
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
  for (; n >= 8; s += 8, n -= 8) {
    memcpy(&w, s, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  w = 0;
  memcpy(&w, s, n);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  return (size_t)(h ^ (h >> 29));
}

static strmap_slot *find(const strmap *m, const char *key, size_t hash) {
  if (!m->cap) return NULL;
  size_t mask = m->cap - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    strmap_slot *s = &m->slots[i];
    if (!s->key) return NULL;
    if (s->hash == hash && s->key != STRMAP_TOMBSTONE && strcmp(s->key, key) == 0) return s;
  }
}

void *strmap_get(const strmap *m, const char *key) {
  strmap_slot *s = find(m, key, hash_str(key));
  return s ? s->value : NULL;
}

static int grow(strmap *m) {
  size_t cap = m->cap ? m->cap : 8;
  /* Rehash in place of tombstones when they, not live keys, fill the table. */
  if (m->len * 2 >= cap) cap *= 2;
  strmap_slot *slots = calloc(cap, sizeof(*slots));
  if (!slots) return -1;
  for (size_t i = 0; i < m->cap; i++) {
    strmap_slot *s = &m->slots[i];
    if (!s->key || s->key == STRMAP_TOMBSTONE) continue;
    size_t j = s->hash & (cap - 1);
    while (slots[j].key) j = (j + 1) & (cap - 1);
    slots[j] = *s;
  }
  free(m->slots);
  m->slots = slots;
  m->cap = cap;
  m->used = m->len;
  return 0;
}

int strmap_put(strmap *m, const char *key, void *value) {
  size_t hash = hash_str(key);
  strmap_slot *s = find(m, key, hash);
  if (s) {
    s->value = value;
    return 0;
  }
  if ((m->used + 1) * 4 > m->cap * 3 && grow(m)) return -1;
  char *k = strdup(key);
  if (!k) return -1;
  size_t mask = m->cap - 1;
  size_t i = hash & mask;
  while (m->slots[i].key && m->slots[i].key != STRMAP_TOMBSTONE) i = (i + 1) & mask;
  if (!m->slots[i].key) m->used++;
  m->slots[i].key = k;
  m->slots[i].value = value;
  m->slots[i].hash = hash;
  m->len++;
  return 0;
}

void *strmap_del(strmap *m, const char *key) {
  strmap_slot *s = find(m, key, hash_str(key));
  if (!s) return NULL;
  void *v = s->value;
  free(s->key);
  s->key = STRMAP_TOMBSTONE;
  s->value = NULL;
  m->len--;
  if (m->len == 0) {
    /* An empty map drops its tombstones so probes stay short. */
    memset(m->slots, 0, m->cap * sizeof(*m->slots));
    m->used = 0;
  }
  return v;
}

void strmap_free(strmap *m) {
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key && m->slots[i].key != STRMAP_TOMBSTONE) free(m->slots[i].key);
  free(m->slots);
  m->slots = NULL;
  m->cap = m->len = m->used = 0;
}

int strmap_next(const strmap *m, size_t *i, const char **key, void **value) {
  for (; *i < m->cap; (*i)++) {
    strmap_slot *s = &m->slots[*i];
    if (s->key && s->key != STRMAP_TOMBSTONE) {
      if (key) *key = s->key;
      if (value) *value = s->value;
      (*i)++;
      return 1;
    }
  }
  return 0;
}
