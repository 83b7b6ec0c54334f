/* sio bench URL: the load generator of bench/loadgen against any server,
 * one scenario after the other, each in a child process (a scenario's state
 * is its process's), with a progress line and a table of the results. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "colour.h"
#include "commands.h"
#include "common/json_value.h"
#include "drive.h"
#include "options.h"
#include "session.h"
#include "strbuf.h"

static const cli_option options[] = {
    {"--scenario", "LIST", "comma-separated: echo, ack, bcast, ramp, idle (default echo,ack)"},
    {"--transport", "T", "websocket (default) or polling"},
    {"--parser", "PARSER", "json (default) or msgpack"},
    {"--clients", "N", "simulated clients (default 100)"},
    {"--window", "W", "events in flight per client (default 8)"},
    {"--size", "BYTES", "payload of each event (default 16)"},
    {"--binary", NULL, "send the payload as a binary attachment"},
    {"--rate", "N", "events per second from all clients together (default: as fast as the window allows)"},
    {"--duration", "S", "seconds measured (default 5)"},
    {"--warmup", "S", "seconds of traffic before measuring (default 1)"},
    {"--settle", "S", "idle: seconds to hold the clients (default 2)"},
    {"--connect-timeout", "S", "seconds allowed for connecting every client (default 60)"},
    {"--concurrency", "N", "handshakes at once (default 256)"},
};

/* Options handed to the generator as they are. */
static const char *const passed_on[] = {"--transport", "--parser", "--clients", "--window",
                                        "--size", "--rate", "--duration", "--warmup",
                                        "--settle", "--connect-timeout", "--concurrency"};

const cli_command cmd_bench = {
    "bench", "URL [options]",
    "Runs the load generator's scenarios (bench/loadgen, bench/README.md) against the\n"
    "server at URL (http:// only) and prints a table of the results. The server answers\n"
    "echo, ack and bcast as examples/TEST-SERVER.md says (sio_test_server does; sio serve\n"
    "--echo answers echo and ack). A progress line goes to stderr.",
    "Exits 0 when every scenario ran without errors, 1 otherwise.\n",
    options, (int)(sizeof options / sizeof *options), 1, 1};

/* The IPv4 address and port of url; -1 with a message when there is none. */
static int resolve(const char *url, char *ip, size_t iplen, char *port, size_t portlen) {
  if (strncmp(url, "http://", 7) != 0 && strncmp(url, "ws://", 5) != 0) {
    session_fail("bench: %s: the load generator speaks plain http:// (or ws://) only", url);
    return -1;
  }
  const char *host = strstr(url, "://") + 3;
  size_t len = strcspn(host, ":/?#");
  char name[256];
  if (len == 0 || len >= sizeof name) {
    session_fail("bench: no host in %s", url);
    return -1;
  }
  memcpy(name, host, len);
  name[len] = '\0';
  snprintf(port, portlen, "80");
  if (host[len] == ':') snprintf(port, portlen, "%.*s", (int)strcspn(host + len + 1, "/?#"), host + len + 1);
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
  int rc = getaddrinfo(name, port, &hints, &res);
  if (rc) {
    session_fail("bench: %s: %s", name, gai_strerror(rc));
    return -1;
  }
  getnameinfo(res->ai_addr, res->ai_addrlen, ip, (socklen_t)iplen, NULL, 0, NI_NUMERICHOST);
  freeaddrinfo(res);
  return 0;
}

static void show_progress(const struct loadgen_progress *p, void *arg) {
  const char *scenario = arg;
  int tty = isatty(STDERR_FILENO);
  static const char *last_phase;
  if (!tty && p->phase == last_phase) return;
  last_phase = p->phase;
  fprintf(stderr, "%ssio bench: %-6s %-10s %u/%u clients ready, %u failed, %llu replies%s%s",
          tty ? "\r\033[K" : "", scenario, p->phase, p->ready, p->clients, p->failures,
          (unsigned long long)p->received, colour(stderr, C_RESET), tty ? "" : "\n");
}

/* In the child: the generator's own command line, then its run. */
static int run_child(const cli_args *a, const char *ip, const char *port, const char *scenario,
                     FILE *out) {
  const char *argv[2 * (sizeof passed_on / sizeof *passed_on) + 8];
  int argc = 0;
  argv[argc++] = "sio bench";
  argv[argc++] = "--host";
  argv[argc++] = ip;
  argv[argc++] = "--port";
  argv[argc++] = port;
  argv[argc++] = "--scenario";
  argv[argc++] = scenario;
  for (size_t i = 0; i < sizeof passed_on / sizeof *passed_on; i++) {
    const char *v = args_get(&cmd_bench, a, passed_on[i]);
    if (!v) continue;
    argv[argc++] = passed_on[i];
    argv[argc++] = v;
  }
  if (args_get(&cmd_bench, a, "--binary")) argv[argc++] = "--binary";
  struct options o;
  if (!options_parse(argc, (char **)argv, &o)) return 2;
  int rc = loadgen_drive(&o, out, show_progress, (void *)scenario);
  if (isatty(STDERR_FILENO)) fputs("\n", stderr);
  return rc;
}

/* Runs one scenario in a child; its JSON result line goes into result. */
static int run_scenario(const cli_args *a, const char *ip, const char *port,
                        const char *scenario, strbuf *result) {
  int fds[2];
  if (pipe(fds)) return -1;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    close(fds[0]);
    FILE *out = fdopen(fds[1], "w");
    int rc = out ? run_child(a, ip, port, scenario, out) : 1;
    if (out) fclose(out);
    _exit(rc);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) sb_add(result, buf, (size_t)n);
  close(fds[0]);
  int status;
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

static double number(const jv *row, const char *key) {
  const jv *v = jv_get(row, key);
  return v && v->type == JV_NUMBER ? v->number : 0;
}

static void print_row(const char *scenario, const strbuf *result, int rc) {
  jv *row = result->len ? jv_parse(result->data, result->len) : NULL;
  if (!row) {
    printf("%-8s %s\n", scenario, rc == 2 ? "bad options (see above)" : "did not run");
    return;
  }
  const jv *transport = jv_get(row, "transport");
  printf("%-8s %-10s %7.0f %10.0f %9.3f %9.3f %9.1f %6.0f\n", scenario,
         transport && transport->type == JV_STRING ? transport->str : "?",
         number(row, "clients"), number(row, "msgs_per_s"), number(row, "lat_p50_us") / 1000,
         number(row, "lat_p99_us") / 1000, number(row, "conn_per_s"), number(row, "errors"));
  jv_free(row);
}

int run_bench(const cli_args *a) {
  char ip[64], port[16];
  if (resolve(a->positional[0], ip, sizeof ip, port, sizeof port)) return 1;
  const char *list = args_get(&cmd_bench, a, "--scenario");
  char *scenarios = strdup(list ? list : "echo,ack");
  if (!scenarios) return 1;
  int failed = 0;
  char *save;
  printf("%s%-8s %-10s %7s %10s %9s %9s %9s %6s%s\n", colour(stdout, C_BOLD), "scenario",
         "transport", "clients", "msgs/s", "p50 ms", "p99 ms", "conn/s", "errors",
         colour(stdout, C_RESET));
  fflush(stdout);
  for (char *s = strtok_r(scenarios, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
    strbuf result = STRBUF_INIT;
    int rc = run_scenario(a, ip, port, s, &result);
    print_row(s, &result, rc);
    fflush(stdout);
    if (rc != 0) failed = 1;
    sb_free(&result);
  }
  free(scenarios);
  return failed;
}
