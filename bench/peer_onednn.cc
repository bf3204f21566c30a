// oneDNN dnnl_gemm_u8s8s32: uint8 activations x int8 weights -> int32.
// oneDNN's GEMM is row-major with the uint8 operand on the left, so it
// computes Y^T (N x M) = X^T (N x K) * W^T (K x M) from the same buffers.
// Without VNNI its AVX2 path saturates in vpmaddubsw on full-range codes
// (../shared/guide/testing.md), so its data use 7-bit activations, where no
// pair can saturate, and its output is checked exactly.
#include "case.h"

#if WGB_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>

#include <memory>

namespace wgb {
namespace {

struct DnCase {
  Layer l;
  bool conv;
  std::shared_ptr<LayerData> d;  // shared by the .gemm and .conv cases
  std::vector<uint8_t> cols;
  std::vector<int32_t> y;

  bool run(std::string *why) {
    const dnnl_status_t st = call();
    if (st != dnnl_success) *why = "dnnl status " + std::to_string(int(st));
    return st == dnnl_success;
  }
  dnnl_status_t call() {
    const int64_t M = l.m(), N = l.n(), K = l.k();
    const uint8_t *b = d->cols.data();
    if (conv) {
      im2col3x3(l, d->x.data(), cols.data());
      b = cols.data();
    }
    const int32_t co = 0;
    return dnnl_gemm_u8s8s32('T', 'T', 'F', N, M, K, 1.0f, b, N, 0, d->w.data(), K,
                             0, 0.0f, y.data(), M, &co);
  }

  bool check(std::string *why) {
    const dnnl_status_t st = call();
    if (st != dnnl_success) {
      *why = "dnnl status " + std::to_string(int(st));
      return false;
    }
    const std::vector<int64_t> &z = d->exact(l);
    const int64_t M = l.m(), N = l.n();
    for (int64_t m = 0; m < M; m++)
      for (int64_t n = 0; n < N; n++)
        if (int64_t(y[size_t(n * M + m)]) != z[size_t(m * N + n)]) {
          *why = "output (" + std::to_string(m) + "," + std::to_string(n) + "): got " +
                 std::to_string(y[size_t(n * M + m)]) + ", exact " +
                 std::to_string(z[size_t(m * N + n)]);
          return false;
        }
    return true;
  }
};

}  // namespace

int add_onednn_cases(std::vector<Case> &out, Notes &notes) {
  const dnnl_version_t *v = dnnl_version();
  notes.push_back("version: oneDNN " + std::to_string(v->major) + "." +
                  std::to_string(v->minor) + "." + std::to_string(v->patch) + " (" +
                  v->hash + ", cpu runtime " + std::to_string(v->cpu_runtime) + ")");
  return add_table7_peer_cases<DnCase>(out, "onednn_u8s8s32", Lib::onednn, 7, [](DnCase &c) {
    c.cols.resize(c.d->cols.size());
    c.y.resize(size_t(c.l.m() * c.l.n()));
  });
}

}  // namespace wgb
#else
namespace wgb {
int add_onednn_cases(std::vector<Case> &, Notes &notes) {
  notes.push_back("left out: oneDNN (libdnnl not installed for " WGB_TARGET ")");
  return 0;
}
}  // namespace wgb
#endif
