/*
 * avx2_perf: throughput of the AVX2 kernels on the paper's Table 7 shapes,
 * as ratios measured in one run (docs/avx2.md).  Not a test: it prints
 * medians of repeated timings, in G multiply-accumulates per second.
 *
 *   make BUILDROOT=build-avx2 avx2-perf          (builds and runs it)
 *   avx2_perf [reps] [shape-filter]
 *
 * Columns (G MAC/s, medians of interleaved repetitions):
 *   ceiling   register-only vpsignb+vpaddb loop: this core's sign+add peak
 *   raw       ternary weights, 8-bit accumulators, raw int8 output
 *   fused     the same with smooth cyclic + float requantization to uint8
 *   acc32     the 32-bit maddubs kernel on the same operands (int32 out)
 *   nchw/nhwc conv2d (3x3, pad 1) of the same size, both through the
 *             direct convolution (NCHW rows turned into pixels per task)
 *   2thr      raw on a 2-thread context (wall time; the others are CPU
 *             time of the calling thread); thrc in the ratios: the same
 *             for the nhwc conv2d, and c2 / thr/c2: the register-only loop's
 *             own 2-thread scaling at that moment, and thr over it; p2 /
 *             thr/p2: the same for two independent 1-thread calls of raw
 * then ratios (medians of per-repetition ratios): see the legend printed
 * at the end.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wrapgemm.h"

/* oneDNN's dnnl_gemm_u8s8s32 as the int8 baseline timed in the same
 * repetitions (mk/avx2.mk defines WG_PERF_ONEDNN and links -ldnnl when
 * libdnnl-dev is installed). */
#ifdef WG_PERF_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

/* CPU time of the calling thread: this machine's cores are shared, and
 * time spent descheduled is not the kernel's.  Multi-threaded runs need
 * wall time (now_wall). */
static double now_thread(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_process(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The sign+add peak: twelve independent vpsignb+vpaddb chains on
 * registers only (the same instruction mix and register use as the 6 x 16
 * kernel, without its loads), in assembly so that nothing is hoisted. */
static void ceiling_loop(long n) {
  __asm__ volatile(
      "vpxor %%xmm12, %%xmm12, %%xmm12\n\t"
      "vpcmpeqb %%ymm13, %%ymm13, %%ymm13\n\t"
      "vpcmpeqb %%ymm14, %%ymm14, %%ymm14\n\t"
      "1:\n\t"
#define WG_CEIL_PAIR(c, bx) "vpsignb %%ymm12, " bx ", %%ymm15\n\tvpaddb %%ymm15, " c ", " c "\n\t"
      WG_CEIL_PAIR("%%ymm0", "%%ymm13") WG_CEIL_PAIR("%%ymm1", "%%ymm14")
      WG_CEIL_PAIR("%%ymm2", "%%ymm13") WG_CEIL_PAIR("%%ymm3", "%%ymm14")
      WG_CEIL_PAIR("%%ymm4", "%%ymm13") WG_CEIL_PAIR("%%ymm5", "%%ymm14")
      WG_CEIL_PAIR("%%ymm6", "%%ymm13") WG_CEIL_PAIR("%%ymm7", "%%ymm14")
      WG_CEIL_PAIR("%%ymm8", "%%ymm13") WG_CEIL_PAIR("%%ymm9", "%%ymm14")
      WG_CEIL_PAIR("%%ymm10", "%%ymm13") WG_CEIL_PAIR("%%ymm11", "%%ymm14")
#undef WG_CEIL_PAIR
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vzeroupper\n\t"
      : [n] "+r"(n)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc");
}

static double ceiling_gmacs(long iters) {
  double t0 = now_thread();
  ceiling_loop(iters);
  double dt = now_thread() - t0;
  return 12.0 * 32.0 * (double)iters / dt / 1e9;
}

/* How well this moment's machine runs two threads: the register-only loop
 * on two threads at once against one (2.0 on two free cores).  The vCPUs of
 * this guest are not always two free cores: the loop, which shares
 * nothing, has measured anywhere from 1.0 to 2.0 within a minute, so a
 * 2-thread speed-up means little without it.  Both threads start their
 * loops together, once both are running (a new thread starts on its
 * creator's vCPU here, and two loops that did not overlap would each have
 * run at full speed), each times its own loop (wall time), and the scale is
 * the sum of their rates over the 1-thread rate. */
typedef struct ceil_run {
  long iters;
  double secs;
  _Atomic int *ready; /* threads running; NULL: start at once */
} ceil_run;

/* Returns once both threads sharing `ready` have called it. */
static void start_together(_Atomic int *ready) {
  atomic_fetch_add(ready, 1);
  while (atomic_load(ready) < 2) {
  }
}

static void *ceiling_thread(void *arg) {
  ceil_run *c = arg;
  if (c->ready) start_together(c->ready);
  double t0 = now_wall();
  ceiling_loop(c->iters);
  c->secs = now_wall() - t0;
  return NULL;
}

static double ceiling_scale(long iters) {
  _Atomic int ready = 0;
  ceil_run one = {iters, 0.0, NULL}, helper = {iters, 0.0, &ready}, self = {iters, 0.0, &ready};
  ceiling_thread(&one);
  pthread_t th;
  if (pthread_create(&th, NULL, ceiling_thread, &helper) != 0) return 0.0;
  ceiling_thread(&self);
  pthread_join(th, NULL);
  return one.secs / self.secs + one.secs / helper.secs;
}

typedef struct shape {
  int64_t m, n, k, hw, c;
} shape;

typedef struct job job;
struct job {
  int onednn;             /* time dnnl_gemm_u8s8s32 on w8/x instead */
  const int8_t *w8;
  int64_t m, k;
  wg_context *ctx;
  const wg_weights *w;
  const uint8_t *x;
  int64_t n;
  const wg_conv2d_desc *conv;
  wg_act_format act;
  wg_epilogue ep;
  void *y;
  const job *partner; /* J_PAIR_WALL: the call run at the same time */
};

static wg_status run_once(const job *j) {
#ifdef WG_PERF_ONEDNN
  /* Y^T (N x M) = X^T (N x K) * W^T (K x M), read from the same buffers. */
  if (j->onednn)
    return dnnl_gemm_u8s8s32('T', 'T', 'F', j->n, j->m, j->k, 1.0f, j->x, j->n, 0, j->w8,
                             j->k, 0, 0.0f, (int32_t *)j->y, j->m, (const int32_t[]){0}) ==
                   dnnl_success
               ? WG_OK
               : WG_ERR_UNSUPPORTED;
#endif
  if (j->conv) return wg_conv2d(j->ctx, j->w, j->conv, j->x, j->act, &j->ep, j->y, NULL);
  return wg_gemm(j->ctx, j->w, j->x, j->n, j->n, j->act, &j->ep, j->y, j->n, NULL);
}

/* Projected 2-thread speed-up on a machine whose cores are not free to
 * measure it: the call runs through wg_context_set_parallel_for with a
 * runner that executes the tasks one after another on this thread, timing
 * each in thread CPU time, and the tasks are then list-scheduled in index
 * order onto `par` workers, as the pool hands them out.  The projection
 * counts the work split (duplicated packing, ragged tasks, imbalance) but
 * not wake-up latency or shared-cache contention.  A call may run several
 * parallel phases one after another (the activation-code check, in-place
 * tiles, packed head and tail columns): their makespans add up in `span`. */
typedef struct proj {
  int par;
  double busy[8];
  double span, tasks; /* makespans of the phases; all task time */
} proj;

static void proj_runner(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  proj *p = user;
  for (int w = 0; w < p->par; w++) p->busy[w] = 0.0;
  for (int64_t i = 0; i < count; i++) {
    double t0 = now_thread();
    task(task_ctx, i);
    double dt = now_thread() - t0;
    int w = 0; /* the worker that frees up first takes the next task */
    for (int v = 1; v < p->par; v++)
      if (p->busy[v] < p->busy[w]) w = v;
    p->busy[w] += dt;
    p->tasks += dt;
  }
  double span = 0.0;
  for (int w = 0; w < p->par; w++)
    if (p->busy[w] > span) span = p->busy[w];
  p->span += span;
}

/* Median over reps of (1-thread time) / (projected par-thread makespan). */
static double projected_speedup(const job *one, wg_context *hooked, proj *p, int reps) {
  double v[64];
  job j = *one;
  j.ctx = hooked;
  if (reps > 64) reps = 64;
  for (int r = 0; r < reps; r++) {
    double t0 = now_thread();
    run_once(one);
    double t1 = now_thread() - t0;
    p->span = p->tasks = 0.0;
    double t2 = now_thread();
    run_once(&j);
    /* What ran outside the parallel phases (argument checks, a serial code
     * check) counts once. */
    double serial = now_thread() - t2 - p->tasks;
    v[r] = t1 / (p->span + (serial > 0.0 ? serial : 0.0));
  }
  return median(v, reps);
}

/* What the machine gives this very work on two threads, with no split at
 * all: two independent 1-thread calls of the same GEMM (two contexts, one
 * X, outputs apart) started together, timed until both batches are done.
 * Their rate over one call's (p2) is what the memory system and the host
 * leave of 2.0 for this work; thr / p2 is what the split keeps of it. */
typedef struct pair_run {
  const job *j;
  int batch;
  double secs;
  _Atomic int *ready;
} pair_run;

static void *pair_thread(void *arg) {
  pair_run *p = arg;
  start_together(p->ready);
  double t0 = now_wall();
  for (int i = 0; i < p->batch; i++) run_once(p->j);
  p->secs = now_wall() - t0;
  return NULL;
}

/* Wall time of `batch` calls of j and of its partner, run at once. */
static double pair_secs(const job *j, int batch) {
  _Atomic int ready = 0;
  pair_run self = {j, batch, 0.0, &ready}, other = {j->partner, batch, 0.0, &ready};
  pthread_t th;
  if (pthread_create(&th, NULL, pair_thread, &other) != 0) {
    fprintf(stderr, "avx2_perf: no second thread for p2\n");
    exit(1);
  }
  pair_thread(&self);
  pthread_join(th, NULL);
  return self.secs > other.secs ? self.secs : other.secs;
}

enum { J_RAW, J_FUSED, J_ACC32, J_NCHW, J_NHWC, J_ONEDNN, J_ONE_WALL, J_TWO_WALL,
       J_CONV_ONE_WALL, J_CONV_TWO_WALL, J_PAIR_WALL, J_TWO_CPU, NJOBS };

/* Clock of each job: CPU time of the calling thread, wall time for the
 * thread-scaling pair, CPU time of the whole process for the 2-thread
 * work-efficiency job (both threads' CPU time: its rate against J_RAW's
 * shows what splitting costs in extra packing and synchronisation,
 * independently of how many cores the machine can give at the moment). */
static double (*clock_of(int j))(void) {
  return j == J_TWO_CPU ? now_process : j >= J_ONE_WALL ? now_wall : now_thread;
}
#define MAX_REPS 64

/* Times every job once per repetition, interleaved, so that the machine's
 * load at a given moment weighs on all of them alike: rate[j][r] in
 * G MAC/s.  Each timing is a batch of calls lasting at least 10 ms, and
 * the ceiling loop is timed right before each one (ceil[j][r]): this
 * machine's speed changes within a repetition (its vCPUs share cores with
 * other guests), so a job is compared with the ceiling of its moment. */
static void measure(const job *jobs, double macs, int reps, double rate[NJOBS][MAX_REPS],
                    double ceil[NJOBS][MAX_REPS], double scale2[MAX_REPS]) {
  int batch[NJOBS];
  for (int j = 0; j < NJOBS; j++) {
    double (*now)(void) = clock_of(j);
    run_once(&jobs[j]);
    for (batch[j] = 1;; batch[j] *= 2) {
      double t0 = now();
      for (int i = 0; i < batch[j]; i++) run_once(&jobs[j]);
      if (now() - t0 > 0.01) break;
    }
  }
  for (int r = 0; r < reps; r++) {
    for (int j = 0; j < NJOBS; j++) {
      double (*now)(void) = clock_of(j);
      if (j == J_ONE_WALL) scale2[r] = ceiling_scale(1000 * 1000);
      ceil[j][r] = ceiling_gmacs(1000 * 1000);
      if (j == J_PAIR_WALL) {
        rate[j][r] = 2.0 * macs * batch[j] / pair_secs(&jobs[j], batch[j]) / 1e9;
        continue;
      }
      double t0 = now();
      for (int i = 0; i < batch[j]; i++) run_once(&jobs[j]);
      rate[j][r] = macs * batch[j] / (now() - t0) / 1e9;
    }
  }
}

static double med_rate(double rate[NJOBS][MAX_REPS], int j, int reps) {
  double v[MAX_REPS];
  memcpy(v, rate[j], (size_t)reps * sizeof *v);
  return median(v, reps);
}

/* Median over repetitions of rate[a] / rate[b] (same repetition). */
static double med_ratio(double rate[NJOBS][MAX_REPS], int a, int b, int reps) {
  double v[MAX_REPS];
  for (int r = 0; r < reps; r++) v[r] = rate[a][r] / rate[b][r];
  return median(v, reps);
}

/* The contexts the jobs run on: 1 thread (c1), 1 thread forced to the
 * 32-bit kernel (c1b), a second 1-thread one for the partner call (c1p),
 * 2 threads (c2), and 1 thread whose parallel-for is the projection's
 * runner (chook, on pj). */
typedef struct contexts {
  wg_context *c1, *c1b, *c1p, *c2, *chook;
  proj pj;
} contexts;

static int open_contexts(contexts *cx) {
  cx->pj = (proj){2, {0}, 0.0, 0.0};
  return wg_context_create(1, &cx->c1) == WG_OK && wg_context_create(1, &cx->c1b) == WG_OK &&
         wg_context_create(1, &cx->c1p) == WG_OK && wg_context_create(2, &cx->c2) == WG_OK &&
         wg_context_create(1, &cx->chook) == WG_OK &&
         wg_context_set_parallel_for(cx->chook, proj_runner, &cx->pj, 2) == WG_OK &&
         wg_context_force_kernel(cx->c1b, "acc32_int8_x_u8_6x16__avx2") == WG_OK;
}

static void close_contexts(contexts *cx) {
  wg_context *all[] = {cx->c1, cx->c1b, cx->c1p, cx->c2, cx->chook};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) wg_context_destroy(all[i]);
}

/* One shape's operands: ternary weights, lowered activations (x, K x N),
 * the input image of the conv2d jobs, the fused epilogue's per-row scale
 * and bias, and two outputs (the partner call writes the second). */
typedef struct operands {
  int8_t *wt;
  uint8_t *x, *img;
  float *scale, *bias;
  void *y, *y2;
} operands;

static operands alloc_operands(const shape *sh) {
  operands o;
  o.wt = malloc((size_t)(sh->m * sh->k));
  o.x = malloc((size_t)(sh->k * sh->n));
  o.img = malloc((size_t)(sh->c * sh->hw * sh->hw));
  o.scale = malloc((size_t)sh->m * sizeof *o.scale);
  o.bias = malloc((size_t)sh->m * sizeof *o.bias);
  o.y = malloc((size_t)(sh->m * sh->n) * 4);
  o.y2 = malloc((size_t)(sh->m * sh->n) * 4);
  for (int64_t i = 0; i < sh->m * sh->k; i++) o.wt[i] = (int8_t)(rand() % 3 - 1);
  for (int64_t i = 0; i < sh->m; i++) {
    o.scale[i] = 0.05f + 0.001f * (float)i;
    o.bias[i] = 0.5f;
  }
  return o;
}

static void free_operands(operands *o) {
  void *all[] = {o->wt, o->x, o->img, o->scale, o->bias, o->y, o->y2};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

/* Every job on one shape with `ba`-bit activation codes (drawn here), and
 * the partner of J_PAIR_WALL (which must outlive the jobs). */
static void make_jobs(job jobs[NJOBS], job *partner, const shape *sh, const operands *o,
                      const contexts *cx, const wg_weights *w, const wg_conv2d_desc *dn,
                      const wg_conv2d_desc *dh, int ba) {
  for (int64_t i = 0; i < sh->k * sh->n; i++) o->x[i] = (uint8_t)(rand() & ((1 << ba) - 1));
  for (int64_t i = 0; i < sh->c * sh->hw * sh->hw; i++)
    o->img[i] = (uint8_t)(rand() & ((1 << ba) - 1));
  job *raw = &jobs[J_RAW];
  *raw = (job){0, o->wt, sh->m, sh->k, cx->c1, w, o->x, sh->n, NULL, {ba, 0},
               wg_epilogue_default(), o->y, NULL};
  raw->ep.acc_bits = 8;
  raw->ep.output = WG_OUTPUT_INT8;
  jobs[J_FUSED] = *raw;
  job *f = &jobs[J_FUSED];
  f->ep.cyclic = WG_CYCLIC_SMOOTH;
  f->ep.slope = 1;
  f->ep.output = WG_OUTPUT_UINT8_FLOAT;
  f->ep.scale = o->scale;
  f->ep.bias = o->bias;
  f->ep.relu = 1;
  f->ep.out_bits = ba;
  jobs[J_ACC32] = *raw;
  jobs[J_ACC32].ctx = cx->c1b;
  jobs[J_ACC32].ep = wg_epilogue_default();
  jobs[J_NCHW] = *raw;
  jobs[J_NCHW].x = o->img;
  jobs[J_NCHW].conv = dn;
  jobs[J_NHWC] = jobs[J_NCHW];
  jobs[J_NHWC].conv = dh;
  jobs[J_ONEDNN] = *raw;
#ifdef WG_PERF_ONEDNN
  jobs[J_ONEDNN].onednn = 1;
#endif
  jobs[J_ONE_WALL] = *raw;
  jobs[J_TWO_WALL] = *raw;
  jobs[J_TWO_WALL].ctx = cx->c2;
  jobs[J_TWO_CPU] = jobs[J_TWO_WALL];
  jobs[J_CONV_ONE_WALL] = jobs[J_NHWC];
  jobs[J_CONV_TWO_WALL] = jobs[J_NHWC];
  jobs[J_CONV_TWO_WALL].ctx = cx->c2;
  *partner = *raw;
  partner->ctx = cx->c1p;
  partner->y = o->y2;
  jobs[J_PAIR_WALL] = *raw;
  jobs[J_PAIR_WALL].partner = partner;
}

static void print_header(void) {
#ifdef WG_PERF_ONEDNN
  const char *peer = "dnnl";
#else
  const char *peer = "(raw)"; /* no oneDNN here: the column repeats raw */
#endif
  printf("%-14s %2s %6s %6s %6s %6s %6s %6s %6s | %5s %5s %5s %6s %5s %5s %5s %5s %5s %5s %5s %5s %5s %5s %5s %6s\n",
         "MxNxK", "ba", "raw", "fused", "acc32", "nchw", "nhwc", peer, "2thr", "%ceil", "%cnv", "%nhwc",
         "fuse+%", "x32", "xdnnl", "nchw", "nhwc", "thr", "eff", "thr*", "thrc", "c2", "thr/c2",
         "p2", "thr/p2");
}

/* One line of the table: the rates, then the ratios (print_legend). */
static void print_row(const char *name, int ba, double rate[NJOBS][MAX_REPS],
                      double ceil[NJOBS][MAX_REPS], double scale2[MAX_REPS], int reps,
                      double thr_proj) {
  double pct[MAX_REPS], pct_conv[MAX_REPS], pct_nhwc[MAX_REPS], thr_norm[MAX_REPS],
      thr_pair[MAX_REPS];
  for (int r = 0; r < reps; r++) {
    pct[r] = 100.0 * rate[J_RAW][r] / ceil[J_RAW][r];
    pct_conv[r] = 100.0 * rate[J_NCHW][r] / ceil[J_NCHW][r];
    pct_nhwc[r] = 100.0 * rate[J_NHWC][r] / ceil[J_NHWC][r];
    thr_norm[r] = rate[J_TWO_WALL][r] / rate[J_ONE_WALL][r] / scale2[r];
    thr_pair[r] = rate[J_TWO_WALL][r] / rate[J_PAIR_WALL][r];
  }
  printf("%-14s %2d %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f | %5.0f %5.0f %5.0f %6.1f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %6.2f\n",
         name, ba, med_rate(rate, J_RAW, reps), med_rate(rate, J_FUSED, reps),
         med_rate(rate, J_ACC32, reps), med_rate(rate, J_NCHW, reps),
         med_rate(rate, J_NHWC, reps), med_rate(rate, J_ONEDNN, reps),
         med_rate(rate, J_TWO_WALL, reps), median(pct, reps), median(pct_conv, reps),
         median(pct_nhwc, reps),
         100.0 * (med_ratio(rate, J_RAW, J_FUSED, reps) - 1.0),
         med_ratio(rate, J_RAW, J_ACC32, reps), med_ratio(rate, J_RAW, J_ONEDNN, reps),
         med_ratio(rate, J_NCHW, J_RAW, reps),
         med_ratio(rate, J_NHWC, J_RAW, reps), med_ratio(rate, J_TWO_WALL, J_ONE_WALL, reps),
         med_ratio(rate, J_TWO_CPU, J_RAW, reps), thr_proj,
         med_ratio(rate, J_CONV_TWO_WALL, J_CONV_ONE_WALL, reps), median(scale2, reps),
         median(thr_norm, reps), med_ratio(rate, J_PAIR_WALL, J_ONE_WALL, reps),
         median(thr_pair, reps));
}

static void print_legend(int reps) {
  printf("G MAC/s: medians of %d interleaved repetitions (thread CPU time; 2thr in wall\n"
         "time).  Ratios: medians of per-repetition ratios.  %%ceil = raw / the ceiling\n"
         "loop timed right before it, %%cnv, %%nhwc = the same for the conv2d columns\n"
         "(both through the direct convolution; nchw turns rows into pixels),\n"
         "fuse+%% = cost of the fused epilogue over raw int8, x32 = raw / acc32,\n"
         "xdnnl = raw / oneDNN dnnl_gemm_u8s8s32 (1 thread, same operands, int32 out),\n"
         "nchw, nhwc = conv2d / raw GEMM, thr = 2 threads / 1 thread (wall time),\n"
         "eff = 1-thread CPU time / 2-thread CPU time of both threads, thr* = projected\n"
         "2-thread speed-up (tasks timed one by one, list-scheduled on 2 workers),\n"
         "thrc = the same wall-time ratio as thr for the nhwc conv2d (direct),\n"
         "c2 = the register-only ceiling loop's rate on 2 threads / on 1 (each thread\n"
         "timed in wall time, right before the 1-thread job: 2.0 on two free cores),\n"
         "thr/c2 = thr over the c2 of its repetition, p2 = two independent 1-thread\n"
         "calls of raw at once (one X, wall time until both end) / one call: what the\n"
         "machine gives this work on 2 threads with no split, thr/p2 = thr over the p2\n"
         "of its repetition (what the split keeps of what the machine gave).\n",
         reps);
}

/* The table's lines of one shape, for 3- and 4-bit activations; 1 if a
 * call fails. */
static int run_shape(const shape *sh, const char *name, contexts *cx, int reps) {
  operands o = alloc_operands(sh);
  wg_weights *w;
  if (wg_weights_pack(cx->c1b, o.wt, sh->m, sh->k, sh->k, WG_WEIGHTS_TERNARY, 2, &w) != WG_OK)
    return 1;
  wg_conv2d_desc dn = {WG_NCHW, 1, sh->c, sh->hw, sh->hw, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  wg_conv2d_desc dh = dn;
  dh.layout = WG_NHWC;
  double macs = (double)sh->m * (double)sh->n * (double)sh->k;
  for (int ba = 3; ba <= 4; ba++) {
    job jobs[NJOBS], partner;
    make_jobs(jobs, &partner, sh, &o, cx, w, &dn, &dh, ba);
    for (int j = 0; j < NJOBS; j++)
      if (run_once(&jobs[j]) != WG_OK) return 1;
    static double rate[NJOBS][MAX_REPS], ceil[NJOBS][MAX_REPS], scale2[MAX_REPS];
    measure(jobs, macs, reps, rate, ceil, scale2);
    double thr_proj = projected_speedup(&jobs[J_RAW], cx->chook, &cx->pj, reps);
    print_row(name, ba, rate, ceil, scale2, reps, thr_proj);
  }
  wg_weights_destroy(w);
  free_operands(&o);
  return 0;
}

int main(int argc, char **argv) {
#ifdef WG_PERF_ONEDNN
  /* oneDNN's OpenMP runtime reads its thread count when the library loads,
   * before main: pin it to one thread and start again. */
  const char *omp = getenv("OMP_NUM_THREADS");
  if (!omp || strcmp(omp, "1") != 0) {
    setenv("OMP_NUM_THREADS", "1", 1);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "avx2_perf: could not restart; run with OMP_NUM_THREADS=1\n");
    return 1;
  }
#endif
  int reps = argc > 1 ? atoi(argv[1]) : 9;
  if (reps < 1) reps = 1;
  if (reps > MAX_REPS) reps = MAX_REPS;
  const char *filter = argc > 2 ? argv[2] : NULL;
  const shape shapes[] = {{64, 3136, 576, 56, 64},
                          {128, 784, 1152, 28, 128},
                          {256, 196, 2304, 14, 256},
                          {512, 49, 4608, 7, 512}};
  printf("sign+add ceiling (register-only loop, one timing): %.1f G MAC/s\n",
         ceiling_gmacs(20 * 1000 * 1000));
  print_header();
  contexts cx;
  if (!open_contexts(&cx)) return 1;
  srand(1);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    const shape *sh = &shapes[s];
    char name[32];
    snprintf(name, sizeof name, "%lldx%lldx%lld", (long long)sh->m, (long long)sh->n,
             (long long)sh->k);
    if (filter && !strstr(name, filter)) continue;
    if (run_shape(sh, name, &cx, reps)) return 1;
  }
  print_legend(reps);
  close_contexts(&cx);
  return 0;
}
