/*
 * The micro-kernel contract.  Every kernel of every ISA is one entry of type
 * wg_kernel; the driver (driver.c) owns the cache-blocking loops, packing
 * calls, threads and edge handling, and a kernel only supplies:
 *
 *   pack_a   one MR-row panel of weights, full depth, packed once per
 *            wg_weights (weights.c);
 *   pack_b   one NR-column panel of activations for a depth block, packed
 *            per call straight from the source matrix or convolution input
 *            (bsrc.h: implicit im2col);
 *   run      MR x NR outputs over one depth block, then either park the
 *            partial sums or finish them through the epilogue.
 *
 * Packed layout (K rounded up to KU, the kernel's depth unroll):
 *
 *   A panel (rows m0 .. m0+MR-1):       B panel (columns n0 .. n0+NR-1):
 *   +-----------+-----------+---        +-----------+-----------+---
 *   | k-group 0 | k-group 1 | ...       | k-group 0 | k-group 1 | ...
 *   +-----------+-----------+---        +-----------+-----------+---
 *    a_group_bytes each                  b_group_bytes each
 *
 * What a group holds is the kernel's own business (row-major MR x KU bytes,
 * sign masks, bit-packed lanes...); the driver only needs the group sizes to
 * find depth k0 (a multiple of KU) at byte (k0 / KU) * group_bytes.  Rows
 * past M and columns past N are packed as zeros (weights) and as
 * anything-finite (activations): padding never reaches a stored output.
 * Depth past K is packed as zero weights, so it adds nothing.
 *
 * A kernel reads only inside its packed panels and writes only the
 * rows x cols of the output it is given (tests surround every buffer with
 * guard bytes).
 *
 * Lanes: a kernel accumulates in lane_bits-wide lanes that wrap (never
 * saturate) and returns sums congruent to the exact z modulo 2^lane_bits.
 * Since wrap_b(wrap_L(z)) = wrap_b(z) for L >= b, it may serve any
 * acc_bits <= lane_bits (dispatch.c checks that).  `eligible` states the
 * operand ranges for which the kernel's instructions provably cannot
 * saturate, or is NULL where none can; every other problem goes to another
 * kernel.
 *
 * A kernel file states these fields once, as template parameters, and
 * kernel_def.h writes its wg_kernel (docs/adding-a-kernel.md).
 */
#ifndef WG_KERNEL_H
#define WG_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"
#include "wrapgemm.h"

/* What a call asks for, reduced to what kernel eligibility depends on. */
typedef struct wg_problem {
  wg_weight_format wformat;
  int wbits;       /* code width: 2..8 for INT, 2 for ternary, 1 for binary */
  int wmin, wmax;  /* the actual smallest / largest weight code            */
  int abits;       /* activation code width (codes < 2^abits)              */
  int acc_bits;    /* b                                                    */
  int conv_nhwc;   /* 1: an NHWC convolution (auto_min_m_nhwc applies)     */
} wg_problem;

/* The epilogue of one call, resolved: per-row data already offset to m = 0. */
typedef struct wg_epi {
  int b;
  wg_cyclic cyclic;
  int slope;
  wg_output_kind output;
  int relu, qmax, out_zp;
  const float *scale, *bias;
  const int32_t *mult, *shift, *qbias;
  const int32_t *rowsum;  /* sum_k W[m,k]: zero-point correction */
  uint32_t zx;
} wg_epi;

/* Whether an epilogue can be computed in byte lanes from sums kept modulo
 * 2^8 (the x86 byte finishes; epilogue_avx2.h, at wg_avx2_rows_act, has why
 * each step is exact): b <= 8, int8 outputs or uint8 ones requantized
 * through float (not after abs: |a| = 128 at b = 8 has no int8 form), and
 * smooth cyclic activations of slope 1 or 2 only. */
static inline int wg_epi_in_bytes(const wg_epi *e) {
  return (e->output == WG_OUTPUT_INT8 ||
          (e->output == WG_OUTPUT_UINT8_FLOAT && e->cyclic != WG_CYCLIC_ABS)) &&
         e->b <= 8 && (e->cyclic != WG_CYCLIC_SMOOTH || e->slope == 1 || e->slope == 2);
}

/* Where the activation matrix B (K x N) comes from (bsrc.c). */
typedef struct wg_bsrc wg_bsrc;

/* One micro-kernel call. */
typedef struct wg_tile {
  int64_t kgroups;        /* depth of this block in units of KU            */
  const void *a, *b;      /* packed panels, already at this depth block    */
  int first, last;        /* first / last depth block of the output tile;
                             first is 0 on the first block too when the
                             driver starts the tile from partial (weights
                             with a zero point: colsum.c)                   */
  uint32_t *partial;      /* MR x NR, row stride NR: the sums so far
                             between depth blocks (read unless first,
                             written unless last).  wg_tile_finish parks
                             uint32 sums; the driver writes them only to
                             seed INT weights' zero-point terms (uint32),
                             so a kernel with byte lanes that serves no
                             INT weights may park MR x NR bytes there (the
                             lookup-table kernel)                           */
  /* used only when last: */
  const wg_epi *epi;
  int64_t m0;             /* first output row (indexes per-row epi data)   */
  int rows, cols;         /* valid part of the tile: 1..MR, 1..NR          */
  void *y;                /* output element (m0, n0)                       */
  int64_t ys_m, ys_n;     /* element strides of y along m and along n      */
} wg_tile;

/* One direct-convolution micro-kernel call (channels a multiple of 4; NCHW
 * input is first turned into pixels, a few rows per task): rows are MR
 * output pixels, columns NR output channels, and nothing
 * is packed per call.  Pixel i's input channels at filter tap t start at
 * pix[t*MR + i] (a pointer into the input image, or to a run of zero-point
 * codes where the tap lies in the padding), so the micro-kernel broadcasts
 * activations straight from the input and loads the weights as vectors.
 * Depth runs tap by tap, channels innermost: k = t*C + c, the OHWI order. */
typedef struct wg_dtile {
  const uint8_t *const *pix; /* taps x MR pointers                          */
  int64_t taps, channels;
  const void *w;             /* the channel panel, whole depth (pack_w)     */
  const wg_epi *epi;
  int64_t oc0;               /* first output channel (per-channel epi data) */
  int pixels, ocs;           /* valid part of the tile: 1..MR, 1..NR        */
  void *y;                   /* output element (first pixel, oc0); a pixel's
                                channels are contiguous (NCHW output goes
                                through a pixel-major scratch: to_channels)  */
  int64_t ys_pix;            /* element stride between pixels               */
} wg_dtile;

typedef struct wg_direct {
  int mr, nr, ku;            /* pixels and channels per tile, depth unroll  */
  size_t w_group_bytes;      /* one depth group of an NR-channel panel      */
  int64_t max_depth;         /* K beyond it goes through implicit im2col    */
  /* Packs output channels [0, rows) (rows <= NR) of w, depth [0, k), into
   * one panel (same contract as wg_kernel.pack_a, NR rows per panel). */
  void (*pack_w)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst);
  /* The epilogues `run` finishes; others go through implicit im2col. */
  int (*epi_ok)(const wg_epi *e);
  void (*run)(const wg_dtile *t);
  /* NCHW, both or neither (NULL: NCHW goes through implicit im2col).
   * to_pixels: dst[p*c + ch] = x[ch*cstride + p] for p < len, ch < c, the
   * input rows a task reads turned into pixels of c channels.
   * to_channels (one-byte outputs): dst[ch*dstride + p] = x[p*pstride + ch]
   * for p < len, ch < c, a task's tiles, stored pixel-major into its
   * scratch, turned into channel rows once per channel panel. */
  void (*to_pixels)(const uint8_t *x, int64_t cstride, int64_t c, int64_t len, uint8_t *dst);
  void (*to_channels)(const uint8_t *x, int64_t pstride, int64_t len, int64_t c, uint8_t *dst,
                      int64_t dstride);
} wg_direct;

/* One call of a kernel's in-place GEMM (wg_kernel.run_rows): B is a plain
 * row-major matrix read where it lies, one depth row at a time, rather
 * than packed.  A register holds 32 columns of one row of B, so a
 * product-accumulate combines one depth of 32 columns; that needs lanes as
 * wide as a product (8-bit lanes, vpsignb), and the packed weights are the
 * kernel's own pack_a panels, read byte by byte (a byte broadcast).  The
 * tile is MR rows by rows_nr columns, all columns valid (the driver gives
 * the columns past the last whole tile to the packing path); the whole
 * depth runs in one call, so there are no partial sums. */
typedef struct wg_rtile {
  int64_t k;                /* depth: rows of B read                        */
  const void *a;            /* the MR-row panel (pack_a), whole depth      */
  const uint8_t *b;         /* B[0, n0]                                    */
  int64_t ldb;              /* B's row stride in bytes                     */
  const wg_epi *epi;
  int64_t m0;               /* first output row                            */
  int rows;                 /* valid rows: 1..MR                           */
  void *y;                  /* output element (m0, n0)                     */
  int64_t ys_m, ys_n;
} wg_rtile;

/* One output row of a depthwise convolution (groups = channels: output
 * channel m reads input channel m / mult only), finished into y: the sums
 * over the taps of W * X, the zero-point code standing in the padding,
 * are taken modulo 2^32 (exact for every b: K = KH*KW taps, so no lane
 * width to respect) and go through the epilogue as any kernel's sums do
 * (the zero-point correction included). */
typedef struct wg_dwrow {
  const wg_bsrc *src;     /* geometry; src->x is this image (NCHW: its
                             C planes; NHWC: pixels src->cs bytes apart) */
  const int8_t *w;        /* the codes tap-major: w[t*m + channel]       */
  int64_t m, mult;        /* output channels (C * mult), the multiplier  */
  int64_t oh;             /* the output row                              */
  int64_t ch;             /* NCHW: the output channel of this row        */
  uint32_t *acc;          /* scratch: OW * m sums (NHWC), OW (NCHW)      */
  const wg_epi *epi;
  void *y;                /* output (oh, 0, channel 0), NCHW (ch, oh, 0)  */
  int64_t ys_m, ys_n;     /* element strides between channels, pixels   */
} wg_dwrow;

typedef struct wg_kernel {
  const char *name;        /* <acc>_<weights>_x_<acts>_<MR>x<NR>__<isa>     */
  uint32_t cpu;            /* WG_CPU_* bits it needs                        */
  int lane_bits;           /* 8, 16 or 32 (7 for buffer-bit SWAR lanes)     */
  int mr, nr, ku;          /* register tile and depth unroll                */
  int64_t kc;              /* depth block (multiple of ku), 0 = whole K     */
  int64_t nc;              /* column block (multiple of nr)                 */
  size_t a_group_bytes, b_group_bytes;
  /* 1 if the kernel's instructions cannot saturate on p's operand ranges;
   * NULL: on none.  b <= lane_bits is not its business (dispatch.c). */
  int (*eligible)(const wg_problem *p);
  /* Packs rows [0, rows) (rows <= MR) of w, depth [0, k), into one panel of
   * ceil(k / ku) groups; w's codes are already validated.  Panels lie one
   * after another, and 64 readable bytes follow the last one: run may load
   * a whole vector at any group's start (weights.c). */
  void (*pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst);
  /* Packs B[k0 .. k0+kgroups*ku) x [n0 .. n0+cols), cols <= NR; depth past
   * K reads as any value (the weights there are zero). */
  void (*pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                 int cols, void *dst);
  /* NULL only for a kernel outside the table (the SWAR carry mode, whose
   * sums are not the contract's: swar_tile.h). */
  void (*run)(const wg_tile *t);
  /* Optional (NULL: the driver calls pack_b panel by panel).  Packs
   * B[k0 .. k0+kgroups*ku) x [n0 .. n0+cols), cols <= nc, as the
   * ceil(cols / nr) consecutive panels pack_b would write one after the
   * other, so that per-row source work (offsets, im2col indexing) is paid
   * once per block rather than once per panel. */
  void (*pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                       int64_t n0, int64_t cols, void *dst);
  /* Optional (NULL: none): the same arithmetic as a direct convolution,
   * with its own weight packing (direct_conv.c). */
  const wg_direct *direct;
  /* Optional (0 / NULL: none): MR x rows_nr tiles of a GEMM whose B is read
   * in place (wg_rtile), for K up to rows_max_depth. */
  int rows_nr;
  int64_t rows_max_depth;
  void (*run_rows)(const wg_rtile *t);
  /* Automatic choice only for weights of at least this many rows (0: any
   * M; forcing by name ignores it): a kernel whose per-block set-up is
   * amortised over the output rows (the lookup-table kernel's tables,
   * measured in docs/lut.md) gives way to the next kernel below it. */
  int64_t auto_min_m;
  /* The same for NHWC convolutions (0: auto_min_m), where the kernels below
   * it read the input pixels in place (the direct path) and so win up to a
   * larger M (docs/lut.md). */
  int64_t auto_min_m_nhwc;
  /* 1: pack_b builds lookup tables (the `lut` kernels, docs/lut.md), a cost
   * paid again by every row range of a column chunk, so the driver keeps
   * the row ranges as few as the threads allow (driver.c few_row_ranges). */
  int tables_b;
  /* 1: pack_b reads NCHW convolution rows through wg_bsrc_row, and the
   * driver gives a call with sh = 1 shifted images of whole channels
   * (bsrc.h, docs/performance.md "Shifted images"); 0: the pack assembles
   * its own (the AVX2 row source, pack_avx2.c, whose per-block images stay
   * in L1: the call's ran them 2-6% slower). */
  int nchw_images;
  /* 1: pack_b reads NHWC convolution rows through wg_bsrc_row or the AVX2
   * row source and gains from shifted images: the driver then runs an NHWC
   * call with sh = 1 as one GEMM per image with them (bsrc.h; the lookup-table
   * kernels, whose packs otherwise gather and transpose pixel runs per
   * block, docs/lut.md "NHWC through shifted images").  0: the pack reads
   * NHWC pixels by columns itself. */
  int nhwc_images;
  /* Optional (NULL: grouped implicit im2col): one row of a depthwise
   * convolution (wg_dwrow). */
  void (*depthwise_row)(const wg_dwrow *t);
} wg_kernel;

/* The kernel table (kernel_table.c), in priority order. */
extern const wg_kernel *const wg_kernels[];
extern const int wg_kernel_table_size;

/* ---- helpers shared by kernels (epilogue.c) ---- */

/* Finishes a tile whose sums the kernel holds as MR x NR uint32 (row stride
 * nr, the kernel's NR): parks them in t->partial unless last, else adds the
 * parked sums and runs the scalar epilogue into t->y.  Sums may be any value
 * congruent to the exact z modulo 2^lane_bits. */
void wg_tile_finish(const wg_tile *t, const uint32_t *acc, int nr);

/* The scalar epilogue of one output: z is congruent to the exact sum modulo
 * 2^b (before the zero-point correction). */
void wg_epi_store(const wg_epi *e, int64_t m, uint32_t z, void *y);

/* Bytes of one output element. */
size_t wg_output_size(wg_output_kind k);

#endif /* WG_KERNEL_H */
