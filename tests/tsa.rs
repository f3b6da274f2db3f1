//! RFC 3161 timestamping (PAdES B-T) against a loopback TSA (`openssl ts -reply` behind a
//! std-only HTTP server, tests/common/tsa_server.rs): the token HttpTsa brings back verifies, a
//! document signed with it passes vnedoc's verifier and pyHanko, and every way a TSA can fail
//! ends in `SignError::Timestamp`. openssl or pyHanko missing: the test fails under CI=true,
//! else it prints "skipped" and returns.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::tmp::TempDir;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::fixtures::{pki_ders, root_trust};
use common::tsa_server::{TsaServer, openssl_available};
use common::{in_ci, run_with_timeout};
use vnedoc::internals::cms::SignedData;
use vnedoc::internals::cms::timestamp::TstInfo;
use vnedoc::internals::crypto::{self, DigestAlgorithm, PublicKeyInfo};
use vnedoc::sign::tsa::{self, HttpTsa, TsaClient};
use vnedoc::sign::{self, KeySigner, SignError, SignOptions};
use vnedoc::{Indication, ValidationTime, Verifier, VerifyOptions};

/// id-messageDigest, 1.2.840.113549.1.9.4.
const MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
const PYHANKO_LIMIT: Duration = Duration::from_secs(120);

fn require(tool: &str, present: bool) -> bool {
    if present {
        return true;
    }
    assert!(!in_ci(), "{tool} is required under CI=true");
    eprintln!("skipped: {tool} not found");
    false
}

fn openssl_tsa() -> Option<TsaServer> {
    if !require("openssl", openssl_available()) {
        return None;
    }
    Some(TsaServer::openssl().expect("start the loopback TSA"))
}

fn client(server: &TsaServer) -> HttpTsa {
    HttpTsa::new(server.url()).with_timeout(Duration::from_secs(30))
}

fn now() -> i64 {
    vnedoc::time::now().as_second()
}

fn timestamp_error<E: Into<SignError>>(r: Result<Vec<u8>, E>) -> String {
    match r.map_err(Into::into) {
        Err(SignError::Timestamp(e)) => e.to_string(),
        Err(other) => panic!("expected SignError::Timestamp, got {other:?}"),
        Ok(t) => panic!("expected an error, got a {}-byte token", t.len()),
    }
}

/// Checks a token the way a verifier does, by hand: TSTInfo imprint, messageDigest over the
/// TSTInfo, and the TSA's signature with the key of fixtures/pki/tsa.pem.
fn assert_token_verifies(token: &[u8], algorithm: DigestAlgorithm, imprint: &[u8]) {
    let sd = SignedData::from_der(token).expect("the token is a SignedData");
    let tst = TstInfo::from_token(&sd).expect("the token holds a TSTInfo");
    assert_eq!(tst.imprint, imprint, "TSTInfo imprint");
    assert_eq!(
        tst.imprint_algorithm,
        algorithm.oid(),
        "TSTInfo imprint algorithm"
    );
    assert!(
        (tst.gen_time.as_second() - now()).abs() < 300,
        "genTime {} is not now",
        tst.gen_time
    );

    let tsa_cert = pki_ders("tsa.pem").remove(0);
    let intermediate = pki_ders("intermediate.pem").remove(0);
    assert!(
        sd.certificates.contains(&tsa_cert.as_slice()),
        "certReq: TSA certificate in the token"
    );
    assert!(
        sd.certificates.contains(&intermediate.as_slice()),
        "the -chain certificate is in the token"
    );

    let signer = sd.single_signer().expect("one SignerInfo");
    let dalg = DigestAlgorithm::from_oid(signer.digest_algorithm.oid).expect("known digest");
    let md = signer
        .single_signed_value(MESSAGE_DIGEST)
        .unwrap()
        .expect("messageDigest");
    let content = sd.encap_content.as_deref().expect("encapsulated TSTInfo");
    assert_eq!(
        md.content,
        dalg.digest(&[content]).as_slice(),
        "messageDigest over the TSTInfo"
    );

    let (_, cert) = x509_parser::parse_x509_certificate(&tsa_cert).unwrap();
    let key = PublicKeyInfo::from_spki_der(cert.tbs_certificate.subject_pki.raw).unwrap();
    let attrs = signer.signed_attrs.as_ref().expect("signed attributes");
    crypto::verify_signature(
        &key,
        signer.signature_algorithm.oid,
        signer.signature_algorithm.params,
        Some(dalg),
        &attrs.signed_bytes(),
        &signer.signature,
    )
    .expect("the TSA signature verifies with the key of tsa.pem");
}

#[test]
fn http_tsa_token_verifies() {
    let Some(server) = openssl_tsa() else { return };
    let tsa = client(&server);
    for algorithm in [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ] {
        let imprint = algorithm.digest(&[b"vnedoc RFC 3161 test"]);
        let token = tsa.timestamp(algorithm, &imprint).unwrap();
        assert_token_verifies(&token, algorithm, &imprint);
    }
    assert_eq!(server.served(), 3);
}

#[test]
fn response_checks_catch_mismatches() {
    let Some(server) = openssl_tsa() else { return };
    let alg = DigestAlgorithm::Sha256;
    let imprint = alg.digest(&[b"document"]);
    let nonce = [0x85, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77];
    let resp = server
        .reply(&tsa::build_request(alg, &imprint, &nonce))
        .unwrap();

    let token = tsa::parse_response(&resp, alg, &imprint, &nonce).unwrap();
    assert_token_verifies(&token, alg, &imprint);

    let other = alg.digest(&[b"another document"]);
    let m = timestamp_error(tsa::parse_response(&resp, alg, &other, &nonce));
    assert!(m.contains("imprint"), "{m}");
    let m = timestamp_error(tsa::parse_response(
        &resp,
        DigestAlgorithm::Sha512,
        &imprint,
        &nonce,
    ));
    assert!(m.contains("SHA-512 was requested"), "{m}");
    let m = timestamp_error(tsa::parse_response(&resp, alg, &imprint, &[1, 2, 3]));
    assert!(m.contains("nonce"), "{m}");

    // A request without a nonce gets a token without one; asking for one then must fail.
    let resp_no_nonce = server
        .reply(&tsa::build_request(alg, &imprint, &[]))
        .unwrap();
    tsa::parse_response(&resp_no_nonce, alg, &imprint, &[]).unwrap();
    let m = timestamp_error(tsa::parse_response(&resp_no_nonce, alg, &imprint, &nonce));
    assert!(m.contains("lacks the nonce"), "{m}");

    // openssl puts the SignerInfo signature last: flip its final byte.
    let mut tampered = resp.clone();
    *tampered.last_mut().unwrap() ^= 1;
    let m = timestamp_error(tsa::parse_response(&tampered, alg, &imprint, &nonce));
    assert!(m.contains("TSA signature"), "{m}");

    let m = timestamp_error(tsa::parse_response(
        &resp[..resp.len() - 1],
        alg,
        &imprint,
        &nonce,
    ));
    assert!(m.starts_with("malformed TimeStampResp"), "{m}");
}

#[test]
fn tsa_rejection_is_reported() {
    let Some(server) = openssl_tsa() else { return };
    // The loopback TSA accepts SHA-256/384/512 only: openssl answers rejection / badAlg.
    let imprint = DigestAlgorithm::Sha1.digest(&[b"x"]);
    let m = timestamp_error(client(&server).timestamp(DigestAlgorithm::Sha1, &imprint));
    assert!(m.contains("rejection(2)") && m.contains("badAlg"), "{m}");
}

#[test]
fn http_failures_are_timestamp_errors() {
    let alg = DigestAlgorithm::Sha256;
    let imprint = alg.digest(&[b"x"]);
    let ask = |server: &TsaServer| timestamp_error(client(server).timestamp(alg, &imprint));

    let s = TsaServer::fixed(500, "text/plain", b"internal error\n").unwrap();
    let m = ask(&s);
    assert!(
        m.contains("HTTP 500") && m.contains("internal error"),
        "{m}"
    );

    let s = TsaServer::fixed(200, "application/timestamp-reply", b"\x30\x03garbage").unwrap();
    let m = ask(&s);
    assert!(m.starts_with("malformed TimeStampResp"), "{m}");

    let s = TsaServer::fixed(200, "text/html", b"<html>login</html>").unwrap();
    let m = ask(&s);
    assert!(m.contains("text/html"), "{m}");

    let big = vec![0x30; usize::try_from(tsa::MAX_RESPONSE_SIZE).unwrap() + 1];
    let s = TsaServer::fixed(200, "application/timestamp-reply", &big).unwrap();
    let m = ask(&s);
    assert!(m.contains("over the limit"), "{m}");

    // Nothing listens on the port any more: connection refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused =
        HttpTsa::new(format!("http://127.0.0.1:{port}/tsa")).with_timeout(Duration::from_secs(5));
    let m = timestamp_error(refused.timestamp(alg, &imprint));
    assert!(m.contains(&format!("127.0.0.1:{port}")), "{m}");

    // A listener that never answers: the timeout ends the wait.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", silent.local_addr().unwrap());
    let start = std::time::Instant::now();
    let m = timestamp_error(
        HttpTsa::new(url)
            .with_timeout(Duration::from_millis(500))
            .timestamp(alg, &imprint),
    );
    assert!(start.elapsed() < Duration::from_secs(10), "{m}");
    drop(silent);
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// PAdES B-T end to end: sign with a ring key and the loopback TSA, then vnedoc's verifier and
/// pyHanko must both accept the signature and its timestamp.
#[test]
fn signed_pdf_with_timestamp_verifies() {
    let Some(server) = openssl_tsa() else { return };
    let pki = fixture("pki");
    let signer = KeySigner::from_files(
        &pki.join("leaf-rsa2048.key"),
        &pki.join("leaf-rsa2048.pem"),
        &[pki.join("intermediate.pem")],
    )
    .unwrap();
    let tsa = client(&server);
    let mut opts = SignOptions::new(vnedoc::time::now());
    opts.tsa = Some(&tsa);
    let input = std::fs::read(fixture("pdf/unsigned.pdf")).unwrap();
    let signed = sign::sign_pdf(&input, &signer, &opts).unwrap();
    assert_eq!(server.served(), 1, "one timestamp request");

    let verifier = Verifier::new(VerifyOptions::new(
        root_trust(),
        ValidationTime::At(vnedoc::time::now()),
    ));
    let report = verifier.verify_bytes("signed-bt.pdf", &signed);
    let [sig] = report.signatures.as_slice() else {
        panic!("expected one signature: {report:#?}");
    };
    assert_eq!(sig.indication, Indication::TotalPassed, "{sig:#?}");
    let ts = sig.timestamp.as_ref().expect("a signature timestamp");
    assert!(ts.integrity, "{ts:#?}");
    assert!(
        ts.tsa
            .as_deref()
            .is_some_and(|t| t.contains("vnedoc Test TSA")),
        "{ts:#?}"
    );

    let pyhanko_ok = Command::new("pyhanko")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require("pyhanko (pyhanko-cli)", pyhanko_ok) {
        return;
    }
    let dir = TempDir::new("tsa-bt");
    let file = dir.join("signed-bt.pdf");
    std::fs::write(&file, &signed).unwrap();
    let mut cmd = Command::new("pyhanko");
    // Only the test root is trusted, and no revocation source is consulted: nothing is fetched.
    cmd.args(["sign", "validate", "--trust"])
        .arg(pki.join("root.pem"))
        .args(["--trust-replace", "--no-revocation-check", "--pretty-print"])
        .arg(&file);
    let out = run_with_timeout(&mut cmd, PYHANKO_LIMIT).expect("run pyhanko");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.code(),
        Some(0),
        "pyhanko {}:\n{text}\n{}",
        out.describe_end(),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    for needle in [
        "The signer's certificate is trusted.",
        "The signature is cryptographically sound.",
        "Signature timestamp token:",
        "The timestamp token is cryptographically sound.",
        "TSA certificate subject: \"Common Name: vnedoc Test TSA",
        "The TSA certificate is trusted.",
        "The signature covers the entire file.",
        "The signature is judged VALID.",
    ] {
        assert!(
            text.contains(needle),
            "pyHanko output lacks {needle:?}:\n{text}"
        );
    }
}
