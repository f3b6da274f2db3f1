//! One test per CMS defect in fixtures/defects/ (RFC 5652, PAdES / CAdES profiles):
//! each file breaks exactly one rule and must get exactly that rule's outcome.
//!
//! All fixtures here edit the CMS of `pyhanko-rsa2048-cades.pdf` in place (same
//! /Contents width, zero padded); where signed attributes change, they are re-signed
//! validly with the leaf key, so only the named rule fails.
//!
//! Expected messages are the Display strings of src/error.rs (the contract): errors
//! found while parsing the SignedData are reported through `vnedoc::Error`
//! (`CMS: …`), errors found in the signed attributes and the signer as the bare
//! `CmsError`, and a few checks have their own literal text in src/verify.rs.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::fixtures::{assert_all_tested, only_signature, verify};
use vnedoc::error::{CmsError, DerError};
use vnedoc::{Error, Indication, SubIndication};

/// OIDs named in the messages.
const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ID_ENVELOPED_DATA: &str = "1.2.840.113549.1.7.3";
const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";

/// Verifies `fixtures/defects/<file>` and asserts indication, sub-indication,
/// integrity and the first error.
fn assert_outcome(
    file: &str,
    indication: Indication,
    subindication: SubIndication,
    integrity: bool,
    first_error: &str,
) {
    let sig = only_signature(verify(&format!("defects/{file}")));
    assert_eq!(
        (sig.indication, sig.subindication),
        (indication, Some(subindication)),
        "{file}: errors {:?}",
        sig.errors
    );
    assert_eq!(sig.integrity, integrity, "{file}: integrity");
    assert_eq!(
        sig.errors.first().map(String::as_str),
        Some(first_error),
        "{file}: first error"
    );
}

/// A malformed CMS: TOTAL_FAILED / FORMAT_FAILURE without integrity.
fn assert_format_failure(file: &str, first_error: &str) {
    assert_outcome(
        file,
        Indication::TotalFailed,
        SubIndication::FormatFailure,
        false,
        first_error,
    );
}

/// `e` as the verifier reports a SignedData parse error: through [`Error`].
fn parse_error(e: CmsError) -> String {
    Error::from(e).to_string()
}

const TESTED: &[&str] = &[
    "cms-trailing-garbage.pdf",
    "cms-two-signerinfos.pdf",
    "cms-not-signeddata.pdf",
    "cms-truncated.pdf",
    "cms-bad-message-digest.pdf",
    "cms-no-message-digest.pdf",
    "cms-two-message-digests.pdf",
    "cms-wrong-content-type-attr.pdf",
    "cms-ess-cert-mismatch.pdf",
    "cms-digest-alg-mismatch.pdf",
    "cms-bad-signature-value.pdf",
    "cms-no-signer-cert.pdf",
];

#[test]
fn every_cms_defect_has_a_test() {
    assert_all_tested("defects", &["cms-"], TESTED);
}

#[test]
fn cms_trailing_garbage() {
    // DE AD BE EF right after the DER, then zero padding: only zeros may follow.
    let expected = parse_error(CmsError::TrailingGarbage { count: 4 });
    assert_eq!(expected, "CMS: 4 non-zero bytes after the CMS in /Contents");
    assert_format_failure("cms-trailing-garbage.pdf", &expected);
}

#[test]
fn cms_two_signerinfos() {
    // A second, valid SignerInfo (leaf-p256): a PDF signature has exactly one signer.
    let expected = parse_error(CmsError::SignerInfoCount { count: 2 });
    assert_eq!(
        expected,
        "CMS: SignedData has 2 SignerInfos; a PDF signature has exactly one"
    );
    assert_format_failure("cms-two-signerinfos.pdf", &expected);
}

#[test]
fn cms_not_signeddata() {
    // ContentInfo.contentType is id-envelopedData; the body is unchanged.
    let expected = parse_error(CmsError::NotSignedData {
        oid: ID_ENVELOPED_DATA.into(),
    });
    assert_eq!(
        expected,
        "CMS: ContentInfo type 1.2.840.113549.1.7.3 is not id-signedData"
    );
    assert_format_failure("cms-not-signeddata.pdf", &expected);
}

#[test]
fn cms_truncated() {
    // The CMS is cut to its first half and the rest is zero padding: the encoding ends
    // before its declared length does.
    let expected = parse_error(CmsError::Der(DerError::Truncated));
    assert_eq!(expected, "CMS: malformed encoding: truncated encoding");
    assert_format_failure("cms-truncated.pdf", &expected);
}

#[test]
fn cms_bad_message_digest() {
    // messageDigest's first byte inverted; the signed attributes are re-signed validly.
    assert_outcome(
        "cms-bad-message-digest.pdf",
        Indication::TotalFailed,
        SubIndication::HashFailure,
        false,
        "messageDigest does not match the digest of the signed content",
    );
}

#[test]
fn cms_no_message_digest() {
    let expected = CmsError::MissingMessageDigest.to_string();
    assert_eq!(expected, "signed attributes lack messageDigest");
    assert_format_failure("cms-no-message-digest.pdf", &expected);
}

#[test]
fn cms_two_message_digests() {
    // Two messageDigest attributes, both with the correct value.
    let expected = CmsError::DuplicateAttribute {
        oid: ID_MESSAGE_DIGEST.into(),
        count: 2,
    }
    .to_string();
    assert_eq!(
        expected,
        "attribute 1.2.840.113549.1.9.4 appears 2 times or with 2 values; exactly one is allowed"
    );
    assert_format_failure("cms-two-message-digests.pdf", &expected);
}

#[test]
fn cms_wrong_content_type_attr() {
    // contentType attribute id-signedData, but the encapsulated type is id-data.
    let expected = CmsError::ContentTypeMismatch {
        oid: ID_SIGNED_DATA.into(),
        expected: ID_DATA.into(),
    }
    .to_string();
    assert_eq!(
        expected,
        "contentType attribute 1.2.840.113549.1.7.2 does not match the encapsulated type 1.2.840.113549.1.7.1"
    );
    assert_format_failure("cms-wrong-content-type-attr.pdf", &expected);
}

#[test]
fn cms_ess_cert_mismatch() {
    // ESS signing-certificate-v2 names leaf-rsa3072 while leaf-rsa2048 signed. Digest
    // and signature value verify (the attributes were re-signed validly), so integrity
    // holds; the signer's certificate is not the one the signer committed to.
    let expected = CmsError::SigningCertificateMismatch.to_string();
    assert_eq!(
        expected,
        "ESS signing-certificate attribute does not match the signer's certificate"
    );
    assert_outcome(
        "cms-ess-cert-mismatch.pdf",
        Indication::Indeterminate,
        SubIndication::NoSigningCertificateFound,
        true,
        &expected,
    );
}

#[test]
fn cms_digest_alg_mismatch() {
    // digestAlgorithm SHA-384 (signature valid over the attributes), but messageDigest
    // holds the 32-byte SHA-256 of the ranges.
    let expected = CmsError::DigestLength {
        algorithm: "SHA-384",
        expected: 48,
        found: 32,
    }
    .to_string();
    assert_eq!(expected, "messageDigest is 32 bytes, SHA-384 gives 48");
    assert_outcome(
        "cms-digest-alg-mismatch.pdf",
        Indication::TotalFailed,
        SubIndication::HashFailure,
        false,
        &expected,
    );
}

#[test]
fn cms_bad_signature_value() {
    // One bit flipped in the middle of SignerInfo.signature.
    assert_outcome(
        "cms-bad-signature-value.pdf",
        Indication::TotalFailed,
        SubIndication::SigCryptoFailure,
        false,
        "signature value: signature does not verify",
    );
}

#[test]
fn cms_no_signer_cert() {
    // The signer's certificate is removed (the intermediate is kept): nothing to verify
    // the signature with.
    let expected = CmsError::SignerCertificateNotFound.to_string();
    assert_eq!(
        expected,
        "the signer's certificate is not in the CMS or the supplied certificates"
    );
    assert_outcome(
        "cms-no-signer-cert.pdf",
        Indication::Indeterminate,
        SubIndication::NoSigningCertificateFound,
        false,
        &expected,
    );
}
