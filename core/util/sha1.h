/* SHA-1, for the WebSocket handshake (Sec-WebSocket-Accept) only. */
#ifndef SIO_SHA1_H
#define SIO_SHA1_H
#include <stddef.h>
#include <stdint.h>

void sha1(const void *data, size_t len, uint8_t digest[20]);
#endif
