#include "sio_parser.h"

#include <string.h>

const sio_parser *sio_parser_by_name(const char *name) {
  if (name && strcmp(name, "json") == 0) return &sio_parser_json;
  if (name && strcmp(name, "msgpack") == 0) return &sio_parser_msgpack;
  return NULL;
}
