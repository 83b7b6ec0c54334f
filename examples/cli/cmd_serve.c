/* sio serve: a server that logs what its clients do and can echo it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colour.h"
#include "commands.h"
#include "common/json_value.h"
#include "json_line.h"
#include "session.h"
#include "stop_signal.h"

static const cli_option options[] = {
    {"--port", "N", "TCP port (default 3000; 0 picks a free one)"},
    {"--host", "HOST", "address to listen on (default 0.0.0.0)"},
    {"--echo", NULL, "emit every event back to its sender; answer acks with the same arguments"},
    {"--static", "DIR", "serve the files of DIR on other paths"},
    {"--parser", "PARSER", "json (default) or msgpack (socket.io-msgpack-parser)"},
    {"--tls-cert", "FILE", "PEM certificate: serve HTTPS (with --tls-key)"},
    {"--tls-key", "FILE", "PEM private key of --tls-cert"},
    {"--redis", "URL", "join the cluster on this Redis (redis://HOST:PORT), as @socket.io/redis-adapter"},
    {"--redis-sharded", NULL, "with --redis: as its createShardedAdapter (Redis 7 sharded pub/sub)"},
};

const cli_command cmd_serve = {
    "serve", "[options]",
    "Starts a Socket.IO server that accepts every namespace and logs each connection,\n"
    "event and disconnection as one JSON line on stdout: {\"time\",\"type\",\"namespace\",\n"
    "\"sid\",...} with type \"connection\" (address, auth), \"event\" (event, args) or\n"
    "\"disconnect\" (reason). \"sio: listening on http://HOST:PORT\" goes to stderr.",
    "With --echo, an event that asks for an acknowledgement is answered by the\n"
    "acknowledgement alone; any other event is emitted back. Ctrl-C closes the server\n"
    "(clients see \"io server disconnect\") and exits 0.\n",
    options, (int)(sizeof options / sizeof *options), 0, 0};

/* Server option key for each command-line option that maps onto one. */
static const struct {
  const char *flag, *key;
} option_keys[] = {
    {"--port", "port"},         {"--host", "host"},         {"--static", "staticDir"},
    {"--parser", "parser"},     {"--tls-cert", "tls.cert"}, {"--tls-key", "tls.key"},
    {"--redis", "adapter"},
};

static int start(sio_context *ctx, const cli_args *a, sio_server **srv) {
  sio_options *opts;
  if (sio_options_new(&opts)) return -1;
  int rc = 0;
  for (size_t i = 0; i < sizeof option_keys / sizeof *option_keys && !rc; i++) {
    const char *v = args_get(&cmd_serve, a, option_keys[i].flag);
    if (v && sio_options_set(opts, option_keys[i].key, v)) {
      session_fail("%s %s: %s", option_keys[i].flag, v, sio_last_error());
      rc = -1;
    }
  }
  if (!rc && args_get(&cmd_serve, a, "--redis-sharded"))
    rc = sio_options_set(opts, "adapter.sharded", "true");
  if (!rc && sio_server_new(ctx, opts, srv)) {
    session_fail("cannot listen: %s", sio_last_error());
    rc = -1;
  }
  sio_options_free(opts);
  if (!rc && sio_server_of(*srv, "*", 0)) {
    session_fail("%s", sio_last_error());
    rc = -1;
  }
  return rc;
}

/* The namespaces that had a connection, so that a shutdown can disconnect
 * their sockets first: clients then see "io server disconnect" and do not
 * try to reconnect, as they would after a bare close ("transport close"). */
typedef struct namespaces {
  char **name;
  size_t n;
} namespaces;

static void remember(namespaces *ns, const char *nsp) {
  for (size_t i = 0; i < ns->n; i++)
    if (strcmp(ns->name[i], nsp) == 0) return;
  char **grown = realloc(ns->name, (ns->n + 1) * sizeof *grown);
  char *copy = strdup(nsp);
  if (!grown || !copy) {
    free(copy);
    if (grown) ns->name = grown;
    return;
  }
  ns->name = grown;
  ns->name[ns->n++] = copy;
}

static void shut_down(sio_server *srv, namespaces *ns) {
  for (size_t i = 0; i < ns->n; i++) {
    sio_target all = SIO_TARGET_INIT;
    all.nsp = ns->name[i];
    sio_disconnect(srv, &all, 0, NULL);
    free(ns->name[i]);
  }
  free(ns->name);
  *ns = (namespaces){0};
  sio_server_close(srv);
}

static void log_connection(const sio_event *ev, strbuf *line) {
  json_line_begin(line);
  json_line_string(line, "type", "connection");
  json_line_string(line, "namespace", ev->nsp);
  json_line_string(line, "sid", ev->sid);
  jv *hs = ev->data ? jv_parse(ev->data, ev->data_len) : NULL;
  const jv *address = jv_get(hs, "address"), *auth = jv_get(hs, "auth");
  if (address && address->type == JV_STRING) json_line_string(line, "address", address->str);
  if (auth) {
    sb_puts(line, ",\"auth\":");
    sb_add(line, auth->raw, auth->raw_len);
  }
  jv_free(hs);
  json_line_end(line);
}

static void log_event(const sio_event *ev, strbuf *line) {
  json_line_begin(line);
  json_line_string(line, "type", "event");
  json_line_string(line, "namespace", ev->nsp);
  json_line_string(line, "sid", ev->sid);
  json_line_event(line, "event", ev->name);
  json_line_args(line, ev);
  if (ev->ack_id >= 0) sb_puts(line, ",\"ack\":true");
  json_line_end(line);
}

static void log_disconnect(const sio_event *ev, strbuf *line) {
  json_line_begin(line);
  json_line_string(line, "type", "disconnect");
  json_line_string(line, "namespace", ev->nsp);
  json_line_string(line, "sid", ev->sid);
  json_line_string(line, "reason", ev->reason);
  json_line_end(line);
}

static void echo(sio_server *srv, const sio_event *ev) {
  sio_message msg = SIO_MESSAGE_INIT;
  msg.args_json = ev->data;
  msg.args_len = ev->data_len;
  msg.bins = ev->bins;
  msg.nbins = ev->nbins;
  int rc;
  if (ev->ack_id >= 0) {
    rc = sio_ack(srv, ev->sid, ev->ack_id, &msg, NULL);
  } else {
    sio_target to = SIO_TARGET_INIT;
    to.nsp = ev->nsp;
    to.sid = ev->sid;
    msg.event = ev->name;
    rc = sio_emit(srv, &to, &msg, NULL);
  }
  if (rc) session_fail("cannot echo \"%s\": %s", ev->name, sio_last_error());
}

int run_serve(const cli_args *a) {
  long port = 3000;
  if (args_get_long(&cmd_serve, a, "--port", 0, 65535, &port)) return 2;
  if (!args_get(&cmd_serve, a, "--tls-cert") != !args_get(&cmd_serve, a, "--tls-key")) {
    args_error(&cmd_serve, "--tls-cert and --tls-key go together");
    return 2;
  }
  int echoing = args_get(&cmd_serve, a, "--echo") != NULL;
  sio_context *ctx;
  sio_server *srv = NULL;
  if (sio_context_new(&ctx)) {
    session_fail("%s", sio_last_error());
    return 1;
  }
  stop_signal_catch(ctx);
  if (start(ctx, a, &srv)) {
    stop_signal_catch(NULL);
    sio_context_free(ctx);
    return 1;
  }
  const char *host = args_get(&cmd_serve, a, "--host");
  fprintf(stderr, "%ssio: listening on %s://%s:%d%s\n", colour(stderr, C_GREEN),
          args_get(&cmd_serve, a, "--tls-cert") ? "https" : "http", host ? host : "0.0.0.0",
          sio_server_port(srv), colour(stderr, C_RESET));
  strbuf line = STRBUF_INIT;
  namespaces seen = {0};
  int closing = 0, status = 0;
  for (;;) {
    if (stop_requested && !closing) {
      closing = 1;
      shut_down(srv, &seen);
    }
    const sio_event *ev;
    int rc = sio_next_event(ctx, -1, &ev);
    if (rc < 0) {
      session_fail("%s", sio_last_error());
      status = 1;
      break;
    }
    if (rc == 0) continue;
    if (ev->type == SIO_EV_SERVER_CLOSED) break;
    switch (ev->type) {
      case SIO_EV_CONNECTION:
        remember(&seen, ev->nsp);
        log_connection(ev, &line);
        break;
      case SIO_EV_DISCONNECT: log_disconnect(ev, &line); break;
      case SIO_EV_EVENT:
        log_event(ev, &line);
        if (echoing) echo(srv, ev);
        break;
      case SIO_EV_ERROR:
        if (ev->req == 0) session_fail("%s", ev->reason ? ev->reason : sio_strerror(ev->err));
        break;
      case SIO_EV_EVENTS_LOST:
        session_fail("%llu events lost", (unsigned long long)ev->count);
        break;
      case SIO_EV_ADAPTER_DOWN:
        session_fail("redis down: %s", ev->reason ? ev->reason : sio_strerror(ev->err));
        break;
      case SIO_EV_ADAPTER_UP: fprintf(stderr, "sio: redis up\n"); break;
      default: break;
    }
  }
  for (size_t i = 0; i < seen.n; i++) free(seen.name[i]);
  free(seen.name);
  sb_free(&line);
  stop_signal_catch(NULL);
  sio_context_free(ctx);
  return status;
}
