// wg_gemmlowp_gemm against gemmlowp's GemmWithOutputPipeline on one shape
// (docs/gemmlowp.md, "Speed"): random uint8 operands, row-major, the uint8
// pipeline (quantize down by 1200000000 >> 18, offset 10, clamp 0..255),
// rhs offset -7, one thread each.  The two run alternately, call after
// call, so that load from other jobs hits both alike; prints the medians,
// their ratio (above 1: wrapgemm faster) and whether every result byte
// agreed.  Built by `make bench-gemmlowp-entry` (mk/gemmlowp.mk).
//
//   gemmlowp_entry M N K reps lhs_zero_point
#include <gemmlowp/public/gemmlowp.h>
#include <wrapgemm.h>

#include "../../test/gemmlowp/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s M N K reps lhs_zero_point\n", argv[0]);
    return 2;
  }
  const int M = std::atoi(argv[1]), N = std::atoi(argv[2]), K = std::atoi(argv[3]);
  const int reps = std::atoi(argv[4]), zw = std::atoi(argv[5]);
  if (M < 1 || N < 1 || K < 1 || reps < 1 || zw < 0 || zw > 255) return 2;
  std::mt19937 g(1);
  std::vector<uint8_t> lhs(size_t(M) * K), rhs(size_t(K) * N), y_gl(size_t(M) * N),
      y_wg(size_t(M) * N);
  for (auto &v : lhs) v = uint8_t(g());
  for (auto &v : rhs) v = uint8_t(g());

  gemmlowp::GemmContext gctx;
  gctx.set_max_num_threads(1);
  wg_context *ctx;
  if (wg_context_create(1, &ctx) != WG_OK) return 1;
  wg_gemmlowp_desc d = wg_gemmlowp_desc_default(M, N, K);
  d.lhs_offset = -zw;
  d.rhs_offset = -7;
  d.result_fixedpoint_multiplier = 1200000000;
  d.result_shift = 18;
  d.result_offset_after_shift = 10;
  const auto pipeline = wg_gemmlowp_pipeline(d);

  std::vector<double> t_gl, t_wg;
  wg_run_info info;
  for (int i = 0; i < reps; i++) {
    double t0 = now();
    gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> l(lhs.data(), M, K);
    gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> r(rhs.data(), K, N);
    gemmlowp::MatrixMap<uint8_t, gemmlowp::MapOrder::RowMajor> y(y_gl.data(), M, N);
    gemmlowp::GemmWithOutputPipeline<uint8_t, uint8_t, gemmlowp::DefaultL8R8BitDepthParams>(
        &gctx, l, r, &y, d.lhs_offset, d.rhs_offset, pipeline);
    double t1 = now();
    wg_status st = wg_gemmlowp_gemm(ctx, &d, lhs.data(), rhs.data(), y_wg.data(), &info);
    double t2 = now();
    if (st != WG_OK) {
      std::fprintf(stderr, "wg_gemmlowp_gemm: %s\n", wg_status_name(st));
      return 1;
    }
    t_gl.push_back(t1 - t0);
    t_wg.push_back(t2 - t1);
  }
  wg_context_destroy(ctx);
  const double a = median(t_gl), b = median(t_wg);
  std::printf("%dx%d N=%d zw=%d reps=%d: gemmlowp %.3f ms, wg_gemmlowp_gemm %.3f ms (%s, %s), "
              "ratio %.3f, same=%d\n",
              M, K, N, zw, reps, a * 1e3, b * 1e3, info.kernel, info.method, a / b,
              int(y_gl == y_wg));
  return y_gl == y_wg ? 0 : 1;
}
