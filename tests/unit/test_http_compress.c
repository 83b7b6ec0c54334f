/* Tests for httpCompression: the coding engine.io's accepts package picks
 * from an Accept-Encoding header, and the bodies in both codings. */
#include <zlib.h>

#include "check.h"
#include "net/http_compress.h"

static void check_choice(void) {
  CHECK(http_coding_choose(NULL) == HTTP_IDENTITY);
  CHECK(http_coding_choose("") == HTTP_IDENTITY);
  CHECK(http_coding_choose("identity") == HTTP_IDENTITY);
  CHECK(http_coding_choose("br") == HTTP_IDENTITY);
  CHECK(http_coding_choose("gzip") == HTTP_GZIP);
  CHECK(http_coding_choose("GZip") == HTTP_GZIP);
  CHECK(http_coding_choose("deflate") == HTTP_DEFLATE);
  CHECK(http_coding_choose("gzip, deflate, br") == HTTP_GZIP);
  /* Equal q: the header's order. */
  CHECK(http_coding_choose("deflate, gzip") == HTTP_DEFLATE);
  CHECK(http_coding_choose("gzip;q=0.5, deflate") == HTTP_DEFLATE);
  CHECK(http_coding_choose("gzip ; q=0.9 , deflate;q=0.8") == HTTP_GZIP);
  CHECK(http_coding_choose("gzip;q=0") == HTTP_IDENTITY);
  CHECK(http_coding_choose("gzip;q=0, deflate;q=0") == HTTP_IDENTITY);
  /* "*" takes both, gzip first; a named entry ranks above it. */
  CHECK(http_coding_choose("*") == HTTP_GZIP);
  CHECK(http_coding_choose("*;q=0.5, deflate") == HTTP_DEFLATE);
  CHECK(http_coding_choose("*, gzip;q=0") == HTTP_DEFLATE);
}

static void check_bodies(void) {
  char text[3000];
  for (size_t i = 0; i < sizeof(text); i++) text[i] = (char)('a' + i % 7);
  char back[4000];
  sbuf z = SBUF_INIT;
  CHECK(http_compress(HTTP_GZIP, text, sizeof(text), &z) == 0);
  CHECK((unsigned char)z.data[0] == 0x1f && (unsigned char)z.data[1] == 0x8b);
  z_stream s;
  memset(&s, 0, sizeof(s));
  CHECK(inflateInit2(&s, 31) == Z_OK);
  s.next_in = (Bytef *)z.data;
  s.avail_in = (uInt)z.len;
  s.next_out = (Bytef *)back;
  s.avail_out = sizeof(back);
  CHECK(inflate(&s, Z_FINISH) == Z_STREAM_END);
  CHECK_MEM(back, sizeof(back) - s.avail_out, text, sizeof(text));
  inflateEnd(&s);
  sbuf_reset(&z);
  CHECK(http_compress(HTTP_DEFLATE, text, sizeof(text), &z) == 0);
  uLongf n = sizeof(back);
  CHECK(uncompress((Bytef *)back, &n, (const Bytef *)z.data, z.len) == Z_OK);
  CHECK_MEM(back, n, text, sizeof(text));
  sbuf_free(&z);
}

int main(void) {
  check_choice();
  check_bodies();
  puts("test_http_compress: ok");
  return 0;
}
