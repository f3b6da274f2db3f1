//! Runs `vnedoc verify --json` on every file of the wild half of the shared
//! corpus (`../shared/corpus/wild`: signed PDFs made by iText, SignServer,
//! pdf.js's corpus, pdfcpu, node-signpdf, endesive/Acrobat, digitorus pdfsign,
//! DigiDoc4j and qpdf; see its README.md) and checks the `expect` column of its
//! MANIFEST.tsv.
//!
//! Same rules as tests/corpus.rs ([`common::manifest`]): every certain row must
//! agree or be listed, with its reason, in tests/wild-exceptions.tsv; every
//! listed row must still mismatch; `uncertain` rows are printed, never asserted
//! (unless the process hangs or crashes). Skipped with "skipped" when the corpus
//! is absent, a failure under CI=true. Run with `--nocapture` to see the
//! per-row report.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

#[test]
fn wild_manifest_expectations() {
    common::manifest::check_manifest(
        &common::corpus_dir().join("wild"),
        "tests/wild-exceptions.tsv",
        "wild",
    );
}
