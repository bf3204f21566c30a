/* wg_bsrc_cols (a block of B's columns at once, the lookup-table kernels'
 * NHWC gather) against wg_bsrc_col one column at a time, which the
 * every-kernel sweeps check against the reference: random convolution
 * geometries in both layouts (batches, strides, dilation, padding, pixel
 * strides wider than C), plain and transposed matrices, depth runs that
 * cross taps and run past K, blocks that cross output rows and images. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/bsrc.h"
#include "harness.h"

static int one_source(wgt_rng *r, int kind, int v) {
  struct wg_bsrc s;
  memset(&s, 0, sizeof s);
  int64_t batch = 1, bytes;
  if (kind < 2) { /* a convolution: NHWC (0) or NCHW (1, one image) */
    s.is_conv = 1;
    s.layout = kind == 0 ? WG_NHWC : WG_NCHW;
    batch = kind == 0 ? wgt_range(r, 1, 3) : 1;
    s.c = wgt_range(r, 1, 20);
    s.h = wgt_range(r, 1, 7);
    s.w = wgt_range(r, 1, 7);
    s.kh = wgt_range(r, 1, 3);
    s.kw = wgt_range(r, 1, 3);
    s.sh = wgt_range(r, 1, 2);
    s.sw = wgt_range(r, 1, 2);
    s.dh = wgt_range(r, 1, 2);
    s.dw = wgt_range(r, 1, 2);
    s.pt = wgt_range(r, 0, 2);
    s.pl = wgt_range(r, 0, 2);
    int64_t eh = s.dh * (s.kh - 1) + 1, ew = s.dw * (s.kw - 1) + 1;
    if (eh > s.h + 2 * s.pt || ew > s.w + 2 * s.pl) return 0;
    s.oh = (s.h + 2 * s.pt - eh) / s.sh + 1;
    s.ow = (s.w + 2 * s.pl - ew) / s.sw + 1;
    s.cs = s.c + (v % 3 == 0 ? wgt_range(r, 1, 5) : 0);
    s.pad = (uint8_t)wgt_range(r, 0, 255);
    s.k = s.kh * s.kw * s.c;
    s.n = batch * s.oh * s.ow;
    bytes = kind == 0 ? batch * s.h * s.w * s.cs : s.c * s.h * s.w;
  } else { /* a matrix, row-major (2) or stored N x K (3) */
    s.trans = kind == 3;
    s.k = wgt_range(r, 1, 60);
    s.n = wgt_range(r, 1, 60);
    s.ldx = (s.trans ? s.k : s.n) + wgt_range(r, 0, 3);
    bytes = (s.trans ? s.n : s.k) * s.ldx;
  }
  uint8_t *x = malloc((size_t)bytes);
  for (int64_t i = 0; i < bytes; i++) x[i] = (uint8_t)wgt_next(r);
  s.x = x;
  int64_t n0 = wgt_range(r, 0, s.n - 1), cols = wgt_range(r, 1, s.n - n0);
  int64_t k0 = wgt_range(r, 0, s.k + 4), len = wgt_range(r, 1, 60);
  int64_t stride = len + wgt_range(r, 0, 7);
  uint8_t *got = malloc((size_t)(cols * stride)), *tmp = malloc((size_t)len);
  memset(got, 0xA5, (size_t)(cols * stride));
  wg_bsrc_cols(&s, n0, cols, k0, len, got, stride);
  int ok = 1;
  for (int64_t j = 0; j < cols && ok; j++) {
    const uint8_t *want = wg_bsrc_col(&s, n0 + j, k0, len, tmp);
    for (int64_t i = 0; i < len && ok; i++)
      if (got[j * stride + i] != want[i]) {
        wgt_fail(__FILE__, __LINE__,
                 "source kind %d case %d: column %lld depth %lld: got %d, want %d", kind, v,
                 (long long)(n0 + j), (long long)(k0 + i), got[j * stride + i], want[i]);
        ok = 0;
      }
    for (int64_t i = len; i < stride && ok; i++)
      if (got[j * stride + i] != 0xA5) {
        wgt_fail(__FILE__, __LINE__, "source kind %d case %d: wrote between runs", kind, v);
        ok = 0;
      }
  }
  wgt_count_check(1);
  free(x);
  free(got);
  free(tmp);
  return ok ? 1 : -1;
}

TEST(bsrc_cols_equals_col_by_col) {
  wgt_rng r = {wgt_seed()};
  int ran[4] = {0, 0, 0, 0};
  for (int v = 0; v < 4000; v++) {
    int kind = v % 4, res = one_source(&r, kind, v);
    CHECK(res >= 0, "kind %d", kind);
    if (res < 0) return;
    ran[kind] += res;
  }
  CHECK(ran[0] > 500 && ran[1] > 500 && ran[2] == 1000 && ran[3] == 1000,
        "too few sources ran: %d %d %d %d", ran[0], ran[1], ran[2], ran[3]);
}

/* B[k, n] of a one-image convolution source straight from bsrc.h's
 * definition. */
static uint8_t conv_def(const struct wg_bsrc *s, int64_t k, int64_t n) {
  if (k >= s->k) return 0;
  int64_t tw, th, ci;
  if (s->layout == WG_NCHW) {
    tw = k % s->kw, th = (k / s->kw) % s->kh, ci = k / (s->kw * s->kh);
  } else {
    ci = k % s->c, tw = (k / s->c) % s->kw, th = k / (s->c * s->kw);
  }
  int64_t ih = (n / s->ow) * s->sh - s->pt + th * s->dh;
  int64_t iw = (n % s->ow) * s->sw - s->pl + tw * s->dw;
  if (ih < 0 || ih >= s->h || iw < 0 || iw >= s->w) return s->pad;
  if (s->layout == WG_NCHW) return s->x[(ci * s->h + ih) * s->w + iw];
  return s->x[(ih * s->w + iw) * s->cs + ci];
}

/* wg_bsrc_row of convolution sources with sh = 1 through the call's shifted
 * images (driver.c gives them to kernels with nchw_images / nhwc_images),
 * against the definition, NCHW and NHWC (one image; channel counts around
 * the NHWC unit of 8, pixels wider than the channels): images built on
 * first use, found built, found "being built" by another task (the
 * caller's own assembly then), and left by another call (a state word of
 * another id: built again). */
TEST(bsrc_conv_rows_from_shifted_images) {
  wgt_rng r = {wgt_seed()};
  int ran = 0;
  for (int v = 0; v < 600; v++) {
    struct wg_bsrc s;
    memset(&s, 0, sizeof s);
    s.is_conv = 1;
    s.layout = v % 4 < 2 ? WG_NCHW : WG_NHWC;
    s.c = s.layout == WG_NCHW ? wgt_range(&r, 1, 6) : wgt_range(&r, 1, 19);
    s.h = wgt_range(&r, 1, 9);
    s.w = wgt_range(&r, 1, 9);
    s.kh = wgt_range(&r, 1, 3);
    s.kw = wgt_range(&r, 1, 3);
    s.sh = 1;
    s.sw = wgt_range(&r, 1, 2);
    s.dh = wgt_range(&r, 1, 2);
    s.dw = wgt_range(&r, 1, 2);
    s.pt = wgt_range(&r, 0, 2);
    s.pl = v % 2 ? s.dw * (s.kw - 1) / 2 : wgt_range(&r, 0, 2); /* "same" padding half the time */
    int64_t eh = s.dh * (s.kh - 1) + 1, ew = s.dw * (s.kw - 1) + 1;
    if (eh > s.h + 2 * s.pt || ew > s.w + 2 * s.pl ||
        (s.layout == WG_NCHW && !(s.kh * s.kw >= 2)))
      continue;
    s.oh = s.h + 2 * s.pt - eh + 1;
    s.ow = (s.w + 2 * s.pl - ew) / s.sw + 1;
    s.pad = (uint8_t)wgt_range(&r, 0, 255);
    s.k = s.kh * s.kw * s.c;
    s.n = s.oh * s.ow;
    s.cs = s.layout == WG_NHWC && v % 3 == 0 ? s.c + wgt_range(&r, 1, 9) : s.c;
    CHECK(wg_bsrc_images_apply(&s), "case %d", v);
    int64_t xbytes = s.layout == WG_NCHW ? s.c * s.h * s.w : s.h * s.w * s.cs;
    uint8_t *x = malloc((size_t)xbytes);
    for (int64_t i = 0; i < xbytes; i++) x[i] = (uint8_t)wgt_next(&r);
    s.x = x;
    size_t bytes = wg_bsrc_images_bytes(&s);
    uint8_t *imgs = malloc(bytes + 64);
    memset(imgs, 0x5A, bytes + 64);
    int64_t units = (int64_t)wg_bsrc_images_units(&s);
    CHECK(units == (s.layout == WG_NCHW ? s.c : (s.c + 7) / 8), "case %d: %lld units", v,
          (long long)units);
    _Atomic uint64_t *state = malloc((size_t)units * sizeof *state);
    /* Unit 0 "being built" by another task of this call, the others left by
     * another call. */
    s.imgs_id = 7;
    for (int64_t c = 0; c < units; c++) atomic_init(&state[c], c == 0 ? 14 : 5);
    s.imgs = imgs;
    s.imgs_state = state;
    uint8_t *tmp = malloc((size_t)s.n);
    int ok = 1;
    for (int q = 0; q < 40 && ok; q++) {
      int64_t k = wgt_range(&r, 0, s.k - 1), n0 = wgt_range(&r, 0, s.n - 1);
      int64_t len = wgt_range(&r, 1, s.n - n0);
      const uint8_t *got = wg_bsrc_row(&s, k, n0, len, tmp);
      for (int64_t j = 0; j < len && ok; j++)
        if (got[j] != conv_def(&s, k, n0 + j)) {
          wgt_fail(__FILE__, __LINE__, "case %d (%s): row %lld column %lld: got %d, want %d", v,
                   s.layout == WG_NCHW ? "NCHW" : "NHWC",
                   (long long)k, (long long)(n0 + j), got[j], conv_def(&s, k, n0 + j));
          ok = 0;
        }
    }
    for (int64_t c = 1; c < units && ok; c++) {
      uint64_t st = atomic_load(&state[c]);
      CHECK(st == 5 || st == 15, "case %d: channel %lld state %llu", v, (long long)c,
            (unsigned long long)st);
    }
    CHECK(atomic_load(&state[0]) == 14, "case %d: a channel being built was taken over", v);
    /* A pack's question for a whole depth block (wg_bsrc_images_ready):
     * not ready while unit 0 is being built, every other unit built by the
     * asking; ready for a block of unit 1's channels alone. */
    CHECK(!wg_bsrc_images_ready(&s, 0, s.k), "case %d: ready with unit 0 busy", v);
    for (int64_t c = 1; c < units; c++)
      CHECK(atomic_load(&state[c]) == 15, "case %d: unit %lld not built", v, (long long)c);
    if (units > 1) {
      int64_t taps = s.kh * s.kw, k1 = s.layout == WG_NCHW ? taps : 8;
      int64_t n1 = s.layout == WG_NCHW ? taps : (s.c - 8 < 8 ? s.c - 8 : 8);
      CHECK(wg_bsrc_images_ready(&s, k1, n1), "case %d: unit 1 not ready", v);
    }
    CHECK(imgs[bytes] == 0x5A, "case %d: wrote past the images", v);
    wgt_count_check(1);
    ran++;
    free(x);
    free(imgs);
    free((void *)state);
    free(tmp);
    if (!ok) return;
  }
  CHECK(ran > 300, "too few sources ran: %d", ran);
}
