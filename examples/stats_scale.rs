//! `vnedoc stats` at scale: generates 100,000 small documents across the units of the 2025
//! directory (signed by the test keys with the crate's own signer, some sealed by the agency,
//! some tampered, some unsigned), runs `stats` over them in one process, checks every count
//! against what was generated, and prints documents per second.
//!
//! ```text
//! cargo run --release --example stats_scale [-- --docs 100000 --dir /tmp/vnedoc-scale --threads 2]
//! ```
//! Generation is timed apart from the scan; the scan is what `vnedoc stats` does (walk,
//! verify on every core, record into the ledger, roll up). The tree is kept for reruns with the
//! CLI: `vnedoc stats --trust fixtures/pki/root.pem DIR`.

// Example code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "../tests/common/docgen.rs"]
mod docgen;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use vnedoc::exchange::{AgencyId, Directory, Sample};
use vnedoc::ledger::scan::{Scanner, UnitsFrom, collect};
use vnedoc::ledger::{
    DEFAULT_TARGET, DefaultClassifier, Filter, Ledger, LedgerStore, MemoryLedger, StatsReport,
};
use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

fn main() {
    let mut docs_wanted: u64 = 100_000;
    let mut dir = std::env::temp_dir().join("vnedoc-scale");
    let mut threads: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--docs" => docs_wanted = args.next().and_then(|v| v.parse().ok()).expect("--docs N"),
            "--dir" => dir = PathBuf::from(args.next().expect("--dir PATH")),
            "--threads" => {
                threads = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .expect("--threads N"),
                )
            }
            other => panic!("unknown argument {other}"),
        }
    }
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .expect("thread pool");
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let directory = Directory::sample(Sample::Y2025).expect("2025 directory");
    let units: Vec<AgencyId> = directory.iter().map(|a| a.id.clone()).collect();
    let n_units = units.len() as u64;
    // Spread the documents evenly, the first units taking the remainder.
    let per_unit = |u: u64| docs_wanted / n_units + u64::from(u < docs_wanted % n_units);

    // The tree is regenerated from scratch, but only in a folder this example made (it leaves
    // a marker there): `--dir` naming a folder of real documents must never empty it.
    let marker = dir.join(".vnedoc-stats-scale");
    let has_entries = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
    assert!(
        !has_entries || marker.exists(),
        "{} holds files this example did not write; give an empty or new folder with --dir",
        dir.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("output folder");
    std::fs::write(&marker, b"").expect("marker file");
    let keys = docgen::Keys::load(&repo.join("fixtures/pki"));
    let (docs, expected) = docgen::generate(&dir, &units, &per_unit);
    let t = Instant::now();
    docs.par_iter()
        .enumerate()
        .for_each(|(i, d)| docgen::write(&keys, d, i as u64));
    let generated = t.elapsed();
    let bytes: u64 = docs
        .iter()
        .map(|d| std::fs::metadata(&d.path).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "generated {} documents ({:.1} MB) for {} units in {:.1} s ({:.0} docs/s, {} threads)",
        docs.len(),
        bytes as f64 / 1e6,
        units.len(),
        generated.as_secs_f64(),
        docs.len() as f64 / generated.as_secs_f64(),
        rayon::current_num_threads()
    );

    // The scan, as `vnedoc stats --trust fixtures/pki/root.pem DIR` runs it.
    let t = Instant::now();
    let mut trust = TrustStore::new();
    for der in TrustStore::load_pem_or_der(
        &std::fs::read(repo.join("fixtures/pki/root.pem")).expect("root.pem"),
    )
    .expect("root")
    {
        trust.add_anchor_der(der).expect("anchor");
    }
    let verifier = Verifier::new(VerifyOptions::new(
        trust,
        ValidationTime::At(vnedoc::time::now()),
    ));
    let classifier = DefaultClassifier::new();
    let (jobs, skipped) = collect(std::slice::from_ref(&dir), UnitsFrom::Folders);
    let scanner = Scanner::new(&verifier, &classifier, UnitsFrom::Folders);
    let scan = scanner.scan(&jobs, &|| {});
    let mut store = MemoryLedger::new();
    store.record(&scan.entries).expect("record");
    let ledger = Ledger::new(store);
    let report = StatsReport::build(
        &ledger,
        &directory,
        &Filter::default(),
        DEFAULT_TARGET,
        scan.files,
        skipped,
    )
    .expect("report");
    let elapsed = t.elapsed();

    // Every unit's counts are the generated ones.
    let got: BTreeMap<&AgencyId, (u64, u64, u64)> = report
        .units
        .iter()
        .map(|r| {
            let c = &r.counts;
            (&r.unit, (c.signed_valid, c.signed_invalid, c.unsigned))
        })
        .collect();
    let want: BTreeMap<&AgencyId, (u64, u64, u64)> = expected
        .iter()
        .filter(|(_, e)| e.total() > 0)
        .map(|(u, e)| (u, (e.signed_valid, e.signed_invalid, e.unsigned)))
        .collect();
    assert_eq!(got, want, "per-unit counts differ from the generated tree");
    assert!(scan.skipped.is_empty(), "{:?}", scan.skipped.first());
    let (v, i, u) = want
        .values()
        .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!(
        "stats: {} documents in {:.2} s: {:.0} docs/s on {} threads ({:.1} MB/s)",
        scan.files,
        elapsed.as_secs_f64(),
        scan.files as f64 / elapsed.as_secs_f64(),
        rayon::current_num_threads(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64()
    );
    println!(
        "counts: {v} signed-valid, {i} signed-invalid, {u} unsigned; {} units, {} roll-up rows, {} below {}%",
        report.units.len(),
        report.rollup.len(),
        report.below_target().len(),
        DEFAULT_TARGET
    );
    println!("tree kept in {}", dir.display());
}
