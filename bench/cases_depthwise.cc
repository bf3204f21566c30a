// wrapgemm's depthwise cases (depthwise.h): wg_conv2d_ex with groups =
// channels on a context with automatic kernel choice, int8 weights packed
// with wg_weights_pack_grouped, 7-bit codes:
//   wrapgemm_dw_nhwc        NHWC, b = 32, raw int32 (oneDNN's output)
//   wrapgemm_dw_nhwc_acc8   NHWC, b = 8, raw int8: the wrapped sums
//   wrapgemm_dw_nchw        NCHW, b = 32, raw int32
//   wrapgemm_dw_im2col      NHWC, b = 32, the depthwise path switched off
//                           (wg_context_set_direct_conv): one implicit-im2col
//                           GEMM per group, what a GEMM library has to do
// Every output is compared with the exact sums (wrapped to b) before timing.
#include <cstring>

#include "depthwise.h"
#include "wrapgemm.h"

namespace wgb {
namespace {

enum class DwVariant { nhwc, nhwc_acc8, nchw, im2col };

const char *variant_name(DwVariant v) {
  switch (v) {
    case DwVariant::nhwc: return "wrapgemm_dw_nhwc";
    case DwVariant::nhwc_acc8: return "wrapgemm_dw_nhwc_acc8";
    case DwVariant::nchw: return "wrapgemm_dw_nchw";
    case DwVariant::im2col: return "wrapgemm_dw_im2col";
  }
  return "?";
}

struct DwCase {
  DwLayer l;
  DwVariant v;
  std::shared_ptr<DwData> d;
  std::shared_ptr<wg_context> ctx;
  std::shared_ptr<wg_weights> w;
  std::vector<int32_t> y;  // big enough for int32 outputs
  std::string ran;

  int bits() const { return v == DwVariant::nhwc_acc8 ? 8 : 32; }

  wg_status call(wg_run_info *info) {
    const bool nchw = v == DwVariant::nchw;
    wg_conv2d_desc desc = {};
    desc.layout = nchw ? WG_NCHW : WG_NHWC;
    desc.batch = 1;
    desc.channels = l.c;
    desc.height = l.h;
    desc.width = l.w;
    desc.kernel_h = desc.kernel_w = 3;
    desc.stride_h = desc.stride_w = l.stride;
    desc.pad_top = desc.pad_left = desc.pad_bottom = desc.pad_right = 1;
    desc.dilation_h = desc.dilation_w = 1;
    wg_conv2d_options opt = {};
    opt.groups = l.c;
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = bits();
    ep.output = bits() == 8 ? WG_OUTPUT_INT8 : WG_OUTPUT_INT32;
    return wg_conv2d_ex(ctx.get(), w.get(), &desc, &opt,
                        nchw ? d->x_nchw.data() : d->x_nhwc.data(), wg_act_format{7, 0}, &ep,
                        y.data(), info);
  }

  bool run(std::string *why) {
    const wg_status st = call(nullptr);
    if (st != WG_OK) *why = wg_status_name(st);
    return st == WG_OK;
  }

  bool check(std::string *why) {
    wg_run_info info = {};
    const wg_status st = call(&info);
    if (st != WG_OK) {
      *why = std::string("status ") + wg_status_name(st);
      return false;
    }
    ran = std::string(info.kernel) + " " + info.method;
    const int64_t C = l.c, P = int64_t(l.oh()) * l.ow();
    for (int64_t p = 0; p < P; p++)
      for (int64_t c = 0; c < C; c++) {
        const int64_t want = wrap_bits(d->z[size_t(p * C + c)], bits());
        const int64_t i = v == DwVariant::nchw ? c * P + p : p * C + c;
        const int64_t got = bits() == 8 ? int64_t(reinterpret_cast<const int8_t *>(y.data())[i])
                                        : int64_t(y[size_t(i)]);
        if (got != want) {
          *why = "output (pixel " + std::to_string(p) + ", channel " + std::to_string(c) +
                 "): got " + std::to_string(got) + ", exact " + std::to_string(want);
          return false;
        }
      }
    return true;
  }
};

}  // namespace

int add_depthwise_wrapgemm_cases(std::vector<Case> &out, Notes &notes) {
  wg_context *raw = nullptr;
  wg_status st = wg_context_create(options().threads, &raw);
  if (st != WG_OK) {
    notes.push_back(std::string("left out: wrapgemm depthwise (context: ") + wg_status_name(st) +
                    ")");
    return 0;
  }
  std::shared_ptr<wg_context> ctx(raw, wg_context_destroy);
  wg_context *raw_off = nullptr;
  if (wg_context_create(options().threads, &raw_off) != WG_OK) return 0;
  std::shared_ptr<wg_context> ctx_off(raw_off, wg_context_destroy);
  wg_context_set_direct_conv(ctx_off.get(), 0);
  int added = 0;
  for (size_t li = 0; li < dw_layers().size(); li++) {
    const DwLayer &l = dw_layers()[li];
    auto d = dw_data(li);
    wg_weights *pw = nullptr;
    st = wg_weights_pack_grouped(ctx.get(), d->w.data(), l.c, l.c, 9, 9, WG_WEIGHTS_INT, 8, &pw);
    if (st != WG_OK) {
      notes.push_back("left out: wrapgemm depthwise on " + l.name() + " (pack: " +
                      wg_status_name(st) + ")");
      continue;
    }
    std::shared_ptr<wg_weights> w(pw, wg_weights_destroy);
    for (DwVariant v : {DwVariant::nhwc, DwVariant::nhwc_acc8, DwVariant::nchw,
                        DwVariant::im2col}) {
      auto c = std::make_shared<DwCase>();
      c->l = l;
      c->v = v;
      c->d = d;
      c->ctx = v == DwVariant::im2col ? ctx_off : ctx;
      c->w = w;
      c->y.assign(size_t(l.outputs()), 0);
      out.push_back(make_case("depthwise/" + l.name() + "/" + variant_name(v) + ".conv",
                              Lib::wrapgemm, l.macs(), c, [c] { return c->ran; }));
      added++;
    }
  }
  return added;
}

}  // namespace wgb
