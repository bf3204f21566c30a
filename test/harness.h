/*
 * A small test runner: TEST(name) registers a function at load time; the
 * runner runs those whose name contains one of its arguments (all without
 * arguments) and ends with 'N passed, N failed, N skipped'.
 *
 * A failing check prints what it compared (kernel, shape, seed, position,
 * expected, got: the caller's message) and ends the test.  A test that
 * cannot run here (a kernel this CPU lacks) calls SKIP, which is reported
 * as skipped, never as passed.
 */
#ifndef WG_TEST_HARNESS_H
#define WG_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>

typedef void (*wgt_fn)(void);
void wgt_register(const char *name, wgt_fn fn);
void wgt_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wgt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int wgt_failed(void);            /* the current test has failed */
uint64_t wgt_seed(void);         /* WG_TEST_SEED or time-based, printed once */
int wgt_quick(void);             /* WG_TEST_QUICK=1: smaller sweeps (qemu) */
void wgt_count_check(long n);    /* comparisons made, for the summary */

#define TEST(name)                                                  \
  static void name(void);                                           \
  __attribute__((constructor)) static void name##_register(void) { \
    wgt_register(#name, name);                                      \
  }                                                                 \
  static void name(void)

#define CHECK(cond, ...)                        \
  do {                                          \
    if (!(cond)) {                              \
      wgt_fail(__FILE__, __LINE__, __VA_ARGS__); \
      return;                                   \
    }                                           \
  } while (0)

#define SKIP(...)        \
  do {                   \
    wgt_skip(__VA_ARGS__); \
    return;              \
  } while (0)

/* splitmix64: tiny, seedable, and identical on every target. */
typedef struct wgt_rng {
  uint64_t s;
} wgt_rng;
static inline uint64_t wgt_next(wgt_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
/* Uniform in [lo, hi]. */
static inline int64_t wgt_range(wgt_rng *r, int64_t lo, int64_t hi) {
  return lo + (int64_t)(wgt_next(r) % (uint64_t)(hi - lo + 1));
}

#endif
