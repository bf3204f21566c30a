// An XNNPACK qs8 convolution as the benchmark runs it (Table 7's,
// peer_xnnpack.cc, and the depthwise table's, peer_xnnpack_depthwise.cc):
// the uint8 codes enter as x - 128 with input zero point -128, so the sums
// are exactly W * X; the output scale 2^shift, the smallest that keeps
// every sum of the layer within int8, makes the expected int8 output
// round_half_even(z / 2^shift) exact (`expected`), so checks compare bit
// for bit.  Creation and setup happen once; run() is xnn_run_operator.
#ifndef WGBENCH_XNNPACK_QS8_H
#define WGBENCH_XNNPACK_QS8_H

#if WGB_HAVE_XNNPACK
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wgb {

struct XnnQs8 {
  std::shared_ptr<pthreadpool> pool;  // null: run on the caller
  std::vector<int8_t> x, y;           // NHWC input (codes - 128), NHWC output
  std::shared_ptr<xnn_operator> op;
  int shift = 0;                      // output scale 2^shift

  // x from NHWC codes, y sized for z.size() outputs, shift from the sums.
  void set_data(const std::vector<uint8_t> &codes, const std::vector<int64_t> &z) {
    x.resize(codes.size());
    for (size_t i = 0; i < codes.size(); i++) x[i] = int8_t(int(codes[i]) - 128);
    y.assign(z.size(), 0);
    int64_t zmax = 0;
    for (int64_t v : z) zmax = std::max(zmax, v < 0 ? -v : v);
    while ((int64_t(127) << shift) < zmax) shift++;
  }
  float output_scale() const { return std::ldexp(1.0f, shift); }

  // Takes the operator xnn_create_convolution2d_nhwc_qs8 made (status st)
  // and sets it up on an h x w image.
  xnn_status setup(xnn_status st, xnn_operator_t raw, size_t h, size_t w) {
    op.reset(raw, xnn_delete_operator);
    if (st == xnn_status_success)
      st = xnn_setup_convolution2d_nhwc_qs8(op.get(), 1, h, w, x.data(), y.data(), pool.get());
    return st;
  }

  bool run(std::string *why) {
    const xnn_status st = xnn_run_operator(op.get(), pool.get());
    if (st != xnn_status_success) *why = "xnn_run_operator: status " + std::to_string(int(st));
    return st == xnn_status_success;
  }

  // The int8 output of sum z: |z| < 2^31 and the scale a power of two, so
  // exact in double.
  int expected(int64_t z) const {
    const double q = std::nearbyint(std::ldexp(double(z), -shift));
    return int(std::min(127.0, std::max(-128.0, q)));
  }
};

// The benchmark's thread pool for XNNPACK: null on one thread.
inline std::shared_ptr<pthreadpool> xnn_bench_pool(int threads) {
  if (threads <= 1) return nullptr;
  return std::shared_ptr<pthreadpool>(pthreadpool_create(size_t(threads)), pthreadpool_destroy);
}

}  // namespace wgb

#endif
#endif
