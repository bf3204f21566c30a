#include "threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct wg_pool {
  int workers;
  pthread_t *tid;
  pthread_mutex_t mu;
  pthread_cond_t wake, done;
  uint64_t generation; /* bumped per run: workers wait for a new one */
  int stop;
  int active;          /* workers still inside the current run */
  wg_pool_task fn;
  void *arg;
  int64_t count;
  _Atomic int64_t next;
};

typedef struct {
  wg_pool *pool;
  int slot;
} worker_arg;

static void drain(wg_pool *p, int slot) {
  for (;;) {
    int64_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    if (i >= p->count) return;
    p->fn(p->arg, i, slot);
  }
}

static void *worker_main(void *v) {
  worker_arg *wa = v;
  wg_pool *p = wa->pool;
  int slot = wa->slot;
  free(wa);
  uint64_t seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->stop && p->generation == seen) pthread_cond_wait(&p->wake, &p->mu);
    if (p->stop) break;
    seen = p->generation;
    pthread_mutex_unlock(&p->mu);
    drain(p, slot);
    pthread_mutex_lock(&p->mu);
    if (--p->active == 0) pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
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
  p->stop = 1;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->workers; i++) pthread_join(p->tid[i], NULL);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->mu);
  free(p->tid);
  free(p);
}

void wg_pool_run(wg_pool *p, wg_pool_task fn, void *arg, int64_t count) {
  if (count <= 1 || p->workers == 0) {
    for (int64_t i = 0; i < count; i++) fn(arg, i, 0);
    return;
  }
  pthread_mutex_lock(&p->mu);
  p->fn = fn;
  p->arg = arg;
  p->count = count;
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  p->active = p->workers;
  p->generation++;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  drain(p, 0);
  pthread_mutex_lock(&p->mu);
  while (p->active > 0) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
}
