/* Random bytes from the kernel, through the getrandom system call rather than
 * glibc's wrapper: the wrapper came with glibc 2.25, and the Python wheel is
 * linked against glibc 2.17 (bindings/python/README.md). */
#ifndef SIO_RANDOM_BYTES_H
#define SIO_RANDOM_BYTES_H
#include <stddef.h>

/* Fills all of buf; 0, or -1 with errno set and buf partly written. */
int random_bytes(void *buf, size_t len);
#endif
