/*
 * Runs a call's tasks on the context's threads: its own pool, an engine's
 * parallel-for, or the calling thread alone, each task with a scratch block
 * of its own.  Scratch is allocated before any task runs, so that running
 * out of memory is reported before anything is written: the context's
 * per-thread slots when this call holds its pool, else (an engine's
 * parallel-for) one block per task the runner executes at once, each taken
 * by a task for its duration, or a single block for serial execution.
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct taskset {
  wg_task_body fn;
  void *plan;
  wg_context *ctx;
  size_t need;
  int use_slots, per_task, nblocks;
  _Atomic int taken[WG_MAX_THREADS];
  uint8_t *buf;
} taskset;

/* A free per-task block.  At most `parallelism` tasks run at once, so one
 * of that many blocks is free; a runner running more at once waits here for
 * a holder (a running task) to release one. */
static int grab_block(taskset *ts) {
  for (;;) {
    for (int b = 0; b < ts->nblocks; b++)
      if (!atomic_load_explicit(&ts->taken[b], memory_order_relaxed) &&
          !atomic_exchange_explicit(&ts->taken[b], 1, memory_order_acquire))
        return b;
    sched_yield();
  }
}

/* A block of the context kept between calls, grown to `bytes` (a multiple
 * of 64; the old contents are not kept, a new block is zeroed if `zero`). */
static void *grow(wg_scratch *s, size_t bytes, int zero) {
  if (s->n < bytes) {
    free(s->p);
    s->p = aligned_alloc(64, bytes);
    s->n = s->p ? bytes : 0;
    if (s->p && zero) memset(s->p, 0, bytes);
  }
  return s->p;
}

static void *slot_scratch(wg_context *ctx, int slot, size_t bytes) {
  return grow(&ctx->scratch[slot], bytes, 0);
}

/* Nothing in a block is reusable at the start of a run: its bytes are
 * another run's, or none yet. */
static void clear_tag(uint8_t *mem) { memset(mem, 0, sizeof(wg_scratch_tag)); }

static void run_one(void *arg, int64_t t, int slot) {
  taskset *ts = arg;
  int blk = ts->per_task ? grab_block(ts) : -1;
  uint8_t *mem = ts->use_slots  ? ts->ctx->scratch[slot].p
                 : ts->per_task ? ts->buf + (size_t)blk * ts->need
                                : ts->buf;
  ts->fn(ts->plan, t, mem);
  if (blk >= 0) atomic_store_explicit(&ts->taken[blk], 0, memory_order_release);
}

static void runner_task(void *arg, int64_t i) { run_one(arg, i, 0); }

/* The run's shared block: the context's `s` or, with s NULL, a fresh one
 * (*own, which the caller frees); zeroed when new. */
static uint8_t *shared_block(wg_scratch *s, size_t bytes, uint8_t **own) {
  wg_scratch fresh = {0};
  *own = NULL;
  if (!bytes) return NULL;
  uint8_t *p = grow(s ? s : &fresh, (bytes + 63) & ~(size_t)63, 1);
  if (!s) *own = p;
  return p;
}

wg_status wg_run_tasks(wg_context *ctx, wg_task_body fn, void *plan, size_t need,
                       int64_t tasks) {
  return wg_run_tasks_shared(ctx, fn, plan, need, tasks, 0, NULL);
}

/* On an engine's parallel-for: one block per concurrently running task,
 * kept in the context between calls unless another call holds it (a fresh
 * allocation is fresh pages, faulted in again on every call).  `owned`:
 * wg_context_own's answer. */
static wg_status run_on_runner(taskset *ts, int64_t tasks, size_t shared_bytes,
                               uint8_t **shared, int owned) {
  wg_context *ctx = ts->ctx;
  ts->per_task = 1;
  ts->nblocks = tasks < ctx->runner_par ? (int)tasks : ctx->runner_par;
  for (int b = 0; b < ts->nblocks; b++) atomic_init(&ts->taken[b], 0);
  size_t total = (size_t)ts->nblocks * ts->need;
  int held = owned && pthread_mutex_trylock(&ctx->pool_mu) == 0;
  uint8_t *own = NULL, *own_shared = NULL;
  ts->buf = held ? slot_scratch(ctx, 0, total) : (own = aligned_alloc(64, total));
  uint8_t *sh = shared_block(held ? &ctx->shared : NULL, shared_bytes, &own_shared);
  int ok = ts->buf && (sh || !shared_bytes);
  for (int b = 0; ok && b < ts->nblocks; b++) clear_tag(ts->buf + (size_t)b * ts->need);
  if (ok && shared) *shared = sh;
  if (ok) ctx->runner(ctx->runner_user, runner_task, ts, tasks);
  if (held) pthread_mutex_unlock(&ctx->pool_mu);
  free(own);
  free(own_shared);
  return ok ? WG_OK : WG_ERR_NO_MEMORY;
}

/* On the context's own pool, whose pool_mu the caller has taken (released
 * here): each thread's slot of the context's scratch. */
static wg_status run_on_pool(taskset *ts, int64_t tasks, size_t shared_bytes,
                             uint8_t **shared) {
  wg_context *ctx = ts->ctx;
  /* A fork child's pool starts on first use; if its threads cannot be
   * started, this call runs on the caller alone and the next one tries
   * again. */
  if (ctx->pool_pending && (ctx->pool = wg_pool_create(ctx->threads - 1)) != NULL)
    ctx->pool_pending = 0;
  ts->use_slots = 1;
  uint8_t *own_shared = NULL;
  uint8_t *sh = shared_block(&ctx->shared, shared_bytes, &own_shared);
  int ok = sh || !shared_bytes;
  for (int s = 0; ok && s < ctx->threads; s++) {
    uint8_t *mem = slot_scratch(ctx, s, ts->need);
    if (mem) clear_tag(mem);
    ok = mem != NULL;
  }
  if (!ok) {
    pthread_mutex_unlock(&ctx->pool_mu);
    return WG_ERR_NO_MEMORY;
  }
  if (shared) *shared = sh;
  if (ctx->pool)
    wg_pool_run(ctx->pool, run_one, ts, tasks);
  else
    for (int64_t t = 0; t < tasks; t++) run_one(ts, t, 0);
  pthread_mutex_unlock(&ctx->pool_mu);
  return WG_OK;
}

/* On the calling thread alone, with blocks allocated for this call. */
static wg_status run_on_caller(taskset *ts, int64_t tasks, size_t shared_bytes,
                               uint8_t **shared) {
  uint8_t *own_shared = NULL;
  ts->buf = aligned_alloc(64, ts->need);
  uint8_t *sh = shared_block(NULL, shared_bytes, &own_shared);
  if (!ts->buf || (shared_bytes && !sh)) {
    free(ts->buf);
    free(own_shared);
    return WG_ERR_NO_MEMORY;
  }
  clear_tag(ts->buf);
  if (shared) *shared = sh;
  for (int64_t t = 0; t < tasks; t++) run_one(ts, t, 0);
  free(ts->buf);
  free(own_shared);
  return WG_OK;
}

wg_status wg_run_tasks_shared(wg_context *ctx, wg_task_body fn, void *plan, size_t need,
                              int64_t tasks, size_t shared_bytes, uint8_t **shared) {
  taskset ts;
  memset(&ts, 0, sizeof ts);
  ts.fn = fn;
  ts.plan = plan;
  ts.ctx = ctx;
  ts.need = WG_SCRATCH_TAG + ((need + 63) & ~(size_t)63);
  /* 0 only in a fork child while another thread takes the context over:
   * pool_mu and the context's scratch are not to be touched yet. */
  int owned = wg_context_own(ctx);
  if (ctx->runner) return run_on_runner(&ts, tasks, shared_bytes, shared, owned);
  if (owned && pthread_mutex_trylock(&ctx->pool_mu) == 0)
    return run_on_pool(&ts, tasks, shared_bytes, shared);
  /* Another application thread holds this context's pool (or, in a fork
   * child, is taking the context over): run on the caller alone rather
   * than wait (same bits, no deadlock). */
  return run_on_caller(&ts, tasks, shared_bytes, shared);
}

uint64_t wg_reuse_id(void) {
  static _Atomic uint64_t plans;
  return atomic_fetch_add_explicit(&plans, 1, memory_order_relaxed) + 1;
}

int64_t wg_split_at(int64_t units, int64_t parts, int64_t i) {
  /* units * (1 - (1 - i/parts)^2), rounded up so that a lone unit goes
   * first.  Units and parts are panels and tasks, far below the bounds
   * that keep this in 64 bits; past them, equal ranges. */
  int64_t left = parts - i;
  if (units > ((int64_t)1 << 40) || parts > ((int64_t)1 << 11))
    return units - (units / parts * left + units % parts * left / parts);
  return units - units * left * left / (parts * parts);
}

int64_t wg_split_widest(int64_t units, int64_t parts) {
  int64_t widest = 0;
  for (int64_t i = 0; i < parts; i++) {
    int64_t w = wg_split_at(units, parts, i + 1) - wg_split_at(units, parts, i);
    if (w > widest) widest = w;
  }
  return widest;
}
