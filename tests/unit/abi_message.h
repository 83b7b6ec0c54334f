/* sio_message and sio_target for the unit tests of the public ABI: filled
 * from their _INIT macros, as a host does. */
#ifndef SIO_TEST_ABI_MESSAGE_H
#define SIO_TEST_ABI_MESSAGE_H
#include <string.h>

#include <sio/sio.h>

/* event (NULL for an acknowledgement) with the arguments json (NULL: none),
 * its length taken with strlen. */
static inline sio_message message(const char *event, const char *json) {
  sio_message m = SIO_MESSAGE_INIT;
  m.event = event;
  m.args_json = json;
  m.args_len = json ? strlen(json) : 0;
  return m;
}

/* The same with attachments, flags and a timeout. */
static inline sio_message message_ex(const char *event, const char *json, const sio_buf *bins,
                                     size_t nbins, unsigned flags, int timeout_ms) {
  sio_message m = message(event, json);
  m.bins = bins;
  m.nbins = nbins;
  m.flags = flags;
  m.timeout_ms = timeout_ms;
  return m;
}

/* Namespace nsp (NULL: "/"), or its one socket sid. */
static inline sio_target target(const char *nsp, const char *sid) {
  sio_target t = SIO_TARGET_INIT;
  t.nsp = nsp;
  t.sid = sid;
  return t;
}
#endif
