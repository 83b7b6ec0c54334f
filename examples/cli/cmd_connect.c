/* sio connect URL: an interactive session, like wscat for Socket.IO. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "common/json_value.h"
#include "json_args.h"
#include "json_line.h"
#include "line_input.h"
#include "line_words.h"
#include "session.h"
#include "stop_signal.h"

#define DEFAULT_TIMEOUT_MS 5000

static const cli_option options[] = {
    SESSION_OPTIONS,
    {"--ack", NULL, "every line asks for an acknowledgement (as :ack does)"},
    {"--timeout", "MS", "how long an acknowledgement is awaited (default 5000)"},
};

const cli_command cmd_connect = {
    "connect", "URL [options]",
    "Connects to URL, then reads lines from stdin (a terminal with line editing, or a\n"
    "pipe) and emits one event per line; what the server sends is printed as JSON\n"
    "lines, as by sio listen.",
    "Lines:\n"
    "  EVENT [ARG...]        emit EVENT; each ARG is a JSON value or a bare word (a string)\n"
    "  :ack EVENT [ARG...]   the same, asking for an acknowledgement, printed as\n"
    "                        {\"time\",\"namespace\",\"ack\":EVENT,\"args\"}\n"
    "  :help                 these lines\n"
    "  :quit                 leave (as does the end of stdin)\n"
    "At the end of stdin, the acknowledgements still awaited are waited for. Exits 0,\n"
    "or 1 when the namespace is refused or the connection is lost for good.\n",
    options, (int)(sizeof options / sizeof *options), 1, 1};

/* An acknowledgement being awaited, by the request id of its emit. */
typedef struct awaited {
  uint64_t req;
  char *event;
  struct awaited *next;
} awaited;

typedef struct state {
  session s;
  int ack_all;
  long timeout_ms;
  awaited *acks;
  int input_done; /* end of stdin or :quit */
  int sent_unacked; /* an event went out without an acknowledgement */
} state;

static void await_ack(state *st, uint64_t req, const char *event) {
  awaited *a = malloc(sizeof *a);
  char *name = strdup(event);
  if (!a || !name) {
    free(a);
    free(name);
    session_fail("out of memory: the acknowledgement of \"%s\" will not be shown", event);
    return;
  }
  *a = (awaited){req, name, st->acks};
  st->acks = a;
}

/* Removes the awaited ack of req; returns its event name (free()) or NULL. */
static char *take_ack(state *st, uint64_t req) {
  for (awaited **p = &st->acks; *p; p = &(*p)->next) {
    if ((*p)->req != req) continue;
    awaited *a = *p;
    char *event = a->event;
    *p = a->next;
    free(a);
    return event;
  }
  return NULL;
}

static void emit_words(state *st, char **word, int n, int ack) {
  jv *quoted = word[0][0] == '"' ? jv_parse(word[0], strlen(word[0])) : NULL;
  const char *event = quoted && quoted->type == JV_STRING ? quoted->str : word[0];
  typed_args args;
  char err[256];
  if (json_args_from_words(&args, (const char *const *)word + 1, n - 1, err, sizeof err)) {
    session_fail("%s", err);
  } else {
    sio_message msg = SIO_MESSAGE_INIT;
    msg.event = event;
    typed_args_to_message(&args, &msg);
    if (ack) {
      msg.flags = SIO_EMIT_ACK;
      msg.timeout_ms = (int)st->timeout_ms;
    }
    uint64_t req;
    if (sio_client_emit(st->s.cli, st->s.nsp, &msg, &req))
      session_fail("cannot emit \"%s\": %s", event, sio_last_error());
    else if (ack)
      await_ack(st, req, event);
    else
      st->sent_unacked = 1;
  }
  typed_args_free(&args);
  jv_free(quoted);
}

static void on_line(const char *line, void *arg) {
  state *st = arg;
  if (!line) {
    st->input_done = 1;
    return;
  }
  line_words w;
  const char *err;
  if (line_words_split(line, &w, &err)) {
    session_fail("%s", err);
  } else if (w.n == 0) {
  } else if (strcmp(w.word[0], ":quit") == 0) {
    st->input_done = 1;
  } else if (strcmp(w.word[0], ":help") == 0) {
    fputs(cmd_connect.details, stdout);
  } else if (strcmp(w.word[0], ":ack") == 0) {
    if (w.n < 2) session_fail(":ack needs an event name");
    else emit_words(st, w.word + 1, w.n - 1, 1);
  } else if (w.word[0][0] == ':') {
    session_fail("unknown command %s (:help lists them)", w.word[0]);
  } else {
    emit_words(st, w.word, w.n, st->ack_all);
  }
  line_words_free(&w);
}

static void print_ack(state *st, const sio_event *ev) {
  char *event = take_ack(st, ev->req);
  if (!event) return;
  if (ev->err == SIO_ETIMEDOUT) {
    session_fail("ack of \"%s\" timed out after %ld ms", event, st->timeout_ms);
  } else if (ev->err) {
    session_fail("no ack of \"%s\": %s", event, ev->reason ? ev->reason : sio_strerror(ev->err));
  } else {
    strbuf line = STRBUF_INIT;
    json_line_begin(&line);
    json_line_string(&line, "namespace", ev->nsp);
    json_line_event(&line, "ack", event);
    json_line_args(&line, ev);
    json_line_end(&line);
    sb_free(&line);
  }
  free(event);
}

/* Handles one event; returns 1 when the session is over. */
static int on_event(state *st, const sio_event *ev, int *connected) {
  if (ev->type == SIO_EV_EVENT) {
    json_line_print_event(ev);
  } else if (ev->type == SIO_EV_ACK) {
    print_ack(st, ev);
  } else if (ev->type == SIO_EV_ERROR && ev->req) {
    session_fail("emit failed: %s", ev->reason ? ev->reason : sio_strerror(ev->err));
  } else {
    enum session_verdict v = session_report(ev);
    if (v == SESSION_CONNECTED) *connected = 1;
    return v == SESSION_OVER;
  }
  return 0;
}

int run_connect(const cli_args *a) {
  state st = {.timeout_ms = DEFAULT_TIMEOUT_MS};
  st.ack_all = args_get(&cmd_connect, a, "--ack") != NULL;
  if (args_get_long(&cmd_connect, a, "--timeout", 1, 3600000, &st.timeout_ms)) return 2;
  int rc = session_open(&st.s, &cmd_connect, a, a->positional[0], 1);
  if (rc) return rc;
  int connected = 0, reading = 0, status = 0;
  while (!stop_requested && !(st.input_done && !st.acks)) {
    /* stdin is read once the namespace is joined, so that typed lines
     * follow the connection's report. */
    if (connected && !reading && !st.input_done) {
      line_input_start("> ", on_line, &st);
      reading = 1;
    }
    struct pollfd fds[2] = {{sio_context_fd(st.s.ctx), POLLIN, 0},
                            {STDIN_FILENO, POLLIN, 0}};
    int nfds = reading && !st.input_done ? 2 : 1;
    if (poll(fds, (nfds_t)nfds, -1) < 0) continue;
    if (nfds == 2 && fds[1].revents) line_input_read();
    const sio_event *evs[64];
    int n = sio_next_events(st.s.ctx, 0, evs, 64);
    if (n > 0) line_input_hide();
    for (int i = 0; i < n && !status; i++) status = on_event(&st, evs[i], &connected);
    if (n > 0 && !st.input_done) line_input_show();
    if (n < 0) {
      session_fail("%s", sio_last_error());
      status = 1;
    }
    if (status) break;
  }
  if (reading) line_input_stop();
  while (st.acks) free(take_ack(&st, st.acks->req));
  session_close(&st.s, st.sent_unacked && !status);
  return status;
}
