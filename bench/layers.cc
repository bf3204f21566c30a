// The layers of Tables 7 and 8, their test data, and the exact oracle.
#include "case.h"

#include <algorithm>
#include <map>

namespace wgb {

const std::vector<Layer> &layers() {
  // Paper, Tables 7 and 8 (ms): 8-bit, 32-bit, bit packing, naive.
  static const std::vector<Layer> full = {
      {64, 56, 56, 3.467, 8.339, 29.80, 83.705},
      {128, 28, 28, 2.956, 6.785, 23.86, 80.557},
      {256, 14, 14, 2.499, 5.498, 21.71, 86.753},
      {512, 7, 7, 2.710, 5.520, 20.41, 87.671}};
  // --quick keeps the shape of the table (channels double as the image
  // shrinks) at 1/256 of the work, so every case runs in well under 1 ms.
  static const std::vector<Layer> quick = {
      {16, 14, 14, 3.467, 8.339, 29.80, 83.705},
      {32, 7, 7, 2.956, 6.785, 23.86, 80.557},
      {64, 4, 4, 2.499, 5.498, 21.71, 86.753},
      {128, 2, 2, 2.710, 5.520, 20.41, 87.671}};
  return options().quick ? quick : full;
}

const char *lib_name(Lib l) {
  switch (l) {
    case Lib::wrapgemm: return "wrapgemm";
    case Lib::gemmlowp: return "gemmlowp";
    case Lib::onednn: return "onednn";
    case Lib::openblas: return "openblas";
    case Lib::xnnpack: return "xnnpack";
    case Lib::ceiling: return "ceiling";
    case Lib::swar: return "swar";
  }
  return "?";
}

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::shared_ptr<LayerData> layer_data(size_t li, int abits, int wlo, int whi,
                                      bool no_zero) {
  static std::map<std::string, std::shared_ptr<LayerData>> cache;
  const std::string key = std::to_string(li) + "/" + std::to_string(abits) + "/" +
                          std::to_string(wlo) + "/" + std::to_string(whi) + "/" +
                          std::to_string(int(no_zero));
  auto &slot = cache[key];
  if (slot) return slot;
  slot = std::make_shared<LayerData>();
  const Layer &l = layers()[li];
  LayerData *d = slot.get();
  uint64_t s = 0x5eed;
  for (char ch : key) s = s * 131 + uint64_t(ch);
  d->x.resize(size_t(l.c) * l.h * l.w);
  for (auto &v : d->x) v = uint8_t(splitmix(&s) >> (64 - abits));
  d->w.resize(size_t(l.m() * l.k()));
  const uint64_t span = uint64_t(whi - wlo + 1);
  for (auto &v : d->w) {
    int code = wlo + int(splitmix(&s) % span);
    if (no_zero && code == 0) code = whi;  // binary weights are {-1, +1}
    v = int8_t(code);
  }
  d->cols.resize(size_t(l.k() * l.n()));
  im2col3x3(l, d->x.data(), d->cols.data());
  return slot;
}

// Row by row with one copy per output row, so that the peers' lowering is
// not what their .conv figures measure.
template <typename T>
static void im2col(const Layer &l, const T *x, T *cols) {
  const int H = l.h, W = l.w;
  for (int c = 0; c < l.c; c++)
    for (int kh = 0; kh < 3; kh++)
      for (int kw = 0; kw < 3; kw++) {
        T *row = cols + (int64_t(c) * 9 + kh * 3 + kw) * H * W;
        // Output columns [lo, hi) read input column ow + kw - 1 in range.
        const int lo = kw == 0 ? 1 : 0, hi = kw == 2 ? W - 1 : W;
        for (int oh = 0; oh < H; oh++) {
          T *dst = row + int64_t(oh) * W;
          const int ih = oh + kh - 1;
          if (ih < 0 || ih >= H) {
            std::fill(dst, dst + W, T(0));
            continue;
          }
          const T *src = x + (int64_t(c) * H + ih) * W + (kw - 1);
          std::fill(dst, dst + lo, T(0));
          std::copy(src + lo, src + hi, dst + lo);
          std::fill(dst + hi, dst + W, T(0));
        }
      }
}

void im2col3x3(const Layer &l, const uint8_t *x, uint8_t *cols) { im2col(l, x, cols); }
void im2col3x3(const Layer &l, const float *x, float *cols) { im2col(l, x, cols); }

std::vector<uint8_t> to_nhwc(const Layer &l, const std::vector<uint8_t> &x) {
  const size_t hw = size_t(l.h) * size_t(l.w), C = size_t(l.c);
  std::vector<uint8_t> y(x.size());
  for (size_t ch = 0; ch < C; ch++)
    for (size_t p = 0; p < hw; p++) y[p * C + ch] = x[ch * hw + p];
  return y;
}

std::vector<int8_t> to_ohwi(const Layer &l, const std::vector<int8_t> &w) {
  const size_t C = size_t(l.c);
  std::vector<int8_t> y(w.size());
  for (size_t m = 0; m < size_t(l.m()); m++)
    for (size_t ch = 0; ch < C; ch++)
      for (size_t t = 0; t < 9; t++) y[m * 9 * C + t * C + ch] = w[m * 9 * C + ch * 9 + t];
  return y;
}

const std::vector<int64_t> &LayerData::exact(const Layer &l) {
  if (!z.empty()) return z;
  const int64_t M = l.m(), N = l.n(), K = l.k();
  z.assign(size_t(M * N), 0);
  for (int64_t m = 0; m < M; m++) {
    int64_t *zr = z.data() + m * N;
    for (int64_t k = 0; k < K; k++) {
      const int64_t wv = w[size_t(m * K + k)];
      if (wv == 0) continue;
      const uint8_t *xr = cols.data() + k * N;
      for (int64_t n = 0; n < N; n++) zr[n] += wv * xr[n];
    }
  }
  return z;
}

int64_t wrap_bits(int64_t z, int b) {
  const int64_t h = int64_t(1) << (b - 1), mod = 2 * h;
  return (((z + h) % mod) + mod) % mod - h;
}

}  // namespace wgb
