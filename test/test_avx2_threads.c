/* AVX2 kernels under threads: every thread count gives the reference's
 * bits, and application threads may call at once on one context or on
 * separate ones.  Names contain "threads": make test-tsan runs them. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/reference.h"
#include "test_avx2.h"

/* Deep K (several kc blocks, so partial sums are parked per task) and wide
 * N (several nc chunks): both ways of splitting the work are exercised. */
TEST(threads_avx2_counts_1_2_3_7_bit_identical) {
  static const int counts[] = {1, 2, 3, 7};
  static const int64_t shapes[][3] = {{50, 300, 2400}, {13, 700, 40}, {200, 9, 4700}};
  int ran = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    for (int s = 0; s < (wgt_quick() ? 1 : 3); s++)
      for (int t = 0; t < 4; t++) {
        wgt_case c;
        wgt_avx2_case(&c, k, shapes[s][0], shapes[s][1], shapes[s][2], s + 1);
        int r = wgt_gemm_case(k->name, counts[t], &c, wgt_seed() + (uint64_t)(10 * i + s));
        CHECK(r == WGT_PASS, "%s threads=%d shape %d", k->name, counts[t], s);
        ran++;
      }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}

typedef struct caller {
  wg_context *ctx;        /* shared, or NULL: make one */
  const wg_weights *w;
  const uint8_t *x;
  int64_t m, n;
  const char *kernel;
  const wg_epilogue *ep;
  const int8_t *want;
  int bad;
} caller;

static void *caller_main(void *v) {
  caller *c = v;
  wg_context *own = NULL;
  wg_context *ctx = c->ctx;
  if (!ctx) {
    if (wg_context_create(2, &own) != WG_OK || wg_context_force_kernel(own, c->kernel) != WG_OK) {
      c->bad = 1;
      wg_context_destroy(own);
      return NULL;
    }
    ctx = own;
  }
  int8_t *y = malloc((size_t)(c->m * c->n));
  wg_act_format act = {4, 0};
  for (int r = 0; r < 4 && !c->bad; r++) {
    memset(y, 0x5a, (size_t)(c->m * c->n));
    wg_run_info info = {0};
    if (wg_gemm(ctx, c->w, c->x, c->n, c->n, act, c->ep, y, c->n, &info) != WG_OK ||
        strcmp(info.kernel, c->kernel) != 0 || memcmp(y, c->want, (size_t)(c->m * c->n)) != 0)
      c->bad = 1;
  }
  free(y);
  wg_context_destroy(own);
  return NULL;
}

/* Four application threads at once, on one shared 2-thread context (only
 * one of them can hold its pool; the others run on their own thread) and
 * on a context each. */
TEST(threads_avx2_concurrent_callers_shared_and_separate) {
  wgt_kernel list[WGT_MAX_KERNELS];
  const wgt_kernel *tk = wgt_avx2_find(list, wgt_avx2_kernels(list), wgt_avx2_runs_ternary);
  if (!tk) SKIP("no AVX2 kernel for ternary weights runs here");
  const char *name = tk->name;
  const int64_t m = 37, n = 411, k = 1500;
  wgt_rng r = {wgt_seed()};
  int8_t *w = malloc((size_t)(m * k)), *want = malloc((size_t)(m * n));
  uint8_t *x = malloc((size_t)(k * n));
  wgt_fill_weights(&r, w, (size_t)(m * k), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_acts(&r, x, (size_t)(k * n), 4, WGT_RANDOM);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.cyclic = WG_CYCLIC_SMOOTH;
  ep.slope = 2;
  ep.output = WG_OUTPUT_INT8;
  wg_ref_gemm(w, k, m, k, x, n, n, 0, &ep, want, n, 1);
  wg_context *shared;
  wg_weights *pw;
  int ok = wg_context_create(2, &shared) == WG_OK &&
           wg_context_force_kernel(shared, name) == WG_OK &&
           wg_weights_pack(shared, w, m, k, k, WG_WEIGHTS_TERNARY, 2, &pw) == WG_OK;
  int bad = !ok;
  for (int mode = 0; mode < 2 && ok; mode++) {
    pthread_t tid[4];
    caller c[4];
    for (int i = 0; i < 4; i++) {
      c[i] = (caller){mode ? NULL : shared, pw, x, m, n, name, &ep, want, 0};
      pthread_create(&tid[i], NULL, caller_main, &c[i]);
    }
    for (int i = 0; i < 4; i++) {
      pthread_join(tid[i], NULL);
      bad |= c[i].bad;
    }
  }
  if (ok) wg_weights_destroy(pw);
  wg_context_destroy(shared);
  free(w);
  free(want);
  free(x);
  CHECK(!bad, "a concurrent caller got different bits (kernel %s)", name);
}

typedef struct eng_slice {
  wg_task_fn task;
  void *task_ctx;
  int64_t count, first, stride;
} eng_slice;

static void *eng_slice_main(void *v) {
  eng_slice *s = v;
  for (int64_t i = s->first; i < s->count; i += s->stride) s->task(s->task_ctx, i);
  return NULL;
}

/* An engine pool of 4 threads that declared parallelism 2: the driver
 * keeps one scratch block per declared task slot, so two of the four tasks
 * running at once must wait for a block, and the bits must not change. */
static void eng_four(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  int *calls = user;
  (*calls)++;
  pthread_t tid[4];
  eng_slice sl[4];
  for (int i = 0; i < 4; i++) {
    sl[i] = (eng_slice){task, task_ctx, count, i, 4};
    pthread_create(&tid[i], NULL, eng_slice_main, &sl[i]);
  }
  for (int i = 0; i < 4; i++) pthread_join(tid[i], NULL);
}

TEST(threads_avx2_engine_runs_more_than_declared) {
  wgt_kernel list[WGT_MAX_KERNELS];
  const wgt_kernel *tk = wgt_avx2_find(list, wgt_avx2_kernels(list), wgt_avx2_runs_ternary);
  if (!tk) SKIP("no AVX2 kernel for ternary weights runs here");
  const char *name = tk->name;
  const int64_t m = 40, n = 700, k = 300;
  wgt_rng r = {wgt_seed()};
  int8_t *w = malloc((size_t)(m * k)), *want = malloc((size_t)(m * n)),
         *y = malloc((size_t)(m * n));
  uint8_t *x = malloc((size_t)(k * n));
  wgt_fill_weights(&r, w, (size_t)(m * k), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_acts(&r, x, (size_t)(k * n), 5, WGT_RANDOM);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 7;
  ep.output = WG_OUTPUT_INT8;
  wg_ref_gemm(w, k, m, k, x, n, n, 0, &ep, want, n, 1);
  wg_context *ctx;
  wg_weights *pw = NULL;
  int calls = 0;
  wg_act_format act = {5, 0};
  wg_run_info info = {0};
  int ok = wg_context_create(1, &ctx) == WG_OK && wg_context_force_kernel(ctx, name) == WG_OK &&
           wg_context_set_parallel_for(ctx, eng_four, &calls, 2) == WG_OK &&
           wg_weights_pack(ctx, w, m, k, k, WG_WEIGHTS_TERNARY, 2, &pw) == WG_OK;
  int same = ok, reps = 8; /* sharing a block is a race: give it chances */
  for (int i = 0; i < reps && ok && same; i++) {
    memset(y, 0x5a, (size_t)(m * n));
    ok = wg_gemm(ctx, pw, x, n, n, act, &ep, y, n, &info) == WG_OK;
    same = ok && memcmp(y, want, (size_t)(m * n)) == 0;
  }
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(w);
  free(want);
  free(y);
  free(x);
  CHECK(ok && calls >= 1, "engine call failed (calls %d)", calls);
  CHECK(same, "engine running 4 tasks at once with parallelism 2 changed the bits");
  wgt_count_check(1);
}
