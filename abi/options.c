#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/net/tls_config.h"
#include "../core/util/json.h"
#include "abi_internal.h"

/* The keys a sio_options accepts, with what their values must look like
 * and who takes them: servers and clients have separate tables, and a key
 * of the other's is refused when the options are used. */
enum value_kind { V_STRING, V_UINT, V_BOOL, V_TRANSPORTS, V_PARSER, V_FRACTION, V_HEADERS,
                  V_TOKEN, V_COOKIE_PATH, V_SAME_SITE };
enum { FOR_SERVER = 1, FOR_CLIENT = 2 };

typedef struct option_spec {
  const char *key;
  enum value_kind kind;
} option_spec;

static const option_spec server_keys[] = {
    {"host", V_STRING},
    {"port", V_UINT},
    {"reusePort", V_BOOL},
    {"tls.cert", V_STRING},
    {"tls.key", V_STRING},
    {"path", V_STRING},
    {"pingInterval", V_UINT},
    {"pingTimeout", V_UINT},
    {"connectTimeout", V_UINT},
    {"connectionStateRecovery.maxDisconnectionDuration", V_UINT},
    {"connectionStateRecovery.skipMiddlewares", V_BOOL},
    {"upgradeTimeout", V_UINT},
    {"maxHttpBufferSize", V_UINT},
    {"perMessageDeflate", V_BOOL},
    {"perMessageDeflate.threshold", V_UINT},
    {"httpCompression", V_BOOL},
    {"httpCompression.threshold", V_UINT},
    {"transports", V_TRANSPORTS},
    {"allowUpgrades", V_BOOL},
    {"allowEIO3", V_BOOL},
    {"cors.origin", V_STRING},
    {"cors.credentials", V_BOOL},
    {"allowRequest", V_BOOL},
    {"connectionErrorEvents", V_BOOL},
    {"headers.initial", V_HEADERS},
    {"headers", V_HEADERS},
    {"cookie", V_TOKEN},
    {"cookie.path", V_COOKIE_PATH},
    {"cookie.httpOnly", V_BOOL},
    {"cookie.sameSite", V_SAME_SITE},
    {"serveClient", V_STRING},
    {"staticDir", V_STRING},
    {"parser", V_PARSER},
    {"maxQueuedEvents", V_UINT},
    {"headersTimeout", V_UINT},
    {"requestTimeout", V_UINT},
    {"adapter", V_STRING},
    {"adapter.key", V_STRING},
    {"adapter.requestsTimeout", V_UINT},
    {"adapter.sharded", V_BOOL},
    {"adapter.subscriptionMode", V_STRING},
};

static const option_spec client_keys[] = {
    {"path", V_STRING},
    {"transports", V_TRANSPORTS},
    {"upgrade", V_BOOL},
    {"query", V_STRING},
    {"extraHeaders", V_HEADERS},
    {"timeout", V_UINT},
    {"perMessageDeflate", V_BOOL},
    {"perMessageDeflate.threshold", V_UINT},
    {"reconnection", V_BOOL},
    {"reconnectionAttempts", V_UINT},
    {"reconnectionDelay", V_UINT},
    {"reconnectionDelayMax", V_UINT},
    {"randomizationFactor", V_FRACTION},
    {"ackTimeout", V_UINT},
    {"retries", V_UINT},
    {"parser", V_PARSER},
    {"tls.ca", V_STRING},
    {"tls.verify", V_BOOL},
    {"maxQueuedEvents", V_UINT},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const option_spec *find_key(const option_spec *table, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(table[i].key, key) == 0) return &table[i];
  return NULL;
}

/* FOR_SERVER | FOR_CLIENT: who takes key; 0 for nobody. */
static int key_roles(const char *key) {
  return (find_key(server_keys, COUNT(server_keys), key) ? FOR_SERVER : 0) |
         (find_key(client_keys, COUNT(client_keys), key) ? FOR_CLIENT : 0);
}

typedef struct option_pair {
  char *key, *value;
} option_pair;

struct sio_options {
  option_pair *pairs;
  size_t len;
};

static int parse_uint(const char *v, uint64_t max, uint64_t *out) {
  if (!*v) return -1;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno || *end || v[0] == '-' || n > max) return -1;
  *out = n;
  return 0;
}

static int parse_bool(const char *v, int *out) {
  if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) return *out = 1, 0;
  if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) return *out = 0, 0;
  return -1;
}

static int parse_transports(const char *v, int *polling, int *websocket) {
  *polling = *websocket = 0;
  for (const char *p = v; *p;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == 7 && strncmp(p, "polling", 7) == 0)
      *polling = 1;
    else if (n == 9 && strncmp(p, "websocket", 9) == 0)
      *websocket = 1;
    else
      return -1;
    p += n + (comma ? 1 : 0);
  }
  return *polling || *websocket ? 0 : -1;
}

static int parse_fraction(const char *v, double *out) {
  char *end;
  errno = 0;
  double d = json_number_read(v, &end);
  if (errno || end == v || *end || !(d >= 0 && d <= 1)) return -1;
  *out = d;
  return 0;
}

static int is_header_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* extraHeaders: a JSON object of header names to string values, written as
 * "Name: value\r\n" lines (out may be NULL to only check). A name that is
 * not an HTTP token or a value with a line break is refused: it would
 * smuggle other headers into the request. */
static int parse_headers(const char *v, sbuf *out) {
  size_t n = strlen(v), pos = 0, key_at, at, end;
  if (json_validate(v, n)) return -1;
  sbuf name = SBUF_INIT, value = SBUF_INIT;
  int rc = 0, bad = 0;
  while (!bad && (rc = cl_json_next_member(v, n, &pos, &key_at, &at, &end)) == 1) {
    sbuf_reset(&name);
    sbuf_reset(&value);
    if (v[at] != '"' || json_read_string(v, n, key_at, &name) < 0 ||
        json_read_string(v, n, at, &value) < 0 || name.len == 0) {
      bad = 1;
      break;
    }
    for (size_t i = 0; i < name.len; i++) bad |= !is_header_name_char(name.data[i]);
    for (size_t i = 0; i < value.len; i++)
      bad |= value.data[i] == '\r' || value.data[i] == '\n' || value.data[i] == 0;
    if (!bad && out)
      bad = sbuf_append(out, name.data, name.len) | sbuf_puts(out, ": ") |
            sbuf_append(out, value.data, value.len) | sbuf_puts(out, "\r\n");
  }
  sbuf_free(&name);
  sbuf_free(&value);
  return bad || rc < 0 ? -1 : 0;
}

/* An HTTP token (a header or cookie name), as the cookie package checks
 * a cookie's name. */
static int check_token(const char *v) {
  if (!*v) return -1;
  for (const char *p = v; *p; p++)
    if (!is_header_name_char(*p)) return -1;
  return 0;
}

/* A cookie's Path: printable ASCII but ';' (the cookie package's check);
 * "" leaves the attribute out. */
static int check_cookie_path(const char *v) {
  for (const char *p = v; *p; p++)
    if (*p < 0x20 || *p > 0x7e || *p == ';') return -1;
  return 0;
}

/* cookie.sameSite as the cookie package takes it; the attribute's text,
 * or "" to leave it out. */
static const char *same_site_attribute(const char *v) {
  if (strcmp(v, "lax") == 0) return "; SameSite=Lax";
  if (strcmp(v, "strict") == 0 || strcmp(v, "true") == 0) return "; SameSite=Strict";
  if (strcmp(v, "none") == 0) return "; SameSite=None";
  if (strcmp(v, "false") == 0) return "";
  return NULL;
}

int abi_header_lines(const char *json, sbuf *out) { return parse_headers(json, out); }

static int check_value(enum value_kind kind, const char *value) {
  uint64_t n;
  int b, p, w;
  double d;
  switch (kind) {
    case V_UINT: return parse_uint(value, UINT32_MAX, &n);
    case V_BOOL: return parse_bool(value, &b);
    case V_TRANSPORTS: return parse_transports(value, &p, &w);
    case V_PARSER: return sio_parser_by_name(value) ? 0 : -1;
    case V_FRACTION: return parse_fraction(value, &d);
    case V_HEADERS: return parse_headers(value, NULL);
    case V_TOKEN: return check_token(value);
    case V_COOKIE_PATH: return check_cookie_path(value);
    case V_SAME_SITE: return same_site_attribute(value) ? 0 : -1;
    default: return 0;
  }
}

int sio_options_new(sio_options **out) {
  if (!out) return abi_fail(SIO_EINVAL, "sio_options_new: out is NULL");
  *out = calloc(1, sizeof(sio_options));
  return *out ? 0 : abi_fail(SIO_ENOMEM, "sio_options_new: out of memory");
}

void sio_options_free(sio_options *opts) {
  if (!opts) return;
  for (size_t i = 0; i < opts->len; i++) {
    free(opts->pairs[i].key);
    free(opts->pairs[i].value);
  }
  free(opts->pairs);
  free(opts);
}

int sio_options_set(sio_options *opts, const char *key, const char *value) {
  if (!opts || !key || !value) return abi_fail(SIO_EINVAL, "sio_options_set: NULL argument");
  const option_spec *spec = find_key(server_keys, COUNT(server_keys), key);
  if (!spec) spec = find_key(client_keys, COUNT(client_keys), key);
  if (!spec) return abi_fail(SIO_EINVAL, "unknown option \"%s\"", key);
  if (check_value(spec->kind, value))
    return abi_fail(SIO_EINVAL, "bad value \"%s\" for option \"%s\"", value, key);
  char *v = strdup(value);
  if (!v) return abi_fail(SIO_ENOMEM, "sio_options_set: out of memory");
  for (size_t i = 0; i < opts->len; i++) {
    if (strcmp(opts->pairs[i].key, key) == 0) {
      free(opts->pairs[i].value);
      opts->pairs[i].value = v;
      return 0;
    }
  }
  option_pair *pairs = realloc(opts->pairs, (opts->len + 1) * sizeof(*pairs));
  char *k = strdup(key);
  if (!pairs || !k) {
    if (pairs) opts->pairs = pairs;
    free(k);
    free(v);
    return abi_fail(SIO_ENOMEM, "sio_options_set: out of memory");
  }
  opts->pairs = pairs;
  opts->pairs[opts->len].key = k;
  opts->pairs[opts->len].value = v;
  opts->len++;
  return 0;
}

/* 0, or SIO_EINVAL naming the first key that role does not take. */
static int check_roles(const sio_options *opts, int role, const char *fn) {
  for (size_t i = 0; opts && i < opts->len; i++)
    if (!(key_roles(opts->pairs[i].key) & role))
      return abi_fail(SIO_EINVAL, "%s: \"%s\" is a %s option", fn, opts->pairs[i].key,
                      role == FOR_SERVER ? "client" : "server");
  return 0;
}

static const char *lookup(const sio_options *opts, const char *key) {
  for (size_t i = 0; opts && i < opts->len; i++)
    if (strcmp(opts->pairs[i].key, key) == 0) return opts->pairs[i].value;
  return NULL;
}

static uint64_t uint_or(const sio_options *opts, const char *key, uint64_t def) {
  uint64_t n;
  const char *v = lookup(opts, key);
  return v && parse_uint(v, UINT32_MAX, &n) == 0 ? n : def;
}

static char *dup_or_null(const char *v) { return v ? strdup(v) : NULL; }

/* The certificate and key are loaded here, on the caller's thread, so that
 * a bad file fails sio_server_new with the reason. */
static int server_tls_from(const sio_options *opts, eio_options *e) {
  const char *cert = lookup(opts, "tls.cert"), *key = lookup(opts, "tls.key");
  if (!cert && !key) return 0;
  if (!cert || !key) return abi_fail(SIO_EINVAL, "tls.cert and tls.key go together");
  char error[512];
  e->tls = tls_server_config_new(cert, key, error, sizeof(error));
  return e->tls ? 0 : abi_fail(SIO_EINVAL, "%s", error);
}

/* "Name: value\r\n" lines of a headers option (checked when set), or
 * NULL when unset. 0 or SIO_ENOMEM. */
static int header_lines_or_null(const sio_options *opts, const char *key, char **out) {
  const char *v = lookup(opts, key);
  *out = NULL;
  if (!v) return 0;
  sbuf lines = SBUF_INIT;
  if (parse_headers(v, &lines)) {
    sbuf_free(&lines);
    return abi_fail(SIO_ENOMEM, "out of memory");
  }
  *out = lines.len ? sbuf_detach(&lines, NULL) : NULL;
  sbuf_free(&lines);
  return 0;
}

/* allowRequest, connection errors, headers and the cookie (engine.io's
 * defaults: name "io", path "/", httpOnly, sameSite "lax"). An unanswered
 * allowRequest is refused after connectTimeout. */
static int hook_options_from(const sio_options *opts, uint64_t connect_timeout,
                             eio_hook_options *h) {
  const char *v;
  if ((v = lookup(opts, "allowRequest"))) parse_bool(v, &h->allow_request);
  if ((v = lookup(opts, "connectionErrorEvents"))) parse_bool(v, &h->connection_error_events);
  h->allow_request_timeout = connect_timeout;
  int rc = header_lines_or_null(opts, "headers.initial", &h->initial_headers);
  if (rc || (rc = header_lines_or_null(opts, "headers", &h->headers))) return rc;
  const char *name = lookup(opts, "cookie");
  if (!name) return 0;
  const char *path = lookup(opts, "cookie.path");
  const char *same_site = lookup(opts, "cookie.sameSite");
  int http_only = 1;
  if ((v = lookup(opts, "cookie.httpOnly"))) parse_bool(v, &http_only);
  if (!path) path = "/";
  sbuf attributes = SBUF_INIT;
  rc = sbuf_printf(&attributes, "%s%s%s%s", *path ? "; Path=" : "", path,
                   http_only ? "; HttpOnly" : "",
                   same_site_attribute(same_site ? same_site : "lax"));
  h->cookie_attributes = rc ? NULL : sbuf_detach(&attributes, NULL);
  sbuf_free(&attributes);
  h->cookie = malloc(strlen(name) + 2);
  if (h->cookie) strcat(strcpy(h->cookie, name), "=");
  if (!h->cookie || !h->cookie_attributes) return abi_fail(SIO_ENOMEM, "out of memory");
  return 0;
}

static int adapter_options_from(const sio_options *opts, cluster_options *a) {
  const char *v = lookup(opts, "adapter.subscriptionMode");
  /* createShardedAdapter's subscriptionMode, "dynamic" by default. */
  if (!v || strcmp(v, "dynamic") == 0)
    a->subscription_mode = SUBSCRIPTION_DYNAMIC;
  else if (strcmp(v, "static") == 0)
    a->subscription_mode = SUBSCRIPTION_STATIC;
  else if (strcmp(v, "dynamic-private") == 0)
    a->subscription_mode = SUBSCRIPTION_DYNAMIC_PRIVATE;
  else
    return abi_fail(SIO_EINVAL,
                    "adapter.subscriptionMode: \"%s\" is not \"static\", \"dynamic\" or "
                    "\"dynamic-private\"",
                    v);
  const char *url = lookup(opts, "adapter");
  if (!url) return 0;
  int bad = redis_url_parse(url, &a->url);
  if (bad == REDIS_URL_TLS)
    return abi_fail(SIO_EINVAL,
                    "adapter: rediss:// (Redis over TLS) is not supported: the hiredis of "
                    "Debian 12 (0.14) has no TLS; reach Redis through a TLS tunnel");
  /* The URL is not repeated when it may hold a password. */
  if (bad)
    return abi_fail(SIO_EINVAL, "adapter: \"%s\" is not a redis://[[user][:password]@]host[:port][/db] URL",
                    strchr(url, '@') ? "..." : url);
  if ((v = lookup(opts, "adapter.sharded"))) parse_bool(v, &a->sharded);
  const char *key = lookup(opts, "adapter.key");
  a->key = strdup(key ? key : "socket.io");
  a->requests_timeout = uint_or(opts, "adapter.requestsTimeout", 5000);
  return a->key ? 0 : abi_fail(SIO_ENOMEM, "out of memory");
}

int server_config_from(const sio_options *opts, server_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  int rc = check_roles(opts, FOR_SERVER, "sio_server_new");
  if (rc) return rc;
  const char *host = lookup(opts, "host");
  cfg->host = strdup(host ? host : "0.0.0.0");
  cfg->port = (int)uint_or(opts, "port", 3000);
  if (cfg->port > 65535) return abi_fail(SIO_EINVAL, "port %d is out of range", cfg->port);
  cfg->connect_timeout = uint_or(opts, "connectTimeout", 45000);
  cfg->max_queued_events = uint_or(opts, "maxQueuedEvents", 65536);
  /* Either key turns recovery on, as socket.io's connectionStateRecovery
   * object does, with its defaults. */
  const char *skip = lookup(opts, "connectionStateRecovery.skipMiddlewares");
  if (skip || lookup(opts, "connectionStateRecovery.maxDisconnectionDuration")) {
    cfg->recovery.max_duration =
        uint_or(opts, "connectionStateRecovery.maxDisconnectionDuration", 120000);
    cfg->recovery.skip_middlewares = 1;
    if (skip) parse_bool(skip, &cfg->recovery.skip_middlewares);
  }
  const char *parser = lookup(opts, "parser");
  cfg->parser = sio_parser_by_name(parser ? parser : "json");
  eio_options *e = &cfg->eio;
  const char *path = lookup(opts, "path");
  if (!path) path = "/socket.io";
  size_t n = strlen(path);
  if (n == 0 || path[0] != '/') return abi_fail(SIO_EINVAL, "path must start with \"/\"");
  e->path = malloc(n + 2);
  if (e->path) {
    memcpy(e->path, path, n + 1);
    if (path[n - 1] != '/') strcat(e->path, "/");
  }
  e->ping_interval = uint_or(opts, "pingInterval", 25000);
  e->ping_timeout = uint_or(opts, "pingTimeout", 20000);
  e->upgrade_timeout = uint_or(opts, "upgradeTimeout", 10000);
  e->max_payload = uint_or(opts, "maxHttpBufferSize", 1000000);
  e->deflate_threshold = uint_or(opts, "perMessageDeflate.threshold", 1024);
  e->http_compression = 1;
  e->http_compression_threshold = uint_or(opts, "httpCompression.threshold", 1024);
  e->headers_timeout = uint_or(opts, "headersTimeout", 60000);
  e->request_timeout = uint_or(opts, "requestTimeout", 300000);
  e->allow_polling = e->allow_websocket = 1;
  const char *transports = lookup(opts, "transports");
  if (transports) parse_transports(transports, &e->allow_polling, &e->allow_websocket);
  e->allow_upgrades = 1;
  const char *v;
  if ((v = lookup(opts, "allowUpgrades"))) parse_bool(v, &e->allow_upgrades);
  if ((v = lookup(opts, "allowEIO3"))) parse_bool(v, &e->allow_eio3);
  /* A threshold turns it on, as engine.io's perMessageDeflate: {threshold}. */
  e->per_message_deflate = lookup(opts, "perMessageDeflate.threshold") != NULL;
  if ((v = lookup(opts, "perMessageDeflate"))) parse_bool(v, &e->per_message_deflate);
  if ((v = lookup(opts, "httpCompression"))) parse_bool(v, &e->http_compression);
  if ((v = lookup(opts, "cors.credentials"))) parse_bool(v, &e->cors_credentials);
  if ((v = lookup(opts, "reusePort"))) parse_bool(v, &e->reuse_port);
  if ((rc = server_tls_from(opts, e))) return rc;
  e->cors_origin = dup_or_null(lookup(opts, "cors.origin"));
  e->client_dir = dup_or_null(lookup(opts, "serveClient"));
  e->static_dir = dup_or_null(lookup(opts, "staticDir"));
  if ((rc = hook_options_from(opts, cfg->connect_timeout, &e->hooks))) return rc;
  if ((rc = adapter_options_from(opts, &cfg->adapter))) return rc;
  if (!cfg->host || !e->path || (lookup(opts, "cors.origin") && !e->cors_origin) ||
      (lookup(opts, "serveClient") && !e->client_dir) ||
      (lookup(opts, "staticDir") && !e->static_dir))
    return abi_fail(SIO_ENOMEM, "out of memory");
  return 0;
}

void server_config_free(server_config *cfg) {
  free(cfg->host);
  cluster_options_free(&cfg->adapter);
  eio_options_free(&cfg->eio);
}

/* The Engine.IO path as both sides write it: starts and ends with "/". */
static char *normalized_path(const char *path) {
  size_t n = strlen(path);
  char *p = malloc(n + 2);
  if (!p) return NULL;
  memcpy(p, path, n + 1);
  if (path[n - 1] != '/') strcat(p, "/");
  return p;
}

int client_config_from(const sio_options *opts, cl_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  int rc = check_roles(opts, FOR_CLIENT, "sio_client_new");
  if (rc) return rc;
  const char *v;
  const char *parser = lookup(opts, "parser");
  cfg->parser = sio_parser_by_name(parser ? parser : "json");
  cfg->reconnection = 1;
  if ((v = lookup(opts, "reconnection"))) parse_bool(v, &cfg->reconnection);
  cfg->reconnection_attempts = (unsigned)uint_or(opts, "reconnectionAttempts", 0);
  cfg->reconnection_delay = uint_or(opts, "reconnectionDelay", 1000);
  cfg->reconnection_delay_max = uint_or(opts, "reconnectionDelayMax", 5000);
  cfg->randomization_factor = 0.5;
  if ((v = lookup(opts, "randomizationFactor"))) parse_fraction(v, &cfg->randomization_factor);
  cfg->ack_timeout = uint_or(opts, "ackTimeout", 0);
  cfg->retries = (unsigned)uint_or(opts, "retries", 0);
  cfg->max_queued_events = uint_or(opts, "maxQueuedEvents", 65536);

  eio_client_options *e = &cfg->eio;
  const char *path = lookup(opts, "path");
  if (!path) path = "/socket.io";
  if (path[0] != '/') return abi_fail(SIO_EINVAL, "path must start with \"/\"");
  e->path = normalized_path(path);
  e->allow_polling = e->allow_websocket = 1;
  if ((v = lookup(opts, "transports"))) parse_transports(v, &e->allow_polling, &e->allow_websocket);
  e->upgrade = 1;
  if ((v = lookup(opts, "upgrade"))) parse_bool(v, &e->upgrade);
  e->timeout_ms = uint_or(opts, "timeout", 20000);
  /* On by default, as engine.io-client in Node.js offers it. */
  e->per_message_deflate = 1;
  if ((v = lookup(opts, "perMessageDeflate"))) parse_bool(v, &e->per_message_deflate);
  e->deflate_threshold = uint_or(opts, "perMessageDeflate.threshold", 1024);
  e->tls_verify = 1;
  if ((v = lookup(opts, "tls.verify"))) parse_bool(v, &e->tls_verify);
  e->query = dup_or_null(lookup(opts, "query"));
  e->tls_ca_file = dup_or_null(lookup(opts, "tls.ca"));
  if ((v = lookup(opts, "extraHeaders"))) {
    sbuf lines = SBUF_INIT;
    if (parse_headers(v, &lines)) {
      sbuf_free(&lines);
      return abi_fail(SIO_ENOMEM, "out of memory");
    }
    e->extra_headers = lines.len ? sbuf_detach(&lines, NULL) : NULL;
    sbuf_free(&lines);
  }
  if (!e->path || (lookup(opts, "query") && !e->query) ||
      (lookup(opts, "tls.ca") && !e->tls_ca_file))
    return abi_fail(SIO_ENOMEM, "out of memory");
  return 0;
}
