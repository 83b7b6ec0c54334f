/* A Socket.IO client in C: connects to a server, emits "hello" with an
 * acknowledgement, and prints every event it receives until the server has
 * answered and a few seconds passed (or Ctrl-C).
 *
 *   sio_client_example [URL]      (default http://127.0.0.1:3000)
 *
 * Against examples/test_server.c (sio_test_server): the server greets with
 * "auth", answers "ack" with its arguments, and echoes "echo". */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sio/sio.h>

static volatile sig_atomic_t stop;
static sio_context *ctx;

/* The handler only flags and wakes the pump: nothing else is safe here. */
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
  sio_context_wakeup(ctx);
}

static const char *type_name(int type) {
  switch (type) {
    case SIO_EV_CONNECT: return "connect";
    case SIO_EV_CONNECT_ERROR: return "connect_error";
    case SIO_EV_DISCONNECT: return "disconnect";
    case SIO_EV_EVENT: return "event";
    case SIO_EV_ACK: return "ack";
    case SIO_EV_ERROR: return "error";
    case SIO_EV_RECONNECT_ATTEMPT: return "reconnect_attempt";
    case SIO_EV_RECONNECT: return "reconnect";
    case SIO_EV_RECONNECT_FAILED: return "reconnect_failed";
    case SIO_EV_RECONNECT_ERROR: return "reconnect_error";
    default: return "other";
  }
}

static void print_event(const sio_event *ev) {
  printf("%-17s nsp=%s", type_name(ev->type), ev->nsp ? ev->nsp : "-");
  if (ev->sid) printf(" sid=%s", ev->sid);
  if (ev->name) printf(" name=%s", ev->name);
  if (ev->data) printf(" data=%s", ev->data);
  if (ev->nbins) printf(" (+%zu binary)", ev->nbins);
  if (ev->type == SIO_EV_RECONNECT_ATTEMPT || ev->type == SIO_EV_RECONNECT ||
      ev->type == SIO_EV_RECONNECT_ERROR)
    printf(" attempt=%u", ev->attempt);
  if (ev->err) printf(" err=%s", sio_strerror(ev->err));
  if (ev->reason) printf(" reason=\"%s\"", ev->reason);
  if (ev->flags & SIO_EVF_FINAL) printf(" (final)");
  printf("\n");
}

static int fail(const char *what) {
  fprintf(stderr, "%s: %s\n", what, sio_last_error());
  return 1;
}

int main(int argc, char **argv) {
  const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:3000";
  if (sio_context_new(&ctx)) return fail("sio_context_new");
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  sio_options *opts;
  sio_client *cli;
  if (sio_options_new(&opts) || sio_options_set(opts, "reconnectionAttempts", "3")) return fail("options");
  int rc = sio_client_new(ctx, url, opts, "{\"name\":\"client_example\"}", &cli);
  sio_options_free(opts);
  if (rc) return fail("sio_client_new");

  /* Made before the connection is up: the client buffers it and sends it
   * once the namespace is joined. */
  static const char args[] = "[\"hello\",{\"from\":\"C\"}]";
  sio_message msg = SIO_MESSAGE_INIT;
  msg.event = "ack";
  msg.args_json = args;
  msg.args_len = strlen(args);
  msg.flags = SIO_EMIT_ACK;
  msg.timeout_ms = 5000;
  uint64_t req;
  if (sio_client_emit(cli, NULL, &msg, &req)) return fail("sio_client_emit");
  printf("emitted \"ack\" as request %llu\n", (unsigned long long)req);

  time_t deadline = 0;
  while (!stop && (!deadline || time(NULL) < deadline)) {
    const sio_event *ev;
    rc = sio_next_event(ctx, 500, &ev);
    if (rc < 0) return fail("sio_next_event");
    if (rc == 0) continue;
    print_event(ev);
    /* Events asking for an acknowledgement get one. */
    if (ev->type == SIO_EV_EVENT && ev->ack_id >= 0) {
      sio_message ok = SIO_MESSAGE_INIT;
      ok.args_json = "[\"ok\"]";
      ok.args_len = 6;
      sio_client_ack(cli, ev->nsp, ev->ack_id, &ok, NULL);
    }
    if (ev->type == SIO_EV_ACK && ev->req == req) deadline = time(NULL) + 2;
    if (ev->type == SIO_EV_RECONNECT_FAILED) break;
  }
  sio_client_close(cli);
  /* The events the close produced (disconnect, failed acks). */
  const sio_event *ev;
  while (sio_next_event(ctx, 200, &ev) == 1) print_event(ev);
  sio_context_free(ctx);
  return 0;
}
