/* Drives the Engine.IO client directly for tests/client/eio_client.test.mjs.
 *
 *   eio_harness URL [--transports polling,websocket] [--no-upgrade]
 *               [--path P] [--query Q] [--header "Name: value"]...
 *               [--timeout MS] [--ca FILE] [--insecure]
 *
 * Prints one JSON object per line on stdout for each event:
 *   {"event":"open","sid":"...","transport":"polling"}
 *   {"event":"message","transport":"...","text":"..."}  or "binary":"<base64>"
 *   {"event":"close","reason":"...","opened":true}
 * Reads commands from stdin, one per line: "t <text>" sends a text
 * message, "b <base64>" a binary one, "close" closes. Exits after close,
 * having freed everything, so a sanitizer build reports any leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "eio/eio_client.h"
#include "eio/eio_packet.h"
#include "net/ws_frame.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/sbuf.h"

typedef struct harness {
  uv_loop_t loop;
  uv_pipe_t input;
  int reading;
  sbuf line;
  eio_client *client;
} harness;

static void print_line(sbuf *out) {
  fwrite(out->data, 1, out->len, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  sbuf_free(out);
}

static void on_open(eio_client *c) {
  sbuf out = SBUF_INIT;
  sbuf_puts(&out, "{\"event\":\"open\",\"sid\":");
  const char *sid = eio_client_sid(c);
  json_write_string(&out, sid, strlen(sid));
  sbuf_printf(&out, ",\"transport\":\"%s\"}", eio_client_transport(c));
  print_line(&out);
}

static void on_message(eio_client *c, const char *data, size_t len, int binary) {
  sbuf out = SBUF_INIT;
  sbuf_printf(&out, "{\"event\":\"message\",\"transport\":\"%s\",", eio_client_transport(c));
  if (binary) {
    sbuf_puts(&out, "\"binary\":\"");
    base64_encode(&out, data, len);
    sbuf_puts(&out, "\"}");
  } else {
    sbuf_puts(&out, "\"text\":");
    json_write_string(&out, data, len);
    sbuf_putc(&out, '}');
  }
  print_line(&out);
}

static void on_input_closed(uv_handle_t *h) { (void)h; }

static void stop_reading(harness *hs) {
  if (!hs->reading) return;
  hs->reading = 0;
  uv_close((uv_handle_t *)&hs->input, on_input_closed);
}

static void on_close(eio_client *c, const char *reason, int opened) {
  harness *hs = eio_client_data(c);
  sbuf out = SBUF_INIT;
  sbuf_puts(&out, "{\"event\":\"close\",\"reason\":");
  json_write_string(&out, reason, strlen(reason));
  sbuf_printf(&out, ",\"opened\":%s}", opened ? "true" : "false");
  print_line(&out);
  hs->client = NULL;
  stop_reading(hs);
}

static void run_command(harness *hs, const char *cmd, size_t n) {
  if (!hs->client) return;
  if (n == 5 && memcmp(cmd, "close", 5) == 0) {
    eio_client_close(hs->client);
    return;
  }
  if (n < 2 || cmd[1] != ' ') return;
  rbuf *pkt = NULL;
  if (cmd[0] == 't') {
    pkt = eio_encode(EIO_MESSAGE, cmd + 2, n - 2);
  } else if (cmd[0] == 'b') {
    sbuf bytes = SBUF_INIT;
    if (base64_decode(&bytes, cmd + 2, n - 2) == 0) pkt = eio_encode_binary(bytes.data, bytes.len);
    sbuf_free(&bytes);
  }
  if (!pkt) return;
  if (eio_client_send(hs->client, pkt)) fprintf(stderr, "eio_harness: send refused\n");
  rbuf_unref(pkt);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  (void)h;
  static char buf[65536];
  *b = uv_buf_init(buf, hint < sizeof(buf) ? (unsigned)hint : sizeof(buf));
}

static void on_input(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  harness *hs = s->data;
  if (n < 0) {
    /* Without commands the harness just follows the connection. */
    stop_reading(hs);
    return;
  }
  sbuf_append(&hs->line, b->base, (size_t)n);
  char *nl;
  while (hs->line.len && (nl = memchr(hs->line.data, '\n', hs->line.len))) {
    size_t len = (size_t)(nl - hs->line.data);
    if (len && hs->line.data[len - 1] == '\r') len--;
    run_command(hs, hs->line.data, len);
    sbuf_consume(&hs->line, (size_t)(nl - hs->line.data) + 1);
  }
}

static int usage(void) {
  fprintf(stderr,
          "usage: eio_harness URL [--transports polling,websocket] [--no-upgrade] [--path P]\n"
          "       [--query Q] [--header \"Name: value\"]... [--timeout MS] [--ca FILE]"
          " [--insecure]\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  eio_client_options o;
  memset(&o, 0, sizeof(o));
  sbuf headers = SBUF_INIT;
  o.url = argv[1];
  o.path = "/engine.io/";
  o.allow_polling = o.allow_websocket = o.upgrade = o.tls_verify = 1;
  o.timeout_ms = 20000;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--no-upgrade") == 0) {
      o.upgrade = 0;
    } else if (strcmp(a, "--insecure") == 0) {
      o.tls_verify = 0;
    } else if (!v) {
      sbuf_free(&headers);
      return usage();
    } else if (strcmp(a, "--transports") == 0) {
      o.allow_polling = strstr(v, "polling") != NULL;
      o.allow_websocket = strstr(v, "websocket") != NULL;
      i++;
    } else if (strcmp(a, "--path") == 0) {
      o.path = argv[++i];
    } else if (strcmp(a, "--query") == 0) {
      o.query = argv[++i];
    } else if (strcmp(a, "--header") == 0) {
      sbuf_printf(&headers, "%s\r\n", v);
      i++;
    } else if (strcmp(a, "--timeout") == 0) {
      o.timeout_ms = strtoull(v, NULL, 10);
      i++;
    } else if (strcmp(a, "--ca") == 0) {
      o.tls_ca_file = argv[++i];
    } else {
      sbuf_free(&headers);
      return usage();
    }
  }
  o.extra_headers = headers.data;

  harness hs;
  memset(&hs, 0, sizeof(hs));
  uv_loop_init(&hs.loop);
  o.tls_configs = tls_configs_new();
  static const eio_client_handler handler = {on_open, on_message, on_close};
  hs.client = eio_client_connect(&hs.loop, &o, &handler, &hs);
  sbuf_free(&headers);
  if (!hs.client) {
    fprintf(stderr, "eio_harness: unusable options or URL\n");
    uv_loop_close(&hs.loop);
    tls_configs_free(o.tls_configs);
    return 2;
  }
  if (uv_guess_handle(0) == UV_NAMED_PIPE && uv_pipe_init(&hs.loop, &hs.input, 0) == 0) {
    hs.input.data = &hs;
    hs.reading = 1;
    if (uv_pipe_open(&hs.input, 0) || uv_read_start((uv_stream_t *)&hs.input, on_alloc, on_input))
      stop_reading(&hs);
  }
  uv_run(&hs.loop, UV_RUN_DEFAULT);
  sbuf_free(&hs.line);
  int rc = uv_loop_close(&hs.loop);
  tls_configs_free(o.tls_configs);
  ws_frame_thread_done();
  if (rc) fprintf(stderr, "eio_harness: handles left open at exit\n");
  return rc ? 1 : 0;
}
