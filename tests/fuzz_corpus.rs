//! Replays the committed fuzzing corpora (`fuzz/corpus/<target>/`) and the minimized crash
//! inputs (`fixtures/fuzz-regressions/<target>/`) through the same target bodies the fuzzers
//! run (`fuzz/harness.rs`), so a regression shows up in a plain `cargo test` without nightly or
//! cargo-fuzz. Each input must return without panicking, within a time bound.
//!
//! Run it optimised, as the fuzzers are: `cargo test --release --test fuzz_corpus`.
//! `FUZZ_CORPUS_SECS` overrides the per-input bound (default 5 s optimised, 30 s otherwise).

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "../fuzz/harness.rs"]
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn limit() -> Duration {
    let default = if cfg!(debug_assertions) { 30 } else { 5 };
    let secs = std::env::var("FUZZ_CORPUS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    Duration::from_secs(secs)
}

fn replay(target: &str, body: fn(&[u8])) {
    let corpus = root().join("fuzz/corpus").join(target);
    let regressions = root().join("fixtures/fuzz-regressions").join(target);
    let corpus_files = files_in(&corpus);
    assert!(
        !corpus_files.is_empty(),
        "{}: no corpus (expected the committed seeds)",
        corpus.display()
    );
    let limit = limit();
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, PathBuf::new());
    let all: Vec<PathBuf> = corpus_files
        .into_iter()
        .chain(files_in(&regressions))
        .collect();
    for path in &all {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| body(&data)));
        let took = start.elapsed();
        if took > slowest.0 {
            slowest = (took, path.clone());
        }
        if outcome.is_err() {
            failures.push(format!("{}: panicked (message above)", path.display()));
        } else if took > limit {
            failures.push(format!(
                "{}: took {took:?}, over the {limit:?} bound",
                path.display()
            ));
        }
    }
    eprintln!(
        "{target}: {} inputs replayed, slowest {:?} ({})",
        all.len(),
        slowest.0,
        slowest.1.display()
    );
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn pdf_verify() {
    replay("pdf_verify", harness::pdf_verify);
}

#[test]
fn cms_verify() {
    replay("cms_verify", harness::cms_verify);
}

#[test]
fn cert_path() {
    replay("cert_path", harness::cert_path);
}

#[test]
fn edxml_parse() {
    replay("edxml_parse", harness::edxml_parse);
}

#[test]
fn directory_load() {
    replay("directory_load", harness::directory_load);
}

#[test]
fn sign_roundtrip() {
    replay("sign_roundtrip", harness::sign_roundtrip);
}
