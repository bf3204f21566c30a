/* The table-row add GEMM (lut_gemm.h; why and measurements: docs/lut.md).
 * Built with -mavx2 (this file only). */
#include "lut_gemm.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define LUT_ZERO_ROW 13 /* (w0, w1, w2) = (0, 0, 0) */

static int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

/* Row index of weights (w0, w1, w2): (w0+1) + 3(w1+1) + 9(w2+1). */
static int row_index(int w0, int w1, int w2) { return (w0 + 1) + 3 * (w1 + 1) + 9 * (w2 + 1); }

int lut_pack(const int8_t *w, int64_t m, int64_t k, int64_t ldw, int64_t kg, lut_weights *out) {
  memset(out, 0, sizeof *out);
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < k; j++)
      if (w[i * ldw + j] < -1 || w[i * ldw + j] > 1) return -1;
  int64_t groups = (k + 2) / 3;
  if (kg <= 0) kg = round_up(groups, 8);
  if (kg % 8) return -1;
  int64_t nkb = (groups + kg - 1) / kg, quads = (m + 3) / 4;
  int64_t chunks = kg / 8;
  uint8_t *idx = aligned_alloc(64, (size_t)round_up(nkb * quads * chunks * 32, 64));
  if (!idx) return -1;
  for (int64_t kb = 0; kb < nkb; kb++)
    for (int64_t q = 0; q < quads; q++)
      for (int64_t c = 0; c < chunks; c++)
        for (int ch = 0; ch < 4; ch++)
          for (int gi = 0; gi < 8; gi++) {
            int64_t g = kb * kg + c * 8 + gi, row = 4 * q + ch;
            int r = LUT_ZERO_ROW;
            if (row < m && g < groups) {
              int wv[3] = {0, 0, 0};
              for (int j = 0; j < 3; j++)
                if (3 * g + j < k) wv[j] = w[row * ldw + 3 * g + j];
              r = row_index(wv[0], wv[1], wv[2]);
            }
            idx[(((kb * quads + q) * chunks + c) * 4 + ch) * 8 + gi] = (uint8_t)(r * 8);
          }
  *out = (lut_weights){m, k, groups, kg, nkb, quads, idx};
  return 0;
}

void lut_weights_free(lut_weights *w) {
  free(w->idx);
  w->idx = NULL;
}

int lut_workspace_init(lut_workspace *ws, const lut_weights *w) {
  ws->kg = w->kg;
  ws->quads = w->quads;
  ws->table = aligned_alloc(64, (size_t)(2 * w->kg * LUT_GROUP_BYTES));
  ws->acc = aligned_alloc(64, (size_t)(w->quads * 4 * LUT_NB));
  if (!ws->table || !ws->acc) return -1;
  memset(ws->table, 0, (size_t)(2 * w->kg * LUT_GROUP_BYTES)); /* the zero rows */
  return 0;
}

void lut_workspace_free(lut_workspace *ws) {
  free(ws->table);
  free(ws->acc);
}

/* The 27 rows of one group for 64 pixels: d_j = x_j - zx (mod 256, exact
 * modulo 2^8), row (w0, w1, w2) = w0 d0 + w1 d1 + w2 d2 at t + index * 64.
 * Three levels: {-d0, 0, d0}, then -/0/+ d1, then -/0/+ d2; 28 byte
 * subtractions/additions and 26 stores per 32 pixels (row 13 stays zero). */
static inline void build_group(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                               __m256i z, uint8_t *t, int halves) {
#define LUT_ST(i, v) _mm256_store_si256((__m256i *)(th + (i) * LUT_NB), v)
#define LUT_L3(i, v)                                                           \
  LUT_ST(i, _mm256_sub_epi8(v, d2));                                           \
  if ((i) != 4) LUT_ST(9 + (i), v);                                            \
  LUT_ST(18 + (i), _mm256_add_epi8(v, d2))
  for (int h = 0; h < halves; h++) {
    __m256i d0 = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)(r0 + 32 * h)), z);
    __m256i d1 = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)(r1 + 32 * h)), z);
    __m256i d2 = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)(r2 + 32 * h)), z);
    __m256i n0 = _mm256_sub_epi8(_mm256_setzero_si256(), d0);
    uint8_t *th = t + 32 * h;
    /* level 2: l1[i] - d1, l1[i], l1[i] + d1 with l1 = {-d0, 0, d0} */
    __m256i v0 = _mm256_sub_epi8(n0, d1), v1 = _mm256_sub_epi8(_mm256_setzero_si256(), d1);
    __m256i v2 = _mm256_sub_epi8(d0, d1), v6 = _mm256_add_epi8(n0, d1);
    __m256i v8 = _mm256_add_epi8(d0, d1);
    LUT_L3(0, v0);
    LUT_L3(1, v1);
    LUT_L3(2, v2);
    LUT_L3(3, n0);
    LUT_ST(4, _mm256_sub_epi8(_mm256_setzero_si256(), d2));
    LUT_ST(22, d2);
    LUT_L3(5, d0);
    LUT_L3(6, v6);
    LUT_L3(7, d1);
    LUT_L3(8, v8);
  }
#undef LUT_L3
#undef LUT_ST
}

/* Four output channels x 64 pixels over chunks of 8 groups: per channel
 * and chunk one qword of row bytes (index * 8), decoded by movzbl from the
 * low/high byte and shr, each offset serving the two 32-pixel halves of
 * its row (rows 64 bytes, group tables 1728 bytes apart: the group is the
 * displacement).  Written in assembly so that the decode stays in general
 * registers and every add reads its row as a memory operand. */
#define LUT_D2(q, A, B, g)                                                     \
  "movzbl %%" #q "l, %%ecx\n\t"                                              \
  "vpaddb " #g "*1728(%[t],%%rcx,8), %[" #A "], %[" #A "]\n\t"              \
  "vpaddb " #g "*1728+32(%[t],%%rcx,8), %[" #B "], %[" #B "]\n\t"           \
  "movzbl %%" #q "h, %%edx\n\t"                                              \
  "vpaddb " #g "*1728+1728(%[t],%%rdx,8), %[" #A "], %[" #A "]\n\t"         \
  "vpaddb " #g "*1728+1760(%[t],%%rdx,8), %[" #B "], %[" #B "]\n\t"
#define LUT_D8(q, A, B)                                                        \
  LUT_D2(q, A, B, 0) "shr $16, %%r" #q "x\n\t" LUT_D2(q, A, B, 2)             \
  "shr $16, %%r" #q "x\n\t" LUT_D2(q, A, B, 4) "shr $16, %%r" #q "x\n\t"      \
  LUT_D2(q, A, B, 6)

/* Loads the 8 accumulators from src (4 rows of 64 bytes, stride ls; NULL:
 * zeros), runs the chunks [w, wend), stores them to dst (stride ld).  The
 * accumulator loads and stores are inside the statement: in C, GCC sent
 * the array through the stack with 130 instructions per call (callgrind). */
static inline void add_quad(const uint8_t *t, const uint8_t *w, const uint8_t *wend,
                            const uint8_t *src, int64_t ls, uint8_t *dst, int64_t ld) {
  __m256i a0, a1, a2, a3, a4, a5, a6, a7;
  if (src) {
    a0 = _mm256_loadu_si256((const __m256i *)src);
    a1 = _mm256_loadu_si256((const __m256i *)(src + 32));
    a2 = _mm256_loadu_si256((const __m256i *)(src + ls));
    a3 = _mm256_loadu_si256((const __m256i *)(src + ls + 32));
    a4 = _mm256_loadu_si256((const __m256i *)(src + 2 * ls));
    a5 = _mm256_loadu_si256((const __m256i *)(src + 2 * ls + 32));
    a6 = _mm256_loadu_si256((const __m256i *)(src + 3 * ls));
    a7 = _mm256_loadu_si256((const __m256i *)(src + 3 * ls + 32));
  } else {
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = _mm256_setzero_si256();
  }
  __asm__ volatile(
      "1:\n\t"
      "mov (%[w]), %%rax\n\t"
      "mov 8(%[w]), %%rbx\n\t"
      "mov 16(%[w]), %%r8\n\t"
      "mov 24(%[w]), %%r9\n\t"
      LUT_D8(a, a0, a1) LUT_D8(b, a2, a3)
      "mov %%r8, %%rax\n\t"
      "mov %%r9, %%rbx\n\t"
      LUT_D8(a, a4, a5) LUT_D8(b, a6, a7)
      "add $32, %[w]\n\t"
      "add $13824, %[t]\n\t"
      "cmp %[wend], %[w]\n\t"
      "jne 1b\n\t"
      : [a0] "+x"(a0), [a1] "+x"(a1), [a2] "+x"(a2), [a3] "+x"(a3), [a4] "+x"(a4),
        [a5] "+x"(a5), [a6] "+x"(a6), [a7] "+x"(a7), [t] "+r"(t), [w] "+r"(w)
      : [wend] "r"(wend)
      : "rax", "rbx", "rcx", "rdx", "r8", "r9", "cc", "memory");
  _mm256_storeu_si256((__m256i *)dst, a0);
  _mm256_storeu_si256((__m256i *)(dst + 32), a1);
  _mm256_storeu_si256((__m256i *)(dst + ld), a2);
  _mm256_storeu_si256((__m256i *)(dst + ld + 32), a3);
  _mm256_storeu_si256((__m256i *)(dst + 2 * ld), a4);
  _mm256_storeu_si256((__m256i *)(dst + 2 * ld + 32), a5);
  _mm256_storeu_si256((__m256i *)(dst + 3 * ld), a6);
  _mm256_storeu_si256((__m256i *)(dst + 3 * ld + 32), a7);
}

/* The left 32 pixels only (a block of at most 32 columns: N = 196 leaves
 * 4): one add per decoded offset, four accumulators. */
#define LUT_D2H(q, A, g)                                                       \
  "movzbl %%" #q "l, %%ecx\n\t"                                              \
  "vpaddb " #g "*1728(%[t],%%rcx,8), %[" #A "], %[" #A "]\n\t"              \
  "movzbl %%" #q "h, %%edx\n\t"                                              \
  "vpaddb " #g "*1728+1728(%[t],%%rdx,8), %[" #A "], %[" #A "]\n\t"
#define LUT_D8H(q, A)                                                          \
  LUT_D2H(q, A, 0) "shr $16, %%r" #q "x\n\t" LUT_D2H(q, A, 2)                 \
  "shr $16, %%r" #q "x\n\t" LUT_D2H(q, A, 4) "shr $16, %%r" #q "x\n\t"      \
  LUT_D2H(q, A, 6)

static inline void add_quad_half(const uint8_t *t, const uint8_t *w, const uint8_t *wend,
                                 const uint8_t *src, uint8_t *dst) {
  __m256i a0, a2, a4, a6;
  if (src) {
    a0 = _mm256_loadu_si256((const __m256i *)src);
    a2 = _mm256_loadu_si256((const __m256i *)(src + LUT_NB));
    a4 = _mm256_loadu_si256((const __m256i *)(src + 2 * LUT_NB));
    a6 = _mm256_loadu_si256((const __m256i *)(src + 3 * LUT_NB));
  } else {
    a0 = a2 = a4 = a6 = _mm256_setzero_si256();
  }
  __asm__ volatile(
      "1:\n\t"
      "mov (%[w]), %%rax\n\t"
      "mov 8(%[w]), %%rbx\n\t"
      "mov 16(%[w]), %%r8\n\t"
      "mov 24(%[w]), %%r9\n\t"
      LUT_D8H(a, a0) LUT_D8H(b, a2)
      "mov %%r8, %%rax\n\t"
      "mov %%r9, %%rbx\n\t"
      LUT_D8H(a, a4) LUT_D8H(b, a6)
      "add $32, %[w]\n\t"
      "add $13824, %[t]\n\t"
      "cmp %[wend], %[w]\n\t"
      "jne 1b\n\t"
      : [a0] "+x"(a0), [a2] "+x"(a2), [a4] "+x"(a4), [a6] "+x"(a6), [t] "+r"(t), [w] "+r"(w)
      : [wend] "r"(wend)
      : "rax", "rbx", "rcx", "rdx", "r8", "r9", "cc", "memory");
  _mm256_storeu_si256((__m256i *)dst, a0);
  _mm256_storeu_si256((__m256i *)(dst + LUT_NB), a2);
  _mm256_storeu_si256((__m256i *)(dst + 2 * LUT_NB), a4);
  _mm256_storeu_si256((__m256i *)(dst + 3 * LUT_NB), a6);
}

static int lut_debug;
void lut_set_debug(int mode) { lut_debug = mode; }

/* One pixel block x depth block: the unit both schedules iterate over. */
typedef struct blk {
  int64_t n0, kb, g0, gc; /* first column, depth block, first group, groups */
  int cols;
} blk;

typedef struct call {
  const lut_weights *w;
  lut_workspace *ws;
  const uint8_t *x;
  int64_t n, ldx, xend;
  __m256i z;
  const uint8_t *zrow;
  int8_t *y;
  int64_t ldy;
} call;

static blk block_at(const call *c, int64_t n0, int64_t kb) {
  blk b = {n0, kb, kb * c->w->kg, 0, 0};
  b.gc = c->w->groups - b.g0 < c->w->kg ? c->w->groups - b.g0 : c->w->kg;
  b.cols = c->n - n0 < LUT_NB ? (int)(c->n - n0) : LUT_NB;
  return b;
}

/* The block after b (pixel blocks outside, depth blocks inside); 0 at the end. */
static int block_next(const call *c, const blk *b, blk *next) {
  if (b->kb + 1 < c->w->nkb) {
    *next = block_at(c, b->n0, b->kb + 1);
    return 1;
  }
  if (b->n0 + LUT_NB < c->n) {
    *next = block_at(c, b->n0 + LUT_NB, 0);
    return 1;
  }
  return 0;
}

/* Builds groups [g_begin, g_end) of block b into table t.  Depths past K
 * read the zero-point row (d = 0; their weights are zero anyway).  A ragged
 * block reads its 64 bytes in place while they stay inside X (the columns
 * past N are summed and never stored); the last rows go through a padded
 * copy; a block of at most 32 columns builds the left halves only. */
static inline void build_range(const call *c, const blk *b, int64_t g_begin, int64_t g_end,
                        uint8_t *t) {
  _Alignas(64) uint8_t bounce[3][LUT_NB];
  const int halves = b->cols <= 32 ? 1 : 2;
  for (int64_t gi = g_begin; gi < g_end; gi++) {
    const uint8_t *r[3];
    for (int j = 0; j < 3; j++) {
      int64_t kk = 3 * (b->g0 + gi) + j;
      r[j] = kk < c->w->k ? c->x + kk * c->ldx + b->n0 : c->zrow;
      if (b->cols < LUT_NB && kk < c->w->k && kk * c->ldx + b->n0 + 32 * halves > c->xend) {
        memcpy(bounce[j], r[j], (size_t)b->cols);
        r[j] = bounce[j];
      }
    }
    build_group(r[0], r[1], r[2], c->z, t + gi * LUT_GROUP_BYTES, halves);
  }
}

/* Prefetches the activation rows of block b (one line per row, ldx apart,
 * which the hardware prefetcher followed poorly: 64x3136x576's build of a
 * group took 3x its L1-resident time without). */
static void prefetch_block(const call *c, const blk *b) {
  int64_t k1 = 3 * (b->g0 + b->gc) < c->w->k ? 3 * (b->g0 + b->gc) : c->w->k;
  for (int64_t kk = 3 * b->g0; kk < k1; kk++)
    _mm_prefetch((const char *)(c->x + kk * c->ldx + b->n0), _MM_HINT_T0);
}

/* Adds block b's rows (table t) for quads [q_begin, q_end).  Sums between
 * depth blocks are parked in the output itself where a quad's 4 x 64
 * bytes are all inside it, else in the workspace. */
static inline void add_range(const call *c, const blk *b, int64_t q_begin, int64_t q_end,
                      const uint8_t *t) {
  const lut_weights *w = c->w;
  const int64_t chunks = (b->gc + 7) / 8, chunks_all = w->kg / 8;
  const int first = b->kb == 0, final = b->kb == w->nkb - 1;
  for (int64_t q = q_begin; q < q_end; q++) {
    const uint8_t *wq = w->idx + (b->kb * w->quads + q) * chunks_all * 32;
    const int full = b->cols == LUT_NB && 4 * q + 3 < w->m;
    uint8_t *base = full ? (uint8_t *)c->y + 4 * q * c->ldy + b->n0 : c->ws->acc + q * 4 * LUT_NB;
    const int64_t ls = full ? c->ldy : LUT_NB;
    if (lut_debug != 1) {
      if (b->cols <= 32)
        add_quad_half(t, wq, wq + chunks * 32, first ? NULL : base, base);
      else
        add_quad(t, wq, wq + chunks * 32, first ? NULL : base, ls, base, ls);
    }
    if (final && !full)
      for (int i = 0; i < 4 && 4 * q + i < w->m; i++)
        memcpy(c->y + (4 * q + i) * c->ldy + b->n0, base + i * LUT_NB, (size_t)b->cols);
  }
}

static void call_init(call *c, const lut_weights *w, lut_workspace *ws, const uint8_t *x,
                      int64_t n, int64_t ldx, uint8_t zx, const uint8_t *zrow, int8_t *y,
                      int64_t ldy) {
  *c = (call){w, ws, x, n, ldx, (w->k - 1) * ldx + n, _mm256_set1_epi8((char)zx), zrow, y, ldy};
}

/* The phased schedule: per block, all tables are built, then every quad
 * adds its rows; the next block's activation rows are prefetched meanwhile. */
void lut_gemm(const lut_weights *w, lut_workspace *ws, const uint8_t *x, int64_t n,
                     int64_t ldx, uint8_t zx, int8_t *y, int64_t ldy) {
  _Alignas(64) uint8_t zrow[LUT_NB];
  memset(zrow, zx, sizeof zrow);
  call c;
  call_init(&c, w, ws, x, n, ldx, zx, zrow, y, ldy);
  blk b = block_at(&c, 0, 0), next;
  int more = 1;
  while (more) {
    more = block_next(&c, &b, &next);
    if (lut_debug != 2) build_range(&c, &b, 0, b.gc, ws->table);
    if (more) prefetch_block(&c, &next);
    add_range(&c, &b, 0, w->quads, ws->table);
    b = next;
  }
}

/* Software-pipelined: while block b's rows are added (loads), the next
 * block's table is built (stores) into the other half of the double
 * buffer, one group after every quads / groups quads, so that the
 * out-of-order core could overlap the two; the block after next is
 * prefetched.  Measured slower than the phased schedule here (docs/lut.md:
 * the two tables and the streams no longer fit L1 together). */
void lut_gemm_pipelined(const lut_weights *w, lut_workspace *ws, const uint8_t *x, int64_t n,
              int64_t ldx, uint8_t zx, int8_t *y, int64_t ldy) {
  _Alignas(64) uint8_t zrow[LUT_NB];
  memset(zrow, zx, sizeof zrow);
  call c;
  call_init(&c, w, ws, x, n, ldx, zx, zrow, y, ldy);
  const int64_t half = w->kg * LUT_GROUP_BYTES, quads = w->quads;
  blk b = block_at(&c, 0, 0), next, after;
  if (lut_debug != 2) build_range(&c, &b, 0, b.gc, ws->table);
  int cur = 0, more = 1;
  while (more) {
    more = block_next(&c, &b, &next);
    uint8_t *t = ws->table + cur * half, *tn = ws->table + (1 - cur) * half;
    if (more && block_next(&c, &next, &after)) prefetch_block(&c, &after);
    if (!more || lut_debug == 2) {
      add_range(&c, &b, 0, quads, t);
    } else {
      /* one group of the next table after every quads / groups quads */
      int64_t q = 0;
      for (int64_t gi = 0; gi < next.gc; gi++) {
        int64_t q_end = (gi + 1) * quads / next.gc;
        add_range(&c, &b, q, q_end, t);
        build_range(&c, &next, gi, gi + 1, tn);
        q = q_end;
      }
    }
    b = next;
    cur = 1 - cur;
  }
}
