#!/bin/sh
# Runs `make test`'s lanes one after another and ends with one closing line,
#   total: N passed, N failed, N skipped
# summed over every lane's `N passed, N failed, N skipped` lines (a test
# runner prints one per run; every other lane prints its own).  A lane fails
# when its make target fails, when it printed no such line (nothing shows
# that it tested anything), or when its lines count a failure.  The first
# failing lane stops the run.  Each lane's output is also kept in
# $LANE_LOGS/<lane>.log.
#
# WG_SKIP_LANES (environment or make variable): lanes not to run, by name,
# with or without "test-" (WG_SKIP_LANES='s390x test-arm64-asan'); each
# counts as one skipped test.  It is the only way a lane is skipped: a lane
# that cannot run (a compiler or qemu missing) fails.  A name that is no
# lane is an error, so that a typo cannot look like an opt-out.
#
# usage: MAKE=make LANE_LOGS=dir scripts/run-lanes.sh lane...
set -u
: "${MAKE:=make}" "${LANE_LOGS:=build/lanes}"
skip_list=${WG_SKIP_LANES:-}
mkdir -p "$LANE_LOGS"

for name in $skip_list; do
  found=0
  for lane in "$@"; do
    [ "$name" = "$lane" ] || [ "test-$name" = "$lane" ] && found=1
  done
  if [ $found -eq 0 ]; then
    echo "make test: WG_SKIP_LANES names '$name', which is no lane here ($*)"
    echo "total: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
done
is_skipped() {
  for name in $skip_list; do
    [ "$name" = "$1" ] || [ "test-$name" = "$1" ] && return 0
  done
  return 1
}

passed=0 failed=0 skipped=0 lanes_run=0 lanes_skipped=""
for lane in "$@"; do
  echo "==== $lane"
  log="$LANE_LOGS/$lane.log"
  if is_skipped "$lane"; then
    echo "$lane: skipped (WG_SKIP_LANES)" | tee "$log"
    skipped=$((skipped + 1)) lanes_skipped="$lanes_skipped $lane"
    continue
  fi
  # dash has no pipefail: the lane's status travels through a file.
  { $MAKE --no-print-directory "$lane" 2>&1; echo $? > "$log.rc"; } | tee "$log"
  rc=$(cat "$log.rc")
  read -r n p f s <<COUNTS
$(awk '/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {
         p += $1; f += $3; s += $5; n++ }
       END { print n + 0, p + 0, f + 0, s + 0 }' "$log")
COUNTS
  why=""
  if [ "$rc" -ne 0 ]; then
    why="make $lane exited with $rc"
    [ "$f" -gt 0 ] || f=1        # it failed outside its runners (build, sanitizer)
  elif [ "$n" -eq 0 ]; then
    why="it printed no 'N passed, N failed, N skipped' line"
    f=1
  elif [ "$f" -gt 0 ]; then
    why="its summary counts $f failed though make succeeded"
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  lanes_run=$((lanes_run + 1))
  if [ -n "$why" ]; then
    echo "make test: lane $lane FAILED: $why"
    echo "total: $passed passed, $failed failed, $skipped skipped"
    exit 1
  fi
done
if [ -n "$lanes_skipped" ]; then
  echo "make test: lanes passed: $lanes_run; skipped by WG_SKIP_LANES:$lanes_skipped"
else
  echo "make test: all $lanes_run lanes passed ($*)"
fi
echo "total: $passed passed, $failed failed, $skipped skipped"
