/* The ISA folders' tables (kernels/core/isa.h): the CPU features this build
 * detects, and the services (the codes check) each folder offers, against
 * plain C. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "kernels.h"
#include "util.h"

/* Each feature is one bit of its own, and every kernel of the table needs
 * only features the table detects: a feature left out of its folder's
 * isa.inc would make its kernels unreachable without a word. */
TEST(isa_cpu_features_distinct_and_cover_the_kernels) {
  uint32_t all = 0;
  int n = 0;
  for (const wg_cpu_feature *const *f = wg_cpu_table; *f; f++, n++) {
    uint32_t b = (*f)->bit;
    CHECK((*f)->name && (*f)->detect, "feature %d: no name or detect", n);
    CHECK(b && !(b & (b - 1)), "%s: bits 0x%x are not one bit", (*f)->name, (unsigned)b);
    CHECK(!(all & b), "%s: bit 0x%x taken by another feature", (*f)->name, (unsigned)b);
    all |= b;
    printf("    %s: %s\n", (*f)->name, (wg_cpu_features() & b) ? "detected" : "absent");
  }
  CHECK((wg_cpu_features() & ~all) == 0, "features 0x%x outside the table",
        (unsigned)wg_cpu_features());
  for (int i = 0; i < wg_kernel_table_size; i++)
    CHECK((wg_kernels[i]->cpu & ~all) == 0, "%s needs CPU bits 0x%x no feature detects",
          wg_kernels[i]->name, (unsigned)(wg_kernels[i]->cpu & ~all));
  for (const wg_service *const *s = wg_services; *s; s++)
    CHECK(((*s)->cpu & ~all) == 0, "service %s needs CPU bits 0x%x no feature detects",
          (*s)->name, (unsigned)((*s)->cpu & ~all));
}

static int fits_bytewise(const uint8_t *x, int64_t r, int64_t c, int64_t ld, uint8_t over) {
  for (int64_t i = 0; i < r; i++)
    for (int64_t j = 0; j < c; j++)
      if (x[i * ld + j] & over) return 0;
  return 1;
}

/* Every codes check this CPU runs (each service that offers one, and the
 * one wg_codes_fit picks) on dense and strided regions whose rows end
 * around the 32-, 64- and 128-byte steps of a vector loop, with no bad
 * code or one anywhere, bytes around the region bad too. */
TEST(isa_codes_check_every_service_agrees_with_bytes) {
  static const int64_t cols[] = {1, 7, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 300};
  wgt_rng r = {wgt_seed()};
  enum { ROWS = 5, LD = 320 };
  uint8_t *buf = malloc(ROWS * LD);
  int checked = 0, services = 0;
  for (const wg_service *const *s = wg_services; *s; s++)
    if ((*s)->codes_fit && wg_cpu_has((*s)->cpu)) services++;
  for (int bits = 1; bits <= 7; bits++) {
    uint8_t maxcode = (uint8_t)((1 << bits) - 1), over = (uint8_t)~maxcode;
    for (size_t ci = 0; ci < sizeof cols / sizeof cols[0]; ci++)
      for (int dense = 0; dense < 2; dense++)
        for (int bad = -1; bad < 4; bad++) {
          int64_t c = cols[ci], rows = dense ? 1 : ROWS, ld = dense ? c : LD;
          int64_t cc = dense ? c * ROWS : c; /* a dense region: one row of ROWS * c */
          memset(buf, 0xff, ROWS * LD);      /* outside the region: every bit */
          for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cc; j++)
              buf[i * ld + j] = (uint8_t)wgt_range(&r, 0, maxcode);
          if (bad >= 0) { /* first, last, or a random byte of the region */
            int64_t i = bad == 0 ? 0 : bad == 1 ? rows - 1 : wgt_range(&r, 0, rows - 1);
            int64_t j = bad == 0 ? 0 : bad == 1 ? cc - 1 : wgt_range(&r, 0, cc - 1);
            buf[i * ld + j] |= (uint8_t)(1u << wgt_range(&r, bits, 7));
          }
          int want = fits_bytewise(buf, rows, cc, ld, over);
          CHECK(want == (bad < 0), "the test's own region");
          CHECK(wg_codes_fit(buf, rows, cc, ld, maxcode) == want,
                "wg_codes_fit: %lld x %lld (ld %lld) bits %d bad %d: got %d", (long long)rows,
                (long long)cc, (long long)ld, bits, bad, !want);
          for (const wg_service *const *s = wg_services; *s; s++)
            if ((*s)->codes_fit && wg_cpu_has((*s)->cpu))
              CHECK((*s)->codes_fit(buf, rows, cc, ld, over) == want,
                    "service %s: %lld x %lld (ld %lld) bits %d bad %d: got %d", (*s)->name,
                    (long long)rows, (long long)cc, (long long)ld, bits, bad, !want);
          checked++;
        }
  }
  free(buf);
  wgt_count_check(checked);
  printf("    %d regions, %d ISA services besides the portable check\n", checked, services);
}
