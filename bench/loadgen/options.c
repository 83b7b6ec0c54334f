#include "options.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const scenario_names[] = {"echo", "ack", "bcast", "ramp", "idle"};

const char *scenario_name(enum scenario s) { return scenario_names[s]; }

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen --port N [--port2 N] [--host 127.0.0.1] [--scenario echo|ack|bcast|ramp|idle]\n"
          "               [--transport websocket|polling] [--parser json|msgpack]\n"
          "               [--clients N] [--window W]\n"
          "               [--size BYTES] [--binary] [--deflate] [--rate EVENTS_PER_S]\n"
          "               [--duration S] [--warmup S] [--settle S] [--connect-timeout S]\n"
          "               [--concurrency N] [--sources N] [--server-pid PID] [--label NAME]\n"
          "Prints one JSON line of results on stdout; exits 1 when the run saw errors.\n");
}

static bool parse_scenario(const char *s, enum scenario *out) {
  for (size_t i = 0; i < sizeof scenario_names / sizeof *scenario_names; i++) {
    if (strcmp(s, scenario_names[i]) == 0) {
      *out = (enum scenario)i;
      return true;
    }
  }
  return false;
}

bool options_parse(int argc, char **argv, struct options *o) {
  *o = (struct options){
      .host = "127.0.0.1",
      .scenario = SCENARIO_ECHO,
      .transport = TRANSPORT_WEBSOCKET,
      .clients = 100,
      .window = 8,
      .size = 16,
      .duration = 5,
      .warmup = 1,
      .settle = 2,
      .connect_timeout = 60,
      .concurrency = 256,
      .label = "server",
  };
  for (int i = 1; i < argc; i++) {
    const char *name = argv[i];
    if (strcmp(name, "--binary") == 0) {
      o->binary = true;
      continue;
    }
    if (strcmp(name, "--deflate") == 0) {
      o->deflate = true;
      continue;
    }
    if (i + 1 >= argc) {
      usage();
      return false;
    }
    const char *value = argv[++i];
    if (strcmp(name, "--host") == 0) {
      o->host = value;
    } else if (strcmp(name, "--port") == 0) {
      o->port = (unsigned)strtoul(value, NULL, 10);
    } else if (strcmp(name, "--port2") == 0) {
      o->port2 = (unsigned)strtoul(value, NULL, 10);
    } else if (strcmp(name, "--scenario") == 0) {
      if (!parse_scenario(value, &o->scenario)) {
        usage();
        return false;
      }
    } else if (strcmp(name, "--transport") == 0) {
      if (strcmp(value, "websocket") == 0) {
        o->transport = TRANSPORT_WEBSOCKET;
      } else if (strcmp(value, "polling") == 0) {
        o->transport = TRANSPORT_POLLING;
      } else {
        usage();
        return false;
      }
    } else if (strcmp(name, "--parser") == 0) {
      if (strcmp(value, "json") != 0 && strcmp(value, "msgpack") != 0) {
        usage();
        return false;
      }
      o->msgpack = strcmp(value, "msgpack") == 0;
    } else if (strcmp(name, "--clients") == 0) {
      o->clients = (unsigned)strtoul(value, NULL, 10);
    } else if (strcmp(name, "--window") == 0) {
      o->window = (unsigned)strtoul(value, NULL, 10);
    } else if (strcmp(name, "--size") == 0) {
      o->size = (size_t)strtoull(value, NULL, 10);
    } else if (strcmp(name, "--rate") == 0) {
      o->rate = strtod(value, NULL);
    } else if (strcmp(name, "--duration") == 0) {
      o->duration = strtod(value, NULL);
    } else if (strcmp(name, "--warmup") == 0) {
      o->warmup = strtod(value, NULL);
    } else if (strcmp(name, "--settle") == 0) {
      o->settle = strtod(value, NULL);
    } else if (strcmp(name, "--connect-timeout") == 0) {
      o->connect_timeout = strtod(value, NULL);
    } else if (strcmp(name, "--concurrency") == 0) {
      o->concurrency = (unsigned)strtoul(value, NULL, 10);
    } else if (strcmp(name, "--sources") == 0) {
      o->sources = (unsigned)strtoul(value, NULL, 10);
    } else if (strcmp(name, "--server-pid") == 0) {
      o->server_pid = atoi(value);
    } else if (strcmp(name, "--label") == 0) {
      o->label = value;
    } else {
      usage();
      return false;
    }
  }
  struct in_addr host_addr;
  if (o->port == 0 || o->clients == 0 || o->window == 0 || o->concurrency == 0 ||
      inet_pton(AF_INET, o->host, &host_addr) != 1) {
    usage();
    return false;
  }
  if (o->scenario == SCENARIO_BCAST && o->window > BCAST_MAX_WINDOW) {
    fprintf(stderr, "loadgen: at most %u broadcasts in flight\n", BCAST_MAX_WINDOW);
    return false;
  }
  if (o->transport == TRANSPORT_POLLING && (o->binary || o->scenario == SCENARIO_BCAST)) {
    fprintf(stderr, "loadgen: polling supports text echo, ack, ramp and idle\n");
    return false;
  }
  if (o->transport == TRANSPORT_POLLING && o->msgpack) {
    fprintf(stderr, "loadgen: the msgpack parser is measured over WebSocket only\n");
    return false;
  }
  if (o->sources == 0) {
    /* ~28k ephemeral ports per source address, and connect() slows down as
     * an address's ports fill up (TIME_WAIT of earlier runs included). */
    o->sources = o->clients / 5000 + 1;
  }
  if (o->sources > 250) {
    o->sources = 250;
  }
  return true;
}
