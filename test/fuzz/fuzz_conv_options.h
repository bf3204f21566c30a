/* What fuzz_conv adds for wg_conv2d_ex: groups (ungrouped, depthwise with a
 * channel multiplier, or a divisor of C), an output slice (T channels of
 * which the call writes [o, o + M)) and one planted fault of the options,
 * from three bytes after the seed.  Inputs without them (the older corpus
 * files) decode to no options: the plain wg_conv2d, as before. */
#ifndef WG_FUZZ_CONV_OPTIONS_H
#define WG_FUZZ_CONV_OPTIONS_H

#include "fuzz_input.h"

typedef enum fuzz_opt_fault {
  FUZZ_OPT_NONE = 0,
  FUZZ_OPT_NEGATIVE,   /* a field below 0: BAD_SIZE                         */
  FUZZ_OPT_OVERFLOW,   /* a field >= 2^31: SIZE_OVERFLOW                    */
  FUZZ_OPT_GROUPS_C,   /* C not a multiple of G: BAD_SIZE                   */
  FUZZ_OPT_SLICE,      /* T < o + M: BAD_STRIDE (window checked first)      */
  FUZZ_OPT_OTHER_G,    /* weights packed for another G: UNSUPPORTED (same)  */
  FUZZ_OPT_MISALIGNED, /* opt not aligned to its struct: MISALIGNED         */
  FUZZ_OPT_FAULTS
} fuzz_opt_fault;

typedef struct fuzz_conv_opts {
  wg_conv2d_options opt; /* the valid options (the reference's)            */
  int64_t groups;        /* G of the problem, >= 1                         */
  int64_t pack_groups;   /* G the weights are packed for                   */
  int depthwise;         /* G = C by construction, rows per group = mult   */
  int64_t mult;          /* depthwise channel multiplier 1..3              */
  int use;               /* the call gets options (else NULL: wg_conv2d)   */
  int plan_first;        /* wg_plan_conv2d_ex before the call, else after  */
  unsigned gb, sb;       /* the groups and slice bytes                     */
  fuzz_opt_fault fault;
} fuzz_conv_opts;

/* The three bytes: groups (b % 4: 0 ungrouped, groups field 0 or 1; 1 and 3
 * depthwise, multiplier 1..3 or 1; 2 a divisor of C), slice (odd: T = M +
 * 0..7, o in [0, T - M]; even, nonzero: explicit zeros), option fault (one
 * in 3 from 160 up; bit 0 also orders the plan before the call). */
static inline fuzz_conv_opts fuzz_conv_opts_of(unsigned gb, unsigned sb, unsigned fb) {
  fuzz_conv_opts co;
  memset(&co, 0, sizeof co);
  co.gb = gb;
  co.sb = sb;
  co.groups = co.pack_groups = 1;
  co.depthwise = gb % 2 == 1;
  co.mult = gb % 4 == 1 ? 1 + gb / 4 % 3 : 1;
  co.opt.groups = gb % 4 == 0 ? gb / 4 % 2 : 0;
  co.plan_first = (int)(fb & 1);
  co.fault = fb < 160 ? FUZZ_OPT_NONE : (fuzz_opt_fault)(1 + (fb - 160) / 2 % (FUZZ_OPT_FAULTS - 1));
  co.use = gb || sb || (co.fault && co.fault != FUZZ_OPT_OTHER_G);
  return co;
}

/* Sets G (and C for a depthwise problem: 1 .. 64 / multiplier, so that M
 * stays within the FUZZ_MAX_ROWS epilogue rows) from the channel byte cc. */
static inline void fuzz_conv_groups(fuzz_conv_opts *co, unsigned cc, int64_t *channels) {
  if (co->depthwise) {
    *channels = 1 + (int64_t)cc % (FUZZ_MAX_ROWS / co->mult);
    co->groups = *channels;
  } else if (co->gb % 4 == 2) {
    int64_t div[FUZZ_MAX_ROWS];
    int n = 0;
    for (int64_t g = 2; g <= *channels && g <= FUZZ_MAX_ROWS; g++)
      if (*channels % g == 0) div[n++] = g;
    co->groups = n ? div[co->gb / 4 % (unsigned)n] : 1;
  }
  if (co->groups > 1) co->opt.groups = co->groups;
  co->pack_groups = co->groups;
}

/* The rows per group before the work cap: the multiplier, or from the
 * output-channel byte (at most FUZZ_MAX_ROWS rows in all). */
static inline int64_t fuzz_conv_group_rows(const fuzz_conv_opts *co, unsigned mb) {
  return co->depthwise ? co->mult : 1 + (int64_t)mb % (FUZZ_MAX_ROWS / co->groups);
}

/* The slice of a tensor of T channels, for M output channels. */
static inline void fuzz_conv_slice(fuzz_conv_opts *co, int64_t m) {
  if (co->sb % 2 == 0) return;
  int64_t extra = co->sb / 2 % 8;
  co->opt.out_channels = m + extra;
  co->opt.out_channel_offset = (int64_t)(co->sb / 16) % (extra + 1);
}

/* G for weights of M rows packed for another G than the problem's, or 0 if
 * there is none (M = 1 and G = 1). */
static inline int64_t fuzz_other_groups(fuzz_rng *r, int64_t g, int64_t m) {
  int64_t div[FUZZ_MAX_ROWS];
  int n = 0;
  for (int64_t d = 1; d <= m; d++)
    if (m % d == 0 && d != g) div[n++] = d;
  return n ? div[rng_below(r, (uint32_t)n)] : 0;
}

/* The options the call gets, with the planted fault, into *bad; its status
 * into *want.  C is the problem's channels and window whether the window
 * fits (checked before the slice and the weights' G).  A fault this problem
 * cannot have becomes none. */
static inline void fuzz_conv_plant(fuzz_rng *r, fuzz_conv_opts *co, int64_t channels, int64_t m,
                                   int window, wg_conv2d_options *bad, wg_status *want) {
  *bad = co->opt;
  int64_t *field[3] = {&bad->groups, &bad->out_channels, &bad->out_channel_offset};
  int64_t *f = co->fault == FUZZ_OPT_NEGATIVE || co->fault == FUZZ_OPT_OVERFLOW
                   ? field[rng_below(r, 3)]
                   : NULL; /* no draw otherwise: inputs without options keep their data */
  switch (co->fault) {
    case FUZZ_OPT_NEGATIVE: {
      static const int64_t neg[4] = {-1, -2, -((int64_t)1 << 31), INT64_MIN};
      *f = neg[rng_below(r, 4)];
      *want = WG_ERR_BAD_SIZE;
      break;
    }
    case FUZZ_OPT_OVERFLOW: {
      static const int64_t big[3] = {(int64_t)1 << 31, ((int64_t)1 << 31) + 7, INT64_MAX};
      *f = big[rng_below(r, 3)];
      *want = WG_ERR_SIZE_OVERFLOW;
      break;
    }
    case FUZZ_OPT_GROUPS_C: /* C + 1 never divides C */
      do bad->groups = 2 + (int64_t)rng_below(r, (uint32_t)channels + 2);
      while (channels % bad->groups == 0);
      *want = WG_ERR_BAD_SIZE;
      break;
    case FUZZ_OPT_SLICE:
      bad->out_channel_offset = rng_below(r, 4);
      if (bad->out_channel_offset + m < 2) bad->out_channel_offset = 1;
      bad->out_channels = 1 + rng_below(r, (uint32_t)(bad->out_channel_offset + m - 1));
      *want = window ? WG_ERR_BAD_STRIDE : WG_ERR_BAD_SIZE;
      break;
    case FUZZ_OPT_OTHER_G:
      co->pack_groups = fuzz_other_groups(r, co->groups, m);
      if (!co->pack_groups) co->pack_groups = co->groups, co->fault = FUZZ_OPT_NONE;
      *want = !co->fault ? WG_OK : window ? WG_ERR_UNSUPPORTED : WG_ERR_BAD_SIZE;
      break;
    case FUZZ_OPT_MISALIGNED: *want = WG_ERR_MISALIGNED; break;
    default: *want = WG_OK;
  }
}

/* A copy of o at a misaligned address inside buf (at least 2 options). */
static inline const wg_conv2d_options *fuzz_misaligned_opts(fuzz_rng *r,
                                                            const wg_conv2d_options *o,
                                                            wg_conv2d_options *buf) {
  unsigned char *p = (unsigned char *)buf + 1 + rng_below(r, _Alignof(wg_conv2d_options) - 1);
  memcpy(p, o, sizeof *o);
  return (const wg_conv2d_options *)(const void *)p;
}

/* The output elements [lo, hi) the call may write (the slice's range,
 * stride gaps included), of a tensor of T channels and p pixels. */
static inline void fuzz_slice_range(const wg_conv2d_desc *d, const wg_conv2d_options *o,
                                    int64_t m, int64_t p, int64_t *lo, int64_t *hi) {
  int64_t t = o->out_channels ? o->out_channels : m, at = o->out_channel_offset;
  if (d->layout == WG_NCHW) {
    *lo = at * p;
    *hi = ((d->batch - 1) * t + at + m) * p;
  } else {
    *lo = at;
    *hi = (d->batch * p - 1) * t + at + m;
  }
}

#endif
