/*
 * Ternary/binary weights x uint8 activations, 8-bit wrapping lanes, by
 * table-row adds (issue 18; design, proof and measurements: docs/lut.md).
 * Serves b <= 8.
 *
 * Lanes are columns (pixels).  For a group of 3 depths k..k+2 and a panel
 * of 64 columns, pack_b builds the 27 rows
 *
 *   T[r][j] = w0 x[k][j] + w1 x[k+1][j] + w2 x[k+2][j]   (mod 2^8, bytes)
 *   r = (w0+1) + 3(w1+1) + 9(w2+1),  w in {-1, 0, +1}^3
 *
 * once; each output row then adds, per group, the one row its 3 weights
 * select (pack_a stores r * 8, the scaled index of the row's 64 bytes): one
 * vpaddb per 3 depths x 32 columns, where sign+add needs 3.  Every step is
 * an addition in Z/256 (vpaddb/vpsubb wrap), so the sums are exact modulo
 * 2^8, which is all lane_bits = 8 promises.  The tables hold codes, not
 * x - zx: the epilogue's zx * rowsum correction is exact modulo 2^32, hence
 * modulo 2^8.  Depth past K reads as anything: its weights are 0, so no row
 * r selects it.  Rows past M select row 13 (0, 0, 0), which is zero.
 *
 * Packed layouts (KU = 3 depths per group):
 *
 *   A group, 8 rows:      r0*8 r1*8 ... r7*8           (8 bytes: one qword)
 *   B group, 64 columns:  row  0: 64 bytes  (-x0 -x1 -x2)
 *                         row  1: 64 bytes  (    -x1 -x2)
 *                         ...
 *                         row 13: 64 zeros
 *                         ...
 *                         row 26: 64 bytes  (+x0 +x1 +x2)     1728 bytes
 *
 * A panel of at most 32 columns builds and adds the left 32 bytes of each
 * row only (N = 196 leaves 4 columns).
 *
 * Blocks: kc = 48 depths (16 groups, a 27 KiB table per panel: L1) and
 * nc = 256: pack_b_block builds four panels' tables per depth block from
 * one fetch of their rows (NCHW convolutions assemble their shifted images
 * once per 256 columns: 1.15x against 0.89x at M = 64, docs/lut.md), and
 * the driver's loop (depth block, pack, then per panel all row panels) adds
 * each panel's table from L1.  Eight rows (16 accumulators, the whole
 * register file) against four: 5-15% faster on the Table 7 GEMMs
 * (per-tile costs: the driver's call, the parked sums, the first weight
 * load).  Sums between depth
 * blocks are parked as bytes (8 x 64) in the first 512 bytes of
 * t->partial, the kernel's own format (kernel.h; the driver seeds partial
 * sums only for INT weights with a zero point, never served here).
 *
 * Dispatch: listed before acc8_ternary_x_u8_6x16__avx2 and chosen
 * automatically from M = 128 rows: below, building the tables (26 row
 * stores per 3 depths and 32 columns) costs more than the row adds save
 * (64 x 3136 x 576: 0.85-1.0x the sign+add kernel; 128 rows and up:
 * GEMMs 1.2-1.65x, NCHW convolutions 1.15-1.3x; NHWC convolutions lose
 * below 512 rows, which dispatch cannot see: docs/lut.md).
 */
#include <immintrin.h>
#include <string.h>

#include "../core/bsrc.h"
#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "../core/lut3.h"
#include "eligible_avx2.h"
#include "epilogue_avx2.h"
#include "pack_avx2.h"

#define WG_K_STEM acc8_ternary_x_u8_8x64_lut3__avx2
#define WG_K_CPU WG_CPU_AVX2
#define WG_K_LANES 8
#define WG_K_MR 8
#define WG_K_NR 64
#define WG_K_KU 3
#define WG_K_KC 48
#define WG_K_NC 256
#define WG_K_A_GROUP 8
#define WG_K_B_GROUP (27 * 64)
/* Only weights in {-1, 0, +1} select a row; the rest are additions that
 * wrap (eligible_avx2.c: the sign+add kernel's operand set). */
#define WG_K_ELIGIBLE wg_avx2_eligible_sign8
#define WG_K_AUTO_MIN_M 128
/* NHWC convolutions: the sign+add kernel's direct path wins up to M = 256
 * (docs/lut.md: 0.74-0.89x at M = 128-256, 1.14x at 512). */
#define WG_K_AUTO_MIN_M_NHWC 512

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  uint8_t *d = dst;
  for (int64_t g = 0; g < (k + 2) / 3; g++)
    for (int i = 0; i < WG_K_MR; i++) *d++ = (uint8_t)(wg_lut3_row(w, ldw, i, rows, g, k) * 8);
}

/* The 27 rows of one group for `halves` x 32 columns at t (rows 64 bytes
 * apart), from the three depth rows x0, x1, x2: three levels, {-x0, 0, x0},
 * then -/0/+ x1, then -/0/+ x2; 26 additions or subtractions and 27 stores
 * per 32 columns. */
static inline void WG_K_FN(build_group)(const uint8_t *x0, const uint8_t *x1, const uint8_t *x2,
                                        uint8_t *t, int halves) {
#define WG_L3_ST(i, v) _mm256_store_si256((__m256i *)(th + (i) * 64), v)
#define WG_L3_LEVEL3(i, v)                  \
  WG_L3_ST(i, _mm256_sub_epi8(v, d2));      \
  WG_L3_ST(9 + (i), v);                     \
  WG_L3_ST(18 + (i), _mm256_add_epi8(v, d2))
  const __m256i zero = _mm256_setzero_si256();
  for (int h = 0; h < halves; h++) {
    __m256i d0 = _mm256_loadu_si256((const __m256i *)(x0 + 32 * h));
    __m256i d1 = _mm256_loadu_si256((const __m256i *)(x1 + 32 * h));
    __m256i d2 = _mm256_loadu_si256((const __m256i *)(x2 + 32 * h));
    __m256i n0 = _mm256_sub_epi8(zero, d0);
    uint8_t *th = t + 32 * h;
    WG_LUT3_NINE(WG_L3_LEVEL3, _mm256_add_epi8, _mm256_sub_epi8, zero, d0, d1, n0);
  }
#undef WG_L3_LEVEL3
#undef WG_L3_ST
}

/* One group's tables for every panel of a block from the group's three rows
 * (wg_avx2_rows_apply): a ragged last panel reads its rows through copies
 * whose bytes past its columns are zero (their sums are never stored). */
typedef struct WG_K_FN(tables) {
  uint8_t *dst;
  int64_t cols;
  size_t panel_bytes;
  _Alignas(32) uint8_t tmp[3][WG_K_NR];
} WG_K_FN(tables);

static void WG_K_FN(table)(const uint8_t *const r[4], int64_t g, void *arg) {
  WG_K_FN(tables) *c = arg;
  for (int64_t j = 0; j < c->cols; j += WG_K_NR) {
    int pc = (int)(c->cols - j < WG_K_NR ? c->cols - j : WG_K_NR);
    const uint8_t *x[3] = {r[0] + j, r[1] + j, r[2] + j};
    if (pc < WG_K_NR)
      for (int q = 0; q < 3; q++) x[q] = memcpy(c->tmp[q], x[q], (size_t)pc);
    WG_K_FN(build_group)(x[0], x[1], x[2],
                         c->dst + (size_t)(j / WG_K_NR) * c->panel_bytes + g * WG_K_B_GROUP,
                         pc <= 32 ? 1 : 2);
  }
}

/* The tables of groups [0, kgroups) from depth k0 for the panels of
 * columns n0 .. n0+cols (cols <= nc), from the AVX2 row sources
 * (pack_avx2.h: plain rows in place, NCHW rows from shifted images, whose
 * assembly is paid once per block rather than once per panel).  For plain
 * matrices the next depth block's rows are prefetched (ldx apart, which
 * the hardware prefetcher follows poorly: the first Table 7 layer's build
 * ran 3x slower without, docs/lut.md), to arrive while the row panels add
 * this block. */
static void WG_K_FN(pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                                  int64_t cols, void *dst) {
  WG_K_FN(tables) c = {.dst = dst, .cols = cols, .panel_bytes = kgroups * WG_K_B_GROUP};
  memset(c.tmp, 0, sizeof c.tmp);
  if (!wg_bsrc_plain(src) && !(src->is_conv && src->layout == WG_NCHW)) {
    /* Sources read by columns (NHWC convolutions: a pixel's channels are a
     * run in place; X stored N x K): the block's column runs, transposed
     * into rows 16 x 16 bytes at a time (pack_avx2.h), then the tables. */
    int64_t depth = 3 * kgroups;
    _Alignas(32) uint8_t runs[WG_K_NC * WG_K_KC], rows[WG_K_KC][WG_K_NC];
    for (int j = 0; j < cols; j++) {
      uint8_t *run = runs + j * depth;
      const uint8_t *p = wg_bsrc_col(src, n0 + j, k0, depth, run);
      if (p != run) memcpy(run, p, (size_t)depth);
    }
    wg_avx2_pixels_to_channels(runs, depth, cols, depth, rows[0], WG_K_NC);
    for (int64_t g = 0; g < kgroups; g++) {
      const uint8_t *r[4] = {rows[3 * g], rows[3 * g + 1], rows[3 * g + 2], NULL};
      WG_K_FN(table)(r, g, &c);
    }
    return;
  }
  wg_avx2_rows_apply(src, k0, kgroups, 3, n0, cols, WG_K_FN(table), &c);
  if (wg_bsrc_plain(src))
    for (int64_t k = k0 + 3 * kgroups; k < k0 + 6 * kgroups && k < src->k; k++) {
      const char *row = (const char *)(src->x + k * src->ldx + n0);
      for (int64_t j = 0; j < cols; j += 64) _mm_prefetch(row + j, _MM_HINT_T0);
      _mm_prefetch(row + cols - 1, _MM_HINT_T0); /* a row may straddle lines */
    }
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  WG_K_FN(pack_b_block)(src, k0, kgroups, n0, cols, dst);
}
#define WG_K_PACK_B_BLOCK WG_K_FN(pack_b_block)

/* The row adds, in assembly so that the offsets are decoded in general
 * registers and every add takes its row as a memory operand.  The sixteen
 * accumulators (row i: ymm(2i) columns 0-31, ymm(2i+1) 32-63) fill the
 * register file, more than an asm statement takes as operands, so they are
 * named registers, loaded (or zeroed) and stored inside the statement.  Per
 * group one qword holds the eight rows' scaled indices, low byte and high
 * byte of each 16-bit field decoded by movzbl from %al / %ah; the group's
 * table is the displacement. */
#define WG_L3_ADD2(idx, disp, A, B)                                          \
  "vpaddb " disp "(%[t],%%" idx ",8), %%ymm" #A ", %%ymm" #A "\n\t"          \
  "vpaddb " disp "+32(%[t],%%" idx ",8), %%ymm" #B ", %%ymm" #B "\n\t"
#define WG_L3_ADD1(idx, disp, A, B)                                          \
  "vpaddb " disp "(%[t],%%" idx ",8), %%ymm" #A ", %%ymm" #A "\n\t"
#define WG_L3_PAIR(ADD, r, disp, A, B, C, D)                                 \
  "movzbl %%" r "l, %%ecx\n\t"                                              \
  "movzbl %%" r "h, %%edx\n\t"                                              \
  ADD("rcx", disp, A, B) ADD("rdx", disp, C, D)
#define WG_L3_GROUP(ADD, r, disp)                                            \
  WG_L3_PAIR(ADD, r, disp, 0, 1, 2, 3) "shr $16, %%r" r "x\n\t"              \
  WG_L3_PAIR(ADD, r, disp, 4, 5, 6, 7) "shr $16, %%r" r "x\n\t"              \
  WG_L3_PAIR(ADD, r, disp, 8, 9, 10, 11) "shr $16, %%r" r "x\n\t"            \
  WG_L3_PAIR(ADD, r, disp, 12, 13, 14, 15)
#define WG_L3_ACC(op, i) op " " #i "*32(%[p]), %%ymm" #i "\n\t"
#define WG_L3_ACCS(op)                                                       \
  WG_L3_ACC(op, 0) WG_L3_ACC(op, 1) WG_L3_ACC(op, 2) WG_L3_ACC(op, 3)          \
  WG_L3_ACC(op, 4) WG_L3_ACC(op, 5) WG_L3_ACC(op, 6) WG_L3_ACC(op, 7)          \
  WG_L3_ACC(op, 8) WG_L3_ACC(op, 9) WG_L3_ACC(op, 10) WG_L3_ACC(op, 11)        \
  WG_L3_ACC(op, 12) WG_L3_ACC(op, 13) WG_L3_ACC(op, 14) WG_L3_ACC(op, 15)
#define WG_L3_ST(i) "vmovdqu %%ymm" #i ", " #i "*32(%[q])\n\t"
#define WG_L3_ZERO(i) "vpxor %%xmm" #i ", %%xmm" #i ", %%xmm" #i "\n\t"
/* Accumulators from p (or zero where first), kgroups groups (an odd group
 * first, then two per iteration), accumulators to q. */
#define WG_L3_LOOP(ADD)                                                      \
  __asm__ volatile(                                                          \
      "test %[first], %[first]\n\t"                                          \
      "jz 5f\n\t"                                                           \
      WG_L3_ZERO(0) WG_L3_ZERO(1) WG_L3_ZERO(2) WG_L3_ZERO(3) WG_L3_ZERO(4)    \
      WG_L3_ZERO(5) WG_L3_ZERO(6) WG_L3_ZERO(7) WG_L3_ZERO(8) WG_L3_ZERO(9)    \
      WG_L3_ZERO(10) WG_L3_ZERO(11) WG_L3_ZERO(12) WG_L3_ZERO(13)             \
      WG_L3_ZERO(14) WG_L3_ZERO(15)                                          \
      "jmp 6f\n\t"                                                          \
      "5:\n\t"                                                              \
      WG_L3_ACCS("vmovdqu")                                                  \
      "6:\n\t"                                                              \
      "mov %[wend], %%r11\n\t"                                              \
      "sub %[w], %%r11\n\t"                                                 \
      "test $8, %%r11\n\t"                                                  \
      "jz 2f\n\t"                                                           \
      "mov (%[w]), %%rax\n\t"                                               \
      WG_L3_GROUP(ADD, "a", "0")                                             \
      "add $8, %[w]\n\t"                                                    \
      "add $1728, %[t]\n\t"                                                 \
      "2:\n\t"                                                              \
      "cmp %[wend], %[w]\n\t"                                               \
      "je 3f\n\t"                                                           \
      "1:\n\t"                                                              \
      "mov (%[w]), %%rax\n\t"                                               \
      "mov 8(%[w]), %%rbx\n\t"                                              \
      WG_L3_GROUP(ADD, "a", "0") WG_L3_GROUP(ADD, "b", "1728")                \
      "add $16, %[w]\n\t"                                                   \
      "add $3456, %[t]\n\t"                                                 \
      "cmp %[wend], %[w]\n\t"                                               \
      "jne 1b\n\t"                                                          \
      "3:\n\t"                                                              \
      WG_L3_ST(0) WG_L3_ST(1) WG_L3_ST(2) WG_L3_ST(3) WG_L3_ST(4) WG_L3_ST(5)  \
      WG_L3_ST(6) WG_L3_ST(7) WG_L3_ST(8) WG_L3_ST(9) WG_L3_ST(10)             \
      WG_L3_ST(11) WG_L3_ST(12) WG_L3_ST(13) WG_L3_ST(14) WG_L3_ST(15)         \
      : [t] "+r"(tab), [w] "+r"(w)                                           \
      : [wend] "r"(wend), [p] "r"(park), [q] "r"(out), [first] "r"(first)    \
      : "rax", "rbx", "rcx", "rdx", "r11", "xmm0", "xmm1", "xmm2", "xmm3",    \
        "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",      \
        "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory")

static void WG_K_FN(run)(const wg_tile *t) {
  /* Sums between depth blocks: MR rows x 64 bytes in t->partial. */
  const uint8_t *park = (const uint8_t *)t->partial;
  _Alignas(32) uint8_t sums[WG_K_MR * 64];
  uint8_t *out = t->last ? sums : (uint8_t *)t->partial;
  const uint8_t *tab = t->b, *w = t->a;
  const uint8_t *wend = w + WG_K_A_GROUP * t->kgroups;
  int64_t first = t->first;
  /* This panel's weights of the next depth block, into L2: the driver runs
   * every row panel on a block, so consecutive tiles read weights a panel
   * (K/3 * MR bytes) apart, a stream the hardware prefetcher missed (the
   * first load of the loop stalled for 20% of 512x49x4608, perf).  Past the
   * last block this reads into the next panel or the 64 bytes of slack
   * behind the last (kernel.h), where a prefetch is harmless anyway. */
  _mm_prefetch((const char *)wend, _MM_HINT_T1);
  _mm_prefetch((const char *)wend + 127, _MM_HINT_T1);
  if (t->cols <= 32)
    WG_L3_LOOP(WG_L3_ADD1);
  else
    WG_L3_LOOP(WG_L3_ADD2);
  if (!t->last) return;
  /* Rows 0-5, then 6-7, through the 64-column byte finish (at most 6 rows). */
  size_t es = wg_output_size(t->epi->output);
  const __m256i z = _mm256_setzero_si256();
  for (int r0 = 0; r0 < t->rows; r0 += 6) {
    __m256i c[6][2];
    for (int i = 0; i < 6; i++)
      for (int h = 0; h < 2; h++)
        c[i][h] = r0 + i < WG_K_MR
                      ? _mm256_load_si256((const __m256i *)(sums + 64 * (r0 + i) + 32 * h))
                      : z;
    const wg_rtile rows = {.epi = t->epi,
                           .m0 = t->m0 + r0,
                           .rows = t->rows - r0 < 6 ? t->rows - r0 : 6,
                           .y = (char *)t->y + (size_t)(r0 * t->ys_m) * es,
                           .ys_m = t->ys_m,
                           .ys_n = t->ys_n};
    wg_avx2_finish_bytes64(&rows, t->cols, c);
  }
}

#undef WG_L3_ADD2
#undef WG_L3_ADD1
#undef WG_L3_GROUP
#undef WG_L3_PAIR
#undef WG_L3_ACC
#undef WG_L3_ACCS
#undef WG_L3_ST
#undef WG_L3_ZERO
#undef WG_L3_LOOP

#include "../core/kernel_def.h"
