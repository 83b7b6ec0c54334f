/* The subcommands: each has its command-line table (for parsing and --help)
 * and its run function, called with the parsed arguments; it returns the
 * exit status. */
#ifndef SIO_CLI_COMMANDS_H
#define SIO_CLI_COMMANDS_H
#include "args.h"

extern const cli_command cmd_listen, cmd_emit, cmd_connect, cmd_serve, cmd_bench;

int run_listen(const cli_args *a);
int run_emit(const cli_args *a);
int run_connect(const cli_args *a);
int run_serve(const cli_args *a);
int run_bench(const cli_args *a);
#endif
