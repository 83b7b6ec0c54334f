#include "event_decode.h"

#include <string.h>

#include "../util/json.h"

/* A number as the name reaches the host as the text JavaScript would make
 * of it (String(n): the property name socket.on("42") listens under). */
static int set_number_name(ev_rec *r, const char *json, const json_event_parts *ep,
                           sbuf *scratch) {
  sbuf_reset(scratch);
  if (sbuf_append(scratch, json + ep->name_at, ep->name_end - ep->name_at)) return -1;
  char text[40];
  json_number_js_text(json_number_read(scratch->data, NULL), text);
  return ev_set_str(r, &r->ev.name, text) ? -1 : 0;
}

static int set_name(ev_rec *r, const char *json, size_t n, const json_event_parts *ep,
                    sbuf *scratch) {
  if (ep->name_number) return set_number_name(r, json, ep, scratch);
  if (!ep->name_escaped)
    return ev_set_strn(r, &r->ev.name, json + ep->name_at + 1, ep->name_end - ep->name_at - 2);
  sbuf_reset(scratch);
  /* A NUL inside the name would silently shorten the C string handed on. */
  int rc = json_read_string(json, n, ep->name_at, scratch) < 0 ||
           (scratch->len && memchr(scratch->data, 0, scratch->len)) ||
           ev_set_str(r, &r->ev.name, scratch->data ? scratch->data : "");
  return rc ? -1 : 0;
}

/* The items after the name, as an array: the text from the ',' on with the
 * ',' made a '['. */
static int set_args(ev_rec *r, const char *json, const json_event_parts *ep) {
  if (!ep->rest_at) return ev_set_data(r, "[]", 2);
  size_t len = ep->end - ep->rest_at;
  char *args = ev_data_room(r, len);
  if (!args) return -1;
  memcpy(args, json + ep->rest_at, len);
  args[0] = '[';
  return 0;
}

int event_decode(ev_rec *r, const char *json, size_t n, sbuf *scratch) {
  json_event_parts ep;
  if (!json || json_event_locate(json, n, &ep)) return -1;
  return set_name(r, json, n, &ep, scratch) || set_args(r, json, &ep) ? -1 : 0;
}
