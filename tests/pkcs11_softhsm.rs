//! Signing with a key on a real PKCS#11 token: SoftHSM2, loaded at run time like a vendor's
//! USB-token module. Keys from fixtures/pki are imported into a fresh token in a temporary
//! directory; `Pkcs11Signer` signs raw messages (checked with ring against the certificate) and
//! PDFs through both the one-step and the two-step API (checked with the crate's verifier and
//! with pyHanko). The token errors a user meets (wrong PIN, token or key label, a certificate
//! of another key) are checked too.
//!
//! softhsm2-util, libsofthsm2.so or pyHanko missing: the test fails under CI=true, else it
//! prints "skipped: …" and passes.
//!
//! Everything runs in one test function: SOFTHSM2_CONF is read by the module at C_Initialize and
//! is process-wide, so the token is set up once, before the module is loaded.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use vnedoc::sign::pkcs11::Pkcs11Signer;
use vnedoc::sign::{self, SignError, SignOptions, SignatureAlgorithm, Signer, SubFilter};
use vnedoc::verify::Indication;
use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

const TOKEN: &str = "vnedoc-test";
const SO_PIN: &str = "1234";
const PIN: &str = "5678";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Whether the test can go on: a missing peer fails under CI=true, else it skips.
fn require(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{what} is required under CI=true");
    }
    eprintln!("skipped: {what} not found");
    false
}

/// libsofthsm2.so where Debian and others put it (`SOFTHSM2_MODULE` overrides).
fn softhsm_module() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SOFTHSM2_MODULE") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let mut candidates = vec![
        PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"),
        PathBuf::from("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
        PathBuf::from("/usr/local/lib/softhsm/libsofthsm2.so"),
        PathBuf::from("/usr/lib64/softhsm/libsofthsm2.so"),
    ];
    // Any other multiarch directory (aarch64-linux-gnu, …).
    if let Ok(dir) = std::fs::read_dir("/usr/lib") {
        for entry in dir.flatten() {
            candidates.push(entry.path().join("softhsm/libsofthsm2.so"));
        }
    }
    candidates.into_iter().find(|p| p.is_file())
}

fn pem_to_der(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    TrustStore::load_pem_or_der(&bytes)
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

fn verifier() -> Verifier {
    let mut trust = TrustStore::new();
    for der in TrustStore::load_pem_or_der(&std::fs::read(fixtures().join("pki/root.pem")).unwrap())
        .unwrap()
    {
        trust.add_anchor_der(der).unwrap();
    }
    let at = vnedoc::time::parse_rfc3339_timestamp("2026-11-26T00:00:00Z").unwrap();
    Verifier::new(VerifyOptions::new(trust, ValidationTime::At(at)))
}

/// One key on the token and what signing with it must give.
struct Case {
    leaf: &'static str,
    label: &'static str,
    id: &'static str,
    algorithm: SignatureAlgorithm,
    ring_alg: &'static dyn ring::signature::VerificationAlgorithm,
}

const CASES: &[Case] = &[
    Case {
        leaf: "leaf-rsa2048",
        label: "signer",
        id: "01",
        algorithm: SignatureAlgorithm::RsaPkcs1Sha256,
        ring_alg: &ring::signature::RSA_PKCS1_2048_8192_SHA256,
    },
    Case {
        leaf: "leaf-p256",
        label: "signer-p256",
        id: "02",
        algorithm: SignatureAlgorithm::EcdsaP256Sha256,
        ring_alg: &ring::signature::ECDSA_P256_SHA256_ASN1,
    },
    Case {
        leaf: "leaf-p384",
        label: "signer-p384",
        id: "03",
        algorithm: SignatureAlgorithm::EcdsaP384Sha384,
        ring_alg: &ring::signature::ECDSA_P384_SHA384_ASN1,
    },
];

fn open(
    module: &Path,
    token: &str,
    pin: &str,
    key: &str,
    leaf: &str,
) -> Result<Pkcs11Signer, SignError> {
    let pki = fixtures().join("pki");
    Pkcs11Signer::open(
        module,
        token,
        pin,
        key,
        pem_to_der(&pki.join(format!("{leaf}.pem"))),
        vec![pem_to_der(&pki.join("intermediate.pem"))],
    )
}

/// The signature value verifies with ring against the certificate's public key.
fn check_raw_signature(signer: &Pkcs11Signer, case: &Case, message: &[u8]) {
    let signature = signer.sign(message).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(signer.certificate()).unwrap();
    let key = cert.public_key().subject_public_key.data.as_ref();
    ring::signature::UnparsedPublicKey::new(case.ring_alg, key)
        .verify(message, &signature)
        .unwrap_or_else(|_| panic!("{}: the token's signature does not verify", case.leaf));
    let other = [message, b"!"].concat();
    assert!(
        ring::signature::UnparsedPublicKey::new(case.ring_alg, key)
            .verify(&other, &signature)
            .is_err(),
        "{}: the signature verifies over another message",
        case.leaf
    );
}

#[test]
fn softhsm_token_signs_pdfs_that_verify() {
    let have_util = Command::new("softhsm2-util")
        .arg("--version")
        .output()
        .is_ok();
    if !require("softhsm2-util (apt-get install softhsm2)", have_util) {
        return;
    }
    let Some(module) = softhsm_module() else {
        require("libsofthsm2.so (apt-get install softhsm2)", false);
        return;
    };
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let have_pyhanko = Command::new(&python)
        .args(["-c", "import pyhanko.sign.validation"])
        .status()
        .is_ok_and(|s| s.success());
    if !require("pyHanko", have_pyhanko) {
        return;
    }

    // A token directory of our own: nothing under /var/lib/softhsm is touched.
    let dir = common::tmp::TempDir::new("pkcs11");
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    // SAFETY: this binary has this one test, so no other thread reads the environment; the
    // variable is set before the module is loaded (it reads it at C_Initialize).
    // SoftHSM reads its configuration only from the environment, so this one unsafe call is
    // allowed here against Cargo.toml's `unsafe_code = "deny"`.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf)
    };

    let util = || {
        let mut c = Command::new("softhsm2-util");
        c.env("SOFTHSM2_CONF", &conf);
        c
    };
    run(util().args([
        "--init-token",
        "--free",
        "--label",
        TOKEN,
        "--so-pin",
        SO_PIN,
        "--pin",
        PIN,
    ]));
    let pki = fixtures().join("pki");
    for case in CASES {
        run(util()
            .arg("--import")
            .arg(pki.join(format!("{}.key", case.leaf)))
            .args([
                "--token", TOKEN, "--label", case.label, "--id", case.id, "--pin", PIN,
            ]));
    }

    let input = std::fs::read(fixtures().join("pdf/unsigned.pdf")).unwrap();
    let t = vnedoc::time::parse_rfc3339_timestamp("2026-11-26T09:15:30+07:00").unwrap();
    let v = verifier();
    let mut outputs = Vec::new();
    let mut signers = Vec::new();
    for case in CASES {
        let signer = open(&module, TOKEN, PIN, case.label, case.leaf)
            .unwrap_or_else(|e| panic!("{}: {e}", case.leaf));
        assert_eq!(signer.algorithm(), case.algorithm, "{}", case.leaf);
        check_raw_signature(&signer, case, b"vnedoc PKCS#11 test message");

        // One step, CAdES.
        let one = sign::sign_pdf(&input, &signer, &SignOptions::new(t))
            .unwrap_or_else(|e| panic!("{}: sign_pdf: {e}", case.leaf));
        // Two steps, PKCS#7: prepare, sign on the token, complete.
        let mut opts = SignOptions::new(t);
        opts.sub_filter = SubFilter::Pkcs7;
        let prepared = sign::prepare(
            &input,
            signer.certificate(),
            signer.chain(),
            signer.algorithm(),
            &opts,
        )
        .unwrap();
        let value = signer.sign(prepared.to_be_signed()).unwrap();
        let two = prepared
            .complete(&value)
            .unwrap_or_else(|e| panic!("{}: complete: {e}", case.leaf));

        for (how, out) in [("one-step", one), ("two-step", two)] {
            let name = format!("{}-{how}.pdf", case.leaf);
            assert!(
                out.starts_with(&input),
                "{name}: the input is not a prefix of the output"
            );
            let r = v.verify_bytes(&name, &out);
            assert_eq!(r.signatures.len(), 1, "{name}: {:?}", r.error);
            let s = &r.signatures[0];
            assert_eq!(
                s.indication,
                Indication::TotalPassed,
                "{name}: {:?}",
                s.errors
            );
            assert!(s.covers_whole_file, "{name}");
            assert_eq!(s.chain.len(), 3, "{name}: {:?}", s.chain);
            let path = dir.join(&name);
            std::fs::write(&path, out).unwrap();
            outputs.push(path);
        }
        signers.push(signer);
    }

    // Two signers on one token at once (one login), each usable from several threads.
    fn send_sync<T: Send + Sync>(_: &T) {}
    send_sync(&signers[0]);
    std::thread::scope(|scope| {
        for (signer, case) in signers.iter().zip(CASES) {
            for _ in 0..2 {
                scope.spawn(move || check_raw_signature(signer, case, b"from a thread"));
            }
        }
    });
    drop(signers);

    // What a user gets wrong.
    let device = |r: Result<Pkcs11Signer, SignError>| match r {
        Err(SignError::Device(e)) => e.to_string(),
        Err(e) => panic!("expected a device error, got {e:?}"),
        Ok(s) => panic!("expected a device error, got {s:?}"),
    };
    let certificate = |r: Result<Pkcs11Signer, SignError>| match r {
        Err(SignError::Certificate(e)) => e.to_string(),
        Err(e) => panic!("expected a certificate error, got {e:?}"),
        Ok(s) => panic!("expected a certificate error, got {s:?}"),
    };
    let m = device(open(
        &module,
        "no-such-token",
        PIN,
        "signer",
        "leaf-rsa2048",
    ));
    assert!(
        m.contains("no token labelled 'no-such-token'") && m.contains("'vnedoc-test'"),
        "{m}"
    );
    let m = device(open(&module, TOKEN, PIN, "no-such-key", "leaf-rsa2048"));
    assert!(m.contains("no private key labelled 'no-such-key'"), "{m}");
    let m = certificate(open(&module, TOKEN, PIN, "signer", "leaf-rsa3072"));
    assert!(m.contains("moduli differ"), "{m}");
    let m = certificate(open(&module, TOKEN, PIN, "signer-p256", "leaf-p384"));
    assert!(m.contains("curve"), "{m}");
    let m = certificate(open(&module, TOKEN, PIN, "signer", "leaf-p256"));
    assert!(m.contains("another type"), "{m}");
    let m = device(open(&module, TOKEN, "0000", "signer", "leaf-rsa2048"));
    assert!(m.contains("wrong PIN") && !m.contains("0000"), "{m}");
    let m = device(open(
        Path::new("/nonexistent/libnothing.so"),
        TOKEN,
        PIN,
        "signer",
        "leaf-rsa2048",
    ));
    assert!(m.contains("cannot load the PKCS#11 module"), "{m}");

    // pyHanko, once for every file.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/pyhanko_validate.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(fixtures().join("pki/root.pem"))
        .args(&outputs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for p in &outputs {
        let file = p.display().to_string();
        let sigs: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["file"] == file.as_str())
            .collect();
        assert_eq!(sigs.len(), 1, "{file}: {sigs:?}");
        let s = sigs[0];
        assert!(s["error"].is_null(), "{file}: {s}");
        assert_eq!(s["intact"], true, "{file}: {s}");
        assert_eq!(s["valid"], true, "{file}: {s}");
        assert_eq!(s["trusted"], true, "{file}: {s}");
        assert_eq!(
            s["coverage"], "SignatureCoverageLevel.ENTIRE_FILE",
            "{file}: {s}"
        );
    }
    // pdfsig, with an NSS store trusting the test root.
    if require("pdfsig and certutil", common::pdfsig::available()) {
        let db = common::pdfsig::nss_db(&dir, &fixtures());
        for p in &outputs {
            common::pdfsig::assert_all_valid(&db, p, 1);
        }
    }
    eprintln!(
        "pkcs11: {} token signatures (RSA-2048, P-256, P-384; one- and two-step) valid in vnedoc, pyHanko and pdfsig",
        outputs.len()
    );
}
