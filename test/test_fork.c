/* fork(): a child inherits contexts whose pool threads it lacks, and
 * contexts and weights whose locks another thread of the parent may have
 * held at that instant.  It must use them (the reference's bits), destroy
 * them, and make its own.  Each child runs under alarm(): a deadlock ends
 * it with SIGALRM and fails the test instead of hanging the suite.  The
 * names start with threads_ so that the TSan lane runs them too. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "core/reference.h"
#include "util.h"

/* qemu-user is slow; a deadlock is forever. */
#define CHILD_SECONDS 60

/* What the sanitizer runtimes here (gcc 12) cannot follow: ThreadSanitizer
 * aborts a fork child of a threaded process that starts a thread
 * ("starting new threads after multi-threaded fork is not supported"; with
 * die_after_fork=0, "dup thread with used id": a new thread reuses a
 * parent thread's stack and id), so under it the children start none (as
 * under qemu, below); AddressSanitizer's allocator takes no lock around
 * fork, so a child can deadlock in a malloc that another thread of the
 * parent was inside (seen in the random-instant test: the child stuck in
 * SizeClassAllocator64::GetFromAllocator), so that test is skipped under
 * it. */
#if defined(__SANITIZE_THREAD__)
#define WGT_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WGT_ASAN 1
#endif
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WGT_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define WGT_ASAN 1
#endif
#endif

/* Shared with every child (MAP_SHARED): why one failed, and how many exact
 * comparisons the children made. */
typedef struct shared_page {
  _Atomic long checks;
  char why[512];
} shared_page;
static shared_page *page;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(page->why, sizeof page->why, fmt, ap);
  va_end(ap);
  return 1;
}

/* One GEMM and one convolution (both layouts), their weights packed in
 * the parent and their reference outputs computed there. */
enum { FM = 40, GK = 256, GN = 300 };
static const wgt_conv_geom GEOM = {2, 16, 9, 9, FM, 3, 3, 1, 1, 1};
typedef struct fixture {
  int8_t *gw, *cw;
  uint8_t *gx, *cx, *gref, *cref[2]; /* cref per layout: NCHW, NHWC */
  size_t gbytes, cbytes;
  wg_conv2d_desc desc[2];
  wg_epilogue ep;
  wgt_epi_data ed;
  wg_weights *gpw, *cpw;
} fixture;

/* What the parent made before forking. */
enum { NCTX = 4 };
typedef struct inherited {
  fixture *f;
  wg_context *ctx[NCTX];
  const char *what[NCTX];
} inherited;

/* qemu-user 7.2 aborts (cpu_exec: assertion cpu == current_cpu) when a
 * fork child of a threaded process starts a thread, whatever the program.
 * Where a probe shows that, children start none: an inherited context is
 * taken over at once with its pool left unstarted (its calls run on the
 * caller alone), the children's own contexts have one thread, and the
 * engine's parallel-for runs on the caller.  The tests say so. */
static int child_threads = -1; /* a fork child here can start threads */
static char child_threads_why[600];
static int one_thread; /* in a child that must not */

static int kid_threads(int n) { return one_thread ? 1 : n; }

static void no_thread_in_child(inherited *h) {
  one_thread = 1;
  for (int i = 0; i < NCTX; i++)
    if (h->ctx[i]) {
      wg_context_own(h->ctx[i]);
      h->ctx[i]->pool_pending = 0;
    }
}

/* Waits for pid; a child that outlives its alarm by far is killed. */
static int reap(pid_t pid, int *status) {
  struct timespec nap = {0, 2000000};
  for (long waited_ms = 0;; waited_ms += 2) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return 1;
    if (r < 0 && errno != EINTR) return 0;
    if (waited_ms > (CHILD_SECONDS + 30) * 1000L) {
      kill(pid, SIGKILL);
      waitpid(pid, status, 0);
      return 0;
    }
    nanosleep(&nap, NULL);
  }
}

/* Runs fn(h) in a fork child (0: it passed); 1 with the reason in `why`
 * if it failed, crashed or hung. */
static int in_child(int (*fn)(inherited *), inherited *h, char *why, size_t len) {
  page->why[0] = 0;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(why, len, "fork: %s", strerror(errno));
    return 1;
  }
  if (pid == 0) {
    alarm(CHILD_SECONDS);
    if (!child_threads) no_thread_in_child(h);
    _exit(fn(h) ? 1 : 0);
  }
  int status = 0;
  if (!reap(pid, &status)) {
    snprintf(why, len, "child hung past its alarm (killed)");
    return 1;
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    snprintf(why, len, "child killed by signal %d (%s)%s", sig, strsignal(sig),
             sig == SIGALRM ? ": deadlocked or hung" : "");
    return 1;
  }
  if (WEXITSTATUS(status) != 0) {
    if (page->why[0])
      snprintf(why, len, "child failed: %s", page->why);
    else
      snprintf(why, len, "child exited with status %d", WEXITSTATUS(status));
    return 1;
  }
  return 0;
}

/* In a grandchild (from a child), as from a child. */
static int in_child_quiet(int (*fn)(inherited *), inherited *h) {
  char why[600];
  if (in_child(fn, h, why, sizeof why) == 0) return 0;
  return fail("grandchild: %s", why);
}

static void *probe_idle(void *v) {
  struct timespec nap = {0, 1000000};
  while (!atomic_load((_Atomic int *)v)) nanosleep(&nap, NULL);
  return NULL;
}
static void *probe_nop(void *v) { return v; }
static int probe_child(inherited *h) {
  (void)h;
  int null = open("/dev/null", O_WRONLY); /* qemu's assertion messages */
  if (null >= 0) {
    dup2(null, 1);
    dup2(null, 2);
  }
  pthread_t t;
  if (pthread_create(&t, NULL, probe_nop, NULL) != 0) return 1;
  pthread_join(t, NULL);
  return 0;
}

/* Sets child_threads: can a fork child of a threaded process start a
 * thread here?  0 with the reason in child_threads_why. */
static void probe_child_threads(void) {
  if (child_threads >= 0) return;
#ifdef WGT_TSAN
  child_threads = 0;
  snprintf(child_threads_why, sizeof child_threads_why,
           "ThreadSanitizer aborts such a child: \"starting new threads after multi-threaded "
           "fork is not supported\"");
  return;
#endif
  child_threads = 1; /* the probe's child tries */
  _Atomic int stop = 0;
  pthread_t t;
  inherited none = {0};
  int started = pthread_create(&t, NULL, probe_idle, &stop) == 0;
  int bad = started && in_child(probe_child, &none, child_threads_why, sizeof child_threads_why);
  atomic_store(&stop, 1);
  if (started) pthread_join(t, NULL);
  child_threads = !bad;
  if (bad) {
    char why[sizeof child_threads_why];
    memcpy(why, child_threads_why, sizeof why);
    snprintf(child_threads_why, sizeof child_threads_why,
             "a probe child that started one: %.500s; qemu-user 7.2 aborts it", why);
  }
}

static int make_fixture(fixture *f, uint64_t seed) {
  memset(f, 0, sizeof *f);
  if (!page) {
    void *m = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 0;
    page = m;
  }
  probe_child_threads();
  if (!child_threads)
    printf("    fork children of a threaded process start no threads here (%s): their calls "
           "run on one thread\n",
           child_threads_why);
  wgt_rng r = {seed};
  const wgt_conv_geom *g = &GEOM;
  int64_t ck = g->c * g->kh * g->kw, xn = g->batch * g->c * g->h * g->w;
  for (int lay = 0; lay < 2; lay++)
    f->desc[lay] = (wg_conv2d_desc){(wg_layout)lay, g->batch, g->c, g->h, g->w, g->kh, g->kw,
                                    g->s, g->s, g->p, g->p, g->p, g->p, g->d, g->d};
  int64_t oh = wg_conv2d_out_h(&f->desc[0]), ow = wg_conv2d_out_w(&f->desc[0]);
  f->gbytes = (size_t)(FM * GN);
  f->cbytes = (size_t)(g->batch * FM * oh * ow);
  f->gw = malloc((size_t)(FM * GK));
  f->cw = malloc((size_t)(FM * ck));
  f->gx = malloc((size_t)(GK * GN));
  f->cx = malloc((size_t)xn);
  f->gref = malloc(f->gbytes);
  f->cref[0] = malloc(f->cbytes);
  f->cref[1] = malloc(f->cbytes);
  if (!f->gw || !f->cw || !f->gx || !f->cx || !f->gref || !f->cref[0] || !f->cref[1]) return 0;
  wgt_fill_weights(&r, f->gw, (size_t)(FM * GK), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_weights(&r, f->cw, (size_t)(FM * ck), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_acts(&r, f->gx, (size_t)(GK * GN), 4, WGT_RANDOM);
  wgt_fill_acts(&r, f->cx, (size_t)xn, 4, WGT_RANDOM);
  wgt_epi_data_make(&f->ed, &r, FM);
  f->ep = wg_epilogue_default();
  f->ep.acc_bits = 8;
  f->ep.cyclic = WG_CYCLIC_SMOOTH;
  f->ep.slope = 2;
  f->ep.output = WG_OUTPUT_UINT8_FLOAT;
  f->ep.out_bits = 4;
  wgt_epi_attach(&f->ep, &f->ed);
  wg_ref_gemm(f->gw, GK, FM, GK, f->gx, GN, GN, 0, &f->ep, f->gref, GN, 1);
  wgt_direct_conv(g, WG_NCHW, f->cw, f->cx, 0, &f->ep, f->cref[0], oh, ow);
  wgt_direct_conv(g, WG_NHWC, f->cw, f->cx, 0, &f->ep, f->cref[1], oh, ow);
  wg_context *pk;
  if (wg_context_create(1, &pk) != WG_OK) return 0;
  int ok = wg_weights_pack(pk, f->gw, FM, GK, GK, WG_WEIGHTS_TERNARY, 0, &f->gpw) == WG_OK &&
           wg_weights_pack(pk, f->cw, FM, ck, ck, WG_WEIGHTS_TERNARY, 0, &f->cpw) == WG_OK;
  wg_context_destroy(pk);
  return ok;
}

static void free_fixture(fixture *f) {
  wg_weights_destroy(f->gpw);
  wg_weights_destroy(f->cpw);
  free(f->gw);
  free(f->cw);
  free(f->gx);
  free(f->cx);
  free(f->gref);
  free(f->cref[0]);
  free(f->cref[1]);
  wgt_epi_data_free(&f->ed);
}

/* `calls` rounds of GEMM, NCHW and NHWC convolution on ctx, each compared
 * with the reference; 0, or 1 with the reason in page->why. */
static int use(wg_context *ctx, const fixture *f, const char *who, int calls) {
  size_t bytes = f->gbytes > f->cbytes ? f->gbytes : f->cbytes;
  uint8_t *y = malloc(bytes);
  if (!y) return fail("%s: no memory", who);
  wg_act_format act = {4, 0};
  for (int call = 0; call < calls; call++) {
    memset(y, 0x5A, bytes);
    wg_status st = wg_gemm(ctx, f->gpw, f->gx, GN, GN, act, &f->ep, y, GN, NULL);
    if (st != WG_OK || memcmp(y, f->gref, f->gbytes) != 0) {
      free(y);
      return fail("%s: gemm call %d: %s%s", who, call, wg_status_name(st),
                  st == WG_OK ? ", output differs from the reference" : "");
    }
    for (int lay = 0; lay < 2; lay++) {
      memset(y, 0x5A, bytes);
      st = wg_conv2d(ctx, f->cpw, &f->desc[lay], f->cx, act, &f->ep, y, NULL);
      if (st != WG_OK || memcmp(y, f->cref[lay], f->cbytes) != 0) {
        free(y);
        return fail("%s: conv2d %s call %d: %s%s", who, lay ? "NHWC" : "NCHW", call,
                    wg_status_name(st),
                    st == WG_OK ? ", output differs from the reference" : "");
      }
    }
    atomic_fetch_add(&page->checks, 3);
  }
  free(y);
  return 0;
}

/* An engine's parallel-for: a thread per runner slot, started per call. */
typedef struct eng_job {
  wg_task_fn task;
  void *ctx;
  int64_t count, first;
} eng_job;
static void *eng_worker(void *v) {
  eng_job *j = v;
  for (int64_t i = j->first; i < j->count; i += 2) j->task(j->ctx, i);
  return NULL;
}
static void engine_for(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  (void)user;
  pthread_t t;
  eng_job jobs[2] = {{task, task_ctx, count, 0}, {task, task_ctx, count, 1}};
  int started = !one_thread && pthread_create(&t, NULL, eng_worker, &jobs[1]) == 0;
  eng_worker(&jobs[0]);
  if (started)
    pthread_join(t, NULL);
  else
    eng_worker(&jobs[1]);
}

static int make_contexts(inherited *h, fixture *f) {
  static const int threads[NCTX] = {3, 2, 1, 2};
  static const char *const what[NCTX] = {"3 threads, used", "2 threads, never used",
                                         "1 thread, used", "engine parallel-for, used"};
  h->f = f;
  for (int i = 0; i < NCTX; i++) {
    h->what[i] = what[i];
    if (wg_context_create(threads[i], &h->ctx[i]) != WG_OK) return 0;
  }
  return wg_context_set_parallel_for(h->ctx[3], engine_for, NULL, 2) == WG_OK;
}

static int use_contexts(inherited *h, const char *who) {
  char name[96];
  for (int i = 0; i < NCTX; i++) {
    if (i == 1 && strcmp(who, "parent") == 0) continue; /* never used there */
    snprintf(name, sizeof name, "%s, context %s", who, h->what[i]);
    if (use(h->ctx[i], h->f, name, 2)) return 1;
  }
  return 0;
}

static void destroy_contexts(inherited *h) {
  for (int i = 0; i < NCTX; i++) wg_context_destroy(h->ctx[i]);
}

static int grandchild_uses_and_destroys(inherited *h) {
  if (use_contexts(h, "grandchild")) return 1;
  destroy_contexts(h);
  wg_weights_destroy(h->f->gpw);
  wg_weights_destroy(h->f->cpw);
  return 0;
}

static int child_uses_and_destroys(inherited *h) {
  if (use_contexts(h, "child")) return 1;
  /* A pool restarted in the child: calls on 3 threads again. */
  if (!one_thread && (!h->ctx[0]->pool || !h->ctx[1]->pool))
    return fail("child: no pool after use");
  wg_context *own;
  if (wg_context_create(kid_threads(2), &own) != WG_OK) return fail("child: wg_context_create");
  if (use(own, h->f, "child, its own context", 2)) return 1;
  /* A context taken over here is inherited again. */
  if (in_child_quiet(grandchild_uses_and_destroys, h)) return 1;
  wg_context_destroy(own);
  destroy_contexts(h);
  wg_weights_destroy(h->f->gpw);
  wg_weights_destroy(h->f->cpw);
  return 0;
}

static int child_destroys(inherited *h) {
  destroy_contexts(h);
  wg_weights_destroy(h->f->gpw);
  wg_weights_destroy(h->f->cpw);
  return 0;
}

/* The parent's pool has run (its workers polling, then asleep on their
 * condition variable), another has never run, and one context has an
 * engine's parallel-for: the child uses each (a pool starts again), makes
 * its own, forks again, and destroys all; another child destroys them
 * without a call. */
TEST(threads_fork_child_uses_and_destroys_inherited) {
  fixture f;
  inherited h;
  char why[600];
  CHECK(make_fixture(&f, wgt_seed()), "set-up");
  CHECK(make_contexts(&h, &f), "contexts");
  CHECK(use_contexts(&h, "parent") == 0, "%s", page->why);
  CHECK(in_child(child_uses_and_destroys, &h, why, sizeof why) == 0,
        "fork right after calls: %s", why);
  /* Workers asleep on their condition variable: they poll 0.2 ms. */
  struct timespec idle = {0, 20000000};
  nanosleep(&idle, NULL);
  CHECK(in_child(child_destroys, &h, why, sizeof why) == 0, "fork when idle, destroy: %s", why);
  CHECK(in_child(child_uses_and_destroys, &h, why, sizeof why) == 0, "fork when idle: %s", why);
  CHECK(use_contexts(&h, "parent after the forks") == 0, "%s", page->why);
  destroy_contexts(&h);
  free_fixture(&f);
  wgt_count_check(atomic_load(&page->checks));
  atomic_store(&page->checks, 0);
}

/* A task that holds its run until released: another thread of the parent
 * inside a call, holding the context's pool (and its lock), at fork. */
typedef struct holder {
  wg_context *ctx;
  _Atomic int entered, release;
  wg_status st;
} holder;
static void hold_task(void *plan, int64_t t, uint8_t *mem) {
  (void)t;
  (void)mem;
  holder *hd = plan;
  atomic_fetch_add(&hd->entered, 1);
  while (!atomic_load(&hd->release)) sched_yield();
}
static void *holder_main(void *v) {
  holder *hd = v;
  hd->st = wg_run_tasks(hd->ctx, hold_task, hd, 256, 4 * (int64_t)wg_context_threads(hd->ctx));
  return NULL;
}

static int child_during_calls(inherited *h) {
  if (use(h->ctx[0], h->f, "child, context held at fork", 2) ||
      use(h->ctx[1], h->f, "child, other context held at fork", 2))
    return 1;
  wg_context *own;
  if (wg_context_create(kid_threads(3), &own) != WG_OK) return fail("child: wg_context_create");
  if (use(own, h->f, "child, its own context", 1)) return 1;
  wg_context_destroy(own);
  wg_context_destroy(h->ctx[0]);
  wg_context_destroy(h->ctx[1]);
  return 0;
}

static int child_destroys_two(inherited *h) {
  wg_context_destroy(h->ctx[0]);
  wg_context_destroy(h->ctx[1]);
  return 0;
}

/* Two threads of the parent are inside calls, one on each of two
 * contexts, with every pool thread in a task, when the parent forks. */
TEST(threads_fork_while_calls_hold_the_pools) {
  fixture f;
  inherited h = {0};
  char why[600];
  CHECK(make_fixture(&f, wgt_seed() + 1), "set-up");
  h.f = &f;
  CHECK(wg_context_create(3, &h.ctx[0]) == WG_OK && wg_context_create(2, &h.ctx[1]) == WG_OK,
        "contexts");
  CHECK(use(h.ctx[0], &f, "parent", 1) == 0 && use(h.ctx[1], &f, "parent", 1) == 0, "%s",
        page->why);
  for (int round = 0; round < 2; round++) {
    holder hd[2] = {{.ctx = h.ctx[0]}, {.ctx = h.ctx[1]}};
    pthread_t tid[2];
    for (int i = 0; i < 2; i++)
      CHECK(pthread_create(&tid[i], NULL, holder_main, &hd[i]) == 0, "thread");
    time_t t0 = time(NULL);
    while ((atomic_load(&hd[0].entered) < 3 || atomic_load(&hd[1].entered) < 2) &&
           time(NULL) - t0 < 30)
      sched_yield();
    int all_in = atomic_load(&hd[0].entered) >= 3 && atomic_load(&hd[1].entered) >= 2;
    int failed = all_in && in_child(round ? child_destroys_two : child_during_calls, &h, why,
                                    sizeof why) != 0;
    for (int i = 0; i < 2; i++) {
      atomic_store(&hd[i].release, 1);
      pthread_join(tid[i], NULL);
    }
    CHECK(all_in, "the pools' threads did not all enter the held tasks");
    CHECK(!failed, "round %d: %s", round, why);
    CHECK(hd[0].st == WG_OK && hd[1].st == WG_OK, "the held calls: %s %s",
          wg_status_name(hd[0].st), wg_status_name(hd[1].st));
  }
  CHECK(use(h.ctx[0], &f, "parent after the forks", 1) == 0 &&
            use(h.ctx[1], &f, "parent after the forks", 1) == 0,
        "%s", page->why);
  wg_context_destroy(h.ctx[0]);
  wg_context_destroy(h.ctx[1]);
  free_fixture(&f);
  wgt_count_check(atomic_load(&page->checks));
  atomic_store(&page->checks, 0);
}

static int child_weights_busy(inherited *h) {
  if (use(h->ctx[0], h->f, "child, inherited context", 1)) return 1;
  wg_context *own;
  if (wg_context_create(1, &own) != WG_OK) return fail("child: wg_context_create");
  int bad = use(own, h->f, "child, its own context", 1);
  wg_context_destroy(own);
  wg_context_destroy(h->ctx[0]);
  wg_weights_destroy(h->f->gpw);
  wg_weights_destroy(h->f->cpw);
  return bad;
}

/* Weights are shared by contexts and threads; an NCHW convolution makes
 * their tap-major panels on its first call (weights.c).  At fork, another
 * thread of the parent is making them (its claim is set here): the child
 * must neither wait for that thread nor deadlock, and gets the same bits. */
TEST(threads_fork_while_weights_are_being_extended) {
  fixture f;
  inherited h = {0};
  char why[600];
  CHECK(make_fixture(&f, wgt_seed() + 2), "set-up");
  h.f = &f;
  CHECK(wg_context_create(2, &h.ctx[0]) == WG_OK, "context");
  atomic_store(&f.cpw->tap_owner, wg_forks() + 1); /* a call of this process is at work */
  int failed = in_child(child_weights_busy, &h, why, sizeof why) != 0;
  atomic_store(&f.cpw->tap_owner, 0);
  CHECK(!failed, "nothing made yet: %s", why);
  wg_run_info info = {0};
  uint8_t *y = malloc(f.cbytes);
  CHECK(wg_conv2d(h.ctx[0], f.cpw, &f.desc[0], f.cx, (wg_act_format){4, 0}, &f.ep, y, &info) ==
                WG_OK &&
            memcmp(y, f.cref[0], f.cbytes) == 0,
        "parent NCHW");
  free(y);
  printf("    NCHW conv2d in the parent: %s\n", info.method);
  atomic_store(&f.cpw->tap_owner, wg_forks() + 1);
  failed = in_child(child_weights_busy, &h, why, sizeof why) != 0;
  atomic_store(&f.cpw->tap_owner, 0);
  CHECK(!failed, "panels made: %s", why);
  CHECK(use(h.ctx[0], &f, "parent after the forks", 1) == 0, "%s", page->why);
  wg_context_destroy(h.ctx[0]);
  free_fixture(&f);
  wgt_count_check(atomic_load(&page->checks));
  atomic_store(&page->checks, 0);
}

/* Other threads of the parent call on two contexts in a loop while it
 * forks again and again: whatever instant the fork lands on (a pool's
 * mutex held, workers joining or asleep, scratch being grown), the child
 * uses and destroys both. */
typedef struct looper {
  inherited *h;
  int which;
  _Atomic int *stop;
  int bad;
} looper;
static void *looper_main(void *v) {
  looper *l = v;
  while (!atomic_load(l->stop) && !l->bad) l->bad = use(l->h->ctx[l->which], l->h->f, "loop", 1);
  return NULL;
}

TEST(threads_fork_at_random_instants_of_calls) {
#ifdef WGT_ASAN
  SKIP("AddressSanitizer's allocator takes no lock around fork: a child can deadlock in a "
       "malloc that another thread was inside, whatever the library does; the native, TSan and "
       "qemu lanes run this");
#endif
  fixture f;
  inherited h = {0};
  char why[600];
  CHECK(make_fixture(&f, wgt_seed() + 3), "set-up");
  h.f = &f;
  CHECK(wg_context_create(2, &h.ctx[0]) == WG_OK && wg_context_create(3, &h.ctx[1]) == WG_OK,
        "contexts");
  _Atomic int stop = 0;
  looper l[3] = {{&h, 0, &stop, 0}, {&h, 1, &stop, 0}, {&h, 0, &stop, 0}};
  pthread_t tid[3];
  for (int i = 0; i < 3; i++) CHECK(pthread_create(&tid[i], NULL, looper_main, &l[i]) == 0, "t");
  int forks = wgt_quick() ? 6 : 30, failed = 0;
  wgt_rng r = {wgt_seed()};
  for (int i = 0; i < forks && !failed; i++) {
    struct timespec nap = {0, (long)wgt_range(&r, 0, 3000000)};
    nanosleep(&nap, NULL);
    failed = in_child(i % 2 ? child_destroys_two : child_during_calls, &h, why, sizeof why);
    if (failed) snprintf(why + strlen(why), sizeof why - strlen(why), " (fork %d)", i);
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 3; i++) pthread_join(tid[i], NULL);
  CHECK(!failed, "%s", why);
  CHECK(!l[0].bad && !l[1].bad && !l[2].bad, "parent's calls: %s", page->why);
  wg_context_destroy(h.ctx[0]);
  wg_context_destroy(h.ctx[1]);
  free_fixture(&f);
  wgt_count_check(atomic_load(&page->checks));
  atomic_store(&page->checks, 0);
}
