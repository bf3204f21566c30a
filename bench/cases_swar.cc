// Table 8: arithmetic without vector instructions, through the library's
// SWAR API (include/wrapgemm.h, section SWAR):
//   naive_buffer_acc7     wg_swar_naive_gemm, the paper's baseline: one
//                         product at a time into an 8-bit accumulator with a
//                         buffer bit, no packing
//   swar<R>_<mode>_acc<b> wg_swar_gemm, L = R/8 lanes packed along K in one
//                         R-bit general register, carries cut (exact), kept
//                         out by a guard bit (buffer), or let through (carry)
// Under table8b/, the 64-bit paths on binary weights ({-1, +1}).
// All on the same ternary (or binary) weights and 7-bit activations (buffer lanes need
// 7-bit codes) and the already lowered K x N input, raw int8 output.  Every
// result is checked first: exact against wrap_8(z), buffer and naive
// against wrap_7(z), carry against wrap_8(z + the lane carries it reports).
// The SWAR kernels of the kernel table are timed by cases_wrapgemm.cc.
#include <memory>

#include "case.h"
#include "wrapgemm.h"

namespace wgb {
namespace {

struct SwarCase {
  Layer l;
  bool naive;
  int reg_bits;
  wg_swar_mode mode;
  int b;
  std::shared_ptr<LayerData> d;
  std::shared_ptr<wg_weights> w;
  std::vector<int8_t> y;

  wg_status call(uint32_t *lane_carries) {
    const wg_act_format act = {7, 0};
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = b;
    ep.output = WG_OUTPUT_INT8;
    if (naive)
      return wg_swar_naive_gemm(d->w.data(), l.m(), l.k(), l.k(), d->cols.data(), l.n(),
                                l.n(), act, &ep, y.data(), l.n());
    wg_swar_options o = wg_swar_options_default();
    o.reg_bits = reg_bits;
    o.mode = mode;
    o.lane_carries = lane_carries;
    o.ld_lane_carries = lane_carries ? l.n() : 0;
    return wg_swar_gemm(w.get(), d->cols.data(), l.n(), l.n(), act, &ep, &o, y.data(),
                        l.n());
  }

  bool check(std::string *why) {
    const bool carry = !naive && mode == WG_SWAR_CARRY;
    std::vector<uint32_t> lc(carry ? y.size() : 0);
    const wg_status st = call(carry ? lc.data() : nullptr);
    if (st != WG_OK) {
      *why = std::string("status ") + wg_status_name(st);
      return false;
    }
    const std::vector<int64_t> &z = d->exact(l);
    for (size_t i = 0; i < z.size(); i++) {
      const int64_t want = wrap_bits(z[i] + (carry ? int64_t(lc[i]) : 0), b);
      if (y[i] != want) {
        *why = "output " + std::to_string(i) + ": got " + std::to_string(y[i]) +
               ", expected " + std::to_string(want) + (carry ? " (with lane carries)" : "");
        return false;
      }
    }
    return true;
  }
};

struct WDeleter {
  void operator()(wg_weights *w) const { wg_weights_destroy(w); }
};

}  // namespace

int add_swar_cases(std::vector<Case> &out, Notes &notes) {
  if (options().threads > 1)
    notes.push_back("Table 8's SWAR paths and naive loop are single-threaded: their "
                    "figures are one thread's in a threaded run");
  wg_context *ctx = nullptr;
  if (wg_context_create(1, &ctx) != WG_OK) {
    notes.push_back("left out: the SWAR API cases (no context)");
    return 0;
  }
  int added = 0;
  for (size_t li = 0; li < layers().size(); li++)
    for (const bool binary : {false, true}) {
      const Layer &l = layers()[li];
      auto d = layer_data(li, 7, -1, 1, binary);
      wg_weights *w = nullptr;
      const wg_status st =
          wg_weights_pack(ctx, d->w.data(), l.m(), l.k(), l.k(),
                          binary ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY, binary ? 1 : 2, &w);
      if (st != WG_OK) {
        notes.push_back("left out: the SWAR API cases on " + l.name() + " (pack: " +
                        wg_status_name(st) + ")");
        continue;
      }
      // Binary weights (table8b/): the 64-bit paths only, beside the binary
      // lookup-table kernels (docs/lut.md, "General registers").
      const std::string table = binary ? "table8b/" : "table8/";
      std::shared_ptr<wg_weights> ws(w, WDeleter());
      struct Path {
        const char *name;
        bool naive;
        int reg_bits;
        wg_swar_mode mode;
        int b;
      };
      const Path paths[] = {{"naive_buffer_acc7", true, 0, WG_SWAR_EXACT, 7},
                            {"swar32_exact_acc8", false, 32, WG_SWAR_EXACT, 8},
                            {"swar32_buffer_acc7", false, 32, WG_SWAR_BUFFER, 7},
                            {"swar32_carry_acc8", false, 32, WG_SWAR_CARRY, 8},
                            {"swar64_exact_acc8", false, 64, WG_SWAR_EXACT, 8},
                            {"swar64_buffer_acc7", false, 64, WG_SWAR_BUFFER, 7},
                            {"swar64_carry_acc8", false, 64, WG_SWAR_CARRY, 8}};
      for (const Path &p : paths) {
        if (binary && (p.naive || p.reg_bits != 64)) continue;
        auto c = std::make_shared<SwarCase>(
            SwarCase{l, p.naive, p.reg_bits, p.mode, p.b, d, ws, std::vector<int8_t>(size_t(l.m() * l.n()))});
        out.push_back(Case{table + l.name() + "/" + p.name + ".gemm_raw", Lib::swar, l.macs(),
                           [c](std::string *why) { return c->check(why); },
                           [c](std::string *why) {
                             const wg_status s = c->call(nullptr);
                             if (s != WG_OK) *why = wg_status_name(s);
                             return s == WG_OK;
                           }});
        added++;
      }
    }
  wg_context_destroy(ctx);
  return added;
}

}  // namespace wgb
