// wrapgemm's cases: every kernel of the table that this CPU can run, forced
// by name through the public API, on every layer, three or four ways:
//   .gemm_raw    wg_gemm on the already lowered K x N input, raw wrapped sums
//   .conv_raw    wg_conv2d (the kernel's direct convolution, or implicit
//                im2col packing included), raw sums
//   .conv_nhwc_raw  the same on NHWC input with OHWI filters (8-bit kernels)
//   .conv_fused  wg_conv2d with the fused cyclic + requantization epilogue:
//                the whole layer as an engine would run it
// under table7/ (ternary or INT weights), table8/ (the SWAR kernels) or
// table7b/ (binary weights: the binary kernels, and every other 8-bit
// kernel that takes binary weights, run on them as well, so that the binary
// layers compare every path on the same data; the SWAR ones under table8b/).
// Raw outputs are compared with the exact sums wrapped to b bits before any
// timing, so a case that computes the wrong thing fails the run.
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>

#include "case.h"
#include "wrapgemm.h"

namespace wgb {
namespace {

// The operands a kernel is built for, read from its name
// (<acc>_<weights>_x_<acts>_<MR>x<NR>__<isa>) and confirmed by a probe call.
struct Config {
  int acc_bits;
  wg_weight_format wf;
  int wbits;  // INT only
  int abits;
  std::string key() const {
    return std::to_string(int(wf)) + "/" + std::to_string(wbits) + "/" +
           std::to_string(abits);
  }
};

bool parse_name(const std::string &name, Config *c) {
  if (std::sscanf(name.c_str(), "acc%d_", &c->acc_bits) != 1) return false;
  const size_t us = name.find('_'), x = name.find("_x_");
  if (us == std::string::npos || x == std::string::npos || x <= us) return false;
  const std::string wt = name.substr(us + 1, x - us - 1);
  if (wt == "ternary") {
    c->wf = WG_WEIGHTS_TERNARY;
    c->wbits = 2;
  } else if (wt == "binary") {
    c->wf = WG_WEIGHTS_BINARY;
    c->wbits = 1;
  } else if (std::sscanf(wt.c_str(), "int%d", &c->wbits) == 1) {
    c->wf = WG_WEIGHTS_INT;
  } else {
    return false;
  }
  return std::sscanf(name.c_str() + x + 3, "u%d", &c->abits) == 1 &&
         c->abits >= 1 && c->abits <= 8;
}

// Tried in order when the name's reading is refused (a kernel's `eligible`
// may also depend on ranges, e.g. 7-bit activations where a saturating
// instruction would otherwise be unsafe): the named weights with narrower
// activations first, then other formats.
std::vector<Config> fallback_configs(const Config &named) {
  std::vector<Config> c = {named, named};
  c[0].abits = 7;
  c[1].abits = 4;
  const int acc = named.acc_bits;
  const Config others[] = {{acc, WG_WEIGHTS_TERNARY, 2, 8}, {acc, WG_WEIGHTS_INT, 8, 8},
                           {acc, WG_WEIGHTS_TERNARY, 2, 7}, {acc, WG_WEIGHTS_INT, 8, 7},
                           {acc, WG_WEIGHTS_BINARY, 1, 8},  {acc, WG_WEIGHTS_INT, 4, 4}};
  c.insert(c.end(), std::begin(others), std::end(others));
  return c;
}

std::string describe(const Config &c) {
  const std::string w = c.wf == WG_WEIGHTS_TERNARY ? "ternary"
                        : c.wf == WG_WEIGHTS_BINARY ? "binary"
                                                    : "int" + std::to_string(c.wbits);
  return w + " weights, " + std::to_string(c.abits) + "-bit activations";
}

struct CtxDeleter {
  void operator()(wg_context *c) const { wg_context_destroy(c); }
};
struct WDeleter {
  void operator()(wg_weights *w) const { wg_weights_destroy(w); }
};

// One layer's operands for one configuration, shared by every kernel and
// variant that uses that configuration.
struct Operands {
  std::shared_ptr<LayerData> d;
  std::vector<float> scale, bias;
  // The same layer in NHWC: pixels of C channels, and OHWI filters
  // (k = (kh*3 + kw)*C + c), the order wg_conv2d reads NHWC weights in.
  std::vector<uint8_t> x_nhwc;
  std::vector<int8_t> w_ohwi;
};

std::shared_ptr<Operands> operands(const Layer &l, size_t li, const Config &c) {
  static std::map<std::string, std::shared_ptr<Operands>> cache;
  const std::string key = std::to_string(li) + ":" + c.key();
  auto &slot = cache[key];
  if (slot) return slot;
  slot = std::make_shared<Operands>();
  int lo = -1, hi = 1;
  if (c.wf == WG_WEIGHTS_INT) {
    lo = -(1 << (c.wbits - 1));
    hi = (1 << (c.wbits - 1)) - 1;
  }
  slot->d = layer_data(li, c.abits, lo, hi, c.wf == WG_WEIGHTS_BINARY);
  // Requantization to the next layer's codes: the scale keeps typical
  // outputs inside the code range so the clamp is not all that runs.
  slot->scale.assign(size_t(l.m()), 1.0f / 64.0f);
  slot->bias.assign(size_t(l.m()), 0.5f);
  for (size_t i = 0; i < slot->bias.size(); i++) slot->bias[i] += float(i % 5);
  const size_t hw = size_t(l.h) * size_t(l.w), C = size_t(l.c);
  slot->x_nhwc.resize(slot->d->x.size());
  for (size_t ch = 0; ch < C; ch++)
    for (size_t p = 0; p < hw; p++) slot->x_nhwc[p * C + ch] = slot->d->x[ch * hw + p];
  slot->w_ohwi.resize(slot->d->w.size());
  for (size_t m = 0; m < size_t(l.m()); m++)
    for (size_t ch = 0; ch < C; ch++)
      for (size_t t = 0; t < 9; t++)
        slot->w_ohwi[m * 9 * C + t * C + ch] = slot->d->w[m * 9 * C + ch * 9 + t];
  return slot;
}

wg_epilogue raw_epilogue(int b) {
  wg_epilogue e = wg_epilogue_default();
  e.acc_bits = b;
  e.output = b <= 8 ? WG_OUTPUT_INT8 : b <= 16 ? WG_OUTPUT_INT16 : WG_OUTPUT_INT32;
  return e;
}

wg_epilogue fused_epilogue(int b, int abits, const Operands &o) {
  wg_epilogue e = wg_epilogue_default();
  e.acc_bits = b;
  // The paper's cyclic activation (slope 2) where the sums wrap; a 32-bit
  // accumulator needs none.
  e.cyclic = b < 32 ? WG_CYCLIC_SMOOTH : WG_CYCLIC_NONE;
  e.slope = 2;
  e.output = WG_OUTPUT_UINT8_FLOAT;
  e.scale = o.scale.data();
  e.bias = o.bias.data();
  e.relu = 1;
  e.out_bits = abits;
  return e;
}

// conv_nhwc_raw: the same convolution on NHWC input (wrapgemm's direct
// convolution where the kernel has one), raw output, pixel-major.
enum class Variant { gemm_raw, conv_raw, conv_fused, conv_nhwc_raw };
const char *variant_name(Variant v) {
  return v == Variant::gemm_raw ? "gemm_raw" : v == Variant::conv_raw ? "conv_raw"
                                             : v == Variant::conv_fused ? "conv_fused"
                                                                        : "conv_nhwc_raw";
}

// Everything one case needs, kept alive by its closure.
struct WgCase {
  std::shared_ptr<wg_context> ctx;
  std::shared_ptr<wg_weights> w;
  std::shared_ptr<Operands> o;
  Layer layer;
  Config cfg;
  Variant v;
  std::string kernel;
  std::vector<uint8_t> y;
  std::shared_ptr<wg_weights> w_ohwi;  // conv_nhwc_raw only

  wg_status call(wg_run_info *info) {
    const wg_act_format act = {cfg.abits, 0};
    wg_epilogue ep = v == Variant::conv_fused ? fused_epilogue(cfg.acc_bits, cfg.abits, *o)
                                              : raw_epilogue(cfg.acc_bits);
    if (v == Variant::gemm_raw)
      return wg_gemm(ctx.get(), w.get(), o->d->cols.data(), layer.n(), layer.n(),
                     act, &ep, y.data(), layer.n(), info);
    const bool nhwc = v == Variant::conv_nhwc_raw;
    wg_conv2d_desc d = {};
    d.layout = nhwc ? WG_NHWC : WG_NCHW;
    d.batch = 1;
    d.channels = layer.c;
    d.height = layer.h;
    d.width = layer.w;
    d.kernel_h = d.kernel_w = 3;
    d.stride_h = d.stride_w = 1;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    d.dilation_h = d.dilation_w = 1;
    return wg_conv2d(ctx.get(), nhwc ? w_ohwi.get() : w.get(), &d,
                     nhwc ? o->x_nhwc.data() : o->d->x.data(), act, &ep, y.data(), info);
  }

  // First call: the forced kernel must run, and raw sums must be exact.
  bool verify(std::string *why) {
    wg_run_info info = {};
    const wg_status st = call(&info);
    if (st != WG_OK) {
      *why = std::string("status ") + wg_status_name(st);
      return false;
    }
    if (!info.kernel || kernel != info.kernel) {
      *why = "ran " + std::string(info.kernel ? info.kernel : "(none)");
      return false;
    }
    if (v == Variant::conv_fused) return true;
    const std::vector<int64_t> &z = o->d->exact(layer);
    const int b = cfg.acc_bits;
    const size_t M = size_t(layer.m()), N = size_t(layer.n());
    for (size_t i = 0; i < z.size(); i++) {
      // Output i is z[m][n]: row-major M x N, or pixel-major for NHWC.
      const size_t zi = v == Variant::conv_nhwc_raw ? (i % M) * N + i / M : i;
      const int64_t want = wrap_bits(z[zi], b);
      int64_t got;
      if (b <= 8) {
        got = int8_t(y[i]);
      } else if (b <= 16) {
        int16_t g;
        std::memcpy(&g, &y[2 * i], 2);
        got = g;
      } else {
        int32_t g;
        std::memcpy(&g, &y[4 * i], 4);
        got = g;
      }
      if (want != got) {
        *why = "output " + std::to_string(i) + ": got " + std::to_string(got) +
               ", exact sum wrapped to " + std::to_string(b) + " bits is " +
               std::to_string(want);
        return false;
      }
    }
    return true;
  }
};

// A context that runs kernel `name` and no other; null (with *st) where
// the library refuses it.
std::shared_ptr<wg_context> forced_context(const std::string &name, wg_status *st) {
  wg_context *raw_ctx = nullptr;
  *st = wg_context_create(options().threads, &raw_ctx);
  if (*st == WG_OK) *st = wg_context_force_kernel(raw_ctx, name.c_str());
  std::shared_ptr<wg_context> ctx(raw_ctx, CtxDeleter());
  return *st == WG_OK ? ctx : nullptr;
}

// The configuration the kernel runs on: the name's reading if the kernel
// accepts it on the first layer, else the first fallback it accepts; false
// if it accepts none.
bool accepted_config(const std::shared_ptr<wg_context> &ctx, const std::string &name,
                     const std::vector<Config> &tries, Config *cfg) {
  const Layer &l0 = layers()[0];
  for (const Config &c : tries) {
    auto o = operands(l0, 0, c);
    wg_weights *w = nullptr;
    if (wg_weights_pack(ctx.get(), o->d->w.data(), l0.m(), l0.k(), l0.k(), c.wf, c.wbits,
                        &w) != WG_OK)
      continue;
    WgCase probe{ctx, std::shared_ptr<wg_weights>(w, WDeleter()), o, l0, c,
                 Variant::gemm_raw, name, std::vector<uint8_t>(size_t(l0.m() * l0.n()) * 4),
                 nullptr};
    wg_run_info info = {};
    if (probe.call(&info) == WG_OK) {
      *cfg = c;
      return true;
    }
  }
  return false;
}

// The kernel's cases on layer li, each variant its weights allow, under
// `table`; returns how many.
int add_layer_cases(std::vector<Case> &out, Notes &notes, const std::shared_ptr<wg_context> &ctx,
                    const std::string &name, const std::string &table, const Config &cfg,
                    size_t li) {
  const Layer &l = layers()[li];
  auto o = operands(l, li, cfg);
  wg_weights *w = nullptr;
  const wg_status st =
      wg_weights_pack(ctx.get(), o->d->w.data(), l.m(), l.k(), l.k(), cfg.wf, cfg.wbits, &w);
  if (st != WG_OK) {
    notes.push_back("left out: " + name + " on " + l.name() + " (pack: " + wg_status_name(st) +
                    ")");
    return 0;
  }
  std::shared_ptr<wg_weights> ws(w, WDeleter());
  // NHWC only for the 8-bit kernels: Table 7's 8-bit path in the layout
  // that has the direct convolution.
  std::shared_ptr<wg_weights> ws_ohwi;
  if (name.compare(0, 5, "acc8_") == 0 && table.compare(0, 6, "table7") == 0) {
    wg_weights *w2 = nullptr;
    if (wg_weights_pack(ctx.get(), o->w_ohwi.data(), l.m(), l.k(), l.k(), cfg.wf, cfg.wbits,
                        &w2) == WG_OK)
      ws_ohwi.reset(w2, WDeleter());
  }
  int added = 0;
  for (Variant v :
       {Variant::gemm_raw, Variant::conv_raw, Variant::conv_fused, Variant::conv_nhwc_raw}) {
    if (v == Variant::conv_nhwc_raw && !ws_ohwi) continue;
    auto c = std::make_shared<WgCase>(WgCase{
        ctx, ws, o, l, cfg, v, name, std::vector<uint8_t>(size_t(l.m() * l.n()) * 4), ws_ohwi});
    out.push_back(Case{table + "/" + l.name() + "/" + name + "." + variant_name(v),
                       Lib::wrapgemm, l.macs(),
                       [c](std::string *why) { return c->verify(why); },
                       [c](std::string *why) {
                         const wg_status s = c->call(nullptr);
                         if (s != WG_OK) *why = wg_status_name(s);
                         return s == WG_OK;
                       }});
    added++;
  }
  return added;
}

}  // namespace

int add_wrapgemm_cases(std::vector<Case> &out, Notes &notes) {
  int added = 0;
  for (int i = 0; i < wg_kernel_count(); i++) {
    const std::string name = wg_kernel_name(i);
    if (!wg_kernel_available(i)) {
      notes.push_back("left out: wrapgemm kernel " + name +
                      " (not compiled in or this CPU lacks its features)");
      continue;
    }
    wg_status st;
    const std::shared_ptr<wg_context> ctx = forced_context(name, &st);
    if (!ctx) {
      notes.push_back("left out: wrapgemm kernel " + name + " (" + wg_status_name(st) + ")");
      continue;
    }
    Config parsed = {32, WG_WEIGHTS_INT, 8, 8};
    const bool named = parse_name(name, &parsed);
    std::vector<Config> tries;
    if (named) tries.push_back(parsed);
    for (const Config &c : fallback_configs(parsed)) tries.push_back(c);
    Config cfg = parsed;
    if (!accepted_config(ctx, name, tries, &cfg)) {
      notes.push_back("left out: wrapgemm kernel " + name +
                      " (accepts none of the benchmark's operand formats)");
      continue;
    }
    if (!named || cfg.key() != parsed.key())
      notes.push_back("wrapgemm kernel " + name + " runs on " + describe(cfg) +
                      " (what its eligibility accepts; the name reads " +
                      (named ? describe(parsed) : "otherwise") + ")");
    const bool swar = name.find("__swar") != std::string::npos;
    const std::string table = swar ? "table8" : cfg.wf == WG_WEIGHTS_BINARY ? "table7b" : "table7";
    for (size_t li = 0; li < layers().size(); li++)
      added += add_layer_cases(out, notes, ctx, name, table, cfg, li);
    // The binary layers (table7b; SWAR kernels: table8b) on the 8-bit
    // kernels that take binary weights besides their own format (sign+add,
    // the ternary tables, the ternary SWAR kernels).
    Config bin = {8, WG_WEIGHTS_BINARY, 1, 8};
    if (cfg.acc_bits == 8 && cfg.wf != WG_WEIGHTS_BINARY &&
        accepted_config(ctx, name, {bin}, &bin))
      for (size_t li = 0; li < layers().size(); li++)
        added += add_layer_cases(out, notes, ctx, name, swar ? "table8b" : "table7b", bin, li);
  }
  return added;
}

}  // namespace wgb
