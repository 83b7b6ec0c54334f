#include "json_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "common/json_value.h"

static int is_placeholder(const jv *v, size_t nbins, size_t *num) {
  if (v->type != JV_OBJECT || v->count != 2) return 0;
  const jv *flag = jv_get(v, "_placeholder"), *n = jv_get(v, "num");
  if (!flag || flag->type != JV_BOOL || !flag->boolean || !n || n->type != JV_NUMBER) return 0;
  if (n->number < 0 || n->number >= (double)nbins || n->number != (double)(size_t)n->number)
    return 0;
  *num = (size_t)n->number;
  return 1;
}

static void show(strbuf *out, const jv *v, const sio_buf *bins, size_t nbins) {
  size_t num;
  if (is_placeholder(v, nbins, &num)) {
    sb_puts(out, "{\"$binary\":\"");
    base64_encode(out, bins[num].data, bins[num].len);
    sb_puts(out, "\"}");
    return;
  }
  if (v->type != JV_ARRAY && v->type != JV_OBJECT) {
    sb_add(out, v->raw, v->raw_len);
    return;
  }
  sb_puts(out, v->type == JV_ARRAY ? "[" : "{");
  for (size_t i = 0; i < v->count; i++) {
    if (i) sb_puts(out, ",");
    if (v->type == JV_OBJECT) {
      sb_json_string(out, v->items[i].key, strlen(v->items[i].key));
      sb_puts(out, ":");
    }
    show(out, &v->items[i], bins, nbins);
  }
  sb_puts(out, v->type == JV_ARRAY ? "]" : "}");
}

void json_args_show(strbuf *out, const char *json, size_t len, const sio_buf *bins,
                    size_t nbins) {
  if (!json) {
    sb_puts(out, "[]");
    return;
  }
  jv *root = jv_parse(json, len);
  if (!root) {
    sb_add(out, json, len);
    return;
  }
  show(out, root, bins, nbins);
  jv_free(root);
}

/* Writes v with every {"$binary":...} turned into a placeholder; -1 with err
 * set on a bad one. */
static int take(typed_args *t, const jv *v, char *err, size_t errlen) {
  const jv *b = v->type == JV_OBJECT && v->count == 1 ? jv_get(v, "$binary") : NULL;
  if (b) {
    if (b->type != JV_STRING) {
      snprintf(err, errlen, "\"$binary\" wants a base64 string");
      return -1;
    }
    if (t->nbins == JSON_ARGS_MAX_BINS) {
      snprintf(err, errlen, "at most %d binary attachments", JSON_ARGS_MAX_BINS);
      return -1;
    }
    unsigned char *bytes;
    size_t n;
    if (base64_decode(b->str, strlen(b->str), &bytes, &n)) {
      snprintf(err, errlen, "not base64: \"%s\"", b->str);
      return -1;
    }
    t->bins[t->nbins] = (sio_buf){bytes, n};
    sb_printf(&t->json, "{\"_placeholder\":true,\"num\":%zu}", t->nbins++);
    return 0;
  }
  if (v->type != JV_ARRAY && v->type != JV_OBJECT) {
    sb_add(&t->json, v->raw, v->raw_len);
    return 0;
  }
  sb_puts(&t->json, v->type == JV_ARRAY ? "[" : "{");
  for (size_t i = 0; i < v->count; i++) {
    if (i) sb_puts(&t->json, ",");
    if (v->type == JV_OBJECT) {
      sb_json_string(&t->json, v->items[i].key, strlen(v->items[i].key));
      sb_puts(&t->json, ":");
    }
    if (take(t, &v->items[i], err, errlen)) return -1;
  }
  sb_puts(&t->json, v->type == JV_ARRAY ? "]" : "}");
  return 0;
}

int json_args_from_words(typed_args *t, const char *const *words, int n, char *err,
                         size_t errlen) {
  memset(t, 0, sizeof *t);
  sb_puts(&t->json, "[");
  for (int i = 0; i < n; i++) {
    if (i) sb_puts(&t->json, ",");
    jv *v = jv_parse(words[i], strlen(words[i]));
    if (!v) {
      sb_json_string(&t->json, words[i], strlen(words[i]));
      continue;
    }
    int rc = take(t, v, err, errlen);
    jv_free(v);
    if (rc) return -1;
  }
  sb_puts(&t->json, "]");
  return 0;
}

void typed_args_free(typed_args *t) {
  sb_free(&t->json);
  for (size_t i = 0; i < t->nbins; i++) free((void *)t->bins[i].data);
  t->nbins = 0;
}

void typed_args_to_message(const typed_args *t, sio_message *msg) {
  msg->args_json = t->json.data;
  msg->args_len = t->json.len;
  msg->bins = t->nbins ? t->bins : NULL;
  msg->nbins = t->nbins;
}
