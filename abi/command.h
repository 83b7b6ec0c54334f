/* One command builder for the server's and the client's calls: a pooled
 * block from the context's command queue holding the command and, after
 * it, copies of everything the host handed in, so that the call returns
 * before the I/O thread runs it. Not installed. */
#ifndef SIO_ABI_COMMAND_H
#define SIO_ABI_COMMAND_H
#include <stdint.h>

#include <sio/sio.h>

#include "../core/pump/context.h"
#include "../core/sio/codec/sio_packet.h"

typedef struct abi_cmd {
  cmd base;
  void *handle;          /* the sio_server or sio_client it is for */
  int op;                /* the role's own operation code */
  uint64_t req;          /* the request id handed back, or 0 */
  sio_target target;     /* server: who it selects */
  char *nsp;             /* client: the socket's namespace */
  char *str;             /* event name, namespace, sid, message or auth */
  char *json;            /* arguments or data */
  size_t json_len;
  sio_attachment *bins;
  size_t nbins;
  char **rooms;
  size_t nrooms;
  unsigned flags;
  int timeout_ms;
  int64_t ack_id;
  char *arena_next;
  char arena[];
} abi_cmd;

/* Bytes the copies need (the sums abi_cmd_new's extra is made of). */
size_t abi_str_size(const char *s);
size_t abi_strs_size(const char *const *v, size_t n);
size_t abi_target_size(const sio_target *t);
size_t abi_message_size(const sio_message *m);

/* A command for handle with room for extra bytes of copies; NULL when out
 * of memory. ack_id starts at -1, everything else at zero. */
abi_cmd *abi_cmd_new(struct sio_context *ctx, void *handle, int op, size_t extra);
/* Copies into the command's arena; NULL in, NULL out. */
char *abi_cmd_str(abi_cmd *c, const char *s);
char **abi_cmd_strs(abi_cmd *c, const char *const *v, size_t n);
void abi_cmd_target(abi_cmd *c, const sio_target *t);
/* The arguments and attachments of m (checked by abi_check_message). */
void abi_cmd_message(abi_cmd *c, const sio_message *m);
/* Queues c to run fn on the I/O thread; fn ends with abi_cmd_retire. With
 * req_out, c gets a new request id, handed back in *req_out. Returns 0. */
int abi_cmd_submit(struct sio_context *ctx, abi_cmd *c, void (*fn)(cmd *), uint64_t *req_out);
void abi_cmd_retire(struct sio_context *ctx, abi_cmd *c);
#endif
