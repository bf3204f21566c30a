/* Weight validation and packing, once per wg_weights, for every kernel that
 * might run them. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int code_range(wg_weight_format f, int bits, int *lo, int *hi) {
  switch (f) {
    case WG_WEIGHTS_INT:
      if (bits < 2 || bits > 8) return 0;
      *lo = -(1 << (bits - 1));
      *hi = (1 << (bits - 1)) - 1;
      return 1;
    case WG_WEIGHTS_TERNARY: *lo = -1; *hi = 1; return 1;
    case WG_WEIGHTS_BINARY: *lo = -1; *hi = 1; return 1;
  }
  return 0;
}

static const wg_apack *find_pack(const wg_weights *w,
                                 void (*pack)(const int8_t *, int64_t, int, int64_t, void *)) {
  for (int i = 0; i < w->npacks; i++)
    if (w->packs[i].pack_a == pack) return &w->packs[i];
  return NULL;
}

const wg_apack *wg_weights_find(const wg_weights *w, const wg_kernel *k) {
  return find_pack(w, k->pack_a);
}

const wg_apack *wg_weights_find_direct(const wg_weights *w, const wg_kernel *k) {
  return k->direct ? find_pack(w, k->direct->pack_w) : NULL;
}

void wg_weights_destroy(wg_weights *w) {
  if (!w) return;
  for (int i = 0; i < w->npacks; i++) free(w->packs[i].data);
  for (int i = 0; i < w->ntap; i++) free(w->tap[i].pack.data);
  free(w->rowsum);
  free(w->dw);
  free(w);
}

static const wg_apack *find_tap(const wg_weights *w, const wg_direct *d, int64_t c,
                                int64_t taps) {
  int n = atomic_load_explicit(&w->ntap, memory_order_acquire);
  for (int i = 0; i < n; i++)
    if (w->tap[i].pack.pack_a == d->pack_w && w->tap[i].c == c && w->tap[i].taps == taps)
      return &w->tap[i].pack;
  return NULL;
}

/* The OIHW codes come back out of the kernel's direct panels (NR rows of
 * depth quads: code (m, k) of panel p at ((k/4)*NR + m%NR)*4 + k%4), since
 * the source array is not kept; k = ci*taps + t moves to t*c + ci. */
const wg_apack *wg_weights_tap_major(const wg_weights *cw, const wg_kernel *k, int64_t c,
                                     int64_t taps) {
  wg_weights *w = (wg_weights *)cw; /* only the on-demand cache changes */
  const wg_direct *d = k->direct;
  const wg_apack *src = wg_weights_find_direct(cw, k);
  if (!src || d->ku != 4 || c * taps != w->k || w->groups != 1) return NULL;
  /* One call extends the cache at a time, the others wait for it.  Not a
   * mutex: tap_owner is wg_forks() + 1 of the extending process, so that
   * in a fork child a value from an ancestor, a call that does not exist
   * here, is taken over instead of waited for (an entry it was writing
   * was not published). */
  uint32_t mine = wg_forks() + 1;
  for (;;) {
    const wg_apack *done = find_tap(w, d, c, taps);
    if (done) return done;
    uint32_t owner = atomic_load_explicit(&w->tap_owner, memory_order_relaxed);
    if (owner == mine)
      sched_yield(); /* another call of this process is making one */
    else if (atomic_compare_exchange_strong_explicit(&w->tap_owner, &owner, mine,
                                                     memory_order_acquire, memory_order_relaxed))
      break;
  }
  const wg_apack *found = find_tap(w, d, c, taps); /* added meanwhile */
  int n = atomic_load_explicit(&w->ntap, memory_order_relaxed);
  if (!found && n < (int)(sizeof w->tap / sizeof w->tap[0])) {
    size_t panels = (size_t)((w->m + d->nr - 1) / d->nr);
    void *data = aligned_alloc(64, panels * src->panel_bytes + 64);
    if (data) {
      const int8_t *from = src->data;
      int8_t *to = data;
      for (size_t p = 0; p < panels; p++)
        for (int64_t kk = 0; kk < w->k; kk++) {
          int64_t ci = kk / taps, t = kk % taps, k2 = t * c + ci;
          for (int j = 0; j < d->nr; j++)
            to[p * src->panel_bytes + (size_t)(((k2 / 4) * d->nr + j) * 4 + k2 % 4)] =
                from[p * src->panel_bytes + (size_t)(((kk / 4) * d->nr + j) * 4 + kk % 4)];
        }
      memset(to + panels * src->panel_bytes, 0, 64);
      wg_tap_pack *tp = &w->tap[n];
      tp->c = c;
      tp->taps = taps;
      tp->pack.pack_a = d->pack_w;
      tp->pack.panel_bytes = src->panel_bytes;
      tp->pack.data = data;
      tp->pack.bytes = panels * src->panel_bytes + 64;
      atomic_store_explicit(&w->ntap, n + 1, memory_order_release);
      found = &tp->pack;
    }
  }
  atomic_store_explicit(&w->tap_owner, 0, memory_order_release);
  return found;
}

int64_t wg_weights_rows(const wg_weights *w) { return w ? w->m : 0; }
int64_t wg_weights_depth(const wg_weights *w) { return w ? w->k : 0; }
int64_t wg_weights_groups(const wg_weights *w) { return w ? w->groups : 0; }

void wg_weights_group_view(const wg_weights *w, int64_t g, wg_weights *view) {
  int64_t mg = w->m / w->groups;
  memcpy(view, w, sizeof *view);
  view->m = mg;
  view->groups = 1;
  view->rowsum = w->rowsum + g * mg;
  view->dw = NULL;
  for (int i = 0; i < w->npacks; i++)
    view->packs[i].data = (char *)w->packs[i].data + (size_t)g * w->packs[i].group_bytes;
  /* nothing made on demand: the view is not the cache's owner */
  atomic_store_explicit(&view->ntap, 0, memory_order_relaxed);
  atomic_store_explicit(&view->tap_owner, 0, memory_order_relaxed);
}

/* Room for panels of `mr` rows, `ku` depths per group of `group_bytes`;
 * each of the weights' G groups of rows starts a panel of its own.  The
 * caller fills them (panel p of group g at data + (g*ppg + p)*panel_bytes,
 * ppg = ceil((m/G) / mr)). */
wg_status wg_weights_new_pack(wg_weights *w,
                              void (*pack)(const int8_t *, int64_t, int, int64_t, void *),
                              int mr, int ku, size_t group_bytes, wg_apack **out) {
  if (w->npacks == (int)(sizeof w->packs / sizeof w->packs[0]))
    return WG_ERR_UNSUPPORTED;
  int64_t groups = (w->k + ku - 1) / ku, mg = w->m / w->groups;
  int64_t ppg = (mg + mr - 1) / mr, panels;
  int64_t panel, total;
  if (!wg_mul_ok(ppg, w->groups, &panels) || !wg_mul_ok(groups, (int64_t)group_bytes, &panel) ||
      !wg_mul_ok(panel, panels, &total))
    return WG_ERR_SIZE_OVERFLOW;
  /* 64-byte alignment, and 64 bytes of slack past the last panel: a kernel
   * may load whole vectors at a group's start (kernel.h). */
  if (!wg_add_ok(total, 64 + 63, &total)) return WG_ERR_SIZE_OVERFLOW;
  size_t bytes = (size_t)total & ~(size_t)63;
  void *data = aligned_alloc(64, bytes ? bytes : 64);
  if (!data) return WG_ERR_NO_MEMORY;
  wg_apack *ap = &w->packs[w->npacks++];
  ap->group_bytes = (size_t)(ppg * panel);
  ap->pack_a = pack;
  ap->panel_bytes = (size_t)panel;
  ap->data = data;
  ap->bytes = bytes ? bytes : 64;
  *out = ap;
  return WG_OK;
}

/* The panels of wg_weights_new_pack, packed from src. */
static wg_status add_pack(wg_weights *w,
                          void (*pack)(const int8_t *, int64_t, int, int64_t, void *),
                          int mr, int ku, size_t group_bytes, const int8_t *src,
                          int64_t ldw) {
  if (find_pack(w, pack)) return WG_OK;
  wg_apack *ap;
  wg_status st = wg_weights_new_pack(w, pack, mr, ku, group_bytes, &ap);
  if (st != WG_OK) return st;
  int64_t mg = w->m / w->groups, ppg = (mg + mr - 1) / mr;
  for (int64_t g = 0; g < w->groups; g++)
    for (int64_t p = 0; p < ppg; p++) {
      int64_t rows = mg - p * mr;
      if (rows > mr) rows = mr;
      pack(src + (g * mg + p * mr) * ldw, ldw, (int)rows, w->k,
           (char *)ap->data + (size_t)(g * ppg + p) * ap->panel_bytes);
    }
  return WG_OK;
}

/* Grouped weights with at most this many taps keep a tap-major copy of
 * their codes for the depthwise path (a depthwise filter has KH*KW). */
#define WG_DW_MAX_TAPS 64

/* The codes tap-major (depthwise.c reads a tap's channels contiguously). */
static wg_status add_tap_major_copy(wg_weights *w, const int8_t *src, int64_t ldw) {
  if (w->groups == 1 || w->k > WG_DW_MAX_TAPS) return WG_OK;
  w->dw = malloc((size_t)(w->m * w->k));
  if (!w->dw) return WG_ERR_NO_MEMORY;
  for (int64_t i = 0; i < w->m; i++)
    for (int64_t t = 0; t < w->k; t++) w->dw[t * w->m + i] = src[i * ldw + t];
  return WG_OK;
}

wg_status wg_weights_pack(const wg_context *ctx, const int8_t *src, int64_t m,
                          int64_t k, int64_t ldw, wg_weight_format format,
                          int bits, wg_weights **out) {
  return wg_weights_pack_grouped(ctx, src, 1, m, k, ldw, format, bits, out);
}

wg_status wg_weights_pack_grouped(const wg_context *ctx, const int8_t *src, int64_t ngroups,
                                  int64_t m, int64_t k, int64_t ldw, wg_weight_format format,
                                  int bits, wg_weights **out) {
  return wg_weights_pack_for(ctx, src, ngroups, m, k, ldw, format, bits, 0, 0, out);
}

wg_status wg_weights_pack_for(const wg_context *ctx, const int8_t *src, int64_t ngroups,
                              int64_t m, int64_t k, int64_t ldw, wg_weight_format format,
                              int bits, int call_abits, int call_b, wg_weights **out) {
  if (!ctx || !src || !out) return WG_ERR_NULL_POINTER;
  if (m < 1 || k < 1 || ngroups < 1 || m % ngroups != 0) return WG_ERR_BAD_SIZE;
  if (ldw < k) return WG_ERR_BAD_STRIDE;
  int64_t span;
  if (!wg_mul_ok(m - 1, ldw, &span) || !wg_add_ok(span, k, &span) ||
      !wg_mul_ok(m, 4, &span))
    return WG_ERR_SIZE_OVERFLOW;
  int lo, hi;
  if (!code_range(format, bits, &lo, &hi)) return WG_ERR_BAD_OPTION;
  /* Row by row, without a branch per code (the loop vectorizes: it had
   * cost 5 ns a code, more than packing; wg_gemmlowp_gemm packs per call). */
  int wmin = 127, wmax = -128;
  for (int64_t i = 0; i < m; i++) {
    const int8_t *row = src + i * ldw;
    int rmin = 127, rmax = -128, zero = 0;
    for (int64_t j = 0; j < k; j++) {
      int v = row[j];
      rmin = v < rmin ? v : rmin;
      rmax = v > rmax ? v : rmax;
      zero |= v == 0;
    }
    if (rmin < lo || rmax > hi || (format == WG_WEIGHTS_BINARY && zero)) return WG_ERR_BAD_CODE;
    wmin = rmin < wmin ? rmin : wmin;
    wmax = rmax > wmax ? rmax : wmax;
  }
  wg_weights *w = calloc(1, sizeof *w);
  if (!w) return WG_ERR_NO_MEMORY;
  w->m = m;
  w->k = k;
  w->groups = ngroups;
  w->format = format;
  w->bits = format == WG_WEIGHTS_INT ? bits : format == WG_WEIGHTS_TERNARY ? 2 : 1;
  w->wmin = wmin;
  w->wmax = wmax;
  w->rowsum = malloc((size_t)m * sizeof *w->rowsum);
  if (!w->rowsum) {
    wg_weights_destroy(w);
    return WG_ERR_NO_MEMORY;
  }
  for (int64_t i = 0; i < m; i++) {
    uint32_t s = 0; /* modulo 2^32 is all the epilogue needs */
    for (int64_t j = 0; j < k; j++) s += (uint32_t)(int32_t)src[i * ldw + j];
    memcpy(&w->rowsum[i], &s, sizeof s);
  }
  /* Pack for every kernel that may serve these weights (dispatch.c): the
   * choice of any call on them, forced or not, is one of these; or, for
   * weights of one call, only for the kernel ctx chooses for it. */
  wg_status st = add_tap_major_copy(w, src, ldw);
  const wg_kernel *only = NULL;
  if (st == WG_OK && call_abits) {
    /* the problem a GEMM call makes of them (plan.c), so the same choice */
    wg_epilogue e = wg_epilogue_default();
    e.acc_bits = call_b;
    wg_problem p = wg_make_problem(w, (wg_act_format){call_abits, 0}, &e);
    if (!(only = wg_choose_kernel(ctx, w, &p))) st = WG_ERR_UNSUPPORTED;
  }
  for (int i = 0; i < wg_kernel_table_size && st == WG_OK; i++) {
    const wg_kernel *kk = wg_kernels[i];
    if (wg_kernel_serves_weights(kk, w) && (!only || kk == only)) {
      st = add_pack(w, kk->pack_a, kk->mr, kk->ku, kk->a_group_bytes, src, ldw);
      /* The direct-convolution panels only where a direct convolution
       * could run: ungrouped, K a multiple of 4 (channels % 4 == 0) within
       * its depth. */
      const wg_direct *d = kk->direct;
      if (st == WG_OK && d && k % d->ku == 0 && k <= d->max_depth && ngroups == 1)
        st = add_pack(w, d->pack_w, d->nr, d->ku, d->w_group_bytes, src, ldw);
    }
  }
  if (st != WG_OK) {
    wg_weights_destroy(w);
    return st;
  }
  *out = w;
  return WG_OK;
}
