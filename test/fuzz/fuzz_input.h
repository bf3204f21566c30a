/* What both libFuzzer harnesses take from the input bytes: a cursor that
 * reads zeros once the bytes run out, and the per-row epilogue arrays. */
#ifndef WG_FUZZ_INPUT_H
#define WG_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wrapgemm.h"

typedef struct cursor {
  const uint8_t *p;
  size_t n;
} cursor;

static inline unsigned take(cursor *c) {
  if (!c->n) return 0;
  c->n--;
  return *c->p++;
}

/* Finite scales and biases, valid multipliers and shifts, any qbias, for n
 * rows, attached to ep with an output zero point in range (ep->out_bits
 * already set). */
typedef struct fuzz_epi_rows {
  float scale[64], bias[64];
  int32_t mult[64], shift[64], qbias[64];
} fuzz_epi_rows;

static inline void fuzz_epilogue_rows(cursor *c, int n, fuzz_epi_rows *r, wg_epilogue *ep) {
  for (int i = 0; i < n; i++) {
    r->scale[i] = (float)((int)take(c) - 128) / 64.0f;
    r->bias[i] = (float)((int)take(c) - 128) / 8.0f;
    r->mult[i] = (int32_t)((1u << 30) + take(c) * 4000000u);
    r->shift[i] = (int32_t)(take(c) % 20) - 15;
    r->qbias[i] = (int32_t)take(c) - 128;
  }
  ep->scale = r->scale;
  ep->bias = r->bias;
  ep->multiplier = r->mult;
  ep->shift = r->shift;
  ep->qbias = r->qbias;
  ep->out_zero_point = (int)(take(c) % (1u << ep->out_bits));
}

/* The contract on errors: nothing written (y was filled with 0xEE). */
static inline void fuzz_untouched_unless_ok(wg_status st, const unsigned char *y, size_t n) {
  if (st == WG_OK) return;
  for (size_t i = 0; i < n; i++)
    if (y[i] != 0xEE) abort(); /* written on error */
}

#endif
