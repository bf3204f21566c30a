#ifndef WG_ELIGIBLE_C_H
#define WG_ELIGIBLE_C_H
#include "../core/kernel.h"
/* Lanes that wrap exactly serve every operand range: only b limits them. */
int wg_eligible_lanes8(const wg_problem *p);
int wg_eligible_lanes16(const wg_problem *p);
int wg_eligible_lanes32(const wg_problem *p);
#endif
