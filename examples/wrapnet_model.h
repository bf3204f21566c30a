/* A WrapNet model file (format: scripts/wrapnet/export.py) and its
 * inference: quantized layers through wg_conv2d with the fused epilogue,
 * full-precision layers (12-bit fixed point) as exact int32 loops, and float
 * models (the float and weight-only rows) in plain float. */
#ifndef WRAPNET_MODEL_H
#define WRAPNET_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <wrapgemm.h>

enum { WN_CONV3X3 = 0, WN_DENSE = 1 };

typedef struct wn_layer {
  int kind, cin, cout, height, width, pool;
  int wformat, wbits, in_bits, out_bits, acc_bits, cyclic, slope, relu;
  int64_t k;            /* depth: cin * 9 or cin                            */
  float *scale, *bias;  /* cout each                                        */
  int16_t *codes;       /* cout x k                                         */
  wg_weights *packed;   /* quantized layers (wbits <= 8) once packed        */
} wn_layer;

typedef struct wn_model {
  char name[33];
  int float_acts;
  int n;
  wn_layer *layers;
} wn_model;

/* Loads `path`; on failure returns -1 with a message in err. */
int wn_model_load(const char *path, wn_model *m, char *err, size_t errlen);
/* Packs the quantized layers' weights for ctx. */
wg_status wn_model_pack(wn_model *m, const wg_context *ctx);
void wn_model_free(wn_model *m);

/* 1 for layers that run through wrapgemm (integer codes of <= 8 bits). */
int wn_layer_quantized(const wn_layer *l);
/* Output elements per image of layer i after its pooling. */
int64_t wn_layer_out_size(const wn_layer *l);

/* How to run an integer model: acc_bits and cyclic override the quantized
 * layers' own (0 and -1 keep them).  With overflow != NULL, each quantized
 * layer's exact sums are also computed (acc 32) and overflow[i] accumulates
 * their statistics at `stats_bits`. */
typedef struct wn_run_opts {
  int acc_bits;
  int cyclic;
  int stats_bits;
  wg_overflow_stats *overflow;   /* model->n entries, or NULL */
} wn_run_opts;

/* Runs n images (uint8 pixels, n x 28 x 28) through an integer model.
 * outs[i] (if outs) receives layer i's output after pooling for all images:
 * uint8 codes, or float logits for the last layer.  logits (n x 10) always.
 * Returns WG_OK or the first failing call's status. */
wg_status wn_forward_int(wg_context *ctx, const wn_model *m,
                         const uint8_t *pixels, int64_t n,
                         const wn_run_opts *opts, void **outs, float *logits);

/* Runs n images through a float-activation model; logits n x 10.  outs[i]
 * (if outs) receives layer i's float output after pooling for all images. */
wg_status wn_forward_float(const wn_model *m, const uint8_t *pixels, int64_t n,
                           float **outs, float *logits);

#endif
