/* How a client's packets travel: over one WebSocket, or over HTTP
 * long-polling. The scenario code (run.c) only sees packets. */
#ifndef LOADGEN_TRANSPORT_H
#define LOADGEN_TRANSPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "options.h"

struct transport_ops {
  /* Starts connecting; false when not even the socket could be made. */
  bool (*launch)(struct client *c, const struct sockaddr_in *dst, unsigned source);
  void (*on_event)(struct stream *s, uint32_t events);
  /* Queues one Engine.IO packet; the next flush sends it. */
  void (*send_text)(struct client *c, const char *p, size_t len);
  void (*send_binary)(struct client *c, const char *p, size_t len);
  void (*flush)(struct client *c);
  void (*close)(struct client *c);
};

extern const struct transport_ops websocket_transport;
extern const struct transport_ops polling_transport;

/* The WebSocket transport offers permessage-deflate (and inflates what
 * comes compressed) when on. */
void websocket_transport_offer_deflate(bool on);

/* The Host header value, "127.0.0.1:PORT", used by both transports. */
void transport_set_host(const char *host, unsigned port);
const char *transport_host(void);

#endif
