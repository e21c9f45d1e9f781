#!/usr/bin/env bash
# Makes a small VOD HLS ladder for play_hls.mjs: GStreamer (system plugins) encodes, ffmpeg
# cuts segments (stream copy).
#
#   make_sample_hls.sh OUTDIR [SECONDS=8]
#
# OUTDIR/master.m3u8 lists two renditions, OUTDIR/360p/index.m3u8 (640x360) and
# OUTDIR/180p/index.m3u8 (320x180): videotestsrc H.264 (constrained baseline, 30 fps) + AAC-LC
# (48 kHz stereo) in MPEG-TS, 2 s segments. BANDWIDTH and AVERAGE-BANDWIDTH are
# measured from the segments; CODECS from the streams (ffprobe). OUTDIR is emptied first.
#
# BREAK=KIND makes a broken ladder on purpose (to see the check fail):
#   missing-playlist    the master lists 360p/index.m3u8, which is not there
#   truncated-segments  every segment after the first is cut to 1/10 of its size
#   garbage-segments    every segment after the first is overwritten with bytes that are not TS
set -euo pipefail

out=${1:?usage: make_sample_hls.sh OUTDIR [SECONDS=8]}
seconds=${2:-8}
brk=${BREAK:-}
fps=30
rate=48000
spb=1024  # audio samples per buffer

for tool in gst-launch-1.0 ffmpeg ffprobe awk; do
  command -v "$tool" >/dev/null || { echo "make_sample_hls.sh: $tool not found" >&2; exit 1; }
done

case "$(realpath -m "$out")" in /|/tmp|/root|/home|/work) echo "make_sample_hls.sh: refusing to empty $out" >&2; exit 2 ;; esac
mkdir -p "$out"
rm -rf "${out:?}"/*

# name width height video-kbps audio-bps
renditions=("360p 640 360 800 128000" "180p 320 180 250 64000")

codecs_of() {  # RFC 6381 codecs of the first segment: "avc1.PPCCLL,mp4a.40.2"
  ffprobe -v error -show_entries stream=codec_name,profile,level -of csv=p=0 "$1" | awk -F, '
    $1 == "h264" {
      p = "4d40"  # Main
      if ($2 == "Constrained Baseline") p = "42c0"
      else if ($2 == "Baseline") p = "4200"
      else if ($2 == "High") p = "6400"
      v = sprintf("avc1.%s%02x", p, $3)
    }
    $1 == "aac" { a = ($2 == "HE-AAC") ? "mp4a.40.5" : "mp4a.40.2" }
    END { s = v; if (a != "") s = (s == "" ? a : s "," a); print s }'
}

# Peak and average bits per second over the segments of a media playlist.
bandwidth_of() {
  local dir=$1
  awk -v dir="$dir" '
    /^#EXTINF:/ { sub(/^#EXTINF:/, ""); sub(/,.*/, ""); d = $0 + 0; next }
    /^[^#]/ && NF {
      cmd = "stat -c %s \"" dir "/" $0 "\""; cmd | getline sz; close(cmd)
      if (d > 0) { b = sz * 8 / d; if (b > peak) peak = b }
      total += sz; dur += d
    }
    END { printf "%d %d\n", peak + 0.5, (dur > 0 ? total * 8 / dur : 0) + 0.5 }' "$dir/index.m3u8"
}

master="#EXTM3U
#EXT-X-VERSION:3
#EXT-X-INDEPENDENT-SEGMENTS"
for r in "${renditions[@]}"; do
  read -r name w h vkbps abps <<<"$r"
  mkdir -p "$out/$name"
  # GStreamer encodes and muxes one TS (x264enc, avenc_aac, mpegtsmux); ffmpeg cuts it into 2 s
  # segments without re-encoding. (hlssink2/splitmuxsink in GStreamer 1.22 often hang at EOS.)
  gst-launch-1.0 -q \
    videotestsrc num-buffers=$((seconds * fps)) pattern=ball \
      ! "video/x-raw,width=$w,height=$h,framerate=$fps/1" \
      ! x264enc speed-preset=ultrafast key-int-max=$((2 * fps)) bitrate="$vkbps" \
      ! video/x-h264,profile=constrained-baseline ! h264parse ! queue ! m. \
    audiotestsrc num-buffers=$((seconds * rate / spb)) samplesperbuffer=$spb wave=sine freq=440 \
      ! "audio/x-raw,rate=$rate,channels=2" ! avenc_aac bitrate="$abps" ! aacparse ! queue ! m. \
    mpegtsmux name=m ! filesink location="$out/$name/all.ts"
  ffmpeg -nostdin -v error -i "$out/$name/all.ts" -c copy -f hls -hls_time 2 -hls_playlist_type vod \
    -hls_segment_filename "$out/$name/segment%05d.ts" "$out/$name/index.m3u8"
  rm "$out/$name/all.ts"
  grep -q '^#EXT-X-ENDLIST' "$out/$name/index.m3u8" || { echo "no ENDLIST in $out/$name/index.m3u8" >&2; exit 1; }
  read -r peak avg < <(bandwidth_of "$out/$name")
  codecs=$(codecs_of "$out/$name/segment00000.ts")
  master+="
#EXT-X-STREAM-INF:BANDWIDTH=$peak,AVERAGE-BANDWIDTH=$avg,RESOLUTION=${w}x$h,FRAME-RATE=$fps.000,CODECS=\"$codecs\"
$name/index.m3u8"
done

case "$brk" in
  "") ;;
  missing-playlist) rm "$out/360p/index.m3u8" ;;
  truncated-segments|garbage-segments)
    for f in "$out"/*/segment*.ts; do
      case "$f" in */segment00000.ts) continue ;; esac
      if [ "$brk" = truncated-segments ]; then
        truncate -s $(($(stat -c %s "$f") / 10)) "$f"
      else
        size=$(stat -c %s "$f")
        head -c "$size" /dev/zero | tr '\0' 'x' >"$f"
      fi
    done ;;
  *) echo "make_sample_hls.sh: unknown BREAK=$brk" >&2; exit 2 ;;
esac

printf '%s\n' "$master" >"$out/master.m3u8"
echo "$out/master.m3u8${brk:+ (broken: $brk)}"
