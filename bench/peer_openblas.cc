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
  LayerData d;
  std::vector<float> xf, wf, colsf, y;

  void im2col_float() {
    const int H = l.h, W = l.w;
    for (int c = 0; c < l.c; c++)
      for (int kh = 0; kh < 3; kh++)
        for (int kw = 0; kw < 3; kw++) {
          float *row = colsf.data() + (int64_t(c) * 9 + kh * 3 + kw) * H * W;
          for (int oh = 0; oh < H; oh++) {
            const int ih = oh + kh - 1;
            for (int ow = 0; ow < W; ow++) {
              const int iw = ow + kw - 1;
              const bool in = ih >= 0 && ih < H && iw >= 0 && iw < W;
              row[oh * W + ow] = in ? xf[(int64_t(c) * H + ih) * W + iw] : 0.0f;
            }
          }
        }
  }

  void call() {
    if (conv) im2col_float();
    const int M = int(l.m()), N = int(l.n()), K = int(l.k());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, wf.data(), K,
                colsf.data(), N, 0.0f, y.data(), N);
  }

  bool check(std::string *why) {
    call();
    std::vector<int64_t> z;
    exact_gemm(l, d.w.data(), d.cols.data(), &z);
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
  int added = 0;
  for (size_t li = 0; li < layers().size(); li++) {
    const Layer &l = layers()[li];
    for (bool conv : {false, true}) {
      auto c = std::make_shared<BlCase>();
      c->l = l;
      c->conv = conv;
      fill_layer(l, 8, -128, 127, false, 0xb1a5 + li, &c->d);
      c->xf.assign(c->d.x.begin(), c->d.x.end());
      c->wf.assign(c->d.w.begin(), c->d.w.end());
      c->colsf.assign(c->d.cols.begin(), c->d.cols.end());
      c->y.resize(size_t(l.m() * l.n()));
      out.push_back(Case{"table7/" + l.name() + "/openblas_sgemm" + (conv ? ".conv" : ".gemm"),
                         Lib::openblas, l.macs(),
                         [c](std::string *why) { return c->check(why); },
                         [c](std::string *) {
                           c->call();
                           return true;
                         }});
      added++;
    }
  }
  return added;
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
