/* Every kernel in the table against the reference: the 1..17 cube, random
 * shapes with strides, long wrapping sums.  Kernels this CPU cannot run are
 * reported as skipped; the summary counts the kernels actually checked. */
#include <string.h>

#include "util.h"

/* Representative option sets: each kernel runs the ones it accepts. */
typedef struct opt {
  wg_weight_format wf;
  int wbits, abits, zx, b;
  wg_cyclic cyc;
  int slope;
  wg_output_kind out;
} opt;

static const opt OPTS[] = {
    {WG_WEIGHTS_TERNARY, 2, 3, 0, 8, WG_CYCLIC_SMOOTH, 2, WG_OUTPUT_INT8},
    {WG_WEIGHTS_BINARY, 1, 4, 0, 8, WG_CYCLIC_NONE, 1, WG_OUTPUT_INT8},
    {WG_WEIGHTS_TERNARY, 2, 8, 17, 7, WG_CYCLIC_SMOOTH, 3, WG_OUTPUT_UINT8_FIXED},
    {WG_WEIGHTS_BINARY, 1, 2, 0, 4, WG_CYCLIC_ABS, 1, WG_OUTPUT_UINT8_FLOAT},
    {WG_WEIGHTS_INT, 4, 3, 0, 8, WG_CYCLIC_SMOOTH, 1, WG_OUTPUT_UINT8_FLOAT},
    {WG_WEIGHTS_INT, 8, 8, 128, 16, WG_CYCLIC_ABS, 1, WG_OUTPUT_INT32},
    {WG_WEIGHTS_INT, 2, 7, 5, 32, WG_CYCLIC_NONE, 1, WG_OUTPUT_INT32},
    {WG_WEIGHTS_INT, 6, 2, 0, 12, WG_CYCLIC_SMOOTH, 4, WG_OUTPUT_FLOAT32},
    {WG_WEIGHTS_INT, 7, 8, 0, 16, WG_CYCLIC_NONE, 1, WG_OUTPUT_INT16},
};
enum { NOPTS = sizeof OPTS / sizeof OPTS[0] };

static wgt_case make_case(const opt *o, int64_t m, int64_t n, int64_t k) {
  wgt_case c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.n = n;
  c.k = k;
  c.wf = o->wf;
  c.wbits = o->wbits;
  c.abits = o->abits;
  c.zx = o->zx;
  wgt_epilogue(&c, o->out, o->cyc, o->slope, o->b);
  return c;
}

/* Which option sets the kernel accepts (probed on a small case). */
static int accepted(const char *kname, int *idx) {
  int n = 0;
  for (int i = 0; i < NOPTS; i++) {
    wgt_case c = make_case(&OPTS[i], 3, 5, 7);
    int r = wgt_gemm_case(kname, 1, &c, wgt_seed() + (uint64_t)i);
    if (r == WGT_FAIL) return -1;
    if (r == WGT_PASS) idx[n++] = i;
  }
  return n;
}

/* Runs fn(kernel) for each runnable kernel; skips if none could run. */
typedef int (*per_kernel)(const char *kname, const int *idx, int nidx);
static void for_each_kernel(per_kernel fn) {
  int ran = 0, unavailable = 0;
  for (int i = 0; i < wg_kernel_count(); i++) {
    const char *name = wg_kernel_name(i);
    if (!wg_kernel_available(i)) {
      unavailable++;
      continue;
    }
    int idx[NOPTS];
    int n = accepted(name, idx);
    if (n < 0) {
      wgt_fail(__FILE__, __LINE__, "kernel %s failed its probe", name);
      return;
    }
    if (n == 0) {
      wgt_fail(__FILE__, __LINE__, "kernel %s accepts no option set", name);
      return;
    }
    if (!fn(name, idx, n)) return;
    ran++;
  }
  printf("    %d kernels checked, %d not runnable on this CPU\n", ran, unavailable);
}

static int cube(const char *kname, const int *idx, int nidx) {
  int step = wgt_quick() ? 4 : 1;
  for (int64_t m = 1; m <= 17; m += step)
    for (int64_t n = 1; n <= 17; n += step)
      for (int64_t k = 1; k <= 17; k++) {
        const opt *o = &OPTS[idx[(m + n + k) % nidx]];
        wgt_case c = make_case(o, m, n, k);
        c.data = (int)((m * n + k) % 3);
        if (wgt_gemm_case(kname, 1, &c, wgt_seed() + (uint64_t)(m * 289 + n * 17 + k)) !=
            WGT_PASS)
          return 0;
      }
  return 1;
}
TEST(sweep_cube_1_to_17_every_kernel) { for_each_kernel(cube); }

static int random_shapes(const char *kname, const int *idx, int nidx) {
  wgt_rng r = {wgt_seed() ^ 0xabcdef};
  int cases = wgt_quick() ? 3 : 12;
  for (int i = 0; i < cases; i++) {
    uint64_t seed = wgt_next(&r);
    wgt_rng s = {seed};
    const opt *o = &OPTS[idx[wgt_range(&s, 0, nidx - 1)]];
    wgt_case c = make_case(o, wgt_range(&s, 1, 160), wgt_range(&s, 1, 200),
                           wgt_range(&s, 1, 300));
    c.ldw_pad = wgt_range(&s, 0, 5);
    c.ldx_pad = wgt_range(&s, 0, 5);
    c.ldy_pad = wgt_range(&s, 0, 5);
    c.data = (int)wgt_range(&s, 0, 2);
    if (wgt_gemm_case(kname, 1, &c, seed) != WGT_PASS) return 0;
  }
  return 1;
}
TEST(sweep_random_shapes_with_strides_every_kernel) { for_each_kernel(random_shapes); }

/* Long K with extreme codes: the sum wraps the narrowest lane many times. */
static int long_k(const char *kname, const int *idx, int nidx) {
  const int64_t ks[] = {255, 256, 257, 1023, 4099};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
    for (int data = WGT_EXTREME; data <= WGT_EXTREME_MIXED; data++) {
      wgt_case c = make_case(&OPTS[idx[(int)i % nidx]], 5, 37, ks[i]);
      c.data = data;
      if (wgt_gemm_case(kname, 1, &c, wgt_seed() + i) != WGT_PASS) return 0;
    }
  return 1;
}
TEST(sweep_long_k_extreme_codes_every_kernel) { for_each_kernel(long_k); }
