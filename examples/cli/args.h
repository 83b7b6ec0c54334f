/* The command line of a subcommand: a table of its options, from which both
 * the parsing and the --help text come (docs/sio.1 repeats that text; a test
 * keeps them in agreement). */
#ifndef SIO_CLI_ARGS_H
#define SIO_CLI_ARGS_H
#include <stdio.h>

#define ARGS_MAX_OPTIONS 24
#define ARGS_MAX_POSITIONAL 64

typedef struct cli_option {
  const char *name;  /* "--timeout" */
  const char *value; /* "MS", or NULL for a flag */
  const char *help;
} cli_option;

typedef struct cli_command {
  const char *name;     /* "emit" */
  const char *synopsis; /* what follows "sio emit" in the usage line */
  const char *summary;  /* one sentence */
  const char *details;  /* paragraphs after the options, or NULL */
  const cli_option *options;
  int noptions;
  int min_positional, max_positional;
} cli_command;

typedef struct cli_args {
  const char *value[ARGS_MAX_OPTIONS]; /* by option index; flags: "" when given */
  const char *positional[ARGS_MAX_POSITIONAL];
  int npositional;
} cli_args;

enum { ARGS_OK = 0, ARGS_HELP = 1, ARGS_BAD = 2 };

/* Parses argv[1..argc) (argv[0] is the subcommand's name). Options may come
 * anywhere; "--" ends them; a word such as "-1" is a positional argument (a
 * JSON number). Returns ARGS_HELP after printing the help on stdout,
 * ARGS_BAD after printing what is wrong on stderr. */
int args_parse(const cli_command *cmd, int argc, char **argv, cli_args *out);
/* The option's value, "" for a flag that was given, or NULL. */
const char *args_get(const cli_command *cmd, const cli_args *a, const char *name);
/* A value as a number within [min, max]; prints an error and returns -1 when
 * it is not one. *out is left alone when the option was not given. */
int args_get_long(const cli_command *cmd, const cli_args *a, const char *name, long min,
                  long max, long *out);
void args_help(const cli_command *cmd, FILE *f);
/* "sio CMD: " error prefix and a hint to --help, on stderr. */
void args_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
