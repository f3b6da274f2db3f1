//! Runs `vnedoc verify --json` on every file of the shared signed-PDF corpus
//! (`../shared/corpus`, see its README.md) and checks the `expect` column of
//! MANIFEST.tsv.
//!
//! The labels come from the upstream tests and from the peers poppler pdfsig
//! 22.12.0 and pyHanko 0.38.0 (pyhanko-cli 0.6.0, pyhanko-certvalidator
//! 0.33.0); those peers are not run here (see tests/cross_check.rs).
//!
//! The rules per `expect`, the `uncertain` rows and the exceptions mechanism are
//! those of [`common::manifest`] (shared with tests/wild.rs); the exceptions are
//! listed in tests/corpus-exceptions.tsv (`path`, `reason`). Run with
//! `--nocapture` to see the per-row report.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

#[test]
fn corpus_manifest_expectations() {
    common::manifest::check_manifest(
        &common::corpus_dir(),
        "tests/corpus-exceptions.tsv",
        "corpus",
    );
}
