#!/usr/bin/env bash
# The README's main job against one ffmpeg command that writes the same HLS ladder.
#
#   bash bench/main_job.sh [--runs N] [--seconds S] [--input FILE] [--keep]
#
#   --runs N      timed runs per tool, interleaved: ours, ffmpeg, ours, ... (default 3;
#                 the table shows medians)
#   --seconds S   length of the `lpctl sample` source (default 30; ignored with --input)
#   --input FILE  use this file instead (a real camera clip, say)
#   --keep        keep the temporary directory (source, ladders, logs)
#
# Ours: `lpctl transcode IN -o DIR` with its defaults (the embedded node, the 4-rung default
# ladder: 720p 4000k, 576p 1500k, 360p 1200k, 240p 600k at 30 fps, x264 veryfast, GOP 2 s).
# ffmpeg: one process, one decode, `split` into four bilinear scalers and four libx264
# veryfast encoders, audio copied into each variant, `-f hls -var_stream_map`.
# Prints a markdown table: median wall and CPU (user+sys) seconds, peak RSS, and the ratio
# ffmpeg time / ours (above 1: we are faster). See docs/performance.md.
set -euo pipefail

RUNS=3
SECONDS_=30
INPUT=""
KEEP=0
BUILD=${LPGST_BUILD_DIR:-build}

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "main_job.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ $# -ge 2 ] || die "--runs needs a value"; RUNS="$2"; shift 2 ;;
    --seconds) [ $# -ge 2 ] || die "--seconds needs a value"; SECONDS_="$2"; shift 2 ;;
    --input) [ $# -ge 2 ] || die "--input needs a value"; INPUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
LPCTL="$BUILD/tools/lpctl"
[ -x "$LPCTL" ] || die "$LPCTL is not built (meson setup $BUILD && meson compile -C $BUILD)"
command -v ffmpeg >/dev/null || die "ffmpeg is not installed (apt-get install -y ffmpeg)"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (apt-get install -y time)"

WORK=$(mktemp -d /tmp/lpgst-mainjob-XXXXXX)
if [ "$KEEP" = 0 ]; then trap 'rm -rf "$WORK"' EXIT; else echo "keeping $WORK" >&2; fi
export GST_REGISTRY="$WORK/registry.bin"

if [ -n "$INPUT" ]; then
  [ -f "$INPUT" ] || die "no such file: $INPUT"
  SRC="$INPUT"
else
  SRC="$WORK/sample.ts"
  "$LPCTL" sample --seconds "$SECONDS_" "$SRC" >/dev/null 2>"$WORK/sample.log" || die "lpctl sample failed: $(cat "$WORK/sample.log")"
fi
AUDIO=$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 "$SRC" | head -1)

run_ours() {  # $1: output dir
  "$LPCTL" transcode "$SRC" -o "$1" >"$1.log" 2>&1
}

run_ffmpeg() {  # $1: output dir
  local maps=() map_audio="" vsm=""
  local i=0
  for rung in "1280:720:4000k" "1024:576:1500k" "640:360:1200k" "426:240:600k"; do
    IFS=: read -r w h b <<<"$rung"
    maps+=(-map "[v$i]" "-c:v:$i" libx264 "-b:v:$i" "$b")
    if [ -n "$AUDIO" ]; then maps+=(-map 0:a:0); vsm+="v:$i,a:$i "; else vsm+="v:$i "; fi
    i=$((i + 1))
  done
  mkdir -p "$1"
  ffmpeg -v error -y -i "$SRC" -filter_complex \
    "[0:v]split=4[s0][s1][s2][s3];[s0]scale=1280:720:flags=bilinear[v0];[s1]scale=1024:576:flags=bilinear[v1];[s2]scale=640:360:flags=bilinear[v2];[s3]scale=426:240:flags=bilinear[v3]" \
    "${maps[@]}" -c:a copy -r 30 -preset veryfast -g 60 -keyint_min 60 -sc_threshold 0 \
    -f hls -hls_time 2 -hls_playlist_type vod -var_stream_map "${vsm% }" \
    -master_pl_name index.m3u8 "$1/%v/index.m3u8" >"$1.log" 2>&1
}

timed() {  # $1: tool, $2: run index; appends "wall cpu rss_kb" to $WORK/$1.times
  local out="$WORK/$1-$2"
  /usr/bin/time -f "%e %U %S %M" -o "$out.time" bash -c "run_$1 \"\$0\"" "$out" ||
    die "$1 run $2 failed: $(tail -5 "$out.log")"
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$out.time" >>"$WORK/$1.times"
}
export -f run_ours run_ffmpeg
export SRC LPCTL AUDIO

for r in $(seq 1 "$RUNS"); do
  echo "run $r of $RUNS: lpgst" >&2
  timed ours "$r"
  echo "run $r of $RUNS: ffmpeg" >&2
  timed ffmpeg "$r"
done

median() {  # $1: file, $2: column
  sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ow=$(median "$WORK/ours.times" 1); oc=$(median "$WORK/ours.times" 2); om=$(median "$WORK/ours.times" 3)
fw=$(median "$WORK/ffmpeg.times" 1); fc=$(median "$WORK/ffmpeg.times" 2); fm=$(median "$WORK/ffmpeg.times" 3)
frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$SRC" | grep -m1 .)

echo
echo "Source: $(basename "$SRC"), $frames video frames; medians of $RUNS interleaved runs; $(nproc) CPUs."
echo
echo "| tool | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|"
printf "| lpgst (lpctl transcode) | %s | %s | %d |\n" "$ow" "$oc" $((om / 1024))
printf "| ffmpeg (one command) | %s | %s | %d |\n" "$fw" "$fc" $((fm / 1024))
echo
awk -v ow="$ow" -v fw="$fw" -v oc="$oc" -v fc="$fc" \
  'BEGIN {printf "Ratio ffmpeg / lpgst: wall %.2f, CPU %.2f (above 1: lpgst is faster)\n", fw / ow, fc / oc}'
