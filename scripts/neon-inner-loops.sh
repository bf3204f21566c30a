#!/bin/sh
# Instructions and multiply-accumulates per inner-loop iteration of each
# NEON micro-kernel, read from the disassembly of its object file (the
# figures of docs/arm.md).  The inner loop is the first backward branch of
# the kernel's run function; MACs count the lanes of each multiply-
# accumulate in it (mla .16b = 16, mla .8h = 8, smlal .8h = 8, smlal .4s =
# 4, sdot .4s = 16; armv7 vmla.i8, vmla.i16, vmlal.s8, vmlal.s16 likewise).
# In a lookup-table kernel (`lut<G>` in the name: docs/lut.md) each
# add .16b (armv7: vadd.i8 q) adds a table row of G depths' products:
# 16 x G MACs (lut3: 48, the binary lut4: 64).
# Usage: scripts/neon-inner-loops.sh OBJDUMP FILE.o...
#   e.g. scripts/neon-inner-loops.sh aarch64-linux-gnu-objdump \
#          build/aarch64-linux-gnu/obj/kernels/neon/aarch64/*.o
set -eu
[ $# -ge 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
objdump=$1
shift
printf '%-40s %6s %6s %6s %9s\n' kernel instr macs mac-ins macs/instr
for o in "$@"; do
  "$objdump" -d --no-show-raw-insn "$o" | awk -v name="$(basename "$o" .o)" '
    function hex(s,   v, i) {   # mawk has no strtonum
      v = 0
      for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return v
    }
    /^[0-9a-f]+ <.*run>:$/ { infn = 1; n = 0; next }
    /^[0-9a-f]+ <.*>:$/ { infn = 0 }
    BEGIN { g = match(name, /lut[0-9]/) ? substr(name, RSTART + 3, 1) + 0 : 0 }
    !infn || done { next }
    /^ +[0-9a-f]+:\t/ {
      split($0, f, "\t"); addr = f[1]; sub(/^ +/, "", addr); sub(/:$/, "", addr);
      op = f[2]; args = f[3];
      n++; A[n] = hex(addr); OP[n] = op; ARG[n] = args;
      if (op ~ /^(b\.|b[a-z][a-z](\.[nw])?$)/ && op != "bl" && op != "blx") {
        split(args, t, " "); tgt = hex(t[1]);
        if (tgt < A[n]) {
          ins = 0; macs = 0; mi = 0;
          for (i = 1; i <= n; i++) {
            if (A[i] < tgt) continue;
            ins++; m = 0;
            if (g && OP[i] == "add" && ARG[i] ~ /\.16b/) m = 16 * g;
            else if (g && OP[i] == "vadd.i8" && ARG[i] ~ /^q/) m = 16 * g;
            else if (OP[i] == "mla" && ARG[i] ~ /\.16b/) m = 16;
            else if (OP[i] == "mla" && ARG[i] ~ /\.8h/) m = 8;
            else if (OP[i] ~ /^smlal2?$/ && ARG[i] ~ /\.4s/) m = 4;
            else if (OP[i] ~ /^smlal2?$/ && ARG[i] ~ /\.8h/) m = 8;
            else if (OP[i] == "sdot" || OP[i] == "udot") m = 16;
            else if (OP[i] == "vmla.i8" && ARG[i] ~ /^q/) m = 16;
            else if (OP[i] == "vmla.i16" && ARG[i] ~ /^q/) m = 8;
            else if (OP[i] ~ /^vmlal\.[su]16$/) m = 4;
            else if (OP[i] ~ /^vmlal\.[su]8$/) m = 8;
            if (m) { mi++; macs += m }
          }
          printf "%-40s %6d %6d %6d %9.2f\n", name, ins, macs, mi, macs / ins;
          done = 1
        }
      }
    }'
done
