/* Hash map from NUL-terminated strings to pointers (open addressing, linear
 * probing). Keys are copied; values are borrowed. Used for session ids,
 * socket ids, namespaces and rooms. */
#ifndef SIO_STRMAP_H
#define SIO_STRMAP_H
#include <stddef.h>

typedef struct strmap_slot {
  char *key; /* NULL: empty; STRMAP_TOMBSTONE: deleted */
  void *value;
  /* The key's hash: a probe compares it before it reads the key, which
   * lives elsewhere (a cache miss per probe otherwise). */
  size_t hash;
} strmap_slot;

typedef struct strmap {
  strmap_slot *slots;
  size_t cap;  /* power of two, or 0 */
  size_t len;  /* live entries */
  size_t used; /* live + tombstones */
} strmap;

#define STRMAP_INIT {NULL, 0, 0, 0}

void *strmap_get(const strmap *m, const char *key);
/* Inserts or replaces. 0, or -1 when out of memory. */
int strmap_put(strmap *m, const char *key, void *value);
/* Returns the removed value, or NULL. */
void *strmap_del(strmap *m, const char *key);
void strmap_free(strmap *m);

/* Iteration: for (size_t i = 0; strmap_next(m, &i, &k, &v);) — the map must
 * not change meanwhile, except strmap_del of the current key. */
int strmap_next(const strmap *m, size_t *i, const char **key, void **value);
#endif
