//! The algorithms ring lacks, verified by the RustCrypto fallback (src/crypto/fallback.rs):
//! each fixture of fixtures/algos/ (made by fixtures/gen/algos_pdfs.py) is TOTAL_PASSED under
//! the test PKI with the algorithm named, and a copy with one byte of its signature value
//! flipped is TOTAL_FAILED (the fallback fails closed like the ring path). Also: the fixtures
//! ring served before keep their verdicts, and what stays refused (SHA-1, keys below the
//! policy, brainpoolP512r1) stays INDETERMINATE.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::fixtures::{default_verifier, fixture_bytes, only_signature, verify};
use vnedoc::{Indication, SubIndication};

/// Fixture, the signature algorithm the report must name, its digest algorithm.
const PASSING: &[(&str, &str, &str)] = &[
    ("algos/algos-ed448.pdf", "Ed448", "SHAKE256"),
    (
        "algos/algos-rsa-sha3-256.pdf",
        "RSA PKCS#1 v1.5 SHA3-256",
        "SHA3-256",
    ),
    (
        "algos/algos-rsa-pss-sha3-512.pdf",
        "RSASSA-PSS SHA3-512",
        "SHA3-512",
    ),
    (
        "algos/algos-rsa-pss-sha256-salt20.pdf",
        "RSASSA-PSS SHA-256",
        "SHA-256",
    ),
    (
        "algos/algos-ecdsa-p256-sha3-256.pdf",
        "ECDSA P-256 SHA3-256",
        "SHA3-256",
    ),
    (
        "algos/algos-rsa-sha224.pdf",
        "RSA PKCS#1 v1.5 SHA-224",
        "SHA-224",
    ),
    (
        "algos/algos-ecdsa-p256-sha512.pdf",
        "ECDSA P-256 SHA-512",
        "SHA-512",
    ),
    (
        "algos/algos-ecdsa-p384-sha512.pdf",
        "ECDSA P-384 SHA-512",
        "SHA-512",
    ),
    (
        "algos/algos-ecdsa-bp256.pdf",
        "ECDSA brainpoolP256r1 SHA-256",
        "SHA-256",
    ),
    (
        "algos/algos-ecdsa-bp384.pdf",
        "ECDSA brainpoolP384r1 SHA-384",
        "SHA-384",
    ),
    ("algos/algos-dsa-sha256.pdf", "DSA SHA-256", "SHA-256"),
    // Class 3: a public exponent above ring's 2^33 - 1.
    (
        "algos/algos-rsa-large-exponent.pdf",
        "RSA PKCS#1 v1.5 SHA-256",
        "SHA-256",
    ),
    // Class 3: a modulus without the sign octet DER wants (negative in DER), as older ID cards
    // wrote it.
    (
        "algos/algos-rsa-negative-modulus.pdf",
        "RSA PKCS#1 v1.5 SHA-256",
        "SHA-256",
    ),
    // Made by pyhanko_pdfs.py before the fallback existed: P-521 and PSS with pyHanko's
    // maximal salt.
    ("pdf/pyhanko-p521.pdf", "ECDSA P-521 SHA-512", "SHA-512"),
    (
        "pdf/pyhanko-rsa-pss-maxsalt.pdf",
        "RSASSA-PSS SHA-256",
        "SHA-256",
    ),
];

#[test]
fn every_fallback_algorithm_verifies() {
    let mut failures = Vec::new();
    for (file, alg, digest) in PASSING {
        let s = only_signature(verify(file));
        if s.indication != Indication::TotalPassed
            || s.signature_algorithm.as_deref() != Some(*alg)
            || s.digest_algorithm.as_deref() != Some(*digest)
        {
            failures.push(format!(
                "{file}: {:?}/{:?} {:?} {:?} {:?}",
                s.indication, s.subindication, s.signature_algorithm, s.digest_algorithm, s.errors
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The CMS of the only signature of `pdf`: the byte offset of its first hex digit in the file
/// and its DER length (the outer SEQUENCE's header and content).
fn contents_der(pdf: &[u8]) -> (usize, usize) {
    let key = b"/Contents <";
    let at = pdf
        .windows(key.len())
        .position(|w| w == key)
        .expect("/Contents")
        + key.len();
    let byte = |i: usize| {
        let h = std::str::from_utf8(&pdf[at + 2 * i..at + 2 * i + 2]).unwrap();
        usize::from_str_radix(h, 16).unwrap()
    };
    assert_eq!(byte(0), 0x30, "CMS starts with a SEQUENCE");
    let first = byte(1);
    let len = if first < 0x80 {
        2 + first
    } else {
        let n = first - 0x80;
        (0..n).fold(0, |acc, i| (acc << 8) | byte(2 + i)) + 2 + n
    };
    (at, len)
}

/// `pdf` with one byte of the signature value flipped: with no unsigned attributes the
/// SignerInfo's signature OCTET STRING ends the CMS, so the fifth byte from its end lies in it.
fn flip_signature_byte(pdf: &[u8]) -> Vec<u8> {
    let (at, len) = contents_der(pdf);
    let i = at + 2 * (len - 5);
    let mut out = pdf.to_vec();
    // Another hex digit in its place.
    out[i] = if out[i] == b'0' { b'1' } else { b'0' };
    out
}

#[test]
fn a_flipped_signature_byte_fails_every_fallback_algorithm() {
    let v = default_verifier();
    let mut failures = Vec::new();
    for (file, _, _) in PASSING {
        let tampered = flip_signature_byte(&fixture_bytes(file));
        let report = v.verify_bytes(file, &tampered);
        let s = only_signature(report);
        if s.indication != Indication::TotalFailed
            || s.subindication != Some(SubIndication::SigCryptoFailure)
            || s.integrity
        {
            failures.push(format!(
                "{file}: {:?}/{:?} {:?}",
                s.indication, s.subindication, s.errors
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn what_ring_served_keeps_its_algorithm_names() {
    for (file, alg) in [
        ("pdf/pyhanko-rsa2048-cades.pdf", "RSA PKCS#1 v1.5 SHA-256"),
        ("pdf/pyhanko-p256-cades.pdf", "ECDSA P-256 SHA-256"),
        ("pdf/pyhanko-p384-pkcs7.pdf", "ECDSA P-384 SHA-384"),
        ("pdf/pyhanko-rsa-pss.pdf", "RSASSA-PSS SHA-256"),
        ("pdf/pyhanko-ed25519.pdf", "Ed25519"),
    ] {
        let s = only_signature(verify(file));
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{file}: {:?}",
            s.errors
        );
        assert_eq!(s.signature_algorithm.as_deref(), Some(alg), "{file}");
    }
}

#[test]
fn sha1_and_small_keys_stay_crypto_constraints_failures() {
    for file in ["pdf/pyhanko-sha1.pdf", "pdf/pyhanko-rsa1024.pdf"] {
        let s = only_signature(verify(file));
        assert_eq!(
            s.indication,
            Indication::Indeterminate,
            "{file}: {:?}",
            s.errors
        );
        assert_eq!(
            s.subindication,
            Some(SubIndication::CryptoConstraintsFailure),
            "{file}"
        );
    }
}

#[test]
fn a_key_no_verifier_can_use_is_indeterminate_not_failed() {
    // An RSA key with an even public exponent in a certificate the CA signed: ring refuses it,
    // and so does the rsa crate (RFC 8017 §3.1). The signature cannot be judged.
    let s = only_signature(verify("algos/algos-rsa-even-exponent.pdf"));
    assert_eq!(s.indication, Indication::Indeterminate, "{:?}", s.errors);
    assert_eq!(
        s.subindication,
        Some(SubIndication::CryptoConstraintsFailure),
        "{:?}",
        s.errors
    );
    assert!(!s.integrity);
    assert!(
        s.errors.iter().any(|e| e.contains("key")),
        "the reason names the key: {:?}",
        s.errors
    );
}

#[test]
fn a_changed_signed_range_is_a_hash_failure_under_sha3() {
    // The SHA3-256 message digest is computed over the signed ranges: one changed byte in
    // them is HASH_FAILURE, as with SHA-2.
    let mut pdf = fixture_bytes("algos/algos-rsa-sha3-256.pdf");
    // The header's minor version digit (`%PDF-1.x`): inside the first signed range.
    assert_eq!(&pdf[..7], b"%PDF-1.");
    pdf[7] = if pdf[7] == b'4' { b'5' } else { b'4' };
    let s = only_signature(default_verifier().verify_bytes("x.pdf", &pdf));
    assert_eq!(s.indication, Indication::TotalFailed, "{:?}", s.errors);
    assert_eq!(s.subindication, Some(SubIndication::HashFailure));
}
