// oneDNN's own convolution primitive, what an engine calls for an int8 layer:
// convolution_forward, forward_inference, direct algorithm, uint8 source x
// int8 weights -> int32 destination, every memory format `any` so that the
// library picks its fastest layout and implementation for this CPU.  The
// primitive, the reorders of input and weights into the chosen layouts and
// the output buffer are made once, outside the timed loop; one timed call is
// execute() and the stream's wait, nothing else.  The implementation oneDNN
// reports (impl_info_str, e.g. brgconv:avx512_core_vnni, jit_uni_int8:avx2)
// and the layouts it chose go into the report beside the figure.
//
// Data as the GEMM peer (peer_onednn.cc): 7-bit activations, where no pair
// of products can saturate vpmaddubsw on a CPU without VNNI, and full-range
// int8 weights; the output is checked exactly against the oracle.
#include "case.h"

#if WGB_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>

namespace wgb {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

// A blocked layout in oneDNN's own notation (what DNNL_VERBOSE prints):
// dimensions a, b, c, d from outermost by stride, upper case where blocked,
// then the inner blocks, e.g. "acdb" (NHWC) or "ABcd4b16a4b".
std::string layout(const memory::desc &md) {
  const dnnl_memory_desc_t &m = md.data;
  if (m.format_kind != dnnl_blocked) return "not blocked";
  const dnnl_blocking_desc_t &b = m.format_desc.blocking;
  std::vector<int> order(size_t(m.ndims));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return b.strides[x] > b.strides[y]; });
  std::vector<bool> blocked(size_t(m.ndims), false);
  for (int i = 0; i < b.inner_nblks; i++) blocked[size_t(b.inner_idxs[i])] = true;
  std::string s;
  for (int d : order) s += char((blocked[size_t(d)] ? 'A' : 'a') + d);
  for (int i = 0; i < b.inner_nblks; i++)
    s += std::to_string(b.inner_blks[i]) + char('a' + b.inner_idxs[i]);
  if (m.extra.flags) s += " +extra";
  return s;
}

struct ConvCase {
  Layer l;
  std::shared_ptr<LayerData> d;
  dnnl::engine eng;
  dnnl::stream strm;
  dnnl::convolution_forward prim;
  memory src, wei, dst;  // in the layouts the primitive chose
  std::string impl;

  ConvCase(const Layer &layer, std::shared_ptr<LayerData> data, const dnnl::engine &e)
      : l(layer), d(std::move(data)), eng(e), strm(e) {
    const memory::dim C = l.c, H = l.h, W = l.w;
    const memory::dims src_dims = {1, C, H, W}, wei_dims = {C, C, 3, 3};
    const memory::desc src_any(src_dims, dt::u8, tag::any), wei_any(wei_dims, dt::s8, tag::any),
        dst_any(src_dims, dt::s32, tag::any);
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_any,
        wei_any, dst_any, {1, 1}, {1, 1}, {1, 1});
    const dnnl::convolution_forward::primitive_desc pd(desc, eng);
    prim = dnnl::convolution_forward(pd);
    impl = std::string(pd.impl_info_str()) + " (src " + layout(pd.src_desc()) + ", weights " +
           layout(pd.weights_desc()) + ", dst " + layout(pd.dst_desc()) + ")";
    src = memory(pd.src_desc(), eng);
    wei = memory(pd.weights_desc(), eng);
    dst = memory(pd.dst_desc(), eng);
    // The caller's NCHW input and OIHW weights, reordered once.
    memory src_user({src_dims, dt::u8, tag::nchw}, eng, d->x.data());
    memory wei_user({wei_dims, dt::s8, tag::oihw}, eng, d->w.data());
    dnnl::reorder(src_user, src).execute(strm, src_user, src);
    dnnl::reorder(wei_user, wei).execute(strm, wei_user, wei);
    strm.wait();
  }

  bool run(std::string *why) {
    try {
      prim.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
      strm.wait();
    } catch (const dnnl::error &e) {
      *why = std::string("oneDNN: ") + e.what();
      return false;
    }
    return true;
  }

  bool check(std::string *why) {
    if (!run(why)) return false;
    const int64_t M = l.m(), N = l.n();
    std::vector<int32_t> y(size_t(M * N));
    try {
      memory y_user({{1, l.c, l.h, l.w}, dt::s32, tag::nchw}, eng, y.data());
      dnnl::reorder(dst, y_user).execute(strm, dst, y_user);
      strm.wait();
    } catch (const dnnl::error &e) {
      *why = std::string("oneDNN reorder: ") + e.what();
      return false;
    }
    const std::vector<int64_t> &z = d->exact(l);
    for (size_t i = 0; i < z.size(); i++)
      if (int64_t(y[i]) != z[i]) {
        *why = "output (" + std::to_string(int64_t(i) / N) + "," + std::to_string(int64_t(i) % N) +
               "): got " + std::to_string(y[i]) + ", exact " + std::to_string(z[i]);
        return false;
      }
    return true;
  }
};

}  // namespace

int add_onednn_conv_cases(std::vector<Case> &out, Notes &notes) {
  int added = 0;
  try {
    static const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    for (size_t li = 0; li < layers().size(); li++) {
      const Layer &l = layers()[li];
      std::shared_ptr<ConvCase> c;
      try {
        c = std::make_shared<ConvCase>(l, layer_data(li, 7, -128, 127, false), eng);
      } catch (const dnnl::error &e) {
        notes.push_back("left out: onednn_conv_u8s8s32 on " + l.name() + " (" + e.what() + ")");
        continue;
      }
      out.push_back(Case{"table7/" + l.name() + "/onednn_conv_u8s8s32.conv", Lib::onednn,
                         l.macs(), [c](std::string *why) { return c->check(why); },
                         [c](std::string *why) { return c->run(why); },
                         [c] { return c->impl; }});
      added++;
    }
  } catch (const dnnl::error &e) {
    notes.push_back(std::string("left out: oneDNN's convolution (no CPU engine: ") + e.what() +
                    ")");
  }
  return added;
}

}  // namespace wgb
#else
namespace wgb {
int add_onednn_conv_cases(std::vector<Case> &, Notes &) { return 0; }  // noted by peer_onednn.cc
}  // namespace wgb
#endif
