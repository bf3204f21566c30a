// Times the cases: each one's check first (a case that computes the wrong
// thing is reported as failed and not timed), then `reps` repetitions of at
// least min_time seconds and at least one call each; the median time per call
// is what the tables use.  Two drivers share this interface: Google Benchmark
// (driver_gbench.cc) and, for targets without that library, a plain timer
// (driver_timer.cc).
#ifndef WGBENCH_DRIVER_H
#define WGBENCH_DRIVER_H

#include <string>
#include <vector>

#include "case.h"
#include "report.h"

namespace wgb {

// gbench_args: --benchmark_* flags for Google Benchmark.  *json: where the
// Google Benchmark JSON goes; cleared if this driver writes none.
std::vector<Result> run_cases(const std::vector<Case> &cases,
                              const std::vector<std::string> &gbench_args,
                              std::string *json, Notes *notes);

// Runs every check, prints progress, and returns one Result per case with
// ok/why filled in (used by both drivers).
std::vector<Result> check_cases(const std::vector<Case> &cases);

// Median, smallest and largest of the per-call times, into r.
void summarize(std::vector<double> times, Result *r);

}  // namespace wgb

#endif
