//! Every file of fixtures/pdf/ against its FIXTURES.tsv `expect` column, through the
//! library API (anchor pki/root.pem, no CRL, validated at 2026-11-26T00:00:00Z), then
//! the details the column cannot say: signer fields, revocation with the CRL, the
//! claimed validation time, no trust anchors, document and signature timestamps.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::fixtures::{
    VALIDATION_TIME, assert_all_tested, fixtures_dir, only_signature, pki_ders, root_trust,
    root_trust_with_crl, validation_time, verifier, verify, verify_with,
};
use common::read_tsv;
use sha2::{Digest, Sha256};
use vnedoc::internals::pdf::diff::Modifications;
use vnedoc::verify::{DocumentReport, SignatureReport};
use vnedoc::{Indication, RevocationStatus, SubIndication, TrustStore, ValidationTime};

/// One `pdf/` row of fixtures/FIXTURES.tsv.
struct Row {
    signatures: usize,
    /// Per signature: the `fixtures/pki/` name of the signer's key (`leaf-rsa2048`).
    signer_keys: Vec<String>,
    sub_filters: Vec<String>,
    expect: String,
}

fn tsv_row(file: &str) -> Row {
    let (header, rows) = read_tsv(&fixtures_dir().join("FIXTURES.tsv")).unwrap();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("FIXTURES.tsv has no column {name}"))
    };
    let (c_file, c_sigs, c_key, c_sf, c_expect) = (
        col("file"),
        col("signatures"),
        col("signer_key"),
        col("sub_filter"),
        col("expect"),
    );
    let path = format!("pdf/{file}");
    let (line, f) = rows
        .iter()
        .find(|(_, f)| f.get(c_file) == Some(&path))
        .unwrap_or_else(|| panic!("FIXTURES.tsv has no row for {path}"));
    assert_eq!(
        f.len(),
        header.len(),
        "FIXTURES.tsv line {line}: column count"
    );
    let list = |s: &str| -> Vec<String> {
        if s == "-" {
            Vec::new()
        } else {
            s.split(';').map(str::to_owned).collect()
        }
    };
    Row {
        signatures: f[c_sigs].parse().expect("signatures is a number"),
        signer_keys: list(&f[c_key]),
        sub_filters: list(&f[c_sf]),
        expect: f[c_expect].clone(),
    }
}

/// Lower-case hex SHA-256 of the certificate `fixtures/pki/<key>.pem`.
fn cert_sha256(key: &str) -> String {
    let ders = pki_ders(&format!("{key}.pem"));
    let der = ders.first().expect("one certificate");
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn outcome(s: &SignatureReport) -> (Indication, Option<SubIndication>) {
    (s.indication, s.subindication)
}

/// A TOTAL_PASSED signature by `key`: intact, signer identified, chain of 3 up to the
/// root, no revocation data, validated at the given time.
fn assert_passed(file: &str, s: &SignatureReport, key: &str) {
    let at = format!("{file} {}", s.field);
    assert_eq!(
        outcome(s),
        (Indication::TotalPassed, None),
        "{at}: errors {:?}",
        s.errors
    );
    assert!(s.integrity, "{at}: integrity");
    assert!(s.errors.is_empty(), "{at}: errors {:?}", s.errors);
    let signer = s
        .signer
        .as_ref()
        .unwrap_or_else(|| panic!("{at}: no signer"));
    assert!(
        signer
            .common_name
            .as_deref()
            .is_some_and(|cn| !cn.is_empty()),
        "{at}: signer common_name"
    );
    assert_eq!(signer.sha256.len(), 64, "{at}: signer sha256");
    assert_eq!(signer.sha256, cert_sha256(key), "{at}: signer is {key}");
    assert_eq!(s.chain.len(), 3, "{at}: chain {:?}", s.chain);
    assert_eq!(
        s.chain[0], signer.subject,
        "{at}: chain starts with the signer"
    );
    assert_eq!(
        s.revocation,
        RevocationStatus::NotChecked,
        "{at}: no CRL given"
    );
    assert_eq!(s.validation_time_source, "given", "{at}");
    assert_eq!(
        s.validation_time.map(|t| t.to_string()).as_deref(),
        Some(VALIDATION_TIME),
        "{at}"
    );
    assert!(s.digest_algorithm.is_some(), "{at}: digest_algorithm");
    assert!(s.signature_algorithm.is_some(), "{at}: signature_algorithm");
    assert!(s.signing_time.is_some(), "{at}: signing_time");
}

/// Verifies `fixtures/pdf/<file>` and checks it against its FIXTURES.tsv row.
fn check_tsv_expectation(file: &str) {
    let row = tsv_row(file);
    let report: DocumentReport = verify(&format!("pdf/{file}"));
    assert_eq!(report.error, None, "{file}: document error");
    assert_eq!(report.signed, row.signatures > 0, "{file}: signed");
    let sigs = &report.signatures;
    assert_eq!(sigs.len(), row.signatures, "{file}: number of signatures");
    let sub_filters: Vec<Option<&str>> = sigs.iter().map(|s| s.sub_filter.as_deref()).collect();
    let expected_sf: Vec<Option<&str>> = row.sub_filters.iter().map(|s| Some(s.as_str())).collect();
    // A single SubFilter in the TSV applies to every signature.
    if expected_sf.len() == sigs.len() {
        assert_eq!(sub_filters, expected_sf, "{file}: sub_filter");
    } else {
        assert!(
            sub_filters.iter().all(|s| *s == expected_sf[0]),
            "{file}: sub_filter"
        );
    }

    for (i, s) in sigs.iter().enumerate() {
        let at = format!("{file} {}", s.field);
        let last = i + 1 == sigs.len();
        match row.expect.as_str() {
            "valid" => {
                assert_passed(file, s, &row.signer_keys[i]);
                // Only the newest signature covers the whole file; an earlier one
                // covers its revision, and what was added later must be allowed.
                assert_eq!(s.covers_whole_file, last, "{at}: covers_whole_file");
                let changes = if last {
                    Modifications::None
                } else {
                    Modifications::Allowed
                };
                assert_eq!(
                    s.modifications, changes,
                    "{at}: {:?}",
                    s.modification_details
                );
            }
            "valid-at-claimed" => {
                // Expired at the validation time; see expired_signer_passes_at_its_claimed_time.
                assert_eq!(
                    outcome(s),
                    (
                        Indication::Indeterminate,
                        Some(SubIndication::OutOfBoundsNoPoe)
                    ),
                    "{at}: {:?}",
                    s.errors
                );
                assert!(s.integrity, "{at}: integrity");
            }
            "key-usage" => {
                assert_eq!(
                    outcome(s),
                    (
                        Indication::Indeterminate,
                        Some(SubIndication::ChainConstraintsFailure)
                    ),
                    "{at}: {:?}",
                    s.errors
                );
                assert!(s.integrity, "{at}: integrity");
            }
            "revoked" => {
                // Without the CRL nothing is known; see revoked_signer_with_the_crl.
                assert_eq!(
                    s.revocation,
                    RevocationStatus::NotChecked,
                    "{at}: revocation"
                );
                assert!(s.integrity, "{at}: integrity");
            }
            "crypto-constraints" => {
                assert_eq!(
                    outcome(s),
                    (
                        Indication::Indeterminate,
                        Some(SubIndication::CryptoConstraintsFailure)
                    ),
                    "{at}: {:?}",
                    s.errors
                );
                assert!(
                    s.integrity,
                    "{at}: the signature itself is mathematically valid"
                );
            }
            "unsupported-algorithm" => {
                // What cannot be verified is never called a failure.
                assert_eq!(
                    outcome(s),
                    (
                        Indication::Indeterminate,
                        Some(SubIndication::CryptoConstraintsFailure)
                    ),
                    "{at}: {:?}",
                    s.errors
                );
                assert!(!s.integrity, "{at}: integrity cannot be established");
            }
            "no-chain" => {
                assert_eq!(
                    outcome(s),
                    (
                        Indication::Indeterminate,
                        Some(SubIndication::NoCertificateChainFound)
                    ),
                    "{at}: {:?}",
                    s.errors
                );
                assert!(s.integrity, "{at}: integrity");
            }
            "modified-disallowed" => {
                assert_eq!(
                    s.modifications,
                    Modifications::Disallowed,
                    "{at}: modifications"
                );
                assert!(
                    !s.modification_details.is_empty(),
                    "{at}: modification_details"
                );
                assert_ne!(s.indication, Indication::TotalPassed, "{at}");
                assert!(s.integrity, "{at}: the signed revision itself is intact");
                assert!(!s.covers_whole_file, "{at}: covers_whole_file");
            }
            "hash-failure" => {
                assert_eq!(
                    outcome(s),
                    (Indication::TotalFailed, Some(SubIndication::HashFailure)),
                    "{at}: {:?}",
                    s.errors
                );
                assert!(!s.integrity, "{at}: integrity");
            }
            other => panic!("{file}: expectation {other:?} has no check in this test"),
        }
    }
}

/// One test per file of fixtures/pdf/, each checking its FIXTURES.tsv row.
macro_rules! per_fixture {
    ($($test:ident: $file:literal;)*) => {
        const TESTED: &[&str] = &[$($file),*];
        $(
            #[test]
            fn $test() {
                check_tsv_expectation($file);
            }
        )*
    };
}

per_fixture! {
    unsigned: "unsigned.pdf";
    openssl_rsa2048_pkcs7: "openssl-rsa2048-pkcs7.pdf";
    openssl_p384_cades: "openssl-p384-cades.pdf";
    openssl_rsa3072_noattr: "openssl-rsa3072-noattr.pdf";
    openssl_p256_ber: "openssl-p256-ber.pdf";
    pyhanko_rsa2048_cades: "pyhanko-rsa2048-cades.pdf";
    pyhanko_rsa3072_pkcs7: "pyhanko-rsa3072-pkcs7.pdf";
    pyhanko_p256_cades: "pyhanko-p256-cades.pdf";
    pyhanko_p384_pkcs7: "pyhanko-p384-pkcs7.pdf";
    pyhanko_ed25519: "pyhanko-ed25519.pdf";
    pyhanko_rsa_pss: "pyhanko-rsa-pss.pdf";
    pyhanko_rsa_pss_maxsalt: "pyhanko-rsa-pss-maxsalt.pdf";
    pyhanko_two_signatures: "pyhanko-two-signatures.pdf";
    pyhanko_expired: "pyhanko-expired.pdf";
    pyhanko_noku: "pyhanko-noku.pdf";
    pyhanko_nonrep: "pyhanko-nonrep.pdf";
    pyhanko_revoked: "pyhanko-revoked.pdf";
    pyhanko_rsa1024: "pyhanko-rsa1024.pdf";
    pyhanko_sha1: "pyhanko-sha1.pdf";
    pyhanko_p521: "pyhanko-p521.pdf";
    pyhanko_doc_timestamp: "pyhanko-doc-timestamp.pdf";
    pyhanko_signature_timestamp: "pyhanko-signature-timestamp.pdf";
    pyhanko_other_root: "pyhanko-other-root.pdf";
    signed_then_changed: "signed-then-changed.pdf";
    tamper_one_byte: "tamper-one-byte.pdf";
    appended_garbage: "appended-garbage.pdf";
}

#[test]
fn every_pdf_fixture_has_a_test() {
    assert_all_tested("pdf", &[], TESTED);
}

#[test]
fn two_signatures_earlier_one_allows_the_later() {
    let report = verify("pdf/pyhanko-two-signatures.pdf");
    let view: Vec<(&str, Indication, bool, Modifications)> = report
        .signatures
        .iter()
        .map(|s| {
            (
                s.field.as_str(),
                s.indication,
                s.covers_whole_file,
                s.modifications,
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (
                "Signature1",
                Indication::TotalPassed,
                false,
                Modifications::Allowed
            ),
            (
                "Signature2",
                Indication::TotalPassed,
                true,
                Modifications::None
            ),
        ]
    );
}

#[test]
fn signer_fields_of_an_agency_certificate() {
    // leaf-rsa3072: CN=UBND Tỉnh Đồng Tháp, O=UBND Tỉnh Đồng Tháp, L=Đồng Tháp, C=VN,
    // UID=MST:0301234567 (the agency's tax code).
    for file in [
        "pdf/openssl-rsa3072-noattr.pdf",
        "pdf/pyhanko-rsa3072-pkcs7.pdf",
    ] {
        let s = only_signature(verify(file));
        let signer = s.signer.as_ref().expect("signer");
        assert_eq!(
            signer.common_name.as_deref(),
            Some("UBND Tỉnh Đồng Tháp"),
            "{file}"
        );
        assert_eq!(
            signer.organization.as_deref(),
            Some("UBND Tỉnh Đồng Tháp"),
            "{file}"
        );
        assert_eq!(signer.organizational_unit, None, "{file}");
        assert_eq!(signer.locality.as_deref(), Some("Đồng Tháp"), "{file}");
        assert_eq!(signer.country.as_deref(), Some("VN"), "{file}");
        assert_eq!(signer.uid.as_deref(), Some("MST:0301234567"), "{file}");
        assert_eq!(signer.serial, "3002", "{file}");
        assert_eq!(signer.sha256, cert_sha256("leaf-rsa3072"), "{file}");
        assert!(
            signer
                .issuer
                .starts_with("CN=vnedoc Test CA phục vụ các cơ quan Nhà nước G2"),
            "{file}: issuer {}",
            signer.issuer
        );
    }
}

#[test]
fn signer_fields_of_a_personal_certificate() {
    let s = only_signature(verify("pdf/pyhanko-rsa2048-cades.pdf"));
    let signer = s.signer.as_ref().expect("signer");
    assert_eq!(signer.common_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(signer.organizational_unit.as_deref(), Some("Văn phòng"));
    assert_eq!(signer.organization.as_deref(), Some("UBND Tỉnh Đồng Tháp"));
    assert_eq!(signer.uid.as_deref(), Some("CCCD:001088000123"));
    assert_eq!(signer.serial, "3001");
    assert_eq!(signer.sha256, cert_sha256("leaf-rsa2048"));
    assert!(
        signer
            .sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        "lower-case hex: {}",
        signer.sha256
    );
    assert_eq!(
        s.signing_time.map(|t| t.to_string()).as_deref(),
        Some("2025-06-01T02:00:00Z")
    );
}

#[test]
fn revoked_signer_with_the_crl() {
    // Revoked 2025-07-01 (keyCompromise), signed 2025-06-01, no proof of existence of
    // the signature before the revocation: REVOKED_NO_POE.
    let v = verifier(root_trust_with_crl(), ValidationTime::At(validation_time()));
    let s = only_signature(verify_with(&v, "pdf/pyhanko-revoked.pdf"));
    assert_eq!(s.revocation, RevocationStatus::Revoked);
    assert_ne!(s.indication, Indication::TotalPassed);
    assert_eq!(
        outcome(&s),
        (Indication::Indeterminate, Some(SubIndication::RevokedNoPoe)),
        "{:?}",
        s.errors
    );
    assert!(s.integrity);
}

#[test]
fn good_signer_with_the_crl() {
    let v = verifier(root_trust_with_crl(), ValidationTime::At(validation_time()));
    let s = only_signature(verify_with(&v, "pdf/pyhanko-rsa2048-cades.pdf"));
    assert_eq!(s.revocation, RevocationStatus::Good);
    assert_eq!(
        outcome(&s),
        (Indication::TotalPassed, None),
        "{:?}",
        s.errors
    );
}

#[test]
fn expired_signer_passes_at_its_claimed_time() {
    let at_now = only_signature(verify("pdf/pyhanko-expired.pdf"));
    assert_eq!(
        at_now.indication,
        Indication::Indeterminate,
        "{:?}",
        at_now.errors
    );

    let v = verifier(root_trust(), ValidationTime::Claimed);
    let s = only_signature(verify_with(&v, "pdf/pyhanko-expired.pdf"));
    assert_eq!(
        outcome(&s),
        (Indication::TotalPassed, None),
        "{:?}",
        s.errors
    );
    assert_eq!(s.validation_time_source, "claimed");
    // Signed 2021-06-01T09:00+07:00 (/M), inside the leaf's 2020..2022 validity.
    assert_eq!(
        s.signing_time.map(|t| t.to_string()).as_deref(),
        Some("2021-06-01T02:00:00Z")
    );
    assert_eq!(s.validation_time, s.signing_time);
}

#[test]
fn p521_verifies_through_the_fallback() {
    let s = only_signature(verify("pdf/pyhanko-p521.pdf"));
    assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.errors);
    assert_eq!(
        s.signature_algorithm.as_deref(),
        Some("ECDSA P-521 SHA-512")
    );
}

#[test]
fn pss_with_maximal_salt_verifies_through_the_fallback() {
    let s = only_signature(verify("pdf/pyhanko-rsa-pss-maxsalt.pdf"));
    assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.errors);
    assert_eq!(s.signature_algorithm.as_deref(), Some("RSASSA-PSS SHA-256"));
}

#[test]
fn other_root_is_no_chain_with_integrity() {
    let s = only_signature(verify("pdf/pyhanko-other-root.pdf"));
    assert_eq!(
        outcome(&s),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound)
        ),
        "{:?}",
        s.errors
    );
    assert!(s.integrity);
}

#[test]
fn no_trust_anchors_is_no_chain_with_integrity() {
    let v = verifier(TrustStore::new(), ValidationTime::At(validation_time()));
    let s = only_signature(verify_with(&v, "pdf/pyhanko-rsa2048-cades.pdf"));
    assert_eq!(
        outcome(&s),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound)
        ),
        "{:?}",
        s.errors
    );
    assert!(s.integrity, "integrity does not depend on trust");
}

#[test]
fn sha1_and_rsa1024_keep_integrity() {
    for file in ["pdf/pyhanko-sha1.pdf", "pdf/pyhanko-rsa1024.pdf"] {
        let s = only_signature(verify(file));
        assert_eq!(
            outcome(&s),
            (
                Indication::Indeterminate,
                Some(SubIndication::CryptoConstraintsFailure)
            ),
            "{file}: {:?}",
            s.errors
        );
        assert!(s.integrity, "{file}");
    }
}

#[test]
fn document_timestamp_is_reported_and_passes() {
    let report = verify("pdf/pyhanko-doc-timestamp.pdf");
    let [sig, ts] = report.signatures.as_slice() else {
        panic!("expected 2 signatures, got {}", report.signatures.len());
    };
    assert_eq!(
        (sig.field.as_str(), sig.is_doc_timestamp),
        ("Signature1", false)
    );
    assert_eq!(
        (ts.field.as_str(), ts.is_doc_timestamp),
        ("DocTimeStamp1", true)
    );
    assert_eq!(ts.sub_filter.as_deref(), Some("ETSI.RFC3161"));
    assert_eq!(
        outcome(ts),
        (Indication::TotalPassed, None),
        "{:?}",
        ts.errors
    );
    assert!(ts.integrity && ts.covers_whole_file);
    // genTime 2025-06-01T09:05:00+07:00
    assert_eq!(
        ts.signing_time.map(|t| t.to_string()).as_deref(),
        Some("2025-06-01T02:05:00Z")
    );
    assert_eq!(
        ts.signer.as_ref().and_then(|s| s.common_name.as_deref()),
        Some("vnedoc Test TSA")
    );
    // The timestamp added after Signature1 is an allowed change.
    assert_eq!(sig.modifications, Modifications::Allowed);
    assert_eq!(sig.indication, Indication::TotalPassed, "{:?}", sig.errors);
}

#[test]
fn signature_timestamp_is_verified() {
    let s = only_signature(verify("pdf/pyhanko-signature-timestamp.pdf"));
    let ts = s
        .timestamp
        .as_ref()
        .expect("a signature timestamp is reported");
    assert!(ts.integrity, "timestamp error: {:?}", ts.error);
    assert_eq!(ts.error, None);
    // genTime 2025-06-01T09:00:05+07:00
    assert_eq!(
        ts.time.map(|t| t.to_string()).as_deref(),
        Some("2025-06-01T02:00:05Z")
    );
    assert!(
        ts.tsa
            .as_deref()
            .is_some_and(|t| t.contains("vnedoc Test TSA")),
        "tsa {:?}",
        ts.tsa
    );
    assert_eq!(
        outcome(&s),
        (Indication::TotalPassed, None),
        "{:?}",
        s.errors
    );
}
