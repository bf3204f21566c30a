#!/bin/sh
# Runs `make test`'s lanes one after another and ends with one closing line,
#   total: N passed, N failed, N skipped
# summed over every lane: the counts of each test-runner summary a lane
# printed, and one test for a lane that prints none (bench-quick, install,
# disassembly checks), passed when its make target succeeded.  The first
# failing lane stops the run.  Each lane's output is also kept in
# $LANE_LOGS/<lane>.log.
#
# usage: MAKE=make LANE_LOGS=dir scripts/run-lanes.sh lane...
set -u
: "${MAKE:=make}" "${LANE_LOGS:=build/lanes}"
mkdir -p "$LANE_LOGS"
passed=0 failed=0 skipped=0
for lane in "$@"; do
  echo "==== $lane"
  log="$LANE_LOGS/$lane.log"
  # dash has no pipefail: the lane's status travels through a file.
  { $MAKE --no-print-directory "$lane" 2>&1; echo $? > "$log.rc"; } | tee "$log"
  rc=$(cat "$log.rc")
  read -r n p f s <<COUNTS
$(awk '/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {
         p += $1; f += $3; s += $5; n++ }
       END { print n + 0, p + 0, f + 0, s + 0 }' "$log")
COUNTS
  if [ "$n" -eq 0 ]; then
    if [ "$rc" -eq 0 ]; then p=1; else f=1; fi
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1                          # it failed outside its runners (build, sanitizer)
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ "$rc" -ne 0 ]; then
    echo "make test: lane $lane FAILED"
    echo "total: $passed passed, $failed failed, $skipped skipped"
    exit 1
  fi
done
echo "make test: all lanes passed ($*)"
echo "total: $passed passed, $failed failed, $skipped skipped"
