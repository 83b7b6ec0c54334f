/* The command queue's block pool: small blocks come back for reuse, zeroed
 * as asked, large ones are freed, and the pool stays bounded. Leaks show
 * under ASan. */
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
  CHECK(small->base.pooled);
  cmdq_run_all(&q);
  CHECK(runs == 1 && q.npool == 1);
  /* The retired block is handed out again, zeroed (push checks). */
  CHECK(push(&q, &runs, CMDQ_BLOCK) == small);
  CHECK(q.npool == 0);
  cmdq_run_all(&q);

  test_cmd *big = push(&q, &runs, CMDQ_BLOCK + 1);
  CHECK(!big->base.pooled);
  cmdq_run_all(&q);
  CHECK(runs == 3 && q.npool == 1 && q.spent == &big->base);
  /* The next push frees the large block on the pushing side. */
  push(&q, &runs, sizeof(test_cmd));
  CHECK(q.spent == NULL);
  cmdq_run_all(&q);

  /* A batch that would overfill the pool is freed where it ran. */
  for (int i = 0; i < 5000; i++) push(&q, &runs, sizeof(test_cmd));
  cmdq_run_all(&q);
  CHECK(runs == 5004 && q.npool == 0);

  cmdq_close(&q);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  cmdq_destroy(&q);
  CHECK(uv_loop_close(&loop) == 0);
  puts("command queue ok");
  return 0;
}
