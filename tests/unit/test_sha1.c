/* Digests from Node's crypto.createHash("sha1"). */
#include "check.h"
#include "util/sha1.h"

static void check_digest(const char *input, size_t n, const char *hex) {
  uint8_t digest[20];
  char text[41];
  sha1(input, n, digest);
  for (int k = 0; k < 20; k++) snprintf(text + 2 * k, 3, "%02x", digest[k]);
  CHECK_STR(text, hex);
}

int main(void) {
  static char a[1001];
  memset(a, 'a', 1000);
  check_digest("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  check_digest(NULL, 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  check_digest("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
  /* The RFC 6455 handshake example: key + GUID. */
  check_digest("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
               60, "b37a4f2cc0624f1690f64606cf385945b2bec4ea");
  /* Lengths around the padding boundaries. */
  check_digest(a, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  check_digest(a, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  check_digest(a, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  check_digest(a, 1000, "291e9a6c66994949b57ba5e650361e98fc36b1ba");
  return 0;
}
