// The Google Benchmark driver: every checked case becomes one benchmark
// (real time, MAC/s counter), its JSON goes to *json, and a slim reporter
// shows progress, one line per finished case, and keeps the per-repetition
// times.  The repetitions of all cases run in one random order by default,
// so that a load that comes and goes on a shared machine spreads over all
// cases instead of slowing a few: ratios between cases are what the tables
// report.
#include "driver.h"

#if WGB_HAVE_GBENCH
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <map>
#include <utility>

namespace wgb {
namespace {

class Progress : public benchmark::BenchmarkReporter {
 public:
  Progress(size_t total, std::map<std::string, double> macs)
      : total_(total), macs_(std::move(macs)), tty_(isatty(1)) {}
  std::map<std::string, std::vector<double>> times;
  std::map<std::string, std::string> errors;

  bool ReportContext(const Context &ctx) override {
    std::printf("timing %zu cases on %d CPUs at %.0f MHz (Google Benchmark)\n", total_,
                ctx.cpu_info.num_cpus, ctx.cpu_info.cycles_per_second / 1e6);
    return true;
  }

  void ReportRuns(const std::vector<Run> &runs) override {
    for (const Run &r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;
      const std::string name = r.run_name.function_name;
      if (r.error_occurred) {
        errors[name] = r.error_message;
      } else {
        times[name].push_back(r.GetAdjustedRealTime() / 1e3);  // ms -> s
      }
      run_++;
      // Every case has the same number of repetitions (a flag).
      const size_t runs_ = total_ * size_t(r.repetitions);
      if (tty_) {
        std::printf("\r%zu of %zu timed runs\r", run_, runs_);
        std::fflush(stdout);
      } else if (run_ * 10 / runs_ != (run_ - 1) * 10 / runs_) {
        std::printf("%zu of %zu timed runs\n", run_, runs_);
      }
      if (r.repetition_index + 1 < r.repetitions && !r.error_occurred) continue;
      done_++;
      Result tmp;
      summarize(times[name], &tmp);
      if (tty_) std::printf("%40s\r", "");
      if (r.error_occurred)
        std::printf("[%3zu/%zu] %-70s ERROR %s\n", done_, total_, name.c_str(),
                    r.error_message.c_str());
      else
        std::printf("[%3zu/%zu] %-70s %9.3f ms %8.2f GMAC/s\n", done_, total_, name.c_str(),
                    tmp.median_s * 1e3, macs_[name] / tmp.median_s / 1e9);
      std::fflush(stdout);
    }
  }

 private:
  size_t total_, done_ = 0, run_ = 0;
  std::map<std::string, double> macs_;
  bool tty_;
};

}  // namespace

std::vector<Result> run_cases(const std::vector<Case> &cases,
                              const std::vector<std::string> &gbench_args,
                              std::string *json, Notes *notes) {
  std::vector<Result> results = check_cases(cases);
  std::vector<std::string> args = {"wgbench", "--benchmark_out=" + *json,
                                   "--benchmark_out_format=json",
                                   "--benchmark_enable_random_interleaving=true",
                                   "--benchmark_repetitions=" + std::to_string(options().reps),
                                   "--benchmark_min_time=" + std::to_string(options().min_time)};
  args.insert(args.end(), gbench_args.begin(), gbench_args.end());
  std::vector<char *> argv;
  for (auto &s : args) argv.push_back(&s[0]);
  int argc = int(argv.size());
  benchmark::Initialize(&argc, argv.data());

  size_t timed = 0;
  std::map<std::string, double> macs;
  for (size_t i = 0; i < cases.size(); i++) {
    if (!results[i].ok) continue;
    const Case c = cases[i];
    macs[c.name] = c.macs;
    benchmark::RegisterBenchmark(c.name.c_str(),
                                 [c](benchmark::State &st) {
                                   std::string why;
                                   for (auto _ : st)
                                     if (!c.run(&why)) {
                                       st.SkipWithError(why.c_str());
                                       break;
                                     }
                                   st.counters["MAC/s"] = benchmark::Counter(
                                       c.macs, benchmark::Counter::kIsIterationInvariantRate);
                                 })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    timed++;
  }
  // Repetitions and minimum time go in as flags rather than per benchmark,
  // so that the names in the JSON stay the case names (plus "/real_time").
  Progress live(timed, macs);
  if (timed) benchmark::RunSpecifiedBenchmarks(&live);
  else json->clear();
  benchmark::Shutdown();
  notes->push_back("version: Google Benchmark " WGB_GBENCH_VERSION);

  for (Result &r : results) {
    if (!r.ok) continue;
    auto e = live.errors.find(r.name);
    if (e != live.errors.end()) {
      r.ok = false;
      r.why = e->second;
    }
    auto t = live.times.find(r.name);
    if (t == live.times.end()) {
      // Filtered out by a --benchmark_filter: not a result.
      r.reps = 0;
      continue;
    }
    summarize(t->second, &r);
  }
  return results;
}

}  // namespace wgb
#endif  // WGB_HAVE_GBENCH
