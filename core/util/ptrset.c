#include "ptrset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char tombstone_;
#define PTRSET_TOMBSTONE ((void *)&tombstone_)

static size_t hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (size_t)x;
}

static long find(const ptrset *s, const void *p) {
  if (!s->cap) return -1;
  size_t mask = s->cap - 1;
  for (size_t i = hash_ptr(p) & mask;; i = (i + 1) & mask) {
    if (!s->slots[i]) return -1;
    if (s->slots[i] == p) return (long)i;
  }
}

int ptrset_has(const ptrset *s, const void *p) { return find(s, p) >= 0; }

static int grow(ptrset *s) {
  size_t cap = s->cap ? s->cap : 4;
  if (s->len * 2 >= cap) cap *= 2;
  void **slots = calloc(cap, sizeof(*slots));
  if (!slots) return -1;
  for (size_t i = 0; i < s->cap; i++) {
    void *p = s->slots[i];
    if (!p || p == PTRSET_TOMBSTONE) continue;
    size_t j = hash_ptr(p) & (cap - 1);
    while (slots[j]) j = (j + 1) & (cap - 1);
    slots[j] = p;
  }
  free(s->slots);
  s->slots = slots;
  s->cap = cap;
  s->used = s->len;
  return 0;
}

int ptrset_add(ptrset *s, void *p) {
  if (find(s, p) >= 0) return 0;
  if ((s->used + 1) * 4 > s->cap * 3 && grow(s)) return -1;
  size_t mask = s->cap - 1;
  size_t i = hash_ptr(p) & mask;
  while (s->slots[i] && s->slots[i] != PTRSET_TOMBSTONE) i = (i + 1) & mask;
  if (!s->slots[i]) s->used++;
  s->slots[i] = p;
  s->len++;
  return 1;
}

int ptrset_del(ptrset *s, const void *p) {
  long i = find(s, p);
  if (i < 0) return 0;
  s->slots[i] = PTRSET_TOMBSTONE;
  s->len--;
  if (s->len == 0) {
    memset(s->slots, 0, s->cap * sizeof(*s->slots));
    s->used = 0;
  }
  return 1;
}

void ptrset_free(ptrset *s) {
  free(s->slots);
  s->slots = NULL;
  s->cap = s->len = s->used = 0;
}

void *ptrset_next(const ptrset *s, size_t *i) {
  for (; *i < s->cap; (*i)++) {
    void *p = s->slots[*i];
    if (p && p != PTRSET_TOMBSTONE) {
      (*i)++;
      return p;
    }
  }
  return NULL;
}
