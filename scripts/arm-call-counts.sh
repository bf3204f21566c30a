#!/bin/bash
# Guest instructions of whole wg_gemm calls of ARM kernels under qemu-user,
# where qemu cannot time them (docs/lut.md: the NEON lookup-table kernels'
# thresholds).  Each figure is one call's count minus the same program
# without the call (weight packing, set-up and exit excluded), counted by
# scripts/qemu-count/insn_count_plugin.c; per shape and M, one column per
# kernel and the ratio of each to the first.
#
#   make CROSS=aarch64-linux-gnu- BUILDROOT=build-arm lib
#   scripts/arm-call-counts.sh build-arm/aarch64-linux-gnu/libwrapgemm.a b \
#       "acc8_binary_x_u8_6x64_lut4__aarch64_neon acc8_int8_x_u8_4x64__aarch64_neon" "4 5 6 256"
#
# Arguments: the aarch64 (or armhf) static library, the weights (b: binary,
# t: ternary), the kernels, the Ms; SHAPES (default the four Table 7 GEMMs,
# "N K" pairs) and QEMU_CPU (default max) from the environment.
set -euo pipefail
LIB=${1:?static library}; W=${2:?b or t}; KERNELS=${3:?kernels}; MS=${4:?M values}
SHAPES=${SHAPES:-"784 1152;3136 576;196 2304;49 4608"}
here=$(cd "$(dirname "$0")" && pwd)
case "$LIB" in
  *aarch64*) CC=aarch64-linux-gnu-gcc QEMU=qemu-aarch64 SYSROOT=/usr/aarch64-linux-gnu ;;
  *arm-linux-gnueabihf*) CC=arm-linux-gnueabihf-gcc QEMU=qemu-arm SYSROOT=/usr/arm-linux-gnueabihf ;;
  *) echo "arm-call-counts.sh: $LIB is neither an aarch64 nor an armhf build" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -shared -fPIC -O2 "$here/qemu-count/insn_count_plugin.c" -o "$tmp/libinsncount.so"
$CC -O2 -I"$here/../include" "$here/qemu-count/gemm_once.c" "$LIB" -lpthread -lm -o "$tmp/gemm_once"
count() {  # kernel M N K [skip] -> instructions; fails if the kernel did not run
  local out
  out=$("$QEMU" -cpu "${QEMU_CPU:-max}" -L "$SYSROOT" -plugin "$tmp/libinsncount.so" \
        "$tmp/gemm_once" "$1" "$2" "$3" "$4" "$W" ${5:-} 2>&1 >/dev/null) ||
    { echo "arm-call-counts.sh: $1 M=$2 N=$3 K=$4 did not run (exit $?)" >&2; exit 1; }
  echo "$out" | awk '/^insns/{print $2}'
}
echo "N K M $KERNELS (instructions per call; ratio to the first)"
IFS=';' read -ra shapes <<< "$SHAPES"
for shape in "${shapes[@]}"; do
  read -r N K <<< "$shape"
  for M in $MS; do
    line="$N $K $M"; first=
    for kn in $KERNELS; do
      c=$(( $(count "$kn" "$M" "$N" "$K") - $(count "$kn" "$M" "$N" "$K" skip) ))
      first=${first:-$c}
      line="$line $c ($(awk -v a="$c" -v b="$first" 'BEGIN{printf "%.2f", a/b}'))"
    done
    echo "$line"
  done
done
