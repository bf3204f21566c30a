/* SWAR (bit-packed general-register) kernels and API: the exact and buffer
 * modes against the reference oracle, the carry mode against a literal
 * simulation of the same packing and register additions, and its carry
 * counts against Algorithm 1 of the paper's appendix A written out. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "kernels.h"
#include "util.h"

/* The table's SWAR kernels: exact lanes (b <= 8, 8-bit codes) and buffer
 * bit (b <= 7, 7-bit codes), ternary (taking binary weights too) and
 * binary. */
static int swar_kernels(wgt_kernel *out) { return wgt_kernels(0, "swar", out, WGT_MAX_KERNELS); }
static int binary_only(const wgt_kernel *kn) { return kn->wf == WG_WEIGHTS_BINARY; }

/* ---- the table kernels, forced by name, against the oracle ------------- */

static int table_case(const char *kernel, int64_t m, int64_t n, int64_t k,
                      wg_weight_format wf, int abits, int zx, int data, int b,
                      wg_output_kind out, wg_cyclic cyc, uint64_t seed) {
  wgt_case c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.n = n;
  c.k = k;
  c.ldx_pad = (int64_t)(seed % 3);
  c.ldy_pad = (int64_t)(seed % 2);
  c.wf = wf;
  c.wbits = 2;
  c.abits = abits;
  c.zx = zx;
  c.data = data;
  wgt_epilogue(&c, out, cyc, 2, b);
  return wgt_gemm_case(kernel, 1, &c, seed);
}

/* K below, at, above and far above the lane count (4 or 8), long K whose
 * lanes wrap many times (and, at 32 bits, pass the exact mode's chunk of
 * 256 groups inside one depth block), extreme codes, every b. */
static void sweep_table(const wgt_kernel *kn) {
  static const int64_t ks[] = {1, 3, 4, 5, 7, 8, 9, 15, 17, 31, 64, 257, 1031, 2053, 4100};
  uint64_t seed = wgt_seed();
  int nk = (int)(sizeof ks / sizeof ks[0]) - (wgt_quick() ? 3 : 0);
  int max_b = kn->maxb, abits = kn->maxb; /* 8-bit codes need 8-bit lanes */
  for (int ki = 0; ki < nk; ki++)
    for (int data = WGT_RANDOM; data <= WGT_EXTREME_MIXED; data++)
      for (int wf = binary_only(kn) ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY;
           wf <= WG_WEIGHTS_BINARY; wf++) {
        int b = 2 + (int)((seed + (uint64_t)ki + (uint64_t)data) % (uint64_t)(max_b - 1));
        if (ki % 3 == 0) b = max_b;
        int64_t m = 1 + (ki * 5 + data) % 7, n = 1 + (ki * 3 + wf) % 11;
        int r = table_case(kn->name, m, n, ks[ki], (wg_weight_format)wf, abits,
                           data == WGT_RANDOM ? ki % 5 : 0, data, b,
                           ki % 2 ? WG_OUTPUT_INT8 : WG_OUTPUT_INT32,
                           ki % 4 == 1 ? WG_CYCLIC_SMOOTH : WG_CYCLIC_NONE,
                           seed + (uint64_t)ki * 131 + (uint64_t)data * 7 + (uint64_t)wf);
        CHECK(r != WGT_FAIL, "%s: see above", kn->name);
        CHECK(r == WGT_PASS, "%s: refused K=%lld b=%d abits=%d", kn->name,
              (long long)ks[ki], b, abits);
      }
}

TEST(swar_table_kernels_long_k_extreme_codes) {
  wgt_kernel table[WGT_MAX_KERNELS];
  int n = swar_kernels(table);
  CHECK(n > 0, "no SWAR kernel in the table");
  for (int i = 0; i < n; i++) {
    sweep_table(&table[i]);
    if (wgt_failed()) return;
  }
}

/* Forced onto what they cannot compute, they refuse (never a wrong answer):
 * b beyond the lane, 8-bit activations in 7-bit lanes, weights beyond
 * -1..1, and zero weights for the binary layout. */
TEST(swar_table_kernels_refuse_what_does_not_fit) {
  uint64_t seed = wgt_seed();
  wgt_kernel table[WGT_MAX_KERNELS];
  int n = swar_kernels(table);
  CHECK(n > 0, "no SWAR kernel in the table");
  for (int i = 0; i < n; i++) {
    const wgt_kernel *kn = &table[i];
    wg_weight_format wf = binary_only(kn) ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY;
    CHECK(table_case(kn->name, 3, 5, 20, wf, 7, 0, WGT_RANDOM, kn->maxb + 1,
                     WG_OUTPUT_INT16, WG_CYCLIC_NONE, seed) == WGT_CANNOT,
          "%s accepted b = %d", kn->name, kn->maxb + 1);
    if (kn->maxb == 7)
      CHECK(table_case(kn->name, 3, 5, 20, wf, 8, 0, WGT_RANDOM, 7, WG_OUTPUT_INT8,
                       WG_CYCLIC_NONE, seed) == WGT_CANNOT,
            "%s accepted 8-bit activations", kn->name);
    if (binary_only(kn))
      CHECK(table_case(kn->name, 3, 5, 20, WG_WEIGHTS_TERNARY, 7, 0, WGT_RANDOM, 7,
                       WG_OUTPUT_INT8, WG_CYCLIC_NONE, seed) == WGT_CANNOT,
            "%s accepted ternary weights", kn->name);
    wgt_case c;
    memset(&c, 0, sizeof c);
    c.m = 2;
    c.n = 3;
    c.k = 9;
    c.wf = WG_WEIGHTS_INT;
    c.wbits = 3;
    c.abits = 4;
    c.data = WGT_EXTREME_MIXED; /* codes -4 and 3 */
    wgt_epilogue(&c, WG_OUTPUT_INT8, WG_CYCLIC_NONE, 1, 7);
    CHECK(wgt_gemm_case(kn->name, 1, &c, seed) == WGT_CANNOT, "%s accepted INT weights",
          kn->name);
  }
}

/* ---- the API --------------------------------------------------------- */

/* Every product 255 (w = +1, x = 255): the largest lane sums, so the
 * exact mode's 16-bit fields come closest to overflowing, and u is a
 * multiple of 255, Algorithm 1's boundary case. */
enum { SWAR_ALL_MAX = WGT_EXTREME_MIXED + 1 };

typedef struct swar_data {
  int64_t m, n, k, ldw, ldx;
  int8_t *w;
  uint8_t *x;
  int32_t *rowsum;
} swar_data;

static void data_make(swar_data *d, wgt_rng *r, int64_t m, int64_t n, int64_t k,
                      wg_weight_format wf, int abits, int kind) {
  d->m = m;
  d->n = n;
  d->k = k;
  d->ldw = k + (int64_t)(wgt_next(r) % 3);
  d->ldx = n + (int64_t)(wgt_next(r) % 3);
  d->w = malloc((size_t)(m * d->ldw));
  d->x = malloc((size_t)(k * d->ldx));
  d->rowsum = malloc((size_t)m * sizeof *d->rowsum);
  wgt_fill_weights(r, d->w, (size_t)(m * d->ldw), wf, 2, kind);
  wgt_fill_acts(r, d->x, (size_t)(k * d->ldx), abits, kind);
  if (kind == SWAR_ALL_MAX) {
    memset(d->w, 1, (size_t)(m * d->ldw));
    memset(d->x, (1 << abits) - 1, (size_t)(k * d->ldx));
  }
  for (int64_t i = 0; i < m; i++) {
    int32_t s = 0;
    for (int64_t j = 0; j < k; j++) s += d->w[i * d->ldw + j];
    d->rowsum[i] = s;
  }
}

static void data_free(swar_data *d) {
  free(d->w);
  free(d->x);
  free(d->rowsum);
}

/* The carry mode of output (m, n), literally: the products packed lane by
 * lane into registers of `lanes` bytes (two's-complement bytes, zero past
 * K), each register added to the accumulator with a byte-by-byte ripple
 * carry whose carry out of the top byte is dropped; then the lanes summed.
 * Also counts the carries that entered a neighbouring byte. */
static uint32_t sim_carry(const swar_data *d, int64_t m, int64_t n, int lanes,
                          uint32_t *lane_carries) {
  uint8_t acc[8] = {0};
  uint32_t count = 0;
  for (int64_t k0 = 0; k0 < d->k; k0 += lanes) {
    uint8_t reg[8];
    for (int l = 0; l < lanes; l++) {
      int64_t k = k0 + l;
      int v = k < d->k ? d->w[m * d->ldw + k] * d->x[k * d->ldx + n] : 0;
      reg[l] = (uint8_t)((unsigned)v & 0xFFu);
    }
    unsigned carry = 0;
    for (int l = 0; l < lanes; l++) {
      unsigned s = acc[l] + reg[l] + carry;
      acc[l] = (uint8_t)(s & 0xFFu);
      carry = s >> 8;
      if (carry && l + 1 < lanes) count++;
    }
  }
  uint32_t sum = 0;
  for (int l = 0; l < lanes; l++) sum += acc[l];
  *lane_carries = count;
  return sum;
}

/* Algorithm 1 of appendix A as printed, with b = 8, on the products of
 * output (m, n); sign(0) is taken as +1 so that a zero product adds 0. */
static uint32_t algorithm1(const swar_data *d, int64_t m, int64_t n) {
  const int b = 8;
  uint64_t u = 0;
  for (int64_t k = 0; k < d->k; k++) {
    int v = d->w[m * d->ldw + k] * d->x[k * d->ldx + n];
    u += v >= 0 ? (uint64_t)v : (uint64_t)(v + (1 << b));
  }
  uint64_t ci = u, ri = 0, c = 0;
  while (ci != 0) {
    uint64_t next = (ci + ri) >> b;
    ri = (ci + ri) & ((1u << b) - 1u);
    ci = next;
    c += next;
  }
  return (uint32_t)c;
}

static wg_weights *pack(const swar_data *d, wg_weight_format wf) {
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  if (wg_context_create(1, &ctx) != WG_OK) return NULL;
  if (wg_weights_pack(ctx, d->w, d->m, d->k, d->ldw, wf, 2, &pw) != WG_OK) pw = NULL;
  wg_context_destroy(ctx);
  return pw;
}

/* One carry-mode call with counts and a correction, checked output by
 * output against the simulation and Algorithm 1. */
static void carry_case(int reg_bits, int64_t m, int64_t n, int64_t k,
                       wg_weight_format wf, int abits, int zx, int kind,
                       wg_output_kind out, int b, uint64_t seed) {
  wgt_rng r = {seed};
  swar_data d;
  data_make(&d, &r, m, n, k, wf, abits, kind);
  wgt_epi_data ed;
  wgt_epi_data_make(&ed, &r, m);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = b;
  ep.output = out;
  ep.out_bits = 5;
  ep.cyclic = seed & 1 ? WG_CYCLIC_SMOOTH : WG_CYCLIC_NONE;
  ep.slope = 3;
  wgt_epi_attach(&ep, &ed);
  size_t es = wg_output_size(out), cells = (size_t)(m * n);
  unsigned char *y = malloc(cells * es), *want = malloc(es);
  uint32_t *cnt = malloc(cells * 4), *lane = malloc(cells * 4);
  int32_t *corr = malloc(cells * 4);
  for (size_t i = 0; i < cells; i++) corr[i] = (int32_t)(wgt_next(&r) % 7);
  wg_weights *pw = pack(&d, wf);
  wg_swar_options o = wg_swar_options_default();
  o.reg_bits = reg_bits;
  o.mode = WG_SWAR_CARRY;
  o.carries = cnt;
  o.ld_carries = n;
  o.lane_carries = lane;
  o.ld_lane_carries = n;
  o.carry_correction = corr;
  o.ld_correction = n;
  wg_act_format act = {abits, zx};
  wg_status st = pw ? wg_swar_gemm(pw, d.x, n, d.ldx, act, &ep, &o, y, n)
                    : WG_ERR_NO_MEMORY;
  char what[200];
  snprintf(what, sizeof what, "carry reg=%d M=%lld N=%lld K=%lld wf=%d abits=%d zx=%d "
           "data=%d out=%d b=%d seed=%llu", reg_bits, (long long)m, (long long)n,
           (long long)k, (int)wf, abits, zx, kind, (int)out, b, (unsigned long long)seed);
  if (st != WG_OK) wgt_fail(__FILE__, __LINE__, "%s: %s", what, wg_status_name(st));
  for (int64_t i = 0; i < m && st == WG_OK && !wgt_failed(); i++)
    for (int64_t j = 0; j < n; j++) {
      uint32_t sim_lane, s = sim_carry(&d, i, j, reg_bits / 8, &sim_lane);
      uint32_t a1 = algorithm1(&d, i, j);
      int64_t z = (int64_t)s - corr[i * n + j] - (int64_t)zx * d.rowsum[i];
      wg_ref_output(&ep, i, z, want);
      if (memcmp(want, y + (size_t)(i * n + j) * es, es) != 0 ||
          cnt[i * n + j] != a1 || lane[i * n + j] != sim_lane) {
        wgt_fail(__FILE__, __LINE__,
                 "%s: (%lld,%lld) lane sum %u: y ok=%d, carries %u want %u, "
                 "lane carries %u want %u", what, (long long)i, (long long)j, s,
                 memcmp(want, y + (size_t)(i * n + j) * es, es) == 0,
                 cnt[i * n + j], a1, lane[i * n + j], sim_lane);
        break;
      }
    }
  wgt_count_check(1);
  wg_weights_destroy(pw);
  wgt_epi_data_free(&ed);
  data_free(&d);
  free(y);
  free(want);
  free(cnt);
  free(lane);
  free(corr);
}

TEST(swar_carry_mode_matches_literal_register_simulation) {
  static const int64_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 33, 100, 511, 2000, 4099};
  uint64_t seed = wgt_seed();
  int nk = (int)(sizeof ks / sizeof ks[0]) - (wgt_quick() ? 2 : 0);
  for (int reg = 32; reg <= 64; reg += 32)
    for (int ki = 0; ki < nk; ki++)
      for (int kind = WGT_RANDOM; kind <= SWAR_ALL_MAX; kind++) {
        int64_t m = 1 + (ki + kind) % 5, n = 1 + (ki * 7 + kind) % 9;
        wg_weight_format wf = ki % 2 ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY;
        int abits = kind == WGT_RANDOM ? 1 + ki % 8 : 8;
        wg_output_kind out = ki % 3 == 0   ? WG_OUTPUT_INT32
                             : ki % 3 == 1 ? WG_OUTPUT_INT8
                                           : WG_OUTPUT_UINT8_FLOAT;
        carry_case(reg, m, n, ks[ki], wf, abits, kind == WGT_RANDOM ? ki % 4 : 0,
                   kind, out, ki % 4 == 3 ? 6 : 8,
                   seed + (uint64_t)(reg * 1000 + ki * 10 + kind));
        if (wgt_failed()) return;
      }
}

/* Exact and buffer modes through the API equal the contract (the oracle),
 * at both widths; the naive baseline too, at b <= 7. */
static void api_case(int reg_bits, wg_swar_mode mode, int naive, int64_t m,
                     int64_t n, int64_t k, int abits, int zx, int kind, int b,
                     wg_output_kind out, uint64_t seed) {
  wgt_rng r = {seed};
  swar_data d;
  wg_weight_format wf = seed & 4 ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY;
  data_make(&d, &r, m, n, k, wf, abits, kind);
  wgt_epi_data ed;
  wgt_epi_data_make(&ed, &r, m);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = b;
  ep.output = out;
  ep.out_bits = 6;
  ep.cyclic = seed % 3 == 0 ? WG_CYCLIC_SMOOTH : seed % 3 == 1 ? WG_CYCLIC_ABS
                                                               : WG_CYCLIC_NONE;
  if (ep.cyclic == WG_CYCLIC_ABS && out == WG_OUTPUT_INT8 && b == 8)
    ep.cyclic = WG_CYCLIC_NONE;
  ep.slope = 2;
  wgt_epi_attach(&ep, &ed);
  size_t es = wg_output_size(out), bytes = (size_t)(m * n) * es;
  unsigned char *y = malloc(bytes), *want = malloc(bytes);
  wg_act_format act = {abits, zx};
  wg_status st;
  wg_weights *pw = NULL;
  if (naive) {
    st = wg_swar_naive_gemm(d.w, m, k, d.ldw, d.x, n, d.ldx, act, &ep, y, n);
  } else {
    pw = pack(&d, wf);
    wg_swar_options o = wg_swar_options_default();
    o.reg_bits = reg_bits;
    o.mode = mode;
    st = pw ? wg_swar_gemm(pw, d.x, n, d.ldx, act, &ep, &o, y, n) : WG_ERR_NO_MEMORY;
  }
  wg_ref_gemm(d.w, d.ldw, m, k, d.x, d.ldx, n, zx, &ep, want, n, 1);
  char what[200];
  snprintf(what, sizeof what, "%s reg=%d mode=%d wf=%d M=%lld N=%lld K=%lld abits=%d "
           "zx=%d data=%d b=%d out=%d seed=%llu", naive ? "naive" : "swar", reg_bits,
           (int)mode, (int)wf, (long long)m, (long long)n, (long long)k, abits, zx, kind, b,
           (int)out, (unsigned long long)seed);
  if (st != WG_OK)
    wgt_fail(__FILE__, __LINE__, "%s: %s", what, wg_status_name(st));
  else
    for (size_t i = 0; i < bytes; i++)
      if (y[i] != want[i]) {
        wgt_fail(__FILE__, __LINE__, "%s: byte %zu (output %zu) 0x%02x want 0x%02x",
                 what, i, i / es, y[i], want[i]);
        break;
      }
  wgt_count_check(1);
  wg_weights_destroy(pw);
  wgt_epi_data_free(&ed);
  data_free(&d);
  free(y);
  free(want);
}

TEST(swar_api_exact_buffer_and_naive_match_reference) {
  static const int64_t ks[] = {1, 3, 4, 6, 8, 11, 24, 130, 2049, 4500};
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8, WG_OUTPUT_INT32,
                                        WG_OUTPUT_UINT8_FLOAT, WG_OUTPUT_FLOAT32,
                                        WG_OUTPUT_UINT8_FIXED};
  uint64_t seed = wgt_seed();
  int nk = (int)(sizeof ks / sizeof ks[0]) - (wgt_quick() ? 2 : 0);
  for (int ki = 0; ki < nk; ki++)
    for (int kind = WGT_RANDOM; kind <= SWAR_ALL_MAX; kind++) {
      uint64_t s = seed + (uint64_t)(ki * 10 + kind);
      int64_t m = 1 + (ki * 3 + kind) % 6, n = 1 + (ki + kind * 5) % 10;
      wg_output_kind out = outs[(ki + kind) % 5];
      int zx = kind == WGT_RANDOM ? ki % 3 : 0;
      /* The zero point is a code of the narrowest width used below. */
      int minbits = 1 + (ki % 8 < ki % 7 ? ki % 8 : ki % 7);
      if (zx > (1 << minbits) - 1) zx = (1 << minbits) - 1;
      for (int reg = 32; reg <= 64; reg += 32) {
        api_case(reg, WG_SWAR_EXACT, 0, m, n, ks[ki], kind ? 8 : 1 + ki % 8, zx, kind,
                 2 + ki % 7, out, s);
        api_case(reg, WG_SWAR_BUFFER, 0, m, n, ks[ki], kind ? 7 : 1 + ki % 7, zx, kind,
                 2 + ki % 6, out, s + 1);
        if (wgt_failed()) return;
      }
      api_case(0, WG_SWAR_EXACT, 1, m, n, ks[ki], kind ? 8 : 1 + ki % 8, zx, kind,
               2 + ki % 6, out, s + 2);
      if (wgt_failed()) return;
    }
}

/* The correction the paper relies on, taken to its limit: subtracting each
 * output's own lane-carry count turns the carry mode into the exact one. */
TEST(swar_carry_minus_its_lane_carries_is_exact) {
  uint64_t seed = wgt_seed();
  for (int reg = 32; reg <= 64; reg += 32) {
    wgt_rng r = {seed + (uint64_t)reg};
    int64_t m = 5, n = 7, k = 1500;
    swar_data d;
    data_make(&d, &r, m, n, k, WG_WEIGHTS_TERNARY, 8, WGT_RANDOM);
    wg_weights *pw = pack(&d, WG_WEIGHTS_TERNARY);
    CHECK(pw, "pack");
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = 8;
    ep.output = WG_OUTPUT_INT8;
    int8_t y[35], want[35];
    uint32_t lane[35];
    int32_t corr[35];
    wg_act_format act = {8, 0};
    wg_swar_options o = wg_swar_options_default();
    o.reg_bits = reg;
    o.mode = WG_SWAR_CARRY;
    o.lane_carries = lane;
    o.ld_lane_carries = n;
    wg_status st = wg_swar_gemm(pw, d.x, n, d.ldx, act, &ep, &o, y, n);
    CHECK(st == WG_OK, "carry: %s", wg_status_name(st));
    int differs = 0;
    wg_ref_gemm(d.w, d.ldw, m, k, d.x, d.ldx, n, 0, &ep, want, n, 1);
    for (int i = 0; i < 35; i++) {
      corr[i] = (int32_t)lane[i];
      differs |= y[i] != want[i];
    }
    CHECK(differs, "reg=%d seed=%llu: carries never contaminated anything", reg,
          (unsigned long long)seed);
    o.lane_carries = NULL;
    o.carry_correction = corr;
    o.ld_correction = n;
    st = wg_swar_gemm(pw, d.x, n, d.ldx, act, &ep, &o, y, n);
    CHECK(st == WG_OK, "corrected: %s", wg_status_name(st));
    for (int i = 0; i < 35; i++)
      CHECK(y[i] == want[i], "reg=%d seed=%llu output %d: %d want %d", reg,
            (unsigned long long)seed, i, y[i], want[i]);
    wgt_count_check(1);
    wg_weights_destroy(pw);
    data_free(&d);
  }
}
