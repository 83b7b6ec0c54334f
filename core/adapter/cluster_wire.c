/* How this node's requests and responses reach the others in either
 * protocol: the commands, the channels and the envelopes. */
#include <string.h>

#include "../util/json.h"
#include "cluster_internal.h"

int cluster_channel(const cluster *c, const char *kind, const char *nsp, sbuf *out) {
  sbuf_reset(out);
  return sbuf_printf(out, "%s%s#%s#", c->o.key, kind, nsp);
}

int cluster_publish(cluster *c, const char *channel, const char *msg, size_t len) {
  const char *cmd = c->o.sharded ? "SPUBLISH" : "PUBLISH";
  const char *argv[3] = {cmd, channel, msg};
  size_t lens[3] = {strlen(cmd), strlen(channel), len};
  return redis_conn_send(c->pub, NULL, NULL, 3, argv, lens) ? SIO_EIO : 0;
}

/* The channel every node of nsp listens to for requests: the classic
 * "<key>-request#<nsp>#", the sharded "<key>#<nsp>#". */
static int request_channel(const cluster *c, const char *nsp, sbuf *out) {
  return cluster_channel(c, c->o.sharded ? "" : "-request", nsp, out);
}

static int id_member(sbuf *o, const char *id) {
  return sbuf_puts(o, "\"requestId\":") | json_write_string(o, id, strlen(id));
}

int cluster_request_text(const cluster *c, sbuf *out, int classic, int sharded, const char *id,
                         const char *nsp, const char *members, size_t len) {
  sbuf_reset(out);
  if (!c->o.sharded) {
    int rc = sbuf_puts(out, "{\"uid\":") | json_write_string(out, c->uid, strlen(c->uid));
    if (id) rc |= sbuf_putc(out, ',') | id_member(out, id);
    return rc | sbuf_printf(out, ",\"type\":%d", classic) | sbuf_append(out, members, len) |
           sbuf_putc(out, '}');
  }
  int rc = sbuf_printf(out, "{\"type\":%d,\"data\":{", sharded);
  /* members starts with a comma, which an object without requestId drops. */
  if (id)
    rc |= id_member(out, id) | sbuf_append(out, members, len);
  else if (len)
    rc |= sbuf_append(out, members + 1, len - 1);
  return rc | sbuf_puts(out, "},\"uid\":") | json_write_string(out, c->uid, strlen(c->uid)) |
         sbuf_puts(out, ",\"nsp\":") | json_write_string(out, nsp, strlen(nsp)) | sbuf_putc(out, '}');
}

int cluster_send_request(cluster *c, const char *nsp, const char *msg, size_t len) {
  sbuf channel = SBUF_INIT;
  int rc = request_channel(c, nsp, &channel) ? SIO_ENOMEM : cluster_publish(c, channel.data, msg, len);
  sbuf_free(&channel);
  return rc;
}

int cluster_count_nodes(cluster *c, const char *nsp, redisCallbackFn *fn, void *priv) {
  sbuf channel = SBUF_INIT;
  const char *argv[3] = {"PUBSUB", c->o.sharded ? "SHARDNUMSUB" : "NUMSUB", NULL};
  size_t lens[3] = {6, strlen(argv[1]), 0};
  int rc = -1;
  if (request_channel(c, nsp, &channel) == 0) {
    argv[2] = channel.data;
    lens[2] = channel.len;
    rc = redis_conn_send(c->pub, fn, priv, 3, argv, lens);
  }
  sbuf_free(&channel);
  return rc;
}

void cluster_respond(cluster *c, const char *nsp, const char *requester, int classic, int sharded,
                     const char *request_id, const char *members, size_t len,
                     sio_attachment *bins, size_t nbins) {
  sbuf o = SBUF_INIT, channel = SBUF_INIT;
  if (c->o.sharded) {
    if ((sbuf_putc(&o, '{') | id_member(&o, request_id) | sbuf_append(&o, members, len) |
         sbuf_putc(&o, '}')) == 0)
      cluster_sharded_respond(c, nsp, requester, sharded, o.data, o.len, bins, nbins);
  } else {
    int rc = sbuf_putc(&o, '{');
    if (classic >= 0) rc |= sbuf_printf(&o, "\"type\":%d,", classic);
    rc |= id_member(&o, request_id) | sbuf_append(&o, members, len) | sbuf_putc(&o, '}') |
          cluster_channel(c, "-response", nsp, &channel);
    if (!rc) cluster_publish(c, channel.data, o.data, o.len);
  }
  sbuf_free(&o);
  sbuf_free(&channel);
}
