/* Misaligned user buffers on every NEON kernel: weights, activations,
 * output and the epilogue's per-row arrays at odd offsets, odd strides.
 * armv7 faults (SIGBUS under qemu-arm too) on a vld1 with an alignment hint
 * at an unaligned address and on ldrd/strd of unaligned data. */
#include <stdlib.h>
#include <string.h>

#include "test_neon.h"
#include "util.h"

static int run_offsets(const wgt_kernel *kn, wg_output_kind out, int b, size_t off,
                       uint64_t seed) {
  wgt_rng r = {seed};
  int64_t m = 11, n = 45, k = 301;
  int64_t ldw = k + 3, ldx = n + 1, ldy = n + 3;
  size_t es = wg_output_size(out);
  /* The element type's own alignment stays (C requires it), the vector
   * alignment does not: multiples of es that are not multiples of 16. */
  size_t yoff = es == 1 ? off : es * (1 + off % 3);
  int8_t *wbuf = malloc((size_t)(m * ldw) + 16);
  uint8_t *xbuf = malloc((size_t)(k * ldx) + 16);
  float *fbuf = malloc((size_t)(2 * m + 2) * sizeof(float));
  int32_t *ibuf = malloc((size_t)(3 * m + 3) * sizeof(int32_t));
  int8_t *w = wbuf + off;
  uint8_t *x = xbuf + 16 - off;
  const char *kernel = kn->name;
  wg_weight_format wf = kn->wf;
  wgt_fill_weights(&r, w, (size_t)(m * ldw), wf, 8, WGT_RANDOM);
  wgt_fill_acts(&r, x, (size_t)(k * ldx), 8, WGT_RANDOM);
  wgt_epi_data d;
  wgt_epi_data_make(&d, &r, m);
  float *scale = fbuf + 1, *bias = fbuf + 1 + m; /* 4 bytes off 8 and 16 */
  int32_t *mult = ibuf + 1, *shift = ibuf + 1 + m, *qbias = ibuf + 2 + 2 * m;
  memcpy(scale, d.scale, (size_t)m * sizeof *scale);
  memcpy(bias, d.bias, (size_t)m * sizeof *bias);
  memcpy(mult, d.mult, (size_t)m * sizeof *mult);
  memcpy(shift, d.shift, (size_t)m * sizeof *shift);
  memcpy(qbias, d.qbias, (size_t)m * sizeof *qbias);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = b;
  ep.cyclic = WG_CYCLIC_SMOOTH;
  ep.slope = 2;
  ep.output = out;
  ep.out_bits = 8;
  ep.scale = scale;
  ep.bias = bias;
  ep.multiplier = mult;
  ep.shift = shift;
  ep.qbias = qbias;
  wgt_neon_call c = {kernel, m, n, k, ldw, ldx, ldy, w, wf, 8, x,
                     {8, 7}, &ep, yoff};
  char what[96];
  snprintf(what, sizeof what, "offset %zu out=%d b=%d seed=%llu", off, (int)out, b,
           (unsigned long long)seed);
  int res = wgt_neon_check(&c, what);
  wgt_epi_data_free(&d);
  free(wbuf);
  free(xbuf);
  free(fbuf);
  free(ibuf);
  return res;
}

TEST(neon_misaligned_buffers_every_kernel) {
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8, WG_OUTPUT_INT16, WG_OUTPUT_INT32,
                                        WG_OUTPUT_UINT8_FLOAT, WG_OUTPUT_UINT8_FIXED,
                                        WG_OUTPUT_FLOAT32};
  int kernels = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_neon_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *kn = &list[i];
    const char *name = kn->name;
    if (!kn->runnable) {
      printf("    %s: not runnable on this CPU\n", name);
      continue;
    }
    int lanes = kn->maxb;
    /* Every odd offset; under qemu (quick) every other one. */
    for (size_t off = 1; off < 16; off += wgt_quick() ? 4 : 2)
      for (size_t o = 0; o < sizeof outs / sizeof outs[0]; o++) {
        int b = outs[o] == WG_OUTPUT_INT8 ? 8 : lanes >= 16 ? 12 : 8;
        if (outs[o] == WG_OUTPUT_INT32 || outs[o] == WG_OUTPUT_FLOAT32) b = lanes;
        int r = run_offsets(kn, outs[o], b, off, wgt_seed() + off * 7 + o);
        CHECK(r == WGT_PASS, "%s offset %zu output %d", name, off, (int)outs[o]);
      }
    kernels++;
  }
  if (!kernels) SKIP("no NEON kernel runs here");
  printf("    %d NEON kernels, %d offsets x 6 outputs each\n", kernels, wgt_quick() ? 4 : 8);
}
