/* The activation codes check of every call: no code may reach past the
 * format's width (kernels are proven only for codes below 2^bits).  It
 * reads all of X, so it runs at load bandwidth, on the context's threads
 * for a large X, and through an ISA folder's version where this CPU has one
 * (isa.h). */
#include <stdatomic.h>
#include <string.h>

#include "internal.h"

/* Whether any byte of p[0..n) has a bit of `over` set, eight bytes per word
 * and four independent words per step: a byte loop would cost as much as
 * an 8-bit GEMM itself. */
static int any_bits(const uint8_t *p, int64_t n, uint8_t over) {
  uint64_t mask = over * 0x0101010101010101ull, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    memcpy(w, p + i, sizeof w);
    a0 |= w[0];
    a1 |= w[1];
    a2 |= w[2];
    a3 |= w[3];
  }
  uint64_t acc = a0 | a1 | a2 | a3;
  uint8_t tail = 0;
  for (; i < n; i++) tail |= p[i];
  return (acc & mask) != 0 || (tail & over) != 0;
}

static int codes_fit_portable(const uint8_t *x, int64_t r, int64_t c, int64_t ld, uint8_t over) {
  if (ld == c) return !any_bits(x, r * c, over); /* dense: one run */
  for (int64_t i = 0; i < r; i++)
    if (any_bits(x + i * ld, c, over)) return 0;
  return 1;
}

/* The first service of the table that this CPU runs and that checks codes,
 * else the portable loop. */
static wg_codes_fit_fn *codes_fit_here(void) {
  for (const wg_service *const *s = wg_services; *s; s++)
    if ((*s)->codes_fit && wg_cpu_has((*s)->cpu)) return (*s)->codes_fit;
  return codes_fit_portable;
}

int wg_codes_fit(const uint8_t *x, int64_t r, int64_t c, int64_t ld, uint8_t maxcode) {
  if (maxcode == 255) return 1;
  uint8_t over = (uint8_t)~maxcode; /* maxcode is 2^bits - 1 */
  return codes_fit_here()(x, r, c, ld, over);
}

/* The check split over the context's threads, which would otherwise wait
 * for one pass over X (docs/performance.md, "The codes check"). */
typedef struct codes_plan {
  const uint8_t *x;
  int64_t per, r, c, ld;  /* rows per task; a dense region: bytes per task */
  int dense;
  uint8_t maxcode;
  _Atomic int bad;
} codes_plan;

static void codes_task(void *arg, int64_t t, uint8_t *mem) {
  (void)mem;
  codes_plan *p = arg;
  int64_t n = p->dense ? p->r * p->c : p->r;
  int64_t a = t * p->per, b = a + p->per;
  if (b > n) b = n;
  if (a >= b || atomic_load_explicit(&p->bad, memory_order_relaxed)) return;
  int ok = p->dense ? wg_codes_fit(p->x + a, 1, b - a, b - a, p->maxcode)
                    : wg_codes_fit(p->x + a * p->ld, b - a, p->c, p->ld, p->maxcode);
  if (!ok) atomic_store_explicit(&p->bad, 1, memory_order_relaxed);
}

wg_status wg_codes_check(wg_context *ctx, const uint8_t *x, int64_t r, int64_t c, int64_t ld,
                         uint8_t maxcode) {
  int par = ctx->runner ? ctx->runner_par : ctx->threads;
  /* Below a few hundred KiB the hand-off costs more than it saves. */
  if (par < 2 || maxcode == 255 || r * c < ((int64_t)1 << 18))
    return wg_codes_fit(x, r, c, ld, maxcode) ? WG_OK : WG_ERR_BAD_CODE;
  /* A dense region (a conv2d input is one row) splits by bytes, a strided
   * one by its rows. */
  codes_plan p = {.x = x, .r = r, .c = c, .ld = ld, .dense = ld == c, .maxcode = maxcode};
  atomic_init(&p.bad, 0);
  int64_t n = p.dense ? r * c : r, tasks = 2 * (int64_t)par < n ? 2 * (int64_t)par : n;
  p.per = (n + tasks - 1) / tasks;
  wg_status st = wg_run_tasks(ctx, codes_task, &p, 0, (n + p.per - 1) / p.per);
  if (st != WG_OK) return st;
  return atomic_load(&p.bad) ? WG_ERR_BAD_CODE : WG_OK;
}
