// Results of a run and the report built from them: the terminal's Table 7
// and Table 8, and bench/results/{report.md, chart.dat, chart.gp, chart.png}.
#ifndef WGBENCH_REPORT_H
#define WGBENCH_REPORT_H

#include <string>
#include <vector>

#include "case.h"

namespace wgb {

struct Result {
  std::string name;
  std::string lib;
  double macs = 0;
  double median_s = 0;   // median over repetitions of the time per call
  double min_s = 0, max_s = 0;
  int reps = 0;
  bool ok = false;
  std::string why;       // the failure, when !ok
  std::string impl;      // what ran, where the case says (Case::impl)
};

// One line per result or note (tab-separated), so a threaded run's child
// processes can hand theirs to the parent.  read_results appends.
bool write_results(const std::string &path, const std::vector<Result> &r,
                   const Notes &notes);
bool read_results(const std::string &path, std::vector<Result> *r, Notes *notes);

struct RunInfo {
  std::string out_dir;
  std::string json;      // Google Benchmark JSON written, or "" if none
  Notes notes;
  double seconds = 0;    // wall time of the whole run
  std::string load_start;  // /proc/loadavg when the run began
};

// The 1, 5 and 15 minute load averages, "" where /proc/loadavg is missing.
std::string loadavg();

// Prints the tables to stdout and writes the files; returns 0 if every case
// passed its check and the report was written.
int report(const std::vector<Result> &results, const RunInfo &info);

}  // namespace wgb

#endif
