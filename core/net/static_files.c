#include "static_files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/sbuf.h"

#define MAX_STATIC_FILE (32u << 20)

static const char *content_type(const char *name) {
  static const struct {
    const char *ext, *type;
  } types[] = {{".html", "text/html; charset=utf-8"},
               {".js", "application/javascript; charset=utf-8"},
               {".mjs", "application/javascript; charset=utf-8"},
               {".css", "text/css; charset=utf-8"},
               {".json", "application/json"},
               {".map", "application/json"},
               {".svg", "image/svg+xml"},
               {".png", "image/png"},
               {".ico", "image/x-icon"},
               {".txt", "text/plain; charset=utf-8"}};
  const char *dot = strrchr(name, '.');
  if (dot)
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
      if (strcmp(dot, types[i].ext) == 0) return types[i].type;
  return "application/octet-stream";
}

static int safe_path(const char *rel) {
  for (const char *p = rel; *p; p++) {
    if (p[0] == '.' && p[1] == '.' && (p == rel || p[-1] == '/') && (p[2] == '/' || !p[2]))
      return 0;
    if (*p == '\\') return 0;
  }
  return 1;
}

int static_file_respond(http_conn *c, const char *dir, const char *rel,
                        const char *extra_headers) {
  if (!dir || !safe_path(rel)) return -1;
  sbuf path = SBUF_INIT;
  if (sbuf_printf(&path, "%s/%s", dir, *rel ? rel : "index.html")) return -1;
  int fd = open(path.data, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_STATIC_FILE) {
    if (fd >= 0) close(fd);
    sbuf_free(&path);
    return -1;
  }
  /* Small files, read whole: blocking the loop briefly is acceptable for
   * a demo page and a client bundle. */
  char *body = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (body && got < (size_t)st.st_size) {
    ssize_t n = read(fd, body + got, (size_t)st.st_size - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  int rc = -1;
  if (body && got == (size_t)st.st_size) {
    http_respond(c, 200, content_type(path.data), extra_headers, body, got);
    rc = 0;
  }
  free(body);
  sbuf_free(&path);
  return rc;
}
