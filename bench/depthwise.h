// The depthwise table: MobileNet-style 3x3 depthwise layers (groups =
// channels, multiplier 1, pad 1, stride 1 or 2), their data and the exact
// oracle, shared by wrapgemm's cases (cases_depthwise.cc) and the peers'
// (peer_onednn_depthwise.cc, peer_xnnpack_depthwise.cc).  Case names:
// depthwise/<layer>/<implementation>.
#ifndef WGBENCH_DEPTHWISE_H
#define WGBENCH_DEPTHWISE_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "case.h"

namespace wgb {

struct DwLayer {
  int c, h, w, stride;
  int oh() const { return (h + 2 - 3) / stride + 1; }
  int ow() const { return (w + 2 - 3) / stride + 1; }
  std::string name() const {
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w) + "s" +
           std::to_string(stride);
  }
  int64_t outputs() const { return int64_t(c) * oh() * ow(); }
  double macs() const { return 9.0 * double(outputs()); }
};

// The layers of this run (full size, or scaled down with --quick).
const std::vector<DwLayer> &dw_layers();

// One layer's operands: 7-bit activation codes (no pair of products can
// saturate a 16-bit multiply-add, as Table 7's oneDNN data), full-range
// int8 weights, and the exact sums.
struct DwData {
  std::vector<uint8_t> x_nhwc, x_nchw;  // 1 x H x W x C, 1 x C x H x W
  std::vector<int8_t> w;                // C x 3 x 3: channel c's taps at w[c*9 + t]
  std::vector<int64_t> z;               // exact sums, NHWC: z[(oh*OW + ow)*C + c]
};
std::shared_ptr<DwData> dw_data(size_t li);

int add_depthwise_wrapgemm_cases(std::vector<Case> &out, Notes &notes);
int add_depthwise_onednn_cases(std::vector<Case> &out, Notes &notes);
int add_depthwise_xnnpack_cases(std::vector<Case> &out, Notes &notes);

}  // namespace wgb

#endif
