#!/usr/bin/env bash
# GPU ladder benchmark: the same source through lpladder's CPU path and its GPU path(s).
#
#   bash bench/gpu_ladder.sh [--device N] [--seconds S] [--streams K] [--keep]
#
#   --device N   the GPU (lpladder cuda-device-id), default 0
#   --seconds S  length of the generated 1080p30 H.264 source (default 10)
#   --streams K  also run K ladders at once on the GPU path, to estimate real-time streams
#                per GPU (default 4; 0 = skip)
#   --keep       keep the temporary directory
#
# Paths: "cpu" (avdec + videoconvertscale + x264), "gpu" (NVDEC + cudaconvertscale, then
# NVENC when the GPU has one, else x264: the hybrid path) and "hybrid" (the GPU path with
# encoder=x264 forced). Prints a markdown table: wall time, CPU time (user+sys) and x real
# time per path, and checks that every path's renditions have the same dimensions, frame
# counts and first/last PTS as the CPU path's. Exits 77 (skipped) on a machine where
# GStreamer's nvcodec plugin has no decoder (no NVIDIA GPU or driver). See docs/gpu.md.
set -euo pipefail

DEVICE=0
SECONDS_=10
STREAMS=4
KEEP=0
die() { echo "gpu_ladder.sh: error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --device) DEVICE="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    --streams) STREAMS="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1'" ;;
  esac
done
[[ "$DEVICE" =~ ^[0-9]+$ ]] || die "--device must be a GPU number"
[[ "$SECONDS_" =~ ^[1-9][0-9]*$ ]] || die "--seconds must be a positive integer"
[[ "$STREAMS" =~ ^[0-9]+$ ]] || die "--streams must be a number"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LPGST_BUILD_DIR:-$REPO_ROOT/build}"
export GST_PLUGIN_PATH="$BUILD_DIR/plugins${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
[ -f "$BUILD_DIR/plugins/libgstlpgst.so" ] || die "no $BUILD_DIR/plugins/libgstlpgst.so: build first (LPGST_BUILD_DIR)"
for tool in gst-launch-1.0 gst-inspect-1.0 ffprobe /usr/bin/time; do
  command -v "$tool" >/dev/null || die "'$tool' not found"
done
if ! gst-inspect-1.0 nvcodec 2>/dev/null | grep -q 'nvh264.*dec'; then
  echo "gpu_ladder.sh: skipped: GStreamer's nvcodec plugin registered no decoder (no NVIDIA GPU or driver here)" >&2
  exit 77
fi

WORK=$(mktemp -d /tmp/lpgst-gpu-bench.XXXXXX)
[ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT
SRC="$WORK/src.ts"
gst-launch-1.0 -q videotestsrc num-buffers=$((SECONDS_ * 30)) pattern=smpte horizontal-speed=4 \
  ! video/x-raw,width=1920,height=1080,framerate=30/1 ! x264enc speed-preset=veryfast key-int-max=60 bitrate=6000 \
  ! h264parse ! mpegtsmux ! filesink location="$SRC"

PROFILES='[{"name":"720p","width":1280,"height":720,"bitrate":3000000,"fps":30},
{"name":"480p","width":854,"height":480,"bitrate":1400000,"fps":30},
{"name":"360p","width":640,"height":360,"bitrate":800000,"fps":30},
{"name":"240p","width":426,"height":240,"bitrate":400000,"fps":30}]'
PROFILES=$(echo "$PROFILES" | tr -d '\n')

# run PATHNAME OUTDIR EXTRA-LADDER-PROPERTIES...: one ladder; prints "wall cpu"
run() {
  local name=$1 out=$2; shift 2
  mkdir -p "$out"
  local sinks=""
  for i in 0 1 2 3; do sinks+=" l.src_$i ! queue ! filesink location=$out/$i.ts"; done
  /usr/bin/time -f "%e %U %S" -o "$out/time" gst-launch-1.0 -q filesrc location="$SRC" \
    ! lpladder name=l profiles="$PROFILES" "$@" $sinks >"$out/log" 2>&1 || { echo "FAILED"; cat "$out/log" >&2; return 1; }
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$out/time"
}

# "WxH frames first_pts last_pts" of a rendition, by ffprobe.
describe() {
  local dims frames pts
  dims=$(ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0:s=x "$1")
  pts=$(ffprobe -v error -select_streams v -show_entries packet=pts_time -of csv=p=0 "$1" | sort -g)
  frames=$(echo "$pts" | wc -l)
  echo "$dims $frames $(echo "$pts" | head -1) $(echo "$pts" | tail -1)"
}

echo "| path | wall (s) | CPU (s) | x real time | same as CPU |"
echo "|---|---|---|---|---|"
declare -A reference
for path in cpu gpu hybrid; do
  case $path in
    cpu) props=() ;;
    gpu) props=("cuda-device-id=$DEVICE") ;;
    hybrid) props=("cuda-device-id=$DEVICE" "encoder=x264") ;;
  esac
  if ! read -r wall cpu < <(run "$path" "$WORK/$path" "${props[@]}"); then
    echo "| $path | failed | | | |"; continue
  fi
  same=yes
  for i in 0 1 2 3; do
    d=$(describe "$WORK/$path/$i.ts")
    if [ "$path" = cpu ]; then reference[$i]=$d; elif [ "$d" != "${reference[$i]}" ]; then same="no: rendition $i $d vs ${reference[$i]}"; fi
  done
  echo "| $path | $wall | $cpu | $(awk -v s="$SECONDS_" -v w="$wall" 'BEGIN{printf "%.2f", s / w}') | $same |"
done

if [ "$STREAMS" -gt 0 ]; then
  start=$(date +%s.%N)
  pids=()
  for k in $(seq 1 "$STREAMS"); do run gpu "$WORK/many$k" "cuda-device-id=$DEVICE" >/dev/null & pids+=($!); done
  ok=0; for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
  wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f", e - s}')
  echo
  echo "$ok of $STREAMS simultaneous GPU ladders finished in $wall s:" \
    "$(awk -v n="$ok" -v s="$SECONDS_" -v w="$wall" 'BEGIN{printf "%.1f", n * s / w}') real-time 1080p30 streams on GPU $DEVICE"
fi
