#include "sio_packet.h"

#include <stdlib.h>

void sio_packet_init(sio_packet *p) {
  p->type = SIO_P_CONNECT;
  p->nsp = NULL;
  p->id = -1;
  p->data = NULL;
  p->data_len = 0;
  p->nattach = 0;
  p->bins = NULL;
  p->nbins = 0;
  p->borrowed = 0;
  p->no_compress = 0;
}

void sio_packet_clear(sio_packet *p) {
  sio_attachments_free(p->bins, p->nbins);
  if (!p->borrowed) {
    free(p->nsp);
    free(p->data);
  }
  sio_packet_init(p);
}

