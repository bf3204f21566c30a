// oneDNN's own convolution primitive, what an engine calls for an int8 layer:
// convolution_forward, forward_inference, direct algorithm, uint8 source x
// int8 weights -> int32 destination, every memory format `any` so that the
// library picks its fastest layout and implementation for this CPU.  The
// primitive, the reorders of input and weights into the chosen layouts and
// the output buffer are made once, outside the timed loop; one timed call is
// execute() and the stream's wait, nothing else.  The implementation oneDNN
// reports (impl_info_str, e.g. brgconv:avx512_core_vnni, jit_uni_int8:avx2)
// and the layouts it chose go into the report beside the figure.
//
// Data as the GEMM peer (peer_onednn.cc): 7-bit activations, where no pair
// of products can saturate vpmaddubsw on a CPU without VNNI, and full-range
// int8 weights (table7/), or the binary layers' weights, -1 and +1 as int8
// (table7b/: oneDNN has no binary convolution); the output is checked
// exactly against the oracle.
#include "case.h"

#if WGB_HAVE_ONEDNN
#include "onednn_conv.h"

namespace wgb {
namespace {

using tag = dnnl::memory::format_tag;

struct ConvCase {
  Layer l;
  std::shared_ptr<LayerData> d;
  DnnlConv conv;  // the caller's NCHW input and OIHW weights, reordered once
  std::string impl;

  ConvCase(const Layer &layer, std::shared_ptr<LayerData> data, const dnnl::engine &e)
      : l(layer), d(std::move(data)),
        conv(e, {1, l.c, l.h, l.w}, tag::nchw, d->x.data(), {l.c, l.c, 3, 3}, tag::oihw,
             d->w.data(), {1, l.c, l.h, l.w}, {1, 1}, {1, 1}),
        impl(conv.impl + " (" + conv.layouts + ")") {}

  bool run(std::string *why) { return conv.run(why); }

  bool check(std::string *why) {
    if (!run(why)) return false;
    const int64_t N = l.n();
    std::vector<int32_t> y(size_t(l.m() * N));
    if (!conv.read(tag::nchw, y.data(), why)) return false;
    const std::vector<int64_t> &z = d->exact(l);
    for (size_t i = 0; i < z.size(); i++)
      if (int64_t(y[i]) != z[i]) {
        *why = "output (" + std::to_string(int64_t(i) / N) + "," + std::to_string(int64_t(i) % N) +
               "): got " + std::to_string(y[i]) + ", exact " + std::to_string(z[i]);
        return false;
      }
    return true;
  }
};

}  // namespace

int add_onednn_conv_cases(std::vector<Case> &out, Notes &notes) {
  int added = 0;
  try {
    static const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    for (const bool binary : {false, true})
      for (size_t li = 0; li < layers().size(); li++) {
        const Layer &l = layers()[li];
        const std::string table = binary ? "table7b/" : "table7/";
        std::shared_ptr<ConvCase> c;
        try {
          c = std::make_shared<ConvCase>(
              l, binary ? layer_data(li, 7, -1, 1, true) : layer_data(li, 7, -128, 127, false),
              eng);
        } catch (const dnnl::error &e) {
          notes.push_back("left out: onednn_conv_u8s8s32 on " + table + l.name() + " (" +
                          e.what() + ")");
          continue;
        }
        out.push_back(make_case(table + l.name() + "/onednn_conv_u8s8s32.conv", Lib::onednn,
                                l.macs(), c, [c] { return c->impl; }));
        added++;
      }
  } catch (const dnnl::error &e) {
    notes.push_back(std::string("left out: oneDNN's convolution (no CPU engine: ") + e.what() +
                    ")");
  }
  return added;
}

}  // namespace wgb
#else
namespace wgb {
int add_onednn_conv_cases(std::vector<Case> &, Notes &) { return 0; }  // noted by peer_onednn.cc
}  // namespace wgb
#endif
