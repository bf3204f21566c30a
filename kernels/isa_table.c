/*
 * The CPU features the ISA folders detect and the services they offer
 * (core/isa.h), each listed once in its folder's isa.inc, in isa_list.inc's
 * order; core walks these tables (cpu.c, codes.c) and names no instruction
 * set.
 */
#include <stddef.h>

#include "core/isa.h"

#define WG_CPU_FEATURE(sym) extern const wg_cpu_feature sym;
#define WG_SERVICE(sym) extern const wg_service sym;
#include "isa_list.inc"

#define WG_CPU_FEATURE(sym) &sym,
const wg_cpu_feature *const wg_cpu_table[] = {
#include "isa_list.inc"
    NULL};

#define WG_SERVICE(sym) &sym,
const wg_service *const wg_services[] = {
#include "isa_list.inc"
    NULL};
