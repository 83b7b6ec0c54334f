/* Colour on a terminal only: a stream that is not a tty, NO_COLOR set to
 * anything non-empty (no-color.org) or TERM=dumb turns it off. */
#ifndef SIO_CLI_COLOUR_H
#define SIO_CLI_COLOUR_H
#include <stdio.h>

enum colour { C_RESET, C_BOLD, C_DIM, C_RED, C_GREEN, C_YELLOW, C_CYAN };

/* Decides once, for stdout and stderr, whether they get colour. */
void colour_init(void);
/* The escape sequence for c on stream f, or "" when f gets no colour. */
const char *colour(FILE *f, enum colour c);
#endif
