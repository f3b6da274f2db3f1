//! pdfsig (poppler) with an NSS database that trusts the test root, so its "Certificate is
//! Trusted" verdict is a real chain check. pdfsig exits 0 even on a digest mismatch: its text
//! is what counts.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Creates an NSS database under `dir` trusting `fixtures/pki/root.pem`; returns its `sql:` spec.
pub fn nss_db(dir: &Path, fixtures: &Path) -> String {
    let nss = dir.join("nss");
    std::fs::create_dir_all(&nss).unwrap();
    let db = format!("sql:{}", nss.display());
    let st = Command::new("certutil")
        .args(["-N", "-d", &db, "--empty-password"])
        .status()
        .unwrap();
    assert!(st.success(), "certutil -N failed");
    for (nick, file, trust) in [
        ("vnedoc-test-root", "root.pem", "CT,C,C"),
        ("vnedoc-test-ca", "intermediate.pem", ",,"),
    ] {
        let st = Command::new("certutil")
            .args(["-A", "-d", &db, "-n", nick, "-t", trust, "-a", "-i"])
            .arg(fixtures.join("pki").join(file))
            .status()
            .unwrap();
        assert!(st.success(), "certutil -A {file} failed");
    }
    db
}

/// True when pdfsig and certutil can run.
pub fn available() -> bool {
    Command::new("pdfsig").arg("-v").output().is_ok()
        && Command::new("certutil").arg("-H").output().is_ok()
}

/// Asserts pdfsig reports `count` signatures in `file`, each valid and trusted, and the last one
/// covering the whole document.
pub fn assert_all_valid(db: &str, file: &PathBuf, count: usize) {
    let out = Command::new("pdfsig")
        .arg("-nssdir")
        .arg(db)
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let valid = text
        .matches("Signature Validation: Signature is Valid.")
        .count();
    let trusted = text
        .matches("Certificate Validation: Certificate is Trusted.")
        .count();
    let total = text.matches("Signature Type:").count();
    assert_eq!(
        (total, valid, trusted),
        (count, count, count),
        "{}:\n{text}",
        file.display()
    );
    assert!(
        text.contains("Total document signed"),
        "{}:\n{text}",
        file.display()
    );
}
