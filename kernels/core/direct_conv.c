/*
 * Direct convolution: output pixels are the tile's rows and output
 * channels its columns, activations are broadcast straight from the input
 * pixels and the weights are the vector operand, so nothing is packed per
 * call (wg_dtile in kernel.h).  What implicit im2col spends on packing B
 * is gone; in its place each task builds an indirection table, MR pointers
 * per filter tap per pixel panel, a few times cheaper (docs/performance.md,
 * "Direct convolution").  NCHW input has its channels apart: each task
 * first turns the input rows its block reads into pixels
 * (wg_direct.to_pixels, a byte transpose of about 1.3x the image, halo
 * rows included), its tiles store pixel-major into
 * scratch that wg_direct.to_channels turns into channel rows, and its OIHW
 * weights are reordered tap-major once per weights (weights.c).
 *
 *   for each pixel block of a task (<= BLOCK panels of MR pixels, one image
 *   for NCHW):
 *     NCHW: the block's input rows -> pixels of C channels
 *     build the block's table: pixel i, tap t -> its C input channels, or
 *                                a run of zero-point codes (padding)
 *     for each NR-channel panel q of the task's channel range:
 *       for each pixel panel p of the block:   <- q's weights stay in L1/L2
 *         micro-kernel(p, q)
 *       NCHW: channel panel q of the block, staged pixel-major -> its
 *             channel rows of the output
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
/* The fewest panels a block is cut to for more tasks: 96 pixels of a
 * 56-wide image span two or three output rows and read four or five input
 * rows (NCHW turns the halo rows into pixels once more per block). */
#define WG_DIRECT_MIN_BLOCK 16
/* Filters with up to this many taps get their offsets precomputed. */
#define WG_DIRECT_MAX_TAPS 64

typedef struct dplan {
  const wg_run *r;
  const wg_direct *d;
  const wg_apack *wp;
  int nchw;
  int64_t taps, npix, panels; /* pixels and MR-panels of one image (NCHW)
                                 or of the whole batch (NHWC)          */
  int64_t pblk, nblk;    /* panels per pixel block, pixel blocks         */
  int64_t nqr;           /* channel ranges (wg_split_at of the panels)   */
  size_t pad_bytes, table_bytes, pixel_bytes;
  uint64_t reuse_id; /* names the pixel block set up in a task's scratch */
} dplan;

/* Moves output position (img, oh, ow) on by k pixels of one output row
 * (k = 1, or a whole panel that ends at or before the row's end). */
static void next_pixels(const wg_bsrc *s, int64_t k, int64_t *ow, int64_t *oh, int64_t *img) {
  *ow += k;
  if (*ow < s->ow) return;
  *ow = 0;
  if (++*oh == s->oh) {
    *oh = 0;
    ++*img;
  }
}

/* Pointers for pixel panels [p0, p1): table[((p - p0)*taps + t)*mr + i].
 * `x` holds the batch (NHWC), or input rows [ih0, ...) of one image as
 * pixels (NCHW, after to_pixels): pixel (img, ih, iw) is at
 * x + ((img*H + ih - ih0)*W + iw)*C either way.  Pixels are walked in
 * order (one division per block, not three per pixel), and a window that
 * lies inside the image takes its taps as fixed offsets from its corner:
 * divisions and per-tap bounds tests for every pixel had made the table a
 * visible share of a layer ("Direct convolution"). */
static void build_table(const dplan *pl, int64_t p0, int64_t p1, const uint8_t *x,
                        int64_t ih0, const uint8_t *pad, const uint8_t **table) {
  const wg_bsrc *s = &pl->r->src;
  int mr = pl->d->mr;
  int64_t per_img = s->oh * s->ow, C = s->c;
  int64_t off[WG_DIRECT_MAX_TAPS];
  int fixed = pl->taps <= WG_DIRECT_MAX_TAPS;
  for (int64_t kh = 0, t = 0; fixed && kh < s->kh; kh++)
    for (int64_t kw = 0; kw < s->kw; kw++, t++) off[t] = (kh * s->dh * s->w + kw * s->dw) * C;
  int64_t span_h = (s->kh - 1) * s->dh, span_w = (s->kw - 1) * s->dw;
  int64_t n = p0 * mr;
  int64_t img = n / per_img, oh = n % per_img / s->ow, ow = n % s->ow;
  for (int64_t p = p0; p < p1; p++) {
    const uint8_t **panel = table + (p - p0) * pl->taps * mr;
    /* A panel whose MR pixels lie in one output row with every window
     * inside the image (most of them): its taps are fixed offsets from the
     * first pixel's corner, pixel i another i*sw*C further, filled a tap at
     * a time (the per-pixel walk below is the slow path). */
    int64_t ihs = oh * s->sh - s->pt, iws = ow * s->sw - s->pl;
    if (fixed && n + mr <= pl->npix && ow + mr <= s->ow && ihs >= 0 && ihs + span_h < s->h &&
        iws >= 0 && iws + (mr - 1) * s->sw + span_w < s->w) {
      const uint8_t *corner = x + (size_t)((((img * s->h - ih0) + ihs) * s->w + iws) * C);
      int64_t step = s->sw * C;
      for (int64_t t = 0; t < pl->taps; t++)
        for (int i = 0; i < mr; i++) panel[t * mr + i] = corner + off[t] + i * step;
      n += mr;
      next_pixels(s, mr, &ow, &oh, &img);
      continue;
    }
    for (int i = 0; i < mr; i++, n++) {
      const uint8_t **col = panel + i;
      if (n >= pl->npix) { /* rows past the last pixel: computed, never stored */
        for (int64_t t = 0; t < pl->taps; t++) col[t * mr] = pad;
        continue;
      }
      ihs = oh * s->sh - s->pt;
      iws = ow * s->sw - s->pl;
      /* Row ih of this image is row `row0 + ih` of x (>= 0 for every row
       * the block reads), kept as an index: a base pointer ih0 rows before
       * x would point outside it. */
      int64_t row0 = img * s->h - ih0;
      if (fixed && ihs >= 0 && ihs + span_h < s->h && iws >= 0 && iws + span_w < s->w) {
        const uint8_t *corner = x + (size_t)(((row0 + ihs) * s->w + iws) * C);
        for (int64_t t = 0; t < pl->taps; t++) col[t * mr] = corner + off[t];
      } else {
        for (int64_t kh = 0, t = 0; kh < s->kh; kh++) {
          int64_t ih = ihs + kh * s->dh;
          int row_in = ih >= 0 && ih < s->h;
          for (int64_t kw = 0; kw < s->kw; kw++, t++) {
            int64_t iw = iws + kw * s->dw;
            col[t * mr] = row_in && iw >= 0 && iw < s->w
                              ? x + (size_t)(((row0 + ih) * s->w + iw) * C)
                              : pad;
          }
        }
      }
      next_pixels(s, 1, &ow, &oh, &img);
    }
  }
}

/* Input rows [*lo, *hi) that output pixels [n0, n1) of an image read. */
static void input_rows(const wg_bsrc *s, int64_t n0, int64_t n1, int64_t *lo, int64_t *hi) {
  int64_t first = (n0 / s->ow) * s->sh - s->pt;
  int64_t last = ((n1 - 1) / s->ow) * s->sh - s->pt + (s->kh - 1) * s->dh;
  *lo = first < 0 ? 0 : first;
  *hi = last + 1 > s->h ? s->h : last + 1;
  if (*hi < *lo) *hi = *lo;
}

static void run_task(void *arg, int64_t t, uint8_t *mem) {
  const dplan *pl = arg;
  const wg_run *r = pl->r;
  const wg_direct *d = pl->d;
  int64_t per_img = pl->nblk * pl->nqr;
  int64_t img = t / per_img;
  t %= per_img;
  int64_t blk = t / pl->nqr, qr = t % pl->nqr;
  int64_t p0 = blk * pl->pblk, p1 = p0 + pl->pblk;
  if (p1 > pl->panels) p1 = pl->panels;
  int64_t qpanels = (r->w->m + d->nr - 1) / d->nr;
  int64_t q0 = wg_split_at(qpanels, pl->nqr, qr), q1 = wg_split_at(qpanels, pl->nqr, qr + 1);
  if (p0 >= p1 || q0 >= q1) return;

  /* The scratch may hold this block's pad run, table and (NCHW) pixels
   * already, made by an earlier task of this call (its tag says so): the
   * tasks of a block are consecutive, so a thread that runs several of
   * them sets the block up once. */
  wg_scratch_tag *tag = (wg_scratch_tag *)mem;
  mem += WG_SCRATCH_TAG;
  uint8_t *pad = mem;
  const uint8_t **table = (const uint8_t **)(mem + pl->pad_bytes);
  if (!wg_scratch_holds(tag, pl->reuse_id, img, blk)) {
    memset(pad, r->src.pad, (size_t)r->src.c);
    const uint8_t *x = r->src.x;
    int64_t ih0 = 0;
    if (pl->nchw) {
      const wg_bsrc *s = &r->src;
      int64_t n1 = p1 * d->mr < pl->npix ? p1 * d->mr : pl->npix, ih1;
      input_rows(s, p0 * d->mr, n1, &ih0, &ih1);
      uint8_t *pixels = mem + pl->pad_bytes + pl->table_bytes;
      d->to_pixels(x + (size_t)(img * r->x_img + ih0 * s->w), s->h * s->w, s->c,
                   (ih1 - ih0) * s->w, pixels);
      x = pixels;
    }
    build_table(pl, p0, p1, x, ih0, pad, table);
    *tag = (wg_scratch_tag){pl->reuse_id, img, blk};
  }

  size_t es = wg_output_size(r->epi.output);
  int64_t m = r->w->m;
  char *y = (char *)r->y + (size_t)(img * r->y_img) * es;
  /* NCHW output: tiles store pixel-major into the task's scratch, each
   * channel panel then turned into its channel rows in 16 x 16 byte blocks:
   * short stores per channel and tile, through a transpose per tile, had
   * made the NCHW finish cost several times the NHWC one ("Direct
   * convolution"). */
  uint8_t *stage = pl->nchw ? mem + pl->pad_bytes + pl->table_bytes + pl->pixel_bytes : NULL;
  for (int64_t q = q0; q < q1; q++) {
    int64_t oc0 = q * d->nr;
    wg_dtile tile = {
        .taps = pl->taps,
        .channels = r->src.c,
        .w = (const char *)pl->wp->data + (size_t)q * pl->wp->panel_bytes,
        .epi = &r->epi,
        .oc0 = oc0,
        .ocs = (int)(m - oc0 < d->nr ? m - oc0 : d->nr),
        .ys_pix = stage ? d->nr : r->ys_n, /* NHWC: the output's pixel stride */
    };
    for (int64_t p = p0; p < p1; p++) {
      int64_t n0 = p * d->mr;
      tile.pix = table + (p - p0) * pl->taps * d->mr;
      tile.pixels = (int)(pl->npix - n0 < d->mr ? pl->npix - n0 : d->mr);
      tile.y = stage ? (char *)stage + (size_t)((n0 - p0 * d->mr) * d->nr)
                     : y + (size_t)(n0 * r->ys_n + oc0) * es;
      d->run(&tile);
    }
    if (stage) {
      int64_t n0 = p0 * d->mr, n1 = p1 * d->mr < pl->npix ? p1 * d->mr : pl->npix;
      d->to_channels(stage, d->nr, n1 - n0, tile.ocs, (uint8_t *)y + oc0 * pl->npix + n0,
                     pl->npix);
    }
  }
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

const wg_apack *wg_direct_conv_weights(const wg_context *ctx, const wg_run *r,
                                       const char **why) {
  const wg_direct *d = r->kern->direct;
  const wg_bsrc *s = &r->src;
  if (!ctx->direct_conv) return *why = "implicit_im2col: direct convolution switched off", NULL;
  if (!d || !s->is_conv)
    return *why = "implicit_im2col: the kernel has no direct convolution", NULL;
  if (s->c % d->ku != 0)
    return *why = "implicit_im2col: channels not a multiple of the direct kernel's depth unroll",
           NULL;
  if (r->w->k > d->max_depth)
    return *why = "implicit_im2col: K beyond the direct kernel's depth block", NULL;
  if (!d->epi_ok(&r->epi))
    return *why = "implicit_im2col: an output stage the direct kernel does not finish", NULL;
  const wg_apack *p;
  if (s->layout == WG_NHWC) {
    p = wg_weights_find_direct(r->w, r->kern);
  } else {
    /* NCHW output goes through the task's pixel-major scratch, in bytes. */
    if (!d->to_pixels) return *why = "implicit_im2col: the kernel has no NCHW direct path", NULL;
    if (wg_output_size(r->epi.output) != 1)
      return *why = "implicit_im2col: NCHW direct needs a one-byte output", NULL;
    p = wg_weights_tap_major(r->w, r->kern, s->c, s->kh * s->kw);
  }
  *why = p ? "direct: the kernel has a direct convolution, channels a multiple of its depth "
             "unroll, K within its depth block and an output stage it finishes"
           : "implicit_im2col: the direct weight panels could not be made";
  return p;
}

wg_status wg_direct_conv_run(wg_context *ctx, const wg_run *r, const wg_apack *wp) {
  const wg_direct *d = r->kern->direct;
  const wg_bsrc *s = &r->src;
  dplan pl = {.r = r, .d = d, .wp = wp, .nchw = s->layout == WG_NCHW};
  pl.taps = s->kh * s->kw;
  pl.npix = r->n; /* one image's pixels (NCHW), or the batch's (NHWC) */
  pl.panels = ceil_div(pl.npix, d->mr);
  int64_t qpanels = ceil_div(r->w->m, d->nr);

  /* The split, for about eight tasks a thread: pixel blocks of at most
   * WG_DIRECT_BLOCK panels, cut finer for threads while a block keeps
   * WG_DIRECT_MIN_BLOCK panels, as many as a multiple of the thread count
   * where the panels allow (near-equal tasks, equal shares); then, still
   * short of eight a thread (the deep layers: 49 pixels are 9 panels), the
   * channel panels too.  A thread sets a block up once for all the channel
   * ranges of it that it runs (reuse_id), and small tasks let a thread the
   * host slows down hand work to the other rather than hold up the end of
   * the call (docs/performance.md, "Tasks per thread"). */
  int par = ctx->runner ? ctx->runner_par : ctx->threads;
  int64_t tasks = par > 1 ? 8 * (int64_t)par : 1;
  int64_t nblk = ceil_div(pl.panels, WG_DIRECT_BLOCK);
  while (r->nimg * nblk < tasks && pl.panels / (nblk + 1) >= WG_DIRECT_MIN_BLOCK) nblk++;
  while (par > 1 && (r->nimg * nblk) % par != 0 && nblk < pl.panels) nblk++;
  pl.pblk = ceil_div(pl.panels, nblk);
  pl.nblk = ceil_div(pl.panels, pl.pblk);
  pl.nqr = r->nimg * pl.nblk >= tasks ? 1 : ceil_div(tasks, r->nimg * pl.nblk);
  if (pl.nqr > qpanels) pl.nqr = qpanels;

  pl.pad_bytes = ((size_t)s->c + 63) & ~(size_t)63;
  pl.table_bytes = (size_t)(pl.pblk * pl.taps * d->mr) * sizeof(uint8_t *);
  size_t need = pl.pad_bytes + pl.table_bytes;
  if (pl.nchw) {
    /* A block's pixels span at most this many output rows, which read at
     * most this many input rows. */
    int64_t orows = pl.pblk * d->mr / s->ow + 2;
    if (orows > s->oh) orows = s->oh;
    int64_t irows = (orows - 1) * s->sh + (s->kh - 1) * s->dh + 1;
    if (irows > s->h) irows = s->h;
    pl.pixel_bytes = ((size_t)(irows * s->w * s->c) + 63) & ~(size_t)63;
    need += pl.pixel_bytes + (size_t)(pl.pblk * d->mr * d->nr); /* + the output stage */
  }
  pl.reuse_id = wg_reuse_id();
  return wg_run_tasks(ctx, run_task, &pl, need, r->nimg * pl.nblk * pl.nqr);
}
