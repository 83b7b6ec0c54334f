/* What io(url) makes of its URL beyond where the server is: the path names
 * the namespace the first socket opens, and the query goes with every
 * request. The URL itself is parsed by net/url.c, as the transport does. */
#include <stdlib.h>
#include <string.h>

#include "../../net/url.h"
#include "client_manager.h"

int cl_url_split(const char *url, char **nsp, char **query) {
  *nsp = *query = NULL;
  url_parts u;
  int rc = url_parse(url, &u);
  if (rc) return rc == -2 ? SIO_ENOMEM : SIO_EINVAL;
  *nsp = u.path;
  *query = u.query && u.query[0] ? u.query : NULL;
  if (*query != u.query) free(u.query);
  u.path = u.query = NULL;
  url_parts_free(&u);
  return 0;
}
