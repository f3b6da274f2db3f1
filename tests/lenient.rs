//! The PDF reader's leniencies (xref free entries with a generation past 65535, object
//! streams whose /N overstates what they hold, hybrid-reference sections, a broken tail after
//! the last signature), each with the attack it must not open, over `fixtures/lenient/`
//! (made by `fixtures/gen/lenient_pdfs.py`: the signed `pdf/pyhanko-rsa2048-cades.pdf` with
//! one incremental update appended).

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests). The `as`
// conversions are in the shared helpers of tests/common, on sizes they make themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::fixtures::{assert_all_tested, fixture_bytes, only_signature, verify};
use vnedoc::internals::pdf::object::Object;
use vnedoc::internals::pdf::{Document, Limits, Modifications};
use vnedoc::verify::SignatureReport;
use vnedoc::{Indication, SubIndication};

const LENIENT: &[&str] = &[
    "free-gen-65536.pdf",
    "objstm-n-overstated.pdf",
    "hybrid.pdf",
];
const STRICT: &[&str] = &[
    "free-gen-65535-hides-page.pdf",
    "free-gen-65536-hides-page.pdf",
    "inuse-gen-65536.pdf",
    "objstm-n-overstated-page.pdf",
    "hybrid-xrefstm-changes-page.pdf",
    "broken-tail.pdf",
    "broken-objstm-tail.pdf",
    "broken-prev.pdf",
    "broken-prev-chain.pdf",
];

fn sig(name: &str) -> SignatureReport {
    only_signature(verify(&format!("lenient/{name}")))
}

/// A signature whose later revision is read leniently: it passes, and the update (a new
/// /Info) is an allowed change.
fn assert_passes_with_allowed_change(name: &str) -> SignatureReport {
    let s = sig(name);
    assert!(s.integrity, "{name}: integrity");
    assert_eq!(
        s.modifications,
        Modifications::Allowed,
        "{name}: {:?}",
        s.modification_details
    );
    assert_eq!(
        s.indication,
        Indication::TotalPassed,
        "{name}: {:?}",
        s.errors
    );
    s
}

/// A signature whose later revision abuses a leniency: still found and intact, and the
/// change after it is disallowed, so it never passes.
fn assert_found_but_changed(name: &str) -> SignatureReport {
    let s = sig(name);
    assert!(s.integrity, "{name}: the signed revision is intact");
    assert_eq!(
        s.modifications,
        Modifications::Disallowed,
        "{name}: {:?}",
        s.modification_details
    );
    assert_eq!(s.indication, Indication::TotalFailed, "{name}");
    assert_eq!(
        s.subindication,
        Some(SubIndication::FormatFailure),
        "{name}"
    );
    s
}

#[test]
fn every_fixture_is_tested() {
    let all: Vec<&str> = LENIENT.iter().chain(STRICT).copied().collect();
    assert_all_tested("lenient", &[], &all);
}

#[test]
fn free_entry_with_generation_65536_is_read() {
    let s = assert_passes_with_allowed_change("free-gen-65536.pdf");
    assert!(
        s.modification_details
            .iter()
            .all(|d| !d.contains("cannot be read")),
        "{:?}",
        s.modification_details
    );
}

#[test]
fn free_entry_cannot_hide_an_object_the_signature_covers() {
    // The update frees the signed page, with either generation: a deletion, never waved
    // through because the entry is free.
    for name in [
        "free-gen-65535-hides-page.pdf",
        "free-gen-65536-hides-page.pdf",
    ] {
        let s = assert_found_but_changed(name);
        assert!(
            s.modification_details
                .iter()
                .all(|d| !d.contains("cannot be read")),
            "{name}: the section is read, the deletion judged: {:?}",
            s.modification_details
        );
    }
}

#[test]
fn in_use_entry_with_generation_65536_stays_an_error() {
    // Cut to 16 bits it would be generation 0: the same object as the signed one. The
    // section is refused; the signature is still found, and the unreadable update is a
    // disallowed change.
    let s = assert_found_but_changed("inuse-gen-65536.pdf");
    assert!(
        s.modification_details
            .iter()
            .any(|d| d.contains("generation too large")),
        "{:?}",
        s.modification_details
    );
}

#[test]
fn object_stream_with_overstated_n_is_read_with_a_warning() {
    let s = assert_passes_with_allowed_change("objstm-n-overstated.pdf");
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("object stream 11") && w.contains("/N says 3")),
        "{:?}",
        s.warnings
    );
    // The warning is in the JSON report.
    let json = serde_json::to_value(&s).unwrap();
    assert!(json["warnings"].to_string().contains("/N says 3"), "{json}");
}

#[test]
fn object_stream_with_overstated_n_cannot_supply_a_missing_object() {
    // The xref names the page at index 2 of a stream that holds one object: the page of
    // that revision cannot be read, and the change cannot be judged allowed.
    assert_found_but_changed("objstm-n-overstated-page.pdf");
}

#[test]
fn object_stream_header_is_bounded_by_first_and_the_stream() {
    // Read straight: object 6 of the last revision comes from the stream's one member.
    let data = fixture_bytes("lenient/objstm-n-overstated.pdf");
    let doc = Document::parse(&data, Limits::default()).unwrap();
    let last = doc.last_revision();
    let info = doc.get(6, last).unwrap().unwrap();
    let title = info.as_dict().unwrap().get(b"Title").cloned();
    assert!(
        matches!(&title, Some(Object::String(s)) if s.bytes == b"vnedoc lenient fixture"),
        "{title:?}"
    );
    // The index the header does not list is absent, never read from the body or past it.
    let data = fixture_bytes("lenient/objstm-n-overstated-page.pdf");
    let doc = Document::parse(&data, Limits::default()).unwrap();
    assert!(doc.get(3, doc.last_revision()).is_err());
    // The signed revision's page is untouched by the later stream.
    assert!(doc.get(3, doc.last_revision() - 1).unwrap().is_some());
}

#[test]
fn hybrid_reference_section_is_read() {
    assert_passes_with_allowed_change("hybrid.pdf");
}

#[test]
fn hybrid_stream_cannot_hide_a_change_or_override_the_table() {
    // The stream that table-only readers skip gives the page new content: seen, disallowed.
    assert_found_but_changed("hybrid-xrefstm-changes-page.pdf");
    // The table defines /Info (6) in use and the stream redefines it: the table's wins
    // (ISO 32000-1 §7.5.8.4: the stream is consulted for what the table does not define).
    let data = fixture_bytes("lenient/hybrid-xrefstm-changes-page.pdf");
    let doc = Document::parse(&data, Limits::default()).unwrap();
    let info = doc.get(6, doc.last_revision()).unwrap().unwrap();
    let title = info.as_dict().unwrap().get(b"Title").cloned();
    assert!(
        matches!(&title, Some(Object::String(s)) if s.bytes == b"vnedoc lenient fixture"),
        "{title:?}"
    );
}

#[test]
fn broken_tail_after_the_signature_never_passes() {
    let s = assert_found_but_changed("broken-tail.pdf");
    assert!(
        s.modification_details
            .iter()
            .any(|d| d.contains("cannot be read")),
        "{:?}",
        s.modification_details
    );
}

#[test]
fn broken_older_section_does_not_hide_the_signature() {
    // The section the signed update's /Prev names cannot be read, and no `startxref` leads to
    // a whole chain. The document is still signed: its signature is found and its bytes
    // checked; what the unreadable part held cannot be judged, so it never passes.
    let report = verify("lenient/broken-prev.pdf");
    assert!(report.signed, "{:?}", report.error);
    assert_eq!(report.error, None);
    let s = assert_found_but_changed("broken-prev.pdf");
    assert!(
        s.modification_details
            .iter()
            .any(|d| d.contains("entry type is not n or f")),
        "{:?}",
        s.modification_details
    );
}

#[test]
fn broken_object_stream_after_the_signature_never_passes() {
    // The newest catalog sits in an object stream that does not inflate: the signature is
    // found from the revision it signs, and the change after it is disallowed.
    let s = assert_found_but_changed("broken-objstm-tail.pdf");
    assert!(
        s.modification_details
            .iter()
            .any(|d| d.contains("could not be analysed")),
        "{:?}",
        s.modification_details
    );
}

#[test]
fn broken_prev_does_not_drop_the_newer_signed_revision() {
    // Only the first revision's `startxref` leads to a whole chain; the signed update after
    // the garbage names it with /Prev. The update is still read first: its signature is found
    // and checked, and the unreadable part makes every change after it disallowed.
    let report = verify("lenient/broken-prev-chain.pdf");
    assert!(report.signed, "{:?}", report.error);
    let s = assert_found_but_changed("broken-prev-chain.pdf");
    assert!(s.covers_whole_file);
    let data = fixture_bytes("lenient/broken-prev-chain.pdf");
    let doc = Document::parse(&data, Limits::default()).unwrap();
    assert_eq!(
        doc.revisions.len(),
        2,
        "the first revision and the signed update"
    );
    assert!(doc.unreadable_tail.is_some());
}
