/* Depthwise convolution (groups = channels): each output channel m reads
 * one input channel, m / multiplier, through KH*KW taps.  As a GEMM that is
 * C products of M/C x KH*KW by KH*KW x pixels, too thin for any register
 * tile, so a kernel may name a row routine (wg_kernel.depthwise_row) that
 * sums one output row straight from the input and finishes it through the
 * epilogue; here the rows are split over the threads.  The sums are taken
 * modulo 2^32, which wrap_b reduces further for every b, so the path is
 * exact whatever the accumulator width. */
#include "internal.h"

typedef struct dwplan {
  const wg_run *r;
  int64_t mult;
  int64_t units;  /* NHWC: batch x OH rows of every channel; NCHW: batch x M
                     x OH rows of one channel */
  int64_t tasks;
} dwplan;

int wg_depthwise_ok(const wg_context *ctx, const wg_run *r, const char **why) {
  if (r->src.c != r->groups)
    return *why = "implicit_im2col: groups below the channel count, one implicit-im2col "
                  "GEMM per group",
           0;
  if (!ctx->direct_conv)
    return *why = "implicit_im2col: direct convolution (the depthwise path) switched off, one "
                  "implicit-im2col GEMM per group",
           0;
  if (!r->kern->depthwise_row)
    return *why = "implicit_im2col: the kernel has no depthwise rows, one implicit-im2col GEMM "
                  "per group",
           0;
  if (!r->w->dw)
    return *why = "implicit_im2col: more filter taps than the weights keep for the depthwise "
                  "path, one implicit-im2col GEMM per group",
           0;
  *why = "depthwise: groups equal to the channels and a kernel with depthwise rows (sums "
         "modulo 2^32, exact for every b)";
  return 1;
}

static void run_task(void *arg, int64_t t, uint8_t *mem) {
  const dwplan *pl = arg;
  const wg_run *r = pl->r;
  const wg_bsrc *s = &r->src;
  const int64_t m = r->w->m, oh = s->oh, ow = s->ow;
  const size_t es = wg_output_size(r->epi.output);
  struct wg_bsrc img_src = *s;
  wg_dwrow row = {.src = &img_src, .w = r->w->dw, .m = m, .mult = pl->mult,
                  .acc = (uint32_t *)(void *)(mem + WG_SCRATCH_TAG), .epi = &r->epi,
                  .ys_m = r->ys_m, .ys_n = r->ys_n};
  for (int64_t u = wg_split_at(pl->units, pl->tasks, t),
               end = wg_split_at(pl->units, pl->tasks, t + 1);
       u < end; u++) {
    if (s->layout == WG_NHWC) { /* u = img*OH + oh; pixel n = u*OW + ow */
      row.oh = u % oh;
      img_src.x = s->x + (u / oh) * s->h * s->w * s->cs;
      row.y = (char *)r->y + (size_t)(u * ow * r->ys_n) * es;
    } else { /* u = (img*M + ch)*OH + oh */
      int64_t img = u / (m * oh), rem = u % (m * oh);
      row.ch = rem / oh;
      row.oh = rem % oh;
      img_src.x = s->x + img * r->x_img;
      row.y = (char *)r->y + (size_t)(img * r->y_img + row.ch * r->ys_m + row.oh * ow * r->ys_n) * es;
    }
    r->kern->depthwise_row(&row);
  }
}

wg_status wg_depthwise_run(wg_context *ctx, const wg_run *r) {
  const wg_bsrc *s = &r->src;
  dwplan pl = {.r = r, .mult = r->w->m / s->c};
  int nhwc = s->layout == WG_NHWC;
  /* r->n: the batch's pixels (NHWC), one image's (NCHW) */
  int64_t batch = nhwc ? r->n / (s->oh * s->ow) : r->nimg;
  pl.units = batch * s->oh * (nhwc ? 1 : r->w->m);
  /* about eight tasks a thread, so that a thread the host slows down holds
   * up the end of the call by little */
  int par = ctx->runner ? ctx->runner_par : ctx->threads;
  pl.tasks = par > 1 ? 8 * (int64_t)par : 1;
  if (pl.tasks > pl.units) pl.tasks = pl.units;
  size_t need = (size_t)(s->ow * (nhwc ? r->w->m : 1)) * sizeof(uint32_t);
  return wg_run_tasks(ctx, run_task, &pl, need, pl.tasks);
}
