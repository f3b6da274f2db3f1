//! Library-level helpers for the fixture tests (`tests/byte_range_rules.rs`,
//! `tests/cms_rules.rs`, `tests/verify_fixtures.rs`): the test PKI, the fixed
//! validation time, and one-call verification of a file under `fixtures/`.

use std::path::{Path, PathBuf};

use vnedoc::verify::{DocumentReport, SignatureReport};
use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

use super::repo_dir;

/// The validation time of every fixture test: well inside the test PKI's validity
/// (certificates valid until 2045) and after every signing time in the fixtures.
pub const VALIDATION_TIME: &str = "2026-11-26T00:00:00Z";

/// `fixtures/` in the repository.
pub fn fixtures_dir() -> PathBuf {
    repo_dir().join("fixtures")
}

/// The bytes of `fixtures/<rel>`.
pub fn fixture_bytes(rel: &str) -> Vec<u8> {
    let path = fixtures_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// DER certificates (or CRLs) of a PEM or DER file under `fixtures/pki/`.
pub fn pki_ders(name: &str) -> Vec<Vec<u8>> {
    TrustStore::load_pem_or_der(&fixture_bytes(&format!("pki/{name}")))
        .unwrap_or_else(|e| panic!("fixtures/pki/{name}: {e}"))
}

/// [`VALIDATION_TIME`] in Unix seconds.
pub fn validation_time() -> vnedoc::time::Timestamp {
    vnedoc::time::parse_rfc3339_timestamp(VALIDATION_TIME).expect("VALIDATION_TIME is RFC 3339")
}

/// A trust store whose only anchor is `fixtures/pki/root.pem`.
pub fn root_trust() -> TrustStore {
    let mut trust = TrustStore::new();
    for der in pki_ders("root.pem") {
        trust
            .add_anchor_der(der)
            .expect("root.pem is a usable anchor");
    }
    trust
}

/// [`root_trust`] plus the intermediate's CRL (which revokes leaf-revoked).
pub fn root_trust_with_crl() -> TrustStore {
    let mut trust = root_trust();
    trust
        .add_crl_der(fixture_bytes("pki/intermediate.crl.der"))
        .expect("intermediate.crl.der is a usable CRL");
    trust
}

/// The default verifier of the fixture tests: anchor root.pem, no CRL, strict
/// defaults, validating at [`VALIDATION_TIME`].
pub fn default_verifier() -> Verifier {
    verifier(root_trust(), ValidationTime::At(validation_time()))
}

pub fn verifier(trust: TrustStore, time: ValidationTime) -> Verifier {
    Verifier::new(VerifyOptions::new(trust, time))
}

/// Verifies `fixtures/<rel>` in memory with `verifier`.
pub fn verify_with(verifier: &Verifier, rel: &str) -> DocumentReport {
    let name = Path::new(rel)
        .file_name()
        .map_or_else(|| rel.to_owned(), |n| n.to_string_lossy().into_owned());
    verifier.verify_bytes(&name, &fixture_bytes(rel))
}

/// Verifies `fixtures/<rel>` with [`default_verifier`].
pub fn verify(rel: &str) -> DocumentReport {
    verify_with(&default_verifier(), rel)
}

/// The only signature of a report that must have no document error and exactly one
/// signature.
pub fn only_signature(report: DocumentReport) -> SignatureReport {
    assert_eq!(
        report.error, None,
        "{}: the document must be readable",
        report.file
    );
    assert!(report.signed, "{}: must be signed", report.file);
    let n = report.signatures.len();
    let mut sigs = report.signatures.into_iter();
    match (sigs.next(), n) {
        (Some(s), 1) => s,
        _ => panic!("{}: expected exactly 1 signature, found {n}", report.file),
    }
}

/// File names (not paths) of the `*.pdf` files directly in `fixtures/<dir>` whose
/// names start with one of `prefixes` (all of them when `prefixes` is empty), sorted.
pub fn fixture_names(dir: &str, prefixes: &[&str]) -> Vec<String> {
    let path = fixtures_dir().join(dir);
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", path.display()))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".pdf"))
        .filter(|n| prefixes.is_empty() || prefixes.iter().any(|p| n.starts_with(p)))
        .collect();
    names.sort();
    names
}

/// Asserts that the test file names exactly the fixtures on disk, so a new defect
/// fixture cannot go untested.
pub fn assert_all_tested(dir: &str, prefixes: &[&str], tested: &[&str]) {
    let on_disk = fixture_names(dir, prefixes);
    let mut tested: Vec<String> = tested.iter().map(|s| (*s).to_owned()).collect();
    tested.sort();
    let untested: Vec<&String> = on_disk.iter().filter(|n| !tested.contains(n)).collect();
    let missing: Vec<&String> = tested.iter().filter(|n| !on_disk.contains(n)).collect();
    assert!(
        untested.is_empty() && missing.is_empty(),
        "fixtures/{dir}: without a test: {untested:?}; tested but not on disk: {missing:?}"
    );
}

/// A signer with the key of `fixtures/pki/<leaf>.key`, its certificate and the intermediate.
pub fn key_signer(leaf: &str) -> vnedoc::sign::KeySigner {
    let pki = fixtures_dir().join("pki");
    vnedoc::sign::KeySigner::from_files(
        &pki.join(format!("{leaf}.key")),
        &pki.join(format!("{leaf}.pem")),
        &[pki.join("intermediate.pem")],
    )
    .unwrap_or_else(|e| panic!("{leaf}: {e}"))
}
