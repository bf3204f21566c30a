/* NEON kernels, the table's kernels that need WG_CPU_NEON: each forced by
 * name and asserted to have run (skipped where the CPU lacks it), on shapes
 * derived from its tile; the CPU features the qemu lane says the model
 * has; misaligned user buffers. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "test_neon.h"
#include "util.h"

int wgt_neon_kernels(wgt_kernel *out) {
  return wgt_kernels(WG_CPU_NEON, NULL, out, WGT_MAX_KERNELS);
}

/* WG_TEST_QEMU_CPU is set by the qemu lanes (mk/arm.mk): there the features
 * the model has are known, so detection is checked, not just trusted, and
 * the kernels that need the dot product run exactly where it is. */
TEST(neon_cpu_features_of_qemu_model) {
  const char *cpu = getenv("WG_TEST_QEMU_CPU");
  if (!cpu || !*cpu) SKIP("WG_TEST_QEMU_CPU not set (set by the qemu lanes)");
  uint32_t f = wg_cpu_features();
  CHECK(f & WG_CPU_NEON, "%s: NEON not detected (features 0x%x)", cpu, (unsigned)f);
#if defined(__aarch64__)
  int want_dot = strcmp(cpu, "cortex-a53") != 0; /* a76 and max have it */
#else
  int want_dot = 0;
#endif
  CHECK(!!(f & WG_CPU_DOTPROD) == want_dot, "%s: dotprod detected %d, expected %d", cpu,
        !!(f & WG_CPU_DOTPROD), want_dot);
  wgt_kernel dot[WGT_MAX_KERNELS];
  int n = wgt_kernels(WG_CPU_NEON | WG_CPU_DOTPROD, NULL, dot, WGT_MAX_KERNELS);
  for (int i = 0; i < n; i++) {
    wg_context *ctx = NULL;
    CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
    wg_status st = wg_context_force_kernel(ctx, dot[i].name);
    wg_context_destroy(ctx);
    CHECK(st == (want_dot ? WG_OK : WG_ERR_KERNEL_UNAVAILABLE), "%s: forcing %s: %s", cpu,
          dot[i].name, wg_status_name(st));
  }
}

#if defined(__aarch64__) || defined(__arm__)
typedef struct neon_opt {
  wg_weight_format wf;
  int wbits, abits, zx, b;
  wg_cyclic cyc;
  wg_output_kind out;
  int data;
} neon_opt;

/* Shapes from the tile: below, at, above and multiples of MR, NR, KU and the
 * depth block kc (partial sums parked between blocks). */
static int forced_shapes(const wgt_kernel *kn, uint64_t seed) {
  const wg_kernel *k = kn->k;
  int64_t mr = k->mr, nr = k->nr, ku = k->ku, kc = k->kc;
  int64_t ms[] = {1, mr - 1, mr, mr + 1, 3 * mr + 2};
  int64_t ns[] = {1, nr - 1, nr, nr + 1, 2 * nr + 5};
  int64_t ks[] = {1, ku + 1, 4 * ku - 1, kc, kc + ku + 1, wgt_quick() ? kc + 3 : 3 * kc + 7};
  static const neon_opt opts[] = {
      {WG_WEIGHTS_INT, 8, 8, 0, 8, WG_CYCLIC_NONE, WG_OUTPUT_INT8, WGT_EXTREME},
      {WG_WEIGHTS_TERNARY, 2, 8, 200, 8, WG_CYCLIC_SMOOTH, WG_OUTPUT_UINT8_FLOAT, WGT_RANDOM},
      {WG_WEIGHTS_BINARY, 1, 3, 0, 7, WG_CYCLIC_ABS, WG_OUTPUT_UINT8_FIXED, WGT_EXTREME_MIXED},
      {WG_WEIGHTS_INT, 8, 8, 255, 16, WG_CYCLIC_SMOOTH, WG_OUTPUT_INT16, WGT_EXTREME_MIXED},
      {WG_WEIGHTS_INT, 5, 8, 3, 32, WG_CYCLIC_NONE, WG_OUTPUT_INT32, WGT_EXTREME},
      {WG_WEIGHTS_INT, 8, 8, 128, 32, WG_CYCLIC_SMOOTH, WG_OUTPUT_FLOAT32, WGT_RANDOM},
  };
  int ran = 0, idx = 0;
  for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
    for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++)
      for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++, idx++) {
        if (ms[a] < 1 || ns[b] < 1) continue;
        const neon_opt *o = &opts[idx % (int)(sizeof opts / sizeof opts[0])];
        if (o->b > k->lane_bits) o = &opts[0];
        /* Kernels for weights in {-1, 0, 1} get ternary and binary ones,
         * kernels for binary weights (the binary lookup tables) binary. */
        wg_weight_format wf = o->wf;
        if (kn->wf == WG_WEIGHTS_TERNARY && wf == WG_WEIGHTS_INT)
          wf = idx % 2 ? WG_WEIGHTS_TERNARY : WG_WEIGHTS_BINARY;
        if (kn->wf == WG_WEIGHTS_BINARY) wf = WG_WEIGHTS_BINARY;
        wgt_case cs = {.m = ms[a], .n = ns[b], .k = ks[c], .wf = wf, .wbits = o->wbits,
                       .abits = o->abits, .zx = o->zx, .data = o->data,
                       .ldx_pad = idx % 3, .ldy_pad = idx % 2};
        wgt_epilogue(&cs, o->out, o->cyc, 1 + idx % 3, o->b);
        int r = wgt_gemm_case(kn->name, 1, &cs, seed + (uint64_t)idx);
        /* Every NEON kernel takes the formats above and b <= its lanes. */
        if (r != WGT_PASS) return -1;
        ran++;
      }
  return ran;
}
#endif

/* Every NEON kernel of the table, forced, on the shapes of its tile; those
 * this CPU lacks are skipped, and forcing them is refused. */
TEST(neon_each_kernel_forced_tile_shapes) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int n = wgt_neon_kernels(list), kernels = 0;
#if defined(__aarch64__) || defined(__arm__)
  CHECK(n > 0, "no NEON kernel in an ARM build's table");
  for (int i = 0; i < n; i++) {
    if (!list[i].runnable) {
      printf("    %s: skipped, this CPU lacks it\n", list[i].name);
      continue;
    }
    int ran = forced_shapes(&list[i], wgt_seed() + (uint64_t)i * 100000);
    CHECK(ran > 0, "%s: failed or refused a case (above)", list[i].name);
    printf("    %s: %d shapes ran and matched\n", list[i].name, ran);
    kernels++;
  }
#endif
  if (!kernels) SKIP("no NEON kernel runs here (%d in the table)", n);
}

/* A kernel for weights in {-1, 0, 1} refuses wider codes: the int16 bound
 * behind its eligible() would not hold, so it must not run them. */
TEST(neon_ternary_kernels_refuse_wider_weights) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int n = wgt_neon_kernels(list), checked = 0;
  for (int i = 0; i < n; i++) {
    const char *name = list[i].name;
    if (list[i].wf != WG_WEIGHTS_TERNARY || !list[i].runnable) continue;
    wgt_case c = {.m = 5, .n = 19, .k = 300, .wf = WG_WEIGHTS_INT, .wbits = 2, .abits = 8,
                  .data = WGT_EXTREME};
    wgt_epilogue(&c, WG_OUTPUT_INT32, WG_CYCLIC_NONE, 1, 32);
    int r = wgt_gemm_case(name, 1, &c, wgt_seed());
    CHECK(r == WGT_CANNOT, "%s ran int codes down to -2 (result %d)", name, r);
    c.data = WGT_EXTREME_MIXED; /* int codes, 2 bits, but only -2 and 1: still refused */
    CHECK(wgt_gemm_case(name, 1, &c, wgt_seed()) == WGT_CANNOT, "%s: codes -2, 1", name);
    checked++;
  }
  if (!checked) SKIP("no ternary NEON kernel runs here");
}

enum { NEON_GUARD = 64, NEON_CANARY = 0x5A };

int wgt_neon_check(const wgt_neon_call *c, const char *what) {
  size_t es = wg_output_size(c->ep->output);
  size_t ybytes = (size_t)((c->m - 1) * c->ldy + c->n) * es;
  size_t total = 64 + c->y_offset + ybytes + NEON_GUARD;
  unsigned char *buf = aligned_alloc(64, (total + 63) & ~(size_t)63);
  unsigned char *want = malloc(ybytes);
  unsigned char *y = buf + 64 + c->y_offset;
  memset(buf, NEON_CANARY, total);
  memset(want, NEON_CANARY, ybytes);
  int result = WGT_PASS;
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  wg_run_info info = {0};
  wg_status st = wg_context_create(1, &ctx);
  if (st == WG_OK) st = wg_context_force_kernel(ctx, c->kernel);
  if (st == WG_ERR_KERNEL_UNAVAILABLE) {
    result = WGT_CANNOT;
    goto out;
  }
  if (st == WG_OK) st = wg_weights_pack(ctx, c->w, c->m, c->k, c->ldw, c->wf, c->wbits, &pw);
  if (st == WG_OK)
    st = wg_gemm(ctx, pw, c->x, c->n, c->ldx, c->act, c->ep, y, c->ldy, &info);
  if (st != WG_OK || !info.kernel || strcmp(info.kernel, c->kernel) != 0) {
    wgt_fail(__FILE__, __LINE__, "%s: kernel %s: %s, ran %s", what, c->kernel,
             wg_status_name(st), info.kernel ? info.kernel : "nothing");
    result = WGT_FAIL;
    goto out;
  }
  wg_ref_gemm(c->w, c->ldw, c->m, c->k, c->x, c->ldx, c->n, c->act.zero_point, c->ep, want,
              c->ldy, 1);
  for (size_t g = 0; g < 64 + c->y_offset; g++)
    if (buf[g] != NEON_CANARY) result = WGT_FAIL;
  for (size_t g = 0; g < NEON_GUARD; g++)
    if (y[ybytes + g] != NEON_CANARY) result = WGT_FAIL;
  if (result == WGT_FAIL) {
    wgt_fail(__FILE__, __LINE__, "%s: kernel %s wrote outside y", what, c->kernel);
    goto out;
  }
  for (int64_t i = 0; i < c->m && result == WGT_PASS; i++)
    for (int64_t j = 0; j < c->ldy && (i < c->m - 1 || j < c->n); j++) {
      size_t off = (size_t)(i * c->ldy + j) * es;
      if (memcmp(y + off, want + off, es) != 0) {
        uint32_t got = 0, exp = 0;
        memcpy(&got, y + off, es < 4 ? es : 4);
        memcpy(&exp, want + off, es < 4 ? es : 4);
        wgt_fail(__FILE__, __LINE__, "%s: kernel %s M=%lld N=%lld K=%lld y[%lld,%lld] "
                 "expected 0x%x got 0x%x", what, c->kernel, (long long)c->m,
                 (long long)c->n, (long long)c->k, (long long)i, (long long)j,
                 (unsigned)exp, (unsigned)got);
        result = WGT_FAIL;
        break;
      }
    }
  wgt_count_check(1);
out:
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(buf);
  free(want);
  return result;
}
