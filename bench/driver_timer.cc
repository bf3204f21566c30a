// The plain timer, for targets where Google Benchmark is not installed (an
// ARM cross build): same cases, checks, repetitions and medians, no JSON.
#include "driver.h"

#if !WGB_HAVE_GBENCH
#include <chrono>
#include <cstdio>

namespace wgb {

std::vector<Result> run_cases(const std::vector<Case> &cases,
                              const std::vector<std::string> &gbench_args,
                              std::string *json, Notes *notes) {
  notes->push_back("left out: Google Benchmark (not installed for " WGB_TARGET
                   "); timed with wgbench's own loop, no JSON");
  if (!gbench_args.empty())
    notes->push_back("ignored " + std::to_string(gbench_args.size()) +
                     " --benchmark_ flags (no Google Benchmark)");
  json->clear();
  std::vector<Result> results = check_cases(cases);
  using clock = std::chrono::steady_clock;
  size_t done = 0;
  for (size_t i = 0; i < cases.size(); i++) {
    Result &r = results[i];
    done++;
    if (!r.ok) continue;
    std::vector<double> times;
    if (!cases[i].check && !cases[i].run(&r.why)) r.ok = false;  // warm-up
    for (int rep = 0; rep < options().reps && r.ok; rep++) {
      long calls = 0;
      const auto t0 = clock::now();
      double s = 0;
      do {
        if (!cases[i].run(&r.why)) {
          r.ok = false;
          break;
        }
        calls++;
        s = std::chrono::duration<double>(clock::now() - t0).count();
      } while (s < options().min_time);
      times.push_back(s / double(calls));
    }
    if (!r.ok) {
      std::printf("[%3zu/%zu] %-70s ERROR %s\n", done, cases.size(), r.name.c_str(),
                  r.why.c_str());
      continue;
    }
    summarize(times, &r);
    std::printf("[%3zu/%zu] %-70s %9.3f ms %8.2f GMAC/s\n", done, cases.size(),
                r.name.c_str(), r.median_s * 1e3, r.macs / r.median_s / 1e9);
    std::fflush(stdout);
  }
  return results;
}

}  // namespace wgb
#endif  // !WGB_HAVE_GBENCH
