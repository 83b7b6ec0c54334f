/* The default Socket.IO parser, wire-compatible with npm socket.io-parser
 * 4.2: "<type>[<attachments>-][<nsp>,][<id>][<json>]" as one text message,
 * each binary attachment as a following binary message. */
#include <stdlib.h>
#include <string.h>

#include "../../eio/eio.h"
#include "../../util/json.h"
#include "sio_parser.h"

static int is_binary_type(int type) {
  return type == SIO_P_BINARY_EVENT || type == SIO_P_BINARY_ACK;
}

static size_t decimal_len(uint64_t v) {
  size_t len = 1;
  while (v >= 10) {
    v /= 10;
    len++;
  }
  return len;
}

/* Writes v in len digits at w; returns the end. */
static char *put_decimal(char *w, uint64_t v, size_t len) {
  for (size_t k = len; k > 0; k--) {
    w[k - 1] = (char)('0' + v % 10);
    v /= 10;
  }
  return w + len;
}

/* Like the JS encoder, whether an EVENT or ACK goes out as its BINARY_ form
 * depends only on whether it carries attachments. -1 when the type cannot
 * carry the attachments it has. */
static int wire_type(const sio_packet *p) {
  if (p->nbins > SIO_MAX_ATTACHMENTS) return -1;
  switch (p->type) {
    case SIO_P_EVENT:
    case SIO_P_BINARY_EVENT:
      return p->nbins ? SIO_P_BINARY_EVENT : SIO_P_EVENT;
    case SIO_P_ACK:
    case SIO_P_BINARY_ACK:
      return p->nbins ? SIO_P_BINARY_ACK : SIO_P_ACK;
    case SIO_P_CONNECT:
    case SIO_P_DISCONNECT:
    case SIO_P_CONNECT_ERROR:
      return p->nbins ? -1 : p->type;
    default:
      return -1;
  }
}

static int json_encode(const sio_packet *p, rbuf **out, size_t *nout) {
  int type = wire_type(p);
  if (type < 0) return -1;
  /* The main namespace is implied; any other must survive decoding, which
   * reads it from a leading '/' up to the first ','. */
  const char *nsp = p->nsp && p->nsp[0] && strcmp(p->nsp, "/") ? p->nsp : NULL;
  size_t nsp_len = nsp ? strlen(nsp) : 0;
  if (nsp && (nsp[0] != '/' || memchr(nsp, ',', nsp_len))) return -1;
  size_t data_len = p->data ? p->data_len : 0;
  size_t attach_len = is_binary_type(type) ? decimal_len(p->nbins) : 0;
  size_t id_len = p->id >= 0 ? decimal_len((uint64_t)p->id) : 0;
  size_t len = 1 + (attach_len ? attach_len + 1 : 0) +
               (nsp ? nsp_len + 1 : 0) + id_len + data_len;

  rbuf *text = eio_alloc_text(EIO_MESSAGE, len);
  if (!text) return -1;
  char *w = text->data + 1;
  *w++ = (char)('0' + type);
  if (attach_len) {
    w = put_decimal(w, p->nbins, attach_len);
    *w++ = '-';
  }
  if (nsp) {
    memcpy(w, nsp, nsp_len);
    w += nsp_len;
    *w++ = ',';
  }
  if (id_len) w = put_decimal(w, (uint64_t)p->id, id_len);
  if (data_len) memcpy(w, p->data, data_len);

  out[0] = text;
  for (size_t k = 0; k < p->nbins; k++) {
    out[k + 1] = eio_encode_binary(p->bins[k].data, p->bins[k].len);
    if (!out[k + 1]) {
      for (size_t j = 0; j <= k; j++) rbuf_unref(out[j]);
      return -1;
    }
  }
  *nout = 1 + p->nbins;
  return 0;
}

struct sio_decoder {
  size_t max_payload;
  size_t held;        /* bytes the pending packet holds */
  sio_packet pending; /* a BINARY_ packet waiting for attachments */
  int waiting;
  sbuf nsp;           /* a borrowed packet's namespace, when not "/" */
};

static char main_nsp[] = "/";

static sio_decoder *json_decoder_new(size_t max_payload) {
  sio_decoder *d = malloc(sizeof *d);
  if (!d) return NULL;
  d->max_payload = max_payload;
  d->held = 0;
  sio_packet_init(&d->pending);
  d->waiting = 0;
  d->nsp = (sbuf)SBUF_INIT;
  return d;
}

static void json_decoder_free(sio_decoder *d) {
  if (!d) return;
  sio_packet_clear(&d->pending);
  sbuf_free(&d->nsp);
  free(d);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_json_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The names socket.io-parser refuses as event names. */
static int is_reserved_name(const char *s, size_t n, size_t at) {
  static const char *const reserved[] = {
      "connect",       "connect_error", "disconnect",
      "disconnecting", "newListener",   "removeListener"};
  /* A name without escapes compares as raw bytes: no decoding per event. */
  const char *close = memchr(s + at + 1, '"', n - at - 1);
  int plain = close && !memchr(s + at + 1, '\\', (size_t)(close - s - at - 1));
  for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++) {
    size_t len = strlen(reserved[k]);
    if (plain ? (size_t)(close - s - at - 1) == len && !memcmp(s + at + 1, reserved[k], len)
              : json_string_equals(s, n, at, reserved[k], len))
      return 1;
  }
  return 0;
}

/* isPayloadValid of socket.io-parser, on JSON text already validated that
 * starts with its value. A number as the event name passes, as it does
 * there. */
static int payload_fits_type(int type, const char *s, size_t n) {
  char kind = json_peek(s, n, 0);
  switch (type) {
    case SIO_P_CONNECT:
      return kind == '{';
    case SIO_P_CONNECT_ERROR:
      return kind == '{' || kind == '"';
    case SIO_P_EVENT:
    case SIO_P_BINARY_EVENT: {
      if (kind != '[') return 0;
      size_t first = 1;
      while (first < n && is_json_ws(s[first])) first++;
      char name = json_peek(s, n, first);
      return name == '0' || (name == '"' && !is_reserved_name(s, n, first));
    }
    case SIO_P_ACK:
    case SIO_P_BINARY_ACK:
      return kind == '[';
    default:
      return 0;
  }
}

static char *copy_text(const char *s, size_t n) {
  char *c = malloc(n + 1);
  if (!c) return NULL;
  memcpy(c, s, n);
  c[n] = 0;
  return c;
}

/* The payload of a BINARY_ packet with its placeholders checked and
 * written in one form (json_rewrite_placeholders): the host, the
 * renumbering of broadcast acks and the encoders then read the same
 * attachments the JS decoder would. NULL when they are malformed (or out
 * of memory). The text is never longer than what arrived. */
static char *placeholder_text(const char *s, size_t n, size_t nattach, size_t *len) {
  sbuf out = SBUF_INIT;
  if (sbuf_reserve(&out, n) || json_rewrite_placeholders(s, n, nattach, 0, &out) < 0) {
    sbuf_free(&out);
    return NULL;
  }
  return sbuf_detach(&out, len);
}

/* EVENT and ACK packets, the ones that carry the traffic, are handed on
 * without copying: consumers copy what they keep (sio_packet.borrowed). */
static int borrow_text(sio_decoder *d, const char *nsp, size_t nsp_len, const char *data,
                       size_t data_len, sio_packet *p) {
  p->borrowed = 1;
  if (nsp_len == 1 && nsp[0] == '/') {
    p->nsp = main_nsp;
  } else {
    if (d->nsp.cap > 1024) sbuf_free(&d->nsp);
    sbuf_reset(&d->nsp);
    if (sbuf_append(&d->nsp, nsp, nsp_len)) return -1;
    p->nsp = d->nsp.data;
  }
  p->data = (char *)data;
  p->data_len = data_len;
  return 0;
}

/* Parses one text message into *p (empty on entry). 0, or -1 when the
 * message is malformed or out of memory. */
static int parse_text(sio_decoder *d, const char *s, size_t n, sio_packet *p) {
  if (n == 0 || s[0] < '0' || s[0] > '6') return -1;
  int type = s[0] - '0';
  size_t i = 1;

  size_t nattach = 0;
  if (is_binary_type(type)) {
    size_t first = i;
    for (; i < n && is_digit(s[i]); i++) {
      nattach = nattach * 10 + (size_t)(s[i] - '0');
      if (nattach > SIO_MAX_ATTACHMENTS) return -1;
    }
    if (i == first || i >= n || s[i] != '-' || nattach < 1) return -1;
    i++;
  }

  const char *nsp = "/";
  size_t nsp_len = 1;
  if (i < n && s[i] == '/') {
    const char *comma = memchr(s + i, ',', n - i);
    nsp = s + i;
    nsp_len = comma ? (size_t)(comma - nsp) : n - i;
    i += nsp_len + (comma != NULL);
    /* A NUL would silently shorten the C string handed on. */
    if (memchr(nsp, 0, nsp_len)) return -1;
  }

  int64_t id = -1;
  if (i < n && is_digit(s[i])) {
    id = 0;
    for (; i < n && is_digit(s[i]); i++) {
      int digit = s[i] - '0';
      if (id > (SIO_MAX_ACK_ID - digit) / 10) return -1;
      id = id * 10 + digit;
    }
  }

  /* The JS decoder reads white space here as part of the ack id (Number("
   * ") is 0), so a payload starting with it is refused rather than read
   * with a different meaning. */
  const char *data = s + i;
  size_t data_len = n - i;
  if (data_len == 0) {
    if (type != SIO_P_CONNECT && type != SIO_P_DISCONNECT) return -1;
  } else if (is_json_ws(data[0]) || json_validate(data, data_len) ||
             !payload_fits_type(type, data, data_len)) {
    return -1;
  }
  if (nsp_len + data_len > d->max_payload) return -1;

  p->type = type;
  p->id = id;
  p->nattach = nattach;
  if (type == SIO_P_EVENT || type == SIO_P_ACK) return borrow_text(d, nsp, nsp_len, data, data_len, p);
  p->nsp = copy_text(nsp, nsp_len);
  if (nattach) {
    p->data = placeholder_text(data, data_len, nattach, &p->data_len);
  } else {
    p->data = data_len ? copy_text(data, data_len) : NULL;
    p->data_len = data_len;
  }
  p->bins = nattach ? calloc(nattach, sizeof *p->bins) : NULL;
  if (!p->nsp || (data_len && !p->data) || (nattach && !p->bins)) {
    sio_packet_clear(p);
    return -1;
  }
  d->held = nsp_len + p->data_len;
  return 0;
}

static int take_attachment(sio_decoder *d, const char *data, size_t len) {
  sio_packet *p = &d->pending;
  if (len > d->max_payload - d->held) return -1;
  char *copy = malloc(len ? len : 1);
  if (!copy) return -1;
  if (len) memcpy(copy, data, len);
  p->bins[p->nbins].data = copy;
  p->bins[p->nbins].len = len;
  p->nbins++;
  d->held += len;
  return 0;
}

static void hand_over(sio_decoder *d, sio_packet *out) {
  *out = d->pending;
  sio_packet_init(&d->pending);
  d->waiting = 0;
  d->held = 0;
}

static int json_decode(sio_decoder *d, const char *data, size_t len,
                       int binary, sio_packet *out) {
  if (binary) {
    if (!d->waiting || take_attachment(d, data, len)) goto fail;
    if (d->pending.nbins < d->pending.nattach) return 0;
    hand_over(d, out);
    return 1;
  }
  if (d->waiting || parse_text(d, data, len, &d->pending)) goto fail;
  if (d->pending.nattach) {
    d->waiting = 1;
    return 0;
  }
  hand_over(d, out);
  return 1;
fail:
  /* The connection closes on any error; drop what was buffered now. */
  sio_packet_clear(&d->pending);
  d->waiting = 0;
  d->held = 0;
  return -1;
}

const sio_parser sio_parser_json = {
    "json", json_encode, json_decoder_new, json_decode, json_decoder_free};
