/* Groups the pairs of a "name\0value\0" list (a query string's, a request's
 * headers) by name in one pass: a hash table of indices, no copies. A
 * request carries thousands of names at most, and comparing every pair of
 * them blocked the I/O thread for seconds. */
#ifndef SIO_PAIR_GROUPS_H
#define SIO_PAIR_GROUPS_H
#include <stddef.h>
#include <stdint.h>

#define PAIR_GROUPS_END UINT32_MAX
/* Lists this long are grouped without allocating (a handshake's dozen
 * headers). */
#define PAIR_GROUPS_FEW 32

typedef struct pair_groups {
  const char **name;    /* of pair i; its value follows the name's NUL */
  uint32_t *next;       /* the next pair with the same name, or PAIR_GROUPS_END */
  unsigned char *first; /* 1 for the first pair of each name */
  void *block;
  const char *few_name[PAIR_GROUPS_FEW];
  uint32_t few_next[PAIR_GROUPS_FEW];
  unsigned char few_first[PAIR_GROUPS_FEW];
} pair_groups;

/* 0, or -1 when out of memory (or n does not fit 32 bits); free g either way. */
int pair_groups_build(pair_groups *g, const char *list, size_t n);
void pair_groups_free(pair_groups *g);
/* The value of the pair whose name is at name. */
const char *pair_value(const char *name);
#endif
