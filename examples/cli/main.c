/* sio: the Socket.IO command line, written on libsio's public ABI only.
 * One file per subcommand (cmd_*.c); docs/cli.md and docs/sio.1 describe
 * them. */
#include <stdio.h>
#include <string.h>

#include <sio/sio.h>

#include "colour.h"
#include "commands.h"
#include "line_edit.h"

static const struct {
  const cli_command *cmd;
  int (*run)(const cli_args *a);
} commands[] = {
    {&cmd_listen, run_listen}, {&cmd_emit, run_emit},   {&cmd_connect, run_connect},
    {&cmd_serve, run_serve},   {&cmd_bench, run_bench},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *f) {
  const char *b = colour(f, C_BOLD), *r = colour(f, C_RESET);
  fprintf(f, "%sUsage:%s sio COMMAND [ARGS...] [options]\n\n", b, r);
  fprintf(f, "The Socket.IO command line (libsio %s).\n\n%sCommands:%s\n", sio_version_string(),
          b, r);
  for (size_t i = 0; i < NCOMMANDS; i++) {
    const cli_command *c = commands[i].cmd;
    fprintf(f, "  %-8s %s\n", c->name, c->synopsis);
  }
  fprintf(f, "\n`sio COMMAND --help` describes a command; `sio --version` prints the version.\n"
             "Colour is used on a terminal unless NO_COLOR is set.\n");
}

int main(int argc, char **argv) {
  colour_init();
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("sio %s\nline editing: %s\n", sio_version_string(), line_edit_name());
    return 0;
  }
  for (size_t i = 0; i < NCOMMANDS; i++) {
    if (strcmp(argv[1], commands[i].cmd->name) != 0) continue;
    cli_args a;
    switch (args_parse(commands[i].cmd, argc - 1, argv + 1, &a)) {
      case ARGS_HELP: return 0;
      case ARGS_BAD: return 2;
      default: return commands[i].run(&a);
    }
  }
  fprintf(stderr, "sio: unknown command \"%s\" (sio --help lists them)\n", argv[1]);
  return 2;
}
