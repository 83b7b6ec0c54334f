/* The size-first structs the host fills (sio_target, sio_message): a host
 * built against an older header hands in fewer bytes, one built against a
 * newer header more. */
#include <string.h>

#include "abi_internal.h"

int abi_copy_struct(void *dst, size_t known, const void *src, size_t min, const char *fn,
                    const char *what) {
  size_t size = *(const size_t *)src;
  if (size < min)
    return abi_fail(SIO_EINVAL, "%s: %s.size is %zu: start from SIO_%s_INIT", fn, what, size,
                    strcmp(what, "sio_target") == 0 ? "TARGET" : "MESSAGE");
  /* Fields this library does not know are refused unless they are zero,
   * the value that keeps their older meaning: a host learns the feature is
   * missing instead of having it ignored. */
  for (size_t i = known; i < size; i++)
    if (((const unsigned char *)src)[i])
      return abi_fail(SIO_EINVAL, "%s: %s has fields libsio %s does not know", fn, what,
                      sio_version_string());
  memset(dst, 0, known);
  memcpy(dst, src, size < known ? size : known);
  *(size_t *)dst = known;
  return 0;
}
