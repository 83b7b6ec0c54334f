#include "json_line.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "colour.h"
#include "json_args.h"

void json_line_begin(strbuf *sb) {
  struct timeval tv;
  struct tm tm;
  char stamp[32];
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  sb_clear(sb);
  sb_printf(sb, "{\"time\":\"%s.%03ldZ\"", stamp, (long)(tv.tv_usec / 1000));
}

void json_line_string(strbuf *sb, const char *key, const char *value) {
  sb_printf(sb, ",\"%s\":", key);
  if (value) sb_json_string(sb, value, strlen(value));
  else sb_puts(sb, "null");
}

void json_line_event(strbuf *sb, const char *key, const char *name) {
  sb_printf(sb, ",\"%s\":%s", key, colour(stdout, C_CYAN));
  sb_json_string(sb, name ? name : "", name ? strlen(name) : 0);
  sb_puts(sb, colour(stdout, C_RESET));
}

void json_line_args(strbuf *sb, const sio_event *ev) {
  sb_puts(sb, ",\"args\":");
  json_args_show(sb, ev->data, ev->data_len, ev->bins, ev->nbins);
}

void json_line_end(strbuf *sb) {
  sb_puts(sb, "}\n");
  fwrite(sb->data, 1, sb->len, stdout);
  fflush(stdout);
}

void json_line_print_event(const sio_event *ev) {
  strbuf sb = STRBUF_INIT;
  json_line_begin(&sb);
  json_line_string(&sb, "namespace", ev->nsp);
  json_line_event(&sb, "event", ev->name);
  json_line_args(&sb, ev);
  json_line_end(&sb);
  sb_free(&sb);
}
