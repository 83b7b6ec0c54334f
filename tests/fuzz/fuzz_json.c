/* The JSON scanner (core/util/json.c): every function that reads JSON text
 * must agree with json_validate, and what the writers produce must read back
 * as what was written. */
#include "fuzz_util.h"
#include "sio/event_decode.h"
#include "util/json.h"

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The smallest attachment count the placeholders of s fit, or -1. */
static long min_nbins(const char *s, size_t n) {
  for (size_t nbins = 0; nbins <= 64; nbins++)
    if (json_count_placeholders(s, n, nbins) >= 0) return (long)nbins;
  return -1;
}

static void check_placeholders(const char *s, size_t n, int valid) {
  long count = json_count_placeholders(s, n, SIZE_MAX);
  if (!valid) {
    FUZZ_CHECK(count < 0);
    return;
  }
  long nbins = min_nbins(s, n);
  if (nbins < 0) return;
  long found = json_count_placeholders(s, n, (size_t)nbins);
  FUZZ_CHECK(found >= 0);
  FUZZ_CHECK(json_rewrite_placeholders(s, n, (size_t)nbins, 0, NULL) == found);
  /* Rewriting by 0 keeps every num, in a form a second rewrite keeps as
   * it is; by k it raises each by k. */
  sbuf same = SBUF_INIT, again = SBUF_INIT, raised = SBUF_INIT, raised_same = SBUF_INIT;
  FUZZ_CHECK(json_rewrite_placeholders(s, n, (size_t)nbins, 0, &same) == found);
  FUZZ_CHECK(json_validate(same.data, same.len) == 0);
  FUZZ_CHECK(min_nbins(same.data, same.len) == nbins);
  FUZZ_CHECK(json_rewrite_placeholders(same.data, same.len, (size_t)nbins, 0, &again) == found);
  FUZZ_CHECK(again.len == same.len && !memcmp(again.data, same.data, same.len));
  FUZZ_CHECK(json_rewrite_placeholders(s, n, (size_t)nbins, 7, &raised) == found);
  FUZZ_CHECK(json_count_placeholders(raised.data, raised.len, (size_t)nbins + 7) == found);
  FUZZ_CHECK(json_rewrite_placeholders(same.data, same.len, (size_t)nbins, 7, &raised_same) == found);
  FUZZ_CHECK(raised_same.len == raised.len && !memcmp(raised_same.data, raised.data, raised.len));
  sbuf_free(&same);
  sbuf_free(&again);
  sbuf_free(&raised);
  sbuf_free(&raised_same);
}

static void check_string(const char *s, size_t n) {
  size_t at = 0;
  while (at < n && is_ws(s[at])) at++;
  if (json_peek(s, n, 0) != '"') return;
  sbuf dec = SBUF_INIT, enc = SBUF_INIT, again = SBUF_INIT;
  long end = json_read_string(s, n, at, &dec);
  long skip = json_skip_value(s, n, 0);
  FUZZ_CHECK((end < 0) == (skip < 0));
  if (end >= 0) {
    FUZZ_CHECK(end == skip);
    FUZZ_CHECK(json_string_equals(s, n, at, dec.data ? dec.data : "", dec.len));
    FUZZ_CHECK(json_write_string(&enc, dec.data ? dec.data : "", dec.len) == 0);
    /* Bytes >= 0x80 are copied as they are: only valid UTF-8 reads back. */
    long back = json_read_string(enc.data, enc.len, 0, &again);
    if (back >= 0) {
      FUZZ_CHECK((size_t)back == enc.len);
      FUZZ_CHECK(again.len == dec.len && (!dec.len || !memcmp(again.data, dec.data, dec.len)));
    }
  }
  sbuf_free(&dec);
  sbuf_free(&enc);
  sbuf_free(&again);
}

/* The name and the other items of an EVENT payload in valid JSON, found as
 * event_decode finds them: json_event_locate, then json_read_string for the
 * name (or JavaScript's text for a number). 0, or -1 when it is no event (or the name holds a NUL). */
static int event_parts(const char *s, size_t n, json_event_parts *ep, sbuf *name, sbuf *args) {
  if (json_event_locate(s, n, ep)) return -1;
  if (ep->name_number) {
    /* a number: the text String(n) gives, read from a terminated copy */
    FUZZ_CHECK(sbuf_append(name, s + ep->name_at, ep->name_end - ep->name_at) == 0);
    FUZZ_CHECK(json_skip_value(name->data, name->len, 0) == (long)name->len);
    char text[40];
    json_number_js_text(json_number_read(name->data, NULL), text);
    sbuf_reset(name);
    FUZZ_CHECK(sbuf_puts(name, text) == 0);
  } else {
    long end = json_read_string(s, n, ep->name_at, name);
    FUZZ_CHECK(end == (long)ep->name_end); /* valid JSON: the literal reads */
  }
  if (name->len && memchr(name->data, 0, name->len)) return -1;
  if (ep->rest_at) {
    FUZZ_CHECK(sbuf_putc(args, '[') == 0);
    FUZZ_CHECK(sbuf_append(args, s + ep->rest_at + 1, ep->end - ep->rest_at - 1) == 0);
  } else {
    FUZZ_CHECK(sbuf_append(args, "[]", 2) == 0);
  }
  return 0;
}

static void check_event(const char *s, size_t n, int valid) {
  json_event_parts ep;
  int located = json_event_locate(s, n, &ep) == 0;
  /* On any text, locating stays within it. */
  if (located)
    FUZZ_CHECK(ep.name_at < ep.name_end && ep.name_end <= (ep.rest_at ? ep.rest_at : ep.end) &&
               ep.end <= n && (!ep.rest_at || ep.rest_at < ep.end));
  if (!valid) return; /* json_event_locate's contract: valid JSON */
  sbuf name = SBUF_INIT, args = SBUF_INIT, joined = SBUF_INIT;
  int rc = event_parts(s, n, &ep, &name, &args);
  /* event_decode, the library's one path, finds the same. */
  ev_rec *r = ev_new(SIO_EV_EVENT);
  sbuf scratch = SBUF_INIT;
  FUZZ_CHECK(r);
  FUZZ_CHECK(event_decode(r, s, n, &scratch) == rc);
  if (rc == 0) {
    const char *nm = name.data ? name.data : "";
    FUZZ_CHECK(ep.name_escaped || ep.name_number ||
               (name.len == ep.name_end - ep.name_at - 2 &&
                !memcmp(nm, s + ep.name_at + 1, name.len)));
    FUZZ_CHECK(!strcmp(r->ev.name, nm));
    FUZZ_CHECK(r->ev.data_len == args.len && !memcmp(r->ev.data, args.data, args.len));
    FUZZ_CHECK(json_validate(args.data, args.len) == 0);
    FUZZ_CHECK(json_event_join(&joined, nm, args.data, args.len) == 0);
    FUZZ_CHECK(json_validate(joined.data, joined.len) == 0);
    json_event_parts ep2;
    sbuf name2 = SBUF_INIT, args2 = SBUF_INIT;
    FUZZ_CHECK(event_parts(joined.data, joined.len, &ep2, &name2, &args2) == 0);
    FUZZ_CHECK(name2.len == name.len && (!name.len || !memcmp(name2.data, name.data, name.len)));
    /* Joining drops white space around the items: from then on it is
     * stable. */
    sbuf rejoined = SBUF_INIT;
    FUZZ_CHECK(json_event_join(&rejoined, name2.data ? name2.data : "", args2.data, args2.len) == 0);
    FUZZ_CHECK(rejoined.len == joined.len && !memcmp(rejoined.data, joined.data, joined.len));
    sbuf_free(&name2);
    sbuf_free(&args2);
    sbuf_free(&rejoined);
  }
  ev_free(r);
  sbuf_free(&scratch);
  sbuf_free(&name);
  sbuf_free(&args);
  sbuf_free(&joined);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A copy of exactly size bytes: reads past the end are caught. */
  char *s = malloc(size ? size : 1);
  if (!s) return 0;
  memcpy(s, data, size);
  int valid = json_validate(s, size) == 0;
  long end = json_skip_value(s, size, 0);
  size_t rest = end >= 0 ? (size_t)end : 0;
  while (rest < size && is_ws(s[rest])) rest++;
  FUZZ_CHECK(valid == (end >= 0 && rest == size));
  if (valid) FUZZ_CHECK(json_peek(s, size, 0) != 0);
  check_placeholders(s, size, valid);
  check_string(s, size);
  check_event(s, size, valid);
  free(s);
  return 0;
}
