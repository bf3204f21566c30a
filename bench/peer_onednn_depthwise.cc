// oneDNN's depthwise convolution for the depthwise table (depthwise.h):
// the convolution primitive of Table 7 (onednn_conv.h: u8 x s8 -> s32,
// formats any, made once) with groups = channels, weights G x 1 x 1 x 3 x 3.
// The output is checked exactly.
#include "depthwise.h"

#if WGB_HAVE_ONEDNN
#include "onednn_conv.h"

namespace wgb {
namespace {

using tag = dnnl::memory::format_tag;

struct DnnlDw {
  DwLayer l;
  std::shared_ptr<DwData> d;
  DnnlConv conv;  // the NHWC input and the [C][1][1][3][3] filters, reordered once

  DnnlDw(const DwLayer &layer, std::shared_ptr<DwData> data, const dnnl::engine &e)
      : l(layer), d(std::move(data)),
        conv(e, {1, l.c, l.h, l.w}, tag::nhwc, d->x_nhwc.data(), {l.c, 1, 1, 3, 3}, tag::goihw,
             d->w.data(), {1, l.c, l.oh(), l.ow()}, {l.stride, l.stride}, {1, 1}) {}

  bool run(std::string *why) { return conv.run(why); }

  bool check(std::string *why) {
    if (!run(why)) return false;
    std::vector<int32_t> y(size_t(l.outputs()));
    if (!conv.read(tag::nhwc, y.data(), why)) return false;
    for (size_t i = 0; i < y.size(); i++)
      if (int64_t(y[i]) != d->z[i]) {
        *why = "output " + std::to_string(i) + ": got " + std::to_string(y[i]) + ", exact " +
               std::to_string(d->z[i]);
        return false;
      }
    return true;
  }
};

}  // namespace

int add_depthwise_onednn_cases(std::vector<Case> &out, Notes &notes) {
  int added = 0;
  try {
    static const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    for (size_t li = 0; li < dw_layers().size(); li++) {
      const DwLayer &l = dw_layers()[li];
      std::shared_ptr<DnnlDw> c;
      try {
        c = std::make_shared<DnnlDw>(l, dw_data(li), eng);
      } catch (const dnnl::error &e) {
        notes.push_back("left out: onednn_dw_u8s8s32 on " + l.name() + " (" + e.what() + ")");
        continue;
      }
      out.push_back(make_case("depthwise/" + l.name() + "/onednn_dw_u8s8s32.conv", Lib::onednn,
                              l.macs(), c, [c] { return c->conv.impl; }));
      added++;
    }
  } catch (const dnnl::error &e) {
    notes.push_back(std::string("left out: oneDNN's depthwise convolution (") + e.what() + ")");
  }
  return added;
}

}  // namespace wgb
#else
namespace wgb {
int add_depthwise_onednn_cases(std::vector<Case> &, Notes &) { return 0; }  // noted elsewhere
}  // namespace wgb
#endif
