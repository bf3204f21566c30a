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

/*
 * fork(): the child has only the thread that forked, so a pool it inherited
 * has no workers, and its mutex and condition variables hold the parent's
 * state at that instant (locked by a thread the child lacks, or with
 * waiters that will never wake).  wg_forks() counts the forks between the
 * process that called wg_fork_watch() first and this one (a pthread_atfork
 * child handler adds one): an object made when it had another value comes
 * from an ancestor.  wg_fork_watch registers that handler once (0, or an
 * errno value).  wg_pool_forget frees an inherited pool without touching
 * its threads, mutex or condition variables (joining threads the process
 * lacks crashes; glibc's pthread_cond_destroy waits for the parent's
 * sleeping workers forever).
 */
int wg_fork_watch(void);
uint32_t wg_forks(void);
void wg_pool_forget(wg_pool *pool);
void wg_pool_run(wg_pool *pool, wg_pool_task fn, void *arg, int64_t count);

#endif
