/* loadgen: drives any Socket.IO v5 server over its wire protocol with
 * simulated clients and prints one JSON line of results. See options.c for
 * the command line and run.c for what each scenario does. */
#include <stdio.h>

#include "drive.h"
#include "options.h"

int main(int argc, char **argv) {
  struct options o;
  if (!options_parse(argc, argv, &o)) {
    return 2;
  }
  return loadgen_drive(&o, stdout, NULL, NULL);
}
