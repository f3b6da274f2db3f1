#!/usr/bin/env bash
# Minimizes committed corpora: `cargo fuzz cmin` (keeps one input per coverage feature,
# smallest first), then, while the corpus is still over the byte budget (1.2 MB by default),
# drops its largest inputs. libFuzzer's merge takes inputs smallest first, so what is left is
# what a merge restricted to inputs below the cut-off would have kept.
#
#   fuzz/minimize.sh [target...]            # all targets
#   FUZZ_CORPUS_BUDGET=4000000 fuzz/minimize.sh pdf_verify
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
budget="${FUZZ_CORPUS_BUDGET:-1200000}"
all_targets=(pdf_verify cms_verify cert_path edxml_parse directory_load sign_roundtrip)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
cd "$here"

max_len() {
    case "$1" in
        pdf_verify | sign_roundtrip) echo 262144 ;;
        *) echo 65536 ;;
    esac
}

for t in "${targets[@]}"; do
    before="$(find "corpus/$t" -type f | wc -l) files, $(du -sb "corpus/$t" | cut -f1) bytes"
    nice -n 19 cargo +nightly fuzz cmin "$t" "corpus/$t" -- \
        -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")" >/dev/null 2>&1
    total=0
    dropped=0
    while read -r size name; do
        if [ $((total + size)) -le "$budget" ]; then
            total=$((total + size))
        else
            rm -f "corpus/$t/$name"
            dropped=$((dropped + 1))
        fi
    done < <(find "corpus/$t" -maxdepth 1 -type f -printf '%s %f\n' | sort -n)
    after="$(find "corpus/$t" -type f | wc -l) files, $total bytes"
    echo "$t: $before -> $after (dropped $dropped over the $budget-byte budget)"
done
