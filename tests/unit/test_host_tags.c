/* The host's tags come back in events: ev->user is the server's or client's
 * sio_*_set_user() value, ev->socket_user the socket's sio_socket_set_user()
 * value until its SIO_EV_DISCONNECT (which still carries it); every event
 * has its size; SIO_EV_EVENTS_LOST has its count and no ack_id. */
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"
#include "pump/context.h"
#include "pump/pump_fault.h"
#include "pump_peers.h"

/* Pumps ctx until an event of type comes; checks what every event carries
 * on the way. */
static const sio_event *expect(sio_context *ctx, int type, void *user) {
  for (int i = 0; i < 400; i++) {
    const sio_event *ev;
    int rc = sio_next_event(ctx, 25, &ev);
    CHECK(rc >= 0);
    if (rc == 0) continue;
    CHECK(ev->size == sizeof(sio_event));
    CHECK(ev->user == user);
    if (ev->type == type) return ev;
  }
  fprintf(stderr, "no event of type %d\n", type);
  exit(1);
}

static void emit(sio_client *cli, const char *event) {
  sio_message msg = SIO_MESSAGE_INIT;
  msg.event = event;
  msg.args_json = "[1]";
  msg.args_len = 3;
  CHECK(sio_client_emit(cli, NULL, &msg, NULL) == 0);
}

static int server_tag, client_tag, socket_tag, other_tag;

static void test_tags(void) {
  sio_context *sctx, *cctx;
  CHECK(sio_context_new(&sctx) == 0);
  CHECK(sio_context_new(&cctx) == 0);
  sio_server *srv = peer_server(sctx, NULL);
  /* Set before the first event and after some: both are handed back. */
  CHECK(sio_server_set_user(srv, &server_tag) == 0);
  sio_client *cli = peer_client(cctx, sio_server_port(srv), NULL);
  CHECK(sio_client_set_user(cli, &client_tag) == 0);
  const sio_event *ev = expect(cctx, SIO_EV_CONNECT, &client_tag);
  CHECK(ev->client == cli && ev->socket_user == NULL);

  ev = expect(sctx, SIO_EV_CONNECTION, &server_tag);
  CHECK(ev->server == srv && ev->socket_user == NULL);
  char sid[32];
  snprintf(sid, sizeof(sid), "%s", ev->sid);
  CHECK(sio_socket_set_user(srv, sid, &socket_tag) == 0);
  CHECK(atomic_load(&sctx->ntags) == 1);

  emit(cli, "a");
  ev = expect(sctx, SIO_EV_EVENT, &server_tag);
  CHECK_STR(ev->name, "a");
  CHECK(ev->socket_user == &socket_tag);
  /* NULL removes it; a new value replaces it. */
  CHECK(sio_socket_set_user(srv, sid, NULL) == 0);
  CHECK(atomic_load(&sctx->ntags) == 0);
  emit(cli, "b");
  ev = expect(sctx, SIO_EV_EVENT, &server_tag);
  CHECK(ev->socket_user == NULL);
  CHECK(sio_socket_set_user(srv, sid, &other_tag) == 0);
  CHECK(sio_socket_set_user(srv, sid, &socket_tag) == 0);
  CHECK(atomic_load(&sctx->ntags) == 1);
  emit(cli, "c");
  ev = expect(sctx, SIO_EV_EVENT, &server_tag);
  CHECK(ev->socket_user == &socket_tag);

  /* The client's tag changes too. */
  CHECK(sio_client_set_user(cli, &other_tag) == 0);
  CHECK(sio_client_disconnect(cli, NULL) == 0);
  ev = expect(cctx, SIO_EV_DISCONNECT, &other_tag);
  CHECK(ev->socket_user == NULL);

  ev = expect(sctx, SIO_EV_DISCONNECTING, &server_tag);
  CHECK_STR(ev->sid, sid);
  CHECK(ev->socket_user == &socket_tag);
  ev = expect(sctx, SIO_EV_DISCONNECT, &server_tag);
  CHECK_STR(ev->sid, sid);
  CHECK(ev->socket_user == &socket_tag);
  /* Handed out with its DISCONNECT, the tag is gone. */
  CHECK(atomic_load(&sctx->ntags) == 0);
  CHECK(((ctx_child *)(void *)srv)->socket_users.len == 0);

  /* A server's tag may be cleared again. */
  CHECK(sio_server_set_user(srv, NULL) == 0);
  CHECK(sio_server_close(srv) == 0);
  expect(sctx, SIO_EV_SERVER_CLOSED, NULL);

  CHECK(sio_server_set_user(NULL, &server_tag) == SIO_EINVAL);
  CHECK(sio_client_set_user(NULL, &client_tag) == SIO_EINVAL);
  CHECK(sio_socket_set_user(NULL, sid, &socket_tag) == SIO_EINVAL);
  CHECK(sio_socket_set_user(srv, NULL, &socket_tag) == SIO_EINVAL);
  sio_context_free(cctx);
  sio_context_free(sctx);
}

/* Tags of a freed server go with it; a context freed with tags set frees
 * them. */
static void test_tags_freed(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *a = peer_server(ctx, NULL), *b = peer_server(ctx, NULL);
  CHECK(sio_socket_set_user(a, "AAAAAAAAAAAAAAAAAAAA", &socket_tag) == 0);
  CHECK(sio_socket_set_user(a, "BBBBBBBBBBBBBBBBBBBB", &socket_tag) == 0);
  CHECK(sio_socket_set_user(b, "AAAAAAAAAAAAAAAAAAAA", &other_tag) == 0);
  CHECK(atomic_load(&ctx->ntags) == 3);
  sio_server_free(a);
  CHECK(atomic_load(&ctx->ntags) == 1);
  sio_context_free(ctx);
}

/* SIO_EV_EVENTS_LOST: count says how many, ack_id is -1, no owner. */
static void test_events_lost(void) {
  sio_context *ctx;
  CHECK(sio_context_new(&ctx) == 0);
  sio_server *srv = peer_server(ctx, NULL);
  CHECK(sio_server_set_user(srv, &server_tag) == 0);
  sio_target gone = SIO_TARGET_INIT;
  gone.sid = "AAAAAAAAAAAAAAAAAAAA";
  sio_message msg = SIO_MESSAGE_INIT;
  msg.event = "x";
  uint64_t req = 0;
  pump_fault_arm(PUMP_FAULT_EVENT, SIO_EV_ERROR, 2);
  for (int i = 0; i < 3; i++) CHECK(sio_emit(srv, &gone, &msg, &req) == 0);
  /* All in before the pump, so that one SIO_EV_EVENTS_LOST counts both. */
  for (int i = 0; i < 1000 && !(atomic_load(&ctx->evq.lost) == 2 && evq_count(&ctx->evq)); i++)
    usleep(10 * 1000);
  const sio_event *ev = expect(ctx, SIO_EV_EVENTS_LOST, NULL);
  CHECK(ev->count == 2 && ev->ack_id == -1);
  CHECK(ev->server == NULL && ev->client == NULL && ev->socket_user == NULL);
  /* The third emit's report was made, with the server's tag. */
  ev = expect(ctx, SIO_EV_ERROR, &server_tag);
  CHECK(ev->req == req && ev->ack_id == -1 && ev->count == 0);
  sio_context_free(ctx);
}

int main(void) {
  test_tags();
  test_tags_freed();
  test_events_lost();
  printf("test_host_tags: ok\n");
  return 0;
}
