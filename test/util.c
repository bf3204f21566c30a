#include "util.h"

#include <stdlib.h>
#include <string.h>

#include "core/reference.h"
#include "core/kernel.h"

#define GUARD 64
#define CANARY 0xA5

/* One output element, read as its own type (so its value is right on any
 * byte order: copying its bytes into the low end of a wider integer is not),
 * printed in decimal and as the hex of its bits. */
static void elem_str(char *s, size_t n, wg_output_kind kind, const unsigned char *p) {
  long long v;
  unsigned long long bits;
  switch (kind) {
    case WG_OUTPUT_INT8: v = (int8_t)p[0]; bits = p[0]; break;
    case WG_OUTPUT_UINT8_FLOAT:
    case WG_OUTPUT_UINT8_FIXED: v = p[0]; bits = p[0]; break;
    case WG_OUTPUT_INT16: {
      int16_t e;
      memcpy(&e, p, sizeof e);
      v = e;
      bits = (uint16_t)e;
      break;
    }
    case WG_OUTPUT_FLOAT32: {
      float f;
      uint32_t u;
      memcpy(&f, p, sizeof f);
      memcpy(&u, p, sizeof u);
      snprintf(s, n, "%.9g (0x%08x)", (double)f, (unsigned)u);
      return;
    }
    default: { /* INT32 */
      int32_t e;
      memcpy(&e, p, sizeof e);
      v = e;
      bits = (uint32_t)e;
      break;
    }
  }
  snprintf(s, n, "%lld (0x%llx)", v, bits);
}

void wgt_fill_weights(wgt_rng *r, int8_t *w, size_t n, wg_weight_format f,
                      int bits, int data) {
  int lo = f == WG_WEIGHTS_INT ? -(1 << (bits - 1)) : -1;
  int hi = f == WG_WEIGHTS_INT ? (1 << (bits - 1)) - 1 : 1;
  for (size_t i = 0; i < n; i++) {
    int v;
    if (data == WGT_EXTREME)
      v = lo; /* every product at its most negative magnitude */
    else if (data == WGT_EXTREME_MIXED)
      v = (wgt_next(r) & 1) ? lo : hi;
    else
      v = (int)wgt_range(r, lo, hi);
    if (f == WG_WEIGHTS_BINARY && v == 0) v = 1;
    w[i] = (int8_t)v;
  }
}

void wgt_fill_acts(wgt_rng *r, uint8_t *x, size_t n, int abits, int data) {
  int hi = (1 << abits) - 1;
  for (size_t i = 0; i < n; i++)
    x[i] = data == WGT_EXTREME ? (uint8_t)hi
           : data == WGT_EXTREME_MIXED ? (uint8_t)((wgt_next(r) & 1) ? hi : 0)
                                      : (uint8_t)wgt_range(r, 0, hi);
}

void wgt_epi_data_make(wgt_epi_data *d, wgt_rng *r, int64_t m) {
  d->scale = malloc((size_t)m * sizeof *d->scale);
  d->bias = malloc((size_t)m * sizeof *d->bias);
  d->mult = malloc((size_t)m * sizeof *d->mult);
  d->shift = malloc((size_t)m * sizeof *d->shift);
  d->qbias = malloc((size_t)m * sizeof *d->qbias);
  for (int64_t i = 0; i < m; i++) {
    /* Scales around 2^-5..2^1 with either sign, so ReLU, clamping and
     * exact halves all occur; biases include exact .5 values. */
    d->scale[i] = (float)wgt_range(r, -4096, 4096) / 2048.0f / 16.0f;
    d->bias[i] = (float)wgt_range(r, -40, 40) / 4.0f;
    d->mult[i] = (int32_t)wgt_range(r, 1 << 30, INT32_MAX);
    d->shift[i] = (int32_t)wgt_range(r, -12, 3);
    d->qbias[i] = (int32_t)wgt_range(r, -1000, 1000);
  }
}

void wgt_epi_data_free(wgt_epi_data *d) {
  free(d->scale);
  free(d->bias);
  free(d->mult);
  free(d->shift);
  free(d->qbias);
}

void wgt_epi_attach(wg_epilogue *ep, const wgt_epi_data *d) {
  ep->scale = d->scale;
  ep->bias = d->bias;
  ep->multiplier = d->mult;
  ep->shift = d->shift;
  ep->qbias = d->qbias;
}

void wgt_epilogue(wgt_case *c, wg_output_kind out, wg_cyclic cyc, int slope,
                  int b) {
  c->ep = wg_epilogue_default();
  c->ep.acc_bits = b;
  c->ep.cyclic = cyc;
  c->ep.slope = slope;
  c->ep.output = out;
  c->ep.out_bits = 4;
  c->ep.out_zero_point = 3;
}

int wgt_kernel_runnable(int index) { return wg_kernel_available(index); }

static void describe(const char *kernel, int threads, const wgt_case *c,
                     uint64_t seed, char *buf, size_t n) {
  snprintf(buf, n,
           "kernel=%s threads=%d M=%lld N=%lld K=%lld wf=%d wbits=%d abits=%d "
           "zx=%d b=%d cyc=%d k=%d out=%d data=%d x_place=%d packed=%d x_order=%d "
           "y_order=%d wunsigned=%d zw=%d seed=%llu",
           kernel ? kernel : "auto", threads, (long long)c->m, (long long)c->n,
           (long long)c->k, (int)c->wf, c->wbits, c->abits, c->zx,
           c->ep.acc_bits, (int)c->ep.cyclic, c->ep.slope, (int)c->ep.output,
           c->data, c->x_place, c->packed, (int)c->x_order, (int)c->y_order, c->wunsigned,
           c->zw, (unsigned long long)seed);
}

int wgt_gemm_case(const char *kernel, int threads, const wgt_case *c,
                  uint64_t seed) {
  char what[400];
  describe(kernel, threads, c, seed, what, sizeof what);
  wgt_rng r = {seed};
  /* X's and Y's storage: rows of ldx and ldy elements */
  int xt = c->x_order == WG_COL_MAJOR, yt = c->y_order == WG_COL_MAJOR;
  int ex = xt || yt || c->wunsigned || c->zw;
  int64_t xrows = xt ? c->n : c->k, yrows = yt ? c->n : c->m;
  int64_t ldw = c->k + c->ldw_pad, ldx = (xt ? c->k : c->n) + c->ldx_pad,
          ldy = (yt ? c->m : c->n) + c->ldy_pad;
  size_t es = wg_output_size(c->ep.output);
  int8_t *w = malloc((size_t)(c->m * ldw));
  uint8_t *xbuf = malloc((size_t)(xrows * ldx) + (c->x_place ? 128 : 0));
  uint8_t *x = xbuf;
  if (c->x_place)
    x = wgt_place(xbuf, (c->x_place - 1) % 64);
  size_t ybytes = (size_t)(yrows * ldy) * es;
  unsigned char *ybuf = malloc(ybytes + 2 * GUARD);
  unsigned char *want = malloc(ybytes);
  if (c->wunsigned) /* uint8 codes 0 .. 2^wbits - 1 */
    wgt_fill_acts(&r, (uint8_t *)w, (size_t)(c->m * ldw), c->wbits, c->data);
  else
    wgt_fill_weights(&r, w, (size_t)(c->m * ldw), c->wf, c->wbits, c->data);
  wgt_fill_acts(&r, x, (size_t)(xrows * ldx), c->abits, c->data);
  wgt_epi_data d;
  wgt_epi_data_make(&d, &r, c->m);
  wg_epilogue ep = c->ep;
  wgt_epi_attach(&ep, &d);
  memset(ybuf, CANARY, ybytes + 2 * GUARD);
  memset(want, CANARY, ybytes);
  unsigned char *y = ybuf + GUARD;

  int result = WGT_PASS;
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  wg_status st = wg_context_create(threads, &ctx);
  if (st == WG_OK && kernel) st = wg_context_force_kernel(ctx, kernel);
  if (st == WG_OK && c->packed) st = wg_context_set_gemm_in_place(ctx, 0);
  if (st == WG_ERR_KERNEL_UNAVAILABLE) {
    result = WGT_CANNOT;
    goto out;
  }
  if (st != WG_OK) {
    wgt_fail(__FILE__, __LINE__, "%s: context: %s", what, wg_status_name(st));
    result = WGT_FAIL;
    goto out;
  }
  if (ex) {
    wg_weights_desc wd = {c->m, c->k, WG_ROW_MAJOR, ldw, c->wf, c->wbits, c->wunsigned, c->zw};
    st = wg_weights_pack_ex(ctx, w, &wd, &pw);
  } else {
    st = wg_weights_pack(ctx, w, c->m, c->k, ldw, c->wf, c->wbits, &pw);
  }
  if (st != WG_OK) {
    wgt_fail(__FILE__, __LINE__, "%s: pack: %s", what, wg_status_name(st));
    result = WGT_FAIL;
    goto out;
  }
  wg_act_format act = {c->abits, c->zx};
  wg_run_info info = {0};
  if (ex) {
    wg_gemm_desc gd = {c->n, c->x_order, ldx, c->y_order, ldy};
    st = wg_gemm_ex(ctx, pw, &gd, x, act, &ep, y, &info);
  } else {
    st = wg_gemm(ctx, pw, x, c->n, ldx, act, &ep, y, ldy, &info);
  }
  if (st == WG_ERR_UNSUPPORTED && kernel) {
    result = WGT_CANNOT;
    goto out;
  }
  if (st != WG_OK) {
    wgt_fail(__FILE__, __LINE__, "%s: gemm: %s", what, wg_status_name(st));
    result = WGT_FAIL;
    goto out;
  }
  if (kernel && (!info.kernel || strcmp(info.kernel, kernel) != 0)) {
    wgt_fail(__FILE__, __LINE__, "%s: ran %s instead", what,
             info.kernel ? info.kernel : "(null)");
    result = WGT_FAIL;
    goto out;
  }
  if (c->method && (!info.method || strcmp(info.method, c->method) != 0)) {
    wgt_fail(__FILE__, __LINE__, "%s: ran as %s instead of %s", what,
             info.method ? info.method : "(null)", c->method);
    result = WGT_FAIL;
    goto out;
  }
  wg_ref_gemm_ex(w, c->wunsigned, ldw, 1, c->zw, c->m, c->k, x, xt ? 1 : ldx, xt ? ldx : 1,
                 c->n, c->zx, &ep, want, yt ? 1 : ldy, yt ? ldy : 1);
  for (int g = 0; g < GUARD; g++)
    if (ybuf[g] != CANARY || ybuf[GUARD + ybytes + g] != CANARY) {
      wgt_fail(__FILE__, __LINE__, "%s: wrote outside the output buffer", what);
      result = WGT_FAIL;
      goto out;
    }
  for (int64_t i = 0; i < yrows && result == WGT_PASS; i++)
    for (int64_t j = 0; j < ldy; j++) {
      size_t off = (size_t)(i * ldy + j) * es;
      if (memcmp(y + off, want + off, es) != 0) {
        char got[48], exp[48];
        elem_str(exp, sizeof exp, c->ep.output, want + off);
        elem_str(got, sizeof got, c->ep.output, y + off);
        wgt_fail(__FILE__, __LINE__,
                 "%s: y[%lld,%lld]%s expected %s got %s (ran %s)", what,
                 (long long)i, (long long)j, j >= (yt ? c->m : c->n) ? " (stride gap)" : "",
                 exp, got, info.kernel);
        result = WGT_FAIL;
        break;
      }
    }
  wgt_count_check(1);
out:
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  wgt_epi_data_free(&d);
  free(w);
  free(xbuf);
  free(ybuf);
  free(want);
  return result;
}

void wgt_direct_conv(const wgt_conv_geom *g, wg_layout lay, const int8_t *w,
                     const uint8_t *x, int zx, const wg_epilogue *ep,
                     unsigned char *y, int64_t oh, int64_t ow) {
  size_t es = wg_output_size(ep->output);
  for (int64_t b = 0; b < g->batch; b++)
    for (int64_t m = 0; m < g->m; m++)
      for (int64_t i = 0; i < oh; i++)
        for (int64_t j = 0; j < ow; j++) {
          int64_t z = 0;
          for (int64_t ci = 0; ci < g->c; ci++)
            for (int64_t u = 0; u < g->kh; u++)
              for (int64_t v = 0; v < g->kw; v++) {
                int64_t ih = i * g->s - g->p + u * g->d, iw = j * g->s - g->p + v * g->d;
                int xv = zx;
                if (ih >= 0 && ih < g->h && iw >= 0 && iw < g->w)
                  xv = lay == WG_NCHW ? x[((b * g->c + ci) * g->h + ih) * g->w + iw]
                                      : x[((b * g->h + ih) * g->w + iw) * g->c + ci];
                int wv = lay == WG_NCHW ? w[((m * g->c + ci) * g->kh + u) * g->kw + v]
                                        : w[((m * g->kh + u) * g->kw + v) * g->c + ci];
                z += (int64_t)wv * (xv - zx);
              }
          int64_t off = lay == WG_NCHW ? ((b * g->m + m) * oh + i) * ow + j
                                       : ((b * oh + i) * ow + j) * g->m + m;
          wg_ref_output(ep, m, z, y + (size_t)off * es);
        }
}

