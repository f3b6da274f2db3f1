//! Encrypted documents (the standard security handler, ISO 32000-2 §7.6): the signed fixtures of
//! fixtures/encrypted/ verify through the library and the CLI with the password they need, and
//! without it (or with a wrong one, or with a handler the crate does not implement) they are
//! refused as unreadable, never given a verdict. Decryption never makes a changed document
//! pass: changes after signing, encrypted or not, and tampered ciphertext are caught.
//!
//! The fixtures are committed (fixtures/gen/encrypted_pdfs.py, qpdf + pyHanko); the pdfsig
//! cross-check skips without pdfsig, and fails under CI=true.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::fixtures::{fixture_bytes, fixtures_dir, root_trust, validation_time};
use common::{in_ci, run_with_timeout};
use vnedoc::error::EncryptionError;
use vnedoc::internals::pdf::object::Object;
use vnedoc::internals::pdf::{Document, Limits, Modifications, fields};
use vnedoc::verify::{DocumentReport, Password, VerifyError};
use vnedoc::{Indication, SubIndication, ValidationTime, Verifier, VerifyOptions};

/// The user password of the fixtures that have one (fixtures/gen/encrypted_pdfs.py).
const USER_R6: &str = "Mật khẩu 2025";
const USER_RC4: &str = "user-pw";
const OWNER: &str = "owner-pw";

/// The signed fixtures, each with the password (if any) it needs and what it is encrypted with.
const SIGNED: &[(&str, Option<&str>, &str)] = &[
    (
        "aes256-empty-user.pdf",
        None,
        "AES-256, standard security handler R6",
    ),
    (
        "aes128-empty-user.pdf",
        None,
        "AES-128, standard security handler R4",
    ),
    (
        "rc4-128-empty-user.pdf",
        None,
        "RC4 128-bit, standard security handler R3",
    ),
    (
        "rc4-40-empty-user.pdf",
        None,
        "RC4 40-bit, standard security handler R2",
    ),
    (
        "aes256-user-password.pdf",
        Some(USER_R6),
        "AES-256, standard security handler R6",
    ),
    (
        "rc4-128-user-password.pdf",
        Some(USER_RC4),
        "RC4 128-bit, standard security handler R3",
    ),
];

fn path(name: &str) -> PathBuf {
    fixtures_dir().join("encrypted").join(name)
}

fn verifier(password: Option<&str>) -> Verifier {
    let mut options = VerifyOptions::new(root_trust(), ValidationTime::At(validation_time()));
    options.password = password.map(Password::new);
    Verifier::new(options)
}

fn verify(name: &str, password: Option<&str>) -> Result<DocumentReport, VerifyError> {
    verifier(password).verify_file(&path(name))
}

/// The one signature of `report`, checked to be TOTAL_PASSED with what only decrypted strings
/// give: the field name (/T) and the signing time (/M; PAdES signatures carry no signingTime).
fn assert_passed(name: &str, report: &DocumentReport) {
    assert_eq!(report.error, None, "{name}");
    let [s] = report.signatures.as_slice() else {
        panic!("{name}: {} signatures", report.signatures.len());
    };
    assert_eq!(
        (s.indication, s.subindication),
        (Indication::TotalPassed, None),
        "{name}: {:?}",
        s.errors
    );
    assert_eq!(s.field, "Signature1", "{name}: the field name is decrypted");
    assert_eq!(
        s.signing_time.map(|t| t.to_string()).as_deref(),
        Some("2025-06-01T02:00:00Z"),
        "{name}: /M is decrypted"
    );
    assert!(s.integrity && s.covers_whole_file, "{name}");
    assert_eq!(s.modifications, Modifications::None, "{name}");
}

#[test]
fn signed_encrypted_documents_verify() {
    for (name, password, _) in SIGNED {
        let report = verify(name, *password).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_passed(name, &report);
    }
}

#[test]
fn the_owner_password_opens_them_too() {
    for (name, _, _) in SIGNED {
        let report = verify(name, Some(OWNER)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_passed(name, &report);
    }
}

#[test]
fn without_the_password_the_document_is_unreadable() {
    for (name, password, method) in SIGNED {
        if password.is_none() {
            continue;
        }
        let method = method.to_string();
        match verify(name, None) {
            Err(VerifyError::Encryption(e)) => {
                assert_eq!(
                    e,
                    EncryptionError::PasswordNeeded {
                        method: method.clone()
                    },
                    "{name}"
                );
                assert_eq!(
                    e.to_string(),
                    format!("encrypted with {method}; a password is needed (--password)")
                );
            }
            other => panic!("{name}: {other:?}"),
        }
        match verify(name, Some("not the password")) {
            Err(VerifyError::Encryption(e)) => assert_eq!(
                e,
                EncryptionError::WrongPassword {
                    method: method.clone()
                },
                "{name}"
            ),
            other => panic!("{name}: {other:?}"),
        }
        // The in-memory entry point reports it as the document's error, with no signatures.
        let report = verifier(None).verify_bytes(name, &std::fs::read(path(name)).unwrap());
        assert_eq!(
            report.error.as_deref(),
            Some(format!("encrypted with {method}; a password is needed (--password)").as_str())
        );
        assert!(report.signatures.is_empty() && !report.all_passed());
    }
}

/// The page's content stream, decoded, as `doc` reads it.
fn page_content(doc: &Document<'_>) -> Vec<u8> {
    let rev = doc.last_revision();
    let (pages, _) = fields::page_ids(doc, rev).unwrap();
    let page = doc.get(pages[0], rev).unwrap().unwrap();
    let contents = page.as_dict().unwrap().get(b"Contents").unwrap().clone();
    match doc.resolve(&contents, rev).unwrap() {
        Object::Stream(s) => doc.stream_data(&s, rev).unwrap(),
        other => panic!("page /Contents is {other}"),
    }
}

/// Every fixture was made from pdf/unsigned.pdf: decrypted, its page content and /Info
/// /Producer (a string in an object of its own, or in an object stream) are those of the plain
/// file (a known answer for each key derivation and cipher,
/// R5 included, with nothing hard-coded).
#[test]
fn decryption_gives_back_the_plain_document() {
    let plain_bytes = fixture_bytes("pdf/unsigned.pdf");
    let plain = Document::parse(&plain_bytes, Limits::default()).unwrap();
    assert_eq!(plain.encryption(), None);
    let want = page_content(&plain);
    assert!(want.windows(2).any(|w| w == b"Tj"), "a text content stream");
    let info = |doc: &Document<'_>| {
        let rev = doc.last_revision();
        let info = doc.trailer(rev).unwrap().get(b"Info").unwrap().clone();
        fields::text_string(
            doc.resolve(&info, rev)
                .unwrap()
                .as_dict()
                .unwrap()
                .get(b"Producer"),
        )
    };
    let r5 = (
        "aes256-r5-unsigned.pdf",
        Some(USER_RC4),
        "AES-256, standard security handler R5",
    );
    for (name, password, method) in SIGNED.iter().chain([&r5]) {
        let data = std::fs::read(path(name)).unwrap();
        for pw in [*password, Some(OWNER)] {
            let doc = Document::parse_with_password(&data, Limits::default(), pw)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(doc.encryption(), Some(*method), "{name}");
            assert_eq!(page_content(&doc), want, "{name} with {pw:?}");
            // pyHanko appends its own name to the /Producer of the files it signs.
            let (got, plain) = (info(&doc).unwrap(), info(&plain).unwrap());
            assert!(got.starts_with(&plain), "{name}: /Producer {got:?}");
        }
    }
}

#[test]
fn a_change_after_signing_is_still_seen() {
    // pyHanko's own, encrypted update giving the page a new content stream.
    let report = verify("aes256-changed-after-signing.pdf", None).unwrap();
    let [s] = report.signatures.as_slice() else {
        panic!("{report:?}");
    };
    assert!(s.integrity, "the signed revision is intact");
    assert_eq!(s.modifications, Modifications::Disallowed);
    assert_ne!(s.indication, Indication::TotalPassed);
    assert!(
        s.modification_details
            .iter()
            .any(|d| d.contains("Contents changed")),
        "{:?}",
        s.modification_details
    );
}

/// `data` plus an incremental update writing `objects` (number, body between `obj` and
/// `endobj`) in a classic xref table, its trailer carrying the previous one's /Root, /Encrypt
/// and /ID.
fn append_update(data: &[u8], objects: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let doc = Document::parse(data, Limits::default()).unwrap();
    let trailer = doc.trailer(doc.last_revision()).unwrap();
    let reference = |key: &[u8]| match trailer.get(key) {
        Some(Object::Ref(n, g)) => format!("{n} {g} R"),
        other => panic!("trailer {}: {other:?}", String::from_utf8_lossy(key)),
    };
    let id = match trailer.get(b"ID") {
        Some(Object::Array(a)) => a
            .iter()
            .map(|o| match o {
                Object::String(s) => {
                    let h: String = s.bytes.iter().map(|b| format!("{b:02x}")).collect();
                    format!("<{h}>")
                }
                other => panic!("/ID {other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => panic!("/ID {other:?}"),
    };
    let size = trailer.int(b"Size").unwrap();
    let prev = doc.sections[0].offset;
    let mut out = data.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut xref = String::from("xref\n");
    for (num, body) in objects {
        let off = out.len();
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
        xref.push_str(&format!("{num} 1\n{off:010} 00000 n \n"));
    }
    let start = out.len();
    out.extend_from_slice(
        format!(
            "{xref}trailer\n<< /Size {size} /Root {} /Encrypt {} /ID [{id}] /Prev {prev} >>\nstartxref\n{start}\n%%EOF\n",
            reference(b"Root"),
            reference(b"Encrypt"),
        )
        .as_bytes(),
    );
    out
}

/// The object number of the page's content stream in the signed revision.
fn content_stream_number(data: &[u8]) -> u32 {
    let doc = Document::parse(data, Limits::default()).unwrap();
    let rev = doc.last_revision();
    let (pages, _) = fields::page_ids(&doc, rev).unwrap();
    let page = doc.get(pages[0], rev).unwrap().unwrap();
    match page.as_dict().unwrap().get(b"Contents") {
        Some(Object::Ref(n, _)) => *n,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_plaintext_update_to_an_encrypted_document_is_a_change() {
    // Someone who cannot encrypt replaces the page content in the clear: decrypting that
    // stream gives garbage or an error, and either way the change is seen.
    for name in ["aes128-empty-user.pdf", "rc4-128-empty-user.pdf"] {
        let data = std::fs::read(path(name)).unwrap();
        let num = content_stream_number(&data);
        let text = b"BT /F1 24 Tf 72 700 Td (Van ban DA SUA) Tj ET";
        let mut body = format!("<< /Length {} >>\nstream\n", text.len()).into_bytes();
        body.extend_from_slice(text);
        body.extend_from_slice(b"\nendstream");
        let changed = append_update(&data, &[(num, body)]);
        let report = verifier(None).verify_bytes(name, &changed);
        let [s] = report.signatures.as_slice() else {
            panic!("{name}: {report:?}");
        };
        assert!(s.integrity, "{name}");
        assert_eq!(s.modifications, Modifications::Disallowed, "{name}");
        assert_ne!(s.indication, Indication::TotalPassed, "{name}");
    }
}

#[test]
fn tampered_ciphertext_fails_the_digest() {
    for name in ["aes128-empty-user.pdf", "rc4-40-empty-user.pdf"] {
        let mut data = std::fs::read(path(name)).unwrap();
        let num = content_stream_number(&data);
        let header = format!("\n{num} 0 obj");
        let at = data
            .windows(header.len())
            .position(|w| w == header.as_bytes())
            .unwrap();
        let stream = at
            + data[at..]
                .windows(7)
                .position(|w| w == b"stream\n" || w == b"stream\r")
                .unwrap();
        // A byte in the middle of the encrypted content stream.
        data[stream + 20] ^= 0x01;
        let report = verifier(None).verify_bytes(name, &data);
        let [s] = report.signatures.as_slice() else {
            panic!("{name}: {report:?}");
        };
        assert_eq!(
            (s.indication, s.subindication),
            (Indication::TotalFailed, Some(SubIndication::HashFailure)),
            "{name}: {:?}",
            s.errors
        );
    }
}

/// A one-page document whose trailer names the encryption dictionary `encrypt`.
fn with_encrypt(encrypt: &str) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for body in [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [] /Count 0 >>",
        encrypt,
    ] {
        offsets.push(v.len());
        v.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", offsets.len()).as_bytes());
    }
    let x = v.len();
    let mut table = String::from("xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        table.push_str(&format!("{o:010} 00000 n \n"));
    }
    v.extend_from_slice(
        format!("{table}trailer\n<< /Size 4 /Root 1 0 R /Encrypt 3 0 R /ID [<00112233> <00112233>] >>\nstartxref\n{x}\n%%EOF\n").as_bytes(),
    );
    v
}

#[test]
fn handlers_the_crate_does_not_implement_are_refused() {
    let o32 = format!("<{}>", "ab".repeat(32));
    let cases = [
        (
            "<< /Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 4 /R 4 /Recipients [<3082>] >>"
                .to_string(),
            "public-key security handler is not supported (/Filter /Adobe.PubSec)",
        ),
        (
            format!("<< /Filter /Standard /V 3 /R 3 /P -4 /O {o32} /U {o32} >>"),
            "standard security handler V 3 R 3 is not supported",
        ),
        (
            format!("<< /Filter /Standard /V 2 /R 3 /Length 129 /P -4 /O {o32} /U {o32} >>"),
            "encryption dictionary: /Length is not a multiple of 8 from 40 to 128",
        ),
    ];
    for (encrypt, message) in cases {
        let data = with_encrypt(&encrypt);
        let report = verifier(Some("anything")).verify_bytes("synthetic.pdf", &data);
        assert_eq!(report.error.as_deref(), Some(message), "{encrypt}");
        assert!(report.signatures.is_empty());
    }
}

#[test]
fn hostile_encryption_dictionaries_are_errors_not_panics() {
    let hex = |n: usize, b: u8| format!("<{}>", format!("{b:02x}").repeat(n));
    let mut cases = Vec::new();
    for (v, r) in [
        (1, 2),
        (2, 3),
        (4, 4),
        (5, 5),
        (5, 6),
        (0, 0),
        (-1, 7),
        (i64::MAX, 2),
    ] {
        for len in [0, 1, 31, 32, 33, 47, 48, 127] {
            for length in [
                "",
                "/Length 40",
                "/Length 0",
                "/Length -8",
                "/Length 4096",
                "/Length (x)",
            ] {
                cases.push(format!(
                    "<< /Filter /Standard /V {v} /R {r} {length} /P -1 /O {} /U {} /OE {} /UE {} /CF << /StdCF << /CFM /AESV3 >> /X << /CFM /AESV2 >> >> /StmF /StdCF /StrF /X >>",
                    hex(len, 0x41),
                    hex(len, 0x42),
                    hex(len, 0x43),
                    hex(len, 0x44),
                ));
            }
        }
    }
    cases.push("<< /Filter /Standard >>".into());
    cases.push("<< >>".into());
    cases.push("(not a dictionary)".into());
    cases.push("<< /Filter /Standard /V 4 /R 4 /P -4 /CF 5 /StmF /StdCF >>".into());
    for encrypt in &cases {
        let data = with_encrypt(encrypt);
        for pw in [None, Some(""), Some("x")] {
            let report = verifier(pw).verify_bytes("hostile.pdf", &data);
            let error = report.error.clone().unwrap_or_default();
            assert!(
                !error.is_empty() && !report.all_passed(),
                "{encrypt} with {pw:?}: no error"
            );
        }
    }
}

/// The `vnedoc` binary on `args`, with its exit code and stdout.
fn vnedoc(args: &[&str]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vnedoc"));
    cmd.current_dir(common::repo_dir()).args(args);
    let out = run_with_timeout(&mut cmd, Duration::from_secs(60)).unwrap();
    (
        out.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn cli_password_flag() {
    let file = "fixtures/encrypted/aes256-user-password.pdf";
    let root = "fixtures/pki/root.pem";
    let (code, out) = vnedoc(&["verify", "--trust", root, file]);
    assert_eq!(
        (code, out.as_str()),
        (
            Some(2),
            "fixtures/encrypted/aes256-user-password.pdf\n  error: encrypted with AES-256, standard security handler R6; a password is needed (--password)\n"
        )
    );
    let (code, out) = vnedoc(&["verify", "--trust", root, "--password", "wrong", file]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(
            "  error: wrong password (encrypted with AES-256, standard security handler R6)"
        ),
        "{out}"
    );
    for pw in [USER_R6, OWNER] {
        let (code, out) = vnedoc(&["verify", "--trust", root, "--password", pw, file]);
        assert_eq!(code, Some(0), "{out}");
        assert!(
            out.contains("  signature Signature1: TOTAL_PASSED\n"),
            "{out}"
        );
    }
    // Documents that open with the empty user password need no flag, and take a batch's
    // password without complaint.
    let (code, out) = vnedoc(&[
        "verify",
        "--trust",
        root,
        "--password",
        USER_R6,
        "fixtures/encrypted/aes128-empty-user.pdf",
        file,
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches("TOTAL_PASSED").count(), 2, "{out}");
    // A changed document is still exit 1, not a pass.
    let (code, out) = vnedoc(&[
        "verify",
        "--trust",
        root,
        "fixtures/encrypted/aes256-changed-after-signing.pdf",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("modifications: disallowed"), "{out}");
}

#[test]
fn cli_public_key_handler_is_unreadable() {
    let dir = TempDir::new("pubsec");
    let file = dir.0.join("pubsec.pdf");
    std::fs::write(
        &file,
        with_encrypt("<< /Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s4 /V 2 /R 3 >>"),
    )
    .unwrap();
    let (code, out) = vnedoc(&["verify", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("error: public-key security handler is not supported (/Filter /Adobe.PubSec)"),
        "{out}"
    );
}

/// A fresh, empty directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("vnedoc-encrypted-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// pdfsig (poppler, its own decryption) agrees: every signed fixture's signature is valid with
/// the user password, and so is vnedoc's integrity.
#[test]
fn pdfsig_agrees_on_integrity() {
    if Command::new("pdfsig").arg("-v").output().is_err() {
        assert!(!in_ci(), "pdfsig is required under CI=true");
        eprintln!("SKIP pdfsig_agrees_on_integrity: pdfsig not installed");
        return;
    }
    for (name, password, _) in SIGNED {
        let mut cmd = Command::new("pdfsig");
        cmd.arg("-nocert");
        if let Some(pw) = password {
            cmd.args(["-upw", pw]);
        }
        cmd.arg(path(name));
        let out = run_with_timeout(&mut cmd, Duration::from_secs(60)).unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.matches("Signature Validation: Signature is Valid.")
                .count(),
            1,
            "{name}: pdfsig says\n{text}"
        );
        let report = verify(name, *password).unwrap();
        assert!(report.signatures[0].integrity, "{name}");
    }
}
