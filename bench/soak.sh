#!/usr/bin/env bash
# Soak: valid segments through `lpnode --orchestrator` and two `lpnode --transcoder`s for a
# while, one transcoder SIGKILLed (and restarted at once) at a fixed interval. Shows whether
# segments get lost, and whether the orchestrator's fds and RSS stay flat.
#
#   bash bench/soak.sh [--minutes M] [--kill-every SEC] [--row-every N] [--clients C]
#                      [--build DIR] [--plain] [--profiles LIST] [--settle SEC]
#                      [--result-ttl SEC] [--keep]
#
#   --minutes M       how long the clients send (default 10)
#   --kill-every SEC  SIGKILL one transcoder every SEC s, alternating, and restart it at once
#                     (default 120; 0 = never)
#   --row-every N     print a row every N answered segments (default 1000)
#   --clients C       parallel clients, one stream each (default 4)
#   --build DIR       where tools/lpnode and tools/lpctl are (default build/, or
#                     $LPGST_BUILD_DIR); nothing is built
#   --plain           plain HTTP on the public port (default: TLS, self-signed, curl -k)
#   --profiles LIST   preset names, comma-separated (default P144p30fps16x9)
#   --settle SEC      after the clients stop, stay idle SEC s and print rows every 60 s
#                     (results expire --result-ttl s after they were made; default 0)
#   --result-ttl SEC  the orchestrator's --result-ttl (default 300)
#   --keep            keep the temporary directory (segment, the nodes' logs, client logs)
#
# Makes a 1 s 320x180 MPEG-TS with `lpctl sample`, starts the orchestrator (loopback, free
# ports, --max-sessions auto) and two transcoders (--max-sessions 2 each), and runs C client
# loops: GET /v1/info for a token (renewed a minute before it expires), then POST /v1/segment
# with the protocol's headers, one segment after another. A 503 (busy) is retried after
# 0.2 s, as a gateway would, up to 300 times; any other final answer than 200 with a result
# counts as failed. Each row: segments answered, ok, failed, 503 retries, kills so far,
# transcoders registered, and the orchestrator's VmRSS and open fds. Everything it starts is
# killed when it exits.
set -euo pipefail
set -m  # every background job in its own process group: cleanup kills curl children too

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LPGST_BUILD_DIR:-$REPO_ROOT/build}"
MINUTES=10
KILL_EVERY=120
ROW_EVERY=1000
CLIENTS=4
PLAIN=0
PROFILE_NAMES=P144p30fps16x9
SETTLE=0
RESULT_TTL=300
KEEP=0
RETRY_SLEEP=0.2
MAX_RETRIES=300
CMDLINE="bash bench/soak.sh${*:+ $*}"

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "soak.sh: error: $*" >&2; exit 1; }
num() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 must be a whole number (got '$2')"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --minutes|--kill-every|--row-every|--clients|--build|--profiles|--settle|--result-ttl)
      [ $# -ge 2 ] || die "$1 needs a value" ;;&
    --minutes) num "$1" "$2"; MINUTES="$2"; shift 2 ;;
    --kill-every) num "$1" "$2"; KILL_EVERY="$2"; shift 2 ;;
    --row-every) num "$1" "$2"; ROW_EVERY="$2"; shift 2 ;;
    --clients) num "$1" "$2"; CLIENTS="$2"; shift 2 ;;
    --build) BUILD_DIR="$2"; shift 2 ;;
    --profiles) PROFILE_NAMES="$2"; shift 2 ;;
    --settle) num "$1" "$2"; SETTLE="$2"; shift 2 ;;
    --result-ttl) num "$1" "$2"; RESULT_TTL="$2"; shift 2 ;;
    --plain) PLAIN=1; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[ "$MINUTES" -ge 1 ] || die "--minutes must be at least 1"
[ "$ROW_EVERY" -ge 1 ] || die "--row-every must be at least 1"
[ "$CLIENTS" -ge 1 ] || die "--clients must be at least 1"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$PWD/$BUILD_DIR" ;; esac

LPNODE="$BUILD_DIR/tools/lpnode"
LPCTL="$BUILD_DIR/tools/lpctl"
for f in "$LPNODE" "$LPCTL"; do
  [ -x "$f" ] || die "$f is missing: build first (meson setup build && meson compile -C build), or pass --build DIR"
done
for t in curl jq sha256sum; do command -v "$t" >/dev/null || die "needs $t"; done

# Profiles as the Lp-Profiles header wants them: a JSON array of go-livepeer profile objects.
preset_json() {
  local n=$1 w h b
  case "$n" in
    P144p30fps16x9) w=256;  h=144;  b=400000 ;;
    P240p30fps16x9) w=426;  h=240;  b=600000 ;;
    P360p30fps16x9) w=640;  h=360;  b=1200000 ;;
    P720p30fps16x9) w=1280; h=720;  b=4000000 ;;
    *) die "unknown preset '$n' (P144p30fps16x9, P240p30fps16x9, P360p30fps16x9, P720p30fps16x9)" ;;
  esac
  printf '{"name":"%s","width":%d,"height":%d,"bitrate":%d,"fps":30,"fpsDen":1}' "$n" "$w" "$h" "$b"
}
PROFILES="["
IFS=, read -r -a _names <<<"$PROFILE_NAMES"
for n in "${_names[@]}"; do PROFILES+="$(preset_json "$n"),"; done
PROFILES="${PROFILES%,}]"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lpgst-soak.XXXXXX")"
PIDS=()        # every background job we started (each its own process group)
T_PID=("" "")  # the two transcoders
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}" "${T_PID[@]}"; do
    [ -n "$p" ] && kill -TERM -- "-$p" 2>/dev/null || true
  done
  sleep 0.5
  for p in "${PIDS[@]}" "${T_PID[@]}"; do
    [ -n "$p" ] && kill -KILL -- "-$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ] || [ "$rc" != 0 ]; then
    echo "soak.sh: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export GST_REGISTRY="$WORK/registry.bin"
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0 GST_DEBUG GST_TRACERS 2>/dev/null || true

# A loopback port nothing listens on.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

SEGMENT="$WORK/segment.ts"
echo "soak.sh: generating a 1 s 320x180 segment..." >&2
"$LPCTL" sample "$SEGMENT" --seconds 1 --size 320x180 >"$WORK/lpctl.log" 2>&1 ||
  { cat "$WORK/lpctl.log" >&2; die "lpctl sample failed"; }
SHA=$(sha256sum "$SEGMENT" | cut -d' ' -f1)

SECRET="soak-$RANDOM$RANDOM"
PORT=$(free_port)
CLI_PORT=$(free_port)
[ "$CLI_PORT" != "$PORT" ] || CLI_PORT=$(free_port)
if [ "$PLAIN" = 1 ]; then
  HTTP_ADDR="http://127.0.0.1:$PORT"; ORCH="http://127.0.0.1:$PORT"; CURL_TLS=()
else
  HTTP_ADDR="127.0.0.1:$PORT"; ORCH="https://127.0.0.1:$PORT"; CURL_TLS=(-k)
fi
OPS="http://127.0.0.1:$CLI_PORT"
mkdir -p "$WORK/orch-data"

"$LPNODE" --orchestrator --http-addr "$HTTP_ADDR" --cli-addr "127.0.0.1:$CLI_PORT" \
  --orch-secret "$SECRET" --data-dir "$WORK/orch-data" --max-sessions auto --result-ttl "$RESULT_TTL" \
  >"$WORK/orchestrator.log" 2>&1 &
ORCH_PID=$!
PIDS+=("$ORCH_PID")
for _ in $(seq 300); do
  curl -s -o /dev/null "$OPS/status" && break
  kill -0 "$ORCH_PID" 2>/dev/null || { cat "$WORK/orchestrator.log" >&2; die "the orchestrator exited"; }
  sleep 0.1
done
curl -s -o /dev/null "$OPS/status" || { cat "$WORK/orchestrator.log" >&2; die "the orchestrator did not come up"; }

T_RUNS=(0 0)
start_transcoder() {  # start_transcoder INDEX
  local i=$1
  T_RUNS[$i]=$((T_RUNS[$i] + 1))
  "$LPNODE" --transcoder --orch-addr "127.0.0.1:$PORT" --orch-secret "$SECRET" --max-sessions 2 \
    >"$WORK/transcoder$((i + 1)).${T_RUNS[$i]}.log" 2>&1 &
  T_PID[$i]=$!
}
registered() { curl -s --max-time 5 "$OPS/status" | jq '.transcoders | length' 2>/dev/null || echo "?"; }
start_transcoder 0
start_transcoder 1
for _ in $(seq 600); do [ "$(registered)" = 2 ] && break; sleep 0.1; done
[ "$(registered)" = 2 ] || { tail -n 20 "$WORK"/transcoder*.log >&2; die "the transcoders did not register"; }

# One client: stream soak-ID, one segment after another until END.
client() {
  set +e
  local id=$1 seq=0 token="" texp=0 code retries info log="$WORK/client$1.log"
  while [ "$EPOCHSECONDS" -lt "$END" ]; do
    if [ $((EPOCHSECONDS + 60)) -ge "$texp" ]; then
      info=$(curl -s "${CURL_TLS[@]}" --max-time 10 "$ORCH/v1/info") &&
        token=$(jq -r '.auth_token | "\(.session_id).\(.expiry).\(.hmac)"' <<<"$info") &&
        texp=$(jq -r '.auth_token.expiry' <<<"$info") ||
        { echo "client $id: GET /v1/info failed" >>"$WORK/failures.log"; sleep 1; continue; }
    fi
    retries=0
    while :; do
      code=$(curl -s "${CURL_TLS[@]}" --max-time 60 -o "$WORK/answer$id" -w '%{http_code}' \
        -X POST "$ORCH/v1/segment" -H "Content-Type: video/mp2t" -H "Lp-Auth-Token: $token" \
        -H "Lp-Stream-Id: soak-$id" -H "Lp-Seq: $seq" -H "Lp-Duration-Ms: 1000" \
        -H "Lp-Profiles: $PROFILES" -H "Lp-Body-Sha256: $SHA" --data-binary @"$SEGMENT") || true
      [ "$code" = 503 ] && [ "$retries" -lt "$MAX_RETRIES" ] || break
      retries=$((retries + 1))
      sleep "$RETRY_SLEEP"
    done
    if [ "$code" = 200 ] && grep -q '"renditions"' "$WORK/answer$id"; then
      echo "$seq ok $retries" >>"$log"
    else
      echo "$seq fail $retries" >>"$log"
      { printf '%s client %s seq %s: HTTP %s after %s retries: ' "$(date -u +%T)" "$id" "$seq" "$code" "$retries"
        head -c 300 "$WORK/answer$id" 2>/dev/null; echo; } >>"$WORK/failures.log"
    fi
    seq=$((seq + 1))
  done
}

counts() {  # answered ok failed retries
  { cat "$WORK"/client*.log 2>/dev/null || true; } |
    awk '{n++; if ($2 == "ok") ok++; else bad++; r += $3} END {printf "%d %d %d %d\n", n, ok, bad, r}'
}
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$ORCH_PID/status" 2>/dev/null || echo 0; }
fds() { ls "/proc/$ORCH_PID/fd" 2>/dev/null | wc -l; }
KILLS=0
T0=$EPOCHSECONDS
row() {  # row LABEL
  local c rss
  c=($(counts)); rss=$(rss_kib)
  printf '| %s | %d | %d | %d | %d | %d | %d | %s | %.1f | %d |\n' "$1" "$((EPOCHSECONDS - T0))" \
    "${c[0]}" "${c[1]}" "${c[2]}" "${c[3]}" "$KILLS" "$(registered)" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$(fds)"
}

MODE=$([ "$PLAIN" = 1 ] && echo "plain HTTP" || echo "TLS (self-signed, curl -k)")
echo "## Soak ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "- Command: \`$CMDLINE\`"
echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- Public port: $MODE; $CLIENTS clients; profiles $PROFILE_NAMES; segment $(stat -c %s "$SEGMENT") bytes (1 s 320x180)"
echo "- Kill: one transcoder SIGKILLed every ${KILL_EVERY} s (alternating), restarted at once"
echo
echo "| Row | s | Answered | OK | Failed | 503 retries | Kills | Transcoders | Orch. RSS MiB | Orch. fds |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
row start

END=$((EPOCHSECONDS + MINUTES * 60))
CLIENT_PIDS=()
for i in $(seq "$CLIENTS"); do
  client "$i" &
  PIDS+=("$!")
  CLIENT_PIDS+=("$!")
done

NEXT_ROW=$ROW_EVERY
NEXT_KILL=$([ "$KILL_EVERY" -gt 0 ] && echo $((EPOCHSECONDS + KILL_EVERY)) || echo 0)
VICTIM=0
REREG=()      # seconds until the killed transcoder's successor registered
WAIT_REREG=0  # when > 0: the kill time, waiting for 2 transcoders again
while [ "$EPOCHSECONDS" -lt "$END" ]; do
  sleep 0.5
  if [ "$NEXT_KILL" -gt 0 ] && [ "$EPOCHSECONDS" -ge "$NEXT_KILL" ] && [ "$EPOCHSECONDS" -lt "$END" ]; then
    kill -KILL "${T_PID[$VICTIM]}" 2>/dev/null || echo "soak.sh: transcoder $((VICTIM + 1)) was already gone" >&2
    wait "${T_PID[$VICTIM]}" 2>/dev/null || true
    KILLS=$((KILLS + 1))
    echo "$(date -u +%T) killed transcoder $((VICTIM + 1)) (pid ${T_PID[$VICTIM]})" >>"$WORK/kills.log"
    start_transcoder "$VICTIM"
    WAIT_REREG=$(date +%s.%N)
    VICTIM=$((1 - VICTIM))
    NEXT_KILL=$((NEXT_KILL + KILL_EVERY))
  fi
  if [ "$WAIT_REREG" != 0 ] && [ "$(registered)" = 2 ]; then
    REREG+=("$(awk -v a="$WAIT_REREG" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')")
    WAIT_REREG=0
  fi
  read -r n _ < <(counts)
  if [ "$n" -ge "$NEXT_ROW" ]; then
    row "$NEXT_ROW"
    while [ "$n" -ge "$NEXT_ROW" ]; do NEXT_ROW=$((NEXT_ROW + ROW_EVERY)); done
  fi
done
wait "${CLIENT_PIDS[@]}" 2>/dev/null || true
row end
for ((s = 60; s <= SETTLE; s += 60)); do
  sleep 60
  row "idle +${s}s"
done
[ "$SETTLE" -gt 0 ] && [ $((SETTLE % 60)) -ne 0 ] && { sleep $((SETTLE % 60)); row "idle +${SETTLE}s"; }

c=($(counts))
metric() {  # the sum over a metric's series
  curl -s "$OPS/metrics" | awk -v m="$1" 'index($1, m) == 1 && (length($1) == length(m) || substr($1, length(m) + 1, 1) == "{") {s += $NF; f = 1} END {print f ? s : "?"}'
}
echo
echo "- Answered $((c[0])) segments in $((MINUTES * 60)) s ($(awk -v n="${c[0]}" -v s="$((MINUTES * 60))" 'BEGIN{printf "%.1f", n/s}')/s): ${c[1]} ok, ${c[2]} failed; ${c[3]} retries of 503"
echo "- Kills: $KILLS; the restarted transcoder registered again after: ${REREG[*]:-n/a} s"
echo "- Orchestrator metrics: lpgst_segment_redispatched_total $(metric lpgst_segment_redispatched_total), lpgst_segment_transcoded_total $(metric lpgst_segment_transcoded_total)"
if [ -s "$WORK/failures.log" ]; then
  echo "- Failures (first 10 of $(wc -l <"$WORK/failures.log")):"
  echo
  head -n 10 "$WORK/failures.log" | sed 's/^/    /'
fi
