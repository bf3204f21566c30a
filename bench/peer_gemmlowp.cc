// gemmlowp (header-only), uint8 x uint8 -> int32, its 32-bit accumulators.
// The Makefile builds this file with -mavx2 -DGEMMLOWP_ENABLE_AVX2 on x86-64
// so that gemmlowp uses its AVX2 kernel; registration then requires a CPU
// with AVX2.  Weights are the int8 codes stored as code + 128 with a
// left-hand offset of -128, so the product is exactly W * X.
#include "case.h"

#if WGB_HAVE_GEMMLOWP
#include <gemmlowp/public/gemmlowp.h>

#include <memory>
#include <tuple>

namespace wgb {
namespace {

#if defined(GEMMLOWP_AVX2)
const char *const kName = "gemmlowp_u8u8s32__avx2";
#elif defined(GEMMLOWP_SSE4)
const char *const kName = "gemmlowp_u8u8s32__sse4";
#elif defined(GEMMLOWP_NEON)
const char *const kName = "gemmlowp_u8u8s32__neon";
#else
const char *const kName = "gemmlowp_u8u8s32__generic";
#endif

struct GlCase {
  Layer l;
  bool conv;
  std::shared_ptr<LayerData> d;  // shared by the .gemm and .conv cases
  std::vector<uint8_t> wu, cols;
  std::vector<int32_t> y;
  gemmlowp::GemmContext ctx;

  bool run(std::string *) {
    call();
    return true;
  }
  void call() {
    const int M = int(l.m()), N = int(l.n()), K = int(l.k());
    const uint8_t *b = d->cols.data();
    if (conv) {
      im2col3x3(l, d->x.data(), cols.data());
      b = cols.data();
    }
    gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> lhs(wu.data(), M, K);
    gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> rhs(b, K, N);
    gemmlowp::MatrixMap<int32_t, gemmlowp::MapOrder::RowMajor> res(y.data(), M, N);
    gemmlowp::GemmWithOutputPipeline<uint8_t, int32_t, gemmlowp::DefaultL8R8BitDepthParams>(
        &ctx, lhs, rhs, &res, -128, 0, std::make_tuple());
  }

  bool check(std::string *why) {
    call();
    const std::vector<int64_t> &z = d->exact(l);
    for (size_t i = 0; i < z.size(); i++)
      if (int64_t(y[i]) != z[i]) {
        *why = "output " + std::to_string(i) + ": got " + std::to_string(y[i]) +
               ", exact " + std::to_string(z[i]);
        return false;
      }
    return true;
  }
};

}  // namespace

int add_gemmlowp_cases(std::vector<Case> &out, Notes &notes) {
#if defined(GEMMLOWP_AVX2)
  if (!__builtin_cpu_supports("avx2")) {
    notes.push_back(std::string("left out: ") + kName + " (this CPU has no AVX2)");
    return 0;
  }
#endif
  notes.push_back(std::string("version: gemmlowp ") + WGB_GEMMLOWP_VERSION + " (" +
                  kName + ", header-only)");
  return add_table7_peer_cases<GlCase>(out, kName, Lib::gemmlowp, 8, [](GlCase &c) {
    c.wu.resize(c.d->w.size());
    for (size_t i = 0; i < c.wu.size(); i++) c.wu[i] = uint8_t(c.d->w[i] + 128);
    c.cols.resize(c.d->cols.size());
    c.y.resize(size_t(c.l.m() * c.l.n()));
    c.ctx.set_max_num_threads(options().threads);
  });
}

}  // namespace wgb
#else
namespace wgb {
int add_gemmlowp_cases(std::vector<Case> &, Notes &notes) {
  notes.push_back("left out: gemmlowp (headers not found for " WGB_TARGET ")");
  return 0;
}
}  // namespace wgb
#endif
