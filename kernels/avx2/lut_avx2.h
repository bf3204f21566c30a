/*
 * The run of an AVX2 lookup-table kernel with an 8 x 64 tile (table-row
 * add, docs/lut.md): per depth group one qword of A holds the eight rows'
 * row indices, each scaled so that index * 8 is the byte offset of the
 * row's left 32 columns in the group's table, and the right 32 columns lie
 * `half` bytes further; consecutive groups' tables are `gb` bytes apart.
 * The binary kernels (acc8_binary_x_u8_8x64_lut<G>__avx2) and the ternary
 * acc8_ternary_x_u8_8x64_lut3__avx2 (64-byte rows: half = 32, gb = 1728)
 * use it.
 *
 * Sums between depth blocks are parked as bytes (8 x 64) in the first 512
 * bytes of t->partial, the kernel's own format (kernel.h: the driver seeds
 * partial sums only for INT weights with a zero point, which these kernels
 * do not take).
 */
#ifndef WG_LUT_AVX2_H
#define WG_LUT_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "../core/kernel.h"
#include "../core/pixels8.h"
#include "epilogue_avx2.h"

/* The row adds, in assembly so that the offsets are decoded in general
 * registers and every add takes its row as a memory operand.  The sixteen
 * accumulators (row i: ymm(2i) columns 0-31, ymm(2i+1) 32-63) fill the
 * register file, more than an asm statement takes as operands, so they are
 * named registers, loaded (or zeroed) and stored inside the statement.  Per
 * group one qword holds the eight rows' scaled indices, low byte and high
 * byte of each 16-bit field decoded by movzbl from %al / %ah; the group's
 * table is the displacement.  The loop loads the next two groups' qwords
 * one iteration ahead (past the last, 16 bytes of the weights' 64-byte
 * slack, weights.c): loaded at their use, the first add of each group
 * waited on load -> decode -> row load (12.9% of the run's samples on one
 * instruction, perf on AMD EPYC Zen 3; docs/lut.md). */
#define WG_LUTX_ADD2(idx, disp, A, B)                                        \
  "vpaddb " disp "(%[t],%%" idx ",8), %%ymm" #A ", %%ymm" #A "\n\t"          \
  "vpaddb " disp "+%c[half](%[t],%%" idx ",8), %%ymm" #B ", %%ymm" #B "\n\t"
#define WG_LUTX_ADD1(idx, disp, A, B)                                        \
  "vpaddb " disp "(%[t],%%" idx ",8), %%ymm" #A ", %%ymm" #A "\n\t"
#define WG_LUTX_PAIR(ADD, r, disp, A, B, C, D)                               \
  "movzbl %%" r "l, %%ecx\n\t"                                              \
  "movzbl %%" r "h, %%edx\n\t"                                              \
  ADD("rcx", disp, A, B) ADD("rdx", disp, C, D)
#define WG_LUTX_GROUP(ADD, r, disp)                                          \
  WG_LUTX_PAIR(ADD, r, disp, 0, 1, 2, 3) "shr $16, %%r" r "x\n\t"            \
  WG_LUTX_PAIR(ADD, r, disp, 4, 5, 6, 7) "shr $16, %%r" r "x\n\t"            \
  WG_LUTX_PAIR(ADD, r, disp, 8, 9, 10, 11) "shr $16, %%r" r "x\n\t"          \
  WG_LUTX_PAIR(ADD, r, disp, 12, 13, 14, 15)
#define WG_LUTX_ACC(op, i) op " " #i "*32(%[p]), %%ymm" #i "\n\t"
#define WG_LUTX_ACCS(op)                                                     \
  WG_LUTX_ACC(op, 0) WG_LUTX_ACC(op, 1) WG_LUTX_ACC(op, 2) WG_LUTX_ACC(op, 3)  \
  WG_LUTX_ACC(op, 4) WG_LUTX_ACC(op, 5) WG_LUTX_ACC(op, 6) WG_LUTX_ACC(op, 7)  \
  WG_LUTX_ACC(op, 8) WG_LUTX_ACC(op, 9) WG_LUTX_ACC(op, 10)                    \
  WG_LUTX_ACC(op, 11) WG_LUTX_ACC(op, 12) WG_LUTX_ACC(op, 13)                  \
  WG_LUTX_ACC(op, 14) WG_LUTX_ACC(op, 15)
#define WG_LUTX_ST(i) "vmovdqu %%ymm" #i ", " #i "*32(%[q])\n\t"
#define WG_LUTX_ZERO(i) "vpxor %%xmm" #i ", %%xmm" #i ", %%xmm" #i "\n\t"
/* Accumulators from park (or zero where first), the groups of [w, wend)
 * (an odd group first, then two per iteration), accumulators to out;
 * tab advances gb bytes per group.  GB and HALF: integer constant
 * expressions. */
#define WG_LUTX_LOOP(ADD, TAB, W, WEND, PARK, OUT, FIRST, GB, HALF)          \
  __asm__ volatile(                                                          \
      "test %[first], %[first]\n\t"                                          \
      "jz 5f\n\t"                                                           \
      WG_LUTX_ZERO(0) WG_LUTX_ZERO(1) WG_LUTX_ZERO(2) WG_LUTX_ZERO(3)         \
      WG_LUTX_ZERO(4) WG_LUTX_ZERO(5) WG_LUTX_ZERO(6) WG_LUTX_ZERO(7)         \
      WG_LUTX_ZERO(8) WG_LUTX_ZERO(9) WG_LUTX_ZERO(10) WG_LUTX_ZERO(11)       \
      WG_LUTX_ZERO(12) WG_LUTX_ZERO(13) WG_LUTX_ZERO(14) WG_LUTX_ZERO(15)     \
      "jmp 6f\n\t"                                                          \
      "5:\n\t"                                                              \
      WG_LUTX_ACCS("vmovdqu")                                                \
      "6:\n\t"                                                              \
      "mov %[wend], %%r11\n\t"                                              \
      "sub %[w], %%r11\n\t"                                                 \
      "test $8, %%r11\n\t"                                                  \
      "jz 2f\n\t"                                                           \
      "mov (%[w]), %%rax\n\t"                                               \
      WG_LUTX_GROUP(ADD, "a", "0")                                           \
      "add $8, %[w]\n\t"                                                    \
      "add %[gb], %[t]\n\t"                                                 \
      "2:\n\t"                                                              \
      "cmp %[wend], %[w]\n\t"                                               \
      "je 3f\n\t"                                                           \
      "mov (%[w]), %%rax\n\t"                                               \
      "mov 8(%[w]), %%rbx\n\t"                                              \
      "1:\n\t"                                                              \
      WG_LUTX_GROUP(ADD, "a", "0")                                           \
      "mov 16(%[w]), %%rax\n\t"                                             \
      WG_LUTX_GROUP(ADD, "b", "%c[gb]")                                      \
      "mov 24(%[w]), %%rbx\n\t"                                             \
      "add $16, %[w]\n\t"                                                   \
      "add %[gb2], %[t]\n\t"                                                \
      "cmp %[wend], %[w]\n\t"                                               \
      "jne 1b\n\t"                                                          \
      "3:\n\t"                                                              \
      WG_LUTX_ST(0) WG_LUTX_ST(1) WG_LUTX_ST(2) WG_LUTX_ST(3) WG_LUTX_ST(4)    \
      WG_LUTX_ST(5) WG_LUTX_ST(6) WG_LUTX_ST(7) WG_LUTX_ST(8) WG_LUTX_ST(9)    \
      WG_LUTX_ST(10) WG_LUTX_ST(11) WG_LUTX_ST(12) WG_LUTX_ST(13)             \
      WG_LUTX_ST(14) WG_LUTX_ST(15)                                          \
      : [t] "+r"(TAB), [w] "+r"(W)                                           \
      : [wend] "r"(WEND), [p] "r"(PARK), [q] "r"(OUT), [first] "r"(FIRST),   \
        [gb] "i"(GB), [gb2] "i"(2 * (GB)), [half] "i"(HALF)                  \
      : "rax", "rbx", "rcx", "rdx", "r11", "xmm0", "xmm1", "xmm2", "xmm3",    \
        "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",      \
        "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory")

/* Tile t of an 8 x 64 kernel whose group tables are GB bytes apart, right
 * halves HALF bytes after the left: the row adds over the depth block, then
 * the sums parked (not last) or finished through the 64-column byte
 * finish, rows 0-5 then 6-7 (it takes at most 6). */
#define WG_LUTX_RUN_8X64(t, GB, HALF)                                              \
  do {                                                                             \
    const uint8_t *park_ = (const uint8_t *)(t)->partial;                          \
    _Alignas(32) uint8_t sums_[8 * 64];                                            \
    uint8_t *out_ = (t)->last ? sums_ : (uint8_t *)(t)->partial;                   \
    const uint8_t *tab_ = (t)->b, *w_ = (t)->a;                                    \
    const uint8_t *wend_ = w_ + 8 * (t)->kgroups;                                  \
    int64_t first_ = (t)->first;                                                   \
    /* This panel's weights of the next depth block, into L2 (consecutive       \
     * tiles read weights a panel apart; past the last block this reads the     \
     * next panel or the 64 bytes of slack behind the last, kernel.h). */       \
    _mm_prefetch((const char *)wend_, _MM_HINT_T1);                                \
    _mm_prefetch((const char *)wend_ + 127, _MM_HINT_T1);                          \
    if ((t)->cols <= 32)                                                           \
      WG_LUTX_LOOP(WG_LUTX_ADD1, tab_, w_, wend_, park_, out_, first_, GB, HALF);  \
    else                                                                           \
      WG_LUTX_LOOP(WG_LUTX_ADD2, tab_, w_, wend_, park_, out_, first_, GB, HALF);  \
    if ((t)->last) wg_avx2_lut_finish_8x64(t, sums_);                              \
  } while (0)

/* Pixel-major (NHWC) int8 output, or uint8 requantized through float, of
 * the 8 x 64 tile, a pixel's channels contiguous (ys_m = 1): per 32
 * columns the 8 rows' output bytes (wg_avx2_row_out32) transposed into
 * 32 qwords of 8 channels and stored one per pixel (core/pixels8.h; rows
 * < 8: `rows` bytes).  Through the 6 x 16 finish this widened the bytes to 32-bit
 * lanes and stored element by element (docs/lut.md, "NHWC through shifted
 * images"). */
static inline int wg_avx2_lut_pixels_ok(const wg_tile *t) {
  return wg_epi_in_bytes(t->epi) && t->ys_m == 1 && t->ys_n != 1;
}

#define WG_AVX2_STORE_Q(row, v) _mm256_store_si256((__m256i *)(void *)(row), v)
static inline void wg_avx2_lut_finish_pixels(const wg_tile *t, const uint8_t *sums) {
  const wg_epi *e = t->epi;
  wg_avx2_epi ce;
  wg_avx2_epi_init(&ce, e);
  const __m256i mask = _mm256_set1_epi8((char)((1u << e->b) - 1));
  const __m256i sb = _mm256_set1_epi8((char)(1u << (e->b - 1)));
  int8_t *y = (int8_t *)t->y;
  for (int j = 0; j < t->cols; j += 32) {
    __m256i r[8];
    for (int i = 0; i < 8; i++)
      r[i] = i < t->rows ? wg_avx2_row_out32(&ce, t->m0 + i,
                                             _mm256_load_si256((const __m256i *)(sums + 64 * i + j)),
                                             mask, sb)
                         : _mm256_setzero_si256();
    _Alignas(32) uint64_t px[8][4];
    WG_PIXELS8_TRANSPOSE(__m256i, r, px, _mm256_unpacklo_epi8, _mm256_unpackhi_epi8,
                         _mm256_unpacklo_epi16, _mm256_unpackhi_epi16, _mm256_unpacklo_epi32,
                         _mm256_unpackhi_epi32, WG_AVX2_STORE_Q);
    wg_store_pixel_runs(&px[0][0], 4, t->cols - j < 32 ? t->cols - j : 32, t->rows,
                        (char *)y + (size_t)(j * t->ys_n), t->ys_n);
  }
}
#undef WG_AVX2_STORE_Q

static inline void wg_avx2_lut_finish_8x64(const wg_tile *t, const uint8_t *sums) {
  if (wg_avx2_lut_pixels_ok(t)) {
    wg_avx2_lut_finish_pixels(t, sums);
    return;
  }
  size_t es = wg_output_size(t->epi->output);
  const __m256i z = _mm256_setzero_si256();
  for (int r0 = 0; r0 < t->rows; r0 += 6) {
    __m256i c[6][2];
    for (int i = 0; i < 6; i++)
      for (int h = 0; h < 2; h++)
        c[i][h] = r0 + i < 8 ? _mm256_load_si256((const __m256i *)(sums + 64 * (r0 + i) + 32 * h))
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

#endif /* WG_LUT_AVX2_H */
