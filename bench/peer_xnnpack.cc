// XNNPACK's quantized convolution (xnn_create_convolution2d_nhwc_qs8): int8
// NHWC input with a zero point, int8 OHWI weights, int32 accumulation,
// requantized to int8 output in the same call.  There is no int32 output in
// XNNPACK, so this peer's output stage is fused like the WrapNet rows'
// (wrapgemm_auto.conv_wrapnet8), not raw like oneDNN's.  Codes, output
// scale, the exact check and the timed call: xnnpack_qs8.h.
#include "case.h"

#if WGB_HAVE_XNNPACK
#include "xnnpack_qs8.h"

namespace wgb {
namespace {

struct XnCase : XnnQs8 {
  Layer l;
  std::shared_ptr<LayerData> d;
  std::vector<int8_t> w;  // OHWI weights

  xnn_status prepare() {
    const int64_t M = l.m();
    set_data(to_nhwc(l, d->x), d->exact(l));
    w = to_ohwi(l, d->w);
    xnn_operator_t raw = nullptr;
    xnn_status st = xnn_create_convolution2d_nhwc_qs8(
        1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, size_t(l.c), size_t(M), size_t(l.c), size_t(M),
        -128, 1.0f, 1.0f, w.data(), nullptr, 0, output_scale(), -128, 127, 0, &raw);
    return setup(st, raw, size_t(l.h), size_t(l.w));
  }

  bool check(std::string *why) {
    if (!run(why)) return false;
    const std::vector<int64_t> &z = d->exact(l);
    const int64_t M = l.m(), N = l.n();
    for (int64_t p = 0; p < N; p++)
      for (int64_t m = 0; m < M; m++) {
        const int want = expected(z[size_t(m * N + p)]);
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
  const std::shared_ptr<pthreadpool> pool = xnn_bench_pool(options().threads);
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
    out.push_back(make_case("table7/" + c->l.name() + "/xnnpack_conv_qs8.conv", Lib::xnnpack,
                            c->l.macs(), c, [shift] {
                              return "xnn_create_convolution2d_nhwc_qs8, NHWC, int8 output "
                                     "(scale 2^-" + shift + ")";
                            }));
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
