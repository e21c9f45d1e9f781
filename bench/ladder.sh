#!/usr/bin/env bash
# ABR ladder benchmark: lpladder (gst-launch-1.0) against one equivalent ffmpeg command.
#
#   bash bench/ladder.sh [--runs N] [--seconds S] [--idle-wait SEC] [--keep] [--json FILE]
#
#   --runs N         timed runs per tool, interleaved (default 3; the report shows medians)
#   --seconds S      length of the generated 1080p30 source (default 10)
#   --idle-wait SEC  before each run, wait up to SEC s for the machine to be idle (default 120;
#                    0 = never wait); runs that still overlap other load are flagged
#   --keep           keep the temporary directory (source, renditions, logs)
#   --json FILE      also write the raw results as JSON
#
# Generates an S-second 1080p30 H.264 source, then runs ours and ffmpeg alternately
# (ours, ffmpeg, ours, ffmpeg, ...) N times each, and prints a markdown report: median wall
# time, CPU time (user+sys) and peak RSS per tool, the speed ratio, and per-rendition PSNR
# of the decoded renditions against the source scaled with lanczos. See docs/performance.md.
set -euo pipefail

RUNS=3
SECONDS_=10
KEEP=0
JSON=""
IDLE_WAIT=120   # --idle-wait: seconds to wait for an idle machine before each timed run
FPS=30
GOP_SECONDS=2.0
PRESET=veryfast
# name:width:height:bitrate (bit/s)
LADDER=("720p:1280:720:3000000" "480p:854:480:1400000" "360p:640:360:800000"
        "240p:426:240:400000")

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "ladder.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ $# -ge 2 ] || die "--runs needs a value"; RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --seconds) [ $# -ge 2 ] || die "--seconds needs a value"; SECONDS_="$2"; shift 2 ;;
    --seconds=*) SECONDS_="${1#*=}"; shift ;;
    --keep) KEEP=1; shift ;;
    --idle-wait) [ $# -ge 2 ] || die "--idle-wait needs a value"; IDLE_WAIT="$2"; shift 2 ;;
    --json) [ $# -ge 2 ] || die "--json needs a value"; JSON="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer (got '$RUNS')"
[[ "$SECONDS_" =~ ^[1-9][0-9]*$ ]] || die "--seconds must be a positive integer (got '$SECONDS_')"
[[ "$IDLE_WAIT" =~ ^[0-9]+$ ]] || die "--idle-wait must be a number of seconds (got '$IDLE_WAIT')"
[ "$RUNS" -ge 3 ] || echo "ladder.sh: warning: fewer than 3 runs, the median is not robust" >&2

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LPGST_BUILD_DIR:-$REPO_ROOT/build}"
PLUGIN_DIR="$BUILD_DIR/plugins"
REPORT_PY="$REPO_ROOT/bench/ladder_report.py"

# ------------------------------------------------------------------ prerequisites
for tool in gst-launch-1.0 gst-inspect-1.0 python3; do
  command -v "$tool" >/dev/null || die "'$tool' not found in PATH"
done
command -v ffmpeg >/dev/null || die "ffmpeg not found in PATH (needed for the comparison and PSNR)"
command -v ffprobe >/dev/null || die "ffprobe not found in PATH (ships with ffmpeg)"
[[ "$(ffmpeg -hide_banner -encoders 2>/dev/null)" == *" libx264 "* ]] ||
  die "this ffmpeg has no libx264 encoder"
[ -f "$PLUGIN_DIR/libgstlpgst.so" ] ||
  die "lpgst plugin not built: $PLUGIN_DIR/libgstlpgst.so is missing (meson setup build && ninja -C build, or set LPGST_BUILD_DIR)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lpgst-ladder-bench.XXXXXX")"
cleanup() {
  if [ "$KEEP" = 1 ]; then echo "ladder.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export GST_PLUGIN_PATH="$PLUGIN_DIR${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
export GST_REGISTRY="$WORK/registry.bin"   # private registry, built before any timing
unset GST_DEBUG GST_TRACERS 2>/dev/null || true

for el in lpsegmentsrc lpladder x264enc avdec_h264 h264parse mpegtsmux videoconvertscale \
          videotestsrc compositor timeoverlay; do
  gst-inspect-1.0 "$el" >/dev/null 2>&1 ||
    die "GStreamer element '$el' not found (plugin path $PLUGIN_DIR; is the build complete?)"
done

# GNU time when installed, else a python wait4() wrapper (LADDER_TIMER=python forces it).
if [ "${LADDER_TIMER:-auto}" != python ] && [ -x /usr/bin/time ] &&
   /usr/bin/time -f '%e' -o /dev/null true 2>/dev/null; then
  MEASURE=gnu
else
  MEASURE=python
fi

# measure OUT.json CMD...: wall, user, sys, max RSS of CMD.
measure() {
  local out="$1"; shift
  if [ "$MEASURE" = gnu ]; then
    /usr/bin/time -f '{"wall": %e, "user": %U, "sys": %S, "maxrss_kb": %M, "rc": %x}' \
      -o "$out" "$@"
  else
    python3 "$REPORT_PY" measure "$out" -- "$@"
  fi
}

# ------------------------------------------------------------------ source
FRAMES=$((SECONDS_ * FPS))
SRC="$WORK/source.ts"
echo "ladder.sh: generating ${SECONDS_} s 1080p${FPS} H.264 source ($FRAMES frames)..." >&2
# Scrolling SMPTE bars, a moving zone plate (fine detail), a bouncing ball and a running
# clock, encoded near-transparently (x264 CRF 16, preset fast).
gst-launch-1.0 -q \
  compositor name=mix background=black \
    sink_1::xpos=1200 sink_1::ypos=60 sink_2::xpos=80 sink_2::ypos=620 \
  ! "video/x-raw,format=I420,width=1920,height=1080,framerate=$FPS/1" \
  ! timeoverlay font-desc="Sans 48" \
  ! x264enc pass=qual quantizer=16 speed-preset=fast key-int-max=$((FPS * 2)) \
  ! video/x-h264,profile=high ! h264parse ! mpegtsmux ! filesink location="$SRC" \
  videotestsrc num-buffers=$FRAMES pattern=smpte horizontal-speed=3 \
  ! "video/x-raw,format=I420,width=1920,height=1080,framerate=$FPS/1" ! mix.sink_0 \
  videotestsrc num-buffers=$FRAMES pattern=zone-plate kx2=20 ky2=20 kt=1 \
  ! "video/x-raw,format=I420,width=640,height=360,framerate=$FPS/1" ! mix.sink_1 \
  videotestsrc num-buffers=$FRAMES pattern=ball motion=wavy \
  ! "video/x-raw,format=I420,width=640,height=400,framerate=$FPS/1" ! mix.sink_2 ||
  die "could not generate the source"

# ------------------------------------------------------------------ the two commands
KEYINT=$(python3 -c "print(round($GOP_SECONDS * $FPS))")
PROFILES="["
FILTER="[0:v]split=${#LADDER[@]}"
for i in "${!LADDER[@]}"; do FILTER+="[s$i]"; done
FILTER+=";"
RENDITION_ARGS=()
for i in "${!LADDER[@]}"; do
  IFS=: read -r name w h b <<<"${LADDER[$i]}"
  [ "$i" -gt 0 ] && PROFILES+=","
  PROFILES+="{\"name\":\"$name\",\"width\":$w,\"height\":$h,\"bitrate\":$b,\"fps\":0,\"gop\":\"$GOP_SECONDS\"}"
  FILTER+="[s$i]scale=$w:$h:flags=bilinear[o$i];"
  RENDITION_ARGS+=(--rendition "${LADDER[$i]}")
done
PROFILES+="]"
FILTER="${FILTER%;}"

ours_cmd() {  # ours_cmd OUTDIR
  local cmd=(gst-launch-1.0 -q lpsegmentsrc location="$SRC" ! lpladder name=l
             profiles="$PROFILES" "speed-preset=$PRESET")
  local i name rest
  for i in "${!LADDER[@]}"; do
    IFS=: read -r name rest <<<"${LADDER[$i]}"
    cmd+=("l.src_$i" ! filesink location="$1/$name.ts")
  done
  printf '%s\0' "${cmd[@]}"
}

ffmpeg_cmd() {  # ffmpeg_cmd OUTDIR
  local cmd=(ffmpeg -hide_banner -nostdin -v error -y -i "$SRC" -filter_complex "$FILTER")
  local i name w h b
  for i in "${!LADDER[@]}"; do
    IFS=: read -r name w h b <<<"${LADDER[$i]}"
    cmd+=(-map "[o$i]" -c:v libx264 -preset "$PRESET" -b:v "$b" -maxrate "$b" -bufsize "$b"
          -g "$KEYINT" -sc_threshold 0 -f mpegts "$1/$name.ts")
  done
  printf '%s\0' "${cmd[@]}"
}

show_cmd() { local a out=""; while IFS= read -r -d '' a; do out+=" $(printf '%q' "$a")"; done; echo "${out# }"; }

OUT_PLACEHOLDER="\$OUT"  # printed instead of the temporary directory
echo "ladder.sh: ours:   $(ours_cmd "$OUT_PLACEHOLDER" | show_cmd)" >&2
echo "ladder.sh: ffmpeg: $(ffmpeg_cmd "$OUT_PLACEHOLDER" | show_cmd)" >&2

# Busy CPU time of the whole machine (USER_HZ ticks): the report subtracts the run's own CPU
# time to show how much other processes used meanwhile (a contended run is not comparable).
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }

# Waits (up to IDLE_WAIT seconds) until the machine has been nearly idle (< 10% of one CPU)
# for 2 s, so that a timed run does not start while something else is running.
wait_idle() {
  local start=$SECONDS a b hz
  hz=$(getconf CLK_TCK)
  while [ $((SECONDS - start)) -lt "$IDLE_WAIT" ]; do
    a=$(busy_jiffies); sleep 2; b=$(busy_jiffies)
    [ $((b - a)) -lt $((hz / 5)) ] && return 0
  done
  echo "ladder.sh: warning: machine still busy after ${IDLE_WAIT} s, running anyway" >&2
}

run_tool() {  # run_tool KEY RUN
  local key="$1" i="$2" dir="$WORK/$1/run$2" cmd=()
  mkdir -p "$dir"
  if [ "$key" = ours ]; then mapfile -d '' cmd < <(ours_cmd "$dir")
  else mapfile -d '' cmd < <(ffmpeg_cmd "$dir"); fi
  wait_idle
  busy_jiffies >"$dir/busy.before"
  if ! measure "$dir/time.json" "${cmd[@]}" >"$dir/log" 2>&1; then
    cat "$dir/log" >&2
    die "$key run $i failed (command: $(printf '%s\0' "${cmd[@]}" | show_cmd))"
  fi
  busy_jiffies >"$dir/busy.after"
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print("ladder.sh: %-6s run %s: wall %.2f s, cpu %.2f s, rss %.0f MiB" % (sys.argv[2], sys.argv[3], t["wall"], t["user"]+t["sys"], t["maxrss_kb"]/1024))' \
    "$dir/time.json" "$key" "$i" >&2
}

# ------------------------------------------------------------------ runs, interleaved
for i in $(seq 1 "$RUNS"); do
  run_tool ours "$i"
  run_tool ffmpeg "$i"
done

# ------------------------------------------------------------------ report
x264_version=$(ffmpeg -hide_banner -nostdin -v error -f lavfi -i testsrc=size=64x64:rate=1 \
  -frames:v 1 -c:v libx264 -f h264 - 2>/dev/null | grep -a -o 'core [0-9]* r[0-9]* [0-9a-f]*' | head -1 || true)
echo "## lpladder vs ffmpeg ABR ladder ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "- Command: \`bash bench/ladder.sh --runs $RUNS --seconds $SECONDS_\`"
echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(gst-launch-1.0 --version | sed -n 2p), $(ffmpeg -version | head -1 | cut -d' ' -f1-3), x264 ${x264_version:-unknown}; timing via $([ "$MEASURE" = gnu ] && echo 'GNU time' || echo 'python wait4')"
echo "- Source: ${SECONDS_} s 1920x1080 ${FPS} fps H.264 High (x264 CRF 16), $(stat -c %s "$SRC") bytes"
echo "- Ladder: ${LADDER[*]} (name:W:H:bit/s), GOP ${GOP_SECONDS} s = $KEYINT frames, x264 $PRESET"
echo
REPORT_ARGS=(report --work "$WORK" --source "$SRC" --runs "$RUNS" --fps "$FPS"
             --seconds "$SECONDS_" "${RENDITION_ARGS[@]}"
             --tool "ours=ours (lpladder)" --tool "ffmpeg=ffmpeg")
[ -n "$JSON" ] && REPORT_ARGS+=(--json "$JSON")
python3 "$REPORT_PY" "${REPORT_ARGS[@]}"
