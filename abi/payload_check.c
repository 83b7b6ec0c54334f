/* The checks every emit and ack makes on the calling thread, server and
 * client alike, before anything is queued. */
#include <string.h>

#include "../core/util/json.h"
#include "abi_internal.h"

int abi_check_payload(const char *json, size_t len, const sio_buf *bins, size_t nbins,
                      const char *fn) {
  if (!json) return abi_fail(SIO_EINVAL, "%s: args_json is NULL", fn);
  if (nbins > SIO_MAX_ATTACHMENTS)
    return abi_fail(SIO_EINVAL, "%s: at most %d binary attachments", fn, SIO_MAX_ATTACHMENTS);
  if (nbins && !bins) return abi_fail(SIO_EINVAL, "%s: bins is NULL", fn);
  for (size_t i = 0; i < nbins; i++)
    if (bins[i].len && !bins[i].data) return abi_fail(SIO_EINVAL, "%s: bins[%zu].data is NULL", fn, i);
  /* json_count_placeholders validates the whole text as it counts (-1 when
   * it is not JSON), so one pass does both. */
  long found = json_peek(json, len, 0) == '[' ? json_count_placeholders(json, len, nbins) : -1;
  if (found < 0) return abi_fail(SIO_EINVAL, "%s: args_json is not a JSON array", fn);
  if ((size_t)found != nbins)
    return abi_fail(SIO_EINVAL, "%s: %zu attachments but the placeholders do not match", fn, nbins);
  return 0;
}

int abi_reserved_event(const char *event) {
  /* Every emit asks: most names are ruled out by their first letter. */
  if (!event[0] || !strchr("cdnr", event[0])) return 0;
  static const char *const reserved[] = {"connect", "connect_error", "disconnect",
                                         "disconnecting", "newListener", "removeListener"};
  for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
    if (strcmp(event, reserved[i]) == 0) return 1;
  return 0;
}
