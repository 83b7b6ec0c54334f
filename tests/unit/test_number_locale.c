/* Number text under a host that calls setlocale(LC_ALL, "de_DE.UTF-8"),
 * whose decimal point is ','. JSON numbers and option values keep '.'.
 * The locale is made with localedef (Debian's `locales`) when the system
 * has none. */
#define _GNU_SOURCE
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sio/codec/sio_parser.h"
#include "sio/sio.h"
#include "util/json.h"

static const char *const COMMA_LOCALE = "de_DE.UTF-8";

static void enter_comma_locale(void) {
  if (!setlocale(LC_ALL, COMMA_LOCALE)) {
    char dir[] = "/tmp/sio-locale-XXXXXX", cmd[256];
    CHECK(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 %s/%s 2>/dev/null", dir, COMMA_LOCALE);
    if (system(cmd) != 0) {
      fprintf(stderr, "localedef failed: install Debian's locales\n");
      exit(1);
    }
    setenv("LOCPATH", dir, 1);
    CHECK(setlocale(LC_ALL, COMMA_LOCALE));
  }
  CHECK(strcmp(localeconv()->decimal_point, ",") == 0);
}

static void test_read_write(void) {
  char *end;
  CHECK(json_number_read("0.5", &end) == 0.5 && *end == 0);
  CHECK(json_number_read("-1.25e3", &end) == -1250.0 && *end == 0);
  char out[40];
  json_number_write_e(out, sizeof out, 2, 0.125);
  CHECK_STR(out, "1.25e-01");
  /* the host's own printf still follows its locale */
  snprintf(out, sizeof out, "%.1f", 0.5);
  CHECK_STR(out, "0,5");
}

/* JSON -> msgpack -> JSON: a fraction survives both ways. */
static void test_msgpack_round_trip(void) {
  const char *json = "[\"n\",0.5,-3.25,1e-7,123456.789]";
  sio_packet p;
  sio_packet_init(&p);
  p.type = 2;
  p.nsp = "/";
  p.data = (char *)json;
  p.data_len = strlen(json);
  rbuf *out[SIO_MAX_ENCODED];
  size_t n = 0;
  CHECK(sio_parser_msgpack.encode(&p, out, &n) == 0 && n == 1);
  /* 0.5 is written as a float64: cb 3f e0 00 00 00 00 00 00 */
  static const unsigned char half[] = {0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0};
  CHECK(memmem(out[0]->data, out[0]->len, half, sizeof half));

  sio_decoder *d = sio_parser_msgpack.decoder_new(1000000);
  CHECK(d);
  sio_packet q;
  sio_packet_init(&q);
  CHECK(sio_parser_msgpack.decode(d, out[0]->data, out[0]->len, 1, &q) == 1);
  CHECK_MEM(q.data, q.data_len, json, strlen(json));
  sio_packet_clear(&q);
  sio_parser_msgpack.decoder_free(d);
  rbuf_unref(out[0]);
}

static void test_option_fraction(void) {
  sio_options *o;
  CHECK(sio_options_new(&o) == 0);
  CHECK(sio_options_set(o, "randomizationFactor", "0.5") == 0);
  sio_options_free(o);
}

int main(void) {
  enter_comma_locale();
  test_read_write();
  test_msgpack_round_trip();
  test_option_fraction();
  printf("test_number_locale: ok\n");
  return 0;
}
