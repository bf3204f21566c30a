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

wg_status wg_check_act(wg_act_format act) {
  if (act.bits < 1 || act.bits > 8) return WG_ERR_BAD_OPTION;
  if (act.zero_point < 0 || act.zero_point > 255) return WG_ERR_BAD_OPTION;
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
      if (!all_finite(ep->scale, m) || !all_finite(ep->bias, m))
        return WG_ERR_BAD_OPTION;
      return WG_OK;
    case WG_OUTPUT_UINT8_FIXED:
      if (ep->out_bits < 1 || ep->out_bits > 8) return WG_ERR_BAD_OPTION;
      if (!ep->multiplier || !ep->shift) return WG_ERR_NULL_POINTER;
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

/* Whether any byte of p[0..n) has a bit of `over` set, eight bytes per word
 * and four independent words per step: the check runs on every call over
 * all of X, so a byte loop would cost as much as an 8-bit GEMM itself. */
static int any_bits(const uint8_t *p, int64_t n, uint8_t over) {
  uint64_t mask = over * 0x0101010101010101ull, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    memcpy(w, p + i, sizeof w);
    a0 |= w[0];
    a1 |= w[1];
    a2 |= w[2];
    a3 |= w[3];
  }
  uint64_t acc = a0 | a1 | a2 | a3;
  uint8_t tail = 0;
  for (; i < n; i++) tail |= p[i];
  return (acc & mask) != 0 || (tail & over) != 0;
}

int wg_codes_fit(const uint8_t *x, int64_t r, int64_t c, int64_t ld,
                 uint8_t maxcode) {
  if (maxcode == 255) return 1;
  uint8_t over = (uint8_t)~maxcode; /* maxcode is 2^bits - 1 */
#if defined(__x86_64__) || defined(__i386__)
  if (wg_cpu_features() & WG_CPU_AVX2) return wg_codes_fit_avx2(x, r, c, ld, over);
#endif
  if (ld == c) return !any_bits(x, r * c, over); /* dense: one run */
  for (int64_t i = 0; i < r; i++)
    if (any_bits(x + i * ld, c, over)) return 0;
  return 1;
}

wg_epi wg_resolve_epilogue(const wg_epilogue *ep, const wg_weights *w,
                           wg_act_format act) {
  wg_epi e;
  memset(&e, 0, sizeof e);
  e.b = ep->acc_bits;
  e.cyclic = ep->cyclic;
  e.slope = ep->slope;
  e.output = ep->output;
  e.relu = ep->relu;
  if (ep->output == WG_OUTPUT_UINT8_FLOAT || ep->output == WG_OUTPUT_UINT8_FIXED)
    e.qmax = (1 << ep->out_bits) - 1;
  e.out_zp = ep->out_zero_point;
  e.scale = ep->scale;
  e.bias = ep->bias;
  e.mult = ep->multiplier;
  e.shift = ep->shift;
  e.qbias = ep->qbias;
  e.rowsum = w->rowsum;
  e.zx = (uint32_t)act.zero_point;
  return e;
}

wg_problem wg_make_problem(const wg_weights *w, wg_act_format act,
                           const wg_epilogue *ep) {
  wg_problem p = {w->format, w->bits, w->wmin, w->wmax, act.bits, ep->acc_bits};
  return p;
}

/* The codes check split over the context's threads: a single pass over X
 * is 4% of a 64x3136x576 call, which the other threads would otherwise
 * spend waiting. */
typedef struct codes_plan {
  const uint8_t *x;
  int64_t per, r, c, ld;  /* rows per task; a dense region: bytes per task */
  int dense;
  uint8_t maxcode;
  _Atomic int bad;
} codes_plan;

static void codes_task(void *arg, int64_t t, uint8_t *mem) {
  (void)mem;
  codes_plan *p = arg;
  int64_t n = p->dense ? p->r * p->c : p->r;
  int64_t a = t * p->per, b = a + p->per;
  if (b > n) b = n;
  if (a >= b || atomic_load_explicit(&p->bad, memory_order_relaxed)) return;
  int ok = p->dense ? wg_codes_fit(p->x + a, 1, b - a, b - a, p->maxcode)
                    : wg_codes_fit(p->x + a * p->ld, b - a, p->c, p->ld, p->maxcode);
  if (!ok) atomic_store_explicit(&p->bad, 1, memory_order_relaxed);
}

wg_status wg_codes_check(wg_context *ctx, const uint8_t *x, int64_t r, int64_t c, int64_t ld,
                         uint8_t maxcode) {
  int par = ctx->runner ? ctx->runner_par : ctx->threads;
  /* Below a few hundred KiB the hand-off costs more than it saves. */
  if (par < 2 || maxcode == 255 || r * c < ((int64_t)1 << 18))
    return wg_codes_fit(x, r, c, ld, maxcode) ? WG_OK : WG_ERR_BAD_CODE;
  /* A dense region (a conv2d input is one row) splits by bytes, a strided
   * one by its rows. */
  codes_plan p = {.x = x, .r = r, .c = c, .ld = ld, .dense = ld == c, .maxcode = maxcode};
  atomic_init(&p.bad, 0);
  int64_t n = p.dense ? r * c : r, tasks = 2 * (int64_t)par < n ? 2 * (int64_t)par : n;
  p.per = (n + tasks - 1) / tasks;
  wg_status st = wg_run_tasks(ctx, codes_task, &p, 0, (n + p.per - 1) / p.per);
  if (st != WG_OK) return st;
  return atomic_load(&p.bad) ? WG_ERR_BAD_CODE : WG_OK;
}

wg_status wg_check_matrix_args(const wg_weights *w, const uint8_t *x, int64_t n,
                               int64_t ldx, wg_act_format act,
                               const wg_epilogue *ep, const void *y,
                               int64_t ldy) {
  if (!w || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  if (n < 1) return WG_ERR_BAD_SIZE;
  if (ldx < n || ldy < n) return WG_ERR_BAD_STRIDE;
  int64_t span;
  size_t es = wg_output_size(ep->output);
  if (!wg_mul_ok(w->k - 1, ldx, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(w->m - 1, ldy, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(span, (int64_t)(es ? es : 1), &span))
    return WG_ERR_SIZE_OVERFLOW;
  wg_status st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, w->m);
  return st;
}

wg_status wg_check_matrix_call(const wg_weights *w, const uint8_t *x, int64_t n,
                               int64_t ldx, wg_act_format act,
                               const wg_epilogue *ep, const void *y,
                               int64_t ldy) {
  wg_status st = wg_check_matrix_args(w, x, n, ldx, act, ep, y, ldy);
  if (st != WG_OK) return st;
  /* Last: the only check that reads all of X. */
  if (!wg_codes_fit(x, w->k, n, ldx, (uint8_t)((1 << act.bits) - 1)))
    return WG_ERR_BAD_CODE;
  return WG_OK;
}
