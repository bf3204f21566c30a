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

/* Packed weights beyond this many bytes no longer stay in L2 (512 KiB on
 * this core, shared with the B panels and outputs). */
#define WG_DRIVER_L2_A (256 * 1024)
/* A shared packing of B larger than this is left to the tasks' own
 * scratch (packed once per thread). */
#define WG_DRIVER_SHARED_MAX ((size_t)8 << 20)

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
 * wait for that: the packer's vCPU may be descheduled by the host for
 * milliseconds, and packing a private copy costs at most one chunk's
 * packing (20-40 us on the Table 7 layers). */
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

void wg_driver_task(void *arg, int64_t t, uint8_t *mem) {
  const wg_driver_plan *pl = arg;
  const wg_run *r = pl->r;
  const wg_kernel *k = r->kern;
  int64_t per_img = pl->nch * pl->mch;
  int64_t img = t / per_img, rem = t % per_img;
  /* A shared B goes chunk by chunk through the list, so that the threads'
   * first tasks pack different chunks at once. */
  int64_t jc = pl->shared_bytes ? rem % pl->nch : rem / pl->mch;
  int64_t ic = pl->shared_bytes ? rem / pl->nch : rem % pl->mch;
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
   * ranges share its packing, and the last tasks are small. */
  int64_t p0 = wg_split_at(mpanels, pl->mch, ic), p1 = wg_split_at(mpanels, pl->mch, ic + 1);
  if (p0 >= p1 || ncols <= 0) return;

  /* The scratch: its tag, the chunk's packed B panels, the partial sums
   * of several depth blocks.  The block may hold this chunk already,
   * packed by an earlier task of this plan (its tag says so): the tasks of
   * a chunk are consecutive, so a thread that runs several of them packs
   * the chunk once. */
  wg_scratch_tag *tag = (wg_scratch_tag *)mem;
  uint8_t *bpack = mem + WG_SCRATCH_TAG;
  uint32_t *partial = (uint32_t *)(bpack + pl->bpack_bytes);
  int packed = wg_scratch_holds(tag, pl->reuse_id, img, jc);

  struct wg_bsrc src = r->src;
  src.x += img * r->x_img;
  size_t es = wg_output_size(r->epi.output);
  char *ybase = (char *)r->y + (size_t)(img * r->y_img) * es;
  int64_t npan = (ncols + k->nr - 1) / k->nr;
  const char *adata = pl->ap->data;
  int single = pl->kc >= pl->kpad;

  for (int64_t k0 = 0; k0 < pl->kpad; k0 += pl->kc) {
    int64_t depth = pl->kpad - k0 < pl->kc ? pl->kpad - k0 : pl->kc;
    int64_t groups = depth / k->ku;
    size_t bpanel = (size_t)groups * k->b_group_bytes;
    const uint8_t *shared = pl->shared_bytes && !packed
                                ? shared_chunk(pl, &src, jc, n0, ncols, groups, bpanel)
                                : NULL;
    if (shared) {
      bpack = (uint8_t *)shared;
    } else {
      if (!packed) pack_cols(k, &src, k0, groups, n0, ncols, bpanel, bpack);
      if (pl->reuse_id) *tag = (wg_scratch_tag){pl->reuse_id, img, jc};
    }
    for (int64_t jp = 0; jp < npan; jp++) {
      int64_t nn = n0 + jp * k->nr, cols = ncols - jp * k->nr;
      for (int64_t ip = p0; ip < p1; ip++) {
        int64_t m0 = ip * k->mr, rows = r->w->m - m0;
        wg_tile tile = {
            .kgroups = groups,
            .a = adata + (size_t)ip * pl->ap->panel_bytes +
                 (size_t)(k0 / k->ku) * k->a_group_bytes,
            .b = bpack + jp * bpanel,
            .first = k0 == 0,
            .last = k0 + depth >= pl->kpad,
            .partial = single ? NULL
                              : partial + ((ip - p0) * npan + jp) * k->mr * k->nr,
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
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

size_t wg_driver_plan_run(const wg_run *r, int par, wg_driver_plan *out) {
  const wg_kernel *k = r->kern;
  wg_driver_plan pl;
  memset(&pl, 0, sizeof pl);
  pl.r = r;
  pl.ap = wg_weights_find(r->w, k);
  pl.kpad = ceil_div(r->w->k, k->ku) * k->ku;
  pl.kc = k->kc > 0 && k->kc < pl.kpad ? k->kc : pl.kpad;
  /* Equal depth blocks, never deeper than the kernel's kc (a kernel may
   * rely on that bound): K = 576 with kc = 512 runs as 2 x 288, not as
   * 512 + 64, whose short block would pay a tile's fixed costs for little
   * work. */
  int64_t nblocks = ceil_div(pl.kpad, pl.kc);
  pl.kc = ceil_div(ceil_div(pl.kpad, nblocks), k->ku) * k->ku;

  /* The split.  Columns first go in chunks of at most nc, each chunk's B
   * panels packed once per task, whole NR panels dealt out evenly (N = 196
   * in 4 chunks is 3, 3, 3 and 3.25 panels, not 64, 64, 64 and 4 columns;
   * N = 784 in 4 is 12, 12, 12, 13 panels, not 208, 208, 208, 160).  If
   * that leaves fewer than `want_cols` tasks (4 per thread: tasks are
   * near-equal, the pool hands them out dynamically, and a thread the host
   * delays leaves fewer of them to wait for; 128x784x1152 on 2 threads
   * went from 1.74x to 1.82x against 2 per thread, interleaved in one
   * process, medians of 31), columns are cut finer while chunks keep at
   * least 3 NR panels.  Then, below `want` (2 per thread), row ranges
   * split M: each row range packs its chunk's B again, which is cheap
   * against M/mch rows of work, and the NR panels stay full on narrow N
   * (the deep-K layers, N = 49); 4 per thread there lowered the projected
   * speed-up of 256x196x2304 from 1.74-1.86x to 1.67-1.78x.  Only when M
   * runs out of MR panels are the columns cut finer still. */
  int64_t want = par > 1 ? 2 * (int64_t)par : 1;
  int64_t want_cols = 2 * want;
  int64_t nr = k->nr, mpanels = ceil_div(r->w->m, k->mr);
  int64_t npn = ceil_div(r->n, nr);
  int64_t pmax = k->nc > 0 ? k->nc / nr : npn;
  if (pmax < 1) pmax = 1;
  const int64_t min_panels = 3;
  /* Weights larger than L2 (256x196x2304: 576 KiB) split the rows first,
   * so that a task streams its share of A rather than all of it, and the
   * columns into two chunks of at least 3 panels (more where a chunk would
   * be wider than nc).  On
   * 256x196x2304 with 2 threads (one row range per thread x 2 column chunks
   * against 4 column chunks, avx2_perf, four runs each): wall-time speed-up
   * 1.29-1.56 -> 1.53-1.72x, CPU efficiency 0.73-0.84 -> 0.87-0.97. */
  int64_t nch;
  size_t bpanel = (size_t)(pl.kc / k->ku) * k->b_group_bytes;
  if (par > 1 && r->nimg == 1 && (size_t)r->w->m * (size_t)pl.kpad > WG_DRIVER_L2_A &&
      mpanels >= 2 * (int64_t)par) {
    nch = ceil_div(want, par);
    while (nch > 1 && npn / nch < min_panels) nch--;
    if (nch < ceil_div(npn, pmax)) nch = ceil_div(npn, pmax); /* chunks stay <= nc */
    /* Every thread works on every chunk here, and packing a chunk in each
     * thread's own scratch packed B once per thread: 31-43 us per packing
     * of the 830-850 us of 256x196x2304 on one thread.  With one depth
     * block and at least a chunk per thread, B is packed once into a block
     * of the run instead, the threads' first tasks packing different chunks
     * at the same time (wg_driver_task).  256x196x2304 on 2 threads, 2
     * threads / 1 thread against packing per thread (in-process, variants
     * in rotating order, medians of 41-61): 1.01-1.10x in 14 of 18 runs,
     * 0.89-0.99x in 4.  Making chunks for it where there are fewer than
     * threads (512x49x4608: 2 chunks of 32 and 17 columns instead of one)
     * streams the 2.4 MB of weights once per chunk: 0.88-1.04x, below 1
     * in 8 of 10 runs. */
    size_t state_bytes = ((size_t)nch * sizeof(uint64_t) + 63) & ~(size_t)63;
    if (pl.kc >= pl.kpad && nch >= par &&
        state_bytes + (size_t)npn * bpanel <= WG_DRIVER_SHARED_MAX) {
      pl.state_bytes = state_bytes;
      pl.shared_bytes = state_bytes + (size_t)npn * bpanel;
    }
    /* Each thread packs a chunk once however many of its row ranges it
     * runs (reuse_id), so the rows are cut finer than one range per
     * thread: about eight tasks a thread, at least two MR panels a range,
     * so that a thread the host slows down hands rows to the other
     * instead of holding up the end of the call. */
    pl.mch = ceil_div(8 * (int64_t)par, nch);
    if (pl.mch > mpanels / 2) pl.mch = mpanels / 2;
    if (pl.mch < par) pl.mch = par;
  } else {
    nch = ceil_div(npn, pmax);
    while (r->nimg * nch < want_cols && npn / (nch + 1) >= min_panels) nch++;
    /* Near-equal tasks, as many for every thread: 7 chunks of N = 3136 on 2
     * threads keep one thread busy for 4 while the other does 3 (1.75x at
     * best); 8 chunks balance. */
    while (par > 1 && (r->nimg * nch) % par != 0 && npn / (nch + 1) >= min_panels) nch++;
    /* Fewer chunks than threads (N = 49: one chunk): every row range packs
     * the chunk's B again, so only as many row ranges as there are threads,
     * one task each.  Cutting the columns too, for 2 tasks per thread, packed
     * B twice more and left chunks of 32 and 17 columns (a narrow tail):
     * 512 x 49 x 4608 spent 0.74-0.82 of the 1-thread CPU time per unit of
     * work on 2 threads, 0.88-0.93 with row ranges only (projected speed-up
     * 1.66-1.85x -> 1.89-1.94x, avx2_perf). */
    if (r->nimg * nch >= want)
      pl.mch = 1;
    else if (r->nimg * nch < par)
      pl.mch = ceil_div(par, r->nimg * nch);
    else
      pl.mch = ceil_div(want, r->nimg * nch);
    if (pl.mch > mpanels) pl.mch = mpanels;
    if (r->nimg * nch >= par && r->nimg * nch * pl.mch < want)
      nch = ceil_div(want, r->nimg * pl.mch);
    if (nch > npn) nch = npn;
  }
  /* Shrinking chunks on several threads, the widest (about twice the mean)
   * still at most nc: 128x784x1152 on 2 threads 1.08-1.10x against equal
   * chunks (in-process A/B, medians of 21, three runs). */
  pl.taper = par > 1 && !pl.shared_bytes; /* a shared B: equal chunks, packed in parallel */
  int64_t npan = ceil_div(npn, nch); /* the widest chunk's panels */
  if (pl.taper)
    while ((npan = wg_split_widest(npn, nch)) > pmax && nch < npn) nch++;
  pl.npn = npn;
  pl.nch = nch;
  pl.ppc = wg_split_widest(mpanels, pl.mch);

  pl.bpack_bytes = ((size_t)npan * bpanel + 63) & ~(size_t)63;
  size_t partial_bytes = pl.kc >= pl.kpad
                             ? 0
                             : (size_t)(pl.ppc * npan) * (size_t)(k->mr * k->nr) * 4;
  pl.tasks = r->nimg * pl.nch * pl.mch;
  if (pl.kc >= pl.kpad) pl.reuse_id = wg_reuse_id();
  *out = pl;
  return pl.bpack_bytes + partial_bytes;
}

wg_status wg_driver_run(wg_context *ctx, const wg_run *r) {
  wg_driver_plan pl;
  size_t need = wg_driver_plan_run(r, ctx->runner ? ctx->runner_par : ctx->threads, &pl);
  return wg_run_tasks_shared(ctx, wg_driver_task, &pl, need, pl.tasks, pl.shared_bytes,
                             &pl.shared);
}
