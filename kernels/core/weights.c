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
  if (!src || d->ku != 4 || c * taps != w->k) return NULL;
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

/* Panels of `mr` rows, `ku` depths per group of `group_bytes`. */
static wg_status add_pack(wg_weights *w,
                          void (*pack)(const int8_t *, int64_t, int, int64_t, void *),
                          int mr, int ku, size_t group_bytes, const int8_t *src,
                          int64_t ldw) {
  if (find_pack(w, pack)) return WG_OK;
  if (w->npacks == (int)(sizeof w->packs / sizeof w->packs[0]))
    return WG_ERR_UNSUPPORTED;
  int64_t groups = (w->k + ku - 1) / ku, panels = (w->m + mr - 1) / mr;
  int64_t panel, total;
  if (!wg_mul_ok(groups, (int64_t)group_bytes, &panel) ||
      !wg_mul_ok(panel, panels, &total))
    return WG_ERR_SIZE_OVERFLOW;
  /* 64-byte alignment, and 64 bytes of slack past the last panel: a kernel
   * may load whole vectors at a group's start (kernel.h). */
  if (!wg_add_ok(total, 64 + 63, &total)) return WG_ERR_SIZE_OVERFLOW;
  size_t bytes = (size_t)total & ~(size_t)63;
  void *data = aligned_alloc(64, bytes ? bytes : 64);
  if (!data) return WG_ERR_NO_MEMORY;
  for (int64_t p = 0; p < panels; p++) {
    int64_t rows = w->m - p * mr;
    if (rows > mr) rows = mr;
    pack(src + p * mr * ldw, ldw, (int)rows, w->k, (char *)data + (size_t)(p * panel));
  }
  wg_apack *ap = &w->packs[w->npacks++];
  ap->pack_a = pack;
  ap->panel_bytes = (size_t)panel;
  ap->data = data;
  ap->bytes = bytes ? bytes : 64;
  return WG_OK;
}

wg_status wg_weights_pack(const wg_context *ctx, const int8_t *src, int64_t m,
                          int64_t k, int64_t ldw, wg_weight_format format,
                          int bits, wg_weights **out) {
  if (!ctx || !src || !out) return WG_ERR_NULL_POINTER;
  if (m < 1 || k < 1) return WG_ERR_BAD_SIZE;
  if (ldw < k) return WG_ERR_BAD_STRIDE;
  int64_t span;
  if (!wg_mul_ok(m - 1, ldw, &span) || !wg_add_ok(span, k, &span) ||
      !wg_mul_ok(m, 4, &span))
    return WG_ERR_SIZE_OVERFLOW;
  int lo, hi;
  if (!code_range(format, bits, &lo, &hi)) return WG_ERR_BAD_OPTION;
  int wmin = 127, wmax = -128;
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < k; j++) {
      int v = src[i * ldw + j];
      if (v < lo || v > hi || (format == WG_WEIGHTS_BINARY && v == 0))
        return WG_ERR_BAD_CODE;
      if (v < wmin) wmin = v;
      if (v > wmax) wmax = v;
    }
  wg_weights *w = calloc(1, sizeof *w);
  if (!w) return WG_ERR_NO_MEMORY;
  w->m = m;
  w->k = k;
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
   * choice of any call on them, forced or not, is one of these. */
  wg_status st = WG_OK;
  for (int i = 0; i < wg_kernel_table_size && st == WG_OK; i++) {
    const wg_kernel *kk = wg_kernels[i];
    if (wg_kernel_serves_weights(kk, w)) {
      st = add_pack(w, kk->pack_a, kk->mr, kk->ku, kk->a_group_bytes, src, ldw);
      /* The direct-convolution panels only where a direct convolution
       * could run: K a multiple of 4 (channels % 4 == 0) within its depth. */
      const wg_direct *d = kk->direct;
      if (st == WG_OK && d && k % d->ku == 0 && k <= d->max_depth)
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
