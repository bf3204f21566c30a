/* Argument checks and the resolved epilogue shared by wg_gemm and wg_conv2d. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "internal.h"

int wg_mul_ok(int64_t a, int64_t b, int64_t *out) {
  if (a < 0 || b < 0) return 0;
  if (a != 0 && b > INT64_MAX / a) return 0;
  int64_t v = a * b;
  /* PTRDIFF_MAX, not SIZE_MAX: no object (and no pointer difference) may
   * exceed it, so on 32-bit targets 2^31 bytes or more is an overflow. */
  if ((uint64_t)v > (uint64_t)PTRDIFF_MAX) return 0;
  *out = v;
  return 1;
}

int wg_add_ok(int64_t a, int64_t b, int64_t *out) {
  if (a < 0 || b < 0 || a > INT64_MAX - b) return 0;
  int64_t v = a + b;
  if ((uint64_t)v > (uint64_t)PTRDIFF_MAX) return 0;
  *out = v;
  return 1;
}

wg_epilogue wg_epilogue_default(void) {
  wg_epilogue e;
  memset(&e, 0, sizeof e);
  e.acc_bits = 32;
  e.cyclic = WG_CYCLIC_NONE;
  e.slope = 1;
  e.output = WG_OUTPUT_INT32;
  e.out_bits = 8;
  return e;
}

/* The zero point is a code of the format: it is the padding of a
 * convolution, which no codes check sees, and kernels are proven only for
 * codes below 2^bits (vpmaddubsw pairs of 7-bit codes, 7-bit SWAR lanes). */
wg_status wg_check_act(wg_act_format act) {
  if (act.bits < 1 || act.bits > 8) return WG_ERR_BAD_OPTION;
  if (act.zero_point < 0 || act.zero_point > (1 << act.bits) - 1) return WG_ERR_BAD_OPTION;
  return WG_OK;
}

int wg_aligned(const void *p, size_t align) { return (uintptr_t)p % align == 0; }

wg_span wg_span_of(const void *p, int64_t bytes) {
  wg_span s = {(uintptr_t)p, p && bytes > 0 ? (uint64_t)bytes : 0};
  return s;
}

wg_span wg_span_matrix(const void *p, int64_t rows, int64_t cols, int64_t ld, int64_t es) {
  return wg_span_of(p, ((rows - 1) * ld + cols) * es);
}

/* Last bytes rather than ends: an object may end at the top of the
 * address space. */
int wg_spans_overlap(wg_span a, wg_span b) {
  return a.n && b.n && a.at <= b.at + (b.n - 1) && b.at <= a.at + (a.n - 1);
}

int wg_overlaps_operands(wg_span s, const wg_weights *w, const wg_epilogue *ep, int64_t m) {
  if (w) {
    if (wg_spans_overlap(s, wg_span_of(w, (int64_t)sizeof *w)) ||
        wg_spans_overlap(s, wg_span_of(w->rowsum, w->m * 4)) ||
        wg_spans_overlap(s, wg_span_of(w->dw, w->dw ? w->m * w->k : 0)))
      return 1;
    for (int i = 0; i < w->npacks; i++)
      if (wg_spans_overlap(s, wg_span_of(w->packs[i].data, (int64_t)w->packs[i].bytes)))
        return 1;
    /* Tap-major panels are published by a release store of ntap. */
    int ntap = atomic_load_explicit(&w->ntap, memory_order_acquire);
    for (int i = 0; i < ntap; i++)
      if (wg_spans_overlap(s, wg_span_of(w->tap[i].pack.data, (int64_t)w->tap[i].pack.bytes)))
        return 1;
  }
  if (!ep) return 0;
  switch (ep->output) {
    case WG_OUTPUT_UINT8_FLOAT:
    case WG_OUTPUT_FLOAT32:
      return wg_spans_overlap(s, wg_span_of(ep->scale, 4 * m)) ||
             wg_spans_overlap(s, wg_span_of(ep->bias, 4 * m));
    case WG_OUTPUT_UINT8_FIXED:
      return wg_spans_overlap(s, wg_span_of(ep->multiplier, 4 * m)) ||
             wg_spans_overlap(s, wg_span_of(ep->shift, 4 * m)) ||
             wg_spans_overlap(s, wg_span_of(ep->qbias, 4 * m));
    default: return 0;
  }
}

wg_status wg_check_output(const void *y, wg_span ys, wg_span xs, const wg_weights *w,
                          const wg_epilogue *ep, const wg_run_info *info) {
  if (!wg_aligned(y, wg_output_size(ep->output))) return WG_ERR_MISALIGNED;
  /* info is an output too, written last: it may share no byte with y or an
   * input either. */
  wg_span is = wg_span_of(info, (int64_t)sizeof *info);
  if (wg_spans_overlap(ys, xs) || wg_overlaps_operands(ys, w, ep, w->m) ||
      wg_spans_overlap(is, ys) || wg_spans_overlap(is, xs) ||
      wg_overlaps_operands(is, w, ep, w->m))
    return WG_ERR_ALIASING;
  return WG_OK;
}

static int all_finite(const float *v, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

wg_status wg_check_epilogue(const wg_epilogue *ep, int64_t m) {
  int b = ep->acc_bits;
  if (!((b >= 2 && b <= 16) || b == 32)) return WG_ERR_BAD_OPTION;
  switch (ep->cyclic) {
    case WG_CYCLIC_NONE: break;
    case WG_CYCLIC_SMOOTH:
      if (ep->slope < 1 || ep->slope > 65536) return WG_ERR_BAD_OPTION;
      break;
    case WG_CYCLIC_ABS:
      if (b > 16) return WG_ERR_UNSUPPORTED; /* |-2^31| has no int32 */
      break;
    default: return WG_ERR_BAD_OPTION;
  }
  if (ep->relu != 0 && ep->relu != 1) return WG_ERR_BAD_OPTION;
  /* Largest |c|: h for abs, h-1 (or h for a = -h) otherwise. */
  int need = ep->cyclic == WG_CYCLIC_ABS ? b + 1 : b;
  switch (ep->output) {
    case WG_OUTPUT_INT8:
      return need <= 8 ? WG_OK : WG_ERR_UNSUPPORTED;
    case WG_OUTPUT_INT16:
      return need <= 16 ? WG_OK : WG_ERR_UNSUPPORTED;
    case WG_OUTPUT_INT32:
      return WG_OK;
    case WG_OUTPUT_UINT8_FLOAT:
      if (ep->out_bits < 1 || ep->out_bits > 8) return WG_ERR_BAD_OPTION;
      /* same scale and bias as float output */
      __attribute__((fallthrough));
    case WG_OUTPUT_FLOAT32:
      if (!ep->scale || !ep->bias) return WG_ERR_NULL_POINTER;
      /* before reading them: a misaligned float load is undefined */
      if (!wg_aligned(ep->scale, _Alignof(float)) || !wg_aligned(ep->bias, _Alignof(float)))
        return WG_ERR_MISALIGNED;
      if (!all_finite(ep->scale, m) || !all_finite(ep->bias, m))
        return WG_ERR_BAD_OPTION;
      return WG_OK;
    case WG_OUTPUT_UINT8_FIXED:
      if (ep->out_bits < 1 || ep->out_bits > 8) return WG_ERR_BAD_OPTION;
      if (!ep->multiplier || !ep->shift) return WG_ERR_NULL_POINTER;
      if (!wg_aligned(ep->multiplier, _Alignof(int32_t)) ||
          !wg_aligned(ep->shift, _Alignof(int32_t)) || !wg_aligned(ep->qbias, _Alignof(int32_t)))
        return WG_ERR_MISALIGNED;
      if (ep->out_zero_point < 0 || ep->out_zero_point > (1 << ep->out_bits) - 1)
        return WG_ERR_BAD_OPTION;
      for (int64_t i = 0; i < m; i++) {
        int32_t mu = ep->multiplier[i], sh = ep->shift[i];
        if (mu != 0 && mu < (1 << 30)) return WG_ERR_BAD_OPTION;
        if (mu < 0 || sh < -31 || sh > 30) return WG_ERR_BAD_OPTION;
      }
      return WG_OK;
  }
  return WG_ERR_BAD_OPTION;
}

wg_status wg_check_matrix_shape(const wg_weights *w, const uint8_t *x, int64_t n,
                                int64_t ldx, const wg_epilogue *ep, const void *y,
                                int64_t ldy, const wg_run_info *info) {
  if (!w || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  /* before a field of them is read */
  if (!wg_aligned(ep, _Alignof(wg_epilogue)) || !wg_aligned(info, _Alignof(wg_run_info)))
    return WG_ERR_MISALIGNED;
  if (n < 1) return WG_ERR_BAD_SIZE;
  if (ldx < n || ldy < n) return WG_ERR_BAD_STRIDE;
  int64_t span;
  size_t es = wg_output_size(ep->output);
  if (!wg_mul_ok(w->k - 1, ldx, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(w->m - 1, ldy, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(span, (int64_t)(es ? es : 1), &span))
    return WG_ERR_SIZE_OVERFLOW;
  return WG_OK;
}
