/* Thread CPU time (wall time for several threads) and the statistics the LUT timing programs report
 * (lut_bench.c, kernel_bench.c). */
#ifndef LUT_TIMING_H
#define LUT_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Wall time, for calls on several threads. */
static inline double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* A call's clock: the calling thread's CPU time, wall time on several. */
static inline double call_now(int threads) { return threads > 1 ? wall_now() : cpu_now(); }

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Sorts v. */
static inline double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static inline double minimum(const double *v, int n) {
  double m = v[0];
  for (int i = 1; i < n; i++) m = v[i] < m ? v[i] : m;
  return m;
}

#endif
