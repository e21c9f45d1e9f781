#!/bin/sh
# Runs a test under valgrind (arguments: valgrind's options, then the program). When valgrind
# itself cannot run the program, because a system library executes an instruction valgrind
# 3.19 does not emulate (libhwy, loaded with libavcodec, uses RDTSCP on some CPUs), the check
# is reported as skipped (exit 77) with that reason instead of failed. Any other failure,
# leaks and memory errors included, fails as usual.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
valgrind --log-file="$log" "$@"
rc=$?
cat "$log" >&2
if [ "$rc" -ne 0 ] && grep -q "valgrind: Unrecognised instruction" "$log" &&
   grep -A1 "Unrecognised instruction" "$log" | grep -q "(in /usr/lib"; then
  echo "SKIP: valgrind cannot emulate an instruction a system library uses on this CPU:" >&2
  grep -A1 "Unrecognised instruction" "$log" | tail -1 >&2
  exit 77
fi
exit "$rc"
