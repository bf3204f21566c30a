// The headline rows of Table 7: the WrapNet layer as an inference engine
// runs it through wrapgemm's public API, with nothing forced:
//   wg_context_create + wg_context_force_kernel(ctx, "auto") (so that a
//   WRAPGEMM_KERNEL in the environment cannot turn it into something else),
//   ternary weights packed once, 8-bit activation codes, acc_bits 8, smooth
//   cyclic activation (slope 2), and the fused output stage WG_OUTPUT_UINT8_FLOAT:
//   uint8 codes for the next layer (fmaf by a per-channel scale and bias,
//   ReLU, round half to even, clamp to 8 bits).
//     table7/<layer>/wrapgemm_auto.conv_wrapnet8        NCHW input, OIHW filters
//     table7/<layer>/wrapgemm_auto_nhwc.conv_wrapnet8   NHWC input, OHWI filters
// Every output byte is checked against the contract computed here from the
// exact sums (docs/semantics.md), and the kernel and method the dispatch
// chose (wg_run_info) go into the report beside the figure.
#include <algorithm>
#include <cmath>
#include <memory>

#include "case.h"
#include "wrapgemm.h"

namespace wgb {
namespace {

constexpr int kAccBits = 8, kSlope = 2, kOutBits = 8;

// c(a) for the smooth cyclic activation, h = 2^(b-1), slope k.
int64_t smooth_cyclic(int64_t a, int64_t h, int64_t k) {
  if ((k + 1) * std::llabs(a) <= k * h) return a;
  return a > 0 ? k * h - k * a : -k * h - k * a;
}

struct Wn8Case {
  Layer l;
  bool nhwc;
  std::shared_ptr<LayerData> d;
  std::shared_ptr<wg_context> ctx;
  std::shared_ptr<wg_weights> w;
  std::vector<uint8_t> x;  // in the case's layout
  std::vector<float> scale, bias;
  std::vector<uint8_t> y;
  std::string ran;  // kernel and method of the checked call

  wg_status call(wg_run_info *info) {
    const wg_act_format act = {8, 0};
    wg_epilogue e = wg_epilogue_default();
    e.acc_bits = kAccBits;
    e.cyclic = WG_CYCLIC_SMOOTH;
    e.slope = kSlope;
    e.output = WG_OUTPUT_UINT8_FLOAT;
    e.scale = scale.data();
    e.bias = bias.data();
    e.relu = 1;
    e.out_bits = kOutBits;
    wg_conv2d_desc cd = {};
    cd.layout = nhwc ? WG_NHWC : WG_NCHW;
    cd.batch = 1;
    cd.channels = l.c;
    cd.height = l.h;
    cd.width = l.w;
    cd.kernel_h = cd.kernel_w = 3;
    cd.stride_h = cd.stride_w = 1;
    cd.pad_top = cd.pad_left = cd.pad_bottom = cd.pad_right = 1;
    cd.dilation_h = cd.dilation_w = 1;
    return wg_conv2d(ctx.get(), w.get(), &cd, x.data(), act, &e, y.data(), info);
  }

  bool check(std::string *why) {
    wg_run_info info = {};
    const wg_status st = call(&info);
    if (st != WG_OK) {
      *why = std::string("status ") + wg_status_name(st);
      return false;
    }
    ran = std::string(info.kernel ? info.kernel : "?") + ", " +
          (info.method ? info.method : "?") + (nhwc ? ", NHWC" : ", NCHW");
    const std::vector<int64_t> &z = d->exact(l);
    const int64_t M = l.m(), N = l.n(), h = int64_t(1) << (kAccBits - 1);
    for (int64_t m = 0; m < M; m++)
      for (int64_t n = 0; n < N; n++) {
        const int64_t c = smooth_cyclic(wrap_bits(z[size_t(m * N + n)], kAccBits), h, kSlope);
        float v = std::fma(float(c), scale[size_t(m)], bias[size_t(m)]);
        v = std::max(v, 0.0f);
        const float q = std::min(std::nearbyint(v), float((1 << kOutBits) - 1));
        const size_t i = size_t(nhwc ? n * M + m : m * N + n);
        if (y[i] != uint8_t(q)) {
          *why = "output (" + std::to_string(m) + "," + std::to_string(n) + "): got " +
                 std::to_string(y[i]) + ", the contract gives " + std::to_string(int(q)) +
                 " (z " + std::to_string(z[size_t(m * N + n)]) + ")";
          return false;
        }
      }
    return true;
  }
};

struct CtxDeleter {
  void operator()(wg_context *c) const { wg_context_destroy(c); }
};
struct WDeleter {
  void operator()(wg_weights *w) const { wg_weights_destroy(w); }
};

}  // namespace

int add_wrapnet8_cases(std::vector<Case> &out, Notes &notes) {
  wg_context *raw = nullptr;
  wg_status st = wg_context_create(options().threads, &raw);
  std::shared_ptr<wg_context> ctx(raw, CtxDeleter());
  if (st == WG_OK) st = wg_context_force_kernel(raw, "auto");
  if (st != WG_OK) {
    notes.push_back(std::string("left out: wrapgemm_auto (context: ") + wg_status_name(st) + ")");
    return 0;
  }
  int added = 0;
  for (size_t li = 0; li < layers().size(); li++) {
    const Layer &l = layers()[li];
    auto d = layer_data(li, 8, -1, 1, false);
    // Requantization that spreads outputs over the 8-bit range (|c| <= 85
    // for slope 2), with biases of .5 so that ties to even occur.
    std::vector<float> scale(size_t(l.m())), bias(size_t(l.m()));
    for (size_t m = 0; m < scale.size(); m++) {
      scale[m] = 1.0f + 0.25f * float(m % 4);
      bias[m] = float(m % 5) - 1.5f;
    }
    for (bool nhwc : {false, true}) {
      const std::vector<int8_t> wv = nhwc ? to_ohwi(l, d->w) : d->w;
      wg_weights *pw = nullptr;
      st = wg_weights_pack(ctx.get(), wv.data(), l.m(), l.k(), l.k(), WG_WEIGHTS_TERNARY, 2, &pw);
      if (st != WG_OK) {
        notes.push_back("left out: wrapgemm_auto on " + l.name() + " (pack: " +
                        wg_status_name(st) + ")");
        continue;
      }
      auto c = std::make_shared<Wn8Case>(
          Wn8Case{l, nhwc, d, ctx, std::shared_ptr<wg_weights>(pw, WDeleter()),
                  nhwc ? to_nhwc(l, d->x) : d->x, scale, bias,
                  std::vector<uint8_t>(size_t(l.m() * l.n())), ""});
      out.push_back(Case{"table7/" + l.name() + "/" +
                             (nhwc ? "wrapgemm_auto_nhwc" : "wrapgemm_auto") + ".conv_wrapnet8",
                         Lib::wrapgemm, l.macs(), [c](std::string *why) { return c->check(why); },
                         [c](std::string *why) {
                           const wg_status s = c->call(nullptr);
                           if (s != WG_OK) *why = wg_status_name(s);
                           return s == WG_OK;
                         },
                         [c] { return c->ran; }});
      added++;
    }
  }
  return added;
}

}  // namespace wgb
