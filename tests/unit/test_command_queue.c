/* The command queue's block pool: small blocks come back for reuse, zeroed
 * as asked, large ones too up to a byte budget, past which they are freed,
 * and the pool stays bounded. Leaks show under ASan. */
#include "check.h"
#include "pump/command_queue.h"

typedef struct test_cmd {
  cmd base;
  command_queue *q;
  int *runs;
  char payload[64];
} test_cmd;

static void run_retire(cmd *c) {
  test_cmd *t = (test_cmd *)c;
  (*t->runs)++;
  cmdq_retire(t->q, c);
}

static void on_drain(uv_async_t *a) { cmdq_run_all(a->data); }

static test_cmd *push(command_queue *q, int *runs, size_t size) {
  test_cmd *t = cmdq_alloc(q, size, sizeof(test_cmd));
  CHECK(t);
  CHECK(!t->base.next && !t->base.run && !t->base.done);
  for (size_t i = sizeof(cmd); i < sizeof(test_cmd); i++) CHECK(((char *)t)[i] == 0);
  t->base.run = run_retire;
  t->q = q;
  t->runs = runs;
  memset(t->payload, 'x', sizeof t->payload);
  cmdq_push(q, &t->base);
  return t;
}

int main(void) {
  uv_loop_t loop;
  CHECK(uv_loop_init(&loop) == 0);
  command_queue q;
  CHECK(cmdq_init(&q, &loop, on_drain) == 0);
  int runs = 0;

  test_cmd *small = push(&q, &runs, sizeof(test_cmd));
  CHECK(small->base.size == CMDQ_BLOCK);
  cmdq_run_all(&q);
  CHECK(runs == 1 && q.npool == 1);
  /* The retired block is handed out again, zeroed (push checks). */
  CHECK(push(&q, &runs, CMDQ_BLOCK) == small);
  CHECK(q.npool == 0);
  cmdq_run_all(&q);

  test_cmd *big = push(&q, &runs, 4096);
  CHECK(big->base.size == 4096);
  cmdq_run_all(&q);
  CHECK(runs == 3 && q.npool == 1 && q.large == &big->base && q.large_bytes == 4096);
  CHECK(q.spent == NULL);
  /* A large block is handed out again to a command it holds, zeroed. */
  CHECK(push(&q, &runs, 4000) == big);
  CHECK(q.large == NULL && q.large_bytes == 0);
  cmdq_run_all(&q);
  /* One too small is passed over for one that fits. */
  test_cmd *bigger = push(&q, &runs, 8192);
  CHECK(bigger != big && q.large == &big->base);
  cmdq_run_all(&q);
  CHECK(q.large_bytes == 4096 + 8192);
  CHECK(push(&q, &runs, 8000) == bigger);
  CHECK(q.large_bytes == 4096);
  cmdq_run_all(&q);
  CHECK(runs == 6 && q.large_bytes == 4096 + 8192);

  /* Past CMDQ_LARGE_KEPT, a large block is freed by the next push, on the
   * pushing side. */
  push(&q, &runs, CMDQ_LARGE_KEPT);
  cmdq_run_all(&q);
  CHECK(q.spent != NULL && q.large_bytes == 4096 + 8192);
  push(&q, &runs, sizeof(test_cmd));
  CHECK(q.spent == NULL);
  cmdq_run_all(&q);
  CHECK(runs == 8);

  /* A batch that would overfill the pool is freed where it ran. */
  for (int i = 0; i < 5000; i++) push(&q, &runs, sizeof(test_cmd));
  cmdq_run_all(&q);
  CHECK(runs == 5008 && q.npool == 0);

  cmdq_close(&q);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  cmdq_destroy(&q);
  CHECK(uv_loop_close(&loop) == 0);
  puts("command queue ok");
  return 0;
}
