// The layers of Tables 7 and 8, their test data, and the exact oracle.
#include "case.h"

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
    case Lib::ceiling: return "ceiling";
    case Lib::naive: return "naive";
  }
  return "?";
}

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void fill_layer(const Layer &l, int abits, int wlo, int whi, bool no_zero,
                uint64_t seed, LayerData *d) {
  uint64_t s = seed;
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
}

void im2col3x3(const Layer &l, const uint8_t *x, uint8_t *cols) {
  const int H = l.h, W = l.w;
  for (int c = 0; c < l.c; c++)
    for (int kh = 0; kh < 3; kh++)
      for (int kw = 0; kw < 3; kw++) {
        uint8_t *row = cols + (int64_t(c) * 9 + kh * 3 + kw) * H * W;
        for (int oh = 0; oh < H; oh++) {
          const int ih = oh + kh - 1;
          for (int ow = 0; ow < W; ow++) {
            const int iw = ow + kw - 1;
            const bool in = ih >= 0 && ih < H && iw >= 0 && iw < W;
            row[oh * W + ow] = in ? x[(int64_t(c) * H + ih) * W + iw] : 0;
          }
        }
      }
}

void exact_gemm(const Layer &l, const int8_t *w, const uint8_t *cols,
                std::vector<int64_t> *z) {
  const int64_t M = l.m(), N = l.n(), K = l.k();
  z->assign(size_t(M * N), 0);
  for (int64_t m = 0; m < M; m++) {
    int64_t *zr = z->data() + m * N;
    for (int64_t k = 0; k < K; k++) {
      const int64_t wv = w[m * K + k];
      if (wv == 0) continue;
      const uint8_t *xr = cols + k * N;
      for (int64_t n = 0; n < N; n++) zr[n] += wv * xr[n];
    }
  }
}

}  // namespace wgb
