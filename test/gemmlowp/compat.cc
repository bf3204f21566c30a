// wg_gemmlowp_gemm against the installed gemmlowp (libgemmlowp-dev), not
// against wrapgemm's own reference: random shapes (1, odd, across the
// kernels' blocks), every order of lhs, rhs and result with padded leading
// dimensions, random offsets, and random output stages (multiplier, shift,
// offset, clamp: some of the form the library fuses into its kernels'
// epilogue, most not), threads 1 to 3, every result byte compared.
// One test: prints how many cases agreed, then `1 passed, ...` or
// `0 passed, 1 failed, ...` (mk/gemmlowp.mk, lane test-gemmlowp).
#include <gemmlowp/public/gemmlowp.h>
#include <wrapgemm.h>

#include "pipeline.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <tuple>
#include <vector>

namespace {

using gemmlowp::MapOrder;

struct Case {
  int m, n, k;
  wg_gemmlowp_desc d;
  std::vector<uint8_t> lhs, rhs;
};

template <MapOrder O>
using Map = gemmlowp::MatrixMap<const uint8_t, O>;

// gemmlowp's result, with the three orders as template parameters.
template <MapOrder L, MapOrder R, MapOrder Y>
void gemmlowp_run(gemmlowp::GemmContext *ctx, const Case &c, void *out) {
  const wg_gemmlowp_desc &d = c.d;
  Map<L> lhs(c.lhs.data(), c.m, c.k, int(d.ld_lhs));
  Map<R> rhs(c.rhs.data(), c.k, c.n, int(d.ld_rhs));
  if (d.output == WG_GEMMLOWP_INT32) {
    gemmlowp::MatrixMap<int32_t, Y> res(static_cast<int32_t *>(out), c.m, c.n, int(d.ld_result));
    gemmlowp::GemmWithOutputPipeline<uint8_t, int32_t, gemmlowp::DefaultL8R8BitDepthParams>(
        ctx, lhs, rhs, &res, d.lhs_offset, d.rhs_offset, std::make_tuple());
    return;
  }
  gemmlowp::MatrixMap<uint8_t, Y> res(static_cast<uint8_t *>(out), c.m, c.n, int(d.ld_result));
  gemmlowp::GemmWithOutputPipeline<uint8_t, uint8_t, gemmlowp::DefaultL8R8BitDepthParams>(
      ctx, lhs, rhs, &res, d.lhs_offset, d.rhs_offset, wg_gemmlowp_pipeline(d));
}

template <MapOrder L, MapOrder R>
void gemmlowp_run_y(gemmlowp::GemmContext *ctx, const Case &c, void *out) {
  if (c.d.result_order == WG_COL_MAJOR)
    gemmlowp_run<L, R, MapOrder::ColMajor>(ctx, c, out);
  else
    gemmlowp_run<L, R, MapOrder::RowMajor>(ctx, c, out);
}

template <MapOrder L>
void gemmlowp_run_r(gemmlowp::GemmContext *ctx, const Case &c, void *out) {
  if (c.d.rhs_order == WG_COL_MAJOR)
    gemmlowp_run_y<L, MapOrder::ColMajor>(ctx, c, out);
  else
    gemmlowp_run_y<L, MapOrder::RowMajor>(ctx, c, out);
}

void gemmlowp_result(gemmlowp::GemmContext *ctx, const Case &c, void *out) {
  if (c.d.lhs_order == WG_COL_MAJOR)
    gemmlowp_run_r<MapOrder::ColMajor>(ctx, c, out);
  else
    gemmlowp_run_r<MapOrder::RowMajor>(ctx, c, out);
}

int64_t rows_of(wg_order o, int64_t r, int64_t c) { return o == WG_COL_MAJOR ? c : r; }
int64_t cols_of(wg_order o, int64_t r, int64_t c) { return o == WG_COL_MAJOR ? r : c; }

// A random case; `fusable` picks an output stage of the form the library
// runs in its kernels' epilogue (multiplier >= 2^30, shift >= 1, offset
// 0..255, clamp [0 or offset, 2^j - 1]).
Case make_case(std::mt19937_64 &g, int i) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + int64_t(g() % uint64_t(hi - lo + 1));
  };
  static const int sizes[] = {1, 2, 5, 6, 7, 15, 16, 17, 31, 33, 64, 95};
  Case c;
  c.m = i % 5 == 0 ? int(pick(1, 200)) : sizes[pick(0, 11)];
  c.n = i % 7 == 0 ? int(pick(1, 300)) : sizes[pick(0, 11)];
  c.k = i % 3 == 0 ? int(pick(1, 600)) : sizes[pick(0, 11)];
  wg_gemmlowp_desc &d = c.d;
  d = wg_gemmlowp_desc_default(c.m, c.n, c.k);
  d.lhs_order = g() & 1 ? WG_COL_MAJOR : WG_ROW_MAJOR;
  d.rhs_order = g() & 1 ? WG_COL_MAJOR : WG_ROW_MAJOR;
  d.result_order = g() & 1 ? WG_COL_MAJOR : WG_ROW_MAJOR;
  d.ld_lhs = cols_of(d.lhs_order, c.m, c.k) + pick(0, 3);
  d.ld_rhs = cols_of(d.rhs_order, c.k, c.n) + pick(0, 3);
  d.ld_result = cols_of(d.result_order, c.m, c.n) + pick(0, 3);
  d.lhs_offset = int32_t(i % 4 == 1 ? -128 : -pick(0, 255));
  d.rhs_offset = int32_t(-pick(0, 255));
  d.output = i % 6 == 5 ? WG_GEMMLOWP_INT32 : WG_GEMMLOWP_UINT8;
  bool fusable = i % 3 == 0;
  if (fusable) {
    d.result_fixedpoint_multiplier = int32_t(pick(int64_t(1) << 30, INT32_MAX));
    d.result_shift = int32_t(pick(1, 20));
    d.result_offset_after_shift = int32_t(pick(0, 255));
    int b = int(pick(1, 8));
    d.clamp_max = (1 << b) - 1;
    if (d.result_offset_after_shift > d.clamp_max) d.result_offset_after_shift = d.clamp_max;
    d.clamp_min = g() & 1 ? d.result_offset_after_shift : int32_t(-pick(0, 1000));
  } else {
    d.result_fixedpoint_multiplier = int32_t(pick(INT32_MIN, INT32_MAX));
    d.result_shift = int32_t(pick(0, 31));
    d.result_offset_after_shift = int32_t(pick(-100000, 100000));
    d.clamp_min = int32_t(pick(-300, 200));
    d.clamp_max = int32_t(pick(d.clamp_min, 400));
  }
  c.lhs.resize(size_t((rows_of(d.lhs_order, c.m, c.k) - 1) * d.ld_lhs +
                      cols_of(d.lhs_order, c.m, c.k)));
  c.rhs.resize(size_t((rows_of(d.rhs_order, c.k, c.n) - 1) * d.ld_rhs +
                      cols_of(d.rhs_order, c.k, c.n)));
  bool extreme = i % 11 == 10;  // codes 0 and 255 only
  for (auto &v : c.lhs) v = extreme ? (g() & 1 ? 255 : 0) : uint8_t(g());
  for (auto &v : c.rhs) v = extreme ? (g() & 1 ? 255 : 0) : uint8_t(g());
  return c;
}

}  // namespace

int main() {
  const char *env = std::getenv("WG_TEST_SEED");
  uint64_t seed = env && *env ? std::strtoull(env, nullptr, 0) : uint64_t(std::time(nullptr));
  std::printf("seed: WG_TEST_SEED=%" PRIu64 "\n", seed);
  std::mt19937_64 g(seed);
  int passed = 0, failed = 0;
  gemmlowp::GemmContext glctx;
  wg_context *ctx[3] = {};
  for (int t = 0; t < 3; t++)
    if (wg_context_create(t + 1, &ctx[t]) != WG_OK) {
      std::printf("wg_context_create(%d) failed\n0 passed, 1 failed, 0 skipped\n", t + 1);
      return 1;
    }
  const char *quick = std::getenv("WG_TEST_QUICK");
  int cases = quick && *quick == '1' ? 120 : 600;
  for (int i = 0; i < cases; i++) {
    Case c = make_case(g, i);
    const wg_gemmlowp_desc &d = c.d;
    size_t es = d.output == WG_GEMMLOWP_INT32 ? 4 : 1;
    size_t bytes = size_t((rows_of(d.result_order, c.m, c.n) - 1) * d.ld_result +
                          cols_of(d.result_order, c.m, c.n)) * es;
    // int32-aligned buffers; bytes past the result (stride gaps included)
    // must come back as they were.
    std::vector<int32_t> want(bytes / 4 + 2, 0x5a5a5a5a), got(bytes / 4 + 2, 0x5a5a5a5a);
    gemmlowp_result(&glctx, c, want.data());
    wg_run_info info;
    wg_status st = wg_gemmlowp_gemm(ctx[i % 3], &d, c.lhs.data(), c.rhs.data(), got.data(), &info);
    bool ok = st == WG_OK;
    size_t at = 0;
    if (ok)
      for (; at < want.size() * 4; at++)
        if (reinterpret_cast<uint8_t *>(want.data())[at] !=
            reinterpret_cast<uint8_t *>(got.data())[at]) {
          ok = false;
          break;
        }
    if (ok) {
      passed++;
      continue;
    }
    failed++;
    std::printf(
        "FAIL case %d: %s, byte %zu: gemmlowp %d, wrapgemm %d; m=%d n=%d k=%d orders %d%d%d "
        "ld %" PRId64 " %" PRId64 " %" PRId64 " offsets %d %d output %d mult %d shift %d "
        "offset %d clamp [%d, %d] threads %d kernel %s\n",
        i, wg_status_name(st), at, reinterpret_cast<uint8_t *>(want.data())[at],
        reinterpret_cast<uint8_t *>(got.data())[at], c.m, c.n, c.k, d.lhs_order, d.rhs_order,
        d.result_order, d.ld_lhs, d.ld_rhs, d.ld_result, d.lhs_offset, d.rhs_offset, d.output,
        d.result_fixedpoint_multiplier, d.result_shift, d.result_offset_after_shift,
        d.clamp_min, d.clamp_max, i % 3 + 1, st == WG_OK ? info.kernel : "-");
    if (failed >= 5) break;
  }
  for (auto *x : ctx) wg_context_destroy(x);
  std::printf("%d of %d cases bit-exact with gemmlowp\n", passed, passed + failed);
  std::printf("%d passed, %d failed, 0 skipped\n", failed ? 0 : 1, failed ? 1 : 0);
  return failed ? 1 : 0;
}
