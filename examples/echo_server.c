/* The smallest useful libsio server: it answers every "echo" event with the
 * same arguments, acknowledges "ack" events, greets each connection and says
 * who left. Build: cc echo_server.c $(pkg-config --cflags --libs libsio) */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sio/sio.h>

static sio_context *ctx;
static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
  sio_context_wakeup(ctx); /* the one thing a signal handler may call */
}

int main(void) {
  sio_options *opts;
  sio_server *srv;
  if (sio_context_new(&ctx) || sio_options_new(&opts)) return 1;
  sio_options_set(opts, "port", "3000");
  sio_options_set(opts, "cors.origin", "*");
  if (sio_server_new(ctx, opts, &srv)) {
    fprintf(stderr, "echo_server: %s\n", sio_last_error());
    return 1;
  }
  sio_options_free(opts);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  printf("listening on %d\n", sio_server_port(srv));

  while (!stop) {
    const sio_event *ev;
    if (sio_next_event(ctx, -1, &ev) != 1) continue;
    sio_target me = SIO_TARGET_INIT;
    me.nsp = ev->nsp;
    me.sid = ev->sid;
    sio_message msg = SIO_MESSAGE_INIT;
    switch (ev->type) {
      case SIO_EV_CONNECTION:
        /* ev->data is the handshake object; ev->sid the new socket's id. */
        msg.event = "welcome";
        msg.args_json = "[\"hello\"]";
        msg.args_len = 9;
        sio_emit(srv, &me, &msg, NULL);
        break;
      case SIO_EV_EVENT:
        /* ev->data is the JSON array of the arguments; ev->bins the binary
         * ones their placeholders point at. Both are copied by the calls
         * below, so they may be passed on as they are. */
        msg.args_json = ev->data;
        msg.args_len = ev->data_len;
        msg.bins = ev->bins;
        msg.nbins = ev->nbins;
        if (strcmp(ev->name, "echo") == 0) {
          msg.event = "echo";
          sio_emit(srv, &me, &msg, NULL);
        } else if (strcmp(ev->name, "ack") == 0 && ev->ack_id >= 0) {
          sio_ack(srv, ev->sid, ev->ack_id, &msg, NULL);
        }
        break;
      case SIO_EV_DISCONNECT:
        printf("%s left: %s\n", ev->sid, ev->reason);
        break;
      default:
        break;
    }
  }
  sio_server_free(srv);
  sio_context_free(ctx);
  return 0;
}
