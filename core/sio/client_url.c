/* The URL given to sio_client_new, split as io(url) splits it: the server
 * to reach, the namespace (the path) and query pairs for every request. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client_manager.h"

static char *dup_range(const char *s, size_t n) {
  char *c = malloc(n + 1);
  if (!c) return NULL;
  memcpy(c, s, n);
  c[n] = 0;
  return c;
}

int cl_url_split(const char *url, char **base, char **nsp, char **query) {
  static const char *const schemes[] = {"http://", "https://", "ws://", "wss://"};
  *base = *nsp = *query = NULL;
  size_t scheme_len = 0;
  for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
    if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0) scheme_len = strlen(schemes[i]);
  if (!scheme_len) return SIO_EINVAL;
  const char *authority = url + scheme_len;
  size_t authority_len = strcspn(authority, "/?#");
  if (authority_len == 0) return SIO_EINVAL;
  const char *path = authority + authority_len;
  size_t path_len = strcspn(path, "?#");
  const char *q = path + path_len;
  size_t query_len = *q == '?' ? strcspn(q + 1, "#") : 0;
  *base = dup_range(url, scheme_len + authority_len);
  *nsp = path_len ? dup_range(path, path_len) : strdup("/");
  if (query_len) *query = dup_range(q + 1, query_len);
  if (!*base || !*nsp || (query_len && !*query)) {
    free(*base);
    free(*nsp);
    free(*query);
    *base = *nsp = *query = NULL;
    return SIO_ENOMEM;
  }
  return 0;
}
