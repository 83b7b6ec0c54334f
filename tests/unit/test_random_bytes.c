/* random_bytes fills whole buffers, though signals cut the kernel's
 * answers short or interrupt them, and falls back to /dev/urandom on kernels without getrandom (a seccomp filter
 * plays such a kernel); random_id draws from it without repeating itself. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "util/random_bytes.h"
#include "util/random_id.h"

/* Zero-filled first: a buffer left partly unwritten shows as a run of zeros
 * that random bytes would make only once in 2^64 draws. */
static void check_filled(size_t len) {
  uint8_t *buf = calloc(1, len);
  CHECK(buf);
  CHECK(random_bytes(buf, len) == 0);
  for (size_t at = 0; at + 8 <= len; at += len / 16 > 8 ? len / 16 : 8) {
    uint64_t word;
    memcpy(&word, buf + at, 8);
    CHECK(word != 0);
  }
  uint64_t tail;
  if (len >= 8) {
    memcpy(&tail, buf + len - 8, 8);
    CHECK(tail != 0);
  }
  free(buf);
}

/* Short buffers: over many draws, not one value again and again. */
static void check_varies(size_t len) {
  uint8_t first[8], next[8];
  CHECK(random_bytes(first, len) == 0);
  int differs = 0;
  for (int i = 0; i < 64 && !differs; i++) {
    CHECK(random_bytes(next, len) == 0);
    differs = memcmp(first, next, len) != 0;
  }
  CHECK(differs);
}

static volatile sig_atomic_t alarms_;

static void on_alarm(int sig) {
  (void)sig;
  alarms_++;
}

/* A timer signal every 100 us, without SA_RESTART: getrandom returns the
 * bytes it has written when one arrives. */
static void check_filled_under_signals(size_t len) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_alarm;
  CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
  struct itimerval every = {{0, 100}, {0, 100}}, off = {{0, 0}, {0, 0}};
  CHECK(setitimer(ITIMER_REAL, &every, NULL) == 0);
  check_filled(len);
  CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0);
  CHECK(alarms_ > 0);
}

static int cmp_id(const void *a, const void *b) { return strcmp(a, b); }

static void check_ids_unique(int count) {
  char(*ids)[RANDOM_ID_LEN + 1] = malloc((size_t)count * sizeof(*ids));
  CHECK(ids);
  for (int i = 0; i < count; i++) {
    random_id(ids[i]);
    CHECK(strlen(ids[i]) == RANDOM_ID_LEN);
    CHECK(strspn(ids[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          RANDOM_ID_LEN);
  }
  qsort(ids, (size_t)count, sizeof(*ids), cmp_id);
  for (int i = 1; i < count; i++) CHECK(strcmp(ids[i - 1], ids[i]) != 0);
  free(ids);
}

/* In a child whose getrandom system call fails with errno_value. */
static void deny_getrandom(int errno_value) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)errno_value),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};
  CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
  CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0);
  uint8_t probe;
  CHECK(syscall(SYS_getrandom, &probe, 1, 0) == -1 && errno == errno_value);
}

static void run_in_child(void (*body)(void)) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    body();
    fflush(stderr);
    _exit(0);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void without_getrandom(void) {
  deny_getrandom(ENOSYS);
  check_filled(4096);
  check_varies(4);
  check_ids_unique(1000);
}

static void getrandom_failing(void) {
  deny_getrandom(EIO);
  uint8_t buf[16];
  errno = 0;
  CHECK(random_bytes(buf, sizeof(buf)) == -1);
  CHECK(errno == EIO);
}

int main(void) {
  CHECK(random_bytes(NULL, 0) == 0);
  for (size_t len = 1; len <= 8; len++) check_varies(len);
  check_filled(16);
  check_filled(257);
  check_filled(4096);
  check_filled(1 << 20);
  check_filled_under_signals((size_t)64 << 20);
  check_ids_unique(200000);
  run_in_child(without_getrandom);
  run_in_child(getrandom_failing);
  return 0;
}
