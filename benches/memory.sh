#!/usr/bin/env bash
# Peak memory of `vnedoc verify` and `vnedoc sign` on one large signed PDF, against the goal
# 1.2 × file size + 50 MiB (peak resident set size from GNU time, in MiB = 2^20 bytes).
#
#   bash benches/memory.sh [SIZE_MB=200] [OUT_DIR]
#
# Generates OUT_DIR/big-<SIZE>MB.pdf (examples/bench_inputs --big, signed by leaf-rsa2048),
# then measures:
#   verify   vnedoc verify --trust root.pem big.pdf               (must be TOTAL_PASSED)
#   sign     vnedoc sign --key/--cert leaf-rsa2048 --chain intermediate -o resigned.pdf big.pdf
#            and checks the output is the input plus an appended revision
#            (cmp -n <input size> in out, and out longer than in)
#   verify   vnedoc verify on the re-signed file (two signatures, both TOTAL_PASSED)
# Exits non-zero if a goal or a check fails. CARGO_TARGET_DIR is respected.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
SIZE_MB=${1:-200}
OUT=${2:-${TMPDIR:-/tmp}/vnedoc-memory}
PKI=$REPO/fixtures/pki

log() { printf '%s\n' "$*" >&2; }

if [ ! -x /usr/bin/time ]; then
    log "installing GNU time"
    as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -qq time >/dev/null 2>&1 ||
        { as_root apt-get update -qq >/dev/null && as_root apt-get install -y -qq time >/dev/null; }
fi

log "building vnedoc and examples/bench_inputs (release)"
cargo build --release --quiet --bin vnedoc --example bench_inputs
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
VNEDOC=$TARGET_DIR/release/vnedoc
BENCH_INPUTS=$TARGET_DIR/release/examples/bench_inputs

mkdir -p "$OUT"
BIG=$OUT/big-${SIZE_MB}MB.pdf
RESIGNED=$OUT/big-${SIZE_MB}MB-resigned.pdf
log "generating $BIG"
rm -f "$BIG" "$RESIGNED"
if ! "$BENCH_INPUTS" "$OUT" --sizes "" --big "${SIZE_MB}MB" >"$OUT/generate.log" 2>&1; then
    cat "$OUT/generate.log" >&2
    exit 1
fi
ROOT=$OUT/root.pem

# measure NAME LOG -- COMMAND...: runs COMMAND under GNU time; sets RSS_KB, WALL, RC.
measure() {
    local name=$1 out=$2
    shift 3
    local tv=$OUT/$name.time
    RC=0
    /usr/bin/time -v -o "$tv" "$@" >"$out" 2>&1 || RC=$?
    RSS_KB=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$tv")
    WALL=$(sed -n 's/.*Elapsed (wall clock) time.*): *//p' "$tv")
    LAST_LOG=$out
}

size_of() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

FAIL=0
ROWS=()
SHOW=() # outputs of the commands that failed
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }

# goal_row STEP FILE: compares RSS_KB with 1.2 × size(FILE) + 50 MiB.
goal_row() {
    local step=$1 file=$2 bytes rss goal verdict
    bytes=$(size_of "$file")
    rss=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
    goal=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", 1.2 * b / 1048576 + 50 }')
    if awk -v r="$rss" -v g="$goal" 'BEGIN { exit !(r <= g) }'; then
        verdict=PASS
    else
        verdict=FAIL
        FAIL=1
    fi
    if [ "$RC" -ne 0 ]; then
        verdict="$verdict (exit $RC)"
        FAIL=1
        SHOW+=("$LAST_LOG")
    fi
    row "$step" "$(basename "$file") ($(mib "$bytes") MiB)" "$rss" "$goal" "$WALL" "$verdict"
}

# 1. verify the big file
log "vnedoc verify $BIG"
measure verify "$OUT/verify.out" -- "$VNEDOC" verify --trust "$ROOT" "$BIG"
if [ "$RC" -eq 0 ] && ! grep -q TOTAL_PASSED "$OUT/verify.out"; then RC=1; fi
goal_row "vnedoc verify" "$BIG"

# 2. sign it again
log "vnedoc sign $BIG"
measure sign "$OUT/sign.out" -- "$VNEDOC" sign \
    --key "$PKI/leaf-rsa2048.key" --cert "$PKI/leaf-rsa2048.pem" --chain "$PKI/intermediate.pem" \
    --field Signature2 -o "$RESIGNED" "$BIG"
goal_row "vnedoc sign → $(basename "$RESIGNED")" "$BIG"
IN_SIZE=$(size_of "$BIG")
if [ -f "$RESIGNED" ] && [ "$(size_of "$RESIGNED")" -gt "$IN_SIZE" ] &&
    cmp -s -n "$IN_SIZE" "$BIG" "$RESIGNED"; then
    APPENDED="PASS (+$(($(size_of "$RESIGNED") - IN_SIZE)) bytes)"
else
    APPENDED=FAIL
    FAIL=1
fi
row "sign output = input + appended revision" "cmp -n $IN_SIZE" "" "" "" "$APPENDED"

# 3. the re-signed file verifies (both signatures)
if [ -f "$RESIGNED" ]; then
    log "vnedoc verify $RESIGNED"
    measure verify2 "$OUT/verify2.out" -- "$VNEDOC" verify --trust "$ROOT" "$RESIGNED"
    if [ "$RC" -eq 0 ] && [ "$(grep -c TOTAL_PASSED "$OUT/verify2.out")" -ne 2 ]; then RC=1; fi
    goal_row "vnedoc verify (re-signed)" "$RESIGNED"
fi

echo
echo "## Peak memory, goal 1.2 × file size + 50 MiB"
echo
echo "| step | file | peak RSS (MiB) | goal (MiB) | wall time | result |"
echo "|---|---|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Machine: nproc $(nproc), $(awk -F': *' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
    "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), $("$VNEDOC" --version)"
if [ "$FAIL" -ne 0 ]; then
    echo
    echo "FAILED (outputs and GNU time reports in $OUT)"
    for f in ${SHOW[@]+"${SHOW[@]}"}; do
        echo "--- $f:"
        tail -n 20 "$f"
    done
    exit 1
fi
