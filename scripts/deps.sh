#!/bin/sh
# The Debian packages wrapgemm's build, tests and benchmarks need.
# Usage: scripts/deps.sh [test|bench|train|demo|all]   (default all)
#   train: make train (torch, numpy, Fashion-MNIST); demo: make demo (the dataset)
#   As root: installs whatever is missing (apt-get update first if needed).
#   Otherwise: prints the one apt-get line needed and fails if any is missing.
set -eu
what=${1:-all}
TEST_PKGS="build-essential pkg-config clang libclang-rt-14-dev gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user valgrind"
TRAIN_PKGS="python3-torch python3-numpy dataset-fashion-mnist"
BENCH_PKGS="g++ pkg-config libbenchmark-dev libgemmlowp-dev libdnnl-dev libopenblas-dev gnuplot-nox"
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
