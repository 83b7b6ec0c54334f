#include "abi_internal.h"

unsigned sio_version(void) { return SIO_VERSION_NUM; }

const char *sio_version_string(void) {
#define SIO_STR2(x) #x
#define SIO_STR(x) SIO_STR2(x)
  return SIO_STR(SIO_VERSION_MAJOR) "." SIO_STR(SIO_VERSION_MINOR) "." SIO_STR(SIO_VERSION_PATCH);
}
