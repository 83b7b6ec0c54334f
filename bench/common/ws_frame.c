#include "ws_frame.h"

#include <string.h>

void ws_mask(char *data, size_t len, const unsigned char key[4]) {
  /* Eight bytes at a time: byte-wise masking capped large payloads at a few
   * hundred MiB/s, below what the servers can do. */
  uint64_t key8;
  unsigned char pattern[8];
  for (int i = 0; i < 8; i++) {
    pattern[i] = key[i & 3];
  }
  memcpy(&key8, pattern, 8);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t word;
    memcpy(&word, data + i, 8);
    word ^= key8;
    memcpy(data + i, &word, 8);
  }
  for (; i < len; i++) {
    data[i] ^= (char)key[i & 3];
  }
}

static uint32_t next_mask_key(void) {
  /* xorshift: masking only has to defeat proxies, not attackers. */
  static uint32_t state = 0x9E3779B9u;
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

void ws_frame_append(struct bytebuf *out, enum ws_opcode opcode, const void *payload,
                     size_t len, bool mask) {
  unsigned char header[14];
  size_t header_len = 2;
  header[0] = (unsigned char)(0x80 | opcode);
  unsigned char mask_bit = mask ? 0x80 : 0;
  if (len < 126) {
    header[1] = (unsigned char)(mask_bit | len);
  } else if (len <= 0xFFFF) {
    header[1] = mask_bit | 126;
    header[2] = (unsigned char)(len >> 8);
    header[3] = (unsigned char)len;
    header_len = 4;
  } else {
    header[1] = mask_bit | 127;
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    }
    header_len = 10;
  }
  unsigned char key[4];
  if (mask) {
    uint32_t k = next_mask_key();
    memcpy(key, &k, 4);
    memcpy(header + header_len, key, 4);
    header_len += 4;
  }
  char *dst = bytebuf_reserve(out, header_len + len);
  memcpy(dst, header, header_len);
  memcpy(dst + header_len, payload, len);
  if (mask) {
    ws_mask(dst + header_len, len, key);
  }
  out->end += header_len + len;
}

int ws_frame_parse(char *data, size_t len, size_t max_payload, struct ws_frame *frame) {
  const unsigned char *p = (const unsigned char *)data;
  if (len < 2) {
    return 0;
  }
  bool masked = p[1] & 0x80;
  uint64_t payload_len = p[1] & 0x7F;
  size_t header_len = 2;
  if (payload_len == 126) {
    if (len < 4) {
      return 0;
    }
    payload_len = ((uint64_t)p[2] << 8) | p[3];
    header_len = 4;
  } else if (payload_len == 127) {
    if (len < 10) {
      return 0;
    }
    payload_len = 0;
    for (int i = 0; i < 8; i++) {
      payload_len = (payload_len << 8) | p[2 + i];
    }
    header_len = 10;
  }
  if (payload_len > max_payload) {
    return -1;
  }
  size_t key_at = header_len;
  if (masked) {
    header_len += 4;
  }
  if (len < header_len + payload_len) {
    return 0;
  }
  frame->fin = p[0] & 0x80;
  frame->rsv1 = p[0] & 0x40;
  frame->opcode = (enum ws_opcode)(p[0] & 0x0F);
  frame->payload = data + header_len;
  frame->payload_len = (size_t)payload_len;
  frame->frame_len = header_len + (size_t)payload_len;
  if (masked) {
    unsigned char key[4];
    memcpy(key, p + key_at, 4);
    ws_mask(frame->payload, frame->payload_len, key);
  }
  return 1;
}
