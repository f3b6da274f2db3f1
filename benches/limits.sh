#!/usr/bin/env bash
# Hostile inputs against the command line, under /usr/bin/time -v: each must end within 5 s
# and 512 MB with an error (or, for a merely unusual file, a normal report). The inputs are the
# ones tests/resource_limits.rs asserts the verdicts of; this script measures what a test
# cannot, the peak memory of a whole process.
#
#   bash benches/limits.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

OUT=${1:-/tmp/vnedoc-limits}
LIMIT_S=5
LIMIT_KB=$((512 * 1024))

if ! [ -x /usr/bin/time ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq time >/dev/null 2>&1 \
        || { "${SUDO[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq time >/dev/null; }
fi

cargo build --release --quiet --bin vnedoc --example hostile_inputs
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN="$TARGET_DIR/release/vnedoc"
rm -rf "$OUT" && mkdir -p "$OUT/in" "$OUT/log"
"$TARGET_DIR/release/examples/hostile_inputs" "$OUT/in" > "$OUT/list.tsv"

printf '| input | size | exit | wall (s) | peak RSS (MiB) | result | first line |\n|---|---:|---:|---:|---:|---|---|\n'
fail=0
while IFS=$'\t' read -r kind name size; do
    f="$OUT/in/$name"
    case "$kind" in
        pdf) cmd=("$BIN" verify --trust fixtures/pki/root.pem "$f") ;;
        edxml) cmd=("$BIN" edxml unpack -o "$OUT/unpacked-$name" "$f") ;;
        directory) cmd=("$BIN" directory list --directory "$f") ;;
    esac
    set +e
    /usr/bin/time -v -o "$OUT/log/$name.time" "${cmd[@]}" > "$OUT/log/$name.out" 2> "$OUT/log/$name.err"
    code=$?
    set -e
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$OUT/log/$name.time" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/log/$name.time")
    first=$( (cat "$OUT/log/$name.err"; grep -m1 -E "TOTAL_|INDETERMINATE|no signatures|error" "$OUT/log/$name.out" || true) | head -1 | cut -c1-90)
    ok=PASS
    if awk -v w="$wall" -v l="$LIMIT_S" 'BEGIN { exit !(w > l) }'; then ok="FAIL (time)"; fi
    if [ "$rss" -gt "$LIMIT_KB" ]; then ok="FAIL (memory)"; fi
    if [ "$code" -ge 128 ]; then ok="FAIL (signal)"; fi
    [ "$ok" = PASS ] || fail=1
    printf '| %s | %s | %s | %.2f | %.1f | %s | %s |\n' "$name" "$size" "$code" "$wall" "$(echo "$rss / 1024" | bc -l)" "$ok" "${first//|/\\|}"
done < "$OUT/list.tsv"
echo
echo "Limits: ${LIMIT_S} s and 512 MiB per input. Logs in $OUT/log."
exit $fail
