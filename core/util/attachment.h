/* One binary attachment of a Socket.IO message, as the codecs, the protocol
 * layers and the event queue hand it on: the same bytes from the wire to
 * the host's event (laid out as the public sio_buf, for the event queue to
 * take the array as it is). */
#ifndef SIO_ATTACHMENT_H
#define SIO_ATTACHMENT_H
#include <stddef.h>

typedef struct sio_attachment {
  char *data; /* malloc'ed */
  size_t len;
} sio_attachment;

/* Frees an attachment array and each buffer in it. */
void sio_attachments_free(sio_attachment *bins, size_t n);
#endif
