// The depthwise table's layers and data (depthwise.h).
#include <map>

#include "depthwise.h"

namespace wgb {

const std::vector<DwLayer> &dw_layers() {
  // MobileNet v1's depthwise layers (the 1024-channel one as 512): each
  // stride-2 layer halves the image, then the channels double.
  static const std::vector<DwLayer> full = {
      {32, 112, 112, 1}, {64, 112, 112, 2}, {128, 56, 56, 1}, {128, 56, 56, 2},
      {256, 28, 28, 1},  {256, 28, 28, 2},  {512, 14, 14, 1}, {512, 14, 14, 2},
      {512, 7, 7, 1}};
  // --quick: the same pattern at about 1/64 of the work.
  static const std::vector<DwLayer> quick = {
      {8, 28, 28, 1}, {16, 28, 28, 2}, {32, 14, 14, 1}, {64, 7, 7, 2}, {128, 4, 4, 1}};
  return options().quick ? quick : full;
}

static uint64_t mix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::shared_ptr<DwData> dw_data(size_t li) {
  static std::map<size_t, std::shared_ptr<DwData>> cache;
  auto &slot = cache[li];
  if (slot) return slot;
  const DwLayer &l = dw_layers()[li];
  slot = std::make_shared<DwData>();
  DwData &d = *slot;
  uint64_t s = 0xd3e7 + li;
  const size_t C = size_t(l.c), HW = size_t(l.h) * size_t(l.w);
  d.x_nhwc.resize(C * HW);
  for (auto &v : d.x_nhwc) v = uint8_t(mix(&s) >> 57);  // 7-bit codes
  d.x_nchw.resize(C * HW);
  for (size_t p = 0; p < HW; p++)
    for (size_t c = 0; c < C; c++) d.x_nchw[c * HW + p] = d.x_nhwc[p * C + c];
  d.w.resize(C * 9);
  for (auto &v : d.w) v = int8_t(mix(&s) >> 56);
  d.z.assign(size_t(l.outputs()), 0);
  for (int oh = 0; oh < l.oh(); oh++)
    for (int ow = 0; ow < l.ow(); ow++)
      for (int u = 0; u < 3; u++)
        for (int v = 0; v < 3; v++) {
          const int ih = oh * l.stride - 1 + u, iw = ow * l.stride - 1 + v;
          if (ih < 0 || ih >= l.h || iw < 0 || iw >= l.w) continue;  // padding: code 0
          const uint8_t *px = &d.x_nhwc[(size_t(ih) * size_t(l.w) + size_t(iw)) * C];
          int64_t *zo = &d.z[(size_t(oh) * size_t(l.ow()) + size_t(ow)) * C];
          for (size_t c = 0; c < C; c++) zo[c] += int64_t(d.w[c * 9 + size_t(u * 3 + v)]) * px[c];
        }
  return slot;
}

}  // namespace wgb
