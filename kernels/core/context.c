/* Contexts, status names, version, kernel forcing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const char *wg_status_name(wg_status s) {
  static const char *const names[] = {
      "WG_OK",           "WG_ERR_NULL_POINTER", "WG_ERR_BAD_SIZE",
      "WG_ERR_SIZE_OVERFLOW", "WG_ERR_BAD_STRIDE", "WG_ERR_BAD_CODE",
      "WG_ERR_BAD_OPTION", "WG_ERR_UNSUPPORTED", "WG_ERR_NO_MEMORY",
      "WG_ERR_UNKNOWN_KERNEL", "WG_ERR_KERNEL_UNAVAILABLE", "WG_ERR_THREAD",
      "WG_ERR_ALIASING", "WG_ERR_MISALIGNED"};
  unsigned i = (unsigned)s;
  return i < sizeof names / sizeof names[0] ? names[i] : "WG_ERR_?";
}

const char *wg_version(void) { return WG_VERSION_STRING; }

wg_status wg_context_create(int threads, wg_context **out) {
  if (!out) return WG_ERR_NULL_POINTER;
  if (threads < 0 || threads > WG_MAX_THREADS) return WG_ERR_BAD_OPTION;
  if (threads == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n < 1 ? 1 : n > WG_MAX_THREADS ? WG_MAX_THREADS : (int)n;
  }
  const wg_kernel *forced = NULL;
  const char *env = getenv("WRAPGEMM_KERNEL");
  if (env && *env && strcmp(env, "auto") != 0) {
    wg_status st = wg_find_kernel(env, &forced);
    if (st != WG_OK) return st;
  }
  if (wg_fork_watch() != 0) return WG_ERR_NO_MEMORY;
  wg_context *c = calloc(1, sizeof *c);
  if (!c) return WG_ERR_NO_MEMORY;
  atomic_init(&c->home, 2 * wg_forks());
  c->threads = threads;
  c->direct_conv = 1;
  c->gemm_in_place = 1;
  c->forced = forced;
  pthread_mutex_init(&c->pool_mu, NULL);
  if (threads > 1) {
    c->pool = wg_pool_create(threads - 1);
    if (!c->pool) {
      wg_context_destroy(c);
      return WG_ERR_THREAD;
    }
  }
  *out = c;
  return WG_OK;
}

/*
 * fork(): a context that an ancestor process made (home is not
 * 2 * wg_forks() here) has no pool threads in this process, and its pool_mu
 * may be locked by a thread this process lacks, in the middle of changing
 * the scratch blocks.  The first call to see that takes the context over:
 * it forgets the pool (its threads, mutex and condition variables are the
 * parent's), starts pool_mu afresh and leaves a pool to be started by the
 * first call that needs one (tasks.c).  If pool_mu was locked, the scratch
 * pointers may be half-changed: they are dropped, not freed (the parent's
 * blocks stay allocated in this process: a bounded leak, only when fork()
 * came while another thread was inside a call on this context).  A call
 * that comes while another thread takes the context over runs alone,
 * without pool_mu (tasks.c).
 *
 * POSIX allows a child of a threaded process only async-signal-safe
 * functions until it calls exec; this relies on more, as glibc provides:
 * malloc and free (fork takes malloc's locks), pthread_mutex_trylock and
 * pthread_mutex_init on a copied mutex, and pthread_create.
 */
int wg_context_own(wg_context *c) {
  uint32_t here = 2 * wg_forks();
  uint32_t h = atomic_load_explicit(&c->home, memory_order_acquire);
  if (h == here) return 1;
  if (h == (here | 1) ||
      !atomic_compare_exchange_strong_explicit(&c->home, &h, here | 1, memory_order_acquire,
                                               memory_order_acquire))
    return h == here;
  wg_pool *old = c->pool;
  c->pool = NULL;
  wg_pool_forget(old);
  c->pool_pending = c->threads > 1;
  if (pthread_mutex_trylock(&c->pool_mu) == 0) {
    pthread_mutex_unlock(&c->pool_mu);
  } else {
    memset(c->scratch, 0, sizeof c->scratch);
    memset(&c->shared, 0, sizeof c->shared);
    pthread_mutex_init(&c->pool_mu, NULL);
  }
  atomic_store_explicit(&c->home, here, memory_order_release);
  return 1;
}

void wg_context_destroy(wg_context *c) {
  if (!c) return;
  wg_context_own(c); /* a fork child's: nothing of the parent's threads is joined */
  wg_pool_destroy(c->pool);
  for (int i = 0; i < WG_MAX_THREADS; i++) free(c->scratch[i].p);
  free(c->shared.p);
  pthread_mutex_destroy(&c->pool_mu);
  free(c);
}

int wg_context_threads(const wg_context *c) {
  if (!c) return 0;
  return c->runner ? c->runner_par : c->threads;
}

wg_status wg_context_force_kernel(wg_context *c, const char *name) {
  if (!c) return WG_ERR_NULL_POINTER;
  if (!name || strcmp(name, "auto") == 0) {
    c->forced = NULL;
    return WG_OK;
  }
  const wg_kernel *k;
  wg_status st = wg_find_kernel(name, &k);
  if (st == WG_OK) c->forced = k;
  return st;
}

wg_status wg_context_set_direct_conv(wg_context *c, int allow) {
  if (!c) return WG_ERR_NULL_POINTER;
  if (allow != 0 && allow != 1) return WG_ERR_BAD_OPTION;
  c->direct_conv = allow;
  return WG_OK;
}

wg_status wg_context_set_gemm_in_place(wg_context *c, int allow) {
  if (!c) return WG_ERR_NULL_POINTER;
  if (allow != 0 && allow != 1) return WG_ERR_BAD_OPTION;
  c->gemm_in_place = allow;
  return WG_OK;
}

const char *wg_context_kernel(const wg_context *c) {
  return c && c->forced ? c->forced->name : "auto";
}

wg_status wg_context_set_parallel_for(wg_context *c, wg_parallel_for_fn runner,
                                      void *user, int parallelism) {
  if (!c) return WG_ERR_NULL_POINTER;
  if (runner && (parallelism < 1 || parallelism > WG_MAX_THREADS))
    return WG_ERR_BAD_OPTION;
  c->runner = runner;
  c->runner_user = user;
  c->runner_par = runner ? parallelism : 0;
  return WG_OK;
}
