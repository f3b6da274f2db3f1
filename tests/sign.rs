//! Signing: the byte-prefix property, every key type and sub-filter, two-step signing, and
//! multiple signatures, checked with the crate's own verifier.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use std::path::{Path, PathBuf};

use vnedoc::sign::{self, KeySigner, SignOptions, SubFilter};
use vnedoc::verify::Indication;
use vnedoc::{TrustStore, Verifier};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn signer(leaf: &str) -> KeySigner {
    common::fixtures::key_signer(leaf)
}

fn verifier() -> Verifier {
    common::fixtures::default_verifier()
}

fn signing_time() -> vnedoc::time::Timestamp {
    vnedoc::time::parse_rfc3339_timestamp("2026-11-26T09:15:30+07:00").unwrap()
}

fn unsigned() -> Vec<u8> {
    std::fs::read(fixtures().join("pdf/unsigned.pdf")).unwrap()
}

#[test]
fn every_key_and_sub_filter_verifies() {
    let v = verifier();
    for (leaf, sf) in [
        ("leaf-rsa2048", SubFilter::Cades),
        ("leaf-rsa3072", SubFilter::Pkcs7),
        ("leaf-p256", SubFilter::Cades),
        ("leaf-p384", SubFilter::Pkcs7),
    ] {
        let input = unsigned();
        let mut opts = SignOptions::new(signing_time());
        opts.sub_filter = sf;
        opts.reason = Some("Phê duyệt".to_string());
        let out = sign::sign_pdf(&input, &signer(leaf), &opts).unwrap();
        assert!(
            out.starts_with(&input),
            "{leaf}: input is not a prefix of the output"
        );
        let r = v.verify_bytes(leaf, &out);
        assert_eq!(r.signatures.len(), 1, "{leaf}");
        let s = &r.signatures[0];
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{leaf}: {:?}",
            s.errors
        );
        assert!(s.covers_whole_file);
        assert_eq!(
            s.sub_filter.as_deref(),
            Some(if sf == SubFilter::Cades {
                "ETSI.CAdES.detached"
            } else {
                "adbe.pkcs7.detached"
            })
        );
        assert_eq!(
            s.signing_time.map(|t| t.to_string()).as_deref(),
            Some("2026-11-26T02:15:30Z")
        );
        assert_eq!(s.chain.len(), 3);
    }
}

#[test]
fn two_step_signing_needs_no_key_in_the_preparing_process() {
    let input = unsigned();
    let key_holder = signer("leaf-rsa2048");
    let pki = fixtures().join("pki");
    let certs =
        TrustStore::load_pem_or_der(&std::fs::read(pki.join("leaf-rsa2048.pem")).unwrap()).unwrap();
    let chain =
        TrustStore::load_pem_or_der(&std::fs::read(pki.join("intermediate.pem")).unwrap()).unwrap();
    let opts = SignOptions::new(signing_time());
    let prepared = sign::prepare(
        &input,
        &certs[0],
        &chain,
        sign::SignatureAlgorithm::RsaPkcs1Sha256,
        &opts,
    )
    .unwrap();
    // The value comes from elsewhere (a token, a remote service).
    let value = vnedoc::sign::Signer::sign(&key_holder, prepared.to_be_signed()).unwrap();
    let out = prepared.complete(&value).unwrap();
    assert!(out.starts_with(&input));
    let r = verifier().verify_bytes("two-step", &out);
    assert_eq!(
        r.signatures[0].indication,
        Indication::TotalPassed,
        "{:?}",
        r.signatures[0].errors
    );
}

#[test]
fn a_wrong_signature_value_is_refused() {
    let input = unsigned();
    let pki = fixtures().join("pki");
    let certs =
        TrustStore::load_pem_or_der(&std::fs::read(pki.join("leaf-rsa2048.pem")).unwrap()).unwrap();
    let opts = SignOptions::new(signing_time());
    let prepared = sign::prepare(
        &input,
        &certs[0],
        &[],
        sign::SignatureAlgorithm::RsaPkcs1Sha256,
        &opts,
    )
    .unwrap();
    let other =
        vnedoc::sign::Signer::sign(&signer("leaf-rsa3072"), prepared.to_be_signed()).unwrap();
    assert!(matches!(
        prepared.complete(&other),
        Err(sign::SignError::Key(_))
    ));
}

#[test]
fn a_second_signature_keeps_the_first_valid() {
    let input = unsigned();
    let opts = SignOptions::new(signing_time());
    let once = sign::sign_pdf(&input, &signer("leaf-rsa2048"), &opts).unwrap();
    let twice = sign::sign_pdf(&once, &signer("leaf-rsa3072"), &opts).unwrap();
    assert!(twice.starts_with(&once));
    let r = verifier().verify_bytes("twice", &twice);
    assert_eq!(r.signatures.len(), 2);
    for s in &r.signatures {
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{}: {:?} {:?}",
            s.field,
            s.errors,
            s.modification_details
        );
    }
    let first = r
        .signatures
        .iter()
        .find(|s| s.field == "Signature1")
        .unwrap();
    assert_eq!(
        first.modifications,
        vnedoc::internals::pdf::Modifications::Allowed
    );
    assert!(!first.covers_whole_file);
}

#[test]
fn the_key_must_match_the_certificate() {
    let pki = fixtures().join("pki");
    let key = std::fs::read(pki.join("leaf-rsa2048.key")).unwrap();
    let cert =
        TrustStore::load_pem_or_der(&std::fs::read(pki.join("leaf-rsa3072.pem")).unwrap()).unwrap();
    assert!(matches!(
        KeySigner::from_pkcs8(&key, cert[0].clone(), vec![]),
        Err(sign::SignError::Key(_))
    ));
}

/// The byte-prefix property over every fixture and every corpus file the verifier reads as
/// intact: signing never rewrites earlier bytes, and earlier signatures keep their integrity.
#[test]
fn byte_prefix_property_over_fixtures_and_intact_corpus() {
    let v = verifier();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("pdf"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) {
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.get(3) == Some(&"intact") {
                files.push(corpus.join(cols[0]));
            }
        }
    } else if std::env::var("CI").as_deref() == Ok("true") {
        panic!("../shared/corpus is missing");
    }
    files.sort();
    let s = signer("leaf-p256");
    let (mut signed, mut refused) = (0, 0);
    for f in &files {
        let input = std::fs::read(f).unwrap();
        let before = v.verify_bytes("before", &input);
        match sign::sign_pdf(&input, &s, &SignOptions::new(signing_time())) {
            Ok(out) => {
                signed += 1;
                assert!(
                    out.starts_with(&input),
                    "{}: prefix property broken",
                    f.display()
                );
                let after = v.verify_bytes("after", &out);
                let new = after.signatures.iter().find(|x| {
                    x.signer.as_ref().and_then(|s| s.common_name.as_deref())
                        == Some("Trần Thị Bích Ngọc")
                        && x.covers_whole_file
                });
                let new = new.unwrap_or_else(|| {
                    panic!(
                        "{}: new signature not found: {:?}",
                        f.display(),
                        after
                            .signatures
                            .iter()
                            .map(|s| (&s.field, &s.errors))
                            .collect::<Vec<_>>()
                    )
                });
                assert_eq!(
                    new.indication,
                    Indication::TotalPassed,
                    "{}: {:?}",
                    f.display(),
                    new.errors
                );
                for old in &before.signatures {
                    let again = after
                        .signatures
                        .iter()
                        .find(|x| x.field == old.field)
                        .unwrap();
                    assert_eq!(
                        again.integrity,
                        old.integrity,
                        "{}: {}",
                        f.display(),
                        old.field
                    );
                    if old.modifications != vnedoc::internals::pdf::Modifications::Disallowed {
                        assert_ne!(
                            again.modifications,
                            vnedoc::internals::pdf::Modifications::Disallowed,
                            "{}: {} {:?}",
                            f.display(),
                            old.field,
                            again.modification_details
                        );
                    }
                }
            }
            Err(e) => {
                refused += 1;
                eprintln!("{}: refused: {e}", f.display());
            }
        }
    }
    eprintln!("byte-prefix: {signed} signed, {refused} refused");
    assert!(signed >= 20, "only {signed} files could be signed");
}

/// Streaming into a writer gives the same bytes as the buffer API (RSA PKCS#1 v1.5 signatures
/// are deterministic), and the output starts with the input unchanged.
#[test]
fn sign_to_writer_equals_buffer() {
    let input = unsigned();
    let s = signer("leaf-rsa2048");
    let opts = SignOptions::new(signing_time());
    let buffered = sign::sign_pdf(&input, &s, &opts).unwrap();
    let mut streamed = Vec::new();
    let n = sign::sign_pdf_to(&input, &s, &opts, &mut streamed).unwrap();
    assert_eq!(n, streamed.len() as u64);
    assert_eq!(streamed, buffered);
    assert_eq!(&streamed[..input.len()], &input[..]);
}

/// Five signatures in a row: the verifier hashes their shared prefix once, and each digest is
/// still its own. Changing a byte of the third revision (a digit of its signing time, outside
/// every /Contents) breaks the three signatures whose ranges cover it and leaves the first two
/// intact.
#[test]
fn five_signatures_share_prefix_hashing() {
    let s = signer("leaf-p256");
    let mut pdf = unsigned();
    let mut ends = Vec::new();
    for i in 0..5 {
        pdf = sign::sign_pdf(
            &pdf,
            &s,
            &SignOptions::new(signing_time() + jiff::SignedDuration::from_mins(i)),
        )
        .unwrap();
        ends.push(pdf.len());
    }
    let r = verifier().verify_bytes("five.pdf", &pdf);
    assert_eq!(r.signatures.len(), 5);
    for sig in &r.signatures {
        assert_eq!(
            sig.indication,
            Indication::TotalPassed,
            "{}: {:?}",
            sig.field,
            sig.errors
        );
    }
    let third = &pdf[ends[1]..ends[2]];
    let at = ends[1] + third.windows(6).position(|w| w == b"/M (D:").unwrap() + 8;
    let mut tampered = pdf.clone();
    assert!(tampered[at].is_ascii_digit());
    tampered[at] = if tampered[at] == b'9' {
        b'8'
    } else {
        tampered[at] + 1
    };
    let r = verifier().verify_bytes("five-tampered.pdf", &tampered);
    assert_eq!(r.signatures.len(), 5);
    let broken = r.signatures.iter().filter(|s| !s.integrity).count();
    assert_eq!(
        broken,
        3,
        "{:?}",
        r.signatures
            .iter()
            .map(|s| (&s.field, s.integrity))
            .collect::<Vec<_>>()
    );
    for sig in r.signatures.iter().filter(|s| !s.integrity) {
        assert_eq!(sig.indication, Indication::TotalFailed, "{}", sig.field);
    }
}

/// An object with a generation other than 0 (the catalog is `1 9 obj`): the update must keep
/// the generation in its header, its cross-reference entry and every reference to it, or the
/// new revision has no catalog and the signature vanishes.
#[test]
fn nonzero_generations_are_kept() {
    let path = common::corpus_dir().join("pyhanko/minimal-with-orphaned-xrefs.pdf");
    let Ok(input) = std::fs::read(&path) else {
        // The shared corpus lives beside the repository, not in it.
        assert!(!common::in_ci(), "{} is missing", path.display());
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let out = sign::sign_pdf(
        &input,
        &signer("leaf-p256"),
        &SignOptions::new(signing_time()),
    )
    .unwrap();
    let tail = String::from_utf8_lossy(&out[input.len()..]);
    assert!(
        tail.contains("1 9 obj") && tail.contains("/Root 1 9 R"),
        "{tail}"
    );
    let r = verifier().verify_bytes("gen9.pdf", &out);
    assert_eq!(r.signatures.len(), 1, "{:?}", r.error);
    assert_eq!(
        r.signatures[0].indication,
        Indication::TotalPassed,
        "{:?}",
        r.signatures[0].errors
    );
}

/// Signatures hashed with different algorithms (P-256 signs with SHA-256, P-384 with SHA-384)
/// are digested on separate threads; each digest must still be its own, and a change in the
/// second revision must break exactly the signatures that cover it.
#[test]
fn mixed_digest_algorithms() {
    let mut pdf = unsigned();
    let mut ends = Vec::new();
    for (i, leaf) in ["leaf-p256", "leaf-p384", "leaf-rsa2048"]
        .into_iter()
        .enumerate()
    {
        let opts = SignOptions::new(signing_time() + jiff::SignedDuration::from_mins(i as i64));
        pdf = sign::sign_pdf(&pdf, &signer(leaf), &opts).unwrap();
        ends.push(pdf.len());
    }
    let check = |pdf: &[u8]| {
        let r = verifier().verify_bytes("mixed.pdf", pdf);
        assert_eq!(r.signatures.len(), 3);
        let mut algs: Vec<String> = r
            .signatures
            .iter()
            .filter_map(|s| s.digest_algorithm.clone())
            .collect();
        algs.sort();
        assert_eq!(algs, ["SHA-256", "SHA-256", "SHA-384"]);
        r
    };
    let r = check(&pdf);
    for sig in &r.signatures {
        assert_eq!(
            sig.indication,
            Indication::TotalPassed,
            "{}: {:?}",
            sig.field,
            sig.errors
        );
    }
    let second = &pdf[ends[0]..ends[1]];
    let at = ends[0] + second.windows(6).position(|w| w == b"/M (D:").unwrap() + 8;
    let mut tampered = pdf.clone();
    tampered[at] = if tampered[at] == b'9' {
        b'8'
    } else {
        tampered[at] + 1
    };
    let r = check(&tampered);
    let broken = r.signatures.iter().filter(|s| !s.integrity).count();
    assert_eq!(broken, 2);
}
