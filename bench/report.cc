// The report: first the WrapNet layer as an engine runs it (automatic
// dispatch, fused uint8 output) against oneDNN's convolution and XNNPACK;
// then Tables 7 and 8 laid out as in the paper with this CPU's figures beside
// the paper's, speed-ups of the 8-bit path over each 32-bit baseline, shares
// of the fastest exact register-only ceiling, and the ceilings themselves;
// the same tables plus every case (with what ran) in report.md under a
// header that names the CPU and its ISA features, and a gnuplot chart of
// time per layer.
#include "report.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

#include "ceiling.h"
#include "cpu_features.h"
#include "depthwise.h"
#include "wrapgemm.h"

namespace wgb {

bool write_results(const std::string &path, const std::vector<Result> &rs,
                   const Notes &notes) {
  std::ofstream f(path);
  for (const Result &r : rs)
    f << "R\t" << r.name << '\t' << r.lib << '\t' << r.macs << '\t' << r.median_s << '\t'
      << r.min_s << '\t' << r.max_s << '\t' << r.reps << '\t' << r.ok << '\t' << r.why
      << '\t' << r.impl << '\n';
  for (const std::string &n : notes) f << "N\t" << n << '\n';
  return bool(f);
}

bool read_results(const std::string &path, std::vector<Result> *rs, Notes *notes) {
  std::ifstream f(path);
  if (!f) return false;
  std::string line;
  while (std::getline(f, line)) {
    std::vector<std::string> col;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) col.push_back(c);
    if (col.size() >= 2 && col[0] == "N") {
      notes->push_back(col[1]);
    } else if (col.size() >= 9 && col[0] == "R") {
      Result r;
      r.name = col[1];
      r.lib = col[2];
      r.macs = std::atof(col[3].c_str());
      r.median_s = std::atof(col[4].c_str());
      r.min_s = std::atof(col[5].c_str());
      r.max_s = std::atof(col[6].c_str());
      r.reps = std::atoi(col[7].c_str());
      r.ok = col[8] == "1";
      r.why = col.size() > 9 ? col[9] : "";
      r.impl = col.size() > 10 ? col[10] : "";
      rs->push_back(r);
    }
  }
  return true;
}

namespace {

// A table rendered twice: aligned text for the terminal, Markdown for the file.
struct Table {
  std::string title;
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> foot;

  std::string text() const {
    std::vector<size_t> w(head.size(), 0);
    for (size_t i = 0; i < head.size(); i++) w[i] = head[i].size();
    for (const auto &r : rows)
      for (size_t i = 0; i < r.size() && i < w.size(); i++) w[i] = std::max(w[i], r[i].size());
    std::string s = title + "\n";
    auto line = [&](const std::vector<std::string> &r) {
      for (size_t i = 0; i < w.size(); i++) {
        const std::string v = i < r.size() ? r[i] : "";
        s += (i ? "  " : "") + std::string(w[i] - v.size(), ' ') + v;
      }
      s += "\n";
    };
    line(head);
    for (const auto &r : rows) line(r);
    for (const auto &f : foot) s += "  " + f + "\n";
    return s + "\n";
  }

  std::string md() const {
    std::string s = "### " + title + "\n\n|";
    for (const auto &h : head) s += " " + h + " |";
    s += "\n|";
    for (size_t i = 0; i < head.size(); i++) s += i ? "---:|" : "---|";
    s += "\n";
    for (const auto &r : rows) {
      s += "|";
      for (const auto &v : r) s += " " + v + " |";
      s += "\n";
    }
    s += "\n";
    for (const auto &f : foot) s += f + "  \n";
    return s + "\n";
  }
};

// v with `prec` decimals and a suffix; "-" for a figure that is missing.
std::string fmt(double v, int prec, const char *suffix = "") {
  if (!(v > 0) || !std::isfinite(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f%s", prec, v, suffix);
  return b;
}

struct Index {
  std::map<std::string, const Result *> by_name;
  const Result *get(const std::string &n) const {
    auto it = by_name.find(n);
    return it != by_name.end() && it->second->ok && it->second->reps > 0 ? it->second
                                                                        : nullptr;
  }
  // The fastest timed case under `prefix` whose name ends with `suffix`,
  // does not contain `not_in` and, if `in` is given, contains it.
  const Result *best(const std::string &prefix, const std::string &suffix,
                     const std::string &not_in = "", const std::string &in = "") const {
    const Result *b = nullptr;
    for (auto it = by_name.lower_bound(prefix);
         it != by_name.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const Result *r = it->second;
      const std::string &n = r->name;
      if (!r->ok || r->reps == 0 || n.size() < suffix.size() ||
          n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      if (!not_in.empty() && n.find(not_in) != std::string::npos) continue;
      if (!in.empty() && n.find(in) == std::string::npos) continue;
      if (!b || r->median_s < b->median_s) b = r;
    }
    return b;
  }
};

double ms(const Result *r) { return r ? r->median_s * 1e3 : 0; }
double gmacs(const Result *r) { return r ? r->macs / r->median_s / 1e9 : 0; }
// A ceiling's rate: its fastest repetition.  A register-only loop is an
// upper bound that load can only lower.
double ceiling_gmacs(const Result *r) { return r ? r->macs / r->min_s / 1e9 : 0; }
std::string impl(const Result *r) {
  if (!r) return "-";
  const size_t s = r->name.rfind('/');
  return r->name.substr(s + 1);
}
std::string ratio(const Result *fast, const Result *slow) {
  return fast && slow ? fmt(slow->median_s / fast->median_s, 2, "x") : "-";
}
// Share of `cores` times a one-core ceiling (the ceilings run on one
// thread): a case on T threads has T cores' worth of it, Table 8's
// bit-packed paths always one.
std::string pct(const Result *r, const Result *ceiling, int cores) {
  return r && ceiling ? fmt(100.0 * gmacs(r) / (cores * ceiling_gmacs(ceiling)), 0, "%") : "-";
}

std::string read_first(const char *path, const char *key) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line))
    if (line.compare(0, strlen(key), key) == 0) {
      const size_t c = line.find(':');
      return c == std::string::npos ? line : line.substr(c + 2);
    }
  return "";
}

// The model name, and on x86 the family/model/stepping, which name the core
// where a VM's model name does not ("AMD EPYC": family 25 model 1 is Zen 3).
std::string cpu_model() {
  std::string m = read_first("/proc/cpuinfo", "model name");
  if (m.empty()) m = read_first("/proc/cpuinfo", "CPU part");
  const std::string fam = read_first("/proc/cpuinfo", "cpu family"),
                    mod = read_first("/proc/cpuinfo", "model\t"),
                    step = read_first("/proc/cpuinfo", "stepping");
  if (!fam.empty() && !mod.empty())
    m += " (" + read_first("/proc/cpuinfo", "vendor_id") + " family " + fam + " model " + mod +
         (step.empty() ? "" : " stepping " + step) + ")";
  return m.empty() ? std::string(WGB_TARGET) : m;
}

}  // namespace

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a.empty() ? "" : a + " " + b + " " + c;
}

namespace {

long nproc() { return sysconf(_SC_NPROCESSORS_ONLN); }

// A ceiling by its name (ceiling.h): the faster of its first and last
// measurement, each its fastest repetition; null where it did not run.
const Result *ceiling(const Index &ix, const std::string &name) {
  const Result *b = nullptr;
  for (const char *when : {"ceiling/first/", "ceiling/last/"}) {
    const Result *r = ix.get(when + name);
    if (r && (!b || r->min_s < b->min_s)) b = r;
  }
  return b;
}

// The fastest exact ceiling measured on this CPU (ceiling.h: a loop that
// does the whole ternary x uint8 MAC of the 8-bit WrapNet layer), which the
// shares of Table 7 are read against, and the table of every ceiling.
const Result *best_exact_ceiling(const Index &ix) {
  const Result *b = nullptr;
  for (const CeilingSpec &c : ceiling_specs()) {
    const Result *r = c.exact ? ceiling(ix, c.name) : nullptr;
    if (r && (!b || ceiling_gmacs(r) > ceiling_gmacs(b))) b = r;
  }
  return b;
}

Table ceiling_table(const Index &ix, const Result *best) {
  Table t{"Register-only ceilings of this CPU (one thread, fastest repetition)",
          {"ceiling", "one step", "MACs per step", "exact", "GMAC/s"},
          {},
          {"exact: the loop does the whole ternary x uint8 multiply-accumulate of the 8-bit "
           "WrapNet layer (wrap_8 of the exact sum, or the exact 32-bit sum), so a kernel "
           "built on it is a wrapgemm kernel; Table 7's shares are of the fastest exact one "
           "(marked).",
           "Loops the CPU lacks (CPUID/XGETBV) are never run."}};
  for (const CeilingSpec &c : ceiling_specs()) {
    const Result *r = ceiling(ix, c.name);
    const std::string v = !c.available ? std::string("not on this CPU (needs ") + c.needs + ")"
                          : r         ? fmt(ceiling_gmacs(r), 1) + (r == best ? " (fastest exact)" : "")
                                      : std::string("not run");
    t.rows.push_back({c.name, c.instructions, std::to_string(c.macs_per_step),
                      c.exact ? "yes" : "no", v});
  }
  return t;
}

// The first words of what ran (oneDNN's impl_info_str without the layouts
// that follow it in parentheses): short enough for a table column.
std::string what_ran(const Result *r) {
  if (!r || r->impl.empty()) return "-";
  const size_t p = r->impl.find(" (");
  return p == std::string::npos ? r->impl : r->impl.substr(0, p);
}

// This run as the tables read it: its cases by name, the ceilings the
// shares are of, and how it ran.
struct Run {
  Index ix;
  int failed = 0, timed = 0;
  // c8: the fastest exact ceiling, what every Table 7 share is of; c32: the
  // 32-bit path without VNNI (what gemmlowp's AVX2 or NEON kernel issues);
  // cswar: Table 8's, general registers only.
  const Result *c8 = nullptr, *c32 = nullptr, *cswar = nullptr;
  int T = 1;        // threads of every case but Table 8's bit packing
  std::string run;  // threads and repetitions, for the chart's title
  std::string how;  // the same, for the tables' titles
};

Run index_run(const std::vector<Result> &results) {
  Run R;
  for (const Result &r : results) {
    R.ix.by_name[r.name] = &r;
    if (!r.ok) R.failed++;
    else if (r.reps > 0) R.timed++;
  }
  R.c8 = best_exact_ceiling(R.ix);
  R.cswar = ceiling(R.ix, "swar64_add");
  R.c32 = ceiling(R.ix, "acc32_maddubs_madd__avx2");
  if (!R.c32) R.c32 = ceiling(R.ix, "acc32_umull_uadalp__neon");
  R.T = options().threads;
  R.run = std::to_string(R.T) + (R.T == 1 ? " thread" : " threads") + ", median of " +
          std::to_string(options().reps) +
          (options().quick ? ", quick smoke run on layers scaled down 1/256" : "");
  R.how = R.run + (options().quick ? ": not comparable with the paper" : "");
  return R;
}

// One layer's cases that the tables compare, each the fastest of its kind;
// null where none was timed.
struct LayerCases {
  const Layer *l;
  // wrapgemm's full wg_conv2d, raw output, by accumulator (NCHW), and the
  // 8-bit one on NHWC input.
  const Result *a8, *a16, *a32, *h8;
  // The peers' convolutions: gemmlowp, oneDNN im2col+GEMM, oneDNN conv,
  // XNNPACK, OpenBLAS.
  const Result *gl, *dn, *dc, *xn, *bl;
  // The WrapNet layer under automatic dispatch: NCHW, NHWC, the faster.
  const Result *wa, *wh, *wb;
  // GEMM alone on the lowered input: 8-bit, 32-bit, and the peers'.
  const Result *g8, *g32, *ggl, *gdn, *gbl;
  // Table 8: bit packing (any register width, and 32-bit registers), naive.
  const Result *pk, *pk32, *nv;
};

const Result *faster(const Result *a, const Result *b) {
  return !a ? b : !b ? a : a->median_s <= b->median_s ? a : b;
}

LayerCases layer_cases(const Index &ix, const Layer &l) {
  const std::string p7 = "table7/" + l.name() + "/", p8 = "table8/" + l.name() + "/";
  LayerCases c;
  c.l = &l;
  c.a8 = ix.best(p7 + "acc8_", ".conv_raw");
  c.a16 = ix.best(p7 + "acc16_", ".conv_raw");
  c.a32 = ix.best(p7 + "acc32_", ".conv_raw");
  c.h8 = ix.best(p7 + "acc8_", ".conv_nhwc_raw");
  c.gl = ix.best(p7 + "gemmlowp_", ".conv");
  c.dn = ix.get(p7 + "onednn_u8s8s32.conv");
  c.dc = ix.get(p7 + "onednn_conv_u8s8s32.conv");
  c.xn = ix.get(p7 + "xnnpack_conv_qs8.conv");
  c.bl = ix.get(p7 + "openblas_sgemm.conv");
  c.wa = ix.get(p7 + "wrapgemm_auto.conv_wrapnet8");
  c.wh = ix.get(p7 + "wrapgemm_auto_nhwc.conv_wrapnet8");
  c.wb = !c.wa ? c.wh : !c.wh ? c.wa : c.wh->median_s < c.wa->median_s ? c.wh : c.wa;
  c.g8 = ix.best(p7 + "acc8_", ".gemm_raw");
  c.g32 = ix.best(p7 + "acc32_", ".gemm_raw");
  c.ggl = ix.best(p7 + "gemmlowp_", ".gemm");
  c.gdn = ix.get(p7 + "onednn_u8s8s32.gemm");
  c.gbl = ix.get(p7 + "openblas_sgemm.gemm");
  // Bit packing on the naive loop's operands: the SWAR API's paths and the
  // table's ternary SWAR kernels (binary ones run other data).
  c.pk = faster(ix.best(p8 + "swar", ".gemm_raw"), ix.best(p8, ".gemm_raw", "", "_ternary_"));
  c.pk32 = faster(ix.best(p8 + "swar32", ".gemm_raw"),
                  ix.best(p8, ".gemm_raw", "swar64", "_ternary_"));
  c.nv = ix.get(p8 + "naive_buffer_acc7.gemm_raw");
  return c;
}

std::vector<LayerCases> every_layer(const Index &ix) {
  std::vector<LayerCases> v;
  for (const Layer &l : layers()) v.push_back(layer_cases(ix, l));
  return v;
}

Table wrapnet_layer_table(const Run &R, const std::vector<LayerCases> &ls) {
  Table t{"Table 7, the WrapNet layer as an engine runs it: automatic dispatch, ternary "
          "weights, 8-bit wrap, cyclic activation, fused uint8 output (" + R.how + ")",
          {"Input size", "auto NCHW", "auto NHWC", "oneDNN conv", "x oneDNN conv",
           "XNNPACK qs8", "x XNNPACK", "oneDNN im2col+GEMM", "x im2col+GEMM", "best / ceil",
           "wrapgemm ran (best)", "oneDNN conv impl"},
          {},
          {"auto: wg_conv2d on a context with automatic kernel choice (wrapgemm_auto"
           "[_nhwc].conv_wrapnet8): ternary weights, 8-bit activation codes, acc_bits 8, "
           "smooth cyclic activation (slope 2), WG_OUTPUT_UINT8_FLOAT (per-channel scale and "
           "bias, ReLU, uint8 codes), every byte checked against the contract.",
           "x: peer time / the faster of auto NCHW and NHWC (>1: wrapgemm is faster).  "
           "oneDNN conv: convolution_forward, u8 x s8 -> s32, formats any, only execute() "
           "timed.  XNNPACK: xnn_create_convolution2d_nhwc_qs8, int8 output requantized in "
           "the call.  oneDNN im2col+GEMM: our im2col + dnnl_gemm_u8s8s32.",
           "best / ceil: share of the fastest exact ceiling (below)."}};
  for (const LayerCases &c : ls)
    t.rows.push_back({c.l->name(), fmt(ms(c.wa), 3), fmt(ms(c.wh), 3), fmt(ms(c.dc), 3),
                      ratio(c.wb, c.dc), fmt(ms(c.xn), 3), ratio(c.wb, c.xn), fmt(ms(c.dn), 3),
                      ratio(c.wb, c.dn), pct(c.wb, R.c8, R.T), what_ran(c.wb),
                      what_ran(c.dc)});
  return t;
}

Table table7(const Run &R, const std::vector<LayerCases> &ls) {
  Table t{"Table 7: ms per 3x3 conv layer, 8-bit vs 32-bit accumulators (" + R.how + ")",
          {"Input size", "Output", "8-bit", "gemmlowp 32", "oneDNN im2col+GEMM 32",
           "oneDNN conv 32", "OpenBLAS f32", "wrapgemm 32", "wrapgemm 16", "paper 8-bit",
           "paper 32-bit"},
          {},
          {"8-bit / 16 / 32: the fastest wrapgemm kernel with that accumulator, full "
           "wg_conv2d (the kernel's direct convolution where it has one, else implicit im2col "
           "packing), raw output.",
           "Peers: im2col + their GEMM, raw int32 (float for OpenBLAS); gemmlowp "
           "u8 x u8, oneDNN u8 x s8, all pinned to the same thread count.  oneDNN conv: "
           "oneDNN's own convolution primitive (format any, no im2col), raw int32.",
           "Paper: Intel i7-7700HQ at 2.8 GHz, 8-bit = gemmlowp extended with 8-bit "
           "accumulators, 32-bit = gemmlowp AVX2."}};
  for (const LayerCases &c : ls)
    t.rows.push_back({c.l->name(), std::to_string(c.l->c), fmt(ms(c.a8), 3), fmt(ms(c.gl), 3),
                      fmt(ms(c.dn), 3), fmt(ms(c.dc), 3), fmt(ms(c.bl), 3), fmt(ms(c.a32), 3),
                      fmt(ms(c.a16), 3), fmt(c.l->paper_acc8_ms, 3),
                      fmt(c.l->paper_acc32_ms, 3)});
  return t;
}

Table table7_speedups(const Run &R, const std::vector<LayerCases> &ls) {
  Table t{"Table 7, speed-up of the 8-bit path over each 32-bit baseline, and share "
          "of the register-only ceiling",
          {"Input size", "x gemmlowp", "x oneDNN im2col+GEMM", "x oneDNN conv", "x OpenBLAS",
           "x wrapgemm 32", "paper x", "8-bit / ceil", "gemmlowp / ceil32", "8-bit kernel"},
          {},
          {"x: baseline time / 8-bit time in this run (>1: the 8-bit path is faster).",
           "ceil = " + impl(R.c8) + " " + fmt(ceiling_gmacs(R.c8), 1) +
               " GMAC/s, the fastest exact ceiling of this CPU; ceil32 = " + impl(R.c32) +
               " " + fmt(ceiling_gmacs(R.c32), 1) +
               " GMAC/s: register-only loops on one thread, fastest repetition in this "
               "run (docs/performance.md)" +
               (R.T > 1 ? "; on " + std::to_string(R.T) + " threads the shares are of " +
                              std::to_string(R.T) + " times these."
                        : std::string("."))}};
  for (const LayerCases &c : ls)
    t.rows.push_back({c.l->name(), ratio(c.a8, c.gl), ratio(c.a8, c.dn), ratio(c.a8, c.dc),
                      ratio(c.a8, c.bl), ratio(c.a8, c.a32),
                      fmt(c.l->paper_acc32_ms / c.l->paper_acc8_ms, 2, "x"),
                      pct(c.a8, R.c8, R.T), pct(c.gl, R.c32, R.T), impl(c.a8)});
  return t;
}

Table table7_nhwc(const Run &R, const std::vector<LayerCases> &ls) {
  Table t{"Table 7 layers in NHWC: the 8-bit conv2d through the direct convolution (" + R.how +
              ")",
          {"Input size", "NHWC 8-bit", "NCHW 8-bit", "NHWC x NCHW", "x gemmlowp",
           "x oneDNN im2col+GEMM", "NHWC / ceil", "NCHW / ceil", "8-bit kernel"},
          {},
          {"The same layers, weights and codes with NHWC input and OHWI filters; wrapgemm "
           "runs them as a direct convolution (activations broadcast from the input "
           "pixels, no packing; docs/avx2.md), raw int8 output, pixel-major.",
           "x gemmlowp / x oneDNN im2col+GEMM: their im2col + GEMM convolution (NCHW) / this "
           "time."}};
  for (const LayerCases &c : ls)
    t.rows.push_back({c.l->name(), fmt(ms(c.h8), 3), fmt(ms(c.a8), 3), ratio(c.h8, c.a8),
                      ratio(c.h8, c.gl), ratio(c.h8, c.dn), pct(c.h8, R.c8, R.T),
                      pct(c.a8, R.c8, R.T), impl(c.h8)});
  return t;
}

Table table7_gemm(const Run &R, const std::vector<LayerCases> &ls) {
  Table t{"Table 7, GEMM alone: ms on the already lowered input, and speed-ups (" + R.how + ")",
          {"Input size", "8-bit", "gemmlowp 32", "oneDNN 32", "OpenBLAS f32", "wrapgemm 32",
           "x gemmlowp", "x oneDNN", "x OpenBLAS", "x wrapgemm 32", "8-bit / ceil"},
          {},
          {}};
  for (const LayerCases &c : ls)
    t.rows.push_back({c.l->name(), fmt(ms(c.g8), 3), fmt(ms(c.ggl), 3), fmt(ms(c.gdn), 3),
                      fmt(ms(c.gbl), 3), fmt(ms(c.g32), 3), ratio(c.g8, c.ggl),
                      ratio(c.g8, c.gdn), ratio(c.g8, c.gbl), ratio(c.g8, c.g32),
                      pct(c.g8, R.c8, R.T)});
  return t;
}

// The Table 7 layers with binary weights (table7b/, cases_wrapgemm.cc):
// the fastest lookup-table kernel against the fastest other 8-bit path and
// oneDNN's convolution on the same -1/+1 weights.
Table table7b(const Run &R) {
  Table t{"Table 7b: the Table 7 layers with binary weights, ms per layer (" + R.how + ")",
          {"Input size", "LUT conv", "other 8-bit conv", "x other", "oneDNN conv",
           "x oneDNN conv", "LUT NHWC", "other NHWC", "x other NHWC", "LUT kernel",
           "other kernel"},
          {},
          {"LUT: the fastest 8-bit kernel with `lut` in its name; other: the fastest 8-bit "
           "kernel without, forced by name on the same binary weights (wg_conv2d, raw "
           "output; NHWC with OHWI filters).  oneDNN conv: its convolution primitive on "
           "the weights as int8 -1/+1 (7-bit activations).",
           "x: that time / the LUT's (>1: the LUT is faster)."}};
  for (const Layer &l : layers()) {
    const std::string p = "table7b/" + l.name() + "/acc8_";
    const Result *lc = R.ix.best(p, ".conv_raw", "", "lut"),
                 *oc = R.ix.best(p, ".conv_raw", "lut"),
                 *ln = R.ix.best(p, ".conv_nhwc_raw", "", "lut"),
                 *on = R.ix.best(p, ".conv_nhwc_raw", "lut"),
                 *dc = R.ix.get("table7b/" + l.name() + "/onednn_conv_u8s8s32.conv");
    t.rows.push_back({l.name(), fmt(ms(lc), 3), fmt(ms(oc), 3), ratio(lc, oc), fmt(ms(dc), 3),
                      ratio(lc, dc), fmt(ms(ln), 3), fmt(ms(on), 3), ratio(ln, on), impl(lc),
                      impl(oc)});
  }
  return t;
}

Table table8(const Run &R, const std::vector<LayerCases> &ls) {
  Table t{"Table 8: ms per 3x3 conv layer, no vector instructions (" + R.how + ")",
          {"Input size", "Output", "bit packing", "naive", "speed-up", "32-bit regs",
           "speed-up", "paper packing", "paper naive", "paper x", "packing / ceil",
           "packing path"},
          {},
          {"bit packing: the fastest general-register path on ternary weights (wg_swar_gemm "
           "in any mode, or a ternary SWAR kernel of the table through wg_gemm); 32-bit regs: "
           "the fastest with four lanes per 32-bit register, the paper's setup.",
           "naive: wg_swar_naive_gemm, one product at a time into an 8-bit accumulator with "
           "a buffer bit (the paper's baseline).  All on the lowered input, raw int8 output, "
           "ternary weights, 7-bit activations (8-bit for the table's acc8 kernels).",
           "ceil = " + impl(R.cswar) + " " + fmt(ceiling_gmacs(R.cswar), 1) +
               " GMAC/s (eight 8-bit lanes per 64-bit add, general registers only)."}};
  if (!R.ix.best("table8/", ".gemm_raw", "naive_"))
    t.foot.push_back("No bit-packed (SWAR) kernel in this build's kernel table: the "
                     "bit-packing column is empty.");
  for (const LayerCases &c : ls)
    t.rows.push_back({c.l->name(), std::to_string(c.l->c), fmt(ms(c.pk), 3), fmt(ms(c.nv), 3),
                      ratio(c.pk, c.nv), fmt(ms(c.pk32), 3), ratio(c.pk32, c.nv),
                      fmt(c.l->paper_packed_ms, 2), fmt(c.l->paper_naive_ms, 3),
                      fmt(c.l->paper_naive_ms / c.l->paper_packed_ms, 2, "x"),
                      pct(c.pk, R.cswar, 1), impl(c.pk)});
  return t;
}

// MobileNet's depthwise layers (depthwise.h): wrapgemm's depthwise path
// beside oneDNN's and XNNPACK's depthwise convolutions.
Table depthwise_table(const Run &R) {
  Table t{"Depthwise 3x3 convolutions (MobileNet v1 layers): ms per layer (" + R.how + ")",
          {"Layer", "wrapgemm NHWC", "NHWC b=8", "NCHW", "grouped im2col", "oneDNN dw",
           "x oneDNN", "XNNPACK dw", "x XNNPACK", "wrapgemm GMAC/s", "wrapgemm ran",
           "oneDNN impl"},
          {},
          {"Layer: CxHxW and stride; groups = C, multiplier 1, pad 1, 7-bit activation codes, "
           "full-range int8 weights.  wrapgemm: wg_conv2d_ex with groups = C on a context "
           "with automatic kernel choice (the kernel's depthwise rows), raw int32 output "
           "(b = 32), or raw int8 wrapped sums (b = 8); grouped im2col: the depthwise path "
           "switched off, one implicit-im2col GEMM per channel.",
           "oneDNN dw: convolution_forward with groups = C, u8 x s8 -> s32, formats any, only "
           "execute() timed.  XNNPACK dw: xnn_create_convolution2d_nhwc_qs8 with groups = C, "
           "int8 output requantized in the call.  x: peer time / wrapgemm NHWC time (>1: "
           "wrapgemm is faster).  Every output checked exactly before timing."}};
  for (const DwLayer &l : dw_layers()) {
    const std::string p = "depthwise/" + l.name() + "/";
    const Result *wn = R.ix.get(p + "wrapgemm_dw_nhwc.conv"),
                 *w8 = R.ix.get(p + "wrapgemm_dw_nhwc_acc8.conv"),
                 *wc = R.ix.get(p + "wrapgemm_dw_nchw.conv"),
                 *wi = R.ix.get(p + "wrapgemm_dw_im2col.conv"),
                 *dn = R.ix.get(p + "onednn_dw_u8s8s32.conv"),
                 *xn = R.ix.get(p + "xnnpack_dw_qs8.conv");
    t.rows.push_back({l.name(), fmt(ms(wn), 3), fmt(ms(w8), 3), fmt(ms(wc), 3), fmt(ms(wi), 3),
                      fmt(ms(dn), 3), ratio(wn, dn), fmt(ms(xn), 3), ratio(wn, xn),
                      fmt(gmacs(wn), 2), wn ? wn->impl : "-", dn ? dn->impl : "-"});
  }
  return t;
}

// Every case, for the file.
Table every_case_table(const Run &R) {
  Table all{"Every case (median ms, rate, share of the ceiling, what ran)",
            {"case", "ms", "min ms", "max ms", "GMAC/s", "of ceiling", "what ran", "status"},
            {},
            {}};
  for (const auto &kv : R.ix.by_name) {
    const Result *r = kv.second;
    const std::string &n = r->name;
    const Result *c = nullptr;
    if (n.compare(0, 7, "table8/") == 0) c = R.cswar;
    else if (n.compare(0, 7, "table7/") == 0) c = R.c8;
    const bool t = r->ok && r->reps > 0;
    all.rows.push_back({n, t ? fmt(ms(r), 3) : "-", t ? fmt(r->min_s * 1e3, 3) : "-",
                        t ? fmt(r->max_s * 1e3, 3) : "-", t ? fmt(gmacs(r), 2) : "-",
                        t && n.compare(0, 8, "ceiling/") != 0
                            ? pct(r, c, n.compare(0, 7, "table8/") == 0 ? 1 : R.T)
                            : "-",
                        r->impl.empty() ? "-" : r->impl,
                        r->ok ? (r->reps ? "ok" : "not run") : "FAILED: " + r->why});
  }
  return all;
}

// chart.dat: a line per layer, ms per implementation ('-' where none ran).
std::string chart_data(const std::vector<LayerCases> &ls) {
  std::string dat =
      "# layer 8-bit wrapgemm32 gemmlowp oneDNN OpenBLAS packing naive paper8 paper32 "
      "paper_packing paper_naive oneDNN_conv wrapnet8_auto (ms)\n";
  auto d = [](const Result *r) { return r ? fmt(ms(r), 4) : std::string("-"); };
  for (const LayerCases &c : ls) {
    const Layer &l = *c.l;
    dat += l.name() + " " + d(c.a8) + " " + d(c.a32) + " " + d(c.gl) + " " + d(c.dn) + " " +
           d(c.bl) + " " + d(c.pk) + " " + d(c.nv);
    // The paper's bars only beside full-size layers.
    for (double p : {l.paper_acc8_ms, l.paper_acc32_ms, l.paper_packed_ms, l.paper_naive_ms})
      dat += " " + (options().quick ? std::string("-") : fmt(p, 3));
    dat += " " + d(c.dc) + " " + d(c.wb) + "\n";
  }
  return dat;
}

// The tables in the order both the terminal and report.md show them.
std::vector<Table> result_tables(const Run &R, const std::vector<LayerCases> &ls) {
  return {wrapnet_layer_table(R, ls), table7(R, ls),      table7_speedups(R, ls),
          table7_nhwc(R, ls),         table7_gemm(R, ls), table7b(R), table8(R, ls),
          depthwise_table(R),
          ceiling_table(R.ix, R.c8)};
}

void print_tables(const std::vector<Table> &tables, const Notes &notes) {
  std::string s = "\n";
  for (const Table &t : tables) s += t.text();
  std::printf("%s", s.c_str());
  for (const std::string &n : notes) std::printf("note: %s\n", n.c_str());
}

void write_chart_script(const std::string &dir, const std::string &run) {
  std::ofstream gp(dir + "/chart.gp");
  gp << "# Time per layer and implementation (wgbench); gnuplot chart.gp -> chart.png\n"
        "set terminal pngcairo size 1100,600 font ',10'\n"
        "set output '" << dir << "/chart.png'\n"
        "set title 'wrapgemm: ms per ResNet-18 3x3 layer (" << run << ")' noenhanced\n"
        "set style data histograms\nset style histogram clustered gap 1\n"
        "set style fill solid 0.85 border -1\nset logscale y\nset grid ytics\n"
        "set ylabel 'ms per layer (log scale, lower is better)'\n"
        "set datafile missing '-'\nset key outside right noenhanced\n"
        // Bars in reading order: wrapgemm, the peers, the paper; the two
        // oneDNN bars and the WrapNet row with colours of their own (the
        // default palette repeats after eight).
        "plot '" << dir << "/chart.dat' using 2:xtic(1) title '8-bit wrapgemm (raw)', "
        "'' using 14 title 'WrapNet layer, auto (uint8 out)' lc rgb '#4b0082', "
        "'' using 3 title '32-bit wrapgemm', '' using 4 title '32-bit gemmlowp', "
        "'' using 5 title '32-bit oneDNN im2col+GEMM', "
        "'' using 13 title '32-bit oneDNN conv' lc rgb '#8b4513', "
        "'' using 6 title 'float OpenBLAS', "
        "'' using 7 title 'bit packing (SWAR)', '' using 8 title 'naive loop' lc rgb '#808080', "
        "'' using 9 title 'paper: 8-bit' fs pattern 4, '' using 10 title 'paper: 32-bit' "
        "fs pattern 5, '' using 11 title 'paper: bit packing' fs pattern 6, "
        "'' using 12 title 'paper: naive' fs pattern 7\n";
}

enum class Chart { drawn, gnuplot_failed, no_gnuplot };

// chart.png from chart.gp, where gnuplot is installed.
Chart draw_chart(const std::string &dir) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) return Chart::no_gnuplot;
  const std::string log = dir + "/gnuplot.log";
  if (std::system(("gnuplot '" + dir + "/chart.gp' 2>'" + log + "'").c_str()) != 0)
    return Chart::gnuplot_failed;
  std::remove(log.c_str());
  return Chart::drawn;
}

const char *chart_md(Chart c) {
  return c == Chart::drawn            ? "![time per layer](chart.png)\n\n"
         : c == Chart::gnuplot_failed ? "gnuplot failed: see gnuplot.log\n\n"
                                      : "gnuplot not installed: chart.gp and chart.dat written, no PNG\n\n";
}

void write_header(std::ostream &md, const Run &R, const RunInfo &info, const Notes &versions) {
  char when[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  md << "# wgbench report: Tables 7 and 8 on this CPU\n\n"
     << "- Date: " << when << ", wall time of the run " << fmt(info.seconds, 0)
     << " s\n- CPU: " << cpu_model() << " (" << WGB_TARGET << "), load average (1, 5, 15 min) "
     << info.load_start << " at the start, " << loadavg() << " at the end (" << nproc()
     << " CPUs online)" << "\n- ISA features (CPUID, OS-enabled; '-' absent): "
     << cpu_feature_list() << "\n- Run: " << R.how << "; " << R.timed << " cases timed, "
     << R.failed << " failed\n- Compiler: " << WGB_CXX_VERSION << "\n- Flags: library `"
     << WGB_LIB_FLAGS << "`; bench `" << WGB_BENCH_FLAGS << "`\n- wrapgemm " << wg_version()
     << "\n";
  for (const std::string &v : versions) md << "- " << v.substr(9) << "\n";
  md << "- Google Benchmark JSON: " << (info.json.empty() ? "none" : info.json) << "\n\n";
}

// report.md: the header, the tables, the chart, the notes, every case.
bool write_report_md(const std::string &dir, const Run &R, const RunInfo &info,
                     const std::vector<Table> &tables, Chart chart, const Notes &versions,
                     const Notes &others) {
  std::ofstream md(dir + "/report.md");
  write_header(md, R, info, versions);
  for (const Table &t : tables) md << t.md();
  md << chart_md(chart);
  if (!others.empty()) {
    md << "### Notes\n\n";
    for (const std::string &n : others) md << "- " << n << "\n";
    md << "\n";
  }
  md << every_case_table(R).md();
  md.close();
  return bool(md);
}

}  // namespace

int report(const std::vector<Result> &results, const RunInfo &info) {
  const Run R = index_run(results);
  const std::vector<LayerCases> ls = every_layer(R.ix);
  const std::vector<Table> tables = result_tables(R, ls);
  Notes versions, others;
  for (const std::string &n : info.notes)
    (n.compare(0, 9, "version: ") == 0 ? versions : others).push_back(n);
  print_tables(tables, others);

  const std::string &dir = info.out_dir;
  std::ofstream(dir + "/chart.dat") << chart_data(ls);
  write_chart_script(dir, R.run);
  const Chart chart = draw_chart(dir);
  const bool written = write_report_md(dir, R, info, tables, chart, versions, others);
  std::printf("\nwrote %s/report.md%s%s (%d cases timed, %d failed, %.0f s)\n", dir.c_str(),
              chart == Chart::drawn ? ", chart.png" : "", info.json.empty() ? "" : ", bench.json",
              R.timed, R.failed, info.seconds);
  return R.failed == 0 && written ? 0 : 1;
}

}  // namespace wgb
