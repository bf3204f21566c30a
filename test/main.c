#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define MAX_TESTS 512
static struct {
  const char *name;
  wgt_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int cur_failed, cur_skipped;
static long checks;

void wgt_register(const char *name, wgt_fn fn) {
  if (ntests < MAX_TESTS) {
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
  }
}

void wgt_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "    FAIL %s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  cur_failed = 1;
}

void wgt_skip(const char *fmt, ...) {
  va_list ap;
  printf("    skipped: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  cur_skipped = 1;
}

int wgt_failed(void) { return cur_failed; }
void wgt_count_check(long n) { checks += n; }

uint64_t wgt_seed(void) {
  static uint64_t seed;
  static int have;
  if (!have) {
    const char *e = getenv("WG_TEST_SEED");
    seed = e && *e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
    have = 1;
    printf("seed: WG_TEST_SEED=%llu\n", (unsigned long long)seed);
  }
  return seed;
}

int wgt_quick(void) {
  const char *e = getenv("WG_TEST_QUICK");
  return e && *e == '1';
}

static int selected(const char *name, int argc, char **argv) {
  if (argc < 2) return 1;
  for (int i = 1; i < argc; i++)
    if (strstr(name, argv[i])) return 1;
  return 0;
}

int main(int argc, char **argv) {
  int passed = 0, failed = 0, skipped = 0;
  setvbuf(stdout, NULL, _IOLBF, 0);
  wgt_seed();
  for (int i = 0; i < ntests; i++) {
    if (!selected(tests[i].name, argc, argv)) continue;
    cur_failed = cur_skipped = 0;
    clock_t t0 = clock();
    tests[i].fn();
    double ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC;
    const char *verdict = cur_failed ? "FAILED" : cur_skipped ? "skipped" : "ok";
    printf("%-52s %-8s %8.1f ms\n", tests[i].name, verdict, ms);
    if (cur_failed)
      failed++;
    else if (cur_skipped)
      skipped++;
    else
      passed++;
  }
  printf("%ld exact comparisons against the reference\n", checks);
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
