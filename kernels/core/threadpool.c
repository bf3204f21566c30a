#include "threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

/*
 * Waking a blocked thread is a futex wake-up, and on a virtual machine an
 * idle vCPU must first be scheduled by the host: tens of microseconds, as
 * much as a small GEMM takes (docs/performance.md, "The thread pool").
 * Hence:
 *
 * - a worker polls for the next run for WG_POOL_SPIN_NS after each run
 *   before it blocks (inference calls layer after layer), yielding the CPU
 *   between polls after the first WG_POOL_YIELD_NS so that an
 *   oversubscribed machine still runs what is runnable;
 * - the caller never waits for a worker that has not started: a run is
 *   joined through one atomic word, and once the caller has claimed the
 *   last task it closes the run, so that a worker still waking up finds it
 *   closed and leaves it alone; the caller then waits only for the workers
 *   that joined, which are running (polling, then blocking).
 *
 * The polls use no PAUSE instruction: on a virtual machine a PAUSE loop
 * can make the host deschedule the vCPU (pause-loop exiting), which cost
 * more than the polling saves.
 */
#define WG_POOL_SPIN_NS 200000
#define WG_POOL_YIELD_NS 20000

/* state: generation << 32 | closed << 31 | workers joined. */
#define WG_POOL_CLOSED ((uint64_t)1 << 31)
#define WG_POOL_JOINED(s) ((int)((s) & 0x7fffffffu))
#define WG_POOL_GEN(s) ((s) >> 32)

struct wg_pool {
  int workers;
  pthread_t *tid;
  pthread_mutex_t mu;
  pthread_cond_t wake, done;
  _Atomic uint64_t state;
  _Atomic int stop;
  _Atomic int finished;        /* joined workers done with the current run */
  int sleepers;                /* workers blocked on `wake` (under mu) */
  int caller_waiting;          /* the caller blocked on `done` (under mu) */
  wg_pool_task fn;
  void *arg;
  int64_t count;
  _Atomic int64_t next;
};

typedef struct {
  wg_pool *pool;
  int slot;
} worker_arg;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Polls until done(p, v) or WG_POOL_SPIN_NS have passed; 1 if done. */
static int spin_until(int (*done)(wg_pool *, uint64_t), wg_pool *p, uint64_t v) {
  int64_t start = now_ns();
  for (unsigned i = 1;; i++) {
    if (done(p, v)) return 1;
    if (i % 64 == 0) {
      int64_t t = now_ns() - start;
      if (t > WG_POOL_SPIN_NS) return 0;
      if (t > WG_POOL_YIELD_NS) sched_yield();
    }
  }
}

static int new_run(wg_pool *p, uint64_t seen) {
  return WG_POOL_GEN(atomic_load_explicit(&p->state, memory_order_acquire)) != seen ||
         atomic_load_explicit(&p->stop, memory_order_acquire);
}

static int all_finished(wg_pool *p, uint64_t joined) {
  return atomic_load_explicit(&p->finished, memory_order_acquire) == (int)joined;
}

static void drain(wg_pool *p, int slot) {
  for (;;) {
    int64_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    if (i >= p->count) return;
    p->fn(p->arg, i, slot);
  }
}

/* Joins the current run unless it is closed; its generation in *gen. */
static int join(wg_pool *p, uint64_t *gen) {
  uint64_t s = atomic_load_explicit(&p->state, memory_order_acquire);
  for (;;) {
    *gen = WG_POOL_GEN(s);
    if (s & WG_POOL_CLOSED) return 0;
    if (atomic_compare_exchange_weak_explicit(&p->state, &s, s + 1, memory_order_acq_rel,
                                              memory_order_acquire))
      return 1;
  }
}

static void *worker_main(void *v) {
  worker_arg *wa = v;
  wg_pool *p = wa->pool;
  int slot = wa->slot;
  free(wa);
  uint64_t seen = 0;
  for (;;) {
    if (!spin_until(new_run, p, seen)) {
      pthread_mutex_lock(&p->mu);
      p->sleepers++;
      while (!new_run(p, seen)) pthread_cond_wait(&p->wake, &p->mu);
      p->sleepers--;
      pthread_mutex_unlock(&p->mu);
    }
    if (atomic_load_explicit(&p->stop, memory_order_acquire)) break;
    if (!join(p, &seen)) continue; /* the caller finished without us */
    drain(p, slot);
    atomic_fetch_add_explicit(&p->finished, 1, memory_order_acq_rel);
    pthread_mutex_lock(&p->mu);
    if (p->caller_waiting) pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->mu);
  }
  return NULL;
}

wg_pool *wg_pool_create(int workers) {
  wg_pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->tid = calloc((size_t)(workers > 0 ? workers : 1), sizeof *p->tid);
  if (!p->tid) {
    free(p);
    return NULL;
  }
  /* Generation 0 is closed: no worker joins before the first run. */
  atomic_init(&p->state, WG_POOL_CLOSED);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->done, NULL);
  for (int i = 0; i < workers; i++) {
    worker_arg *wa = malloc(sizeof *wa);
    if (wa) {
      wa->pool = p;
      wa->slot = i + 1;
    }
    if (!wa || pthread_create(&p->tid[i], NULL, worker_main, wa) != 0) {
      free(wa);
      p->workers = i;
      wg_pool_destroy(p);
      return NULL;
    }
  }
  p->workers = workers;
  return p;
}

void wg_pool_destroy(wg_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  atomic_store_explicit(&p->stop, 1, memory_order_release);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->workers; i++) pthread_join(p->tid[i], NULL);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->mu);
  free(p->tid);
  free(p);
}

void wg_pool_forget(wg_pool *p) {
  if (!p) return;
  free(p->tid);
  free(p);
}

/* Written only by the child handler, which runs while the child has one
 * thread; threads the child starts later see it (pthread_create
 * synchronises), so relaxed loads suffice. */
static _Atomic uint32_t forks;
static pthread_once_t watch_once = PTHREAD_ONCE_INIT;
static int watch_err;

static void count_fork(void) {
  atomic_store_explicit(&forks, atomic_load_explicit(&forks, memory_order_relaxed) + 1,
                        memory_order_relaxed);
}

static void watch(void) { watch_err = pthread_atfork(NULL, NULL, count_fork); }

int wg_fork_watch(void) {
  pthread_once(&watch_once, watch);
  return watch_err;
}

uint32_t wg_forks(void) { return atomic_load_explicit(&forks, memory_order_relaxed); }

void wg_pool_run(wg_pool *p, wg_pool_task fn, void *arg, int64_t count) {
  if (count <= 1 || p->workers == 0) {
    for (int64_t i = 0; i < count; i++) fn(arg, i, 0);
    return;
  }
  /* The previous run is closed and every worker that joined it has
   * finished, so no worker reads these fields now; the state's release
   * store publishes them to the workers that join the new run. */
  p->fn = fn;
  p->arg = arg;
  p->count = count;
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  atomic_store_explicit(&p->finished, 0, memory_order_relaxed);
  uint64_t gen = WG_POOL_GEN(atomic_load_explicit(&p->state, memory_order_relaxed)) + 1;
  pthread_mutex_lock(&p->mu);
  atomic_store_explicit(&p->state, gen << 32, memory_order_release);
  if (p->sleepers) pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  drain(p, 0);
  /* Every task is claimed: close the run to late joiners, then wait for
   * the tasks the joined workers hold. */
  uint64_t s = atomic_fetch_or_explicit(&p->state, WG_POOL_CLOSED, memory_order_acq_rel);
  uint64_t joined = (uint64_t)WG_POOL_JOINED(s);
  if (!spin_until(all_finished, p, joined)) {
    pthread_mutex_lock(&p->mu);
    p->caller_waiting = 1;
    while (!all_finished(p, joined)) pthread_cond_wait(&p->done, &p->mu);
    p->caller_waiting = 0;
    pthread_mutex_unlock(&p->mu);
  }
}
