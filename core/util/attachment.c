#include "attachment.h"

#include <stdlib.h>

void sio_attachments_free(sio_attachment *bins, size_t n) {
  for (size_t k = 0; k < n; k++) free(bins[k].data);
  free(bins);
}
