// DnnlConv (onednn_conv.h).
#include "onednn_conv.h"

#if WGB_HAVE_ONEDNN
#include <algorithm>
#include <numeric>
#include <vector>

namespace wgb {
namespace {

using dnnl::memory;
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

}  // namespace

DnnlConv::DnnlConv(const dnnl::engine &eng, const dims &src, tag src_tag, const void *x,
                   const dims &wei, tag wei_tag, const void *w, const dims &dst,
                   const dims &strides, const dims &pad)
    : eng_(eng), strm_(eng), dst_dims_(dst) {
  const memory::desc src_any(src, dt::u8, tag::any), wei_any(wei, dt::s8, tag::any),
      dst_any(dst, dt::s32, tag::any);
  const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                             dnnl::algorithm::convolution_direct, src_any,
                                             wei_any, dst_any, strides, pad, pad);
  const dnnl::convolution_forward::primitive_desc pd(desc, eng_);
  prim_ = dnnl::convolution_forward(pd);
  impl = pd.impl_info_str();
  layouts = "src " + layout(pd.src_desc()) + ", weights " + layout(pd.weights_desc()) +
            ", dst " + layout(pd.dst_desc());
  src_ = memory(pd.src_desc(), eng_);
  wei_ = memory(pd.weights_desc(), eng_);
  dst_ = memory(pd.dst_desc(), eng_);
  // The caller's buffers, reordered once (oneDNN only reads them here).
  memory src_user({src, dt::u8, src_tag}, eng_, const_cast<void *>(x));
  memory wei_user({wei, dt::s8, wei_tag}, eng_, const_cast<void *>(w));
  dnnl::reorder(src_user, src_).execute(strm_, src_user, src_);
  dnnl::reorder(wei_user, wei_).execute(strm_, wei_user, wei_);
  strm_.wait();
}

bool DnnlConv::run(std::string *why) {
  try {
    prim_.execute(strm_, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, wei_}, {DNNL_ARG_DST, dst_}});
    strm_.wait();
  } catch (const dnnl::error &e) {
    *why = std::string("oneDNN: ") + e.what();
    return false;
  }
  return true;
}

bool DnnlConv::read(tag dst_tag, int32_t *y, std::string *why) {
  try {
    memory y_user({dst_dims_, dt::s32, dst_tag}, eng_, y);
    dnnl::reorder(dst_, y_user).execute(strm_, dst_, y_user);
    strm_.wait();
  } catch (const dnnl::error &e) {
    *why = std::string("oneDNN reorder: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace wgb
#endif
