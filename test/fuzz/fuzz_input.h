/* What both libFuzzer harnesses share.
 *
 * An input is a short header whose bytes choose the problem (shapes,
 * formats, options, kernel, method, threads, one planted fault) followed by
 * an 8-byte seed.  The seed drives a small PRNG that fills every weight,
 * activation and epilogue row, so a 30-byte input still gives whole tensors
 * of varied data: libFuzzer keeps inputs short, and with tensors read from
 * the input bytes (zeros once they ran out) every weight past the first few
 * was equal and every activation 0, so a kernel that read the wrong pixel or
 * tap gave the same sum.  Each tensor also takes a "mix" byte: how often an
 * element is one of its extreme codes (0, the largest code, the zero point;
 * the smallest and largest weight) and which of them is favoured, so that
 * saturating pairs and long runs of extremes are as reachable as uniform
 * data. */
#ifndef WG_FUZZ_INPUT_H
#define WG_FUZZ_INPUT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrapgemm.h"

typedef struct cursor {
  const uint8_t *p;
  size_t n;
} cursor;

/* The next header byte; 0 once the input ran out. */
static inline unsigned take(cursor *c) {
  if (!c->n) return 0;
  c->n--;
  return *c->p++;
}

/* ---- the PRNG: splitmix64, seeded from eight input bytes ---------------- */
typedef struct fuzz_rng {
  uint64_t s;
} fuzz_rng;

static inline uint64_t rng_next(fuzz_rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1 (the modulo bias is irrelevant here). */
static inline uint32_t rng_below(fuzz_rng *r, uint32_t n) {
  return (uint32_t)((rng_next(r) >> 32) % n);
}

static inline fuzz_rng fuzz_seed(cursor *c) {
  uint64_t s = 0;
  for (int i = 0; i < 8; i++) s |= (uint64_t)take(c) << (8 * i);
  fuzz_rng r = {s};
  return r;
}

/* ---- element values: uniform, with extremes mixed in -------------------- */
/* From one byte: with probability edge/256 an element is one of `ext`
 * (ext[favour - 1] half of those times when favour > 0), else uniform in
 * [lo, hi].  edge 256 with a favoured extreme gives long runs of it. */
typedef struct fuzz_mix {
  unsigned edge, favour;
} fuzz_mix;

static inline fuzz_mix fuzz_mix_of(unsigned byte) {
  static const unsigned edges[8] = {0, 4, 16, 48, 96, 160, 224, 256};
  fuzz_mix m = {edges[byte & 7], (byte >> 3) & 3};
  return m;
}

static inline int fuzz_value(fuzz_rng *r, fuzz_mix mx, int lo, int hi, const int *ext,
                             int next) {
  uint32_t u = rng_below(r, 256);
  if (u < mx.edge) {
    if (mx.favour && (int)mx.favour <= next && rng_below(r, 2)) return ext[mx.favour - 1];
    return ext[rng_below(r, (uint32_t)next)];
  }
  return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Weight codes of a format: its range, and the extremes lo, hi, 0, 1. */
static inline void fuzz_weight_range(wg_weight_format wf, int bits, int *lo, int *hi) {
  *lo = wf == WG_WEIGHTS_INT ? -(1 << (bits - 1)) : -1;
  *hi = wf == WG_WEIGHTS_INT ? (1 << (bits - 1)) - 1 : 1;
}

/* Fills rows x cols of w (row stride ld) with valid codes; the gaps between
 * rows get a code outside the format where it has one (127), so a pack
 * that read them would fail or differ. */
static inline void fuzz_fill_weights(fuzz_rng *r, fuzz_mix mx, wg_weight_format wf, int bits,
                                     int8_t *w, int64_t rows, int64_t cols, int64_t ld) {
  int lo, hi;
  fuzz_weight_range(wf, bits, &lo, &hi);
  const int ext[4] = {lo, hi, 0, 1};
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < ld; j++) {
      int v = fuzz_value(r, mx, lo, hi, ext, 4);
      if (wf == WG_WEIGHTS_BINARY && v == 0) v = rng_below(r, 2) ? 1 : -1;
      w[i * ld + j] = (int8_t)(j < cols ? v : 127);
    }
}

/* One weight outside the format at a random place, if the format has one. */
static inline int fuzz_plant_bad_weight(fuzz_rng *r, wg_weight_format wf, int bits, int8_t *w,
                                        int64_t rows, int64_t cols, int64_t ld) {
  int lo, hi;
  fuzz_weight_range(wf, bits, &lo, &hi);
  int8_t bad[5];
  int nb = 0;
  if (lo > -128) bad[nb++] = (int8_t)(lo - 1), bad[nb++] = -128;
  if (hi < 127) bad[nb++] = (int8_t)(hi + 1), bad[nb++] = 127;
  if (wf == WG_WEIGHTS_BINARY) bad[nb++] = 0;
  if (!nb) return 0;
  int64_t at = (int64_t)rng_below(r, (uint32_t)rows) * ld + rng_below(r, (uint32_t)cols);
  w[at] = bad[rng_below(r, (uint32_t)nb)];
  return 1;
}

/* Activation codes of act_bits bits: extremes 0, the largest, zx, zx +- 1. */
static inline void fuzz_fill_acts(fuzz_rng *r, fuzz_mix mx, int act_bits, int zx, uint8_t *x,
                                  size_t n) {
  int hi = (1 << act_bits) - 1;
  int zc = zx >= 0 && zx <= hi ? zx : 0; /* an invalid zx is no code */
  const int ext[5] = {0, hi, zc, zc < hi ? zc + 1 : 0, zc > 0 ? zc - 1 : hi};
  for (size_t i = 0; i < n; i++) x[i] = (uint8_t)fuzz_value(r, mx, 0, hi, ext, 5);
}

/* One activation >= 2^act_bits at a random element of rows x cols (row
 * stride ld), if the format has such codes. */
static inline int fuzz_plant_bad_act(fuzz_rng *r, int act_bits, uint8_t *x, int64_t rows,
                                     int64_t cols, int64_t ld) {
  if (act_bits == 8) return 0;
  int lo = 1 << act_bits;
  int64_t at = (int64_t)rng_below(r, (uint32_t)rows) * ld + rng_below(r, (uint32_t)cols);
  x[at] = (uint8_t)(rng_below(r, 2) ? lo : lo + (int)rng_below(r, (uint32_t)(256 - lo)));
  return 1;
}

/* ---- the epilogue's per-row arrays -------------------------------------- */
#define FUZZ_MAX_ROWS 64
typedef struct fuzz_epi_rows {
  float scale[FUZZ_MAX_ROWS], bias[FUZZ_MAX_ROWS];
  int32_t mult[FUZZ_MAX_ROWS], shift[FUZZ_MAX_ROWS], qbias[FUZZ_MAX_ROWS];
} fuzz_epi_rows;

/* A finite float: small exact steps mostly, sometimes zero, a tiny or huge
 * value, or any finite bit pattern (denormals included). */
static inline float fuzz_float(fuzz_rng *r, int wide, float step) {
  uint32_t k = rng_below(r, 16);
  if (!wide || k < 10) return (float)((int)rng_below(r, 257) - 128) * step;
  if (k == 10) return rng_below(r, 2) ? 0.0f : -0.0f;
  if (k == 11) return (rng_below(r, 2) ? 1 : -1) * 1e-30f;
  if (k == 12) return (rng_below(r, 2) ? 1 : -1) * 3e38f;
  for (;;) {
    uint32_t b = (uint32_t)rng_next(r);
    float f;
    memcpy(&f, &b, sizeof f);
    if (isfinite(f)) return f;
  }
}

/* Fills every row's scale, bias, multiplier, shift and qbias from the PRNG
 * and attaches them to ep (ep->out_bits already set) with a valid output
 * zero point.  The mix byte widens each field to its whole valid range:
 * bit 0 floats, bit 1 shifts (-31..30), bit 2 qbias (any int32), bit 3
 * multipliers at their ends (0, 2^30, 2^31 - 1); bit 4 drops qbias (NULL). */
static inline void fuzz_epilogue_rows(fuzz_rng *r, unsigned mix, fuzz_epi_rows *rw,
                                      wg_epilogue *ep) {
  for (int i = 0; i < FUZZ_MAX_ROWS; i++) {
    rw->scale[i] = fuzz_float(r, mix & 1, 1.0f / 64);
    rw->bias[i] = fuzz_float(r, mix & 1, 1.0f / 8);
    static const int32_t mends[3] = {0, 1 << 30, INT32_MAX};
    rw->mult[i] = (mix & 8) && rng_below(r, 2)
                      ? mends[rng_below(r, 3)]
                      : (int32_t)((1u << 30) + rng_below(r, 1u << 30));
    rw->shift[i] = (mix & 2) ? (int32_t)rng_below(r, 62) - 31 : (int32_t)rng_below(r, 20) - 15;
    rw->qbias[i] = (mix & 4) ? (int32_t)(uint32_t)rng_next(r) : (int32_t)rng_below(r, 257) - 128;
  }
  ep->scale = rw->scale;
  ep->bias = rw->bias;
  ep->multiplier = rw->mult;
  ep->shift = rw->shift;
  ep->qbias = (mix & 16) ? NULL : rw->qbias;
  ep->out_zero_point = (int)rng_below(r, 1u << ep->out_bits);
}

/* ---- options from header bytes ----------------------------------------- */
static inline int fuzz_acc_bits(unsigned byte) {
  static const int bs[16] = {2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 12, 15, 16, 16, 32, 32};
  return bs[byte % 16];
}

static inline int fuzz_slope(unsigned byte) {
  static const int ks[8] = {1, 2, 3, 4, 5, 7, 64, 65536};
  return ks[byte % 8];
}

/* The activation zero point: any code, and 0 or the largest code more
 * often (bytes 240..255). */
static inline int fuzz_zero_point(unsigned byte, int act_bits) {
  int hi = (1 << act_bits) - 1;
  if (byte >= 240) return byte % 2 ? hi : 0;
  return (int)byte % (hi + 1);
}

/* Whether output type `o` holds every c of acc_bits b and this cyclic
 * function (wrapgemm.h, wg_output_kind); if not the call is UNSUPPORTED. */
static inline int fuzz_output_fits(const wg_epilogue *ep) {
  int need = ep->cyclic == WG_CYCLIC_ABS ? ep->acc_bits + 1 : ep->acc_bits;
  if (ep->cyclic == WG_CYCLIC_ABS && ep->acc_bits > 16) return 0;
  if (ep->output == WG_OUTPUT_INT8) return need <= 8;
  if (ep->output == WG_OUTPUT_INT16) return need <= 16;
  return 1;
}

/* ---- one planted fault per input, and what it must return --------------- */
typedef enum fuzz_fault {
  FUZZ_NONE = 0,
  FUZZ_BAD_ZX,        /* zero point outside 0 .. 2^act_bits - 1: BAD_OPTION */
  FUZZ_BAD_XCODE,     /* one activation >= 2^act_bits: BAD_CODE            */
  FUZZ_BAD_WCODE,     /* one weight outside its format: BAD_CODE (pack)    */
  FUZZ_NONFINITE,     /* a NaN or infinite scale or bias: BAD_OPTION       */
  FUZZ_BAD_OUT_ZP,    /* fixed-point output zero point out of range        */
  FUZZ_MISALIGNED,    /* a wide output not aligned to its element          */
  FUZZ_ALIASING,      /* the output overlaps the activations               */
  FUZZ_FAULTS
} fuzz_fault;

/* The fault byte: none 7 times in 8, else one fault; a fault this problem
 * or this tree cannot have becomes none. */
static inline fuzz_fault fuzz_fault_of(unsigned byte) {
  return byte < 224 ? FUZZ_NONE : (fuzz_fault)(1 + (byte - 224) % (FUZZ_FAULTS - 1));
}

static inline wg_status fuzz_fault_status(fuzz_fault f) {
  switch (f) {
    case FUZZ_NONE: return WG_OK;
    case FUZZ_BAD_XCODE: case FUZZ_BAD_WCODE: return WG_ERR_BAD_CODE;
    case FUZZ_ALIASING: return WG_ERR_ALIASING;
    case FUZZ_MISALIGNED: return WG_ERR_MISALIGNED;
    default: return WG_ERR_BAD_OPTION;
  }
}

/* Whether the output stage reads per-row arrays (scale and bias, or the
 * fixed-point ones): they are inputs that may be misaligned or overlapped. */
static inline int fuzz_has_rows(const wg_epilogue *ep) {
  return ep->output == WG_OUTPUT_UINT8_FLOAT || ep->output == WG_OUTPUT_FLOAT32 ||
         ep->output == WG_OUTPUT_UINT8_FIXED;
}

/* Whether fault f can be planted in this problem; if not it becomes none. */
static inline int fuzz_fault_fits(fuzz_fault f, const wg_epilogue *ep) {
  switch (f) {
    case FUZZ_NONFINITE:
      return ep->output == WG_OUTPUT_UINT8_FLOAT || ep->output == WG_OUTPUT_FLOAT32;
    case FUZZ_BAD_OUT_ZP: return ep->output == WG_OUTPUT_UINT8_FIXED;
    case FUZZ_MISALIGNED: return wg_output_size(ep->output) > 1 || fuzz_has_rows(ep);
    default: return 1;
  }
}

/* An invalid zero point: below 0, above 255, or 2^bits .. 255, no code of
 * the format (the padding code of a convolution; issue 15). */
static inline int fuzz_bad_zero_point(fuzz_rng *r, int act_bits) {
  uint32_t k = rng_below(r, 4);
  if (k == 0) return -1 - (int)rng_below(r, 3);
  if (k == 1 || act_bits == 8) return 256 + (int)rng_below(r, 3);
  int lo = 1 << act_bits;
  return k == 2 ? lo : lo + (int)rng_below(r, (uint32_t)(256 - lo));
}

/* The per-row arrays this output stage reads, each of m int32/float. */
static inline int fuzz_row_arrays(const wg_epilogue *ep, const void **arr) {
  int n = 0;
  if (ep->output == WG_OUTPUT_UINT8_FLOAT || ep->output == WG_OUTPUT_FLOAT32) {
    arr[n++] = ep->scale;
    arr[n++] = ep->bias;
  } else if (ep->output == WG_OUTPUT_UINT8_FIXED) {
    arr[n++] = ep->multiplier;
    arr[n++] = ep->shift;
    if (ep->qbias) arr[n++] = ep->qbias;
  }
  return n;
}

/* A byte of a per-row array the call reads (row < m), or NULL if none. */
static inline const uint8_t *fuzz_row_byte(fuzz_rng *r, const wg_epilogue *ep, int64_t m) {
  const void *arr[3];
  int n = fuzz_row_arrays(ep, arr);
  if (!n) return NULL;
  return (const uint8_t *)arr[rng_below(r, (uint32_t)n)] + rng_below(r, (uint32_t)(4 * m));
}

/* Moves one per-row array to a misaligned copy in buf (4 * FUZZ_MAX_ROWS + 4
 * bytes); the harness never reads through it. */
static inline void fuzz_misalign_rows(fuzz_rng *r, wg_epilogue *ep, unsigned char *buf) {
  const void *arr[3];
  int n = fuzz_row_arrays(ep, arr), i = (int)rng_below(r, (uint32_t)n);
  unsigned char *p = buf + 1 + rng_below(r, 3);
  memcpy(p, arr[i], 4 * FUZZ_MAX_ROWS);
  if (arr[i] == ep->scale) ep->scale = (const float *)(void *)p;
  else if (arr[i] == ep->bias) ep->bias = (const float *)(void *)p;
  else if (arr[i] == ep->multiplier) ep->multiplier = (const int32_t *)(void *)p;
  else if (arr[i] == ep->shift) ep->shift = (const int32_t *)(void *)p;
  else ep->qbias = (const int32_t *)(void *)p;
}

/* Plants a NaN or infinity in the scale or bias of one of the m rows. */
static inline void fuzz_plant_nonfinite(fuzz_rng *r, fuzz_epi_rows *rw, int64_t m) {
  float bad[3] = {NAN, INFINITY, -INFINITY};
  float v = bad[rng_below(r, 3)];
  int64_t i = rng_below(r, (uint32_t)m);
  if (rng_below(r, 2)) rw->scale[i] = v;
  else rw->bias[i] = v;
}

/* The status check.  Every option the harness makes is valid except the one
 * planted fault, so: a type too narrow for b is UNSUPPORTED (or the fault's
 * own status, checked first); a forced kernel may be UNSUPPORTED; otherwise
 * exactly `want` (the fault's status, or the clean problem's). */
static inline void fuzz_check_status(wg_status st, wg_status want, int fits, int forced) {
  if (!fits) {
    if (st != WG_ERR_UNSUPPORTED && (want == WG_OK || st != want)) abort();
    return;
  }
  if (st == want) return;
  if (forced && st == WG_ERR_UNSUPPORTED) return;
  abort(); /* a status the contract does not give here */
}

/* ---- threads: the context's pool, or an engine's parallel-for ----------- */
/* An engine's runner that does the tasks one by one, last first: the
 * library must not depend on their order. */
static inline void fuzz_reverse_runner(void *user, wg_task_fn task, void *task_ctx,
                                       int64_t count) {
  (void)user;
  for (int64_t i = count - 1; i >= 0; i--) task(task_ctx, i);
}

/* From one byte: 1, 2 or 3 pool threads, or the reverse runner claiming a
 * parallelism of 2..9 (work is split for that many). */
static inline wg_context *fuzz_context(unsigned byte) {
  wg_context *ctx = NULL;
  unsigned t = byte % 8;
  int threads = t < 3 ? 1 : t < 5 ? 2 : t < 6 ? 3 : 1;
  if (wg_context_create(threads, &ctx) != WG_OK) abort();
  if (t >= 6 && wg_context_set_parallel_for(ctx, fuzz_reverse_runner, NULL,
                                            2 + (int)(byte / 8 % 8)) != WG_OK)
    abort();
  return ctx;
}

/* ---- buffers: guard bytes around the output ------------------------------ */
#define FUZZ_GUARD 64
#define FUZZ_FILL 0xEE

/* An output buffer of `bytes` at offset `off` after FUZZ_GUARD bytes, every
 * byte FUZZ_FILL; the whole of it (guards, row gaps) is compared after the
 * call, so a write outside the outputs or on error is seen. */
typedef struct fuzz_out {
  unsigned char *buf, *y, *want;
  size_t total;
} fuzz_out;

static inline fuzz_out fuzz_out_alloc(size_t bytes, size_t off) {
  fuzz_out o;
  o.total = (2 * FUZZ_GUARD + off + bytes + 63) & ~(size_t)63;
  o.buf = aligned_alloc(64, o.total);
  o.want = malloc(o.total);
  if (!o.buf || !o.want) abort();
  memset(o.buf, FUZZ_FILL, o.total);
  memset(o.want, FUZZ_FILL, o.total);
  o.y = o.buf + FUZZ_GUARD + off;
  return o;
}

static inline void fuzz_out_free(fuzz_out *o) {
  free(o->buf);
  free(o->want);
}

/* An output pointer, aligned to its element of es bytes, whose element e
 * covers the byte t (one the call reads): the output overlaps the input. */
/* X's buffer: `slack` bytes on both sides (room for an overlapping output),
 * `off` bytes before X's first code, `span` bytes of X, all 0xFF until
 * filled (gap bytes no codes check may read), 64-byte aligned; and a copy,
 * taken before the call, that the call must leave equal. */
typedef struct fuzz_x {
  uint8_t *buf, *copy, *x;
  size_t total;
} fuzz_x;

static inline fuzz_x fuzz_x_alloc(size_t slack, size_t off, size_t span) {
  fuzz_x b;
  void *mem = NULL;
  b.total = slack + off + span + slack;
  if (posix_memalign(&mem, 64, b.total)) abort();
  b.buf = mem;
  b.copy = malloc(b.total);
  if (!b.copy) abort();
  memset(b.buf, 0xFF, b.total);
  b.x = b.buf + slack + off;
  return b;
}
static inline void fuzz_x_snapshot(fuzz_x *b) { memcpy(b->copy, b->buf, b->total); }
static inline int fuzz_x_unchanged(const fuzz_x *b) {
  return memcmp(b->buf, b->copy, b->total) == 0;
}
static inline void fuzz_x_free(fuzz_x *b) {
  free(b->buf);
  free(b->copy);
}

/* The per-row epilogue data, with the planted epilogue faults (a
 * non-finite scale or bias, an output zero point out of range). */
static inline void fuzz_epilogue_with_faults(fuzz_rng *r, unsigned mix, fuzz_epi_rows *rw,
                                             wg_epilogue *ep, int64_t m, fuzz_fault fault) {
  fuzz_epilogue_rows(r, mix, rw, ep);
  if (fault == FUZZ_NONFINITE) fuzz_plant_nonfinite(r, rw, m);
  if (fault == FUZZ_BAD_OUT_ZP)
    ep->out_zero_point = rng_below(r, 2) ? -1 : (1 << ep->out_bits) + (int)rng_below(r, 3);
}

/* Y: byte outputs at any offset, wider ones aligned, or, for a planted
 * misalignment, the output if it is wider than a byte, else (or every
 * other time) one of the per-row arrays (moved into misbuf, which must
 * hold 4 * FUZZ_MAX_ROWS + 4 bytes). */
static inline fuzz_out fuzz_place_output(fuzz_rng *r, wg_epilogue *ep, fuzz_fault fault,
                                         size_t es, size_t yoff, size_t ybytes,
                                         unsigned char *misbuf) {
  size_t off = es == 1 ? yoff : yoff / es * es;
  int mis_rows = fault == FUZZ_MISALIGNED && fuzz_has_rows(ep) && (es == 1 || rng_below(r, 2));
  if (mis_rows) fuzz_misalign_rows(r, ep, misbuf);
  if (fault == FUZZ_MISALIGNED && !mis_rows) off += 1 + rng_below(r, (uint32_t)es - 1);
  return fuzz_out_alloc(ybytes, off);
}

static inline unsigned char *fuzz_alias_y(const uint8_t *t, int64_t e, size_t es) {
  uintptr_t a = (uintptr_t)t - (uintptr_t)e * es;
  return (unsigned char *)(a - a % es);
}

#ifdef FUZZ_STATS
#include <stdio.h>
/* Built with -DFUZZ_STATS (by hand, beside the make rules' objects), a
 * harness prints what each input decoded to and what the call returned,
 * and how varied its tensors are: to check what a corpus file does.
 * fuzz_stats: how many distinct values the rows x cols elements (row
 * stride ld) of a byte tensor got, and how many the commonest one has. */
static inline void fuzz_stats(const char *what, const void *p, int64_t rows, int64_t cols,
                              int64_t ld) {
  int64_t seen[256] = {0}, mode = 0;
  int d = 0;
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++)
      if (!seen[((const uint8_t *)p)[i * ld + j]]++) d++;
  for (int v = 0; v < 256; v++) mode = seen[v] > mode ? seen[v] : mode;
  fprintf(stderr, "%s: %lld elements, %d distinct, commonest %lld\n", what,
          (long long)(rows * cols), d, (long long)mode);
}
#define fuzz_trace(...) fprintf(stderr, __VA_ARGS__)
#else
#define fuzz_stats(what, p, rows, cols, ld) ((void)0)
#define fuzz_trace(...) ((void)0)
#endif

#endif
