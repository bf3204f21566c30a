// OpenBLAS sgemm in float: the float reference the design card names.  The
// codes are exact in float, but sums above 2^24 round, so the check allows
// float's relative error on the largest possible sum.
#include "case.h"

#if WGB_HAVE_OPENBLAS
#include <cblas.h>

#include <cmath>
#include <memory>

namespace wgb {
namespace {

struct BlCase {
  Layer l;
  bool conv;
  std::shared_ptr<LayerData> d;  // shared by the .gemm and .conv cases
  std::vector<float> xf, wf, colsf, y;

  bool run(std::string *) {
    call();
    return true;
  }
  void call() {
    if (conv) im2col3x3(l, xf.data(), colsf.data());
    const int M = int(l.m()), N = int(l.n()), K = int(l.k());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, wf.data(), K,
                colsf.data(), N, 0.0f, y.data(), N);
  }

  bool check(std::string *why) {
    call();
    const std::vector<int64_t> &z = d->exact(l);
    const double tol = double(l.k()) * 128.0 * 255.0 * 1e-6;
    for (size_t i = 0; i < z.size(); i++)
      if (std::fabs(double(y[i]) - double(z[i])) > tol) {
        *why = "output " + std::to_string(i) + ": got " + std::to_string(y[i]) +
               ", exact " + std::to_string(z[i]);
        return false;
      }
    return true;
  }
};

}  // namespace

int add_openblas_cases(std::vector<Case> &out, Notes &notes) {
  openblas_set_num_threads(options().threads);
  notes.push_back(std::string("version: OpenBLAS ") + openblas_get_config());
  return add_table7_peer_cases<BlCase>(out, "openblas_sgemm", Lib::openblas, 8, [](BlCase &c) {
    c.xf.assign(c.d->x.begin(), c.d->x.end());
    c.wf.assign(c.d->w.begin(), c.d->w.end());
    c.colsf.assign(c.d->cols.begin(), c.d->cols.end());
    c.y.resize(size_t(c.l.m() * c.l.n()));
  });
}

}  // namespace wgb
#else
namespace wgb {
int add_openblas_cases(std::vector<Case> &, Notes &notes) {
  notes.push_back("left out: OpenBLAS (libopenblas not installed for " WGB_TARGET ")");
  return 0;
}
}  // namespace wgb
#endif
