/* sio emit URL EVENT [ARG...]: one emit, and with --ack its answer. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "json_args.h"
#include "session.h"
#include "stop_signal.h"
#include "strbuf.h"

#define DEFAULT_TIMEOUT_MS 5000

static const cli_option options[] = {
    SESSION_OPTIONS,
    {"--ack", NULL, "ask for an acknowledgement and print its arguments as a JSON line"},
    {"--timeout", "MS", "how long --ack waits (default 5000)"},
};

const cli_command cmd_emit = {
    "emit", "URL EVENT [ARG...] [options]",
    "Connects to URL, emits EVENT with the ARGs and exits. Each ARG is a JSON value;\n"
    "a word that is not valid JSON is sent as a string. {\"$binary\":\"<base64>\"} in an\n"
    "ARG is sent as a binary attachment.",
    "Exits 0 once the event is sent (with --ack: once the acknowledgement came), 1 when\n"
    "the acknowledgement timed out, the namespace was refused or the connection failed,\n"
    "with the reason on stderr. Without --ack, sio waits 200 ms before it disconnects:\n"
    "the official server drops an event that arrives together with the disconnection.\n",
    options, (int)(sizeof options / sizeof *options), 2, -1};

/* What an SIO_EV_ACK for our emit means for the exit status. */
static int on_ack(const sio_event *ev, long timeout_ms) {
  if (ev->err == SIO_ETIMEDOUT) {
    session_fail("ack timed out after %ld ms", timeout_ms);
    return 1;
  }
  if (ev->err) {
    session_fail("no ack: %s", ev->reason ? ev->reason : sio_strerror(ev->err));
    return 1;
  }
  strbuf line = STRBUF_INIT;
  json_args_show(&line, ev->data, ev->data_len, ev->bins, ev->nbins);
  puts(line.data);
  fflush(stdout);
  sb_free(&line);
  return 0;
}

int run_emit(const cli_args *a) {
  int ack = args_get(&cmd_emit, a, "--ack") != NULL;
  long timeout_ms = DEFAULT_TIMEOUT_MS;
  if (args_get_long(&cmd_emit, a, "--timeout", 1, 3600000, &timeout_ms)) return 2;
  if (args_get(&cmd_emit, a, "--timeout") && !ack) {
    args_error(&cmd_emit, "--timeout goes with --ack");
    return 2;
  }
  typed_args args;
  char err[256];
  if (json_args_from_words(&args, a->positional + 2, a->npositional - 2, err, sizeof err)) {
    args_error(&cmd_emit, "%s", err);
    typed_args_free(&args);
    return 2;
  }
  session s;
  int rc = session_open(&s, &cmd_emit, a, a->positional[0], 1);
  if (rc) {
    typed_args_free(&args);
    return rc;
  }
  sio_message msg = SIO_MESSAGE_INIT;
  msg.event = a->positional[1];
  typed_args_to_message(&args, &msg);
  if (ack) {
    msg.flags = SIO_EMIT_ACK;
    msg.timeout_ms = (int)timeout_ms;
  }
  uint64_t req;
  int status = -1;
  if (sio_client_emit(s.cli, s.nsp, &msg, &req)) {
    session_fail("cannot emit \"%s\": %s", msg.event, sio_last_error());
    status = 1;
  }
  while (status < 0 && !stop_requested) {
    const sio_event *ev;
    rc = sio_next_event(s.ctx, -1, &ev);
    if (rc < 0) {
      session_fail("%s", sio_last_error());
      status = 1;
    } else if (rc == 0) {
      continue;
    } else if (ev->type == SIO_EV_ACK && ev->req == req) {
      status = on_ack(ev, timeout_ms);
    } else if (ev->type == SIO_EV_ERROR && ev->req == req) {
      session_fail("emit failed: %s", ev->reason ? ev->reason : sio_strerror(ev->err));
      status = 1;
    } else {
      switch (session_report(ev)) {
        case SESSION_CONNECTED:
          /* Emits buffered before the connection are sent by now. */
          if (!ack) status = 0;
          break;
        case SESSION_TRANSIENT:
        case SESSION_OVER:
          status = 1;
          break;
        default:
          break;
      }
    }
  }
  session_close(&s, status == 0 && !ack);
  typed_args_free(&args);
  return status < 0 ? 1 : status;
}
