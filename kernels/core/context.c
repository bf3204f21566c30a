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
      "WG_ERR_UNKNOWN_KERNEL", "WG_ERR_KERNEL_UNAVAILABLE", "WG_ERR_THREAD"};
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
  wg_context *c = calloc(1, sizeof *c);
  if (!c) return WG_ERR_NO_MEMORY;
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

void wg_context_destroy(wg_context *c) {
  if (!c) return;
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
