#!/usr/bin/env bash
# Keccak-256 throughput: lp::eth::keccak256 vs OpenSSL EVP SHA3-256 on 1 MiB and 64 KiB
# buffers, same run (markdown table of MB/s).
#
#   bash bench/keccak.sh [--build DIR] [SECONDS]
#
#   --build DIR  the build directory (default build/, or $LPGST_BUILD_DIR); it needs
#                bench/keccak_throughput there (meson compile -C DIR bench/keccak_throughput)
#   SECONDS      time per measurement (default 0.3); each is the best of 5, interleaved
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LPGST_BUILD_DIR:-$REPO_ROOT/build}"
if [ "${1:-}" = "--build" ]; then
  [ $# -ge 2 ] || { echo "keccak.sh: error: --build needs a value" >&2; exit 1; }
  BUILD_DIR="$2"; shift 2
fi
BIN="$BUILD_DIR/bench/keccak_throughput"
[ -x "$BIN" ] || { echo "keccak.sh: error: $BIN not built" >&2; exit 1; }
exec "$BIN" "$@"
