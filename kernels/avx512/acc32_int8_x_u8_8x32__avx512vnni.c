/* int8, ternary and binary weights x uint8 activations, 32-bit lanes:
 * vpdpbusd adds the four products of an activation quad (unsigned bytes)
 * and a broadcast weight quad (signed bytes) into each 32-bit lane.
 * Serves every b, including 32 (wrap in the epilogue).
 *
 * Eligibility: every operand range (WG_K_ELIGIBLE NULL).  vpdpbusd (not
 * vpdpbusds) computes each product of u8 x s8 exactly (|x*w| <= 255*128 =
 * 32640), sums the four and the lane at full precision and keeps the low
 * 32 bits: nothing saturates, the lane is the exact sum modulo 2^32, for
 * every weight code in [-128, 127] and activation code in [0, 255] (padding
 * and zero-point codes included).  Hence the sums are congruent to z modulo
 * 2^32 and wrap_b in the epilogue is exact for every b <= 32.
 *
 * Tile 8 x 32: each row is two zmm accumulators of 16 columns (16
 * registers), each depth group two B loads and eight weight broadcasts for
 * sixteen vpdpbusd; 8 rows divide every Table 7 layer's M.  (Register-only
 * ceilings and the speed targets: docs/avx512.md; no AVX-512 CPU measured
 * this tile yet.) */
#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "epilogue_avx512.h"
#include "pack_avx512.h"
#include "../portable/pack_a_groups_c.h"
#include "simd_avx512.h"

#define WG_K_STEM acc32_int8_x_u8_8x32__avx512vnni
#define WG_K_CPU (WG_CPU_AVX512BW | WG_CPU_AVX512VNNI)
#define WG_K_LANES 32
#define WG_K_MR 8
#define WG_K_NR WG_AVX512_QUAD_NR
#define WG_K_KU 4
/* A 72 KiB B panel per depth block, as the AVX2 kernels' (docs/avx2.md). */
#define WG_K_KC WG_AVX512_QUAD_MAX_KC
#define WG_K_NC 512
#define WG_K_A_GROUP (4 * WG_K_MR)
#define WG_K_B_GROUP (4 * WG_K_NR)
#define WG_K_ELIGIBLE NULL

/* Row i's weight quad broadcast, times the two B registers. */
#define WG_VN_ROW(i)                                            \
  {                                                             \
    int32_t q;                                                  \
    memcpy(&q, a + 4 * (i), 4);                                 \
    __m512i w = _mm512_set1_epi32(q);                           \
    c##i##0 = _mm512_dpbusd_epi32(c##i##0, b0, w);              \
    c##i##1 = _mm512_dpbusd_epi32(c##i##1, b1, w);              \
  }
/* X(i) for the eight rows. */
#define WG_VN_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define WG_VN_STORE(i)                                          \
  _mm512_storeu_si512((void *)acc[i], c##i##0);                 \
  _mm512_storeu_si512((void *)(acc[i] + 16), c##i##1);
/* The 8 x 32 sums into acc[8][32]. */
#define WG_VN_STORE_ALL WG_VN_ROWS(WG_VN_STORE)

/* The sixteen accumulators are named variables, not an array: GCC kept an
 * array of them in registers only with a copy of each per iteration and a
 * spill (objdump, 60 instructions for 16 vpdpbusd); named, the loop is the
 * 2 loads, 8 broadcasts and 16 vpdpbusd and its counter. */
static void WG_K_FN(run)(const wg_tile *t) {
  __m512i c00 = _mm512_setzero_si512(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
          c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00,
          c60 = c00, c61 = c00, c70 = c00, c71 = c00;
  const int8_t *a = (const int8_t *)t->a;
  const uint8_t *b = (const uint8_t *)t->b;
  for (int64_t g = 0; g < t->kgroups; g++, a += WG_K_A_GROUP, b += WG_K_B_GROUP) {
    __m512i b0 = _mm512_loadu_si512((const void *)b);
    __m512i b1 = _mm512_loadu_si512((const void *)(b + 64));
    WG_VN_ROWS(WG_VN_ROW)
  }
  _Alignas(64) uint32_t acc[WG_K_MR][WG_K_NR];
  WG_VN_STORE_ALL
  wg512_finish_tile(t, &acc[0][0], WG_K_NR, WG_K_NR);
}

/* Direct convolution (kernel.h wg_dtile): rows are 8 output pixels, the
 * two registers of a row 32 output channels; per depth group each pixel's
 * four channels are broadcast straight from the input through its pointer
 * for the tap (the unsigned operand of vpdpbusd, as in the GEMM) and the
 * weights are loaded from the channel panel (the signed operand).  Same
 * loop as the GEMM's; taps outer, channel quads inner (OHWI depth).  The
 * sums are then turned channel-major (one scalar transpose per tile) and
 * finished by the GEMM epilogue with channels as its rows, so every output
 * kind is finished here (wg_direct.epi_ok accepts all). */
static void WG_K_FN(direct_run)(const wg_dtile *t) {
  __m512i c00 = _mm512_setzero_si512(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
          c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00,
          c60 = c00, c61 = c00, c70 = c00, c71 = c00;
  const int8_t *wp = (const int8_t *)t->w;
  for (int64_t tap = 0; tap < t->taps; tap++) {
    const uint8_t *const *px = t->pix + tap * WG_K_MR;
    for (int64_t ch = 0; ch < t->channels; ch += 4, wp += WG_K_B_GROUP) {
      __m512i b0 = _mm512_loadu_si512((const void *)wp);
      __m512i b1 = _mm512_loadu_si512((const void *)(wp + 64));
#define WG_VN_PIX(i)                                            \
  {                                                             \
    int32_t q;                                                  \
    memcpy(&q, px[i] + ch, 4);                                  \
    __m512i x = _mm512_set1_epi32(q);                           \
    c##i##0 = _mm512_dpbusd_epi32(c##i##0, x, b0);              \
    c##i##1 = _mm512_dpbusd_epi32(c##i##1, x, b1);              \
  }
      WG_VN_ROWS(WG_VN_PIX)
#undef WG_VN_PIX
    }
  }
  _Alignas(64) uint32_t acc[WG_K_MR][WG_K_NR];
  WG_VN_STORE_ALL
  /* channel j, pixel i at by_channel[j][i]; 16 lanes a row */
  _Alignas(64) uint32_t by_channel[WG_K_NR][16];
  memset(by_channel, 0, sizeof by_channel);
  for (int i = 0; i < WG_K_MR; i++)
    for (int j = 0; j < WG_K_NR; j++) by_channel[j][i] = acc[i][j];
  wg_tile f = {.first = 1, .last = 1, .partial = NULL, .epi = t->epi, .m0 = t->oc0,
               .rows = t->ocs, .cols = t->pixels, .y = t->y, .ys_m = 1, .ys_n = t->ys_pix};
  wg512_finish_tile(&f, &by_channel[0][0], 16, 16);
}
#undef WG_VN_ROW
#undef WG_VN_STORE
#undef WG_VN_STORE_ALL
#undef WG_VN_ROWS

static int WG_K_FN(direct_epi_ok)(const wg_epi *e) {
  (void)e;
  return 1;
}

static const wg_direct WG_K_FN(direct) = {
    .mr = WG_K_MR, .nr = WG_K_NR, .ku = 4,
    .w_group_bytes = WG_K_B_GROUP,
    /* as deep as the AVX2 kernels' (no depth blocks here: 32-bit lanes
     * need none, the bound only keeps the table and panels of one tile
     * small) */
    .max_depth = 4608,
    .pack_w = wg_avx512_pack_w_quads32,
    .epi_ok = WG_K_FN(direct_epi_ok),
    .run = WG_K_FN(direct_run),
    .to_pixels = wg_avx512_channels_to_pixels,
    .to_channels = wg_avx512_pixels_to_channels,
};
#define WG_K_DIRECT &WG_K_FN(direct)

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_pack_a_quads(w, ldw, rows, k, WG_K_MR, dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  wg_avx512_pack_b_quads32(src, k0, kgroups, n0, cols, dst);
}

#include "../core/kernel_def.h"
