#!/usr/bin/env bash
# Orchestrator overhead benchmark: the same 2 s segment transcoded through a real orchestrator
# and transcoder (two lpnode processes on loopback) and by the media core in-process.
#
#   bash bench/orchestrator.sh [--build DIR] [--segments N] [--warmup N] [--profiles LIST]...
#                              [--idle-wait SEC] [--keep]
#
#   --build DIR      the build directory to run from (default build/, or $LPGST_BUILD_DIR);
#                    nothing is built: it needs bench/orchestrator_overhead, tools/lpnode and
#                    tools/lpctl there
#   --segments N     measured pairs per configuration (default 30)
#   --warmup N       unmeasured pairs before them (default 2)
#   --profiles LIST  a configuration, repeatable (default: P144p30fps16x9, then
#                    P720p30fps16x9,P360p30fps16x9,P240p30fps16x9)
#   --idle-wait SEC  first wait up to SEC s for the machine to be idle (default 30; 0 = never)
#   --keep           keep the temporary directory (segment, key, the nodes' logs)
#
# Makes a 2 s 1280x720 H.264 + AAC MPEG-TS with `lpctl sample`, then runs the segment one at a
# time, alternately (A, B, A, B, ...): A = POST /v1/segment with Accept: multipart/mixed to
# `lpnode --orchestrator` with one `lpnode --transcoder --max-sessions 1`, timed until the
# renditions' bytes are back; B = lp::transcode_segment in the benchmark process. Prints a
# markdown report: latency p50/p99 of both, added latency, overhead, the orchestrator's CPU
# time per segment, and where the added time goes. See docs/performance.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LPGST_BUILD_DIR:-$REPO_ROOT/build}"
IDLE_WAIT=30
KEEP=0
ARGS=()
CMDLINE="bash bench/orchestrator.sh${*:+ $*}"

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "orchestrator.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --build) [ $# -ge 2 ] || die "--build needs a value"; BUILD_DIR="$2"; shift 2 ;;
    --segments|--warmup|--profiles)
      [ $# -ge 2 ] || die "$1 needs a value"; ARGS+=("$1" "$2"); shift 2 ;;
    --idle-wait) [ $# -ge 2 ] || die "--idle-wait needs a value"; IDLE_WAIT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[[ "$IDLE_WAIT" =~ ^[0-9]+$ ]] || die "--idle-wait must be a number of seconds (got '$IDLE_WAIT')"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$PWD/$BUILD_DIR" ;; esac

BENCH="$BUILD_DIR/bench/orchestrator_overhead"
LPNODE="$BUILD_DIR/tools/lpnode"
LPCTL="$BUILD_DIR/tools/lpctl"
for f in "$BENCH" "$LPNODE" "$LPCTL"; do
  [ -x "$f" ] || die "$f is missing: build first (meson setup build && meson compile -C build), or pass --build DIR"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lpgst-orch-bench.XXXXXX")"
cleanup() {
  if [ "$KEEP" = 1 ]; then echo "orchestrator.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private registry of the system plugins; lpgst's elements are registered in-process by
# lpnode and the benchmark (GST_PLUGIN_PATH would load a second copy from the build).
export GST_REGISTRY="$WORK/registry.bin"
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0 GST_DEBUG GST_TRACERS 2>/dev/null || true

SEGMENT="$WORK/segment.ts"
echo "orchestrator.sh: generating a 2 s 1280x720 segment..." >&2
"$LPCTL" sample "$SEGMENT" --seconds 2 --size 1280x720 >&2 || die "lpctl sample failed"

# Waits (up to IDLE_WAIT s) until the machine has been nearly idle (< 10% of one CPU) for 2 s.
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
wait_idle() {
  local start=$SECONDS a b hz
  hz=$(getconf CLK_TCK)
  while [ $((SECONDS - start)) -lt "$IDLE_WAIT" ]; do
    a=$(busy_jiffies); sleep 2; b=$(busy_jiffies)
    [ $((b - a)) -lt $((hz / 5)) ] && return 0
  done
  echo "orchestrator.sh: warning: machine still busy after ${IDLE_WAIT} s, running anyway" >&2
}
[ "$IDLE_WAIT" -gt 0 ] && wait_idle

buildtype=$(sed -n 's/^buildtype *= *//p' "$BUILD_DIR/meson-private/cmd_line.txt" 2>/dev/null | head -1)
[ -n "$buildtype" ] || buildtype=$(grep -o '"buildtype", "value": "[a-z]*"' "$BUILD_DIR/meson-info/intro-buildoptions.json" 2>/dev/null | grep -o '[a-z]*"$' | tr -d '"' || true)
REPORT="$WORK/report.md"
"$BENCH" --lpnode "$LPNODE" --segment "$SEGMENT" --work "$WORK" "${ARGS[@]}" >"$REPORT" ||
  die "the benchmark failed (logs in $WORK with --keep)"

echo "## Orchestrator overhead ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "- Command: \`$CMDLINE\`"
echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo); $(gst-launch-1.0 --version 2>/dev/null | sed -n 2p || echo 'GStreamer ?'); ${buildtype:-unknown} build in $(basename "$BUILD_DIR")"
seg_bytes=$(stat -c %s "$SEGMENT")
echo "- Segment: \`lpctl sample --seconds 2 --size 1280x720\` (1280x720 30 fps H.264 + AAC in MPEG-TS), $seg_bytes bytes ($((seg_bytes * 8 / 2000)) kbit/s)"
echo
cat "$REPORT"
