/* libFuzzer harness: arbitrary bytes -> one wg_gemm call on a forced kernel,
 * compared with the reference oracle; on an error status the output must be
 * untouched.  Codes are usually valid and sometimes not, so both the
 * arithmetic and the argument checks are explored.  N reaches 150 and X may
 * have a stride that is a multiple of 32 and any placement modulo 64, so
 * that the in-place GEMM (6 x 64 tiles, packed head and tail) runs too. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "fuzz_input.h"
#include "wrapgemm.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cursor c = {data, size};
  int64_t m = 1 + take(&c) % 19, n = 1 + take(&c) % 150, k = 1 + take(&c) % 70;
  unsigned xpad = take(&c) % 4;
  int64_t ldw = k + take(&c) % 3, ldy = n + take(&c) % 3;
  int64_t ldx = xpad < 3 ? n + xpad : (n + 31) / 32 * 32;
  wg_weight_format wf = (wg_weight_format)(take(&c) % 3);
  int wbits = 2 + take(&c) % 7;
  wg_act_format act = {1 + take(&c) % 8, 0};
  if (take(&c) % 4 == 0) act.zero_point = (int)take(&c);
  wg_epilogue ep = wg_epilogue_default();
  static const int bs[] = {2, 3, 5, 7, 8, 9, 12, 15, 16, 32};
  ep.acc_bits = bs[take(&c) % 10];
  ep.cyclic = (wg_cyclic)(take(&c) % 3);
  ep.slope = 1 + take(&c) % 5;
  ep.output = (wg_output_kind)(take(&c) % 6);
  ep.relu = take(&c) & 1;
  ep.out_bits = 1 + take(&c) % 8;
  int kernel = (int)(take(&c) % (unsigned)(wg_kernel_count() + 1)) - 1;
  int invalid = take(&c) % 16 == 0; /* let raw bytes through unclamped */

  int lo = wf == WG_WEIGHTS_INT ? -(1 << (wbits - 1)) : -1;
  int hi = wf == WG_WEIGHTS_INT ? (1 << (wbits - 1)) - 1 : 1;
  int8_t *w = malloc((size_t)(m * ldw));
  uint8_t *xbuf = aligned_alloc(64, ((size_t)(k * ldx) + 127) & ~(size_t)63);
  uint8_t *x = xbuf + take(&c) % 64;
  int in_place = take(&c) % 4 != 0;
  for (int64_t i = 0; i < m * ldw; i++) {
    int v = (int8_t)take(&c);
    if (!invalid) {
      v = lo + (int)((unsigned)(v + 128) % (unsigned)(hi - lo + 1));
      if (wf == WG_WEIGHTS_BINARY && v == 0) v = 1;
    }
    w[i] = (int8_t)v;
  }
  for (int64_t i = 0; i < k * ldx; i++) {
    unsigned v = take(&c);
    x[i] = (uint8_t)(invalid ? v : v % (1u << act.bits));
  }
  fuzz_epi_rows rows;
  fuzz_epilogue_rows(&c, 19, &rows, &ep);

  size_t es = wg_output_size(ep.output);
  size_t ybytes = (size_t)(m * ldy) * es;
  unsigned char *y = aligned_alloc(16, (ybytes + 15) & ~(size_t)15);
  unsigned char *want = malloc(ybytes);
  memset(y, 0xEE, ybytes);
  memset(want, 0xEE, ybytes);
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  if (wg_context_create(1, &ctx) != WG_OK || wg_context_set_gemm_in_place(ctx, in_place) != WG_OK)
    abort();
  if (kernel >= 0 && wg_kernel_available(kernel))
    wg_context_force_kernel(ctx, wg_kernel_name(kernel));
  wg_status st = wg_weights_pack(ctx, w, m, k, ldw, wf, wbits, &pw);
  if (st == WG_OK) {
    st = wg_gemm(ctx, pw, x, n, ldx, act, &ep, y, ldy, NULL);
    if (st == WG_OK) {
      wg_ref_gemm(w, ldw, m, k, x, ldx, n, act.zero_point, &ep, want, ldy, 1);
      for (int64_t i = 0; i < m; i++)
        if (memcmp(y + (size_t)(i * ldy) * es, want + (size_t)(i * ldy) * es,
                   (size_t)n * es) != 0)
          abort(); /* a kernel disagrees with the reference */
    }
  }
  fuzz_untouched_unless_ok(st, y, ybytes);
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(w);
  free(xbuf);
  free(y);
  free(want);
  return 0;
}
