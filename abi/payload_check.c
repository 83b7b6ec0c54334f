/* The checks every emit and ack makes on the calling thread, server and
 * client alike, before anything is queued. */
#include <string.h>

#include "../core/util/json.h"
#include "abi_internal.h"

/* The sizes at 1.0: they never change, so a 1.0 host is always accepted. */
#define MESSAGE_SIZE_1_0 (offsetof(sio_message, timeout_ms) + sizeof(int))
#define TARGET_SIZE_1_0 (offsetof(sio_target, nexcept) + sizeof(size_t))
#define EMIT_FLAGS (SIO_EMIT_ACK | SIO_EMIT_VOLATILE | SIO_EMIT_NO_COMPRESS)

static int check_payload(const char *json, size_t len, const sio_buf *bins, size_t nbins,
                         const char *fn) {
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

int abi_check_message(const sio_message *in, int ack, sio_message *out, const char *fn) {
  static const sio_message none = SIO_MESSAGE_INIT;
  if (!in) {
    if (!ack) return abi_fail(SIO_EINVAL, "%s: msg is NULL", fn);
    in = &none;
  }
  int rc = abi_copy_struct(out, sizeof(*out), in, MESSAGE_SIZE_1_0, fn, "sio_message");
  if (rc) return rc;
  if (ack) {
    if (out->event || out->flags || out->timeout_ms)
      return abi_fail(SIO_EINVAL, "%s: an acknowledgement has no event, flags or timeout", fn);
  } else {
    if (!out->event) return abi_fail(SIO_EINVAL, "%s: msg->event is NULL", fn);
    if (abi_reserved_event(out->event))
      return abi_fail(SIO_ERESERVED, "\"%s\" is a reserved event name", out->event);
    if (out->flags & ~EMIT_FLAGS)
      return abi_fail(SIO_EINVAL, "%s: unknown flags 0x%x", fn, out->flags & ~EMIT_FLAGS);
    if (out->timeout_ms < 0) return abi_fail(SIO_EINVAL, "%s: msg->timeout_ms is negative", fn);
  }
  if (!out->args_json) {
    if (out->args_len) return abi_fail(SIO_EINVAL, "%s: msg->args_json is NULL", fn);
    out->args_json = "[]";
    out->args_len = 2;
  }
  return check_payload(out->args_json, out->args_len, out->bins, out->nbins, fn);
}

int abi_check_target(const sio_target *in, sio_target *out, const char *fn) {
  int rc = abi_copy_struct(out, sizeof(*out), in, TARGET_SIZE_1_0, fn, "sio_target");
  if (rc) return rc;
  const sio_target *t = out;
  if (t->flags & ~SIO_TARGET_LOCAL)
    return abi_fail(SIO_EINVAL, "%s: unknown target flags 0x%x", fn, t->flags & ~SIO_TARGET_LOCAL);
  if (t->nsp && t->nsp[0] != '/') return abi_fail(SIO_EINVAL, "%s: namespace must start with \"/\"", fn);
  if (t->sid && t->nrooms)
    return abi_fail(SIO_EINVAL, "%s: a target is one socket (sid) or rooms, not both", fn);
  if (t->nrooms && !t->rooms) return abi_fail(SIO_EINVAL, "%s: rooms is NULL", fn);
  if (t->nexcept && !t->except) return abi_fail(SIO_EINVAL, "%s: except is NULL", fn);
  for (size_t i = 0; i < t->nrooms; i++)
    if (!t->rooms[i]) return abi_fail(SIO_EINVAL, "%s: rooms[%zu] is NULL", fn, i);
  for (size_t i = 0; i < t->nexcept; i++)
    if (!t->except[i]) return abi_fail(SIO_EINVAL, "%s: except[%zu] is NULL", fn, i);
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
