/* Files served over plain HTTP: the socket.io-client bundle (serveClient)
 * and an optional static folder. */
#ifndef SIO_STATIC_FILES_H
#define SIO_STATIC_FILES_H
#include "http_conn.h"

/* Answers c with dir/rel (rel from the URL, without leading "/"; "" means
 * index.html). Paths with ".." or a NUL are refused. Returns 0 when it
 * answered with the file, -1 when there is no such file (nothing sent). */
int static_file_respond(http_conn *c, const char *dir, const char *rel,
                        const char *extra_headers);
#endif
