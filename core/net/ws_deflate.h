/* permessage-deflate (RFC 7692) on the server side: the negotiation of the
 * Sec-WebSocket-Extensions offer, and whole messages deflated and inflated.
 *
 * The server always answers server_no_context_takeover and
 * client_no_context_takeover (RFC 7692 7.1.1 lets it add both): every
 * message then stands alone, so a connection keeps no zlib state (a deflate
 * stream is some 256 KiB), one stream per I/O thread serves them all, and a
 * broadcast is deflated once for every recipient (ws_deflate_shared). */
#ifndef SIO_WS_DEFLATE_H
#define SIO_WS_DEFLATE_H
#include <stddef.h>

#include "../util/rbuf.h"
#include "../util/sbuf.h"

/* What the ws npm package answers an offer it cannot read (400). */
#define WS_DEFLATE_BAD_OFFER "Invalid or unacceptable Sec-WebSocket-Extensions header"

/* Reads a Sec-WebSocket-Extensions request header. Returns 1 when a
 * permessage-deflate offer is accepted: the response header's value is
 * appended to response and *window_bits set to the window the server's
 * messages may use; 0 when none is offered or none can be accepted (the
 * connection goes on uncompressed); -1 when the header is malformed or a
 * permessage-deflate offer has a bad parameter (the ws package then refuses
 * the upgrade with 400 and WS_DEFLATE_BAD_OFFER). */
int ws_deflate_negotiate(const char *offer, sbuf *response, int *window_bits);

/* One message deflated as a whole (the trailing 00 00 ff ff left out, RFC
 * 7692 7.2.1), appended to out. 0, or -1 out of memory. */
int ws_deflate_message(const void *data, size_t len, int window_bits, sbuf *out);

/* pkt's payload deflated, made once and kept with pkt for every recipient
 * of a broadcast. NULL out of memory. */
const rbuf *ws_deflate_shared(rbuf *pkt, int window_bits);

/* One compressed message inflated into out (reset first), never more than
 * max bytes. 0; -1 when it is not valid deflate data; -2 when it inflates
 * past max (a compressed bomb stops there). */
int ws_inflate_message(const void *data, size_t len, size_t max, sbuf *out);

/* ---- the client's side ----------------------------------------------------
 * The client offers what the ws package offers ("permessage-deflate;
 * client_max_window_bits"). A server may keep its context between
 * messages (ws does unless told otherwise), so the client's inflater is its
 * connection's own; what the client sends stands alone (no context is ever
 * needed for that), at the window the server allows. */
#define WS_DEFLATE_CLIENT_OFFER "permessage-deflate; client_max_window_bits"

typedef struct ws_deflate_accepted {
  int window_bits;       /* for the client's messages */
  int server_resets;     /* server_no_context_takeover: inflate each alone */
} ws_deflate_accepted;

/* Reads the server's Sec-WebSocket-Extensions answer to that offer. 0 with
 * *out set; -1 when it is not one valid permessage-deflate answer (the ws
 * package then fails the connection). */
int ws_deflate_read_answer(const char *header, ws_deflate_accepted *out);

typedef struct ws_inflater ws_inflater;
/* NULL out of memory. */
ws_inflater *ws_inflater_new(void);
/* Accepts NULL. */
void ws_inflater_free(ws_inflater *z);
/* As ws_inflate_message, with the context of the messages before kept
 * unless reset. */
int ws_inflater_run(ws_inflater *z, const void *data, size_t len, size_t max, int reset,
                    sbuf *out);
#endif
