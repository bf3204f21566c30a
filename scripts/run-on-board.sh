#!/bin/sh
# Cross-compiles the tests and the benchmark for an ARM board, copies them
# there over ssh, runs them, and copies the reports back (docs/arm.md).
#
# Usage: scripts/run-on-board.sh [options] user@board [test filters...]
#   -a aarch64|armhf   target (default: from `uname -m` on the board)
#   -b DIR             build root here (default build-board, or
#                      build-board-static with -s)
#   -s                 link the test binary statically (a board whose glibc
#                      is older than the cross toolchain's)
#   -T                 tests only, no benchmark
#   -B ARGS            extra wgbench arguments (default: the full run)
#   -n                 print the commands instead of running them
# Environment: SSH, SCP (default ssh, scp) for options such as -p or -i.
# Results: <build root>/<triplet>/board-<board>/ (test log, bench report).
set -eu

usage() { sed -n '5,16p' "$0" >&2; exit 2; }
arch="" buildroot="" static=0 bench=1 bench_args="" dry=0
while getopts a:b:sTB:n opt; do
  case $opt in
    a) arch=$OPTARG ;;
    b) buildroot=$OPTARG ;;
    s) static=1 ;;
    T) bench=0 ;;
    B) bench_args=$OPTARG ;;
    n) dry=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
board=$1
shift
[ -n "$buildroot" ] || buildroot=build-board$([ $static = 1 ] && echo -static || true)
SSH=${SSH:-ssh}
SCP=${SCP:-scp}
run() { if [ $dry = 1 ]; then echo "+ $*"; else "$@"; fi; }

cd "$(dirname "$0")/.."
if [ -z "$arch" ]; then
  m=$($SSH "$board" uname -m)
  case $m in
    aarch64 | arm64) arch=aarch64 ;;
    armv7* | armv8l) arch=armhf ;;
    *) echo "run-on-board: the board says '$m'; pass -a aarch64 or -a armhf" >&2; exit 2 ;;
  esac
fi
case $arch in
  aarch64) cross=aarch64-linux-gnu- ;;
  armhf) cross=arm-linux-gnueabihf- ;;
  *) usage ;;
esac
triplet=$(${cross}gcc -dumpmachine)
build=$buildroot/$triplet
out=$build/board-$(echo "$board" | tr -c 'A-Za-z0-9.\n-' _)

# Build.  LDLIBS is the test binary's link tail: -static there links all.
libs="-lm -lpthread"
[ $static = 1 ] && libs="-static $libs"
run make --no-print-directory CROSS=$cross BUILDROOT="$buildroot" LDLIBS="$libs" "$build/wgtest"
files="$build/wgtest"
if [ $bench = 1 ]; then
  if run make --no-print-directory CROSS=$cross BUILDROOT="$buildroot" bench-build; then
    files="$files $build/wgbench"
  else
    echo "run-on-board: the benchmark did not build for $triplet; running the tests only" >&2
    bench=0
  fi
fi

# Copy, run, fetch.  The tests run in full (not WG_TEST_QUICK): the board
# is fast.  A failing test run still fetches the log, then fails.
remote=$(if [ $dry = 1 ]; then echo /tmp/wrapgemm.XXXX; else $SSH "$board" mktemp -d /tmp/wrapgemm.XXXXXX; fi)
run mkdir -p "$out"
run $SCP $files "$board:$remote/"
status=0
if [ $dry = 1 ]; then
  echo "+ $SSH $board cd $remote && ./wgtest $* > $out/test.log"
else
  $SSH "$board" "cd $remote && ./wgtest $*" > "$out/test.log" 2>&1 || status=$?
  tail -n 3 "$out/test.log"
fi
if [ $bench = 1 ]; then
  run $SSH "$board" "cd $remote && ./wgbench --out=results $bench_args"
  run $SCP -r "$board:$remote/results" "$out/"
fi
run $SSH "$board" rm -rf "$remote"
echo "run-on-board: results in $out (tests: exit $status)"
exit $status
