/*
 * The macro-kernel: splits a call into tasks (image x column chunk x row
 * range), and in each task runs the BLIS loop nest
 *
 *   for each depth block k0 (kernel's kc):
 *     pack the chunk's B panels for [k0, k0+kc)           (kernel pack_b)
 *     for each NR-column panel jp:        <- its B panel stays in L1
 *       for each MR-row panel ip:         <- A panels stream from L2
 *         micro-kernel(ip, jp)                            (kernel run)
 *
 * Every output is computed by one micro-kernel sequence whatever the split,
 * and integer lane sums are order-independent, so results are bit-identical
 * for every thread count.
 */
#include <stdatomic.h>
#include <string.h>

#include "internal.h"

/* Packed weights beyond this many bytes no longer stay in L2 beside the B
 * panels and outputs (docs/performance.md, "Weights beyond L2"). */
#define WG_DRIVER_L2_A (256 * 1024)
/* A shared packing of B larger than this is left to the tasks' own
 * scratch (packed once per thread). */
#define WG_DRIVER_SHARED_MAX ((size_t)8 << 20)
/* Shifted images larger than this are left to the kernels' packs (a few
 * output rows' worth per depth block, docs/performance.md "Shifted
 * images"). */
#define WG_DRIVER_IMAGES_MAX ((size_t)8 << 20)
/* NHWC images below this many output pixels are left to the packs' own
 * gather: the AVX-512 lookup-table kernel's 512x7x7 layer (49 pixels) ran
 * 1.08x slower with images, its 256x14x14 (196) 0.98x (docs/performance.md,
 * "Shifted images"). */
#define WG_DRIVER_NHWC_IMAGES_MIN_PIXELS 128

static void pack_cols(const wg_kernel *k, const wg_bsrc *src, int64_t k0, int64_t groups,
                      int64_t n0, int64_t ncols, size_t bpanel, uint8_t *dst) {
  if (k->pack_b_block) {
    k->pack_b_block(src, k0, groups, n0, ncols, dst);
    return;
  }
  for (int64_t c = 0; c < ncols; c += k->nr)
    k->pack_b(src, k0, groups, n0 + c, (int)(ncols - c < k->nr ? ncols - c : k->nr),
              dst + (size_t)(c / k->nr) * bpanel);
}

/* Chunk jc of the run's shared packing of B, packed here if no task has
 * claimed it yet; NULL while another task is packing it.  A task does not
 * wait for that: the packer's thread may be descheduled for far longer than
 * a private copy of one chunk takes to pack (docs/performance.md, "Shared
 * packing of B"). */
static const uint8_t *shared_chunk(const wg_driver_plan *pl, const wg_bsrc *src, int64_t jc,
                                   int64_t n0, int64_t ncols, int64_t groups, size_t bpanel) {
  const wg_kernel *k = pl->r->kern;
  _Atomic uint64_t *state = (_Atomic uint64_t *)(void *)pl->shared + jc;
  uint8_t *dst = pl->shared + pl->state_bytes + (size_t)(n0 / k->nr) * bpanel;
  /* Words left by earlier runs hold other plans' ids. */
  uint64_t busy = 2 * pl->reuse_id, done = busy + 1;
  uint64_t s = atomic_load_explicit(state, memory_order_acquire);
  if (s == done) return dst;
  if (s == busy || !atomic_compare_exchange_strong_explicit(state, &s, busy, memory_order_relaxed,
                                                            memory_order_relaxed))
    return NULL;
  pack_cols(k, src, 0, groups, n0, ncols, bpanel, dst);
  atomic_store_explicit(state, done, memory_order_release);
  return dst;
}

/* A task's share of the call: image img, columns [n0, n0 + ncols) of
 * chunk jc, MR-panels [p0, p1) of row range ic. */
typedef struct task_span {
  int64_t img, jc, n0, ncols, p0, p1;
} task_span;

/* Task t's share; ncols <= 0 or p0 >= p1 where it has nothing to do. */
static task_span task_span_of(const wg_driver_plan *pl, int64_t t) {
  const wg_run *r = pl->r;
  const wg_kernel *k = r->kern;
  int64_t per_img = pl->nch * pl->mch;
  int64_t img = t / per_img, rem = t % per_img;
  /* A shared B goes chunk by chunk through the list, so that the threads'
   * first tasks pack different chunks at once. */
  int64_t jc = pl->bshare_bytes ? rem % pl->nch : rem / pl->mch;
  int64_t ic = pl->bshare_bytes ? rem / pl->nch : rem % pl->mch;
  /* Chunk jc holds NR-panels [jc*npn/nch, (jc+1)*npn/nch): near-equal
   * panel counts, the ragged last panel in the last chunk; on several
   * threads, chunks that shrink towards the end of the list instead
   * (wg_split_at). */
  int64_t n0 = (pl->taper ? wg_split_at(pl->npn, pl->nch, jc) : jc * pl->npn / pl->nch) * k->nr;
  int64_t ncols =
      (pl->taper ? wg_split_at(pl->npn, pl->nch, jc + 1) : (jc + 1) * pl->npn / pl->nch) * k->nr;
  if (ncols > r->n) ncols = r->n;
  ncols -= n0;
  int64_t mpanels = (r->w->m + k->mr - 1) / k->mr;
  /* Row ranges shrink towards the end of the list (wg_split_at): a chunk's
   * ranges share its packing, and the last tasks are small; where there is
   * one range a thread (even_rows), they are equal. */
  if (pl->even_rows)
    return (task_span){img, jc, n0, ncols, ic * mpanels / pl->mch, (ic + 1) * mpanels / pl->mch};
  return (task_span){img, jc, n0, ncols, wg_split_at(mpanels, pl->mch, ic),
                     wg_split_at(mpanels, pl->mch, ic + 1)};
}

/* The B panels of the task's chunk for the depth block at k0: the run's
 * shared packing where this task gets it, else `own` (the scratch), packed
 * here unless it holds them already (packed) and then tagged as holding
 * them. */
static uint8_t *block_panels(const wg_driver_plan *pl, const wg_bsrc *src, const task_span *s,
                             int64_t k0, int64_t groups, size_t bpanel, int packed,
                             wg_scratch_tag *tag, uint8_t *own) {
  const uint8_t *shared = pl->bshare_bytes && !packed
                              ? shared_chunk(pl, src, s->jc, s->n0, s->ncols, groups, bpanel)
                              : NULL;
  if (shared) return (uint8_t *)shared;
  if (!packed) pack_cols(pl->r->kern, src, k0, groups, s->n0, s->ncols, bpanel, own);
  if (pl->reuse_id) *tag = (wg_scratch_tag){pl->reuse_id, s->img, s->jc};
  return own;
}

/* Weights with a zero point: the tile's starting sums, its columns' terms
 * (colsum.c) in every row, as the partial sums of an earlier block. */
static void seed_tile(const wg_kernel *k, const uint32_t *terms, int cols, uint32_t *part) {
  for (int i = 0; i < k->mr; i++)
    for (int j = 0; j < k->nr; j++) part[i * k->nr + j] = j < cols ? terms[j] : 0;
}

/* The micro-kernels of one depth block [k0, k0 + depth): every MR x NR tile
 * of the task, its sums parked in `partial` unless the block is the last
 * (then the epilogue writes them to the image's output ybase).  With
 * `terms` (zero-point weights), the first block starts from them: in the
 * tile's parked sums, or in `seed` when there is one block. */
static void run_block(const wg_driver_plan *pl, const task_span *s, int64_t k0, int64_t depth,
                      const uint8_t *bpack, size_t bpanel, uint32_t *partial,
                      const uint32_t *terms, uint32_t *seed, char *ybase) {
  const wg_run *r = pl->r;
  const wg_kernel *k = r->kern;
  int64_t groups = depth / k->ku;
  int64_t npan = (s->ncols + k->nr - 1) / k->nr;
  size_t es = wg_output_size(r->epi.output);
  int single = pl->kc >= pl->kpad;
  for (int64_t jp = 0; jp < npan; jp++) {
    int64_t nn = s->n0 + jp * k->nr, cols = s->ncols - jp * k->nr;
    for (int64_t ip = s->p0; ip < s->p1; ip++) {
      int64_t m0 = ip * k->mr, rows = r->w->m - m0;
      uint32_t *part = single ? NULL : partial + ((ip - s->p0) * npan + jp) * k->mr * k->nr;
      int first = k0 == 0;
      if (first && terms) {
        if (!part) part = seed;
        seed_tile(k, terms + jp * k->nr, (int)(cols < k->nr ? cols : k->nr), part);
        first = 0;
      }
      wg_tile tile = {
          .kgroups = groups,
          .a = (const char *)pl->ap->data + (size_t)ip * pl->ap->panel_bytes +
               (size_t)(k0 / k->ku) * k->a_group_bytes,
          .b = bpack + jp * bpanel,
          .first = first,
          .last = k0 + depth >= pl->kpad,
          .partial = part,
          .epi = &r->epi,
          .m0 = m0,
          .rows = (int)(rows < k->mr ? rows : k->mr),
          .cols = (int)(cols < k->nr ? cols : k->nr),
          .y = ybase + (size_t)(m0 * r->ys_m + nn * r->ys_n) * es,
          .ys_m = r->ys_m,
          .ys_n = r->ys_n,
      };
      k->run(&tile);
    }
  }
}

void wg_driver_task(void *arg, int64_t t, uint8_t *mem) {
  const wg_driver_plan *pl = arg;
  const wg_run *r = pl->r;
  const wg_kernel *k = r->kern;
  const task_span s = task_span_of(pl, t);
  if (s.p0 >= s.p1 || s.ncols <= 0) return;

  /* The scratch: its tag, the chunk's packed B panels, the partial sums
   * of several depth blocks.  The block may hold this chunk already,
   * packed by an earlier task of this plan (its tag says so): the tasks of
   * a chunk are consecutive, so a thread that runs several of them packs
   * the chunk once. */
  wg_scratch_tag *tag = (wg_scratch_tag *)mem;
  uint8_t *bpack = mem + WG_SCRATCH_TAG;
  uint32_t *terms = (uint32_t *)(bpack + pl->bpack_bytes), *seed = terms + pl->zw_words - k->mr * k->nr;
  uint32_t *partial = terms + pl->zw_words;
  int packed = wg_scratch_holds(tag, pl->reuse_id, s.img, s.jc);

  struct wg_bsrc src = r->src;
  src.x += s.img * r->x_img;
  if (pl->imgs_id && pl->shared) {
    src.imgs = pl->shared + pl->imgs_at + pl->imgs_state_bytes + (size_t)s.img * pl->imgs_per_img;
    src.imgs_state = (_Atomic uint64_t *)(void *)(pl->shared + pl->imgs_at) +
                     s.img * (int64_t)wg_bsrc_images_units(&r->src);
    src.imgs_id = pl->imgs_id;
  }
  if (pl->zw_words)
    wg_zw_column_terms(&src, r->w->zw, r->epi.zx, s.n0, s.ncols, terms);
  else
    terms = NULL;
  char *ybase = (char *)r->y + (size_t)(s.img * r->y_img) * wg_output_size(r->epi.output);
  for (int64_t k0 = 0; k0 < pl->kpad; k0 += pl->kc) {
    int64_t depth = pl->kpad - k0 < pl->kc ? pl->kpad - k0 : pl->kc;
    int64_t groups = depth / k->ku;
    size_t bpanel = (size_t)groups * k->b_group_bytes;
    bpack = block_panels(pl, &src, &s, k0, groups, bpanel, packed, tag, bpack);
    run_block(pl, &s, k0, depth, bpack, bpanel, partial, terms, seed, ybase);
  }
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* The split (docs/performance.md, "How the driver splits a call"): depth
 * blocks, then column chunks of whole NR panels, each packed once per
 * task, and row ranges of MR panels where chunks alone make too few tasks.
 * What each step decides works from these. */
typedef struct split {
  int par;              /* threads */
  int64_t want;         /* tasks to aim for: 2 per thread */
  int64_t nimg;         /* independent images (each its own chunks) */
  int64_t npn, mpanels; /* NR panels of N, MR panels of M */
  int64_t pmax;         /* the most NR panels a chunk may have (nc) */
  size_t bpanel;        /* one packed NR panel of a depth block */
} split;

/* Chunks keep at least this many NR panels before rows are split. */
#define WG_DRIVER_MIN_PANELS 3

/* Equal depth blocks, never deeper than the kernel's kc (a kernel may rely
 * on that bound): K = 576 with kc = 512 runs as 2 x 288, not as 512 + 64,
 * whose short block would pay a tile's fixed costs for little work. */
static void plan_depth(wg_driver_plan *pl, const wg_kernel *k, int64_t K) {
  pl->kpad = ceil_div(K, k->ku) * k->ku;
  pl->kc = k->kc > 0 && k->kc < pl->kpad ? k->kc : pl->kpad;
  int64_t nblocks = ceil_div(pl->kpad, pl->kc);
  pl->kc = ceil_div(ceil_div(pl->kpad, nblocks), k->ku) * k->ku;
}

/* Weights beyond L2 split the rows first, so that a task streams its share
 * of A rather than all of it ("Weights beyond L2"). */
static int rows_first(const wg_run *r, const wg_driver_plan *pl, const split *s) {
  return s->par > 1 && s->nimg == 1 && (size_t)r->w->m * (size_t)pl->kpad > WG_DRIVER_L2_A &&
         s->mpanels >= 2 * (int64_t)s->par;
}

/* Whether B is packed once into the run's shared block rather than once per
 * thread, every thread working on every chunk here: with one depth block
 * and at least a chunk per thread ("Shared packing of B"). */
static void share_b(wg_driver_plan *pl, const split *s) {
  size_t state_bytes = ((size_t)pl->nch * sizeof(uint64_t) + 63) & ~(size_t)63;
  size_t bytes = state_bytes + (size_t)s->npn * s->bpanel;
  if (pl->kc >= pl->kpad && pl->nch >= s->par && bytes <= WG_DRIVER_SHARED_MAX) {
    pl->state_bytes = state_bytes;
    pl->shared_bytes = pl->bshare_bytes = bytes;
  }
}

/* An image's bytes of shifted images (whole lines) when the run's
 * convolution gets them, else 0: NCHW, or NHWC run one image at a time
 * (wg_driver_run), with sh = 1, for a kernel that reads them, within
 * WG_DRIVER_IMAGES_MAX for the batch. */
static size_t images_for(const wg_run *r) {
  const wg_bsrc *s = &r->src;
  if (!wg_bsrc_images_apply(s)) return 0;
  if (!(s->layout == WG_NCHW ? r->kern->nchw_images
                             : r->kern->nhwc_images && s->n == s->oh * s->ow &&
                                   s->n >= WG_DRIVER_NHWC_IMAGES_MIN_PIXELS))
    return 0;
  size_t per = (wg_bsrc_images_bytes(s) + 63) & ~(size_t)63;
  return per <= WG_DRIVER_IMAGES_MAX / (size_t)r->nimg ? per : 0;
}

/* Convolutions with sh = 1: shifted images of whole channels in the
 * shared block, built once per call by the first task to need each
 * channel, rather than a few output rows' worth per depth block and chunk
 * in every task's pack (NCHW), or pixel runs gathered and transposed per
 * block (NHWC) (docs/performance.md, "Shifted images"). */
static void plan_images(wg_driver_plan *pl, const wg_run *r) {
  size_t per = images_for(r);
  if (!per) return;
  size_t words = (size_t)r->nimg * wg_bsrc_images_units(&r->src);
  size_t state = (words * sizeof(uint64_t) + 63) & ~(size_t)63;
  pl->imgs_at = (pl->shared_bytes + 63) & ~(size_t)63;
  pl->imgs_state_bytes = state;
  pl->imgs_per_img = per;
  pl->imgs_id = wg_reuse_id();
  pl->shared_bytes = pl->imgs_at + state + per * (size_t)r->nimg;
}

/* Rows first: two column chunks of at least 3 panels (more where a chunk
 * would be wider than nc), then about eight row ranges a thread of at least
 * two MR panels, which a thread packs a chunk once for (reuse_id), so that
 * a thread the host slows down hands rows to the other. */
static void split_rows_first(wg_driver_plan *pl, const split *s) {
  pl->nch = ceil_div(s->want, s->par);
  while (pl->nch > 1 && s->npn / pl->nch < WG_DRIVER_MIN_PANELS) pl->nch--;
  if (pl->nch < ceil_div(s->npn, s->pmax)) pl->nch = ceil_div(s->npn, s->pmax);
  share_b(pl, s);
  pl->mch = ceil_div(8 * (int64_t)s->par, pl->nch);
  if (pl->mch > s->mpanels / 2) pl->mch = s->mpanels / 2;
  if (pl->mch < s->par) pl->mch = s->par;
}

/* Columns first: chunks of at most nc, cut finer (4 tasks a thread) while
 * they keep 3 panels, and to a multiple of the thread count so that the
 * threads get as many near-equal tasks ("Column chunks").  Then, below 2
 * tasks a thread, row ranges, each packing its chunk's B again, cheap
 * against M / mch rows of work; with fewer chunks than threads only one
 * range a thread ("Few chunks").  Only when M runs out of MR panels are the
 * columns cut finer still. */
static void split_columns_first(wg_driver_plan *pl, const split *s) {
  int64_t nch = ceil_div(s->npn, s->pmax), want_cols = 2 * s->want;
  while (s->nimg * nch < want_cols && s->npn / (nch + 1) >= WG_DRIVER_MIN_PANELS) nch++;
  while (s->par > 1 && (s->nimg * nch) % s->par != 0 &&
         s->npn / (nch + 1) >= WG_DRIVER_MIN_PANELS)
    nch++;
  int64_t chunks = s->nimg * nch;
  if (chunks >= s->want)
    pl->mch = 1;
  else if (chunks < s->par)
    pl->mch = ceil_div(s->par, chunks);
  else
    pl->mch = ceil_div(s->want, chunks);
  if (pl->mch > s->mpanels) pl->mch = s->mpanels;
  if (chunks >= s->par && chunks * pl->mch < s->want) nch = ceil_div(s->want, s->nimg * pl->mch);
  pl->nch = nch > s->npn ? s->npn : nch;
}

/* A kernel that builds lookup tables in pack_b (tables_b: the `lut`
 * kernels) gets only as many row ranges as keep every thread busy, since
 * every range builds its chunk's tables again for every depth block: the
 * eight ranges a thread of rows-first made 512x49x4608 spend 1.6x the CPU
 * time of one thread on 2 threads, no faster in wall time
 * (docs/performance.md, "Row ranges of table-building kernels"). */
static void few_row_ranges(wg_driver_plan *pl, const split *s, const wg_kernel *k) {
  if (!k->tables_b) return;
  int64_t need = ceil_div(s->par, s->nimg * pl->nch);
  if (pl->mch > need) pl->mch = need;
  /* With one range a thread the ranges are equal: shrinking ranges (3:1 for
   * two) left one of 2 threads a quarter of the rows, 1.2-1.3x on two
   * threads (docs/performance.md, "Row ranges of table-building kernels"). */
  pl->even_rows = pl->mch > 1;
}

/* On several threads chunks shrink along the task list, the widest (about
 * twice the mean) still at most nc ("Tapered ranges"); a shared B keeps
 * equal chunks, packed in parallel.  Returns the widest chunk's panels. */
static int64_t taper_chunks(wg_driver_plan *pl, const split *s) {
  pl->taper = s->par > 1 && !pl->bshare_bytes;
  int64_t npan = ceil_div(s->npn, pl->nch);
  if (pl->taper)
    while ((npan = wg_split_widest(s->npn, pl->nch)) > s->pmax && pl->nch < s->npn) pl->nch++;
  return npan;
}

/* A task's scratch: the widest chunk's packed B panels and, across several
 * depth blocks, the partial sums of its widest row range. */
static size_t plan_scratch(wg_driver_plan *pl, const wg_run *r, int64_t npan, size_t bpanel) {
  const wg_kernel *k = r->kern;
  pl->bpack_bytes = ((size_t)npan * bpanel + 63) & ~(size_t)63;
  /* zero-point weights: the chunk's column terms and one tile's seed,
   * whole 64-byte lines */
  if (r->w->zw) pl->zw_words = ((size_t)(npan + k->mr) * (size_t)k->nr + 15) & ~(size_t)15;
  size_t partial_bytes =
      pl->kc >= pl->kpad ? 0 : (size_t)(pl->ppc * npan) * (size_t)(k->mr * k->nr) * 4;
  if (pl->kc >= pl->kpad) pl->reuse_id = wg_reuse_id();
  return pl->bpack_bytes + pl->zw_words * 4 + partial_bytes;
}

size_t wg_driver_plan_run(const wg_run *r, int par, wg_driver_plan *out) {
  const wg_kernel *k = r->kern;
  wg_driver_plan pl;
  memset(&pl, 0, sizeof pl);
  pl.r = r;
  pl.ap = wg_weights_find(r->w, k);
  plan_depth(&pl, k, r->w->k);

  split s = {.par = par, .want = par > 1 ? 2 * (int64_t)par : 1, .nimg = r->nimg};
  s.npn = ceil_div(r->n, k->nr);
  s.mpanels = ceil_div(r->w->m, k->mr);
  s.pmax = k->nc > 0 ? k->nc / k->nr : s.npn;
  if (s.pmax < 1) s.pmax = 1;
  s.bpanel = (size_t)(pl.kc / k->ku) * k->b_group_bytes;
  if (rows_first(r, &pl, &s))
    split_rows_first(&pl, &s);
  else
    split_columns_first(&pl, &s);
  int64_t npan = taper_chunks(&pl, &s);
  few_row_ranges(&pl, &s, k);
  pl.npn = s.npn;
  pl.ppc = pl.even_rows ? ceil_div(s.mpanels, pl.mch) : wg_split_widest(s.mpanels, pl.mch);
  pl.tasks = r->nimg * pl.nch * pl.mch;

  size_t need = plan_scratch(&pl, r, npan, s.bpanel);
  plan_images(&pl, r);
  *out = pl;
  return need;
}

wg_status wg_driver_run(wg_context *ctx, const wg_run *r) {
  /* An NHWC convolution is one GEMM over the batch (conv.c); for a kernel
   * that reads shifted images, one GEMM per image, each image's pixels its
   * columns (the images are per image), into the same pixel-major output. */
  wg_run per;
  if (r->src.is_conv && r->src.layout == WG_NHWC && r->kern->nhwc_images &&
      r->src.n > r->src.oh * r->src.ow) {
    per = *r;
    per.n = per.src.n = r->src.oh * r->src.ow;
    per.nimg = r->n / per.n;
    per.x_img = r->src.h * r->src.w * r->src.cs;
    per.y_img = per.n * r->ys_n;
    if (images_for(&per)) r = &per;
  }
  wg_driver_plan pl;
  size_t need = wg_driver_plan_run(r, ctx->runner ? ctx->runner_par : ctx->threads, &pl);
  return wg_run_tasks_shared(ctx, wg_driver_task, &pl, need, pl.tasks, pl.shared_bytes,
                             &pl.shared);
}
