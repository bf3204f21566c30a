// XNNPACK's quantized convolution (xnn_create_convolution2d_nhwc_qs8): int8
// NHWC input with a zero point, int8 OHWI weights, int32 accumulation,
// requantized to int8 output in the same call.  There is no int32 output in
// XNNPACK, so this peer's output stage is fused like the WrapNet rows'
// (wrapgemm_auto.conv_wrapnet8), not raw like oneDNN's.  The uint8 codes x
// enter as x - 128 with input zero point -128, so the sums are exactly
// W * X; the output scale is a power of two 2^s, with s the smallest that
// keeps every sum of the layer within int8, so the expected output is
// round_half_even(z / 2^s), exact in float, and the check compares it bit
// for bit.  Operator creation (weight packing) and setup (buffers) happen
// once, outside the timed loop; one timed call is xnn_run_operator.
#include "case.h"

#if WGB_HAVE_XNNPACK
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace wgb {
namespace {

struct OpDeleter {
  void operator()(xnn_operator *op) const { xnn_delete_operator(op); }
};
struct PoolDeleter {
  void operator()(pthreadpool *p) const { pthreadpool_destroy(p); }
};

struct XnCase {
  Layer l;
  std::shared_ptr<LayerData> d;
  std::shared_ptr<pthreadpool> pool;  // null: run on the caller
  std::vector<int8_t> x, w, y;        // NHWC input, OHWI weights, NHWC output
  std::unique_ptr<xnn_operator, OpDeleter> op;
  int shift = 0;                      // output scale 2^shift

  xnn_status prepare() {
    const int64_t M = l.m();
    const std::vector<uint8_t> xn = to_nhwc(l, d->x);
    x.resize(xn.size());
    for (size_t i = 0; i < xn.size(); i++) x[i] = int8_t(int(xn[i]) - 128);
    w = to_ohwi(l, d->w);
    y.assign(size_t(M * l.n()), 0);
    int64_t zmax = 0;
    for (int64_t z : d->exact(l)) zmax = std::max(zmax, z < 0 ? -z : z);
    while ((int64_t(127) << shift) < zmax) shift++;
    xnn_operator_t raw = nullptr;
    xnn_status st = xnn_create_convolution2d_nhwc_qs8(
        1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, size_t(l.c), size_t(M), size_t(l.c), size_t(M),
        -128, 1.0f, 1.0f, w.data(), nullptr, 0, std::ldexp(1.0f, shift), -128, 127, 0, &raw);
    op.reset(raw);
    if (st == xnn_status_success)
      st = xnn_setup_convolution2d_nhwc_qs8(op.get(), 1, size_t(l.h), size_t(l.w), x.data(),
                                            y.data(), pool.get());
    return st;
  }

  bool run(std::string *why) {
    const xnn_status st = xnn_run_operator(op.get(), pool.get());
    if (st != xnn_status_success) *why = "xnn_run_operator: status " + std::to_string(int(st));
    return st == xnn_status_success;
  }

  bool check(std::string *why) {
    if (!run(why)) return false;
    const std::vector<int64_t> &z = d->exact(l);
    const int64_t M = l.m(), N = l.n();
    for (int64_t p = 0; p < N; p++)
      for (int64_t m = 0; m < M; m++) {
        // |z| < 2^31 and the scale a power of two: exact in double.
        const double q = std::nearbyint(std::ldexp(double(z[size_t(m * N + p)]), -shift));
        const int want = int(std::min(127.0, std::max(-128.0, q)));
        const int got = y[size_t(p * M + m)];
        if (got != want) {
          *why = "output (" + std::to_string(m) + "," + std::to_string(p) + "): got " +
                 std::to_string(got) + ", round(z / 2^" + std::to_string(shift) + ") is " +
                 std::to_string(want);
          return false;
        }
      }
    return true;
  }
};

}  // namespace

int add_xnnpack_cases(std::vector<Case> &out, Notes &notes) {
  notes.push_back("version: XNNPACK " WGB_XNNPACK_VERSION " (Debian libxnnpack0)");
  if (xnn_initialize(nullptr) != xnn_status_success) {
    notes.push_back("left out: XNNPACK (xnn_initialize failed: no supported CPU?)");
    return 0;
  }
  std::shared_ptr<pthreadpool> pool;
  if (options().threads > 1)
    pool.reset(pthreadpool_create(size_t(options().threads)), PoolDeleter());
  int added = 0;
  for (size_t li = 0; li < layers().size(); li++) {
    auto c = std::make_shared<XnCase>();
    c->l = layers()[li];
    c->d = layer_data(li, 8, -128, 127, false);
    c->pool = pool;
    const xnn_status st = c->prepare();
    if (st != xnn_status_success) {
      notes.push_back("left out: xnnpack_conv_qs8 on " + c->l.name() +
                      " (create/setup: status " + std::to_string(int(st)) + ")");
      continue;
    }
    const std::string shift = std::to_string(c->shift);
    out.push_back(Case{"table7/" + c->l.name() + "/xnnpack_conv_qs8.conv", Lib::xnnpack,
                       c->l.macs(), [c](std::string *why) { return c->check(why); },
                       [c](std::string *why) { return c->run(why); },
                       [shift] {
                         return "xnn_create_convolution2d_nhwc_qs8, NHWC, int8 output "
                                "(scale 2^-" + shift + ")";
                       }});
    added++;
  }
  return added;
}

}  // namespace wgb
#else
namespace wgb {
int add_xnnpack_cases(std::vector<Case> &, Notes &notes) {
  notes.push_back("left out: XNNPACK (libxnnpack-dev and libpthreadpool-dev not installed for " WGB_TARGET ")");
  return 0;
}
}  // namespace wgb
#endif
