/* The load generator's command line. */
#ifndef LOADGEN_OPTIONS_H
#define LOADGEN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum scenario {
  SCENARIO_ECHO,  /* emit `echo`, count the server's echo back */
  SCENARIO_ACK,   /* emit `ack` with an ack id, count the acks */
  SCENARIO_BCAST, /* client 0 emits `bcast`, count deliveries on all clients
                   * (with --port2, those on the second node apart) */
  SCENARIO_RAMP,  /* open connections as fast as allowed, report connections/s */
  SCENARIO_IDLE,  /* open connections and hold them, report server RSS per client */
};

enum transport { TRANSPORT_WEBSOCKET, TRANSPORT_POLLING };

/* Broadcasts in flight are tracked in a ring of this many slots. */
#define BCAST_MAX_WINDOW 4096u

struct options {
  const char *host;     /* an IPv4 address */
  unsigned port;
  unsigned port2;       /* a second node of a cluster: odd-numbered clients connect there */
  enum scenario scenario;
  enum transport transport;
  unsigned clients;
  unsigned window;      /* events in flight per client (per sender for bcast) */
  size_t size;          /* payload bytes per event */
  bool binary;          /* payload as a binary attachment instead of a string */
  bool msgpack;         /* socket.io-msgpack-parser packets instead of JSON text */
  bool deflate;         /* offer permessage-deflate (WebSocket); sends stay uncompressed */
  double rate;          /* total events/s for echo and ack; 0 = as fast as the window allows */
  double duration;      /* measured seconds */
  double warmup;        /* seconds of traffic before measuring */
  double settle;        /* idle: seconds to hold before reading the server's RSS */
  double connect_timeout;
  unsigned concurrency; /* connections being set up at once */
  unsigned sources;     /* source addresses 127.0.0.1..127.0.0.N, 0 = enough for the clients */
  int server_pid;       /* whose /proc status to read, 0 = none */
  const char *label;    /* the server's name, copied into the result */
};

/* Fills `o` from argv; prints usage and returns false on a bad command line. */
bool options_parse(int argc, char **argv, struct options *o);

const char *scenario_name(enum scenario s);

#endif
