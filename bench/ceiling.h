// The register-only ceilings (ceiling.cc, ceiling_avx512.cc): what each loop
// is, whether it computes the WrapNet layer's contract exactly, and whether
// this CPU can run it.  The report lists them all, measured or "not on this
// CPU", and reads the shares of Table 7 against the fastest exact one.
#ifndef WGBENCH_CEILING_H
#define WGBENCH_CEILING_H

#include <cstdint>
#include <string>
#include <vector>

namespace wgb {

struct CeilingSpec {
  const char *name;          // the case is ceiling/{first,last}/<name>
  const char *instructions;  // what one step issues
  int macs_per_step;
  // Exact: the loop does all of a ternary x uint8 multiply-accumulate that
  // the 8-bit WrapNet layer needs (wrap_8 of the exact sum, or the exact sum
  // itself), so a kernel built on it is a wrapgemm kernel.  A bare add
  // (swar64_add) or the binary-only masked add is not.
  bool exact;
  const char *needs;         // the CPU features it needs, in words
  bool available;            // compiled for this target and this CPU has them
  uint64_t (*loop)(int64_t iters);
  int macs_per_iter;         // MACs of one iteration of `loop`
};

// Every ceiling written for this target, in the order they are registered.
const std::vector<CeilingSpec> &ceiling_specs();

// The AVX-512 and VNNI loops (ceiling_avx512.cc), compiled with target
// attributes for those functions only: call them only where cpu_features()
// says so.  Each returns the accumulators' sum so the work is consumed.
uint64_t dpbusd_zmm_avx512vnni(int64_t iters);
uint64_t dpbusd_ymm_avx512vnni(int64_t iters);
uint64_t dpbusd_ymm_avxvnni(int64_t iters);
uint64_t mask_add_sub_zmm_avx512bw(int64_t iters);
uint64_t mask_add_zmm_avx512bw(int64_t iters);
// Accumulators and MACs per iteration of each of them.
constexpr int kDpbusdZmmMacs = 10 * 64, kDpbusdYmmMacs = 10 * 32;
constexpr int kMaskAddSubMacs = 8 * 64, kMaskAddMacs = 8 * 64;

}  // namespace wgb

#endif
