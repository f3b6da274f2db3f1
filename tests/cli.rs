//! The `vnedoc` command-line contract (src/bin/vnedoc/): exit codes, `--trust` with a file or
//! a directory, `--at claimed`, the `--json` and `--summary` reports, `dump`, and help texts.
//!
//! Exit codes (the table in src/bin/vnedoc/main.rs): 0 every signature passed / done; 1 a
//! document was read and does not pass; 2 usage error or input that is not readable as any
//! supported format; 3 internal error. With several files the highest wins.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::tmp::TempDir;
use common::{Outcome, parse_single_document, repo_dir, run_with_timeout, truncate};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);
const ROOT: &str = "fixtures/pki/root.pem";
const VALID: &str = "fixtures/pdf/pyhanko-rsa2048-cades.pdf";
const VALID_2: &str = "fixtures/pdf/openssl-p256-ber.pdf";
const AT: &str = "2026-11-26T00:00:00Z";

/// Runs `vnedoc ARGS` from the repository root.
fn vnedoc(args: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vnedoc"));
    cmd.current_dir(repo_dir()).args(args);
    let out = run_with_timeout(&mut cmd, LIMIT).expect("cannot start the vnedoc binary");
    assert!(
        out.panic_line().is_none(),
        "vnedoc {args:?} panicked: {:?}",
        out.panic_line()
    );
    out
}

fn describe(args: &[&str], out: &Outcome) -> String {
    format!(
        "vnedoc {args:?}: {}\nstdout: {}\nstderr: {}",
        out.describe_end(),
        truncate(&String::from_utf8_lossy(&out.stdout), 600),
        truncate(&String::from_utf8_lossy(&out.stderr), 600)
    )
}

fn assert_exit(args: &[&str], code: i32) -> Outcome {
    let out = vnedoc(args);
    assert_eq!(out.code(), Some(code), "{}", describe(args, &out));
    out
}

fn json(out: &Outcome) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            truncate(&String::from_utf8_lossy(&out.stdout), 300)
        )
    })
}

#[test]
fn exit_0_for_a_valid_file() {
    assert_exit(&["verify", "--trust", ROOT, VALID], 0);
}

#[test]
fn exit_1_for_an_unsigned_file() {
    let out = assert_exit(&["verify", "--trust", ROOT, "fixtures/pdf/unsigned.pdf"], 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("no signatures"), "{stdout}");
}

#[test]
fn exit_1_for_a_tampered_file() {
    let out = assert_exit(
        &[
            "verify",
            "--trust",
            ROOT,
            "fixtures/pdf/tamper-one-byte.pdf",
        ],
        1,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("HASH_FAILURE"), "{stdout}");
}

#[test]
fn exit_1_when_one_of_several_files_fails() {
    assert_exit(
        &[
            "verify",
            "--trust",
            ROOT,
            VALID,
            "fixtures/pdf/tamper-one-byte.pdf",
        ],
        1,
    );
}

#[test]
fn many_files_on_several_threads_keep_their_order_and_verdicts() {
    // Every fixture PDF, a missing file in the middle, and the first file again at the end:
    // the reports come back in argument order whatever the thread count, and equal.
    let mut files: Vec<String> = std::fs::read_dir(repo_dir().join("fixtures/pdf"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .map(|p| format!("fixtures/pdf/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "fixtures: {files:?}");
    let mid = files.len() / 2;
    files.insert(mid, "fixtures/pdf/no-such-file.pdf".into());
    files.push(files[0].clone());
    let run = |threads: &str| {
        let mut args = vec!["verify", "--json", "--trust", ROOT, "--at", AT];
        args.extend(["--threads", threads]);
        args.extend(files.iter().map(String::as_str));
        let out = assert_exit(&args, 2);
        json(&out)
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one, two, "--threads 1 and --threads 2 give the same report");
    let docs = one["documents"].as_array().unwrap();
    let names: Vec<&str> = docs.iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert_eq!(names, files, "argument order");
    let missing = &docs[mid];
    assert!(missing["error"].is_string(), "{missing}");
    assert_eq!(
        docs[0],
        docs[files.len() - 1],
        "the same file twice, the same report"
    );
    let passed = docs
        .iter()
        .filter(|d| {
            d["signatures"].as_array().is_some_and(|s| {
                !s.is_empty() && s.iter().all(|x| x["indication"] == "TOTAL_PASSED")
            })
        })
        .count();
    assert!(passed >= 2, "some fixtures pass: {passed}");
}

#[test]
fn exit_2_for_a_missing_file() {
    let out = assert_exit(
        &["verify", "--trust", ROOT, "fixtures/pdf/no-such-file.pdf"],
        2,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("no-such-file.pdf"),
        "the report names the file: {stdout}"
    );
}

#[test]
fn exit_2_for_a_bad_flag() {
    let out = assert_exit(&["verify", "--no-such-flag", VALID], 2);
    assert!(
        !out.stderr.is_empty(),
        "a usage error is explained on stderr"
    );
    assert!(out.stdout.is_empty(), "no report for a usage error");
}

#[test]
fn help_and_version_exit_0() {
    let out = assert_exit(&["--help"], 0);
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(help.contains("Usage"), "{}", describe(&["--help"], &out));
    let out = assert_exit(&["--version"], 0);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        describe(&["--version"], &out)
    );
    for sub in ["verify", "sign", "stats"] {
        let out = assert_exit(&[sub, "--help"], 0);
        let help = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            help.contains("Usage"),
            "{}",
            describe(&[sub, "--help"], &out)
        );
    }
}

#[test]
fn exit_2_for_a_bad_time() {
    let out = assert_exit(&["verify", "--trust", ROOT, "--at", "yesterday", VALID], 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--at"));
}

#[test]
fn exit_2_without_files() {
    assert_exit(&["verify", "--trust", ROOT], 2);
}

#[test]
fn trust_accepts_a_directory() {
    // Both roots in one directory: the default fixture chain and other-root's chain
    // (embedded in pyhanko-other-root.pdf) must both be anchored.
    let dir = TempDir::new("trust-dir");
    for name in ["root.pem", "other-root.pem"] {
        std::fs::copy(repo_dir().join("fixtures/pki").join(name), dir.join(name)).unwrap();
    }
    let trust = dir.to_str().unwrap();
    assert_exit(
        &[
            "verify",
            "--trust",
            trust,
            VALID,
            "fixtures/pdf/pyhanko-other-root.pdf",
        ],
        0,
    );
    // The same without other-root: the second file has no chain.
    std::fs::remove_file(dir.join("other-root.pem")).unwrap();
    assert_exit(
        &[
            "verify",
            "--trust",
            trust,
            VALID,
            "fixtures/pdf/pyhanko-other-root.pdf",
        ],
        1,
    );
}

#[test]
fn json_report_shape() {
    let args = ["verify", "--json", "--trust", ROOT, "--at", AT, VALID];
    let out = assert_exit(&args, 0);
    let v = json(&out);
    let top: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, ["documents"], "top level");
    let doc = parse_single_document(&out.stdout).unwrap();
    for key in ["file", "signed", "signatures", "error"] {
        assert!(doc.get(key).is_some(), "document has no {key:?}: {doc}");
    }
    assert_eq!(doc["file"], VALID);
    assert_eq!(doc["signed"], true);
    assert_eq!(doc["error"], Value::Null);
    let sigs = doc["signatures"].as_array().expect("signatures array");
    assert_eq!(sigs.len(), 1);
    let s = &sigs[0];
    for key in [
        "field",
        "sub_filter",
        "indication",
        "subindication",
        "integrity",
        "covers_whole_file",
        "modifications",
        "signer",
        "signing_time",
        "digest_algorithm",
        "signature_algorithm",
        "chain",
        "revocation",
    ] {
        assert!(s.get(key).is_some(), "signature has no {key:?}: {s}");
    }
    assert_eq!(s["field"], "Signature1");
    assert_eq!(s["sub_filter"], "ETSI.CAdES.detached");
    assert_eq!(s["indication"], "TOTAL_PASSED");
    assert_eq!(s["subindication"], Value::Null);
    assert_eq!(s["integrity"], true);
    assert_eq!(s["covers_whole_file"], true);
    assert_eq!(s["modifications"], "none");
    assert_eq!(s["signer"]["common_name"], "Nguyễn Văn An");
    assert_eq!(s["signer"]["uid"], "CCCD:001088000123");
    assert_eq!(s["signing_time"], "2025-06-01T02:00:00Z");
    assert_eq!(s["digest_algorithm"], "SHA-256");
    assert!(s["signature_algorithm"].is_string(), "{s}");
    assert_eq!(s["chain"].as_array().map(Vec::len), Some(3), "{s}");
    assert_eq!(s["revocation"], "not_checked");
    assert_eq!(s["validation_time"], AT);
    assert_eq!(s["validation_time_source"], "given");
    assert_eq!(
        s["findings"],
        Value::Array(Vec::new()),
        "a valid signature has no findings"
    );
}

#[test]
fn json_failure_values() {
    let args = [
        "verify",
        "--json",
        "--trust",
        ROOT,
        "--at",
        AT,
        "fixtures/pdf/tamper-one-byte.pdf",
    ];
    let out = assert_exit(&args, 1);
    let doc = parse_single_document(&out.stdout).unwrap();
    let s = &doc["signatures"][0];
    assert_eq!(s["indication"], "TOTAL_FAILED");
    assert_eq!(s["subindication"], "HASH_FAILURE");
    assert_eq!(s["integrity"], false);
    // Each finding carries a stable code beside its message; `errors` keeps the messages.
    let f = &s["findings"][0];
    assert_eq!(f["code"], "hash.message_digest_mismatch", "{s}");
    assert_eq!(f["indication"], "TOTAL_FAILED");
    assert_eq!(f["subindication"], "HASH_FAILURE");
    assert_eq!(f["message"], s["errors"][0], "{s}");
}

#[test]
fn at_claimed_reports_the_claimed_time() {
    let args = [
        "verify",
        "--json",
        "--trust",
        ROOT,
        "--at",
        "claimed",
        "fixtures/pdf/pyhanko-expired.pdf",
    ];
    let out = vnedoc(&args);
    let doc = parse_single_document(&out.stdout).unwrap();
    let s = &doc["signatures"][0];
    assert_eq!(s["validation_time_source"], "claimed", "{s}");
    assert_eq!(s["validation_time"], "2021-06-01T02:00:00Z", "{s}");
    assert_eq!(s["indication"], "TOTAL_PASSED", "{s}");
    assert_eq!(out.code(), Some(0), "{}", describe(&args, &out));
}

#[test]
fn crl_flag_is_used() {
    let args = [
        "verify",
        "--json",
        "--trust",
        ROOT,
        "--crl",
        "fixtures/pki/intermediate.crl.pem",
        "--at",
        AT,
        "fixtures/pdf/pyhanko-revoked.pdf",
    ];
    let out = assert_exit(&args, 1);
    let doc = parse_single_document(&out.stdout).unwrap();
    assert_eq!(doc["signatures"][0]["revocation"], "revoked");
}

#[test]
fn one_unreadable_file_does_not_hide_the_others() {
    let missing = "fixtures/pdf/no-such-file.pdf";
    let args = [
        "verify", "--json", "--trust", ROOT, "--at", AT, VALID, missing, VALID_2,
    ];
    let out = assert_exit(&args, 2);
    let v = json(&out);
    let docs = v["documents"].as_array().expect("documents array");
    let files: Vec<&str> = docs
        .iter()
        .map(|d| d["file"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        files,
        [VALID, missing, VALID_2],
        "one entry per file, in order"
    );
    for d in [&docs[0], &docs[2]] {
        assert_eq!(d["error"], Value::Null, "{d}");
        assert_eq!(d["signatures"][0]["indication"], "TOTAL_PASSED", "{d}");
    }
    assert_eq!(docs[1]["signed"], false);
    assert_eq!(docs[1]["signatures"].as_array().map(Vec::len), Some(0));
    let err = docs[1]["error"]
        .as_str()
        .expect("the unreadable file has an error");
    assert!(err.contains("no-such-file.pdf"), "{err}");
}

/// `vnedoc sign` then `vnedoc verify`: the CLI contract of issue "Sign PDF e-documents".
#[test]
fn sign_then_verify() {
    let dir = TempDir::new("cli-sign");
    let root = env!("CARGO_MANIFEST_DIR");
    let out1 = dir.join("person.pdf");
    let out2 = dir.join("sealed.pdf");
    let bin = env!("CARGO_BIN_EXE_vnedoc");
    let st = std::process::Command::new(bin)
        .current_dir(root)
        .args([
            "sign",
            "--key",
            "fixtures/pki/leaf-p256.key",
            "--cert",
            "fixtures/pki/leaf-p256.pem",
            "--chain",
            "fixtures/pki/intermediate.pem",
        ])
        .args([
            "--sub-filter",
            "pkcs7",
            "--appearance",
            "person",
            "--image",
            "fixtures/images/signature-blue.png",
            "--rect",
            "330,120,530,200",
        ])
        .args([
            "--reason",
            "Ký ban hành",
            "--location",
            "Đồng Tháp",
            "--time",
            "2026-11-26T09:15:30+07:00",
            "fixtures/pdf/unsigned.pdf",
            "-o",
        ])
        .arg(&out1)
        .status()
        .unwrap();
    assert!(st.success());
    let st = std::process::Command::new(bin)
        .current_dir(root)
        .args([
            "sign",
            "--key",
            "fixtures/pki/leaf-rsa3072.key",
            "--cert",
            "fixtures/pki/leaf-rsa3072.pem",
            "--chain",
            "fixtures/pki/intermediate.pem",
        ])
        .args([
            "--appearance",
            "seal",
            "--image",
            "fixtures/images/seal-red.png",
            "--rect",
            "330,120,530,200",
            "--seal-size-mm",
            "30",
        ])
        .arg(&out1)
        .arg("-o")
        .arg(&out2)
        .status()
        .unwrap();
    assert!(st.success());
    let out = std::process::Command::new(bin)
        .current_dir(root)
        .args(["verify", "--json", "--trust", "fixtures/pki/root.pem"])
        .arg(&out2)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sigs = v["documents"][0]["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0]["sub_filter"], "adbe.pkcs7.detached");
    assert_eq!(sigs[0]["modifications"], "allowed");
    assert_eq!(sigs[1]["sub_filter"], "ETSI.CAdES.detached");
    // Usage errors exit 2.
    let st = std::process::Command::new(bin)
        .current_dir(root)
        .args([
            "sign",
            "--cert",
            "fixtures/pki/leaf-p256.pem",
            "fixtures/pdf/unsigned.pdf",
            "-o",
        ])
        .arg(dir.join("x.pdf"))
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(2));
}

/// `directory list --json`, `directory find`, `route --json` and `edxml pack/unpack` contracts.
#[test]
fn exchange_commands() {
    let bin = env!("CARGO_BIN_EXE_vnedoc");
    let root = env!("CARGO_MANIFEST_DIR");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin)
            .current_dir(root)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(&["directory", "list", "--directory", "2019", "--json"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let agencies = v["agencies"].as_array().unwrap();
    assert_eq!(agencies.len(), 17 + 63 + 696 + 10_051);
    let levels: std::collections::BTreeSet<&str> = agencies
        .iter()
        .filter_map(|a| a["level"].as_str())
        .collect();
    assert_eq!(
        levels,
        ["central", "commune", "district", "province"]
            .into_iter()
            .collect()
    );
    assert!(
        agencies
            .iter()
            .all(|a| a.get("id").is_some() && a.get("name").is_some() && a.get("parent").is_some())
    );

    let (code, out) = run(&["directory", "find", "dong thap", "--directory", "2025"]);
    assert_eq!(code, Some(0));
    assert!(out.lines().any(|l| l.starts_with("H20\t")), "{out}");

    let (code, out) = run(&[
        "route",
        "--directory",
        "2025",
        "--from",
        "H26.00070",
        "--to",
        "G06",
        "--json",
    ]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = v["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["agency", "provincial_hub", "national_hub", "agency"]
    );
    assert_eq!(v["hops"][0]["node"], "H26.00070");
    assert_eq!(v["hops"][3]["node"], "G06");

    let (code, _) = run(&[
        "route",
        "--directory",
        "2025",
        "--from",
        "H26.00070",
        "--to",
        "H99.12345",
    ]);
    assert_ne!(code, Some(0));

    // `edxml unpack -o` creates its folder, not the folders above it (TempDir makes this one).
    let dir = TempDir::new("cli-edxml");
    let first = dir.join("first");
    let (code, _) = run(&[
        "edxml",
        "unpack",
        "fixtures/edxml/sdk-edoc-new-edxml-prefix.edxml",
        "-o",
        first.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
    let mut files: Vec<String> = std::fs::read_dir(&first)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| !p.ends_with("metadata.json"))
        .collect();
    files.sort();
    let packed = dir.join("again.edxml");
    let meta = first.join("metadata.json");
    let mut args = vec![
        "edxml",
        "pack",
        "--meta",
        meta.to_str().unwrap(),
        "-o",
        packed.to_str().unwrap(),
    ];
    args.extend(files.iter().map(String::as_str));
    let (code, _) = run(&args);
    assert_eq!(code, Some(0));
    let second = dir.join("second");
    let (code, _) = run(&[
        "edxml",
        "unpack",
        packed.to_str().unwrap(),
        "-o",
        second.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
    let a: serde_json::Value = serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("metadata.json")).unwrap()).unwrap();
    assert_eq!(a, b);
    let xml = std::fs::read_to_string(&packed).unwrap();
    assert!(xml.contains("<edXML:edXMLEnvelope") && xml.contains("<AttachmentEncoded"));
}

// --- Exit codes (src/bin/vnedoc/main.rs, "Exit codes"), --summary, dump and help texts. ---

const TWO: &str = "fixtures/pdf/pyhanko-two-signatures.pdf";
const TAMPERED: &str = "fixtures/pdf/tamper-one-byte.pdf";

/// Writes `bytes` to `dir/name` and returns the path as a string.
fn write_temp(dir: &TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn exit_2_for_input_that_is_not_a_pdf() {
    let dir = TempDir::new("not-pdf");
    let empty = write_temp(&dir, "empty.pdf", b"");
    let garbage = write_temp(&dir, "garbage.pdf", b"garbage");
    for f in [&empty, &garbage] {
        let out = assert_exit(&["verify", "--trust", ROOT, f], 2);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("no %PDF- header"), "{stdout}");
        let out = assert_exit(&["verify", "--json", "--trust", ROOT, f], 2);
        let doc = parse_single_document(&out.stdout).unwrap();
        assert_eq!(doc["error_kind"], "not_pdf", "{doc}");
    }
    // A directory and a file over --max-size are not verified at all either.
    let d = dir.to_str().unwrap();
    let out = assert_exit(&["verify", "--json", "--trust", ROOT, d], 2);
    assert_eq!(
        parse_single_document(&out.stdout).unwrap()["error_kind"],
        "io"
    );
    let out = assert_exit(
        &[
            "verify",
            "--json",
            "--trust",
            ROOT,
            "--max-size",
            "1000",
            VALID,
        ],
        2,
    );
    assert_eq!(
        parse_single_document(&out.stdout).unwrap()["error_kind"],
        "too_large"
    );
}

#[test]
fn exit_1_for_a_pdf_whose_structure_is_broken() {
    // The header says PDF: a document that does not pass, not a usage error. A signed file cut
    // in half is the case that matters: it must never look like "not my kind of input".
    let dir = TempDir::new("broken-pdf");
    let header_only = write_temp(&dir, "header.pdf", b"%PDF-1.7\nnot a PDF body\n");
    let valid = std::fs::read(repo_dir().join(VALID)).unwrap();
    let truncated = write_temp(&dir, "truncated.pdf", &valid[..valid.len() / 2]);
    let out = assert_exit(
        &[
            "verify",
            "--json",
            "--trust",
            ROOT,
            "--at",
            AT,
            &header_only,
        ],
        1,
    );
    let doc = parse_single_document(&out.stdout).unwrap();
    assert_eq!(doc["error_kind"], "malformed", "{doc}");
    assert!(doc["error"].as_str().unwrap().starts_with("PDF: "), "{doc}");
    // The cut keeps the unsigned revision the signature was appended to: read, and unsigned.
    let out = assert_exit(
        &["verify", "--json", "--trust", ROOT, "--at", AT, &truncated],
        1,
    );
    let doc = parse_single_document(&out.stdout).unwrap();
    assert_eq!(doc["signatures"].as_array().map(Vec::len), Some(0), "{doc}");
    // A readable document has no error kind.
    let out = assert_exit(&["verify", "--json", "--trust", ROOT, "--at", AT, VALID], 0);
    assert_eq!(
        parse_single_document(&out.stdout).unwrap()["error_kind"],
        Value::Null
    );
}

#[test]
fn the_worst_exit_code_of_several_files_wins() {
    let dir = TempDir::new("worst-code");
    let garbage = write_temp(&dir, "garbage.pdf", b"garbage");
    let base = ["verify", "--trust", ROOT, "--at", AT];
    let run = |files: &[&str], code: i32| {
        let mut args = base.to_vec();
        args.extend_from_slice(files);
        assert_exit(&args, code);
    };
    run(&[VALID, VALID_2], 0);
    run(&[VALID, TAMPERED], 1);
    run(&[TAMPERED, VALID], 1);
    run(&[VALID, TAMPERED, &garbage], 2);
    run(&[&garbage, TAMPERED, VALID], 2);
}

#[test]
fn exit_3_when_stdout_cannot_be_written() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        assert!(!common::in_ci(), "CI=true and /dev/full is missing");
        eprintln!("SKIP exit_3_when_stdout_cannot_be_written: no /dev/full on this system");
        return;
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vnedoc"));
    cmd.current_dir(repo_dir())
        .args(["verify", "--trust", ROOT, "--at", AT, VALID])
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(full).unwrap())
        .stderr(std::process::Stdio::piped());
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot write to stdout"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_closed_pipe_keeps_the_verdict() {
    // Enough output to overflow any pipe buffer, and nobody reading it: the write fails with
    // EPIPE, which `vnedoc … | head` makes normal. The exit code stays the verdict's.
    for (args, code) in [
        (vec!["directory", "list", "--directory", "2019"], 0),
        (
            std::iter::once("verify")
                .chain(["--trust", ROOT, "--at", AT])
                .chain(std::iter::repeat_n(TAMPERED, 300))
                .collect(),
            1,
        ),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vnedoc"))
            .current_dir(repo_dir())
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{:?}: {stderr}", &args[..2]);
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_panic_exits_3_and_asks_for_a_report() {
    // The binary honours VNEDOC_TEST_PANIC only in debug builds, as the test's own.
    if !cfg!(debug_assertions) {
        eprintln!(
            "SKIP a_panic_exits_3_and_asks_for_a_report: release build, no panic hook to trigger"
        );
        return;
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vnedoc"));
    cmd.current_dir(repo_dir())
        .env("VNEDOC_TEST_PANIC", "1")
        .args(["verify", "--trust", ROOT, VALID]);
    let out = run_with_timeout(&mut cmd, LIMIT).unwrap();
    assert_eq!(out.code(), Some(3), "{}", describe(&["(panic)"], &out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.panic_line().is_some(),
        "the panic itself is shown: {stderr}"
    );
    assert!(
        stderr.contains("internal error") && stderr.contains("report it"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn summary_has_one_line_per_signature() {
    let dir = TempDir::new("summary");
    let garbage = write_temp(&dir, "garbage.pdf", b"garbage");
    let unsigned = "fixtures/pdf/unsigned.pdf";
    let args = [
        "verify",
        "--summary",
        "--trust",
        ROOT,
        "--at",
        AT,
        TWO,
        unsigned,
        &garbage,
        TAMPERED,
    ];
    let out = assert_exit(&args, 2);
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split('\t').collect()).collect();
    assert!(
        lines.iter().all(|l| l.len() == 6),
        "six columns on every line: {stdout}"
    );
    assert_eq!(
        lines[..2],
        [
            vec![
                TWO,
                "Signature1",
                "TOTAL_PASSED",
                "Nguyễn Văn An",
                "2025-06-01T02:00:00Z",
                "signature"
            ],
            vec![
                TWO,
                "Signature2",
                "TOTAL_PASSED",
                "Trần Thị Bích Ngọc",
                "2025-06-01T02:30:00Z",
                "signature"
            ],
        ],
        "{stdout}"
    );
    assert_eq!(lines[2], [unsigned, "-", "NO_SIGNATURE", "-", "-", "-"]);
    assert_eq!(lines[3][..5], [garbage.as_str(), "-", "NOT_PDF", "-", "-"]);
    assert!(lines[3][5].contains("no %PDF- header"), "{stdout}");
    assert_eq!(
        lines[4][..3],
        [TAMPERED, "Signature1", "TOTAL_FAILED/HASH_FAILURE"]
    );
    assert_eq!(lines.len(), 5, "{stdout}");
    // A document timestamp is marked, and the exit code is the verdict's.
    let out = assert_exit(
        &[
            "verify",
            "--summary",
            "--trust",
            ROOT,
            "--at",
            AT,
            "fixtures/pdf/pyhanko-doc-timestamp.pdf",
        ],
        0,
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let kinds: Vec<&str> = stdout
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap())
        .collect();
    assert_eq!(kinds, ["signature", "document-timestamp"], "{stdout}");
    // --summary and --json are one or the other.
    assert_exit(&["verify", "--summary", "--json", VALID], 2);
}

/// The files under `dir`, sorted, as names.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn dump_takes_each_signature_apart() {
    let dir = TempDir::new("dump");
    let out_dir = dir.join("out");
    let out_s = out_dir.to_str().unwrap();
    let out = assert_exit(&["dump", TWO, "-o", out_s], 0);
    let original = std::fs::read(repo_dir().join(TWO)).unwrap();

    // stdout: every file written, one per line, index.json last; and nothing else in DIR.
    let stdout = String::from_utf8(out.stdout).unwrap();
    let printed: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        printed.last(),
        Some(&out_dir.join("index.json").to_str().unwrap())
    );
    let mut printed_names: Vec<String> = printed
        .iter()
        .map(|p| {
            let p = std::path::Path::new(p);
            assert_eq!(p.parent(), Some(out_dir.as_path()), "{stdout}");
            p.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    printed_names.sort();
    assert_eq!(printed_names, names_in(&out_dir), "{stdout}");

    let index: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["file"], TWO);
    let sigs = index["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{index}");
    for (i, s) in sigs.iter().enumerate() {
        let n = i + 1;
        assert_eq!(s["number"], n);
        assert_eq!(s["field"], format!("Signature{n}"));
        assert_eq!(s["sub_filter"], "ETSI.CAdES.detached");
        assert_eq!(s["revision_error"], Value::Null, "{s}");
        assert_eq!(s["cms_error"], Value::Null, "{s}");
        // The revision: a byte prefix of the original, ending where the byte range does.
        let rev_name = s["revision"]["file"].as_str().unwrap();
        assert_eq!(rev_name, format!("sig{n}-Signature{n}.revision.pdf"));
        let rev = std::fs::read(out_dir.join(rev_name)).unwrap();
        assert!(original.starts_with(&rev), "{rev_name} is a prefix");
        let br: Vec<u64> = s["byte_range"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(rev.len() as u64, br[2] + br[3], "{s}");
        assert_eq!(s["revision"]["bytes"], rev.len());
        // The CMS parses and is what /Contents holds (hex-encoded in the original).
        let p7s = std::fs::read(out_dir.join(s["cms"].as_str().unwrap())).unwrap();
        let sd = vnedoc::internals::cms::SignedData::from_der(&p7s)
            .unwrap_or_else(|e| panic!("sig{n}.p7s: {e}"));
        assert_eq!(sd.signer_infos.len(), 1);
        let gap = &original[br[1] as usize + 1..br[2] as usize - 1];
        let hex = hex_lower(&p7s);
        assert!(
            String::from_utf8_lossy(gap)
                .to_ascii_lowercase()
                .starts_with(&hex),
            "sig{n}.p7s is the start of /Contents"
        );
        // Each certificate file parses, is one the CMS carries, and its subject is indexed.
        let certs = s["certificates"].as_array().unwrap();
        assert_eq!(certs.len(), sd.certificates.len());
        for (k, c) in certs.iter().enumerate() {
            let der = std::fs::read(out_dir.join(c["file"].as_str().unwrap())).unwrap();
            assert_eq!(der, sd.certificates[k], "{c}");
            let summary = vnedoc::internals::pki::PathValidator::summarize(&der)
                .unwrap_or_else(|e| panic!("{c}: {e}"));
            assert_eq!(c["subject"], summary.subject.as_str());
            assert_eq!(c["sha256"], summary.sha256_hex.as_str());
        }
        let signer: Vec<&Value> = certs.iter().filter(|c| c["signer"] == true).collect();
        assert_eq!(signer.len(), 1, "{s}");
        assert_eq!(s["signer"], signer[0]["subject"]);
    }
    let signer1 = sigs[0]["signer"].as_str().unwrap();
    assert!(signer1.contains("CN=Nguyễn Văn An"), "{signer1}");

    // The first revision is a one-signature document that verifies on its own; the second is
    // the whole file.
    let rev1 = out_dir.join("sig1-Signature1.revision.pdf");
    let args = [
        "verify",
        "--json",
        "--trust",
        ROOT,
        "--at",
        AT,
        rev1.to_str().unwrap(),
    ];
    let out = assert_exit(&args, 0);
    let doc = parse_single_document(&out.stdout).unwrap();
    let sigs1 = doc["signatures"].as_array().unwrap();
    assert_eq!(sigs1.len(), 1, "{doc}");
    assert_eq!(sigs1[0]["field"], "Signature1");
    assert_eq!(sigs1[0]["covers_whole_file"], true);
    assert_eq!(
        std::fs::read(out_dir.join("sig2-Signature2.revision.pdf")).unwrap(),
        original
    );

    // A second dump into the same, now non-empty folder is refused without --force, and
    // leaves it as it was; with --force it writes the same files again.
    let before = names_in(&out_dir);
    let out = assert_exit(&["dump", TWO, "-o", out_s], 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(names_in(&out_dir), before);
    assert_exit(&["dump", "--force", TWO, "-o", out_s], 0);
    assert_eq!(names_in(&out_dir), before);
}

/// Lower-case hex, without a dependency the tests do not otherwise have.
fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn dump_writes_beside_the_file_by_default() {
    let dir = TempDir::new("dump-default");
    let pdf = dir.join("doc.pdf");
    std::fs::copy(repo_dir().join(VALID), &pdf).unwrap();
    assert_exit(&["dump", pdf.to_str().unwrap()], 0);
    assert_eq!(
        names_in(&dir.join("doc.dump")),
        [
            "index.json",
            "sig1-Signature1.revision.pdf",
            "sig1-cert1.der",
            "sig1-cert2.der",
            "sig1.p7s"
        ]
    );
}

#[test]
fn dump_of_an_adbe_x509_rsa_sha1_signature_writes_its_pkcs1_value_and_cert_chain() {
    let dir = TempDir::new("dump-pkcs1");
    let out_dir = dir.join("out");
    let pdf = "fixtures/producers/x509-rsa-sha1.pdf";
    assert_exit(&["dump", pdf, "-o", out_dir.to_str().unwrap()], 0);
    assert_eq!(
        names_in(&out_dir),
        [
            "index.json",
            "sig1-Signature1.revision.pdf",
            "sig1-cert1.der",
            "sig1-cert2.der",
            "sig1.pkcs1.bin"
        ]
    );
    assert_eq!(
        std::fs::metadata(out_dir.join("sig1.pkcs1.bin"))
            .unwrap()
            .len(),
        256
    );
    let index: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("index.json")).unwrap()).unwrap();
    let s = &index["signatures"][0];
    assert_eq!(s["sub_filter"], "adbe.x509.rsa_sha1", "{s}");
    assert_eq!(s["pkcs1_signature"], "sig1.pkcs1.bin", "{s}");
    assert_eq!(s["cms"], Value::Null, "{s}");
    assert_eq!(s["cms_error"], Value::Null, "{s}");
    assert_eq!(s["certificates"][0]["signer"], true, "{s}");
    // Without /Cert there is no key to read the value with: said, and exit 1.
    let out_dir = dir.join("no-cert");
    let pdf = "fixtures/producers/x509-rsa-sha1-no-cert.pdf";
    let out = assert_exit(&["dump", pdf, "-o", out_dir.to_str().unwrap()], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/Cert is missing"), "{stderr}");
}

#[test]
fn dump_reports_a_broken_byte_range_instead_of_skipping_it() {
    let dir = TempDir::new("dump-broken");
    let out_dir = dir.join("out");
    let args = [
        "dump",
        "fixtures/defects/byterange-out-of-bounds.pdf",
        "-o",
        out_dir.to_str().unwrap(),
    ];
    let out = assert_exit(&args, 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("past the end of the file"), "{stderr}");
    let index: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("index.json")).unwrap()).unwrap();
    let s = &index["signatures"][0];
    assert_eq!(s["revision"], Value::Null, "{s}");
    let why = s["revision_error"].as_str().unwrap();
    assert!(why.contains("past the end of the file"), "{why}");
    // No revision was cut out at a guessed offset; the CMS is still there to inspect.
    let names = names_in(&out_dir);
    assert!(
        !names.iter().any(|n| n.ends_with(".revision.pdf")),
        "{names:?}"
    );
    assert!(names.contains(&"sig1.p7s".to_owned()), "{names:?}");
}

#[test]
fn dump_exit_codes_for_what_it_cannot_take_apart() {
    let dir = TempDir::new("dump-codes");
    let garbage = write_temp(&dir, "garbage.pdf", b"garbage");
    let header_only = write_temp(&dir, "header.pdf", b"%PDF-1.7\nnot a PDF body\n");
    for (file, code) in [
        (garbage.as_str(), 2),
        ("fixtures/pdf/no-such-file.pdf", 2),
        (dir.to_str().unwrap(), 2),
        (header_only.as_str(), 1),
        ("fixtures/pdf/unsigned.pdf", 1),
    ] {
        let out_dir = dir.join(format!("out-{code}"));
        let out = assert_exit(&["dump", file, "-o", out_dir.to_str().unwrap()], code);
        assert!(!out.stderr.is_empty(), "{file}: a reason on stderr");
        assert!(out.stdout.is_empty(), "{file}: nothing written");
        assert!(!out_dir.exists(), "{file}: no folder created");
    }
}

/// One entry of a help section: its first line's spec (`--at <RFC3339|claimed>`, `<FILE>...`,
/// `verify`) and its description with clap's bracketed annotations removed.
#[derive(Debug)]
struct HelpEntry {
    section: String,
    spec: String,
    description: String,
}

/// The entries of the `Arguments:`, `Options:` and `Commands:` sections of a clap help text,
/// in both of clap's layouts (description on the same line after two or more spaces, or on
/// the following, more indented lines).
fn help_entries(help: &str) -> Vec<HelpEntry> {
    let mut out: Vec<HelpEntry> = Vec::new();
    let mut section: Option<String> = None;
    for line in help.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            let heading = line.trim_end();
            section = ["Arguments:", "Options:", "Commands:"]
                .contains(&heading)
                .then(|| heading.trim_end_matches(':').to_owned());
            continue;
        }
        let Some(section) = &section else { continue };
        // Entries start at column 2 (`<ARG>`, `-o, --output`, a command) or 6 (a long option
        // without a short one); descriptions on their own lines, and continuation lines, are
        // indented further.
        let indent = line.len() - line.trim_start().len();
        if indent <= 6 && !line.trim().is_empty() {
            let rest = line.trim();
            let (spec, description) = match rest.find("  ") {
                Some(i) => (&rest[..i], rest[i..].trim()),
                None => (rest, ""),
            };
            out.push(HelpEntry {
                section: section.clone(),
                spec: spec.to_owned(),
                description: description.to_owned(),
            });
        } else if let Some(last) = out.last_mut() {
            last.description.push(' ');
            last.description.push_str(line.trim());
        }
    }
    for e in &mut out {
        e.description = strip_annotations(&e.description);
    }
    out
}

/// `text` without clap's `[default: …]`, `[possible values: …]`, `[env: …]` and `[aliases: …]`.
fn strip_annotations(text: &str) -> String {
    let mut s = text.to_owned();
    for tag in [
        "[default: ",
        "[possible values: ",
        "[env: ",
        "[aliases: ",
        "[short aliases: ",
    ] {
        while let Some(start) = s.find(tag) {
            let end = s[start..].find(']').map_or(s.len(), |e| start + e + 1);
            s.replace_range(start..end, "");
        }
    }
    s.trim().to_owned()
}

#[test]
fn the_help_parser_finds_a_missing_description() {
    // The checker below is only as good as this parser: it must see an undocumented option in
    // both of clap's layouts.
    let same_line = "About\n\nUsage: x [OPTIONS] <IN>\n\nArguments:\n  <IN>  \n\nOptions:\n      \
                     --json                  \n      --at <T>  When [default: now]\n      \
                     --dir <D>  [default: 2025]\n  -h, --help  Print help\n";
    let e = help_entries(same_line);
    let missing: Vec<&str> = e
        .iter()
        .filter(|e| e.description.is_empty())
        .map(|e| e.spec.as_str())
        .collect();
    assert_eq!(missing, ["<IN>", "--json", "--dir <D>"], "{e:?}");
    let next_line = "Options:\n      --field <NAME>\n          \n      --key <KEY>\n          \
                     Private key\n          more\n  -o, --output <OUT>\n          \n";
    let e = help_entries(next_line);
    assert_eq!(e.len(), 3, "{e:?}");
    assert_eq!(e[0].description, "");
    assert_eq!(e[1].description, "Private key more");
    assert_eq!(e[2].spec, "-o, --output <OUT>");
    assert_eq!(e[2].description, "");
}

#[test]
fn every_option_and_argument_of_every_command_has_help() {
    // Walks the command tree from `vnedoc --help` (so commands and options added later are
    // covered) and checks each command's `--help`.
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = assert_exit(&args, 0);
        let help = String::from_utf8(out.stdout).unwrap();
        let entries = help_entries(&help);
        assert!(
            entries.iter().any(|e| e.spec.contains("--help")),
            "vnedoc {args:?}: no Options section found in:\n{help}"
        );
        for e in &entries {
            if e.description.is_empty() {
                missing.push(format!(
                    "vnedoc {} ({}): {}",
                    path.join(" "),
                    e.section,
                    e.spec
                ));
            }
            if e.section == "Commands" && e.spec != "help" {
                let mut sub = path.clone();
                sub.push(e.spec.clone());
                todo.push(sub);
            }
        }
        seen.push(path.join(" "));
    }
    for expected in [
        "sign",
        "verify",
        "dump",
        "stats",
        "edxml pack",
        "edxml unpack",
        "directory list",
        "directory find",
        "route",
    ] {
        assert!(
            seen.iter().any(|s| s == expected),
            "{expected} not walked: {seen:?}"
        );
    }
    assert!(
        missing.is_empty(),
        "without a description:\n{}",
        missing.join("\n")
    );
}

// Logging

/// Runs `vnedoc ARGS` from the repository root with `VNEDOC_LOG` set to `log` (or removed),
/// and `RUST_LOG` set to `trace`, which vnedoc must ignore.
fn vnedoc_logging(args: &[&str], log: Option<&str>) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vnedoc"));
    cmd.current_dir(repo_dir())
        .args(args)
        .env("RUST_LOG", "trace");
    match log {
        Some(l) => cmd.env("VNEDOC_LOG", l),
        None => cmd.env_remove("VNEDOC_LOG"),
    };
    let out = run_with_timeout(&mut cmd, LIMIT).expect("cannot start the vnedoc binary");
    assert!(out.panic_line().is_none(), "{}", describe(args, &out));
    out
}

#[test]
fn verbose_logs_info_on_stderr_and_leaves_the_json_on_stdout() {
    let args = ["-v", "verify", "--json", "--trust", ROOT, VALID];
    let out = vnedoc_logging(&args, None);
    assert_eq!(out.code(), Some(0), "{}", describe(&args, &out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("document verified"))
        .unwrap_or_else(|| panic!("no `document verified` line: {stderr}"));
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains("signatures=1"), "{line}");
    // Info, not debug: no step lines.
    assert!(!stderr.contains("step done"), "{stderr}");
    let doc = parse_single_document(&out.stdout).unwrap();
    assert_eq!(doc["signatures"][0]["indication"], "TOTAL_PASSED");
    // The flag is global: after the subcommand too.
    let args = ["verify", "--json", "-v", "--trust", ROOT, VALID];
    let out = vnedoc_logging(&args, None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("document verified"));
}

#[test]
fn vnedoc_log_debug_shows_the_steps_and_overrides_quiet() {
    let args = ["-q", "verify", "--json", "--trust", ROOT, VALID];
    let out = vnedoc_logging(&args, Some("debug"));
    assert_eq!(out.code(), Some(0), "{}", describe(&args, &out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for step in ["byte_range", "signed_attributes", "certificate_path"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains("step done") && l.contains(step) && l.contains("DEBUG")),
            "no `step done` line for {step}: {stderr}"
        );
    }
    parse_single_document(&out.stdout).unwrap();

    // A filter on a module: the verifier's steps, nothing at info from elsewhere.
    let out = vnedoc_logging(&args, Some("vnedoc::verify::pipeline=debug"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("step done"), "{stderr}");
    assert!(!stderr.contains("document verified"), "{stderr}");

    // An unreadable filter is said once, and the flags' level is used.
    let out = vnedoc_logging(&["verify", "--trust", ROOT, VALID], Some("vnedoc=[bad"));
    assert_eq!(out.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("VNEDOC_LOG"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn quiet_prints_nothing_on_stderr_for_a_passing_verify() {
    for args in [
        ["-q", "verify", "--trust", ROOT, VALID],
        ["verify", "--quiet", "--trust", ROOT, VALID],
    ] {
        let out = vnedoc_logging(&args, None);
        assert_eq!(out.code(), Some(0), "{}", describe(&args, &out));
        assert!(out.stderr.is_empty(), "{}", describe(&args, &out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("TOTAL_PASSED"),
            "the report stays: {stdout}"
        );
    }
    // Quiet or not, a failing verify logs no warning by default: the report says it all.
    let args = [
        "verify",
        "--trust",
        ROOT,
        "--at",
        AT,
        "fixtures/pdf/tamper-one-byte.pdf",
    ];
    let out = vnedoc_logging(&args, None);
    assert_eq!(out.code(), Some(1));
    assert!(out.stderr.is_empty(), "{}", describe(&args, &out));
}

// Errors in the user's terms

/// Runs `vnedoc ARGS` and asserts exit 2 with every one of `needles` in stderr.
fn fails_with(args: &[&str], needles: &[&str]) -> Outcome {
    let out = assert_exit(args, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for n in needles {
        assert!(
            stderr.contains(n),
            "missing {n:?}\n{}",
            describe(args, &out)
        );
    }
    out
}

const PKI: &str = "fixtures/pki";
const UNSIGNED: &str = "fixtures/pdf/unsigned.pdf";

/// `vnedoc sign --key KEY --cert CERT [EXTRA...] unsigned.pdf -o OUT` from the repository root.
fn sign_args<'a>(key: &'a str, cert: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sign", "--key", key, "--cert", cert];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[UNSIGNED, "-o", out]);
    args
}

/// The names of the entries of `dir`, sorted.
fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn sign_refuses_a_key_the_policy_does_not_take_and_says_what_it_is() {
    let dir = TempDir::new("key-policy");
    let out = dir.join("out.pdf");
    let out = out.to_str().unwrap();
    for (leaf, says) in [
        (
            "leaf-rsa1024",
            "RSA 1024-bit; the policy requires RSA of at least 2048 bits (or ECDSA P-256/P-384)",
        ),
        (
            "leaf-p521",
            "ECDSA P-521; the curve is not supported: the policy takes ECDSA P-256 or P-384",
        ),
        ("leaf-ed25519", "Ed25519 keys are not supported"),
    ] {
        let key = format!("{PKI}/{leaf}.key");
        let cert = format!("{PKI}/{leaf}.pem");
        fails_with(
            &sign_args(&key, &cert, out, &[]),
            &[&format!("vnedoc: signing key {key}: {says}")],
        );
    }
    assert_eq!(entries(dir.path()), Vec::<String>::new(), "nothing written");
}

#[test]
fn sign_reads_pkcs1_and_sec1_key_files() {
    let dir = TempDir::new("key-formats");
    for (key, leaf) in [
        ("leaf-rsa2048.pkcs1.key", "leaf-rsa2048"),
        ("leaf-p256.sec1.key", "leaf-p256"),
    ] {
        let key = format!("{PKI}/{key}");
        let cert = format!("{PKI}/{leaf}.pem");
        let out = dir.join(format!("{leaf}.pdf"));
        let out = out.to_str().unwrap();
        let chain = format!("{PKI}/intermediate.pem");
        assert_exit(&sign_args(&key, &cert, out, &["--chain", &chain]), 0);
        assert_exit(&["verify", "--trust", ROOT, out], 0);
    }
}

#[test]
fn sign_explains_an_encrypted_key() {
    let dir = TempDir::new("key-encrypted");
    let out = dir.join("out.pdf");
    let key = format!("{PKI}/leaf-rsa2048.encrypted.key");
    let cert = format!("{PKI}/leaf-rsa2048.pem");
    fails_with(
        &sign_args(&key, &cert, out.to_str().unwrap(), &[]),
        &[
            &format!("signing key {key}: the key file is encrypted (ENCRYPTED PRIVATE KEY)"),
            "`openssl pkey -in KEY -out KEY.plain`",
        ],
    );
}

#[test]
fn sign_names_the_certificate_a_key_does_not_match() {
    let dir = TempDir::new("key-mismatch");
    let out = dir.join("out.pdf");
    let key = format!("{PKI}/leaf-rsa2048.key");
    let cert = format!("{PKI}/leaf-rsa3072.pem");
    fails_with(
        &sign_args(&key, &cert, out.to_str().unwrap(), &[]),
        &[&format!(
            "signing key {key}: the key (RSA 2048-bit) does not match the certificate's public \
             key (RSA 3072-bit, subject CN=UBND Tỉnh Đồng Tháp,O=UBND Tỉnh Đồng Tháp,"
        )],
    );
}

#[test]
fn sign_says_what_a_key_file_holds_instead_of_a_key() {
    let dir = TempDir::new("key-not-a-key");
    let out = dir.join("out.pdf");
    let out = out.to_str().unwrap();
    let text = dir.join("notes.txt");
    std::fs::write(&text, "mật khẩu: 1234\n").unwrap();
    let text = text.to_str().unwrap();
    let cert = format!("{PKI}/leaf-rsa2048.pem");
    fails_with(
        &sign_args(&cert, &cert, out, &[]),
        &[&format!(
            "signing key {cert}: no private key in the PEM file (found: CERTIFICATE)"
        )],
    );
    fails_with(
        &sign_args(text, &cert, out, &[]),
        &[&format!(
            "signing key {text}: not a private key: not a PEM file (no -----BEGIN line) and not \
             a DER PKCS#8, PKCS#1 or SEC1 key"
        )],
    );
    // The certificate as DER, given as the key.
    let der = dir.join("cert.der");
    let pem = std::fs::read(repo_dir().join(&cert)).unwrap();
    std::fs::write(
        &der,
        vnedoc::TrustStore::load_certificates(&pem)
            .unwrap()
            .remove(0),
    )
    .unwrap();
    let der = der.to_str().unwrap();
    fails_with(
        &sign_args(der, &cert, out, &[]),
        &[&format!(
            "signing key {der}: this is a certificate, not a private key"
        )],
    );
}

#[test]
fn certificate_files_that_are_not_pem_or_der_say_so() {
    let dir = TempDir::new("cert-files");
    let text = dir.join("root.txt");
    std::fs::write(&text, "Root CA: see the portal\n").unwrap();
    let text = text.to_str().unwrap();
    let out = dir.join("out.pdf");
    let out = out.to_str().unwrap();
    let not_pem_cert =
        format!("{text}: not a PEM file (no -----BEGIN line) and not a DER certificate");
    for (flag, what) in [("--trust", "trust anchor"), ("--cert", "certificate")] {
        fails_with(
            &["verify", flag, text, VALID],
            &[&format!("vnedoc: {what} {not_pem_cert}")],
        );
    }
    fails_with(
        &["verify", "--crl", text, VALID],
        &[&format!(
            "vnedoc: CRL {text}: not a PEM file (no -----BEGIN line) and not a DER CRL"
        )],
    );
    let key = format!("{PKI}/leaf-rsa2048.key");
    fails_with(
        &sign_args(&key, text, out, &[]),
        &[&format!("vnedoc: signer certificate: {not_pem_cert}")],
    );
    let cert = format!("{PKI}/leaf-rsa2048.pem");
    fails_with(
        &sign_args(&key, &cert, out, &["--chain", text]),
        &[&format!(
            "vnedoc: signer certificate: chain file {not_pem_cert}"
        )],
    );
    assert_eq!(entries(dir.path()), ["root.txt"], "nothing written");
}

#[test]
fn certificate_files_holding_other_things_name_what_they_hold() {
    let key = format!("{PKI}/leaf-rsa2048.key");
    fails_with(
        &["verify", "--trust", &key, VALID],
        &[&format!(
            "trust anchor {key}: no CERTIFICATE block in the PEM file (found: PRIVATE KEY)"
        )],
    );
    fails_with(
        &["verify", "--crl", ROOT, VALID],
        &[&format!(
            "CRL {ROOT}: no X509 CRL block in the PEM file (found: CERTIFICATE)"
        )],
    );
    let crl_pem = format!("{PKI}/intermediate.crl.pem");
    fails_with(
        &["verify", "--trust", &crl_pem, VALID],
        &[&format!(
            "trust anchor {crl_pem}: no CERTIFICATE block in the PEM file (found: X509 CRL)"
        )],
    );
    let crl_der = format!("{PKI}/intermediate.crl.der");
    fails_with(
        &["verify", "--cert", &crl_der, VALID],
        &[&format!(
            "certificate {crl_der}: a DER CRL, not a certificate"
        )],
    );
    fails_with(
        &sign_args(&key, &key, "unused.pdf", &[]),
        &[&format!(
            "signer certificate: {key}: no CERTIFICATE block in the PEM file (found: PRIVATE KEY)"
        )],
    );
    assert!(!repo_dir().join("unused.pdf").exists());
}

#[test]
fn a_trust_folder_without_certificate_files_says_so() {
    let dir = TempDir::new("trust-empty");
    let empty = dir.join("anchors");
    std::fs::create_dir(&empty).unwrap();
    // Hidden files are not certificate files.
    std::fs::write(empty.join(".DS_Store"), b"\0\0\0\x01Bud1").unwrap();
    let empty = empty.to_str().unwrap();
    fails_with(
        &["verify", "--trust", empty, VALID],
        &[&format!(
            "vnedoc: trust anchor folder {empty}: the folder holds no certificate files"
        )],
    );
    fails_with(
        &["verify", "--trust", ROOT, "--crl", empty, VALID],
        &[&format!(
            "vnedoc: CRL folder {empty}: the folder holds no CRL files"
        )],
    );
    // A folder with a certificate next to the hidden file still works.
    std::fs::copy(repo_dir().join(ROOT), dir.join("anchors/root.pem")).unwrap();
    assert_exit(&["verify", "--trust", empty, VALID], 0);
}

#[test]
fn a_missing_output_folder_is_named_and_nothing_is_left_behind() {
    let dir = TempDir::new("out-missing");
    let missing = dir.join("no-such-folder");
    let missing_s = missing.to_str().unwrap();
    let says = format!("vnedoc: output folder {missing_s} does not exist");

    let out = missing.join("out.pdf");
    let key = format!("{PKI}/leaf-rsa2048.key");
    let cert = format!("{PKI}/leaf-rsa2048.pem");
    let o = fails_with(
        &sign_args(&key, &cert, out.to_str().unwrap(), &[]),
        &[&says],
    );
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains(".partial"),
        "the temporary file is not the user's business"
    );

    let envelope = missing.join("x.edxml");
    fails_with(
        &[
            "edxml",
            "pack",
            "--meta",
            "fixtures/edxml/none.json",
            "-o",
            envelope.to_str().unwrap(),
        ],
        &[&says],
    );
    let html = missing.join("report.html");
    fails_with(
        &[
            "stats",
            "--html",
            html.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
        &[&format!(
            "vnedoc: --html: output folder {missing_s} does not exist"
        )],
    );
    // unpack creates its folder, not the folders above it.
    let nested = missing.join("unpacked");
    fails_with(
        &[
            "edxml",
            "unpack",
            "fixtures/edxml/sdk-edoc-new-edxml-prefix.edxml",
            "-o",
            nested.to_str().unwrap(),
        ],
        &[&says],
    );
    assert_eq!(entries(dir.path()), Vec::<String>::new(), "nothing created");
    let fresh = dir.join("unpacked");
    assert_exit(
        &[
            "edxml",
            "unpack",
            "fixtures/edxml/sdk-edoc-new-edxml-prefix.edxml",
            "-o",
            fresh.to_str().unwrap(),
        ],
        0,
    );
    assert!(fresh.join("metadata.json").is_file());
    // An output that is a folder, or a folder that is a file.
    let folder = dir.to_str().unwrap();
    fails_with(
        &sign_args(&key, &cert, folder, &[]),
        &[&format!(
            "vnedoc: output {folder}: is a folder; give a file name"
        )],
    );
    let file = fresh.join("metadata.json");
    let file = file.to_str().unwrap();
    fails_with(
        &[
            "edxml",
            "unpack",
            "fixtures/edxml/sdk-edoc-new-edxml-prefix.edxml",
            "-o",
            file,
        ],
        &[&format!(
            "vnedoc: output folder {file}: is a file, not a folder"
        )],
    );
}

#[test]
fn signing_warns_about_a_certificate_that_will_not_validate_but_signs() {
    let dir = TempDir::new("sign-warnings");
    for (leaf, time, says) in [
        (
            "leaf-expired",
            "2026-11-26T09:00:00+07:00",
            "vnedoc: warning: the signer certificate expired on 2022-01-01T00:00:00Z, before \
             the signing time 2026-11-26T02:00:00Z; the signature will not validate",
        ),
        (
            "leaf-rsa2048",
            "2018-06-01T09:00:00+07:00",
            "vnedoc: warning: the signer certificate is valid only from 2019-01-01T00:00:00Z, \
             after the signing time 2018-06-01T02:00:00Z; the signature will not validate",
        ),
        (
            "leaf-noku",
            "2026-11-26T09:00:00+07:00",
            "vnedoc: warning: the signer certificate's key usage is keyEncipherment, neither \
             digitalSignature nor nonRepudiation; the signature will not validate",
        ),
    ] {
        let key = format!("{PKI}/{leaf}.key");
        let cert = format!("{PKI}/{leaf}.pem");
        let out = dir.join(format!("{leaf}.pdf"));
        let args = sign_args(&key, &cert, out.to_str().unwrap(), &["--time", time]);
        let o = assert_exit(&args, 0);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(says), "{}", describe(&args, &o));
        assert!(out.is_file(), "signed anyway");
        // -q asks for errors only: the same signing, without the warning.
        let quiet_out = dir.join(format!("{leaf}-quiet.pdf"));
        let mut args = sign_args(&key, &cert, quiet_out.to_str().unwrap(), &["--time", time]);
        args.insert(0, "-q");
        let o = assert_exit(&args, 0);
        assert!(o.stderr.is_empty(), "{}", describe(&args, &o));
        assert!(quiet_out.is_file(), "signed under -q too");
    }
    // A certificate valid at the signing time, with a signing key usage: no warning.
    let out = dir.join("fine.pdf");
    let key = format!("{PKI}/leaf-nonrep.key");
    let cert = format!("{PKI}/leaf-nonrep.pem");
    let args = sign_args(&key, &cert, out.to_str().unwrap(), &[]);
    let o = assert_exit(&args, 0);
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("warning"),
        "{}",
        describe(&args, &o)
    );
}

#[test]
fn inputs_of_the_wrong_kind_are_named_in_the_users_terms() {
    let dir = TempDir::new("wrong-inputs");
    let text = dir.join("letter.txt");
    std::fs::write(&text, "Kính gửi: UBND Tỉnh\n").unwrap();
    let text = text.to_str().unwrap();
    let out = dir.join("out.pdf");
    let key = format!("{PKI}/leaf-rsa2048.key");
    let cert = format!("{PKI}/leaf-rsa2048.pem");
    let mut args = vec!["sign", "--key", &key, "--cert", &cert, text, "-o"];
    args.push(out.to_str().unwrap());
    fails_with(
        &args,
        &[&format!(
            "vnedoc: {text}: not a PDF file (no %PDF- header in the first 1024 bytes)"
        )],
    );
    let envelope = dir.join("x.edxml");
    fails_with(
        &[
            "edxml",
            "pack",
            "--meta",
            text,
            "-o",
            envelope.to_str().unwrap(),
        ],
        &[&format!(
            "vnedoc: {text}: not the metadata JSON of an envelope: "
        )],
    );
    let missing = dir.join("missing.key");
    let missing = missing.to_str().unwrap();
    fails_with(
        &sign_args(missing, &cert, out.to_str().unwrap(), &[]),
        &[&format!("{missing}: ")],
    );
    fails_with(
        &["verify", "--trust", missing, VALID],
        &[&format!(
            "vnedoc: trust anchor {missing}: no such file or folder"
        )],
    );
    assert_eq!(entries(dir.path()), ["letter.txt"], "nothing written");
}

// Exit codes of edxml unpack and encrypted input

/// `edxml unpack`: a file that is not XML, or XML whose root is not an envelope, is input of an
/// unsupported format (2, like a file without `%PDF-` for verify); an envelope that is cut or
/// breaks the reader's rules was read and does not pass (1).
#[test]
fn edxml_unpack_tells_not_an_envelope_from_a_broken_one() {
    let dir = TempDir::new("unpack-codes");
    let text = dir.join("letter.edxml");
    std::fs::write(&text, "\u{feff}  Kính gửi: UBND Tỉnh\n").unwrap();
    let other = dir.join("other.xml");
    std::fs::write(&other, "<?xml version=\"1.0\"?><html><body/></html>").unwrap();
    for (input, code, says) in [
        (text.to_str().unwrap(), 2, "not an edXML envelope"),
        (other.to_str().unwrap(), 2, "not an edXML envelope"),
        (
            "fixtures/edxml/defects/malformed-truncated.edxml",
            1,
            "not a readable edXML envelope",
        ),
        (
            "fixtures/edxml/defects/missing-from.edxml",
            1,
            "not a readable edXML envelope",
        ),
    ] {
        let out_dir = dir.join(format!("out-{code}-{}", input.len()));
        let args = ["edxml", "unpack", input, "-o", out_dir.to_str().unwrap()];
        let o = assert_exit(&args, code);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(says), "{}", describe(&args, &o));
        assert!(!out_dir.join("metadata.json").exists(), "nothing unpacked");
    }
}

/// An encrypted PDF the verifier cannot decrypt is input it cannot read (2), named as such in
/// the summary; with its password it verifies (0).
#[test]
fn an_encrypted_pdf_without_its_password_exits_2_and_says_encrypted() {
    let file = "fixtures/encrypted/aes256-user-password.pdf";
    let args = ["verify", "--summary", "--trust", ROOT, file];
    let o = assert_exit(&args, 2);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let fields: Vec<&str> = stdout.trim_end().split('\t').collect();
    assert_eq!(fields.get(2), Some(&"ENCRYPTED"), "{}", describe(&args, &o));
    assert!(
        fields
            .get(5)
            .is_some_and(|e| e.contains("a password is needed")),
        "{}",
        describe(&args, &o)
    );
    let args = [
        "verify",
        "--summary",
        "--trust",
        ROOT,
        "--password",
        "Mật khẩu 2025",
        file,
    ];
    let o = assert_exit(&args, 0);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("\tTOTAL_PASSED\t"),
        "{}",
        describe(&args, &o)
    );
}

#[test]
fn trust_list_shows_the_shipped_certificates_by_profile() {
    let lines = |out: &Outcome| -> Vec<String> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    let all = lines(&assert_exit(&["trust", "list"], 0));
    assert_eq!(all.len(), 79);
    let vn = lines(&assert_exit(&["trust", "list", "--profile", "vn"], 0));
    assert_eq!(vn.len(), 65);
    assert!(
        vn.iter().all(|l| l.split('\t').nth(2) == Some("yes")),
        "{vn:?}"
    );
    let roots: Vec<_> = vn.iter().filter(|l| l.contains("\troot\t")).collect();
    assert_eq!(roots.len(), 4, "{roots:?}");
    let opt_in = lines(&assert_exit(
        &["trust", "list", "--profile", "vn-unconfirmed"],
        0,
    ));
    assert_eq!(opt_in.len(), 14);
    assert!(opt_in.iter().all(|l| l.starts_with("vn-unconfirmed\t")));
    assert!(
        opt_in
            .iter()
            .any(|l| l.contains("Vietnam National Root CA G3"))
    );
    let gov = json(&assert_exit(
        &["trust", "list", "--profile", "vn-gov", "--json"],
        0,
    ));
    let gov = gov.as_array().unwrap();
    assert_eq!(gov.len(), 10);
    for c in gov {
        assert_eq!(c["profile"], "vn-gov", "{c}");
        assert_eq!(c["sha256"].as_str().unwrap().len(), 64, "{c}");
        assert!(c["not_before"].as_str().unwrap() < c["not_after"].as_str().unwrap());
    }
    let out = assert_exit(&["trust", "list", "--profile", "vn-private"], 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown trust profile"),
        "{}",
        describe(&["trust", "list"], &out)
    );
}

#[test]
fn trust_profile_and_trust_replace_flags() {
    // The shipped profile is added to, not replaced by, --trust: the test root still anchors.
    for extra in [
        &[][..],
        &[
            "--trust-profile",
            "vn-gov",
            "--trust-profile",
            "vn-unconfirmed",
        ][..],
    ] {
        let mut args = vec!["verify", "--trust", "fixtures/pki/root.pem", "--at", AT];
        args.extend_from_slice(extra);
        args.push(VALID);
        assert_exit(&args, 0);
    }
    let replaced = [
        "verify",
        "--trust-replace",
        "--trust",
        "fixtures/pki/root.pem",
        "--at",
        AT,
        VALID,
    ];
    assert_exit(&replaced, 0);
    // --trust-replace without --trust would trust nothing: refused as a usage error; so is an
    // unknown profile, and --trust-replace with a profile.
    assert_exit(&["verify", "--trust-replace", VALID], 2);
    assert_exit(&["verify", "--trust-profile", "eu", VALID], 2);
    assert_exit(
        &[
            "verify",
            "--trust-replace",
            "--trust",
            "fixtures/pki/root.pem",
            "--trust-profile",
            "vn",
            VALID,
        ],
        2,
    );
    // Without the test root, the shipped trust does not anchor the test PKI.
    let out = assert_exit(&["verify", "--json", "--at", AT, VALID], 1);
    let doc = &json(&out)["documents"][0];
    assert_eq!(
        doc["signatures"][0]["subindication"], "NO_CERTIFICATE_CHAIN_FOUND",
        "{doc}"
    );
    // stats takes the same flags.
    assert_exit(
        &[
            "stats",
            "--trust-profile",
            "none",
            "--trust-replace",
            "fixtures/pdf",
        ],
        2,
    );
}
