// The benchmark's case registry.  Every implementation adds its cases here;
// one driver (Google Benchmark, or the built-in timer where that library is
// missing for the target) times them, and the report groups them by name:
//
//     table / shape / implementation         e.g.
//     table7/64x56x56/acc8_ternary_x_u8_6x16__avx2.conv_fused
//     table7/64x56x56/gemmlowp_u8u8s32__avx2.gemm
//     table7/64x56x56/wrapgemm_auto.conv_wrapnet8      (the headline row)
//     table7/64x56x56/onednn_conv_u8s8s32.conv
//     table7b/64x56x56/acc8_binary_x_u8_8x64_lut4__avx2.conv_raw  (binary weights)
//     ceiling/first/acc8_sign_add__avx2
#ifndef WGBENCH_CASE_H
#define WGBENCH_CASE_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wgb {

// One ResNet-18 3x3 layer: input C x H x W, C output channels, stride 1,
// pad 1, so GEMM M = C, N = H*W, K = 9*C.  paper_* are the paper's Table 7
// and Table 8 figures in ms (i7-7700HQ, 2.8 GHz).
struct Layer {
  int c, h, w;
  double paper_acc8_ms, paper_acc32_ms;      // Table 7: 8-bit, 32-bit
  double paper_packed_ms, paper_naive_ms;    // Table 8: bit packing, naive
  std::string name() const {
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
  }
  int64_t m() const { return c; }
  int64_t n() const { return int64_t(h) * w; }
  int64_t k() const { return int64_t(9) * c; }
  double macs() const { return double(m()) * double(n()) * double(k()); }
};

// The layers of the current run (full size, or scaled down with --quick).
const std::vector<Layer> &layers();

// Which family a case belongs to; threaded runs give each its own process.
enum class Lib { wrapgemm, gemmlowp, onednn, openblas, xnnpack, ceiling, swar };
const char *lib_name(Lib l);

struct Case {
  std::string name;     // table/shape/implementation
  Lib lib;
  double macs;          // multiply-accumulates per call
  // Run once before any timing: does the call compute the right thing?
  // (empty: nothing to check).  Returns false with *why.
  std::function<bool(std::string *why)> check;
  // One timed call.  Returns false (with *why) if the call failed.
  std::function<bool(std::string *why)> run;
  // What ran, read once after the check (empty function or string: nothing
  // to say): oneDNN's implementation string, the kernel an automatic
  // dispatch chose.  The report prints it beside the figure.
  std::function<std::string()> impl = nullptr;
};

// The Case of a prepared case c, whose check(why) and run(why) return
// false with *why on failure; impl (may be empty) says what ran.
template <class C>
Case make_case(std::string name, Lib lib, double macs, std::shared_ptr<C> c,
               std::function<std::string()> impl = nullptr) {
  return Case{std::move(name), lib, macs, [c](std::string *why) { return c->check(why); },
              [c](std::string *why) { return c->run(why); }, std::move(impl)};
}

struct Options {
  bool quick = false;   // scaled-down layers, one short repetition
  int threads = 1;      // threads for every library (each in its own process
                        // when > 1)
  int reps = 5;
  double min_time = 0.03;  // seconds per repetition (at least one call)
};
const Options &options();

// Registration, one function per implementation family.  Each returns the
// number of cases it added and appends a line to `notes` for anything it
// left out (a peer that is not built for this target, a kernel this CPU
// cannot run) so that the report shows it.
using Notes = std::vector<std::string>;
int add_wrapgemm_cases(std::vector<Case> &out, Notes &notes);
int add_gemmlowp_cases(std::vector<Case> &out, Notes &notes);
int add_onednn_cases(std::vector<Case> &out, Notes &notes);
// oneDNN's own convolution primitive (format `any`), Table 7.
int add_onednn_conv_cases(std::vector<Case> &out, Notes &notes);
// XNNPACK's quantized int8 convolution (NHWC), Table 7.
int add_xnnpack_cases(std::vector<Case> &out, Notes &notes);
// The WrapNet layer as an engine runs it: automatic dispatch, ternary
// weights, 8-bit wrap, cyclic activation, fused uint8 output (NCHW, NHWC).
int add_wrapnet8_cases(std::vector<Case> &out, Notes &notes);
int add_openblas_cases(std::vector<Case> &out, Notes &notes);
// The ceilings run twice, first and last (`when`), since the load of a
// shared machine changes during a run; the report takes the faster.
int add_ceiling_cases(std::vector<Case> &out, Notes &notes, const char *when);
int add_swar_cases(std::vector<Case> &out, Notes &notes);

// Test data shared by the peers: one layer's input as uint8 codes (NCHW),
// its weights as int8 codes (OIHW), and the im2col lowering (K x N).
struct LayerData {
  std::vector<uint8_t> x;     // C*H*W activations, codes < 2^abits
  std::vector<int8_t> w;      // M*K weights
  std::vector<uint8_t> cols;  // K*N lowered input
  // Exact z = W * cols (int64 sums, M x N), the oracle of every check;
  // computed on first use and kept.
  const std::vector<int64_t> &exact(const Layer &l);
  std::vector<int64_t> z;
};
// The data of layer `li` (of layers()) with activation codes < 2^abits and
// weight codes in [wlo, whi] (no zero if no_zero): made once per distinct
// request and shared, deterministic from the request.
std::shared_ptr<LayerData> layer_data(size_t li, int abits, int wlo, int whi, bool no_zero);

// The Table 7 cases of a peer library: for every layer, its GEMM on the
// lowered input (".gemm") and its convolution, im2col + GEMM (".conv").
// P is the peer's prepared case: members l, conv and d (int8 weights,
// activation codes < 2^abits), methods check(why) and run(why), both
// false with *why on failure; prepare(P &) sizes the rest once l, conv and
// d are set.
template <class P, class Prepare>
int add_table7_peer_cases(std::vector<Case> &out, const std::string &impl, Lib lib, int abits,
                          Prepare prepare) {
  int added = 0;
  for (size_t li = 0; li < layers().size(); li++)
    for (bool conv : {false, true}) {
      auto c = std::make_shared<P>();
      c->l = layers()[li];
      c->conv = conv;
      c->d = layer_data(li, abits, -128, 127, false);
      prepare(*c);
      out.push_back(Case{"table7/" + c->l.name() + "/" + impl + (conv ? ".conv" : ".gemm"), lib,
                         c->l.macs(), [c](std::string *why) { return c->check(why); },
                         [c](std::string *why) { return c->run(why); }});
      added++;
    }
  return added;
}
// Lowers NCHW x (C x H x W, 3x3, stride 1, pad 1 with zeros) to K x N.
void im2col3x3(const Layer &l, const uint8_t *x, uint8_t *cols);
void im2col3x3(const Layer &l, const float *x, float *cols);
// The same layer in NHWC: x (C x H x W) as pixels of C channels, and OIHW
// weights (M x C x 3 x 3) as OHWI (M x 3 x 3 x C), the order NHWC engines
// (and wg_conv2d on NHWC input) read filters in.
std::vector<uint8_t> to_nhwc(const Layer &l, const std::vector<uint8_t> &x);
std::vector<int8_t> to_ohwi(const Layer &l, const std::vector<int8_t> &w);
// wrap_b(z) = ((z + 2^(b-1)) mod 2^b) - 2^(b-1), b in 2..32: what a b-bit
// accumulator holds (docs/semantics.md).
int64_t wrap_bits(int64_t z, int b);

}  // namespace wgb

#endif
