// What both drivers share: the checks before timing and the statistics.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "driver.h"

namespace wgb {

std::vector<Result> check_cases(const std::vector<Case> &cases) {
  std::vector<Result> out(cases.size());
  int failed = 0;
  const bool tty = isatty(1);
  for (size_t i = 0; i < cases.size(); i++) {
    Result &r = out[i];
    r.name = cases[i].name;
    r.lib = lib_name(cases[i].lib);
    r.macs = cases[i].macs;
    r.ok = true;
    if (cases[i].check) r.ok = cases[i].check(&r.why);
    if (r.ok && cases[i].impl) r.impl = cases[i].impl();
    if (!r.ok) {
      failed++;
      std::printf("CHECK FAILED %s: %s\n", r.name.c_str(), r.why.c_str());
    }
    if (tty) {
      std::printf("\rchecking every case against the exact sums: %zu/%zu", i + 1, cases.size());
      std::fflush(stdout);
    }
  }
  std::printf("%schecked %zu cases against the exact sums: %d failed\n", tty ? "\n" : "",
              cases.size(), failed);
  return out;
}

void summarize(std::vector<double> t, Result *r) {
  r->reps = int(t.size());
  if (t.empty()) return;
  std::sort(t.begin(), t.end());
  const size_t n = t.size();
  r->median_s = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
  r->min_s = t.front();
  r->max_s = t.back();
}

}  // namespace wgb
