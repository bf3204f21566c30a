/* Strided stores of a finished tile row, shared by the ISA folders'
 * epilogues (no ISA code). */
#ifndef WG_SCATTER_H
#define WG_SCATTER_H

#include <stdint.h>
#include <string.h>

/* Writes n elements (es bytes each: 1, 2 or 4) of buf to dst with element
 * stride s; fixed-size copies, so that pixel-major (NHWC) output costs a
 * store per element rather than a library call (a memcpy call per element
 * took 23% of an AVX-512 NHWC convolution: docs/lut.md, "NHWC sources"). */
static inline void wg_scatter(char *dst, const char *buf, int n, size_t es, int64_t s) {
  if (s == 1) {
    memcpy(dst, buf, (size_t)n * es);
    return;
  }
  size_t step = (size_t)s * es;
  switch (es) {
    case 1:
      for (int j = 0; j < n; j++, dst += step) *dst = buf[j];
      break;
    case 2:
      for (int j = 0; j < n; j++, dst += step) memcpy(dst, buf + 2 * j, 2);
      break;
    default:
      for (int j = 0; j < n; j++, dst += step) memcpy(dst, buf + 4 * j, 4);
      break;
  }
}

#endif /* WG_SCATTER_H */
