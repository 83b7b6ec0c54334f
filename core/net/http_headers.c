#include "http_headers.h"

#include <ctype.h>
#include <string.h>

int http_headers_field(sbuf *list, size_t *count, int *state, const char *at, size_t len) {
  if (list->len + len > HTTP_MAX_HEADER_BYTES) return -1;
  if (*state == HTTP_HDR_VALUE) {
    if (sbuf_putc(list, 0)) return -1;
    (*count)++;
  }
  *state = HTTP_HDR_FIELD;
  size_t start = list->len;
  if (sbuf_append(list, at, len)) return -1;
  for (size_t i = start; i < list->len; i++)
    list->data[i] = (char)tolower((unsigned char)list->data[i]);
  return 0;
}

int http_headers_value(sbuf *list, size_t *count, int *state, const char *at, size_t len) {
  (void)count;
  if (list->len + len > HTTP_MAX_HEADER_BYTES) return -1;
  if (*state == HTTP_HDR_FIELD && sbuf_putc(list, 0)) return -1;
  *state = HTTP_HDR_VALUE;
  return sbuf_append(list, at, len);
}

int http_headers_end(sbuf *list, size_t *count, int *state) {
  /* A last name may have come without a value. */
  if (*state == HTTP_HDR_FIELD && sbuf_putc(list, 0)) return -1;
  if (*state != HTTP_HDR_NONE) {
    if (sbuf_putc(list, 0)) return -1;
    (*count)++;
  }
  *state = HTTP_HDR_NONE;
  return 0;
}

const char *http_headers_find(const sbuf *list, size_t count, const char *name) {
  const char *p = list->data;
  for (size_t i = 0; i < count; i++) {
    const char *v = p + strlen(p) + 1;
    if (strcmp(p, name) == 0) return v;
    p = v + strlen(v) + 1;
  }
  return NULL;
}
