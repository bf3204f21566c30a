/* WrapNet on Fashion-MNIST with wrapgemm: the paper's Tables 1 and 6.
 *
 *   wrapnet_demo [--models DIR] [--prefix P] [--data DIR] [--images N]
 *                [--threads T]
 *       prints, for binary and for ternary weights, the test accuracy of the
 *       float net, the weight-quantized net (32-bit sums), the quantized net
 *       with quantized activations at 32 and at 8 bits without the cyclic
 *       activation (with each layer's 8-bit overflow rate), and WrapNet with
 *       8- and 12-bit accumulators (the 12-bit row only where its model
 *       exists), from DIR/P-float.wgm, DIR/P-binary-qw.wgm, ... (P: fmnist,
 *       the small net, by default; fmnist-vgg7 for the deeper one), and a
 *       row for each of EXTRAS below whose model exists (a longer float
 *       run, the SAWB 2-bit and PACT WrapNet-8 nets).  The data DIR holds
 *       the uncompressed IDX files t10k-images-idx3-ubyte and
 *       t10k-labels-idx1-ubyte.
 *   wrapnet_demo --check MODEL GOLDEN [--all-kernels]
 *       runs the golden vectors of scripts/wrapnet/export.py and compares
 *       every layer's output bit for bit (with --all-kernels: once per
 *       kernel this CPU can run, forced by name).  Exit status 0 if equal.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrapnet_model.h"

#define BATCH 100

static uint8_t *read_idx(const char *path, int ndim, int64_t *count) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char h[16];
  uint8_t *data = NULL;
  if (fread(h, 1, 4 + 4 * (size_t)ndim, f) == 4 + 4 * (size_t)ndim &&
      h[2] == 8 && h[3] == ndim) {
    int64_t total = 1;
    for (int i = 0; i < ndim; i++) {
      const unsigned char *d = h + 4 + 4 * i;
      int64_t v = (int64_t)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
      if (i == 0) *count = v;
      total *= v;
    }
    data = malloc((size_t)total);
    if (data && fread(data, 1, (size_t)total, f) != (size_t)total) {
      free(data);
      data = NULL;
    }
  }
  fclose(f);
  return data;
}

/* Loads DIR/PREFIX-SUFFIX.wgm; with `optional`, a missing file returns 1
 * without a message. */
static int load(const char *dir, const char *prefix, const char *suffix,
                wn_model *m, int optional) {
  char path[1024], err[256];
  snprintf(path, sizeof path, "%s/%s-%s.wgm", dir, prefix, suffix);
  if (optional) {
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    fclose(f);
  }
  if (wn_model_load(path, m, err, sizeof err) != 0) {
    fprintf(stderr, "wrapnet_demo: %s\n", err);
    return -1;
  }
  return 0;
}

static int argmax10(const float *v) {
  int b = 0;
  for (int i = 1; i < 10; i++)
    if (v[i] > v[b]) b = i;
  return b;
}

/* Float rows run on the caller's threads (the library parallelises only the
 * integer layers): image ranges split evenly, one per thread. */
typedef struct float_job {
  const wn_model *m;
  const uint8_t *img, *lab;
  int64_t n, correct;
  wg_status st;
} float_job;

static void *float_worker(void *arg) {
  float_job *j = arg;
  float logits[BATCH * 10];
  for (int64_t i = 0; i < j->n && j->st == WG_OK; i += BATCH) {
    int64_t b = j->n - i < BATCH ? j->n - i : BATCH;
    j->st = wn_forward_float(j->m, j->img + i * 784, b, NULL, logits);
    for (int64_t k = 0; k < b && j->st == WG_OK; k++)
      j->correct += argmax10(logits + k * 10) == j->lab[i + k];
  }
  return NULL;
}

/* Accuracy in percent of a model over n images; -1 on error. */
static double accuracy(wg_context *ctx, const wn_model *m, const uint8_t *img,
                       const uint8_t *lab, int64_t n, wn_run_opts *o) {
  int64_t correct = 0;
  wg_status st = WG_OK;
  if (m->float_acts) {
    enum { MAXT = 16 };
    float_job jobs[MAXT];
    pthread_t tid[MAXT];
    int nt = wg_context_threads(ctx);
    if (nt > MAXT) nt = MAXT;
    for (int t = 0; t < nt; t++) {
      int64_t lo = n * t / nt, hi = n * (t + 1) / nt;
      jobs[t] = (float_job){m, img + lo * 784, lab + lo, hi - lo, 0, WG_OK};
      if (t && pthread_create(&tid[t], NULL, float_worker, &jobs[t])) {
        jobs[t].st = WG_ERR_THREAD;
        tid[t] = 0;
      }
    }
    float_worker(&jobs[0]);
    for (int t = 0; t < nt; t++) {
      if (t && tid[t]) pthread_join(tid[t], NULL);
      correct += jobs[t].correct;
      if (jobs[t].st != WG_OK) st = jobs[t].st;
    }
  } else {
    float logits[BATCH * 10];
    for (int64_t i = 0; i < n && st == WG_OK; i += BATCH) {
      int64_t b = n - i < BATCH ? n - i : BATCH;
      st = wn_forward_int(ctx, m, img + i * 784, b, o, NULL, logits);
      for (int64_t j = 0; j < b && st == WG_OK; j++)
        correct += argmax10(logits + j * 10) == lab[i + j];
    }
  }
  if (st != WG_OK) {
    fprintf(stderr, "wrapnet_demo: %s: %s\n", m->name, wg_status_name(st));
    return -1.0;
  }
  return 100.0 * (double)correct / (double)n;
}

static void act_bits(const wn_model *m, char *buf, size_t len) {
  buf[0] = 0;
  for (int i = 0; i < m->n; i++) {
    if (!wn_layer_quantized(&m->layers[i])) continue;
    size_t u = strlen(buf);
    snprintf(buf + u, len - u, "%s%d", u ? "/" : "", m->layers[i].in_bits);
  }
}

static void row(const char *method, const char *acts, const char *wbits,
                int acc, double a, const char *note) {
  printf("| %-22s | %-10s | %-6s | %3d | %6.2f%% | %s |\n", method, acts, wbits,
         acc, a, note);
}

/* Each quantized layer's overflow rate, "L1 0.33%, L2 0.62%, ...". */
static void overflow_note(const wn_model *m, const wg_overflow_stats *ov,
                          char *note, size_t len) {
  note[0] = 0;
  for (int i = 0; i < m->n; i++) {
    if (!wn_layer_quantized(&m->layers[i])) continue;
    size_t u = strlen(note);
    snprintf(note + u, len - u, "%sL%d %.2f%%", u ? ", " : "", i,
             100.0 * ov[i].rate);
  }
}

/* Models outside the two weight types' chains, one row each where
 * DIR/PREFIX-SUFFIX.wgm exists: float ones (run in C float) right after the
 * float row, quantized ones (at their own accumulator width and cyclic
 * activation, with each layer's overflow rate) after the chains. */
static const struct extra_model {
  const char *suffix, *method, *wbits;
} EXTRAS[] = {
    {"float-long", "float, longer run", "32"},     /* float_curve.py's baseline */
    {"sawb2-wrap8", "WrapNet, SAWB 2-bit", "2"},   /* weights {-3,-1,1,3}*a/3 */
    {"pact-binary-wrap8", "WrapNet, PACT", "1"},   /* learned activation clips */
};

static int extra_rows(wg_context *ctx, const char *dir, const char *prefix,
                      const uint8_t *img, const uint8_t *lab, int64_t n,
                      int float_models) {
  for (size_t e = 0; e < sizeof EXTRAS / sizeof EXTRAS[0]; e++) {
    wn_model m;
    int r = load(dir, prefix, EXTRAS[e].suffix, &m, 1);
    if (r < 0) return 1;
    if (r > 0) continue;
    if (m.float_acts != float_models) {
      wn_model_free(&m);
      continue;
    }
    if (m.float_acts) {
      row(EXTRAS[e].method, "32", EXTRAS[e].wbits, 32,
          accuracy(ctx, &m, img, lab, n, NULL), "");
    } else {
      char acts[64], note[512];
      wg_overflow_stats ov[64]; /* wn_model_load allows 64 layers */
      memset(ov, 0, sizeof ov);
      wn_run_opts own = {0, -1, 8, ov};
      if (wn_model_pack(&m, ctx)) {
        fprintf(stderr, "wrapnet_demo: packing failed\n");
        wn_model_free(&m);
        return 1;
      }
      int accb = 32; /* the quantized layers' own accumulator width */
      for (int i = 0; i < m.n; i++)
        if (wn_layer_quantized(&m.layers[i])) accb = m.layers[i].acc_bits;
      act_bits(&m, acts, sizeof acts);
      double a = accuracy(ctx, &m, img, lab, n, &own);
      overflow_note(&m, ov, note, sizeof note);
      row(EXTRAS[e].method, acts, EXTRAS[e].wbits, accb, a, note);
    }
    wn_model_free(&m);
  }
  return 0;
}

static int table(wg_context *ctx, const char *dir, const char *prefix,
                 const uint8_t *img, const uint8_t *lab, int64_t n) {
  wn_model fp;
  if (load(dir, prefix, "float", &fp, 0)) return 1;
  double afp = accuracy(ctx, &fp, img, lab, n, NULL);
  wn_model_free(&fp);
  printf("Fashion-MNIST, %lld test images; act bits are the quantized layers' inputs.\n\n",
         (long long)n);
  printf("| %-22s | %-10s | %-6s | %3s | %7s | %s |\n", "network", "act bits",
         "weight", "acc", "top-1", "8-bit overflow rate per quantized layer");
  printf("|%s|%s|%s|%s|%s|%s|\n", "------------------------", "------------",
         "--------", "-----", "---------", "---");
  row("float", "32", "32", 32, afp, "");
  if (extra_rows(ctx, dir, prefix, img, lab, n, 1)) return 1;
  const char *types[2] = {"binary", "ternary"}, *names[2] = {"BWN", "TWN"},
             *wb[2] = {"1", "2"};
  for (int t = 0; t < 2; t++) {
    char file[128], label[64], acts[64], note[512];
    wn_model qw, qa, w8, w12;
    snprintf(file, sizeof file, "%s-qw", types[t]);
    if (load(dir, prefix, file, &qw, 0)) return 1;
    snprintf(file, sizeof file, "%s-qa", types[t]);
    if (load(dir, prefix, file, &qa, 0)) return 1;
    snprintf(file, sizeof file, "%s-wrap8", types[t]);
    if (load(dir, prefix, file, &w8, 0)) return 1;
    snprintf(file, sizeof file, "%s-wrap12", types[t]);
    int r12 = load(dir, prefix, file, &w12, 1);
    if (r12 < 0) return 1;
    if (wn_model_pack(&qa, ctx) || wn_model_pack(&w8, ctx) ||
        (r12 == 0 && wn_model_pack(&w12, ctx))) {
      fprintf(stderr, "wrapnet_demo: packing failed\n");
      return 1;
    }
    row(names[t], "32", wb[t], 32, accuracy(ctx, &qw, img, lab, n, NULL), "");

    wn_run_opts o32 = {32, 0, 8, NULL};
    act_bits(&qa, acts, sizeof acts);
    snprintf(label, sizeof label, "%s-QA", names[t]);
    row(label, acts, wb[t], 32, accuracy(ctx, &qa, img, lab, n, &o32), "");

    /* wn_model_load allows 64 layers */
    wg_overflow_stats ov[64];
    memset(ov, 0, sizeof ov);
    wn_run_opts o8 = {8, WG_CYCLIC_NONE, 8, ov};
    double a8 = accuracy(ctx, &qa, img, lab, n, &o8);
    overflow_note(&qa, ov, note, sizeof note);
    snprintf(label, sizeof label, "%s-QA, no cyclic", names[t]);
    row(label, acts, wb[t], 8, a8, note);

    memset(ov, 0, sizeof ov);
    wn_run_opts own = {0, -1, 8, ov};
    act_bits(&w8, acts, sizeof acts);
    double aw8 = accuracy(ctx, &w8, img, lab, n, &own);
    overflow_note(&w8, ov, note, sizeof note);
    row("WrapNet", acts, wb[t], 8, aw8, note);
    own.overflow = NULL;
    if (r12 == 0) {
      act_bits(&w12, acts, sizeof acts);
      row("WrapNet", acts, wb[t], 12, accuracy(ctx, &w12, img, lab, n, &own), "");
      wn_model_free(&w12);
    }
    wn_model_free(&qw);
    wn_model_free(&qa);
    wn_model_free(&w8);
  }
  return extra_rows(ctx, dir, prefix, img, lab, n, 0);
}

/* ---- golden vectors ------------------------------------------------- */

static uint32_t u32le(const unsigned char *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
         (uint32_t)b[3] << 24;
}

/* Bytes per output element of layer i in a golden file: float32 for the
 * logits and for every layer of a float-activation model, else uint8. */
static size_t out_elem(const wn_model *m, int i) {
  return m->float_acts || m->layers[i].kind == WN_DENSE ? sizeof(float) : 1;
}

static int check_run(wg_context *ctx, const wn_model *m, const uint8_t *pix,
                     int64_t nimg, int acc, int cyc, FILE *f,
                     const char *kname) {
  void *outs[64] = {0};
  float *fouts[64] = {0}; /* the same buffers, for a float model */
  float *logits = malloc((size_t)nimg * 10 * sizeof *logits);
  int bad = !logits;
  for (int i = 0; i < m->n && !bad; i++) {
    int64_t sz = wn_layer_out_size(&m->layers[i]);
    outs[i] = malloc((size_t)(nimg * sz) * out_elem(m, i));
    fouts[i] = outs[i];
    bad = !outs[i];
  }
  wn_run_opts o = {acc, cyc, 8, NULL};
  /* Float models run in plain float (no kernel, acc and cyclic unused). */
  wg_status st = bad            ? WG_ERR_NO_MEMORY
                 : m->float_acts ? wn_forward_float(m, pix, nimg, fouts, logits)
                                 : wn_forward_int(ctx, m, pix, nimg, &o, outs, logits);
  if (st == WG_ERR_UNSUPPORTED && kname) {
    printf("  %-40s acc %2d cyclic %d: skipped (kernel cannot run this)\n",
           kname, acc, cyc);
    bad = 2;
    long run_bytes = 0;
    for (int i = 0; i < m->n; i++)
      run_bytes += (long)wn_layer_out_size(&m->layers[i]) * (long)out_elem(m, i);
    fseek(f, run_bytes * (long)nimg, SEEK_CUR);
  } else if (st != WG_OK) {
    fprintf(stderr, "wrapnet_demo: forward failed: %s\n", wg_status_name(st));
    bad = 1;
  }
  /* The golden file stores image by image, layer by layer. */
  for (int64_t im = 0; im < nimg && !bad; im++)
    for (int i = 0; i < m->n && !bad; i++) {
      int64_t sz = wn_layer_out_size(&m->layers[i]);
      size_t el = out_elem(m, i);
      static unsigned char want[1 << 20];
      if (sz * (int64_t)el > (int64_t)sizeof want ||
          fread(want, el, (size_t)sz, f) != (size_t)sz) {
        fprintf(stderr, "wrapnet_demo: golden file truncated\n");
        bad = 1;
        break;
      }
      /* Float outputs are stored little-endian: compare them in this
       * machine's byte order. */
      if (el == sizeof(uint32_t))
        for (int64_t j = 0; j < sz; j++) {
          uint32_t v = u32le(want + 4 * j);
          memcpy(want + 4 * j, &v, sizeof v);
        }
      const unsigned char *got = (const unsigned char *)outs[i] + (size_t)(im * sz) * el;
      for (int64_t j = 0; j < sz * (int64_t)el; j++)
        if (got[j] != want[j]) {
          fprintf(stderr,
                  "MISMATCH %s kernel %s acc %d cyclic %d image %lld layer %d "
                  "byte %lld: expected %u, got %u\n",
                  m->name, kname ? kname : "auto", acc, cyc, (long long)im, i,
                  (long long)j, want[j], got[j]);
          bad = 1;
          break;
        }
    }
  for (int i = 0; i < m->n; i++) free(outs[i]);
  free(logits);
  if (!bad)
    printf("  %-40s acc %2d cyclic %d: %lld images, every layer equal\n",
           kname ? kname : "auto", acc, cyc, (long long)nimg);
  return bad == 1;
}

static int check(const char *model, const char *golden, int all_kernels) {
  wn_model m;
  char err[256];
  if (wn_model_load(model, &m, err, sizeof err)) {
    fprintf(stderr, "wrapnet_demo: %s\n", err);
    return 1;
  }
  FILE *f = fopen(golden, "rb");
  unsigned char h[16];
  if (!f || fread(h, 1, 16, f) != 16 || memcmp(h, "WGGOLD01", 8)) {
    fprintf(stderr, "wrapnet_demo: %s: not a golden file\n", golden);
    if (f) fclose(f);
    wn_model_free(&m);
    return 1;
  }
  uint32_t nimg = u32le(h + 8), nruns = u32le(h + 12);
  uint8_t *pix = malloc((size_t)nimg * 784);
  int fails = !pix || fread(pix, 784, nimg, f) != nimg;
  long runs_at = ftell(f);
  /* A float model runs no kernel: one check. */
  int nk = all_kernels && !m.float_acts ? wg_kernel_count() : 1;
  printf("%s (%s): %u images, %u runs\n", model, m.name, nimg, nruns);
  for (int k = 0; k < nk && !fails; k++) {
    const char *kname = NULL;
    wg_context *ctx = NULL;
    if (wg_context_create(1, &ctx) != WG_OK) {
      fails = 1;
      break;
    }
    if (all_kernels && !m.float_acts) {
      if (!wg_kernel_available(k)) {
        wg_context_destroy(ctx);
        continue;
      }
      kname = wg_kernel_name(k);
      wg_context_force_kernel(ctx, kname);
    }
    if (wn_model_pack(&m, ctx) != WG_OK) {
      fprintf(stderr, "wrapnet_demo: packing failed\n");
      fails = 1;
    }
    fseek(f, runs_at, SEEK_SET);
    for (uint32_t r = 0; r < nruns && !fails; r++) {
      unsigned char rb[8];
      if (fread(rb, 1, 8, f) != 8) {
        fails = 1;
        break;
      }
      fails |= check_run(ctx, &m, pix, nimg, (int)u32le(rb), (int)u32le(rb + 4), f,
                         kname);
    }
    /* Packed weights belong to the context's kernel set: repack per kernel. */
    for (int i = 0; i < m.n; i++) {
      wg_weights_destroy(m.layers[i].packed);
      m.layers[i].packed = NULL;
    }
    wg_context_destroy(ctx);
  }
  fclose(f);
  free(pix);
  wn_model_free(&m);
  return fails;
}

int main(int argc, char **argv) {
  const char *models = "models", *prefix = "fmnist",
             *data = "/usr/share/datasets/fashion-mnist";
  int64_t nimages = 10000;
  int threads = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--check") && i + 2 < argc) {
      int all = i + 3 < argc && !strcmp(argv[i + 3], "--all-kernels");
      return check(argv[i + 1], argv[i + 2], all);
    } else if (!strcmp(argv[i], "--models") && i + 1 < argc) {
      models = argv[++i];
    } else if (!strcmp(argv[i], "--prefix") && i + 1 < argc) {
      prefix = argv[++i];
    } else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
      data = argv[++i];
    } else if (!strcmp(argv[i], "--images") && i + 1 < argc) {
      nimages = atoll(argv[++i]);
    } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads = atoi(argv[++i]);
    } else {
      fprintf(stderr, "usage: see the comment at the top of examples/wrapnet_demo.c\n");
      return 2;
    }
  }
  char path[1024];
  int64_t ni = 0, nl = 0;
  snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", data);
  uint8_t *img = read_idx(path, 3, &ni);
  snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", data);
  uint8_t *lab = read_idx(path, 1, &nl);
  if (!img || !lab || ni != nl) {
    fprintf(stderr, "wrapnet_demo: cannot read the Fashion-MNIST test set in %s\n", data);
    return 1;
  }
  if (nimages < 1 || nimages > ni) nimages = ni;
  wg_context *ctx;
  wg_status st = wg_context_create(threads, &ctx);
  if (st != WG_OK) {
    fprintf(stderr, "wrapnet_demo: %s\n", wg_status_name(st));
    return 1;
  }
  clock_t c0 = clock();
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = table(ctx, models, prefix, img, lab, nimages);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("\n(%.1f s wall, %.1f s CPU, %d threads)\n",
         (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
         (double)(clock() - c0) / CLOCKS_PER_SEC, wg_context_threads(ctx));
  wg_context_destroy(ctx);
  free(img);
  free(lab);
  return rc;
}
