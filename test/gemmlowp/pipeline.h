// gemmlowp's uint8 output pipeline (quantize down, clamp, saturating cast)
// for a wg_gemmlowp_desc: what wg_gemmlowp_gemm computes with d.output =
// WG_GEMMLOWP_UINT8 (docs/gemmlowp.md).  For test/gemmlowp/compat.cc and
// bench/gemmlowp/entry.cc.
#ifndef WG_TEST_GEMMLOWP_PIPELINE_H
#define WG_TEST_GEMMLOWP_PIPELINE_H

#include <gemmlowp/public/gemmlowp.h>
#include <wrapgemm.h>

#include <tuple>

inline auto wg_gemmlowp_pipeline(const wg_gemmlowp_desc &d) {
  gemmlowp::OutputStageQuantizeDownInt32ByFixedPoint down;
  down.result_fixedpoint_multiplier = d.result_fixedpoint_multiplier;
  down.result_shift = d.result_shift;
  down.result_offset_after_shift = d.result_offset_after_shift;
  gemmlowp::OutputStageClamp clamp;
  clamp.min = d.clamp_min;
  clamp.max = d.clamp_max;
  return std::make_tuple(down, clamp, gemmlowp::OutputStageSaturatingCastToUint8());
}

#endif
