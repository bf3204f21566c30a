#!/bin/sh
# The Debian packages wrapgemm's build, tests and benchmarks need.
# Usage: scripts/deps.sh [test|bench|train|demo|all]   (default all)
#   train: make train (torch, numpy, Fashion-MNIST); demo: make demo (the dataset)
#   As root: installs whatever is missing (apt-get update first if needed).
#   Otherwise: prints the one apt-get line needed and fails if any is missing.
#   WG_SKIP_LANES: the packages that only skipped lanes need are left out
#   (scripts/run-lanes.sh; e.g. WG_SKIP_LANES="s390x riscv64" needs no
#   s390x or riscv64 compiler).
set -eu
what=${1:-all}
# 0 when every lane named is in WG_SKIP_LANES (with or without "test-").
all_skipped() {
  for lane; do
    case " ${WG_SKIP_LANES:-} " in
      *" $lane "*|*" ${lane#test-} "*) ;;
      *) return 1 ;;
    esac
  done
}
# The cross lanes of `make test` on x86 (mk/arm.mk, mk/qemu.mk): compiler
# (g++ too: a cross `make` builds the benchmark), libc, and qemu-user.
cross_pkgs() {  # debian-arch gnu-triplet lane...
  a=$1 t=$2; shift 2
  all_skipped "$@" || echo "gcc-$t g++-$t libc6-dev-$a-cross"
}
TEST_PKGS="build-essential pkg-config qemu-user \
  $(all_skipped test-python || echo python3-numpy) \
  $(all_skipped test-gemmlowp || echo libgemmlowp-dev) \
  $(all_skipped test-fuzz || echo clang libclang-rt-14-dev) \
  $(all_skipped test-avx2-memcheck || echo valgrind) \
  $(all_skipped test-avx512-simde || echo libsimde-dev) \
  $(cross_pkgs arm64 aarch64-linux-gnu test-arm64 test-arm64-asan) \
  $(cross_pkgs armhf arm-linux-gnueabihf test-armhf) \
  $(cross_pkgs s390x s390x-linux-gnu test-s390x) \
  $(cross_pkgs riscv64 riscv64-linux-gnu test-riscv64)"
TRAIN_PKGS="python3-torch python3-numpy dataset-fashion-mnist"
BENCH_PKGS="g++ pkg-config libbenchmark-dev libgemmlowp-dev libdnnl-dev libopenblas-dev libxnnpack-dev libpthreadpool-dev gnuplot-nox"
case $what in
  test) pkgs="$TEST_PKGS $BENCH_PKGS" ;;   # make test runs bench-quick too
  bench) pkgs="$BENCH_PKGS build-essential" ;;
  train) pkgs="$TRAIN_PKGS" ;;
  demo) pkgs="dataset-fashion-mnist" ;;
  *) pkgs="$TEST_PKGS $BENCH_PKGS" ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "wrapgemm needs these Debian packages; run as root:" >&2
  echo "  apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends$missing
