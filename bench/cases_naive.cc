// Table 8's naive loop: lowering plus the scalar 8-bit-accumulator loop, on
// the same ternary weights and 8-bit activations as the bit-packed kernels.
// Checked against the exact sums wrapped to 8 bits before timing.
#include <memory>

#include "case.h"
#include "naive_loop.h"

namespace wgb {
namespace {

struct NaiveCase {
  Layer l;
  LayerData d;
  std::vector<uint8_t> xt;
  std::vector<int8_t> y;

  void call() {
    wgb_naive_lower(d.x.data(), l.c, l.h, l.w, xt.data());
    wgb_naive_gemm_acc8(d.w.data(), xt.data(), l.m(), l.n(), l.k(), y.data());
  }

  bool check(std::string *why) {
    call();
    std::vector<int64_t> z;
    exact_gemm(l, d.w.data(), d.cols.data(), &z);
    for (size_t i = 0; i < z.size(); i++)
      if (y[i] != int8_t(uint8_t(uint64_t(z[i])))) {
        *why = "output " + std::to_string(i) + ": got " + std::to_string(y[i]) +
               ", exact sum wrapped to 8 bits is " +
               std::to_string(int8_t(uint8_t(uint64_t(z[i]))));
        return false;
      }
    return true;
  }
};

}  // namespace

int add_naive_cases(std::vector<Case> &out, Notes &) {
  int added = 0;
  for (size_t li = 0; li < layers().size(); li++) {
    const Layer &l = layers()[li];
    auto c = std::make_shared<NaiveCase>();
    c->l = l;
    fill_layer(l, 8, -1, 1, false, 0x7a1e + li, &c->d);
    c->xt.resize(c->d.cols.size());
    c->y.resize(size_t(l.m() * l.n()));
    out.push_back(Case{"table8/" + l.name() + "/naive_loop_acc8__c.conv_raw", Lib::naive,
                       l.macs(), [c](std::string *why) { return c->check(why); },
                       [c](std::string *) {
                         c->call();
                         return true;
                       }});
    added++;
  }
  return added;
}

}  // namespace wgb
