// XNNPACK's depthwise convolution for the depthwise table (depthwise.h):
// xnn_create_convolution2d_nhwc_qs8 with groups = channels and one input
// and one output channel per group (XNNPACK takes its depthwise
// micro-kernels for that shape), int8 NHWC, requantized to int8 in the
// call, run and checked as Table 7's XNNPACK peer (xnnpack_qs8.h).
#include "depthwise.h"

#if WGB_HAVE_XNNPACK
#include "xnnpack_qs8.h"

namespace wgb {
namespace {

struct XnDw : XnnQs8 {
  DwLayer l;
  std::shared_ptr<DwData> d;

  xnn_status prepare() {
    set_data(d->x_nhwc, d->z);
    const size_t C = size_t(l.c), S = size_t(l.stride);
    xnn_operator_t raw = nullptr;
    // weights [groups][1][3][3][1]: channel c's taps at w[c*9 + t]
    xnn_status st = xnn_create_convolution2d_nhwc_qs8(
        1, 1, 1, 1, 3, 3, S, S, 1, 1, C, 1, 1, C, C, -128, 1.0f, 1.0f, d->w.data(), nullptr, 0,
        output_scale(), -128, 127, 0, &raw);
    return setup(st, raw, size_t(l.h), size_t(l.w));
  }

  bool check(std::string *why) {
    if (!run(why)) return false;
    for (size_t i = 0; i < y.size(); i++)
      if (y[i] != expected(d->z[i])) {
        *why = "output " + std::to_string(i) + ": got " + std::to_string(int(y[i])) +
               ", round(z / 2^" + std::to_string(shift) + ") is " +
               std::to_string(expected(d->z[i]));
        return false;
      }
    return true;
  }
};

}  // namespace

int add_depthwise_xnnpack_cases(std::vector<Case> &out, Notes &notes) {
  if (xnn_initialize(nullptr) != xnn_status_success) return 0;  // noted by peer_xnnpack.cc
  const std::shared_ptr<pthreadpool> pool = xnn_bench_pool(options().threads);
  int added = 0;
  for (size_t li = 0; li < dw_layers().size(); li++) {
    auto c = std::make_shared<XnDw>();
    c->l = dw_layers()[li];
    c->d = dw_data(li);
    c->pool = pool;
    const xnn_status st = c->prepare();
    if (st != xnn_status_success) {
      notes.push_back("left out: xnnpack_dw_qs8 on " + c->l.name() + " (create/setup: status " +
                      std::to_string(int(st)) + ")");
      continue;
    }
    const std::string shift = std::to_string(c->shift);
    out.push_back(make_case("depthwise/" + c->l.name() + "/xnnpack_dw_qs8.conv", Lib::xnnpack,
                            c->l.macs(), c, [shift] {
                              return "xnn_create_convolution2d_nhwc_qs8, groups = C, int8 "
                                     "output (scale 2^-" + shift + ")";
                            }));
    added++;
  }
  return added;
}

}  // namespace wgb
#else
namespace wgb {
int add_depthwise_xnnpack_cases(std::vector<Case> &, Notes &) { return 0; }  // noted elsewhere
}  // namespace wgb
#endif
