//! Changes after signing that real producers make, and the attacks their leniency must not
//! open: form filling without a new signature (ISO 32000-2 §12.8.2.2), FieldMDP locks
//! (§12.8.2.4, /Lock and /P), a later revision written with full compression, and the benign
//! edits of signing tools (a catalog under a new number, /ITXT on the page tree, /DR fonts,
//! /NeedAppearances). Fixtures: `fixtures/formfill/`, made by `fixtures/gen/formfill_pdfs.py`.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::fixtures::{fixtures_dir, verify};
use vnedoc::internals::pdf::diff::Modifications;

use Modifications::{Allowed, Disallowed, None as Unchanged};

/// Checks each signature's modification verdict, in field order, and that a disallowed one
/// names `why` among its findings.
fn check(file: &str, expected: &[Modifications], why: &str) {
    let report = verify(&format!("formfill/{file}"));
    assert_eq!(report.error, None, "{file}: must be readable");
    let got: Vec<Modifications> = report.signatures.iter().map(|s| s.modifications).collect();
    assert_eq!(
        got,
        expected,
        "{file}: findings {:?}",
        report
            .signatures
            .iter()
            .map(|s| &s.modification_details)
            .collect::<Vec<_>>()
    );
    for s in &report.signatures {
        assert!(s.integrity, "{file}: {} must keep its integrity", s.field);
        if s.modifications == Disallowed {
            assert!(
                s.modification_details.iter().any(|d| d.contains(why)),
                "{file}: {} findings {:?} do not say {why:?}",
                s.field,
                s.modification_details
            );
        }
    }
}

macro_rules! cases {
    ($($test:ident: $file:literal => [$($m:expr),*], $why:literal;)*) => {
        $(#[test] fn $test() { check($file, &[$($m),*], $why); })*
        const TESTED: &[&str] = &[$($file),*];
    };
}

cases! {
    approval_alone_is_unchanged: "approval.pdf" => [Unchanged], "";
    // Class 5: form filling without a new signature.
    fill_after_approval_is_allowed: "fill-after-approval.pdf" => [Allowed], "";
    fill_after_certify_p2_is_allowed: "fill-after-certify-p2.pdf" => [Allowed], "";
    fill_after_certify_p3_is_allowed: "fill-after-certify-p3.pdf" => [Allowed], "";
    fill_after_certify_p1_is_disallowed: "fill-after-certify-p1.pdf" => [Disallowed], "form field";
    new_appearance_over_an_unchanged_value_is_disallowed:
        "appearance-without-value.pdf" => [Disallowed], "appearance changed but not its value";
    fill_that_edits_page_content_is_disallowed:
        "fill-and-content-edit.pdf" => [Disallowed], "Contents";
    fill_written_with_full_compression_is_allowed: "fill-compressed.pdf" => [Allowed], "";
    unchanged_objects_moved_into_an_object_stream_change_nothing:
        "moved-into-objstm-after-certify-p1.pdf" => [Allowed], "";
    // FieldMDP: the first signature's lock, the fill made with a second signature.
    locked_field_filled_is_disallowed:
        "lock-include-fill-locked.pdf" => [Disallowed, Unchanged], "locked by a signature";
    unlocked_field_filled_is_allowed: "lock-include-fill-other.pdf" => [Allowed, Unchanged], "";
    lock_on_a_parent_covers_its_kids:
        "lock-parent-fill-kid.pdf" => [Disallowed, Unchanged], "'applicant.city'";
    excluded_field_filled_is_allowed:
        "lock-exclude-fill-excluded.pdf" => [Allowed, Unchanged], "";
    field_outside_an_exclude_list_is_locked:
        "lock-exclude-fill-other.pdf" => [Disallowed, Unchanged], "'applicant.id'";
    lock_all_covers_every_field: "lock-all-fill.pdf" => [Disallowed, Unchanged], "'name'";
    lock_p1_forbids_even_unlocked_changes:
        "lock-p1-fill-other.pdf" => [Disallowed, Unchanged], "allows no changes";
    later_signature_under_a_lock_is_allowed:
        "lock-include-then-sign.pdf" => [Allowed, Unchanged], "";
    new_visible_field_against_a_lock_is_disallowed:
        "lock-new-field.pdf" => [Disallowed, Unchanged], "against a field lock";
    // Class 6: benign edits of signing tools, and the changes of meaning they must not hide.
    catalog_renumbered_with_the_same_meaning_is_allowed:
        "catalog-renumbered.pdf" => [Allowed], "";
    catalog_renumbered_with_open_action_is_disallowed:
        "catalog-renumbered-openaction.pdf" => [Disallowed], "catalog /OpenAction";
    catalog_renumbered_with_other_pages_is_disallowed:
        "catalog-renumbered-pages.pdf" => [Disallowed], "catalog /Pages";
    itxt_on_the_page_tree_root_is_allowed: "itxt-on-page-tree.pdf" => [Allowed], "";
    inheritable_rotate_on_the_page_tree_is_disallowed:
        "rotate-on-page-tree.pdf" => [Disallowed], "Rotate";
    dr_fonts_added_with_a_signature_are_allowed:
        "dr-fonts-added.pdf" => [Allowed, Unchanged], "";
    dr_font_replaced_is_disallowed:
        "dr-font-replaced.pdf" => [Disallowed], "other than by additions";
    // Redrawing every field from its value, unsigned: the shadow replace through
    // /NeedAppearances (tests/attacks: shadow-replace-need-appearances).
    need_appearances_without_a_signature_is_disallowed:
        "need-appearances-after-approval.pdf" => [Disallowed], "NeedAppearances";
    need_appearances_set_by_a_signing_tool_is_allowed:
        "need-appearances-with-signature.pdf" => [Allowed, Unchanged], "";
    need_appearances_after_certify_p1_is_disallowed:
        "need-appearances-after-certify-p1.pdf" => [Disallowed], "NeedAppearances";
}

#[test]
fn every_formfill_fixture_has_a_test() {
    let mut missing: Vec<String> = std::fs::read_dir(fixtures_dir().join("formfill"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf") && !TESTED.contains(&n.as_str()))
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "fixtures without a test: {missing:?}");
}
