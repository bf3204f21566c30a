// wgbench: reproduces the paper's Tables 7 and 8 on this CPU.
//
//   wgbench [--quick] [--threads=N] [--reps=N] [--min-time=S] [--out=DIR]
//           [--filter=REGEX] [--lib=NAME] [--list] [--benchmark_...=...]
// (docs/performance.md).
//
// Single-threaded by default, every peer pinned to one thread.  With
// --threads=N > 1 each library runs in its own child process (so no pool of
// one library spins while another is timed) and the parent merges them.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "case.h"
#include "depthwise.h"
#include "driver.h"
#include "report.h"

namespace wgb {

static Options g_options;
const Options &options() { return g_options; }

namespace {

struct Args {
  std::string out = "bench/results";
  std::string filter;
  std::string lib;   // only this library (a threaded run's child, or by hand)
  std::string tsv;   // a threaded run's child: where its results go
  bool list = false;
  std::vector<std::string> gbench;  // --benchmark_* passed through
};

bool parse(int argc, char **argv, Args *a) {
  for (int i = 1; i < argc; i++) {
    const std::string s = argv[i];
    auto val = [&](const char *flag, std::string *v) {
      const size_t n = std::strlen(flag);
      if (s.compare(0, n, flag) != 0) return false;
      *v = s.substr(n);
      return true;
    };
    std::string v;
    if (s == "--quick") {
      g_options.quick = true;
      g_options.reps = 1;
      g_options.min_time = 0.002;
    } else if (val("--threads=", &v)) {
      g_options.threads = std::atoi(v.c_str());
    } else if (val("--reps=", &v)) {
      g_options.reps = std::atoi(v.c_str());
    } else if (val("--min-time=", &v)) {
      g_options.min_time = std::atof(v.c_str());
    } else if (val("--out=", &a->out) || val("--filter=", &a->filter) ||
               val("--lib=", &a->lib)) {
    } else if (s == "--list") {
      a->list = true;
    } else if (s.compare(0, 12, "--benchmark_") == 0) {
      a->gbench.push_back(s);
    } else {
      std::fprintf(stderr, "wgbench: unknown argument %s\n", s.c_str());
      return false;
    }
  }
  if (g_options.threads < 1 || g_options.threads > 256 || g_options.reps < 1 ||
      g_options.min_time < 0) {
    std::fprintf(stderr, "wgbench: --threads in 1..256, --reps >= 1, --min-time >= 0\n");
    return false;
  }
  return true;
}

// Peers read their thread counts from the environment when their libraries
// load, before main: set them and start again, once.
void pin_threads(char **argv) {
  const std::string t = std::to_string(g_options.threads);
  bool same = true;
  for (const char *var : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
    const char *cur = std::getenv(var);
    if (!cur || t != cur) {
      same = false;
      setenv(var, t.c_str(), 1);
    }
  }
  // Only OpenBLAS and oneDNN read them; without either, nothing to restart.
  if (same || std::getenv("WGBENCH_REEXEC") || !(WGB_HAVE_OPENBLAS || WGB_HAVE_ONEDNN)) return;
  setenv("WGBENCH_REEXEC", "1", 1);
  execv("/proc/self/exe", argv);
  std::fprintf(stderr, "wgbench: could not restart with pinned threads; "
                       "set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS yourself\n");
}

std::vector<Case> collect(const Args &a, Notes *notes) {
  std::vector<Case> all;
  const bool ceilings = a.lib.empty() || a.lib == lib_name(Lib::ceiling);
  if (ceilings) add_ceiling_cases(all, *notes, "first");
  using Adder = int (*)(std::vector<Case> &, Notes &);
  const std::pair<Lib, Adder> adders[] = {
      {Lib::wrapgemm, add_wrapnet8_cases}, {Lib::wrapgemm, add_wrapgemm_cases},
      {Lib::gemmlowp, add_gemmlowp_cases}, {Lib::onednn, add_onednn_cases},
      {Lib::onednn, add_onednn_conv_cases}, {Lib::openblas, add_openblas_cases},
      {Lib::xnnpack, add_xnnpack_cases},   {Lib::swar, add_swar_cases},
      {Lib::wrapgemm, add_depthwise_wrapgemm_cases}, {Lib::onednn, add_depthwise_onednn_cases},
      {Lib::xnnpack, add_depthwise_xnnpack_cases}};
  for (const auto &ad : adders)
    if (a.lib.empty() || a.lib == lib_name(ad.first)) ad.second(all, *notes);
  if (ceilings) add_ceiling_cases(all, *notes, "last");
  if (a.filter.empty()) return all;
  const std::regex re(a.filter);
  std::vector<Case> kept;
  for (auto &c : all)
    if (std::regex_search(c.name, re)) kept.push_back(std::move(c));
  return kept;
}

// Registers and times the selected cases in this process.  Returns 0, or
// 1 if the output folder or the results file could not be written.
int run_here(const Args &a, RunInfo *info, std::vector<Result> *results) {
  std::vector<Case> cases = collect(a, &info->notes);
  if (std::system(("mkdir -p '" + a.out + "'").c_str()) != 0) return 1;
  info->json = a.out + "/bench.json";
  *results = run_cases(cases, a.gbench, &info->json, &info->notes);
  if (!a.tsv.empty() && !write_results(a.tsv, *results, info->notes)) return 1;
  return 0;
}

// A threaded run: one child process per library, merged here.  The child
// is a fork that has not touched any library yet (the parent only forks),
// so each library starts its threads in a process of its own.
int run_children(const Args &a, std::vector<Result> *results, Notes *notes) {
  const std::string dir = a.out + "/threads-" + std::to_string(g_options.threads);
  if (std::system(("mkdir -p '" + dir + "'").c_str()) != 0) return 1;
  int bad = 0;
  for (Lib l : {Lib::ceiling, Lib::wrapgemm, Lib::gemmlowp, Lib::onednn, Lib::openblas,
                Lib::xnnpack, Lib::swar}) {
    const std::string name = lib_name(l), tsv = dir + "/" + name + ".tsv";
    std::printf("== %s: its own process, %d threads\n", name.c_str(), g_options.threads);
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      Args child = a;
      child.lib = name;
      child.tsv = tsv;
      child.out = dir + "/" + name;
      RunInfo info;
      std::vector<Result> r;
      const int rc = run_here(child, &info, &r);
      std::fflush(nullptr);
      _exit(rc);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
      notes->push_back("the " + name + " process failed (status " + std::to_string(status) + ")");
      bad++;
    }
    if (!read_results(tsv, results, notes)) {
      notes->push_back("no results from the " + name + " process");
      bad++;
    }
  }
  return bad;
}

}  // namespace
}  // namespace wgb

int main(int argc, char **argv) {
  using namespace wgb;
  Args a;
  if (!parse(argc, argv, &a)) return 2;
  pin_threads(argv);
  const auto t0 = std::chrono::steady_clock::now();
  RunInfo info;
  info.out_dir = a.out;
  info.load_start = loadavg();
  std::vector<Result> results;

  int failed = 0;
  if (a.list) {
    for (const auto &c : collect(a, &info.notes)) std::printf("%s\n", c.name.c_str());
    for (const auto &n : info.notes) std::printf("# %s\n", n.c_str());
    return 0;
  } else if (g_options.threads > 1 && a.lib.empty()) {
    failed = run_children(a, &results, &info.notes);
    info.json = a.out + "/threads-" + std::to_string(g_options.threads) +
                "/<library>/bench.json (one per process)";
  } else {
    failed = run_here(a, &info, &results);
  }
  info.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int st = report(results, info);
  return failed ? 1 : st;
}
