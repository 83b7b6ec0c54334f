#include "random_bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Kernels before 3.17, which glibc 2.17 systems may still run, have no
 * getrandom: /dev/urandom is the same source. */
static int from_urandom(unsigned char *p, size_t len) {
  int fd;
  do fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return -1;
  while (len) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      errno = e;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  close(fd);
  return 0;
}

int random_bytes(void *buf, size_t len) {
  unsigned char *p = buf;
  while (len) {
    long n = syscall(SYS_getrandom, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOSYS) return from_urandom(p, len);
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}
