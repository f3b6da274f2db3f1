#!/usr/bin/env bash
# Builds every fuzz target and runs each for a short while (30 s by default) on its committed
# corpus (fuzz/corpus/<target>/) plus the regression inputs (fixtures/fuzz-regressions/<target>/).
# Fails when any target crashes, times out or runs out of memory; the inputs that did are
# left in the artifacts folder it prints.
#
#   fuzz/run-ci.sh                  # all targets, 30 s each
#   FUZZ_SECS=120 fuzz/run-ci.sh pdf_verify cms_verify
#
# Toolchain: an installed nightly (`cargo +nightly`) builds the targets with AddressSanitizer.
# Without one, the default toolchain builds them with `--sanitizer none`, which cargo-fuzz
# supports on stable: coverage-guided libFuzzer all the same, minus ASan's checks (which only
# matter for the C parts of dependencies: the crate and its harness forbid `unsafe`). A nightly
# toolchain is never downloaded. FUZZ_SANITIZER=none forces the second mode.
# A missing cargo-fuzz is installed from crates.io (`cargo install --locked cargo-fuzz`).
# When it cannot be, the script fails under CI=true and prints a notice and exits 0 elsewhere.
# New inputs found go to a scratch folder, never into the committed corpora.
# Under CI=true libFuzzer's seed is fixed (FUZZ_SEED, default 1), so that a gate run is
# reproducible: the search for new crashes is the job of the long campaigns in fuzz/README.md,
# and a crash found there is fixed and its input committed before it can gate anything.
# Elsewhere the seed is random unless FUZZ_SEED is given.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
secs="${FUZZ_SECS:-30}"
seed=()
if [ -n "${FUZZ_SEED:-}" ]; then
    seed=(-seed="$FUZZ_SEED")
elif [ "${CI:-}" = "true" ]; then
    seed=(-seed=1)
fi
all_targets=(pdf_verify cms_verify cert_path edxml_parse directory_load sign_roundtrip)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

# Low priority: fuzzing must not disturb benchmarks or other builds on the same machine.
nice_cmd=(nice -n 19)

unavailable() {
    if [ "${CI:-}" = "true" ]; then
        echo "FAILED: $1"
        exit 1
    fi
    echo "notice: $1; fuzzing skipped"
    exit 0
}

# Never let rustup fetch a toolchain on our behalf.
export RUSTUP_AUTO_INSTALL=0
cargo_cmd=(cargo)
sanitizer=()
if [ "${FUZZ_SANITIZER:-}" = "none" ]; then
    sanitizer=(--sanitizer none)
elif rustc --version 2>/dev/null | grep -q nightly; then
    :
elif command -v rustup >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q '^nightly' \
    && cargo +nightly --version >/dev/null 2>&1; then
    cargo_cmd=(cargo +nightly)
else
    sanitizer=(--sanitizer none)
fi
if ! "${cargo_cmd[@]}" fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not found: installing it (cargo install --locked cargo-fuzz --version 0.13.2)"
    if ! "${nice_cmd[@]}" cargo install --locked --quiet cargo-fuzz --version 0.13.2; then
        unavailable "cargo-fuzz could not be installed (is crates.io reachable?)"
    fi
fi
echo "== toolchain: $("${cargo_cmd[@]}" --version); sanitizer: ${sanitizer[1]:-address}"

max_len() {
    case "$1" in
        pdf_verify | sign_roundtrip) echo 262144 ;;
        *) echo 65536 ;;
    esac
}

start=$(date +%s)
cd "$here"
echo "== building ${#targets[@]} fuzz targets"
if ! "${nice_cmd[@]}" "${cargo_cmd[@]}" fuzz build "${sanitizer[@]}" >"${TMPDIR:-/tmp}/vnedoc-fuzz-build.log" 2>&1; then
    echo "FAILED to build the fuzz targets:"
    tail -n 40 "${TMPDIR:-/tmp}/vnedoc-fuzz-build.log"
    exit 1
fi
built=$(date +%s)
echo "== built in $((built - start)) s"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/vnedoc-fuzz-ci.XXXXXX")"
failed=()
for t in "${targets[@]}"; do
    [ -d "corpus/$t" ] || { echo "no committed corpus for $t (fuzz/corpus/$t)"; failed+=("$t"); continue; }
    mkdir -p "$scratch/new/$t" "$scratch/artifacts/$t"
    dirs=("$scratch/new/$t" "corpus/$t")
    [ -d "$repo/fixtures/fuzz-regressions/$t" ] && dirs+=("$repo/fixtures/fuzz-regressions/$t")
    # The repository's own fixtures are seeds too (read only): the committed corpora are kept
    # under 2 MB and so hold few of the larger real documents.
    case "$t" in
        pdf_verify | sign_roundtrip)
            dirs+=("$repo/fixtures/pdf" "$repo/fixtures/defects")
            # The shared PDF corpus, where it is laid beside the repository.
            [ -d "$repo/../shared/corpus" ] && dirs+=("$repo/../shared/corpus")
            ;;
        edxml_parse) dirs+=("$repo/fixtures/edxml") ;;
    esac
    echo "== $t: ${secs} s"
    if "${nice_cmd[@]}" "${cargo_cmd[@]}" fuzz run "${sanitizer[@]}" "$t" "${dirs[@]}" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")" \
        -artifact_prefix="$scratch/artifacts/$t/" -print_final_stats=1 ${seed[@]+"${seed[@]}"} \
        >"$scratch/$t.log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec)|DONE' "$scratch/$t.log" | tr '\n' ' '
        echo
    else
        echo "FAILED: $t (log: $scratch/$t.log, inputs: $scratch/artifacts/$t/)"
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY' "$scratch/$t.log" | head -n 5 || true
        failed+=("$t")
    fi
done
end=$(date +%s)
echo "== fuzz CI: $((end - start)) s in all ($((built - start)) s building)"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz CI FAILED: ${failed[*]} (artifacts in $scratch/artifacts)"
    exit 1
fi
rm -rf "$scratch"
echo "fuzz CI passed: ${targets[*]}"
