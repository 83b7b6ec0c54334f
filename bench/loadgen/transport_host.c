#include "transport.h"

#include <stdio.h>

static char host_header[64];

void transport_set_host(const char *host, unsigned port) {
  snprintf(host_header, sizeof host_header, "%s:%u", host, port);
}

const char *transport_host(void) { return host_header; }
