/*
 * Register-only (and L1-only) ceilings of the lookup-table schemes of issue
 * 18 on AVX2, beside today's vpsignb + vpaddb loop, in G MAC/s (a MAC is one
 * weight x activation product: a byte lookup of 2 ternary weights is 2 MACs
 * per lane, a table-row add of a 3-depth group is 3 MACs per lane).
 * Standalone, not part of wgbench (docs/lut.md; build: make -C bench/lut
 * ceiling, or gcc -O2 -mavx2 bench/lut/ceiling_lut.c).
 *
 * Every loop is inline assembly, so that it holds exactly the instructions
 * named (check: objdump -d ceiling_lut | less, the loops are labelled by
 * their functions).  Each keeps 6 or 8 independent accumulators (more than
 * the add latency x throughput) and unrolls 12-32 operations per counter
 * update.
 *
 *   sign_add        vpsignb + vpaddb ymm: 32 MACs per pair (acc8_ternary's
 *                   product-accumulate, the 8-bit ceiling of wgbench)
 *   shuf_add        vpshufb + vpaddb ymm, 16-entry table in a register,
 *                   indices in registers: 64 MACs per pair
 *   shuf_add_mem    the same, indices loaded from L1 by vpshufb's memory
 *                   operand (a register table kernel streams its packed
 *                   weight indices)
 *   row_add         vmovdqu of a 32-byte row from L1 + vpaddb: 96 MACs
 *   row_add_fused   vpaddb ymm, ymm, [mem]: the same, one instruction
 *   row_add_decode  the prototype's inner loop: 4 output channels x 8
 *                   groups, each channel's 8 row offsets one qword of packed
 *                   weights (a byte = row index * 4), decoded by
 *                   movzx/shr into a scaled index, vpaddb ymm, [t+r*8+g*864]
 *   row_add_decode64  the same over 64-pixel rows: one decoded offset, two
 *                   row adds (byte = index * 8, rows 64 bytes apart)
 *   build27         the table build of one group: 3 activation rows of 32
 *                   pixels, zero point subtracted, all 27 signed sums, 26
 *                   stores (the all-zero row is never rewritten); reported
 *                   as ns per group and as the "MACs it enables" per
 *                   output channel (96 per group)
 *   row_add_fused_zmm  row_add_fused in zmm registers (64-byte rows)
 *   row_add_decode_zmm  acc8_ternary_x_u8_8x128_lut3__avx512bw's loop
 *                   (lut_avx512.h): 8 output channels x 8 groups x 128
 *                   pixels, per group one qword of 8 offsets, each decoded
 *                   once for two vpaddb zmm, [row] (columns 0-63, 64-127
 *                   1728 bytes on); 27 KiB of tables.  AVX-512BW CPUs only
 *   build27_zmm     the same kernel's table build of one group of 64
 *                   pixels (ns per group; MACs = 192/group/channel)
 *   clock           a chain of dependent 1-cycle adds: the core clock, to
 *                   turn G MAC/s into MACs per cycle
 *
 * Timing: R rounds; in each, every loop runs once, in an order rotated per
 * round (interleaved, so slow phases of the shared host hit all loops).
 * Thread CPU time (CLOCK_THREAD_CPUTIME_ID); median and best over rounds.
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct loop {
  const char *name;
  double macs_per_iter;
  int64_t iters;
  void (*fn)(int64_t iters);
  double group_macs; /* a table build: MACs one group enables per channel */
} loop;

static _Alignas(64) uint8_t table[32 * 1024];
static _Alignas(64) uint8_t wstream[4096];

static void sign_add(int64_t n) {
  __asm__ volatile(
      "vpcmpeqb %%ymm1, %%ymm1, %%ymm1\n\t" /* w = -1 */
      "vpxor %%ymm2, %%ymm2, %%ymm2\n\t"
      "vpsubb %%ymm1, %%ymm2, %%ymm3\n\t" /* w = +1 */
      "vpabsb %%ymm1, %%ymm0\n\t"         /* x = 1  */
      "vmovdqa %%ymm0, %%ymm4\n\t"
      "vmovdqa %%ymm0, %%ymm5\n\t"
      "vmovdqa %%ymm0, %%ymm6\n\t"
      "vmovdqa %%ymm0, %%ymm7\n\t"
      "vmovdqa %%ymm0, %%ymm8\n\t"
      "vmovdqa %%ymm0, %%ymm9\n\t"
      "1:\n\t"
#define SA(t, w, a) "vpsignb %%ymm" #w ", %%ymm0, %%ymm" #t "\n\tvpaddb %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n\t"
      SA(10, 1, 4) SA(11, 2, 5) SA(12, 3, 6) SA(13, 1, 7) SA(14, 2, 8) SA(15, 3, 9)
      SA(10, 3, 4) SA(11, 1, 5) SA(12, 2, 6) SA(13, 3, 7) SA(14, 1, 8) SA(15, 2, 9)
#undef SA
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc");
}

static void shuf_add(int64_t n) {
  __asm__ volatile(
      "vmovdqa (%[t]), %%ymm0\n\t"
      "vmovdqa 32(%[t]), %%ymm1\n\t"
      "vmovdqa 64(%[t]), %%ymm2\n\t"
      "vmovdqa 96(%[t]), %%ymm3\n\t"
      "vpxor %%ymm4, %%ymm4, %%ymm4\n\t"
      "vmovdqa %%ymm4, %%ymm5\n\t"
      "vmovdqa %%ymm4, %%ymm6\n\t"
      "vmovdqa %%ymm4, %%ymm7\n\t"
      "vmovdqa %%ymm4, %%ymm8\n\t"
      "vmovdqa %%ymm4, %%ymm9\n\t"
      "1:\n\t"
#define SH(t, i, a) "vpshufb %%ymm" #i ", %%ymm0, %%ymm" #t "\n\tvpaddb %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n\t"
      SH(10, 1, 4) SH(11, 2, 5) SH(12, 3, 6) SH(13, 1, 7) SH(14, 2, 8) SH(15, 3, 9)
      SH(10, 3, 4) SH(11, 1, 5) SH(12, 2, 6) SH(13, 3, 7) SH(14, 1, 8) SH(15, 2, 9)
#undef SH
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      : [t] "r"(wstream)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");
}

static void shuf_add_mem(int64_t n) {
  __asm__ volatile(
      "vmovdqa (%[t]), %%ymm0\n\t"
      "vpxor %%ymm4, %%ymm4, %%ymm4\n\t"
      "vmovdqa %%ymm4, %%ymm5\n\t"
      "vmovdqa %%ymm4, %%ymm6\n\t"
      "vmovdqa %%ymm4, %%ymm7\n\t"
      "vmovdqa %%ymm4, %%ymm8\n\t"
      "vmovdqa %%ymm4, %%ymm9\n\t"
      "1:\n\t"
#define SM(t, o, a) "vpshufb " #o "(%[t]), %%ymm0, %%ymm" #t "\n\tvpaddb %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n\t"
      SM(10, 32, 4) SM(11, 64, 5) SM(12, 96, 6) SM(13, 128, 7) SM(14, 160, 8) SM(15, 192, 9)
      SM(10, 224, 4) SM(11, 256, 5) SM(12, 288, 6) SM(13, 320, 7) SM(14, 352, 8) SM(15, 384, 9)
#undef SM
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      : [t] "r"(wstream)
      : "xmm0", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15", "cc", "memory");
}

/* Rows spread over 8 groups of 27 x 32 bytes (the prototype's table). */
#define ROWS16(OP)                                                         \
  OP(0, 0 * 864 + 5 * 32) OP(1, 1 * 864 + 17 * 32) OP(2, 2 * 864 + 26 * 32) \
  OP(3, 3 * 864 + 0 * 32) OP(4, 4 * 864 + 9 * 32) OP(5, 5 * 864 + 13 * 32)  \
  OP(6, 6 * 864 + 21 * 32) OP(7, 7 * 864 + 2 * 32) OP(0, 0 * 864 + 11 * 32) \
  OP(1, 1 * 864 + 3 * 32) OP(2, 2 * 864 + 19 * 32) OP(3, 3 * 864 + 25 * 32) \
  OP(4, 4 * 864 + 7 * 32) OP(5, 5 * 864 + 14 * 32) OP(6, 6 * 864 + 1 * 32)  \
  OP(7, 7 * 864 + 23 * 32)

static void row_add(int64_t n) {
  __asm__ volatile(
      "vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
      "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\tvmovdqa %%ymm0, %%ymm3\n\t"
      "vmovdqa %%ymm0, %%ymm4\n\tvmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm6\n\t"
      "vmovdqa %%ymm0, %%ymm7\n\t"
      "1:\n\t"
#define RA(a, off) \
  "vmovdqu " #off "(%[t]), %%ymm15\n\tvpaddb %%ymm15, %%ymm" #a ", %%ymm" #a "\n\t"
      ROWS16(RA) ROWS16(RA)
#undef RA
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      : [t] "r"(table)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm15", "cc",
        "memory");
}

/* The fused row-add loop over registers V0-V7 (ymm or zmm), zeroed by XOR
 * and MOV, one ADD(accumulator, offset) per row of ROWS16, twice. */
#define FUSED_LOOP(V, XOR, MOV, ADD)                                          \
  __asm__ volatile(                                                         \
      XOR " %%" V "0, %%" V "0, %%" V "0\n\t"                                 \
      MOV " %%" V "0, %%" V "1\n\t" MOV " %%" V "0, %%" V "2\n\t"            \
      MOV " %%" V "0, %%" V "3\n\t" MOV " %%" V "0, %%" V "4\n\t"            \
      MOV " %%" V "0, %%" V "5\n\t" MOV " %%" V "0, %%" V "6\n\t"            \
      MOV " %%" V "0, %%" V "7\n\t"                                          \
      "1:\n\t" ROWS16(ADD) ROWS16(ADD)                                       \
      "dec %[n]\n\t"                                                         \
      "jnz 1b\n\t"                                                           \
      : [n] "+r"(n)                                                         \
      : [t] "r"(table)                                                      \
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "cc", "memory")

#define RF(a, off) "vpaddb " #off "(%[t]), %%ymm" #a ", %%ymm" #a "\n\t"
static void row_add_fused(int64_t n) { FUSED_LOOP("ymm", "vpxor", "vmovdqa", RF); }
#undef RF

/* 4 channels x 8 groups: the qwords at w, w+8, w+16, w+24 hold the 8 row
 * bytes (index*4) of channels 0..3; the loop walks 16 such blocks of 32
 * bytes (512 bytes of weights, L1) and the same 8-group table. */
#define DEC2(q, a, g)                                                      \
  "movzbl %%" #q "l, %%ecx\n\t"                                             \
  "vpaddb " #g "*864(%[t],%%rcx,8), %%ymm" #a ", %%ymm" #a "\n\t"          \
  "movzbl %%" #q "h, %%edx\n\t"                                             \
  "vpaddb " #g "*864+864(%[t],%%rdx,8), %%ymm" #a ", %%ymm" #a "\n\t"      \
  "shr $16, %%r" #q "x\n\t"
#define DEC8(q, a) DEC2(q, a, 0) DEC2(q, a, 2) DEC2(q, a, 4) DEC2(q, a, 6)
static void row_add_decode(int64_t n) {
  __asm__ volatile(
      "vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
      "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\tvmovdqa %%ymm0, %%ymm3\n\t"
      "1:\n\t"
      "xor %%esi, %%esi\n\t"
      "2:\n\t"
      "mov (%[w],%%rsi), %%rax\n\t"
      "mov 8(%[w],%%rsi), %%rbx\n\t"
      "mov 16(%[w],%%rsi), %%r8\n\t"
      "mov 24(%[w],%%rsi), %%r9\n\t"
      /* two channels on rax/rbx (byte halves), two on r8/r9 through a
       * copy into the a/b registers after the first pair is done */
      DEC8(a, 0) DEC8(b, 1)
      "mov %%r8, %%rax\n\t"
      "mov %%r9, %%rbx\n\t"
      DEC8(a, 2) DEC8(b, 3)
      "add $32, %%rsi\n\t"
      "cmp $512, %%rsi\n\t"
      "jne 2b\n\t"
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      : [t] "r"(table), [w] "r"(wstream)
      : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "xmm0", "xmm1", "xmm2", "xmm3", "cc",
        "memory");
}

/* The same with 64-pixel rows (two registers per channel): one decoded
 * offset (a byte = row index * 8) serves two row adds, halving the decode
 * work per add; the table is 27 x 64 bytes per group. */
#define DEC2W(q, a, b, g)                                                  \
  "movzbl %%" #q "l, %%ecx\n\t"                                             \
  "vpaddb " #g "*1728(%[t],%%rcx,8), %%ymm" #a ", %%ymm" #a "\n\t"         \
  "vpaddb " #g "*1728+32(%[t],%%rcx,8), %%ymm" #b ", %%ymm" #b "\n\t"      \
  "movzbl %%" #q "h, %%edx\n\t"                                             \
  "vpaddb " #g "*1728+1728(%[t],%%rdx,8), %%ymm" #a ", %%ymm" #a "\n\t"    \
  "vpaddb " #g "*1728+1760(%[t],%%rdx,8), %%ymm" #b ", %%ymm" #b "\n\t"    \
  "shr $16, %%r" #q "x\n\t"
#define DEC8W(q, a, b) DEC2W(q, a, b, 0) DEC2W(q, a, b, 2) DEC2W(q, a, b, 4) DEC2W(q, a, b, 6)
static void row_add_decode64(int64_t n) {
  __asm__ volatile(
      "vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
      "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\tvmovdqa %%ymm0, %%ymm3\n\t"
      "vmovdqa %%ymm0, %%ymm4\n\tvmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm6\n\t"
      "vmovdqa %%ymm0, %%ymm7\n\t"
      "1:\n\t"
      "xor %%esi, %%esi\n\t"
      "2:\n\t"
      "mov (%[w],%%rsi), %%rax\n\t"
      "mov 8(%[w],%%rsi), %%rbx\n\t"
      "mov 16(%[w],%%rsi), %%r8\n\t"
      "mov 24(%[w],%%rsi), %%r9\n\t"
      DEC8W(a, 0, 1) DEC8W(b, 2, 3)
      "mov %%r8, %%rax\n\t"
      "mov %%r9, %%rbx\n\t"
      DEC8W(a, 4, 5) DEC8W(b, 6, 7)
      "add $32, %%rsi\n\t"
      "cmp $512, %%rsi\n\t"
      "jne 2b\n\t"
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      : [t] "r"(table), [w] "r"(wstream)
      : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
        "xmm5", "xmm6", "xmm7", "cc", "memory");
}

/* One group's 27 rows: idx = (w0+1) + 3(w1+1) + 9(w2+1), row idx*32;
 * written out (as bench/lut/lut_gemm.c's build_group) so that the
 * values stay in registers: 3 loads, 26 byte subtractions/additions, 26
 * stores (row 13, all weights zero, is never written). */
#define ST(i, v) _mm256_store_si256((__m256i *)(t + (i) * 32), v)
#define L3(i, v)                                                             \
  ST(i, _mm256_sub_epi8(v, d2));                                             \
  ST(9 + (i), v);                                                            \
  ST(18 + (i), _mm256_add_epi8(v, d2))
static inline __attribute__((always_inline)) void build27_one(const uint8_t *x0,
                                                              const uint8_t *x1,
                                                              const uint8_t *x2, __m256i z,
                                                              uint8_t *t) {
  __m256i d0 = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)x0), z);
  __m256i d1 = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)x1), z);
  __m256i d2 = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)x2), z);
  __m256i n0 = _mm256_sub_epi8(_mm256_setzero_si256(), d0);
  __m256i v0 = _mm256_sub_epi8(n0, d1), v1 = _mm256_sub_epi8(_mm256_setzero_si256(), d1);
  __m256i v2 = _mm256_sub_epi8(d0, d1), v6 = _mm256_add_epi8(n0, d1);
  __m256i v8 = _mm256_add_epi8(d0, d1);
  L3(0, v0);
  L3(1, v1);
  L3(2, v2);
  L3(3, n0);
  ST(4, _mm256_sub_epi8(_mm256_setzero_si256(), d2));
  ST(22, d2);
  L3(5, d0);
  L3(6, v6);
  L3(7, d1);
  L3(8, v8);
}
#undef L3
#undef ST

static void build27(int64_t n) {
  __m256i z = _mm256_set1_epi8(3);
  for (int64_t i = 0; i < n; i++)
    for (int g = 0; g < 24; g++)
      build27_one(wstream + 96 * (g & 7), wstream + 96 * (g & 7) + 32, wstream + 96 * (g & 7) + 64,
                  z, table + g * 864);
  __asm__ volatile("" ::: "memory");
}


/* acc8_ternary_x_u8_8x128_lut3__avx512bw's row adds: per group a qword of
 * 8 offsets (byte = row index * 8), each decoded once for two zmm adds.
 * zmm registers in inline assembly need no -mavx512 flag; main runs these
 * only where the CPU has AVX-512BW. */
#define Z2(q, a, b, c, d)                                                  \
  "movzbl %%" #q "l, %%ecx\n\t"                                             \
  "movzbl %%" #q "h, %%edx\n\t"                                             \
  "vpaddb (%[t],%%rcx,8), %%zmm" #a ", %%zmm" #a "\n\t"                     \
  "vpaddb 1728(%[t],%%rcx,8), %%zmm" #b ", %%zmm" #b "\n\t"                 \
  "vpaddb (%[t],%%rdx,8), %%zmm" #c ", %%zmm" #c "\n\t"                     \
  "vpaddb 1728(%[t],%%rdx,8), %%zmm" #d ", %%zmm" #d "\n\t"                 \
  "shr $16, %%r" #q "x\n\t"
static void row_add_decode_zmm(int64_t n) {
  __asm__ volatile(
      "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
      "vmovdqa64 %%zmm0, %%zmm1\n\tvmovdqa64 %%zmm0, %%zmm2\n\tvmovdqa64 %%zmm0, %%zmm3\n\t"
      "vmovdqa64 %%zmm0, %%zmm4\n\tvmovdqa64 %%zmm0, %%zmm5\n\tvmovdqa64 %%zmm0, %%zmm6\n\t"
      "vmovdqa64 %%zmm0, %%zmm7\n\tvmovdqa64 %%zmm0, %%zmm8\n\tvmovdqa64 %%zmm0, %%zmm9\n\t"
      "vmovdqa64 %%zmm0, %%zmm10\n\tvmovdqa64 %%zmm0, %%zmm11\n\tvmovdqa64 %%zmm0, %%zmm12\n\t"
      "vmovdqa64 %%zmm0, %%zmm13\n\tvmovdqa64 %%zmm0, %%zmm14\n\tvmovdqa64 %%zmm0, %%zmm15\n\t"
      "1:\n\t"
      "xor %%esi, %%esi\n\t"
      "mov %[t], %%r8\n\t"
      "2:\n\t"
      "mov (%[w],%%rsi), %%rax\n\t"
      "mov 8(%[w],%%rsi), %%rbx\n\t"
      "xchg %[t], %%r8\n\t"
      Z2(a, 0, 1, 2, 3) Z2(a, 4, 5, 6, 7) Z2(a, 8, 9, 10, 11) Z2(a, 12, 13, 14, 15)
      "add $3456, %[t]\n\t"
      Z2(b, 0, 1, 2, 3) Z2(b, 4, 5, 6, 7) Z2(b, 8, 9, 10, 11) Z2(b, 12, 13, 14, 15)
      "add $3456, %[t]\n\t"
      "xchg %[t], %%r8\n\t"
      "add $16, %%rsi\n\t"
      "cmp $64, %%rsi\n\t"
      "jne 2b\n\t"
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      : [t] "r"(table), [w] "r"(wstream)
      : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
        "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
        "cc", "memory");
}
#undef Z2

/* vpaddb zmm, zmm, [row] at fixed 64-byte-aligned offsets, no decode: the
 * L1 load ceiling of the zmm row add (16 accumulators). */
#define RZ(a, off) "vpaddb 2*" #off "(%[t]), %%zmm" #a ", %%zmm" #a "\n\t"
static void row_add_fused_zmm(int64_t n) { FUSED_LOOP("zmm", "vpxord", "vmovdqa64", RZ); }
#undef RZ

/* One group's 27 rows of 64 pixels in zmm (the kernel's build_group,
 * lut3.h's order written out as build27_one): 3 loads, 26 adds or
 * subtractions, 26 stores. */
#define ZS(i, v) "vmovdqu64 %%zmm" #v ", " #i "*64(%[t])\n\t"
static void build27_zmm(int64_t n) {
  uint8_t *t;
  __asm__ volatile(
      "vpxord %%zmm15, %%zmm15, %%zmm15\n\t"
      "1:\n\t"
      "mov %[t0], %[t]\n\t"
      "xor %%esi, %%esi\n\t"
      "2:\n\t"
      "vmovdqu64 (%[x],%%rsi), %%zmm0\n\t"        /* d0 */
      "vmovdqu64 64(%[x],%%rsi), %%zmm1\n\t"      /* d1 */
      "vmovdqu64 128(%[x],%%rsi), %%zmm2\n\t"     /* d2 */
      "vpsubb %%zmm0, %%zmm15, %%zmm3\n\t"        /* -d0 */
      "vpsubb %%zmm1, %%zmm3, %%zmm4\n\t"         /* -d0-d1 */
      "vpsubb %%zmm1, %%zmm15, %%zmm5\n\t"        /* -d1 */
      "vpsubb %%zmm1, %%zmm0, %%zmm6\n\t"         /* d0-d1 */
      "vpaddb %%zmm1, %%zmm3, %%zmm7\n\t"         /* -d0+d1 */
      "vpaddb %%zmm1, %%zmm0, %%zmm8\n\t"         /* d0+d1 */
      "vpsubb %%zmm2, %%zmm15, %%zmm9\n\t"        /* -d2 */
#define ZL3(i, v) "vpsubb %%zmm2, %%zmm" #v ", %%zmm10\n\t" ZS(i, 10) ZS(9 + i, v)        \
      "vpaddb %%zmm2, %%zmm" #v ", %%zmm11\n\t" ZS(18 + i, 11)
      ZL3(0, 4) ZL3(1, 5) ZL3(2, 6) ZL3(3, 3) ZS(4, 9) ZS(22, 2) ZL3(5, 0) ZL3(6, 7)
      ZL3(7, 1) ZL3(8, 8)
#undef ZL3
      "add $1728, %[t]\n\t"
      "add $192, %%rsi\n\t"
      "cmp $3072, %%rsi\n\t"
      "jne 2b\n\t"
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n), [t] "=&r"(t)
      : [t0] "r"(table), [x] "r"(wstream)
      : "rsi", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm15", "cc", "memory");
}
#undef ZS

static void clock_chain(int64_t n) {
  __asm__ volatile(
      "xor %%eax, %%eax\n\t"
      "1:\n\t"
#define C4 "add $1, %%rax\n\tadd $1, %%rax\n\tadd $1, %%rax\n\tadd $1, %%rax\n\t"
      C4 C4 C4 C4 C4 C4 C4 C4
#undef C4
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      : [n] "+r"(n)
      :
      : "rax", "cc");
}

static double now(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 31;
  for (size_t i = 0; i < sizeof wstream; i++) wstream[i] = (uint8_t)((i * 37u) % 27u * 4u);
  for (size_t i = 0; i < sizeof table; i++) table[i] = (uint8_t)(i * 13u);
  /* iters give ~1-4 ms per run at ~3 GHz */
  loop loops[] = {
      {"sign_add (vpsignb+vpaddb)", 12 * 32, 1 << 15, sign_add, 0},
      {"shuf_add (vpshufb+vpaddb, idx in regs)", 12 * 64, 1 << 15, shuf_add, 0},
      {"shuf_add_mem (vpshufb idx from L1 + vpaddb)", 12 * 64, 1 << 15, shuf_add_mem, 0},
      {"row_add (vmovdqu L1 row + vpaddb)", 32 * 96, 1 << 14, row_add, 0},
      {"row_add_fused (vpaddb ymm,[L1 row])", 32 * 96, 1 << 14, row_add_fused, 0},
      {"row_add_decode (4 ch x 8 groups, offsets from qwords)", 16 * 32 * 96, 1 << 10,
       row_add_decode, 0},
      {"row_add_decode64 (4 ch x 8 groups x 64 px, one offset per 2 adds)", 16 * 64 * 96,
       1 << 9, row_add_decode64, 0},
      {"build27 (ns per group of 32 px; MACs = 96/group/channel)", 24 * 96, 1 << 10, build27, 96},
      {"row_add_fused_zmm (vpaddb zmm,[L1 row], no decode)", 32 * 192, 1 << 14,
       row_add_fused_zmm, 0},
      {"row_add_decode_zmm (8 ch x 8 groups x 128 px, as the AVX-512 kernel)", 8 * 8 * 128 * 3,
       1 << 11, row_add_decode_zmm, 0},
      {"build27_zmm (ns per group of 64 px; MACs = 192/group/channel)", 16 * 192, 1 << 10,
       build27_zmm, 192},
      {"clock (dependent adds: G adds/s = GHz)", 32, 1 << 16, clock_chain, 0},
  };
  int L = sizeof loops / sizeof loops[0];
  if (!__builtin_cpu_supports("avx512bw")) { /* drop the three zmm loops */
    loops[L - 4] = loops[L - 1];
    L -= 3;
  }
  double *rate = calloc((size_t)rounds * L, sizeof(double));
  double *wrate = calloc((size_t)rounds * L, sizeof(double));
  for (int i = 0; i < L; i++) loops[i].fn(loops[i].iters / 8); /* warm up */
  for (int r = 0; r < rounds; r++)
    for (int j = 0; j < L; j++) {
      int i = (j + r) % L;
      double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
      loops[i].fn(loops[i].iters);
      double c1 = now(CLOCK_THREAD_CPUTIME_ID), w1 = now(CLOCK_MONOTONIC);
      rate[i * rounds + r] = loops[i].macs_per_iter * loops[i].iters / (c1 - c0) * 1e-9;
      wrate[i * rounds + r] = loops[i].macs_per_iter * loops[i].iters / (w1 - w0) * 1e-9;
    }
  double ghz_med = 0, ghz_best = 0;
  {
    double *c = rate + (L - 1) * rounds;
    qsort(c, rounds, sizeof(double), cmp);
    ghz_med = c[rounds / 2];
    ghz_best = c[rounds - 1];
  }
  printf("%d interleaved rounds, thread CPU time; clock (dependent adds) median %.2f GHz, best %.2f\n",
         rounds, ghz_med, ghz_best);
  printf("%-58s %9s %9s %9s %12s\n", "loop", "med GMAC/s", "best", "wall med", "MAC/cycle(best)");
  for (int i = 0; i < L - 1; i++) {
    double *c = rate + i * rounds, *w = wrate + i * rounds;
    qsort(c, rounds, sizeof(double), cmp);
    qsort(w, rounds, sizeof(double), cmp);
    printf("%-58s %9.1f %9.1f %9.1f %12.1f", loops[i].name, c[rounds / 2], c[rounds - 1],
           w[rounds / 2], c[rounds - 1] / ghz_best);
    if (loops[i].group_macs > 0)
      printf("   = %.2f ns/group (med), %.1f cycles/group (best)",
             loops[i].group_macs / c[rounds / 2], loops[i].group_macs / c[rounds - 1] * ghz_best);
    printf("\n");
  }
  free(rate);
  free(wrate);
  return 0;
}
