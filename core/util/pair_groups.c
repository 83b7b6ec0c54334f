#include "pair_groups.h"

#include <stdlib.h>
#include <string.h>

#include "random_bytes.h"

/* The names come from the peer: a secret seed keeps it from choosing names
 * that all land in one bucket, which would make the grouping quadratic. */
static uint64_t seed(void) {
  static _Thread_local uint64_t s;
  static _Thread_local int ready;
  if (!ready) {
    if (random_bytes(&s, sizeof(s))) s = (uint64_t)(uintptr_t)&s;
    ready = 1;
  }
  return s;
}

static uint64_t hash(const char *p, uint64_t h) {
  for (; *p; p++) h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
  return h ^ (h >> 31);
}

const char *pair_value(const char *name) { return name + strlen(name) + 1; }

#define FEW_SLOTS (2 * PAIR_GROUPS_FEW)

/* Each slot holds the last index seen of its name, plus one (0: empty). */
static void group(pair_groups *g, size_t n, uint32_t *slot, size_t cap) {
  uint64_t h0 = seed();
  for (size_t i = 0; i < n; i++) {
    g->next[i] = PAIR_GROUPS_END;
    g->first[i] = 1;
    size_t k = (size_t)hash(g->name[i], h0) & (cap - 1);
    for (; slot[k]; k = (k + 1) & (cap - 1)) {
      uint32_t last = slot[k] - 1;
      if (strcmp(g->name[last], g->name[i]) == 0) {
        g->next[last] = (uint32_t)i;
        g->first[i] = 0;
        break;
      }
    }
    slot[k] = (uint32_t)i + 1;
  }
}

int pair_groups_build(pair_groups *g, const char *list, size_t n) {
  g->block = NULL;
  g->name = g->few_name;
  g->next = g->few_next;
  g->first = g->few_first;
  if (n >= PAIR_GROUPS_END / 2) return -1;
  size_t cap = FEW_SLOTS;
  while (cap < 2 * n) cap *= 2;
  uint32_t few_slots[FEW_SLOTS] = {0}, *slot = few_slots;
  if (n > PAIR_GROUPS_FEW) {
    /* The table first: it is the part that must be aligned for its words. */
    g->block = calloc(1, cap * sizeof(*slot) + n * (sizeof(*g->name) + sizeof(*g->next) + 1));
    if (!g->block) return -1;
    slot = g->block;
    g->name = (const char **)(slot + cap);
    g->next = (uint32_t *)(g->name + n);
    g->first = (unsigned char *)(g->next + n);
  }
  const char *p = list;
  for (size_t i = 0; i < n; i++) {
    g->name[i] = p;
    p = pair_value(p);
    p += strlen(p) + 1;
  }
  group(g, n, slot, cap);
  return 0;
}

void pair_groups_free(pair_groups *g) {
  free(g->block);
  g->block = NULL;
}
