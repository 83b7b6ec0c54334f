/* An incoming EVENT, the same way for the server and the client: its
 * payload goes from the packet straight into the event record, without a
 * second validation and without copies on the way. */
#ifndef SIO_EVENT_DECODE_H
#define SIO_EVENT_DECODE_H
#include <stddef.h>

#include "../pump/event_queue.h"
#include "../util/sbuf.h"

/* Sets r's name and data from an EVENT payload json[0..n), valid JSON as
 * every decoder hands it up: the name is copied as it is unless its literal
 * holds escapes (then decoded through scratch, which the caller keeps or
 * frees), and the items after it become the data, as an array. 0, or -1
 * when the payload is not an array starting with a string, the name holds
 * a NUL, or out of memory (r is then the caller's to free). */
int event_decode(ev_rec *r, const char *json, size_t n, sbuf *scratch);
#endif
