/* Event arguments between the library's form (a JSON array with
 * {"_placeholder":true,"num":N} for each binary attachment) and the form a
 * person reads and types: the attachment itself, inline, as
 * {"$binary":"<base64>"}. */
#ifndef SIO_CLI_JSON_ARGS_H
#define SIO_CLI_JSON_ARGS_H
#include <stddef.h>

#include <sio/sio.h>

#include "strbuf.h"

#define JSON_ARGS_MAX_BINS 10

/* Appends the JSON array json[0..len) with each placeholder replaced by its
 * attachment in base64; "[]" for NULL. */
void json_args_show(strbuf *out, const char *json, size_t len, const sio_buf *bins,
                    size_t nbins);

/* Arguments typed as words: each word is a JSON value, or, when it is not
 * valid JSON, a string. {"$binary":"<base64>"} anywhere in a value becomes
 * a binary attachment. */
typedef struct typed_args {
  strbuf json; /* the JSON array, placeholders in it */
  sio_buf bins[JSON_ARGS_MAX_BINS];
  size_t nbins;
} typed_args;

/* Fills t (free with typed_args_free, also after a failure). Returns -1 and
 * a message in err when an attachment is not base64 or there are too many. */
int json_args_from_words(typed_args *t, const char *const *words, int n, char *err,
                         size_t errlen);
void typed_args_free(typed_args *t);
/* Points msg's arguments at t. */
void typed_args_to_message(const typed_args *t, sio_message *msg);
#endif
