//! Unit tests over the openssl-generated PKI in the fixture directory (see its gen.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/pki-unit/",
            $name
        ))
        .as_slice()
    };
}

/// 2026-12-15T00:00:00Z: after every fixture's generation (the OCSP responses carry their
/// generation time), inside leaf validity (2024–2030) and the CRL's (2026-01-01–2036).
const VALIDATION: Timestamp = Timestamp::constant(1_797_292_800, 0);
/// 2026-06-01T00:00:00Z, the revocation time of leaf-revoked.
const REVOKED_AT: Timestamp = Timestamp::constant(1_780_272_000, 0);
const T_2026_03_01: Timestamp = Timestamp::constant(1_772_323_200, 0);
const T_2025_06_01: Timestamp = Timestamp::constant(1_748_736_000, 0);
const T_2024_06_01: Timestamp = Timestamp::constant(1_717_200_000, 0);
const T_2023_06_01: Timestamp = Timestamp::constant(1_685_577_600, 0);
const T_2031_01_01: Timestamp = Timestamp::constant(1_924_992_000, 0);

fn der(pem: &[u8]) -> Vec<u8> {
    let mut v = TrustStore::load_pem_or_der(pem).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn store_with(anchors: &[&[u8]]) -> TrustStore {
    let mut s = TrustStore::new();
    for a in anchors {
        s.add_anchor_der(der(a)).unwrap();
    }
    s
}

fn rsa_store() -> TrustStore {
    store_with(&[fixture!("root-rsa.pem")])
}

struct Case {
    signer: Vec<u8>,
    extra: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    ocsp: Vec<Vec<u8>>,
}

impl Case {
    fn new(signer: &[u8], extra: &[&[u8]]) -> Self {
        Self {
            signer: der(signer),
            extra: extra.iter().map(|p| der(p)).collect(),
            crls: Vec::new(),
            ocsp: Vec::new(),
        }
    }

    fn run_with(&self, v: &PathValidator, store: &TrustStore, opts: &PathOptions) -> PathReport {
        let extra: Vec<&[u8]> = self.extra.iter().map(Vec::as_slice).collect();
        let crls: Vec<&[u8]> = self.crls.iter().map(Vec::as_slice).collect();
        let ocsp: Vec<&[u8]> = self.ocsp.iter().map(Vec::as_slice).collect();
        let input = PathInput {
            signer_der: &self.signer,
            extra_certs: &extra,
            embedded_crls: &crls,
            embedded_ocsp: &ocsp,
        };
        v.validate(store, &input, opts)
    }

    fn run(&self, store: &TrustStore, opts: &PathOptions) -> PathReport {
        self.run_with(&PathValidator::new(), store, opts)
    }
}

fn opts() -> PathOptions {
    PathOptions::new(VALIDATION)
}

fn leaf_rsa() -> Case {
    Case::new(fixture!("leaf-rsa.pem"), &[fixture!("int-rsa.pem")])
}

#[test]
fn valid_rsa_chain_and_summary() {
    let r = leaf_rsa().run(&rsa_store(), &opts());
    assert_eq!(r.outcome, PathOutcome::Valid, "{r:?}");
    assert_eq!(r.revocation, Revocation::NotChecked);
    assert_eq!(r.chain.len(), 3);
    let leaf = &r.chain[0];
    assert_eq!(
        leaf.subject,
        "UID=MST:0301234567,CN=Nguyễn Văn A,OU=Phòng Kỹ thuật,O=Công ty Thử nghiệm,L=Hà Nội,C=VN"
    );
    assert_eq!(leaf.issuer, "CN=Test Issuing CA RSA,O=Test PKI,C=VN");
    assert_eq!(leaf.common_name.as_deref(), Some("Nguyễn Văn A"));
    assert_eq!(leaf.organization.as_deref(), Some("Công ty Thử nghiệm"));
    assert_eq!(leaf.organizational_unit.as_deref(), Some("Phòng Kỹ thuật"));
    assert_eq!(leaf.locality.as_deref(), Some("Hà Nội"));
    assert_eq!(leaf.country.as_deref(), Some("VN"));
    assert_eq!(leaf.uid.as_deref(), Some("MST:0301234567"));
    assert_eq!(leaf.serial_hex, "1003");
    assert_eq!(
        leaf.sha256_hex,
        "2f273a7658d31c06aeca39669c3e6588e6734a8f52a71ba455d15d17ef3d6f6e"
    );
    assert_eq!(leaf.not_before.as_second(), 1_704_067_200);
    assert_eq!(leaf.not_before.to_string(), "2024-01-01T00:00:00Z");
    assert_eq!(leaf.not_after.as_second(), 1_893_456_000);
    assert_eq!(leaf.not_after.to_string(), "2030-01-01T00:00:00Z");
    assert_eq!(r.chain[2].subject, "CN=Test Root RSA,O=Test PKI,C=VN");
    assert_eq!(
        PathValidator::summarize(&der(fixture!("leaf-rsa.pem"))).unwrap(),
        *leaf
    );
}

#[test]
fn intermediate_from_the_store() {
    let mut store = rsa_store();
    store
        .add_intermediate_der(der(fixture!("int-rsa.pem")))
        .unwrap();
    let r = Case::new(fixture!("leaf-rsa.pem"), &[]).run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(r.chain.len(), 3);
}

#[test]
fn valid_ec_chain() {
    let store = store_with(&[fixture!("root-ec.pem")]);
    let r = Case::new(fixture!("leaf-ec.pem"), &[fixture!("int-ec.pem")]).run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid, "{r:?}");
    assert_eq!(r.chain.len(), 3);
}

#[test]
fn wrong_anchor_is_no_chain_but_chain_is_assembled() {
    let store = store_with(&[fixture!("other-root.pem")]);
    let r = leaf_rsa().run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::NoChain);
    assert_eq!(r.chain.len(), 2);
    assert_eq!(
        r.chain[1].common_name.as_deref(),
        Some("Test Issuing CA RSA")
    );
}

#[test]
fn no_anchors_is_no_chain_with_assembled_chain() {
    let store = TrustStore::new();
    assert!(!store.has_anchors());
    let case = Case::new(
        fixture!("leaf-rsa.pem"),
        &[fixture!("root-rsa.pem"), fixture!("int-rsa.pem")],
    );
    let r = case.run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::NoChain);
    assert_eq!(r.chain.len(), 3);
    assert!(r.warnings.iter().any(|w| w.contains("no trust anchors")));
}

#[test]
fn missing_intermediate_is_no_chain() {
    let r = Case::new(fixture!("leaf-rsa.pem"), &[]).run(&rsa_store(), &opts());
    assert_eq!(r.outcome, PathOutcome::NoChain);
    assert_eq!(r.chain.len(), 1);
}

#[test]
fn expired_and_expired_at_signing_time() {
    let case = Case::new(fixture!("leaf-expired.pem"), &[fixture!("int-rsa.pem")]);
    let store = rsa_store();
    assert_eq!(case.run(&store, &opts()).outcome, PathOutcome::Expired);
    let mut o = opts();
    o.signing_time = Some(T_2024_06_01);
    assert_eq!(case.run(&store, &o).outcome, PathOutcome::Expired);
    o.signing_time = Some(T_2025_06_01);
    assert_eq!(
        case.run(&store, &o).outcome,
        PathOutcome::ExpiredAtSigningTime
    );
    // Validation inside the validity period.
    let mut o = PathOptions::new(T_2024_06_01);
    o.signing_time = Some(T_2024_06_01);
    assert_eq!(case.run(&store, &o).outcome, PathOutcome::Valid);
}

#[test]
fn not_yet_valid() {
    let case = Case::new(fixture!("leaf-future.pem"), &[fixture!("int-rsa.pem")]);
    let store = rsa_store();
    assert_eq!(case.run(&store, &opts()).outcome, PathOutcome::NotYetValid);
    let mut o = PathOptions::new(T_2031_01_01);
    o.signing_time = Some(VALIDATION);
    assert_eq!(
        case.run(&store, &o).outcome,
        PathOutcome::NotYetValidAtSigningTime
    );
    o.signing_time = Some(T_2031_01_01);
    assert_eq!(case.run(&store, &o).outcome, PathOutcome::Valid);
    // A signer valid now but not at the claimed signing time.
    let mut o = opts();
    o.signing_time = Some(T_2023_06_01);
    assert_eq!(
        leaf_rsa().run(&store, &o).outcome,
        PathOutcome::NotYetValidAtSigningTime
    );
}

#[test]
fn bad_signature_on_a_certificate() {
    let mut case = leaf_rsa();
    let last = case.signer.len() - 1;
    case.signer[last] ^= 0x01; // last byte of the signature BIT STRING
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(
        r.outcome,
        PathOutcome::BadCertSignature {
            subject: "UID=MST:0301234567,CN=Nguyễn Văn A,OU=Phòng Kỹ thuật,O=Công ty Thử nghiệm,L=Hà Nội,C=VN".into()
        }
    );
}

#[test]
fn issuer_without_basic_constraints() {
    let r = Case::new(fixture!("leaf-under-noca.pem"), &[fixture!("int-noca.pem")])
        .run(&rsa_store(), &opts());
    match r.outcome {
        PathOutcome::ChainConstraints { reason } => {
            assert!(reason.contains("no basicConstraints"), "{reason}")
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn path_len_violation() {
    let r = Case::new(
        fixture!("leaf-pathlen.pem"),
        &[fixture!("subca-pathlen.pem"), fixture!("int-rsa.pem")],
    )
    .run(&rsa_store(), &opts());
    assert_eq!(r.chain.len(), 4);
    match r.outcome {
        PathOutcome::ChainConstraints { reason } => {
            assert!(reason.contains("pathLen 0"), "{reason}")
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn max_path_len_bounds_the_search() {
    let mut o = opts();
    o.max_path_len = 2;
    assert_eq!(
        leaf_rsa().run(&rsa_store(), &o).outcome,
        PathOutcome::NoChain
    );
    o.max_path_len = 3;
    assert_eq!(leaf_rsa().run(&rsa_store(), &o).outcome, PathOutcome::Valid);
}

#[test]
fn unknown_critical_extension() {
    let r = Case::new(fixture!("leaf-critext.pem"), &[fixture!("int-rsa.pem")])
        .run(&rsa_store(), &opts());
    match r.outcome {
        PathOutcome::ChainConstraints { reason } => {
            assert!(reason.contains("1.2.3.4.5.6.7.8"), "{reason}")
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn key_usage_rules() {
    let store = rsa_store();
    let keyenc = Case::new(fixture!("leaf-keyenc.pem"), &[fixture!("int-rsa.pem")]);
    assert!(matches!(
        keyenc.run(&store, &opts()).outcome,
        PathOutcome::KeyUsage { .. }
    ));
    let mut any = opts();
    any.key_usage = KeyUsageRule::Any;
    assert_eq!(keyenc.run(&store, &any).outcome, PathOutcome::Valid);

    let nonrep = Case::new(fixture!("leaf-nonrep.pem"), &[fixture!("int-rsa.pem")]);
    assert_eq!(nonrep.run(&store, &opts()).outcome, PathOutcome::Valid);
    let mut ds = opts();
    ds.key_usage = KeyUsageRule::DigitalSignature;
    assert!(matches!(
        nonrep.run(&store, &ds).outcome,
        PathOutcome::KeyUsage { .. }
    ));
    let mut nr = opts();
    nr.key_usage = KeyUsageRule::NonRepudiation;
    assert_eq!(nonrep.run(&store, &nr).outcome, PathOutcome::Valid);
    assert_eq!(leaf_rsa().run(&store, &ds).outcome, PathOutcome::Valid);
}

#[test]
fn rsa_1024_is_a_crypto_constraint() {
    let case = Case::new(fixture!("leaf-rsa1024.pem"), &[fixture!("int-rsa.pem")]);
    match case.run(&rsa_store(), &opts()).outcome {
        PathOutcome::CryptoConstraints { reason } => {
            assert!(reason.contains("RSA-1024"), "{reason}")
        }
        o => panic!("{o:?}"),
    }
    let mut o = opts();
    o.min_rsa_bits = 1024;
    assert_eq!(case.run(&rsa_store(), &o).outcome, PathOutcome::Valid);
}

#[test]
fn sha1_signed_certificate_is_a_crypto_constraint() {
    let case = Case::new(fixture!("leaf-sha1.pem"), &[fixture!("int-rsa.pem")]);
    match case.run(&rsa_store(), &opts()).outcome {
        PathOutcome::CryptoConstraints { reason } => assert!(reason.contains("SHA-1"), "{reason}"),
        o => panic!("{o:?}"),
    }
    let mut o = opts();
    o.allow_sha1 = true;
    assert_eq!(case.run(&rsa_store(), &o).outcome, PathOutcome::Valid);
}

#[test]
fn brainpool_path_verifies_through_the_fallback() {
    // brainpoolP256r1 (ring has no brainpool curves) is verified by the bp256 crate.
    let store = store_with(&[fixture!("root-bp.pem")]);
    let r = Case::new(fixture!("leaf-bp.pem"), &[]).run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
}

#[test]
fn signer_that_is_an_anchor() {
    let store = store_with(&[fixture!("leaf-rsa.pem")]);
    let r = Case::new(fixture!("leaf-rsa.pem"), &[]).run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(r.chain.len(), 1);
}

#[test]
fn cache_avoids_reverification() {
    let v = PathValidator::new();
    let store = rsa_store();
    let r = leaf_rsa().run_with(&v, &store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(v.signature_verifications(), 2);
    let r = leaf_rsa().run_with(&v, &store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(
        v.signature_verifications(),
        2,
        "second run must hit the cache"
    );
    // Another leaf under the same intermediate verifies only its own signature.
    let other = Case::new(fixture!("leaf-nonrep.pem"), &[fixture!("int-rsa.pem")]);
    assert_eq!(
        other.run_with(&v, &store, &opts()).outcome,
        PathOutcome::Valid
    );
    assert_eq!(v.signature_verifications(), 3);
}

#[test]
fn validator_is_sync_and_send() {
    fn check<T: Sync + Send>() {}
    check::<PathValidator>();
    check::<TrustStore>();
}

// ----- revocation -----

#[test]
fn crl_good() {
    let mut store = rsa_store();
    store.add_crl_der(der(fixture!("int-rsa.crl.pem"))).unwrap();
    let r = leaf_rsa().run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(r.revocation, Revocation::Good);
}

#[test]
fn crl_revoked() {
    let mut case = Case::new(fixture!("leaf-revoked.pem"), &[fixture!("int-rsa.pem")]);
    case.crls.push(der(fixture!("int-rsa.crl.pem")));
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(r.outcome, PathOutcome::Revoked { time: REVOKED_AT });
    assert_eq!(r.revocation, Revocation::Revoked { time: REVOKED_AT });
    // Before the revocation date the certificate was good.
    let r = case.run(&rsa_store(), &PathOptions::new(T_2026_03_01));
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(r.revocation, Revocation::Good);
}

#[test]
fn crl_issued_after_validation_time_is_not_used() {
    let mut case = Case::new(fixture!("leaf-revoked.pem"), &[fixture!("int-rsa.pem")]);
    case.crls.push(der(fixture!("int-rsa.crl.pem")));
    let r = case.run(&rsa_store(), &PathOptions::new(T_2025_06_01));
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(r.revocation, Revocation::NotChecked);
}

#[test]
fn crl_with_bad_signature_is_ignored() {
    let mut crl = der(fixture!("int-rsa.crl.pem"));
    let last = crl.len() - 1;
    crl[last] ^= 0x01;
    let mut case = Case::new(fixture!("leaf-revoked.pem"), &[fixture!("int-rsa.pem")]);
    case.crls.push(crl);
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(r.revocation, Revocation::NotChecked);
    assert!(
        r.warnings.iter().any(|w| w.contains("CRL")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn ocsp_good_by_delegated_responder() {
    let mut case = leaf_rsa();
    case.ocsp.push(fixture!("leaf-rsa.ocsp.der").to_vec());
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(r.outcome, PathOutcome::Valid, "{r:?}");
    assert_eq!(r.revocation, Revocation::Good);
}

#[test]
fn ocsp_good_signed_by_ca() {
    let mut case = leaf_rsa();
    case.ocsp.push(fixture!("leaf-rsa-by-ca.ocsp.der").to_vec());
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(r.revocation, Revocation::Good, "{r:?}");
}

#[test]
fn ocsp_revoked() {
    let mut case = Case::new(fixture!("leaf-revoked.pem"), &[fixture!("int-rsa.pem")]);
    case.ocsp.push(fixture!("leaf-revoked.ocsp.der").to_vec());
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(r.outcome, PathOutcome::Revoked { time: REVOKED_AT });
    assert_eq!(r.revocation, Revocation::Revoked { time: REVOKED_AT });
}

#[test]
fn ocsp_for_another_certificate_or_tampered_is_not_used() {
    let mut case = Case::new(fixture!("leaf-nonrep.pem"), &[fixture!("int-rsa.pem")]);
    case.ocsp.push(fixture!("leaf-rsa.ocsp.der").to_vec());
    assert_eq!(
        case.run(&rsa_store(), &opts()).revocation,
        Revocation::NotChecked
    );

    // Flip a byte inside the tbsResponseData: the signature no longer verifies.
    let mut resp = fixture!("leaf-revoked.ocsp.der").to_vec();
    let pos = resp
        .windows(3)
        .position(|w| w == [0x18, 0x0f, b'2'])
        .unwrap(); // producedAt
    resp[pos + 4] ^= 0x01;
    let mut case = Case::new(fixture!("leaf-revoked.pem"), &[fixture!("int-rsa.pem")]);
    case.ocsp.push(resp);
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(r.revocation, Revocation::NotChecked);
    assert_eq!(r.outcome, PathOutcome::Valid);

    // Garbage is ignored with a warning.
    let mut case = leaf_rsa();
    case.ocsp.push(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
    let r = case.run(&rsa_store(), &opts());
    assert_eq!(r.revocation, Revocation::NotChecked);
    assert!(!r.warnings.is_empty());
}

// ----- trust store -----

#[test]
fn load_pem_or_der_variants() {
    let mut two = fixture!("root-rsa.pem").to_vec();
    two.extend_from_slice(fixture!("int-rsa.pem"));
    assert_eq!(TrustStore::load_pem_or_der(&two).unwrap().len(), 2);
    let d = der(fixture!("root-rsa.pem"));
    assert_eq!(TrustStore::load_pem_or_der(&d).unwrap(), vec![d.clone()]);
    let mut trailing = d.clone();
    trailing.push(0);
    assert!(TrustStore::load_pem_or_der(&trailing).is_err());
    assert!(TrustStore::load_pem_or_der(b"hello").is_err());
    assert!(TrustStore::load_pem_or_der(b"").is_err());
    let crl = TrustStore::load_pem_or_der(fixture!("int-rsa.crl.pem")).unwrap();
    assert_eq!(crl.len(), 1);

    let mut s = TrustStore::new();
    assert_eq!(
        s.add_anchor_der(vec![1, 2, 3]),
        Err(PkiError::MalformedCertificate)
    );
    assert_eq!(
        s.add_intermediate_der(trailing),
        Err(PkiError::TrailingData {
            what: "certificate"
        })
    );
    assert_eq!(s.add_crl_der(d), Err(PkiError::MalformedCrl));
    assert!(!s.has_anchors());
}

#[test]
fn load_certificates_and_crls_say_what_a_file_holds_instead() {
    // A bundle with a key beside the certificates: the certificates are taken.
    let mut bundle = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec();
    bundle.extend_from_slice(fixture!("root-rsa.pem"));
    bundle.extend_from_slice(fixture!("int-rsa.crl.pem"));
    bundle.extend_from_slice(fixture!("int-rsa.pem"));
    assert_eq!(TrustStore::load_certificates(&bundle).unwrap().len(), 2);
    assert_eq!(TrustStore::load_crls(&bundle).unwrap().len(), 1);
    let cert = der(fixture!("root-rsa.pem"));
    let crl = der(fixture!("int-rsa.crl.pem"));
    assert_eq!(
        TrustStore::load_certificates(&cert).unwrap(),
        vec![cert.clone()]
    );
    assert_eq!(TrustStore::load_crls(&crl).unwrap(), vec![crl.clone()]);

    let not_pem = |expected| PkiError::NotPemOrDerOf { expected };
    assert_eq!(
        TrustStore::load_certificates(b"Root CA\n"),
        Err(not_pem("certificate"))
    );
    assert_eq!(TrustStore::load_crls(b""), Err(not_pem("CRL")));
    assert_eq!(
        not_pem("certificate").to_string(),
        "not a PEM file (no -----BEGIN line) and not a DER certificate"
    );
    let mut trailing = cert.clone();
    trailing.push(0);
    assert_eq!(
        TrustStore::load_certificates(&trailing),
        Err(not_pem("certificate"))
    );
    assert_eq!(
        TrustStore::load_certificates(&crl),
        Err(PkiError::OtherDer {
            expected: "certificate",
            found: "CRL"
        })
    );
    assert_eq!(
        TrustStore::load_crls(&cert).unwrap_err().to_string(),
        "a DER certificate, not a CRL"
    );
    let e = TrustStore::load_crls(fixture!("root-rsa.pem")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no X509 CRL block in the PEM file (found: CERTIFICATE)"
    );
    let key_and_crl = [
        &b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"[..],
        fixture!("int-rsa.crl.pem"),
    ]
    .concat();
    assert_eq!(
        TrustStore::load_certificates(&key_and_crl),
        Err(PkiError::NoPemBlock {
            label: "CERTIFICATE",
            found: vec!["EC PRIVATE KEY".into(), "X509 CRL".into()]
        })
    );
    // A CERTIFICATE block that is not a certificate, or not base64, or not finished.
    let bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert_eq!(
        TrustStore::load_certificates(bad),
        Err(PkiError::MalformedCertificate)
    );
    let bad = b"-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n";
    assert_eq!(
        TrustStore::load_certificates(bad).unwrap_err().to_string(),
        "PEM block 1 (CERTIFICATE) cannot be decoded: not base64"
    );
    let cut = &fixture!("root-rsa.pem")[..200];
    assert_eq!(
        TrustStore::load_certificates(cut).unwrap_err().to_string(),
        "PEM block 1 (CERTIFICATE) cannot be decoded: no -----END line"
    );
}

#[test]
fn malformed_signer_and_junk_extras_do_not_panic() {
    let store = rsa_store();
    let v = PathValidator::new();
    let input = PathInput {
        signer_der: &[0x30, 0x80, 0x00],
        extra_certs: &[],
        embedded_crls: &[],
        embedded_ocsp: &[],
    };
    assert_eq!(
        v.validate(&store, &input, &opts()).outcome,
        PathOutcome::NoChain
    );
    let leaf = der(fixture!("leaf-rsa.pem"));
    let int = der(fixture!("int-rsa.pem"));
    let junk: &[u8] = &[0xff; 10];
    let extras: Vec<&[u8]> = vec![junk, &leaf, &int, &int, &leaf];
    let input = PathInput {
        signer_der: &leaf,
        extra_certs: &extras,
        embedded_crls: &[junk],
        embedded_ocsp: &[junk],
    };
    let r = v.validate(&store, &input, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid);
    assert_eq!(r.chain.len(), 3);
}

// ----- times at the edge of the instant range -----

/// 9999-12-30T22:00:00Z, the last whole second of `Timestamp` (its `MAX` truncated).
const LAST_SECOND: Timestamp = Timestamp::constant(253_402_207_200, 0);
/// 9999-12-31T00:00:00Z and 9999-12-31T23:59:59Z: ASN.1 times past the instant range.
const UNIX_9999_12_31: i64 = 253_402_214_400;
const UNIX_9999_12_31_END: i64 = 253_402_300_799;

fn store_9999() -> TrustStore {
    store_with(&[fixture!("root-9999.pem")])
}

/// Every relation between a whole-second time `v` in range and an ASN.1 time past the range
/// has the outcome it has on Unix seconds once the ASN.1 time is clamped (the reasoning is in
/// `cert.rs`, "Times at the edge").
#[test]
fn year_9999_clamp_keeps_every_comparison() {
    assert_eq!(
        LAST_SECOND,
        Timestamp::from_second(Timestamp::MAX.as_second()).unwrap()
    );
    let vs = [
        Timestamp::MIN,
        Timestamp::UNIX_EPOCH,
        VALIDATION,
        LAST_SECOND - jiff::SignedDuration::from_secs(1),
        LAST_SECOND,
    ];
    let xs = [
        -62_167_219_200, // 0000-01-01, the earliest GeneralizedTime
        0,
        VALIDATION.as_second(),
        LAST_SECOND.as_second(),
        LAST_SECOND.as_second() + 1,
        UNIX_9999_12_31,
        UNIX_9999_12_31_END,
        i64::MAX,
    ];
    for v in vs {
        for x in xs {
            let c = cert::bound_from_unix(x);
            let s = v.as_second();
            assert_eq!(v < c, s < x, "{v} < {x}");
            assert_eq!(v <= c, s <= x, "{v} <= {x}");
            assert_eq!(v > c, s > x, "{v} > {x}");
            assert_eq!(v >= c, s >= x, "{v} >= {x}");
        }
    }
    // In range the conversion is exact; past it, comparisons see `Timestamp::MAX`.
    assert_eq!(cert::bound_from_unix(LAST_SECOND.as_second()), LAST_SECOND);
    assert_eq!(cert::bound_from_unix(UNIX_9999_12_31_END), Timestamp::MAX);
}

/// A notAfter of 99991231235959Z: reported as the last whole second in range, and never
/// expired at any validation time, up to that last second.
#[test]
fn year_9999_not_after() {
    let case = Case::new(fixture!("leaf-9999.pem"), &[]);
    let store = store_9999();
    let r = case.run(&store, &opts());
    assert_eq!(r.outcome, PathOutcome::Valid, "{r:?}");
    assert_eq!(r.chain.len(), 2);
    for c in &r.chain {
        assert_eq!(c.not_after.to_string(), "9999-12-30T22:00:00Z");
        assert_eq!(c.not_after, LAST_SECOND);
        assert_eq!(c.not_after.subsec_nanosecond(), 0);
    }
    assert_eq!(r.chain[0].not_before.to_string(), "2024-01-01T00:00:00Z");
    for t in [LAST_SECOND, Timestamp::MAX] {
        let mut o = PathOptions::new(t);
        o.signing_time = Some(t);
        let r = case.run(&store, &o);
        assert_eq!(r.outcome, PathOutcome::Valid, "{t}: {r:?}");
        assert!(r.warnings.is_empty(), "{t}: {:?}", r.warnings);
    }
}

/// A notBefore of 99991231000000Z, past the range: not yet valid at the last whole second in
/// range (clamping it to that second would have made the certificate valid then).
#[test]
fn year_9999_not_before() {
    let case = Case::new(fixture!("leaf-9999-future.pem"), &[]);
    let store = store_9999();
    for t in [VALIDATION, LAST_SECOND, Timestamp::MAX] {
        let r = case.run(&store, &PathOptions::new(t));
        assert_eq!(r.outcome, PathOutcome::NotYetValid, "{t}: {r:?}");
        let mut o = PathOptions::new(VALIDATION);
        o.signing_time = Some(t);
        assert_eq!(
            case.run(&store, &o).outcome,
            PathOutcome::NotYetValidAtSigningTime,
            "{t}"
        );
    }
    let r = case.run(&store, &PathOptions::new(VALIDATION));
    assert_eq!(r.chain[0].not_before.to_string(), "9999-12-30T22:00:00Z");
}

/// Validation and signing times are judged to the second, as when they were Unix seconds: a
/// fraction past the notAfter second is not yet expired, and the fraction does not split the
/// remembered results.
#[test]
fn fractions_of_a_second_are_dropped() {
    let case = Case::new(fixture!("leaf-expired.pem"), &[fixture!("int-rsa.pem")]);
    let store = rsa_store();
    let not_after = Timestamp::constant(1_735_689_600, 0); // 2025-01-01
    let v = PathValidator::new();
    let at = |nanos: i32| Timestamp::new(not_after.as_second(), nanos).unwrap();
    for nanos in [0, 1, 500_000_000, 999_999_999] {
        let r = case.run_with(&v, &store, &PathOptions::new(at(nanos)));
        assert_eq!(r.outcome, PathOutcome::Valid, "{nanos}");
        let mut o = opts();
        o.signing_time = Some(at(nanos));
        assert_eq!(case.run_with(&v, &store, &o).outcome, PathOutcome::Expired);
    }
    let later = not_after + jiff::SignedDuration::from_secs(1);
    let r = case.run_with(&v, &store, &PathOptions::new(later));
    assert_eq!(r.outcome, PathOutcome::Expired);
    let mut o = PathOptions::new(later);
    o.signing_time = Some(later);
    assert_eq!(
        case.run_with(&v, &store, &o).outcome,
        PathOutcome::ExpiredAtSigningTime
    );
}
