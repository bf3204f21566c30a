/*
 * Direct NHWC convolution: output pixels are the tile's rows and output
 * channels its columns, activations are broadcast straight from the input
 * image and the weights are the vector operand, so nothing is packed per
 * call (wg_dtile in kernel.h).  What implicit im2col spends on packing B
 * (12-17% of a 64-channel 56x56 layer) is gone; in its place each task
 * builds an indirection table, MR pointers per filter tap per pixel panel,
 * which costs about as much as one tile's epilogue per panel.
 *
 *   for each pixel block of a task (<= BLOCK panels of MR pixels):
 *     build the block's table: pixel i, tap t -> its C input channels, or
 *                                a run of zero-point codes (padding)
 *     for each NR-channel panel q of the task's channel range:
 *       for each pixel panel p of the block:   <- q's weights stay in L1/L2
 *         micro-kernel(p, q)
 *
 * Channels outside the pixel loop keep one channel panel's weights (K x NR
 * bytes: 9 KiB at C = 64, 72 KiB at C = 512) hot while the block's input
 * rows stream from L2; the other order would stream the whole weight
 * matrix (2.4 MB at 512 x 4608) from L3 once per pixel panel.  Each output
 * is one micro-kernel call whatever the split: bit-identical for every
 * thread count.
 */
#include <string.h>

#include "internal.h"

/* Pixel panels per block: 64 panels of 6 pixels of a 56-wide image span
 * about 9 input rows (32 KiB at C = 64) and a 27 KiB table, both in L2. */
#define WG_DIRECT_BLOCK 64

typedef struct dplan {
  const wg_run *r;
  const wg_direct *d;
  const wg_apack *wp;
  int64_t taps, npix, panels;
  int64_t pblk, nblk;    /* panels per pixel block, pixel blocks         */
  int64_t qpr, nqr;      /* channel panels per range, channel ranges     */
  size_t pad_bytes;
} dplan;

/* Pointers for pixel panels [p0, p1): table[((p - p0)*taps + t)*mr + i]. */
static void build_table(const dplan *pl, int64_t p0, int64_t p1, const uint8_t *pad,
                        const uint8_t **table) {
  const wg_bsrc *s = &pl->r->src;
  int mr = pl->d->mr;
  int64_t per_img = s->oh * s->ow;
  for (int64_t p = p0; p < p1; p++)
    for (int i = 0; i < mr; i++) {
      const uint8_t **col = table + (p - p0) * pl->taps * mr + i;
      int64_t n = p * mr + i;
      if (n >= pl->npix) { /* rows past the last pixel: computed, never stored */
        for (int64_t t = 0; t < pl->taps; t++) col[t * mr] = pad;
        continue;
      }
      int64_t img = n / per_img, rem = n % per_img;
      int64_t ih0 = rem / s->ow * s->sh - s->pt, iw0 = rem % s->ow * s->sw - s->pl;
      const uint8_t *base = s->x + (size_t)(img * s->h * s->w * s->c);
      for (int64_t kh = 0, t = 0; kh < s->kh; kh++) {
        int64_t ih = ih0 + kh * s->dh;
        for (int64_t kw = 0; kw < s->kw; kw++, t++) {
          int64_t iw = iw0 + kw * s->dw;
          col[t * mr] = ih >= 0 && ih < s->h && iw >= 0 && iw < s->w
                            ? base + (size_t)((ih * s->w + iw) * s->c)
                            : pad;
        }
      }
    }
}

static void run_task(void *arg, int64_t t, uint8_t *mem) {
  const dplan *pl = arg;
  const wg_run *r = pl->r;
  const wg_direct *d = pl->d;
  int64_t blk = t / pl->nqr, qr = t % pl->nqr;
  int64_t p0 = blk * pl->pblk, p1 = p0 + pl->pblk;
  if (p1 > pl->panels) p1 = pl->panels;
  int64_t qpanels = (r->w->m + d->nr - 1) / d->nr;
  int64_t q0 = qr * pl->qpr, q1 = q0 + pl->qpr;
  if (q1 > qpanels) q1 = qpanels;
  if (p0 >= p1 || q0 >= q1) return;

  uint8_t *pad = mem;
  memset(pad, r->src.pad, (size_t)r->src.c);
  const uint8_t **table = (const uint8_t **)(mem + pl->pad_bytes);
  build_table(pl, p0, p1, pad, table);

  size_t es = wg_output_size(r->epi.output);
  int64_t m = r->w->m;
  for (int64_t q = q0; q < q1; q++) {
    int64_t oc0 = q * d->nr;
    wg_dtile tile = {
        .taps = pl->taps,
        .channels = r->src.c,
        .w = (const char *)pl->wp->data + (size_t)q * pl->wp->panel_bytes,
        .epi = &r->epi,
        .oc0 = oc0,
        .ocs = (int)(m - oc0 < d->nr ? m - oc0 : d->nr),
        .ys_pix = m,
    };
    for (int64_t p = p0; p < p1; p++) {
      int64_t n0 = p * d->mr;
      tile.pix = table + (p - p0) * pl->taps * d->mr;
      tile.pixels = (int)(pl->npix - n0 < d->mr ? pl->npix - n0 : d->mr);
      tile.y = (char *)r->y + (size_t)(n0 * m + oc0) * es;
      d->run(&tile);
    }
  }
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int wg_direct_conv_applies(const wg_context *ctx, const wg_run *r) {
  const wg_direct *d = r->kern->direct;
  return ctx->direct_conv && d && r->src.is_conv && r->src.layout == WG_NHWC &&
         r->src.c % d->ku == 0 && r->w->k <= d->max_depth && d->epi_ok(&r->epi) &&
         wg_weights_find_direct(r->w, r->kern) != NULL;
}

wg_status wg_direct_conv_run(wg_context *ctx, const wg_run *r) {
  const wg_direct *d = r->kern->direct;
  dplan pl = {.r = r, .d = d, .wp = wg_weights_find_direct(r->w, r->kern)};
  pl.taps = r->src.kh * r->src.kw;
  pl.npix = r->n;
  pl.panels = ceil_div(pl.npix, d->mr);
  int64_t qpanels = ceil_div(r->w->m, d->nr);

  /* The split: pixel blocks of at most WG_DIRECT_BLOCK panels, as many as
   * a multiple of the thread count where the panels allow (near-equal
   * tasks, equal shares); too few blocks for 2 tasks per thread (the deep
   * layers: 49 pixels are 9 panels) and the channel panels split too, which
   * costs only one more table per task. */
  int par = ctx->runner ? ctx->runner_par : ctx->threads;
  int64_t want = par > 1 ? 2 * (int64_t)par : 1;
  int64_t nblk = ceil_div(pl.panels, WG_DIRECT_BLOCK);
  while (par > 1 && nblk % par != 0 && nblk < pl.panels) nblk++;
  pl.pblk = ceil_div(pl.panels, nblk);
  pl.nblk = ceil_div(pl.panels, pl.pblk);
  pl.nqr = pl.nblk >= want ? 1 : ceil_div(want, pl.nblk);
  if (pl.nqr > qpanels) pl.nqr = qpanels;
  pl.qpr = ceil_div(qpanels, pl.nqr);
  pl.nqr = ceil_div(qpanels, pl.qpr);

  pl.pad_bytes = ((size_t)r->src.c + 63) & ~(size_t)63;
  size_t need = pl.pad_bytes + (size_t)(pl.pblk * pl.taps * d->mr) * sizeof(uint8_t *);
  return wg_run_tasks(ctx, run_task, &pl, need, pl.nblk * pl.nqr);
}
