/* sio_server_free / sio_client_free: a freed handle's events are never
 * handed out, its memory comes back while the host pumps (a program that
 * makes and frees clients in a loop keeps flat memory), freeing works
 * before and after close, and a context freed first frees what is left. */
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"
#include "pump/context.h"
#include "pump_peers.h"

#define CYCLES 10000
#define RSS_FROM 1000
#define SERVER_CYCLES 2000
#define SERVER_RSS_FROM 200
/* RSS may grow by this much from RSS_FROM cycles to the end. Measured
 * with handles never freed: +24 MiB over the client cycles, +5 MiB over
 * the server cycles; freed: under 100 KiB. */
#define RSS_SLACK_KB 2048

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1 /* their bookkeeping, not ours, decides the RSS */
#else
#define SANITIZED 0
#endif

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  CHECK(f && fscanf(f, "%ld %ld", &size, &resident) == 2);
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static size_t nchildren(sio_context *ctx, const void *h, int *found) {
  size_t n = 0;
  *found = 0;
  uv_mutex_lock(&ctx->children_lock);
  for (ctx_child *c = ctx->children; c; c = c->next, n++)
    if ((const void *)c == h) *found = 1;
  uv_mutex_unlock(&ctx->children_lock);
  return n;
}

static int is_child(sio_context *ctx, const void *h) {
  int found;
  nchildren(ctx, h, &found);
  return found;
}

/* Pumps ctx for up to timeout_ms; no event of gone may come. Returns the
 * first event of type of h, if one came (and stops there). */
static const sio_event *pump(sio_context *ctx, int timeout_ms, const void *gone, int type,
                             const void *h) {
  const sio_event *batch[64];
  int n = sio_next_events(ctx, timeout_ms, batch, 64);
  CHECK(n >= 0);
  const sio_event *hit = NULL;
  for (int i = 0; i < n; i++) {
    const sio_event *ev = batch[i];
    CHECK(ev->size == sizeof(sio_event));
    if (gone) CHECK((const void *)ev->client != gone && (const void *)ev->server != gone);
    if (!hit && ev->type == type && ((const void *)ev->client == h || (const void *)ev->server == h))
      hit = ev;
  }
  return hit;
}

static void drain(sio_context *ctx) {
  if (ctx) pump(ctx, 0, NULL, 0, NULL);
}

/* Pumps ctx (and other) until an event of type of h. */
static void wait_for(sio_context *ctx, sio_context *other, int type, const void *h) {
  for (int i = 0; i < 2000; i++) {
    if (pump(ctx, 5, NULL, type, h)) return;
    drain(other);
  }
  fprintf(stderr, "no event of type %d\n", type);
  exit(1);
}

/* Pumps ctx (and other) until h, freed, is reaped; none of its events may
 * come meanwhile. */
static void wait_reaped(sio_context *ctx, sio_context *other, const void *h) {
  for (int i = 0; i < 2000 && is_child(ctx, h); i++) {
    pump(ctx, 1, h, 0, NULL);
    drain(other);
  }
  CHECK(!is_child(ctx, h));
}

/* Two contexts: sctx with a server on a free loopback port, cctx for its
 * clients. */
typedef struct peers {
  sio_context *sctx, *cctx;
  sio_server *srv;
  char url[64];    /* the server's */
  sio_client *cli; /* with connect: connected, else NULL */
} peers;

/* With connect, a client of the server is made and waited for: its CONNECT
 * and the server's CONNECTION have come. */
static void peers_open(peers *p, int connect) {
  CHECK(sio_context_new(&p->sctx) == 0);
  CHECK(sio_context_new(&p->cctx) == 0);
  p->srv = peer_server(p->sctx, NULL);
  snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%d", sio_server_port(p->srv));
  p->cli = NULL;
  if (!connect) return;
  p->cli = peer_client(p->cctx, sio_server_port(p->srv), NULL);
  wait_for(p->cctx, NULL, SIO_EV_CONNECT, p->cli);
  wait_for(p->sctx, NULL, SIO_EV_CONNECTION, p->srv);
}

static void peers_close(peers *p) {
  sio_context_free(p->cctx);
  sio_context_free(p->sctx);
}

/* One client: connects, then is freed open (way 0), right after close
 * (way 1) or after close and its DISCONNECT (way 2). */
static void client_cycle(sio_context *cctx, sio_context *sctx, const char *url,
                         const sio_options *o, int way) {
  sio_client *cli;
  CHECK(sio_client_new(cctx, url, o, NULL, &cli) == 0);
  wait_for(cctx, sctx, SIO_EV_CONNECT, cli);
  if (way > 0) CHECK(sio_client_close(cli) == 0);
  if (way > 1) wait_for(cctx, sctx, SIO_EV_DISCONNECT, cli);
  sio_client_free(cli);
  wait_reaped(cctx, sctx, cli);
}

static void test_client_cycles(void) {
  peers p;
  peers_open(&p, 0);
  sio_options *o = peer_options(
      (const char *const[]){"transports", "websocket", "reconnection", "false", NULL});
  long base = 0;
  for (int i = 0; i < CYCLES; i++) {
    if (i == RSS_FROM) base = rss_kb();
    client_cycle(p.cctx, p.sctx, p.url, o, i % 3);
  }
  long grown = rss_kb() - base;
  int found;
  /* Left: the context's TLS configurations. */
  size_t left = nchildren(p.cctx, NULL, &found);
  printf("client cycles: RSS %+ld KiB from cycle %d to %d, %zu children left\n", grown,
         RSS_FROM, CYCLES, left);
  CHECK(left == 1);
  if (!SANITIZED) CHECK(grown < RSS_SLACK_KB);
  sio_options_free(o);
  peers_close(&p);
}

/* Over long-polling the connection ends a while after the close: the
 * client is reaped only after that (ASan sees the use after free
 * otherwise). */
static void test_polling_client(void) {
  peers p;
  peers_open(&p, 0);
  sio_options *o =
      peer_options((const char *const[]){"transports", "polling", "reconnection", "false", NULL});
  for (int way = 0; way < 3; way++) client_cycle(p.cctx, p.sctx, p.url, o, way);
  sio_options_free(o);
  peers_close(&p);
}

static void test_server_cycles(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  long base = 0;
  for (int i = 0; i < SERVER_CYCLES; i++) {
    if (i == SERVER_RSS_FROM) base = rss_kb();
    sio_server *srv = peer_server(ctx, NULL);
    if (i % 3 > 0) CHECK(sio_server_close(srv) == 0);
    if (i % 3 > 1) wait_for(ctx, NULL, SIO_EV_SERVER_CLOSED, srv);
    sio_server_free(srv);
    wait_reaped(ctx, NULL, srv);
  }
  long grown = rss_kb() - base;
  int found;
  size_t left = nchildren(ctx, NULL, &found);
  printf("server cycles: RSS %+ld KiB from cycle %d to %d, %zu children left\n", grown,
         SERVER_RSS_FROM, SERVER_CYCLES, left);
  CHECK(left == 0);
  if (!SANITIZED) CHECK(grown < RSS_SLACK_KB);
  sio_context_free(ctx);
}

/* Events already queued when the handle is freed are dropped, and so is
 * what its close brings (no SIO_EV_SERVER_CLOSED). */
static void test_queued_events_dropped(void) {
  peers p;
  peers_open(&p, 1);

  /* The client's queue fills with the server's events; nobody pumps it. */
  sio_message msg = SIO_MESSAGE_INIT;
  msg.event = "e";
  for (int i = 0; i < 100; i++) CHECK(sio_emit(p.srv, NULL, &msg, NULL) == 0);
  for (int i = 0; i < 1000 && evq_count(&p.cctx->evq) < 100; i++) usleep(10 * 1000);
  CHECK(evq_count(&p.cctx->evq) >= 100);
  sio_client_free(p.cli);
  wait_reaped(p.cctx, NULL, p.cli);
  CHECK(pump(p.cctx, 100, p.cli, 0, NULL) == NULL);

  /* The same for the server's queue: the client's DISCONNECT, and then
   * the events of its close. */
  sio_client *cli2 = peer_client(p.cctx, sio_server_port(p.srv), NULL);
  wait_for(p.cctx, NULL, SIO_EV_CONNECT, cli2);
  for (int i = 0; i < 100; i++) CHECK(sio_client_emit(cli2, NULL, &msg, NULL) == 0);
  /* cli2's CONNECTION and events (and cli's DISCONNECT, in any order). */
  for (int i = 0; i < 1000 && evq_count(&p.sctx->evq) < 101; i++) usleep(10 * 1000);
  CHECK(evq_count(&p.sctx->evq) >= 101);
  sio_server_free(p.srv);
  wait_reaped(p.sctx, NULL, p.srv);
  CHECK(pump(p.sctx, 100, p.srv, 0, NULL) == NULL);
  wait_for(p.cctx, NULL, SIO_EV_DISCONNECT, cli2);
  peers_close(&p);
}

/* A broadcast still waiting for acknowledgements holds a timer that posts
 * for the server: the server is reaped only after it (ASan sees the use
 * after free otherwise). */
static void test_broadcast_ack_outlives_close(void) {
  peers p;
  peers_open(&p, 1);
  sio_message msg = SIO_MESSAGE_INIT;
  msg.event = "answer me";
  msg.flags = SIO_EMIT_ACK;
  msg.timeout_ms = 300;
  uint64_t req;
  CHECK(sio_emit(p.srv, NULL, &msg, &req) == 0);
  /* The client got it and does not answer. */
  wait_for(p.cctx, NULL, SIO_EV_EVENT, p.cli);
  sio_server_free(p.srv);
  wait_reaped(p.sctx, NULL, p.srv);
  peers_close(&p);
}

/* Freed but not reaped yet (nobody pumped): the context frees it. NULL is
 * accepted. */
static void test_context_freed_first(void) {
  sio_server_free(NULL);
  sio_client_free(NULL);
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = peer_server(ctx, NULL);
  sio_client *cli = peer_client(ctx, sio_server_port(srv), NULL);
  sio_client *idle = peer_client(ctx, sio_server_port(srv), NULL);
  sio_server *closed = peer_server(ctx, NULL);
  CHECK(sio_server_close(closed) == 0);
  wait_for(ctx, NULL, SIO_EV_CONNECT, cli);
  sio_client_free(cli);
  sio_server_free(srv);
  sio_server_free(closed);
  (void)idle;
  sio_context_free(ctx);
}

int main(void) {
  test_context_freed_first();
  test_queued_events_dropped();
  test_broadcast_ack_outlives_close();
  test_polling_client();
  test_server_cycles();
  test_client_cycles();
  printf("test_handle_free: ok\n");
  return 0;
}
