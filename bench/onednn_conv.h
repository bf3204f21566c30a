// One oneDNN convolution primitive as the benchmark runs it (Table 7's
// convolution, peer_onednn_conv.cc, and the depthwise table's,
// peer_onednn_depthwise.cc): forward_inference, direct algorithm, uint8
// source x int8 weights -> int32 destination, every memory format `any` so
// that oneDNN picks its fastest layout and implementation for this CPU.
// The primitive, the reorders of the caller's input and weights into the
// chosen layouts and the output buffer are made once, in the constructor;
// run() is execute() and the stream's wait, nothing else.
#ifndef WGBENCH_ONEDNN_CONV_H
#define WGBENCH_ONEDNN_CONV_H

#if WGB_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>

namespace wgb {

struct DnnlConv {
  using dims = dnnl::memory::dims;
  using tag = dnnl::memory::format_tag;
  // src (N, C, H, W) read from x in src_tag; weights (O, I, KH, KW) or
  // (G, O/G, I/G, KH, KW) from w in wei_tag; dst (N, O, OH, OW); symmetric
  // padding.  Throws dnnl::error where oneDNN has no implementation.
  DnnlConv(const dnnl::engine &eng, const dims &src, tag src_tag, const void *x, const dims &wei,
           tag wei_tag, const void *w, const dims &dst, const dims &strides, const dims &pad);
  // One timed call; false with *why on failure.
  bool run(std::string *why);
  // The destination reordered into dst_tag at y (N*O*OH*OW int32).
  bool read(tag dst_tag, int32_t *y, std::string *why);

  std::string impl;     // impl_info_str, e.g. jit_uni_int8:avx2
  std::string layouts;  // "src acdb, weights ..., dst ..." in oneDNN's notation

 private:
  dnnl::engine eng_;
  dnnl::stream strm_;
  dnnl::convolution_forward prim_;
  dnnl::memory src_, wei_, dst_;
  dims dst_dims_;
};

}  // namespace wgb

#endif
#endif
