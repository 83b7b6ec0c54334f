/* sio listen URL: prints every event the server sends as a JSON line. */
#include <stdio.h>

#include "commands.h"
#include "json_line.h"
#include "session.h"
#include "stop_signal.h"

static const cli_option options[] = {SESSION_OPTIONS};

const cli_command cmd_listen = {
    "listen", "URL [options]",
    "Connects to URL and prints every event the server sends as one JSON line on stdout:\n"
    "{\"time\",\"namespace\",\"event\",\"args\"}, binary attachments as {\"$binary\":\"<base64>\"}.\n"
    "Connection, disconnection and reconnection go to stderr.",
    "Exits 0 on Ctrl-C; 1 when the namespace is refused, the server disconnects the\n"
    "socket or reconnection gives up.\n",
    options, (int)(sizeof options / sizeof *options), 1, 1};

int run_listen(const cli_args *a) {
  session s;
  int rc = session_open(&s, &cmd_listen, a, a->positional[0], 1);
  if (rc) return rc;
  int status = 0;
  while (!stop_requested) {
    const sio_event *ev;
    rc = sio_next_event(s.ctx, -1, &ev);
    if (rc < 0) {
      session_fail("%s", sio_last_error());
      status = 1;
      break;
    }
    if (rc == 0) continue;
    if (ev->type == SIO_EV_EVENT) {
      json_line_print_event(ev);
      continue;
    }
    if (session_report(ev) == SESSION_OVER) {
      status = 1;
      break;
    }
  }
  session_close(&s, 0);
  return status;
}
