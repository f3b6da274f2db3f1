//! One test per /ByteRange and /Contents defect in fixtures/defects/ (REFERENCE §6):
//! each file breaks exactly one rule and must be rejected with exactly that rule's
//! error, as TOTAL_FAILED / FORMAT_FAILURE without integrity, even where the CMS is a
//! valid signature over the declared ranges (FIXTURES.tsv notes say which).
//!
//! All fixtures here are `openssl-rsa2048-pkcs7.pdf` rebuilt with one step changed;
//! its unmodified /ByteRange is [0 1632 18018 262] in an 18280-byte file.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::fixtures::{assert_all_tested, only_signature, verify};
use vnedoc::error::{ByteRangeError, PdfError};
use vnedoc::{Indication, SubIndication};

/// How the verifier reports a ByteRange error: the Display of
/// `PdfError::ByteRange(rule)` (src/error.rs), i.e. this prefix and the rule's text.
const REPORTED_PREFIX: &str = "/ByteRange: ";

/// Verifies `fixtures/defects/<file>` and asserts the outcome of a ByteRange or
/// /Contents defect: TOTAL_FAILED / FORMAT_FAILURE, no integrity, and `rule` as the
/// first error. `text` is the rule's message, written out so the test reads as the
/// contract; it must be the Display of `rule`.
fn assert_rejected(file: &str, rule: ByteRangeError, text: &str) {
    assert_eq!(
        rule.to_string(),
        text,
        "the test's expected text must be the Display of {rule:?}"
    );
    let expected = format!("{REPORTED_PREFIX}{text}");
    assert_eq!(PdfError::from(rule).to_string(), expected);
    let sig = only_signature(verify(&format!("defects/{file}")));
    assert_eq!(
        (sig.indication, sig.subindication),
        (Indication::TotalFailed, Some(SubIndication::FormatFailure)),
        "{file}: errors {:?}",
        sig.errors
    );
    assert!(!sig.integrity, "{file}: integrity must not be established");
    assert!(
        !sig.covers_whole_file,
        "{file}: a rejected range covers nothing"
    );
    assert_eq!(sig.errors.first(), Some(&expected), "{file}: first error");
}

const TESTED: &[&str] = &[
    "byterange-missing.pdf",
    "byterange-three-numbers.pdf",
    "byterange-real-number.pdf",
    "byterange-negative.pdf",
    "byterange-nonzero-start.pdf",
    "byterange-gap-mismatch.pdf",
    "byterange-overlap.pdf",
    "byterange-out-of-bounds.pdf",
    "byterange-not-revision-end.pdf",
    "contents-missing.pdf",
    "contents-not-hex.pdf",
];

#[test]
fn every_byte_range_and_contents_defect_has_a_test() {
    assert_all_tested("defects", &["byterange-", "contents-"], TESTED);
}

#[test]
fn byterange_missing() {
    // The /ByteRange entry is blanked with spaces.
    assert_rejected("byterange-missing.pdf", ByteRangeError::Missing, "missing");
}

#[test]
fn byterange_three_numbers() {
    // [0 1632 18018]
    assert_rejected(
        "byterange-three-numbers.pdf",
        ByteRangeError::Malformed,
        "not an array of exactly four integers",
    );
}

#[test]
fn byterange_real_number() {
    // [0 1632.0 18018 262]: a real is not an integer, even with a zero fraction.
    assert_rejected(
        "byterange-real-number.pdf",
        ByteRangeError::Malformed,
        "not an array of exactly four integers",
    );
}

#[test]
fn byterange_negative() {
    // [0 1632 18018 -262]
    assert_rejected(
        "byterange-negative.pdf",
        ByteRangeError::Negative,
        "negative value",
    );
}

#[test]
fn byterange_nonzero_start() {
    // [1 1631 18018 262]: byte 0 is unsigned; the CMS is valid over these ranges.
    assert_rejected(
        "byterange-nonzero-start.pdf",
        ByteRangeError::NonZeroStart,
        "first range does not start at 0",
    );
}

#[test]
fn byterange_gap_mismatch() {
    // [0 1633 18017 263]: the gap leaves out the '<' and '>' of /Contents; the CMS is
    // valid over these ranges.
    assert_rejected(
        "byterange-gap-mismatch.pdf",
        ByteRangeError::GapMismatch {
            start: 1633,
            end: 18017,
        },
        "the gap 1633..18017 is not exactly the /Contents hex string",
    );
}

#[test]
fn byterange_overlap() {
    // [0 1632 1612 16668]: the second range starts 20 bytes before the first ends
    // (b < a). It ends at 1612 + 16668 = 18280, exactly the file length, so Overlap is
    // the only rule broken and OutOfBounds cannot come first.
    assert_rejected(
        "byterange-overlap.pdf",
        ByteRangeError::Overlap,
        "ranges overlap or are out of order",
    );
}

#[test]
fn byterange_out_of_bounds() {
    // [0 1632 18018 362]: ends at 18018 + 362 = 18380, 100 bytes past the 18280-byte file.
    assert_rejected(
        "byterange-out-of-bounds.pdf",
        ByteRangeError::OutOfBounds {
            end: 18380,
            len: 18280,
        },
        "range ends at 18380, past the end of the file (18280 bytes)",
    );
}

#[test]
fn byterange_not_revision_end() {
    // [0 1632 18018 11]: the signed bytes stop at 18029, before this revision's xref and
    // trailer; the CMS is valid over these ranges.
    assert_rejected(
        "byterange-not-revision-end.pdf",
        ByteRangeError::NotRevisionEnd { end: 18029 },
        "signed bytes end at 18029, which is not the end of a revision",
    );
}

#[test]
fn contents_missing() {
    // The /Contents key and value are blanked; /ByteRange still points at the blank gap.
    assert_rejected(
        "contents-missing.pdf",
        ByteRangeError::ContentsMissing,
        "/Contents missing",
    );
}

#[test]
fn contents_not_hex() {
    // /Contents is a literal string holding the (valid) DER.
    assert_rejected(
        "contents-not-hex.pdf",
        ByteRangeError::ContentsNotHex,
        "/Contents is not a hexadecimal string",
    );
}
