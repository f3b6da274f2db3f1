//! Signatures as other producers write them (fixtures/producers/, made by
//! fixtures/gen/producers.py): algorithm identifiers with an explicit NULL or the key's own OID,
//! and the CMS-less `adbe.x509.rsa_sha1` SubFilter. Each leniency is paired with the attack it
//! must not open: other parameters, a key of the other type, SHA-1 through the key's OID, a
//! changed byte under an `adbe.x509.rsa_sha1` signature.
//!
//! Through the library API: anchor pki/root.pem, no CRL, validated at 2026-11-26T00:00:00Z.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// The `as` conversions are those of the shared helpers in tests/common, on sizes they make.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::fixtures::{
    assert_all_tested, only_signature, root_trust, validation_time, verify, verify_with,
};
use vnedoc::internals::pdf::diff::Modifications;
use vnedoc::verify::SignatureReport;
use vnedoc::{Indication, SubIndication, ValidationTime, Verifier, VerifyOptions};

const TESTED: &[&str] = &[
    "ecdsa-sha256-null-params.pdf",
    "ec-public-key-sigalg.pdf",
    "ec-public-key-sigalg-null.pdf",
    "rsa-encryption-sigalg.pdf",
    "rsa-encryption-sigalg-sha1.pdf",
    "ecdsa-sha256-curve-params.pdf",
    "rsa-encryption-sigalg-ec-key.pdf",
    "x509-rsa-sha1.pdf",
    "x509-rsa-sha1-bare.pdf",
    "x509-rsa-sha256.pdf",
    "x509-rsa-sha1-tampered.pdf",
    "x509-rsa-sha1-no-cert.pdf",
];

fn sig(name: &str) -> SignatureReport {
    only_signature(verify(&format!("producers/{name}")))
}

fn codes(s: &SignatureReport) -> Vec<&'static str> {
    s.findings.iter().map(|f| f.code()).collect()
}

/// Intact, unchanged, passing, verified with `algorithm`.
fn assert_passes(name: &str, algorithm: &str) {
    let s = sig(name);
    assert_eq!(
        (s.indication, s.subindication, s.integrity),
        (Indication::TotalPassed, None, true),
        "{name}: {:?}",
        s.errors
    );
    assert_eq!(s.modifications, Modifications::None, "{name}");
    assert_eq!(s.signature_algorithm.as_deref(), Some(algorithm), "{name}");
}

#[test]
fn every_producer_fixture_is_tested() {
    assert_all_tested("producers", &[], TESTED);
}

#[test]
fn ecdsa_with_sha256_and_an_explicit_null_verifies() {
    assert_passes("ecdsa-sha256-null-params.pdf", "ECDSA P-256 SHA-256");
}

#[test]
fn the_keys_oid_as_signature_algorithm_takes_the_digest_algorithm() {
    assert_passes("ec-public-key-sigalg.pdf", "ECDSA P-256 SHA-256");
    assert_passes("ec-public-key-sigalg-null.pdf", "ECDSA P-256 SHA-256");
    assert_passes("rsa-encryption-sigalg.pdf", "RSA PKCS#1 v1.5 SHA-256");
}

#[test]
fn sha1_through_rsa_encryption_still_meets_the_policy() {
    let s = sig("rsa-encryption-sigalg-sha1.pdf");
    assert!(s.integrity, "{:?}", s.errors);
    assert_eq!(
        s.signature_algorithm.as_deref(),
        Some("RSA PKCS#1 v1.5 SHA-1")
    );
    assert_eq!(
        (s.indication, s.subindication),
        (
            Indication::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure)
        ),
        "{:?}",
        s.errors
    );
    assert!(codes(&s).contains(&"policy.sha1"), "{:?}", codes(&s));
}

/// Refused: no integrity, TOTAL_FAILED / SIG_CRYPTO_FAILURE from the signature value step with
/// a message containing `why`.
fn assert_refused(name: &str, why: &str) {
    let s = sig(name);
    assert!(!s.integrity, "{name}");
    assert_eq!(
        (s.indication, s.subindication),
        (
            Indication::TotalFailed,
            Some(SubIndication::SigCryptoFailure)
        ),
        "{name}: {:?}",
        s.errors
    );
    assert_eq!(codes(&s), ["crypto.signature_value"], "{name}");
    assert!(s.errors[0].contains(why), "{name}: {:?}", s.errors);
}

#[test]
fn parameters_other_than_null_stay_refused() {
    assert_refused(
        "ecdsa-sha256-curve-params.pdf",
        "malformed algorithm identifier",
    );
}

#[test]
fn rsa_encryption_over_an_ec_key_is_refused() {
    assert_refused(
        "rsa-encryption-sigalg-ec-key.pdf",
        "ECDSA P-256 key cannot verify a RSA PKCS#1 v1.5 signature",
    );
}

#[test]
fn x509_rsa_sha1_verifies_and_sha1_meets_the_policy() {
    for name in ["x509-rsa-sha1.pdf", "x509-rsa-sha1-bare.pdf"] {
        let s = sig(name);
        assert!(s.integrity, "{name}: {:?}", s.errors);
        assert!(s.covers_whole_file, "{name}");
        assert_eq!(s.modifications, Modifications::None, "{name}");
        assert_eq!(s.sub_filter.as_deref(), Some("adbe.x509.rsa_sha1"));
        assert_eq!(s.digest_algorithm.as_deref(), Some("SHA-1"), "{name}");
        assert_eq!(
            s.signature_algorithm.as_deref(),
            Some("RSA PKCS#1 v1.5 SHA-1"),
            "{name}"
        );
        assert_eq!(
            (s.indication, s.subindication),
            (
                Indication::Indeterminate,
                Some(SubIndication::CryptoConstraintsFailure)
            ),
            "{name}: {:?}",
            s.errors
        );
        // SHA-1 is the only finding: the signer came from /Cert, its path holds, /M is the time.
        assert_eq!(codes(&s), ["policy.sha1"], "{name}");
        assert_eq!(
            s.signer.as_ref().and_then(|x| x.common_name.as_deref()),
            Some("Nguyễn Văn An"),
            "{name}"
        );
        assert_eq!(s.chain.len(), 3, "{name}: {:?}", s.chain);
        assert!(s.signing_time.is_some(), "{name}");
        assert!(
            !s.errors.iter().any(|e| e.contains("CMS")),
            "{name}: {:?}",
            s.errors
        );
    }
}

#[test]
fn x509_rsa_sha1_passes_where_the_policy_allows_sha1() {
    let mut opts = VerifyOptions::new(root_trust(), ValidationTime::At(validation_time()));
    opts.allow_sha1 = true;
    let s = only_signature(verify_with(
        &Verifier::new(opts),
        "producers/x509-rsa-sha1.pdf",
    ));
    assert_eq!(
        (s.indication, s.integrity),
        (Indication::TotalPassed, true),
        "{:?}",
        s.errors
    );
}

#[test]
fn x509_rsa_with_sha256_and_a_single_cert_string_verifies() {
    // /Cert holds the leaf only: the intermediate comes from nowhere, so no path; the
    // signature itself is intact and SHA-256 raises no policy finding.
    let s = sig("x509-rsa-sha256.pdf");
    assert!(s.integrity, "{:?}", s.errors);
    assert_eq!(s.digest_algorithm.as_deref(), Some("SHA-256"));
    assert_eq!(codes(&s), ["path.no_chain"], "{:?}", s.errors);
    assert_eq!(s.indication, Indication::Indeterminate);
}

#[test]
fn a_changed_byte_under_x509_rsa_sha1_fails() {
    assert_refused("x509-rsa-sha1-tampered.pdf", "signature does not verify");
}

#[test]
fn x509_rsa_sha1_without_cert_has_no_signer() {
    let s = sig("x509-rsa-sha1-no-cert.pdf");
    assert!(!s.integrity);
    assert_eq!(
        (s.indication, s.subindication),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoSigningCertificateFound)
        ),
        "{:?}",
        s.errors
    );
    assert_eq!(codes(&s), ["pdf.pkcs1_signature"]);
    assert_eq!(
        s.errors,
        ["adbe.x509.rsa_sha1: /Cert is missing: no signer certificate"]
    );
}
