/* Ctrl-C (SIGINT) and SIGTERM end every subcommand the same way: a flag,
 * and a wakeup of the pump so that the main loop sees it. */
#ifndef SIO_CLI_STOP_SIGNAL_H
#define SIO_CLI_STOP_SIGNAL_H
#include <signal.h>

#include <sio/sio.h>

extern volatile sig_atomic_t stop_requested;

/* Installs the handlers for ctx (NULL: none to wake) and ignores SIGPIPE, so
 * that a closed stdout pipe is an error, not the end of the process. */
void stop_signal_catch(sio_context *ctx);
#endif
