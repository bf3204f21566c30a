/*
 * wg_gemmlowp_gemm's per-call lhs packing (weights_once.c) makes what
 * wg_weights_pack_ex makes of the same uint8 weights for one call (range,
 * width, fold or zero point left, row sums, the kernel's panels byte for
 * byte), on every kernel forced and on the automatic choice, with code
 * ranges at both ends of the fold's bound; and the AVX2 A packs write the
 * bytes of the portable ones.  test-gemmlowp checks the results against
 * gemmlowp itself.
 */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "util.h"
#include "core/internal.h"
#if defined(__x86_64__)
#include "avx2/pack_a_avx2.h"
#include "portable/pack_a_groups_c.h"
#include "test_avx2.h"
#endif

/* The two packings of one desc agree: 1, else reports and returns 0. */
static int same_weights(wg_context *ctx, const uint8_t *w, const wg_weights_desc *d,
                        const char *kname) {
  wg_weights *a = NULL, *b = NULL;
  wg_status sa = wg_weights_pack_u8_once(ctx, w, d, 8, 32, &a);
  wg_status sb = wg_weights_pack_ex_for(ctx, w, d, 8, 32, &b);
  /* pack_ex's first pack is the kernel's (a second: its direct panels,
   * which the once packing skips) */
  int ok = sa == sb;
  if (!ok)
    wgt_fail(__FILE__, __LINE__, "%s m %lld k %lld zw %d: status %s, pack_ex %s", kname,
             (long long)d->m, (long long)d->k, d->zero_point, wg_status_name(sa),
             wg_status_name(sb));
  if (ok && sa == WG_OK) {
    ok = a->wmin == b->wmin && a->wmax == b->wmax && a->bits == b->bits && a->zw == b->zw &&
         a->npacks == 1 && b->npacks >= 1 && a->packs[0].pack_a == b->packs[0].pack_a &&
         a->packs[0].panel_bytes == b->packs[0].panel_bytes &&
         a->packs[0].group_bytes == b->packs[0].group_bytes &&
         !memcmp(a->rowsum, b->rowsum, (size_t)d->m * sizeof *a->rowsum) &&
         !memcmp(a->packs[0].data, b->packs[0].data, a->packs[0].group_bytes);
    if (!ok)
      wgt_fail(__FILE__, __LINE__,
               "%s m %lld k %lld order %d zw %d: once [%d, %d] %d bits zw %d, pack_ex [%d, %d] "
               "%d bits zw %d, or their row sums or panels differ",
               kname, (long long)d->m, (long long)d->k, (int)d->order, d->zero_point, a->wmin,
               a->wmax, a->bits, a->zw, b->wmin, b->wmax, b->bits, b->zw);
  }
  wg_weights_destroy(a);
  wg_weights_destroy(b);
  return ok;
}

/* Codes in [lo, hi], both present, zw's fold bound at an edge: hi - zw
 * or lo - zw one inside, on, or one past int8. */
static void fill_around_fold(wgt_rng *r, uint8_t *w, size_t n, int zw) {
  int edge = (int)wgt_range(r, 126, 128), lo, hi;
  if (wgt_range(r, 0, 1)) {
    hi = zw + edge;
    lo = zw - (int)wgt_range(r, 0, 128);
  } else {
    lo = zw - edge - 1;
    hi = zw + (int)wgt_range(r, 0, 127);
  }
  lo = lo < 0 ? 0 : lo > 255 ? 255 : lo;
  hi = hi < lo ? lo : hi > 255 ? 255 : hi;
  for (size_t i = 0; i < n; i++) w[i] = (uint8_t)wgt_range(r, lo, hi);
  w[wgt_range(r, 0, (int64_t)n - 1)] = (uint8_t)lo;
  w[wgt_range(r, 0, (int64_t)n - 1)] = (uint8_t)hi;
}

TEST(weights_once_equals_pack_ex_every_kernel) {
  wgt_rng r = {wgt_seed() ^ 0x0ace};
  wgt_kernel ks[WGT_MAX_KERNELS];
  int nk = wgt_kernels(0, NULL, ks, WGT_MAX_KERNELS), ran = 0;
  wg_context *ctx;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  static const int64_t ms[] = {1, 3, 5, 6, 7, 8, 9, 13, 17};
  /* depth around the AVX2 packs' chunks (16, 32) and the row sums' runs of 257 */
  static const int64_t kd[] = {1, 2, 3, 4, 15, 16, 17, 31, 32, 33, 63, 64, 65, 256, 257, 258, 600};
  int cases = wgt_quick() ? 300 : 2000;
  for (int c = 0; c < cases && !wgt_failed(); c++) {
    int ki = (int)wgt_range(&r, -1, nk - 1); /* -1: automatic */
    if (ki >= 0 && !ks[ki].runnable) continue;
    CHECK(wg_context_force_kernel(ctx, ki < 0 ? NULL : ks[ki].name) == WG_OK, "force");
    wg_weights_desc d = {ms[wgt_range(&r, 0, 8)], kd[wgt_range(&r, 0, 16)],
                         wgt_range(&r, 0, 1) ? WG_COL_MAJOR : WG_ROW_MAJOR, 0, WG_WEIGHTS_INT,
                         8, 1, (int32_t)wgt_range(&r, 0, 255)};
    int64_t rows = d.order == WG_COL_MAJOR ? d.k : d.m, cols = d.order == WG_COL_MAJOR ? d.m : d.k;
    d.ldw = cols + wgt_range(&r, 0, 3);
    size_t n = (size_t)(rows * d.ldw);
    uint8_t *w = malloc(n);
    CHECK(w, "memory");
    fill_around_fold(&r, w, n, d.zero_point);
    int64_t kind = wgt_range(&r, 0, 7);
    if (kind < 2) /* the whole range: the range pass stops early */
      for (size_t i = 0; i < n; i++) w[i] = (uint8_t)wgt_next(&r);
    else if (kind == 2) /* every code 255: the row sums' largest runs */
      memset(w, 255, n);
    int ok = same_weights(ctx, w, &d, ki < 0 ? "auto" : ks[ki].name);
    free(w);
    if (!ok) break;
    ran++;
  }
  wg_context_destroy(ctx);
  wgt_count_check(ran);
  printf("    %d packings equal to wg_weights_pack_ex's\n", ran);
}

#if defined(__x86_64__)
TEST(avx2_pack_a_equals_portable) {
  wgt_kernel ks[WGT_MAX_KERNELS];
  int n = wgt_avx2_kernels(ks), any = 0;
  for (int i = 0; i < n; i++) any |= ks[i].runnable;
  if (!any) SKIP("no AVX2 on this CPU");
  wgt_rng r = {wgt_seed() ^ 0xa5a5};
  int runs = 0;
  for (int mr = 1; mr <= 16; mr++)
    for (int64_t k = 1; k <= 70; k += (k < 40 ? 1 : 7)) {
      int rows = (int)wgt_range(&r, 1, mr);
      int64_t ldw = k + wgt_range(&r, 0, 5);
      size_t bytes = (size_t)((k + 3) * mr * 2) + 64;
      int8_t *w = malloc((size_t)(rows * ldw));
      uint8_t *a = malloc(bytes), *b = malloc(bytes);
      CHECK(w && a && b, "memory");
      for (int64_t i = 0; i < rows * ldw; i++) w[i] = (int8_t)wgt_next(&r);
      for (int q = 0; q < 2; q++) {
        memset(a, 0x5a, bytes);
        memset(b, 0x5a, bytes);
        if (q) {
          wg_avx2_pack_a_pairs16(w, ldw, rows, k, mr, (int16_t *)(void *)a);
          wg_pack_a_pairs16(w, ldw, rows, k, mr, (int16_t *)(void *)b);
        } else {
          wg_avx2_pack_a_quads(w, ldw, rows, k, mr, (int8_t *)a);
          wg_pack_a_quads(w, ldw, rows, k, mr, (int8_t *)b);
        }
        int ok = !memcmp(a, b, bytes);
        if (!ok) {
          free(w), free(a), free(b);
          CHECK(0, "%s mr %d rows %d k %lld ldw %lld: AVX2 and portable panels differ",
                q ? "pairs16" : "quads", mr, rows, (long long)k, (long long)ldw);
        }
        runs++;
      }
      free(w), free(a), free(b);
    }
  wgt_count_check(runs);
}
#endif
