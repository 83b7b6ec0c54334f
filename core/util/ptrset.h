/* Set of pointers (open addressing): the members of a room. */
#ifndef SIO_PTRSET_H
#define SIO_PTRSET_H
#include <stddef.h>

typedef struct ptrset {
  void **slots; /* NULL: empty; PTRSET_TOMBSTONE: deleted */
  size_t cap, len, used;
} ptrset;

#define PTRSET_INIT {NULL, 0, 0, 0}

int ptrset_has(const ptrset *s, const void *p);
/* 1 added, 0 already there, -1 out of memory. */
int ptrset_add(ptrset *s, void *p);
/* 1 removed, 0 absent. */
int ptrset_del(ptrset *s, const void *p);
void ptrset_free(ptrset *s);
/* for (size_t i = 0; (p = ptrset_next(s, &i));) */
void *ptrset_next(const ptrset *s, size_t *i);
#endif
