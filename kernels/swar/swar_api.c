/* wg_swar_gemm: the three SWAR modes behind one checked entry point, with
 * the carry mode's accounting and correction.  Single-threaded: it models
 * one core without a vector unit. */
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "swar.h"
#include "swar_count.h"

wg_swar_options wg_swar_options_default(void) {
  wg_swar_options o;
  memset(&o, 0, sizeof o);
  o.reg_bits = 64;
  o.mode = WG_SWAR_EXACT;
  return o;
}

/* An optional M x N array of 4-byte elements with row stride ld: whether
 * its stride is too small, then whether its span is addressable. */
static int side_stride_bad(const void *p, int64_t n, int64_t ld) { return p && ld < n; }

static wg_status side_size(const void *p, int64_t m, int64_t n, int64_t ld) {
  int64_t span;
  if (p && (!wg_mul_ok(m - 1, ld, &span) || !wg_add_ok(span, n, &span) ||
            !wg_mul_ok(span, 4, &span)))
    return WG_ERR_SIZE_OVERFLOW;
  return WG_OK;
}

/* In the documented order (docs/api.md): pointers, sizes, strides,
 * overflow, options, alignment, aliasing, codes, then what the SWAR
 * kernels cannot do; *im is the implementation to run. */
static wg_status check(const wg_weights *w, const uint8_t *x, int64_t n,
                       int64_t ldx, wg_act_format act, const wg_epilogue *ep,
                       const wg_swar_options *o, void *y, int64_t ldy,
                       const wg_swar_impl **im) {
  if (!o || !w || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(o, _Alignof(wg_swar_options)) || !wg_aligned(ep, _Alignof(wg_epilogue)))
    return WG_ERR_MISALIGNED; /* before a field of them is read */
  if (n < 1) return WG_ERR_BAD_SIZE;
  if (ldx < n || ldy < n || side_stride_bad(o->carries, n, o->ld_carries) ||
      side_stride_bad(o->lane_carries, n, o->ld_lane_carries) ||
      side_stride_bad(o->carry_correction, n, o->ld_correction))
    return WG_ERR_BAD_STRIDE;
  /* what is left of it: the byte counts of x and y */
  wg_status st = wg_check_matrix_shape(w, x, n, ldx, ep, y, ldy, NULL);
  if (st != WG_OK) return st;
  int64_t m = w->m;
  if ((st = side_size(o->carries, m, n, o->ld_carries)) != WG_OK ||
      (st = side_size(o->lane_carries, m, n, o->ld_lane_carries)) != WG_OK ||
      (st = side_size(o->carry_correction, m, n, o->ld_correction)) != WG_OK ||
      (st = wg_check_act(act)) != WG_OK || (st = wg_check_epilogue(ep, m)) != WG_OK)
    return st;
  if (o->reg_bits != 32 && o->reg_bits != 64) return WG_ERR_BAD_OPTION;
  if (o->mode != WG_SWAR_EXACT && o->mode != WG_SWAR_BUFFER &&
      o->mode != WG_SWAR_CARRY)
    return WG_ERR_BAD_OPTION;
  /* Outputs y, carries, lane carries; inputs x, the correction, the
   * weights and the epilogue's arrays.  No output may share a byte range
   * with an input or another output. */
  wg_span out[3] = {wg_span_matrix(y, m, n, ldy, (int64_t)wg_output_size(ep->output)),
                    wg_span_matrix(o->carries, m, n, o->ld_carries, 4),
                    wg_span_matrix(o->lane_carries, m, n, o->ld_lane_carries, 4)};
  wg_span xs = wg_span_matrix(x, w->k, n, ldx, 1),
          cs = wg_span_matrix(o->carry_correction, m, n, o->ld_correction, 4);
  if (!wg_aligned(y, wg_output_size(ep->output)) ||
      !wg_aligned(o->carries, _Alignof(uint32_t)) ||
      !wg_aligned(o->lane_carries, _Alignof(uint32_t)) ||
      !wg_aligned(o->carry_correction, _Alignof(int32_t)))
    return WG_ERR_MISALIGNED;
  for (int i = 0; i < 3; i++) {
    if (wg_spans_overlap(out[i], xs) || wg_spans_overlap(out[i], cs) ||
        wg_overlaps_operands(out[i], w, ep, m))
      return WG_ERR_ALIASING;
    for (int j = 0; j < i; j++)
      if (wg_spans_overlap(out[i], out[j])) return WG_ERR_ALIASING;
  }
  /* Last of the argument checks: the only one that reads all of X. */
  if (!wg_codes_fit(x, w->k, n, ldx, (uint8_t)((1 << act.bits) - 1)))
    return WG_ERR_BAD_CODE;
  if (o->mode != WG_SWAR_CARRY &&
      (o->carries || o->lane_carries || o->carry_correction))
    return WG_ERR_UNSUPPORTED;
  /* grouped weights are packed group by group: wg_conv2d's only */
  if (w->groups != 1) return WG_ERR_UNSUPPORTED;
  /* Binary weights promise no zero: the binary layout saves a mask. */
  *im = wg_swar_find_impl(w->format == WG_WEIGHTS_BINARY, o->reg_bits, (int)o->mode);
  wg_problem p = wg_make_problem(w, act, ep);
  /* a zero point left to the call has no place in a SWAR lane sum */
  if (w->zw || !wg_kernel_accepts((*im)->kernel, &p)) return WG_ERR_UNSUPPORTED;
  return WG_OK;
}

/* Finishes output (m, n) of a tile from its lane sum s (es: output bytes). */
static void store(const wg_epi *e, const wg_swar_options *o, int64_t m,
                  int64_t n, uint32_t s, void *y, int64_t ldy, size_t es) {
  if (o->carry_correction) s -= (uint32_t)o->carry_correction[m * o->ld_correction + n];
  wg_epi_store(e, m, s, (char *)y + (size_t)(m * ldy + n) * es);
}

static void count(const wg_swar_impl *im, const void *a, const void *b,
                  int64_t groups, int64_t m, int64_t n,
                  const wg_swar_options *o) {
  const wg_kernel *k = im->kernel; /* ku: lanes per register */
  uint64_t sums[8];
  uint32_t alg1, lane;
  wg_swar_lane_sums(a, b, groups, k->mr, k->nr, k->ku, im->binary, (int)(m % k->mr),
                    (int)(n % k->nr), sums);
  wg_swar_carry_counts(sums, k->ku, &alg1, &lane);
  if (o->carries) o->carries[m * o->ld_carries + n] = alg1;
  if (o->lane_carries) o->lane_carries[m * o->ld_lane_carries + n] = lane;
}

wg_status wg_swar_gemm(const wg_weights *w, const uint8_t *x, int64_t n,
                       int64_t ldx, wg_act_format act, const wg_epilogue *ep,
                       const wg_swar_options *opt, void *y, int64_t ldy) {
  const wg_swar_impl *im;
  wg_status st = check(w, x, n, ldx, act, ep, opt, y, ldy, &im);
  if (st != WG_OK) return st;
  const wg_kernel *k = im->kernel;
  const wg_apack *ap = wg_weights_find(w, k);
  if (!ap) return WG_ERR_UNSUPPORTED;

  int lanes = opt->reg_bits / 8;
  int64_t groups = (w->k + lanes - 1) / lanes;
  size_t panel;
  int64_t bytes;
  if (!wg_mul_ok(groups, (int64_t)k->b_group_bytes, &bytes))
    return WG_ERR_SIZE_OVERFLOW;
  panel = (size_t)bytes;
  void *bpack = aligned_alloc(64, (panel + 63) & ~(size_t)63);
  if (!bpack) return WG_ERR_NO_MEMORY;

  struct wg_bsrc src;
  memset(&src, 0, sizeof src);
  src.k = w->k;
  src.n = n;
  src.x = x;
  src.ldx = ldx;
  wg_epi e = wg_resolve_epilogue(ep, w, act);
  int counting = opt->carries || opt->lane_carries;
  size_t es = wg_output_size(ep->output);
  int carry = opt->mode == WG_SWAR_CARRY;

  /* One NR-column panel of B at a time, whole depth: the carry mode's
   * registers must see every addition of the sum, and the panel (K/L
   * groups of 2*NR registers) stays in L2 while all rows stream past it. */
  for (int64_t n0 = 0; n0 < n; n0 += k->nr) {
    int cols = (int)(n - n0 < k->nr ? n - n0 : k->nr);
    k->pack_b(&src, 0, groups, n0, cols, bpack);
    for (int64_t m0 = 0; m0 < w->m; m0 += k->mr) {
      int rows = (int)(w->m - m0 < k->mr ? w->m - m0 : k->mr);
      const char *a = (const char *)ap->data + (size_t)(m0 / k->mr) * ap->panel_bytes;
      /* MR*NR <= 8 registers (carry) or lane sums (exact, buffer) */
      union {
        uint64_t r64[8];
        uint32_t r32[8];
      } st8;
      memset(&st8, 0, sizeof st8);
      im->tile(a, bpack, groups, carry && opt->reg_bits == 64 ? (void *)st8.r64
                                                              : (void *)st8.r32);
      for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
          int t = i * k->nr + j;
          uint32_t s;
          if (!carry)
            s = st8.r32[t];
          else if (opt->reg_bits == 64)
            s = wg_swar_hsum64(st8.r64[t]);
          else
            s = wg_swar_hsum32(st8.r32[t]);
          store(&e, opt, m0 + i, n0 + j, s, y, ldy, es);
          if (counting) count(im, a, bpack, groups, m0 + i, n0 + j, opt);
        }
    }
  }
  free(bpack);
  return WG_OK;
}
