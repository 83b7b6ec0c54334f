#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "colour.h"

void args_error(const cli_command *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%ssio %s:%s ", colour(stderr, C_RED), cmd->name, colour(stderr, C_RESET));
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(sio %s --help shows the usage)\n", cmd->name);
}

static int find(const cli_command *cmd, const char *name, size_t len) {
  for (int i = 0; i < cmd->noptions; i++)
    if (strlen(cmd->options[i].name) == len && strncmp(cmd->options[i].name, name, len) == 0)
      return i;
  return -1;
}

static int is_option(const char *word) {
  return word[0] == '-' && word[1] && !isdigit((unsigned char)word[1]) && word[1] != '.';
}

int args_parse(const cli_command *cmd, int argc, char **argv, cli_args *out) {
  memset(out, 0, sizeof *out);
  int options_done = 0;
  for (int i = 1; i < argc; i++) {
    const char *word = argv[i];
    if (!options_done && strcmp(word, "--") == 0) {
      options_done = 1;
      continue;
    }
    if (!options_done && is_option(word)) {
      if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
        args_help(cmd, stdout);
        return ARGS_HELP;
      }
      const char *eq = strchr(word, '=');
      int k = find(cmd, word, eq ? (size_t)(eq - word) : strlen(word));
      if (k < 0) {
        args_error(cmd, "unknown option %s", word);
        return ARGS_BAD;
      }
      const cli_option *o = &cmd->options[k];
      if (!o->value) {
        if (eq) {
          args_error(cmd, "%s takes no value", o->name);
          return ARGS_BAD;
        }
        out->value[k] = "";
      } else if (eq) {
        out->value[k] = eq + 1;
      } else if (i + 1 < argc) {
        out->value[k] = argv[++i];
      } else {
        args_error(cmd, "%s needs a value (%s)", o->name, o->value);
        return ARGS_BAD;
      }
      continue;
    }
    if (out->npositional == ARGS_MAX_POSITIONAL) {
      args_error(cmd, "too many arguments");
      return ARGS_BAD;
    }
    out->positional[out->npositional++] = word;
  }
  if (out->npositional < cmd->min_positional) {
    args_error(cmd, "missing arguments: %s", cmd->synopsis);
    return ARGS_BAD;
  }
  if (cmd->max_positional >= 0 && out->npositional > cmd->max_positional) {
    args_error(cmd, "unexpected argument %s", out->positional[cmd->max_positional]);
    return ARGS_BAD;
  }
  return ARGS_OK;
}

const char *args_get(const cli_command *cmd, const cli_args *a, const char *name) {
  int k = find(cmd, name, strlen(name));
  return k < 0 ? NULL : a->value[k];
}

int args_get_long(const cli_command *cmd, const cli_args *a, const char *name, long min,
                  long max, long *out) {
  const char *s = args_get(cmd, a, name);
  if (!s) return 0;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max) {
    args_error(cmd, "%s wants a whole number from %ld to %ld, not \"%s\"", name, min, max, s);
    return -1;
  }
  *out = v;
  return 0;
}

void args_help(const cli_command *cmd, FILE *f) {
  const char *b = colour(f, C_BOLD), *r = colour(f, C_RESET);
  fprintf(f, "%sUsage:%s sio %s %s\n\n%s\n", b, r, cmd->name, cmd->synopsis, cmd->summary);
  if (cmd->noptions) fprintf(f, "\n%sOptions:%s\n", b, r);
  for (int i = 0; i < cmd->noptions; i++) {
    const cli_option *o = &cmd->options[i];
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
    fprintf(f, "  %-24s %s\n", head, o->help);
  }
  fprintf(f, "  %-24s %s\n", "--help", "show this help");
  if (cmd->details) fprintf(f, "\n%s", cmd->details);
}
