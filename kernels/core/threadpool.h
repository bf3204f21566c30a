/*
 * A persistent pool: workers are created once with the context and sleep
 * between calls.  wg_pool_run hands out task indices from an atomic counter
 * to the workers and the calling thread alike, and returns when all tasks
 * have finished.  `slot` identifies the executing thread (0 = caller,
 * 1..workers), so tasks can use per-thread scratch without locking.
 */
#ifndef WG_THREADPOOL_H
#define WG_THREADPOOL_H

#include <stdint.h>

typedef void (*wg_pool_task)(void *arg, int64_t task, int slot);
typedef struct wg_pool wg_pool;

/* NULL on failure (no memory or no threads). */
wg_pool *wg_pool_create(int workers);
void wg_pool_destroy(wg_pool *pool);
void wg_pool_run(wg_pool *pool, wg_pool_task fn, void *arg, int64_t count);

#endif
