//! Interoperability of the signatures the crate makes: pyHanko (trusting the test root) and
//! pdfsig (with an NSS database trusting the test root) must both report every signature valid
//! and the document covered. Peers missing: the test fails under CI=true, else it skips.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::tmp::TempDir;
use std::path::{Path, PathBuf};
use std::process::Command;

use vnedoc::sign::appearance::{Appearance, SealPlacement};
use vnedoc::sign::tsa::HttpTsa;
use vnedoc::sign::{self, KeySigner, SignOptions, SubFilter};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).output().is_ok()
}

fn require(tool: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{tool} is required under CI=true");
    }
    eprintln!("skipped: {tool} not found");
    false
}

fn signer(leaf: &str) -> KeySigner {
    common::fixtures::key_signer(leaf)
}

/// Signs the sample set into `dir`: every key type and sub-filter, and a two-signature document.
fn make_samples(dir: &Path) -> Vec<(PathBuf, usize)> {
    let t = vnedoc::time::parse_rfc3339_timestamp("2026-11-26T09:15:30+07:00").unwrap();
    let input = std::fs::read(fixtures().join("pdf/unsigned.pdf")).unwrap();
    let mut out = Vec::new();
    for (leaf, sf) in [
        ("leaf-rsa2048", SubFilter::Cades),
        ("leaf-rsa3072", SubFilter::Pkcs7),
        ("leaf-p256", SubFilter::Pkcs7),
        ("leaf-p384", SubFilter::Cades),
    ] {
        let mut opts = SignOptions::new(t);
        opts.sub_filter = sf;
        let signed = sign::sign_pdf(&input, &signer(leaf), &opts).unwrap();
        let p = dir.join(format!("{leaf}-{sf:?}.pdf"));
        std::fs::write(&p, signed).unwrap();
        out.push((p, 1));
    }
    let opts = SignOptions::new(t);
    let once = sign::sign_pdf(&input, &signer("leaf-rsa2048"), &opts).unwrap();
    let twice = sign::sign_pdf(&once, &signer("leaf-rsa3072"), &opts).unwrap();
    let p = dir.join("two-signatures.pdf");
    std::fs::write(&p, twice).unwrap();
    out.push((p, 2));

    // Decree 30/2020: the competent person, then the agency's seal over it.
    let images = fixtures().join("images");
    let person_rect = [330.0, 120.0, 530.0, 200.0];
    let mut opts = SignOptions::new(t);
    opts.appearance = Some(Appearance::Person {
        png: std::fs::read(images.join("signature-blue.png")).unwrap(),
        rect: person_rect,
    });
    let person = sign::sign_pdf(&input, &signer("leaf-rsa2048"), &opts).unwrap();
    let p = dir.join("person.pdf");
    std::fs::write(&p, &person).unwrap();
    out.push((p, 1));
    let mut opts = SignOptions::new(t + jiff::SignedDuration::from_mins(1));
    opts.appearance = Some(Appearance::Seal {
        png: std::fs::read(images.join("seal-red.png")).unwrap(),
        size_mm: 35.0,
        placement: SealPlacement::OverlapPerson(person_rect),
    });
    let sealed = sign::sign_pdf(&person, &signer("leaf-rsa3072"), &opts).unwrap();
    let p = dir.join("person-then-seal.pdf");
    std::fs::write(&p, sealed).unwrap();
    out.push((p, 2));
    for (name, app) in [
        (
            "attachment",
            Appearance::Attachment {
                doc_number: "123/UBND-VP".to_string(),
            },
        ),
        (
            "copy",
            Appearance::Copy {
                form: "SAO Y".to_string(),
                agency: "Văn phòng UBND Tỉnh Đồng Tháp".to_string(),
            },
        ),
    ] {
        let mut opts = SignOptions::new(t);
        opts.appearance = Some(app);
        let signed = sign::sign_pdf(&input, &signer("leaf-rsa3072"), &opts).unwrap();
        let p = dir.join(format!("{name}.pdf"));
        std::fs::write(&p, signed).unwrap();
        out.push((p, 1));
    }

    // PAdES B-T: a signature timestamp from a TSA on loopback.
    if common::tsa_server::openssl_available() {
        let server = common::tsa_server::TsaServer::openssl().unwrap();
        let tsa = HttpTsa::new(server.url());
        let mut opts = SignOptions::new(t);
        opts.tsa = Some(&tsa);
        let signed = sign::sign_pdf(&input, &signer("leaf-p256"), &opts).unwrap();
        let p = dir.join("timestamped.pdf");
        std::fs::write(&p, signed).unwrap();
        out.push((p, 1));
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is required under CI=true"
        );
    }
    out
}

#[test]
fn the_crate_validates_every_signature() {
    let dir = TempDir::new("own");
    let samples = make_samples(&dir);
    let mut trust = vnedoc::TrustStore::new();
    for der in vnedoc::TrustStore::load_pem_or_der(
        &std::fs::read(fixtures().join("pki/root.pem")).unwrap(),
    )
    .unwrap()
    {
        trust.add_anchor_der(der).unwrap();
    }
    let at = vnedoc::time::parse_rfc3339_timestamp("2026-11-26T00:00:00Z").unwrap();
    let v = vnedoc::Verifier::new(vnedoc::VerifyOptions::new(
        trust,
        vnedoc::ValidationTime::At(at),
    ));
    for (p, count) in &samples {
        let r = v.verify_file(p).unwrap();
        assert_eq!(r.signatures.len(), *count, "{}", p.display());
        for s in &r.signatures {
            assert_eq!(
                s.indication,
                vnedoc::Indication::TotalPassed,
                "{} {}: {:?} {:?}",
                p.display(),
                s.field,
                s.errors,
                s.modification_details
            );
        }
        assert!(r.signatures.last().is_some_and(|s| s.covers_whole_file));
    }
}

#[test]
fn pyhanko_validates_every_signature() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&python)
        .args(["-c", "import pyhanko.sign.validation"])
        .status()
        .is_ok_and(|s| s.success());
    if !require("pyHanko", ok) {
        return;
    }
    let dir = TempDir::new("pyhanko");
    let samples = make_samples(&dir);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/pyhanko_validate.py");
    let mut cmd = Command::new(&python);
    cmd.arg(&script).arg(fixtures().join("pki/root.pem"));
    for (p, _) in &samples {
        cmd.arg(p);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (p, count) in &samples {
        let file = p.display().to_string();
        let sigs: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["file"] == file.as_str())
            .collect();
        assert_eq!(sigs.len(), *count, "{file}: {sigs:?}");
        for (i, s) in sigs.iter().enumerate() {
            assert!(s["error"].is_null(), "{file}: {s}");
            assert_eq!(s["intact"], true, "{file}: {s}");
            assert_eq!(s["valid"], true, "{file}: {s}");
            assert_eq!(s["trusted"], true, "{file}: {s}");
            if i + 1 == sigs.len() {
                assert_eq!(
                    s["coverage"], "SignatureCoverageLevel.ENTIRE_FILE",
                    "{file}: {s}"
                );
            } else {
                assert_ne!(s["docmdp_ok"], false, "{file}: {s}");
            }
        }
    }
    eprintln!(
        "pyHanko: {} signatures in {} files valid and trusted",
        lines.len(),
        samples.len()
    );
}

#[test]
fn pdfsig_validates_every_signature() {
    if !require("pdfsig", have("pdfsig", "-v"))
        || !require("certutil (libnss3-tools)", have("certutil", "-H"))
    {
        return;
    }
    let dir = TempDir::new("pdfsig");
    let db = common::pdfsig::nss_db(&dir, &fixtures());
    let samples = make_samples(&dir);
    for (p, count) in &samples {
        common::pdfsig::assert_all_valid(&db, p, *count);
    }
    eprintln!(
        "pdfsig: {} files, every signature valid and trusted",
        samples.len()
    );
}
