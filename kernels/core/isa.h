/*
 * What an ISA folder offers besides its kernels (kernel.h): the CPU features
 * it detects, and its own versions of services the library runs outside
 * any kernel.  Each folder lists them in its isa.inc (kernels/isa_list.inc
 * names the folders, kernels/isa_table.c builds the tables); core only
 * walks the tables and names no instruction set.
 */
#ifndef WG_ISA_H
#define WG_ISA_H

#include <stdint.h>

/* CPU feature bits, named in wg_kernel.cpu: one per feature, distinct
 * within an architecture.  What each means, and how it is detected, is
 * its folder's cpu_<isa>.c.  They stand here, not in the folders' lists:
 * tests name them on every architecture, and this header including those
 * lists would run from core into every folder. */
enum {
  WG_CPU_AVX2 = 1u << 0,
  WG_CPU_NEON = 1u << 1,
  WG_CPU_DOTPROD = 1u << 2,
  WG_CPU_AVX512BW = 1u << 3,   /* F + BW + VL, zmm and opmask state on */
  WG_CPU_AVX512VNNI = 1u << 4, /* the same plus AVX512_VNNI (vpdpbusd) */
};

/* The WG_CPU_* bits of every feature of the table this process has,
 * detected once (cpu.c). */
uint32_t wg_cpu_features(void);
/* 1 if this CPU has every feature of `bits`. */
int wg_cpu_has(uint32_t bits);

/* One CPU feature.  detect runs once per process, before anything knows
 * the CPU has the feature, so its file is built without the folder's
 * instruction-set flags (the Makefile leaves cpu_*.c out of them). */
typedef struct wg_cpu_feature {
  const char *name;
  uint32_t bit;
  int (*detect)(void); /* 1 if the CPU and the OS support it */
} wg_cpu_feature;

/* The activation codes check (codes.c), run over all of X on every call:
 * 1 if no byte of the r x c region (row stride ld) has a bit of `over`
 * set. */
typedef int wg_codes_fit_fn(const uint8_t *x, int64_t r, int64_t c, int64_t ld, uint8_t over);

/* Faster versions of library services, on the CPUs with every feature of
 * `cpu`.  For each service core takes the first entry of the table that
 * this CPU runs and that offers it (non-NULL), else its portable version. */
typedef struct wg_service {
  const char *name;
  uint32_t cpu;
  wg_codes_fit_fn *codes_fit;
} wg_service;

/* The tables (kernels/isa_table.c), NULL-terminated, in isa_list.inc's
 * order. */
extern const wg_cpu_feature *const wg_cpu_table[];
extern const wg_service *const wg_services[];

#endif /* WG_ISA_H */
