//! `cargo bench --bench verify`: verification of 20 KB, 1 MB and 20 MB signed PDFs against the
//! bound of the work that cannot be avoided (ring SHA-256 over the signed ranges, the RSA
//! signature of the SignerInfo and the two certificate signatures of the chain).
//!
//! The inputs are built here at startup, deterministically: a one-page PDF padded with an
//! uncompressed image of xorshift bytes, then an incremental update adding a PAdES
//! (ETSI.CAdES.detached) signature made with the test PKI in `fixtures/pki`. Before measuring,
//! each input must verify TOTAL_PASSED with integrity, whole-file coverage and no modifications.
//!
//! Groups: `verify/<size>` (one reused [`Verifier`], so its certificate cache is warm as in a
//! batch) and `bound/<size>`. After criterion, both are timed again, interleaved, as the median of
//! N runs, and the table `size verify bound ratio` is printed.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use criterion::{Criterion, Throughput};
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};
use vnedoc::pdf::Modifications;
use vnedoc::{Indication, TrustStore, ValidationTime, Verifier, VerifyOptions};

// ---------------------------------------------------------------------------------------------
// DER encoding helpers
// ---------------------------------------------------------------------------------------------

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        v.push(0x80 | (bytes.len() - skip) as u8);
        v.extend_from_slice(&bytes[skip..]);
    }
    v.extend_from_slice(content);
    v
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// DER SET OF: the elements sorted by their encodings (X.690 §11.6).
fn set_of(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted: Vec<&[u8]> = parts.to_vec();
    sorted.sort();
    tlv(tag, &sorted.concat())
}

fn small_int(i: u8) -> Vec<u8> {
    assert!(i < 0x80);
    tlv(0x02, &[i])
}

/// OBJECT IDENTIFIER from dotted arcs.
fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut c = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut groups = vec![(a & 0x7f) as u8];
        let mut x = a >> 7;
        while x > 0 {
            groups.push(0x80 | (x & 0x7f) as u8);
            x >>= 7;
        }
        groups.reverse();
        c.extend_from_slice(&groups);
    }
    tlv(0x06, &c)
}

const SHA256: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 2, 1];
const SHA256_WITH_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 11];
const ID_DATA: &[u64] = &[1, 2, 840, 113549, 1, 7, 1];
const ID_SIGNED_DATA: &[u64] = &[1, 2, 840, 113549, 1, 7, 2];
const CONTENT_TYPE: &[u64] = &[1, 2, 840, 113549, 1, 9, 3];
const MESSAGE_DIGEST: &[u64] = &[1, 2, 840, 113549, 1, 9, 4];
const SIGNING_CERTIFICATE_V2: &[u64] = &[1, 2, 840, 113549, 1, 9, 16, 2, 47];

fn attribute(kind: &[u64], value: &[u8]) -> Vec<u8> {
    seq(&[&oid(kind), &set_of(0x31, &[value])])
}

// ---------------------------------------------------------------------------------------------
// Test PKI
// ---------------------------------------------------------------------------------------------

fn fixture(name: &str) -> Vec<u8> {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fixtures", "pki", name]
        .iter()
        .collect();
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The body of the first PEM block labelled `label`.
fn pem_decode(pem: &[u8], label: &str) -> Vec<u8> {
    let text = std::str::from_utf8(pem).expect("PEM is ASCII");
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).unwrap_or_else(|| panic!("no {begin}")) + begin.len();
    let stop = start
        + text[start..]
            .find(&end)
            .unwrap_or_else(|| panic!("no {end}"));
    let b64: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("PEM base64")
}

/// A certificate's signature as ring checks it with the issuer's key.
struct CertSig {
    tbs: Vec<u8>,
    sig: Vec<u8>,
    /// The issuer's RSAPublicKey (the SPKI's subjectPublicKey bits).
    issuer_key: Vec<u8>,
}

impl CertSig {
    fn verify(&self) {
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.issuer_key)
            .verify(&self.tbs, &self.sig)
            .expect("certificate signature");
    }
}

struct Pki {
    leaf: Vec<u8>,
    intermediate: Vec<u8>,
    root: Vec<u8>,
    crl: Vec<u8>,
    key: RsaKeyPair,
    /// The leaf's RSAPublicKey.
    leaf_key: Vec<u8>,
    chain: [CertSig; 2],
}

fn rsa_public_key(cert_der: &[u8]) -> Vec<u8> {
    let (_, c) = x509_parser::parse_x509_certificate(cert_der).expect("certificate");
    c.tbs_certificate
        .subject_pki
        .subject_public_key
        .data
        .to_vec()
}

fn cert_sig(child_der: &[u8], issuer_der: &[u8]) -> CertSig {
    let (_, c) = x509_parser::parse_x509_certificate(child_der).expect("certificate");
    assert_eq!(
        c.signature_algorithm.algorithm.to_id_string(),
        "1.2.840.113549.1.1.11"
    );
    CertSig {
        tbs: c.tbs_certificate.as_ref().to_vec(),
        sig: c.signature_value.data.to_vec(),
        issuer_key: rsa_public_key(issuer_der),
    }
}

fn load_pki() -> Pki {
    let leaf = pem_decode(&fixture("leaf-rsa2048.pem"), "CERTIFICATE");
    let intermediate = pem_decode(&fixture("intermediate.pem"), "CERTIFICATE");
    let root = pem_decode(&fixture("root.pem"), "CERTIFICATE");
    let crl = fixture("intermediate.crl.der");
    let key = RsaKeyPair::from_pkcs8(&pem_decode(&fixture("leaf-rsa2048.key"), "PRIVATE KEY"))
        .expect("PKCS#8 RSA key");
    let leaf_key = rsa_public_key(&leaf);
    assert_eq!(
        key.public().as_ref(),
        leaf_key.as_slice(),
        "leaf key and certificate differ"
    );
    let chain = [
        cert_sig(&leaf, &intermediate),
        cert_sig(&intermediate, &root),
    ];
    for c in &chain {
        c.verify();
    }
    Pki {
        leaf,
        intermediate,
        root,
        crl,
        key,
        leaf_key,
        chain,
    }
}

// ---------------------------------------------------------------------------------------------
// CMS SignedData (CAdES-BES, detached)
// ---------------------------------------------------------------------------------------------

struct Cms {
    der: Vec<u8>,
    /// DER of the signed attributes as a SET (what the signature covers).
    signed_attrs: Vec<u8>,
    signature: Vec<u8>,
}

fn build_cms(pki: &Pki, message_digest: &[u8]) -> Cms {
    let (_, leaf) = x509_parser::parse_x509_certificate(&pki.leaf).expect("leaf");
    let sha256_alg = seq(&[&oid(SHA256)]);
    let rsa_alg = seq(&[&oid(SHA256_WITH_RSA), &tlv(0x05, &[])]);

    let issuer_serial = seq(&[
        leaf.tbs_certificate.issuer.as_raw(),
        &tlv(0x02, leaf.raw_serial()),
    ]);
    let leaf_hash = ring::digest::digest(&ring::digest::SHA256, &pki.leaf);
    // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash } } (hashAlgorithm is
    // the DEFAULT sha256, so DER omits it).
    let ess = seq(&[&seq(&[&seq(&[&tlv(0x04, leaf_hash.as_ref())])])]);
    let attrs = [
        attribute(CONTENT_TYPE, &oid(ID_DATA)),
        attribute(MESSAGE_DIGEST, &tlv(0x04, message_digest)),
        attribute(SIGNING_CERTIFICATE_V2, &ess),
    ];
    let attr_refs: Vec<&[u8]> = attrs.iter().map(Vec::as_slice).collect();
    let signed_attrs = set_of(0x31, &attr_refs);

    let mut sig = vec![0u8; pki.key.public().modulus_len()];
    pki.key
        .sign(
            &signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            &signed_attrs,
            &mut sig,
        )
        .expect("RSA signing");

    // signedAttrs [0] IMPLICIT: the same content under tag A0.
    let mut signed_attrs_a0 = signed_attrs.clone();
    signed_attrs_a0[0] = 0xa0;
    let signer_info = seq(&[
        &small_int(1),
        &issuer_serial,
        &sha256_alg,
        &signed_attrs_a0,
        &rsa_alg,
        &tlv(0x04, &sig),
    ]);
    let signed_data = seq(&[
        &small_int(1),
        &set_of(0x31, &[&sha256_alg]),
        &seq(&[&oid(ID_DATA)]),
        &set_of(0xa0, &[&pki.leaf, &pki.intermediate]),
        &set_of(0x31, &[&signer_info]),
    ]);
    let der = seq(&[&oid(ID_SIGNED_DATA), &tlv(0xa0, &signed_data)]);
    Cms {
        der,
        signed_attrs,
        signature: sig,
    }
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/// Deterministic incompressible bytes (xorshift64*).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        v.extend_from_slice(&seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    v.truncate(len);
    v
}

/// Writes `num 0 obj … endobj` and records its offset.
fn obj(out: &mut Vec<u8>, offsets: &mut Vec<(u32, usize)>, num: u32, body: &[u8]) {
    offsets.push((num, out.len()));
    out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\nendobj\n");
}

/// A classic xref section (one subsection per run of consecutive numbers) and trailer.
fn xref(
    out: &mut Vec<u8>,
    offsets: &mut [(u32, usize)],
    with_free_head: bool,
    trailer: &str,
) -> usize {
    offsets.sort();
    let start = out.len();
    out.extend_from_slice(b"xref\n");
    if with_free_head {
        out.extend_from_slice(b"0 1\n0000000000 65535 f \n");
    }
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i + 1;
        while j < offsets.len() && offsets[j].0 == offsets[j - 1].0 + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", offsets[i].0, j - i).as_bytes());
        for &(_, off) in &offsets[i..j] {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        i = j;
    }
    out.extend_from_slice(format!("trailer\n{trailer}\nstartxref\n{start}\n%%EOF\n").as_bytes());
    start
}

const IMAGE_WIDTH: usize = 1024;
const BYTE_RANGE_WIDTH: usize = 40;
const FILE_ID: &str = "<5648454e444f43424e4348303030303030> <5648454e444f43424e4348303030303030>";

/// The unsigned document: revision 1 (one page showing an image of `rows` rows of noise) and
/// revision 2 adding the signature field, its widget and the signature dictionary with
/// placeholders. Returns the bytes and the offset of the /ByteRange array.
fn build_unsigned(rows: usize, contents_hex_len: usize) -> (Vec<u8>, usize) {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offs = Vec::new();
    let page = |annots: &str| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << /XObject << /Im1 5 0 R >> >>{annots} >>"
        )
    };
    obj(&mut out, &mut offs, 1, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(
        &mut out,
        &mut offs,
        2,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    );
    obj(&mut out, &mut offs, 3, page("").as_bytes());
    let content = b"q 495 0 0 700 50 71 cm /Im1 Do Q\nBT /F1 12 Tf ET\n";
    let mut s = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    s.extend_from_slice(content);
    s.extend_from_slice(b"\nendstream");
    obj(&mut out, &mut offs, 4, &s);
    let pixels = noise(IMAGE_WIDTH * rows, 0x9e37_79b9_7f4a_7c15 ^ rows as u64);
    let mut s = format!(
        "<< /Type /XObject /Subtype /Image /Width {IMAGE_WIDTH} /Height {rows} /ColorSpace /DeviceGray \
         /BitsPerComponent 8 /Length {} >>\nstream\n",
        pixels.len()
    )
    .into_bytes();
    s.extend_from_slice(&pixels);
    s.extend_from_slice(b"\nendstream");
    obj(&mut out, &mut offs, 5, &s);
    let prev = xref(
        &mut out,
        &mut offs,
        true,
        &format!("<< /Size 6 /Root 1 0 R /ID [{FILE_ID}] >>"),
    );

    // Revision 2: the signature.
    let mut offs = Vec::new();
    obj(
        &mut out,
        &mut offs,
        1,
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /SigFlags 3 >> >>",
    );
    obj(&mut out, &mut offs, 3, page(" /Annots [6 0 R]").as_bytes());
    obj(
        &mut out,
        &mut offs,
        6,
        b"<< /FT /Sig /T (Signature1) /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 3 0 R >>",
    );
    let mut sig = b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \
/M (D:20250601090000+07'00') /Name (Nguyen Van An) /ByteRange "
        .to_vec();
    let br_at = out.len() + "7 0 obj\n".len() + sig.len();
    sig.extend_from_slice(format!("{:<w$}", "[0 0 0 0]", w = BYTE_RANGE_WIDTH).as_bytes());
    sig.extend_from_slice(b" /Contents <");
    sig.extend(std::iter::repeat_n(b'0', contents_hex_len));
    sig.extend_from_slice(b"> >>");
    obj(&mut out, &mut offs, 7, &sig);
    xref(
        &mut out,
        &mut offs,
        false,
        &format!("<< /Size 8 /Root 1 0 R /Prev {prev} /ID [{FILE_ID}] >>"),
    );
    (out, br_at)
}

struct Input {
    label: &'static str,
    pdf: Vec<u8>,
    /// End of the first range, start of the second.
    gap: (usize, usize),
    cms: Cms,
}

impl Input {
    fn ranges(&self) -> (&[u8], &[u8]) {
        (&self.pdf[..self.gap.0], &self.pdf[self.gap.1..])
    }
}

fn build_input(pki: &Pki, label: &'static str, target: usize) -> Input {
    // The CMS has a fixed length (fixed certificates, 32-byte digest, 256-byte signature).
    let cms_len = build_cms(pki, &[0; 32]).der.len();
    let hex_len = (cms_len * 2 + 512).div_ceil(1024) * 1024;
    let overhead = build_unsigned(1, hex_len).0.len() - IMAGE_WIDTH;
    let rows = (target.saturating_sub(overhead) + IMAGE_WIDTH / 2) / IMAGE_WIDTH;
    let (mut pdf, br_at) = build_unsigned(rows.max(1), hex_len);

    let lt = br_at + BYTE_RANGE_WIDTH + " /Contents ".len();
    assert_eq!(pdf[lt], b'<');
    let gt = lt + 1 + hex_len;
    assert_eq!(pdf[gt], b'>');
    let (a, b) = (lt, gt + 1);
    let c = pdf.len() - b;
    let br = format!("{:<w$}", format!("[0 {a} {b} {c}]"), w = BYTE_RANGE_WIDTH);
    assert_eq!(br.len(), BYTE_RANGE_WIDTH);
    pdf[br_at..br_at + BYTE_RANGE_WIDTH].copy_from_slice(br.as_bytes());

    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(&pdf[..a]);
    ctx.update(&pdf[b..]);
    let cms = build_cms(pki, ctx.finish().as_ref());
    assert!(cms.der.len() * 2 <= hex_len);
    let hex: String = cms.der.iter().map(|x| format!("{x:02x}")).collect();
    pdf[lt + 1..lt + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Input {
        label,
        pdf,
        gap: (a, b),
        cms,
    }
}

// ---------------------------------------------------------------------------------------------
// What is measured
// ---------------------------------------------------------------------------------------------

fn verifier(pki: &Pki) -> Verifier {
    let mut trust = TrustStore::new();
    trust.add_anchor_der(pki.root.clone()).expect("root anchor");
    trust.add_crl_der(pki.crl.clone()).expect("CRL");
    let at = vnedoc::time::parse_rfc3339("2026-11-26T00:00:00Z").expect("time");
    Verifier::new(VerifyOptions::new(trust, ValidationTime::At(at)))
}

fn verify(v: &Verifier, input: &Input) -> bool {
    let r = v.verify_bytes(input.label, &input.pdf);
    r.signatures.first().is_some_and(|s| s.integrity)
}

/// The bound: SHA-256 over the signed ranges, the SignerInfo signature and the two certificate
/// signatures, all with ring.
fn bound(pki: &Pki, input: &Input) {
    let (r1, r2) = input.ranges();
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(r1);
    ctx.update(r2);
    black_box(ctx.finish());
    UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &pki.leaf_key)
        .verify(&input.cms.signed_attrs, &input.cms.signature)
        .expect("SignerInfo signature");
    for c in &pki.chain {
        c.verify();
    }
}

fn sanity_check(v: &Verifier, input: &Input) {
    let report = v.verify_bytes(input.label, &input.pdf);
    let ok = report.error.is_none()
        && report.signatures.len() == 1
        && report.signatures.iter().all(|s| {
            s.integrity
                && s.covers_whole_file
                && s.modifications == Modifications::None
                && s.indication == Indication::TotalPassed
        });
    if !ok {
        panic!(
            "{}: the generated PDF does not verify:\n{}",
            input.label,
            serde_json::to_string_pretty(&report).unwrap_or_else(|e| e.to_string())
        );
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt_dur(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

fn main() {
    let t0 = Instant::now();
    let pki = load_pki();
    let inputs = [
        build_input(&pki, "20KB", 20 << 10),
        build_input(&pki, "1MB", 1 << 20),
        build_input(&pki, "20MB", 20 << 20),
    ];
    let v = verifier(&pki);
    for input in &inputs {
        sanity_check(&v, input);
        bound(&pki, input);
    }
    eprintln!(
        "inputs built and verified in {:.1?}: {}",
        t0.elapsed(),
        inputs
            .iter()
            .map(|i| format!("{} = {} bytes", i.label, i.pdf.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` does not (criterion's test mode).
    let bench_mode = args.iter().any(|a| a == "--bench");
    let listing = args.iter().any(|a| a == "--list");

    let mut c = Criterion::default().configure_from_args();
    for (name, run) in [("verify", 0), ("bound", 1)] {
        let mut g = c.benchmark_group(name);
        for input in &inputs {
            let big = input.pdf.len() > (4 << 20);
            g.throughput(Throughput::Bytes(input.pdf.len() as u64));
            g.sample_size(if big { 10 } else { 30 });
            g.warm_up_time(Duration::from_millis(if big { 500 } else { 1000 }));
            g.measurement_time(Duration::from_secs(if big { 4 } else { 3 }));
            if run == 0 {
                g.bench_function(input.label, |b| {
                    b.iter(|| black_box(verify(&v, black_box(input))))
                });
            } else {
                g.bench_function(input.label, |b| b.iter(|| bound(&pki, black_box(input))));
            }
        }
        g.finish();
    }
    c.final_summary();
    if listing {
        return;
    }

    // The ratio, from our own interleaved medians (the machine is shared: interleaving keeps
    // both sides under the same load).
    println!();
    println!(
        "{:<6} {:>12} {:>12} {:>7}",
        "size", "verify", "bound", "ratio"
    );
    for input in &inputs {
        let n = match (bench_mode, input.pdf.len() > (4 << 20)) {
            (false, _) => 1,
            (true, true) => 21,
            (true, false) => 201,
        };
        let (mut tv, mut tb) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let s = Instant::now();
            black_box(verify(&v, black_box(input)));
            tv.push(s.elapsed());
            let s = Instant::now();
            bound(&pki, black_box(input));
            tb.push(s.elapsed());
        }
        let (mv, mb) = (median(tv), median(tb));
        println!(
            "{:<6} {:>12} {:>12} {:>7.2}",
            input.label,
            fmt_dur(mv),
            fmt_dur(mb),
            mv.as_secs_f64() / mb.as_secs_f64()
        );
    }

    // Where the time goes, with the library's public pieces: the SHA-256 pass alone, and
    // `Document::parse` (xref sections and revision ends), which the verifier runs first.
    println!();
    println!(
        "{:<6} {:>12} {:>12} {:>16} {:>17}",
        "size", "sha256", "3×rsa", "Document::parse", "verify-sha-parse"
    );
    for input in &inputs {
        let n = match (bench_mode, input.pdf.len() > (4 << 20)) {
            (false, _) => 1,
            (true, true) => 11,
            (true, false) => 101,
        };
        let (mut th, mut tb, mut tp, mut tv) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let s = Instant::now();
            let (r1, r2) = input.ranges();
            let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
            ctx.update(r1);
            ctx.update(r2);
            black_box(ctx.finish());
            th.push(s.elapsed());
            let s = Instant::now();
            bound(&pki, black_box(input));
            tb.push(s.elapsed());
            let s = Instant::now();
            black_box(
                vnedoc::pdf::Document::parse(black_box(&input.pdf), vnedoc::pdf::Limits::default())
                    .is_ok(),
            );
            tp.push(s.elapsed());
            let s = Instant::now();
            black_box(verify(&v, black_box(input)));
            tv.push(s.elapsed());
        }
        let (h, b, p, vv) = (median(th), median(tb), median(tp), median(tv));
        println!(
            "{:<6} {:>12} {:>12} {:>16} {:>17}",
            input.label,
            fmt_dur(h),
            fmt_dur(b.saturating_sub(h)),
            fmt_dur(p),
            fmt_dur(vv.saturating_sub(h).saturating_sub(p)),
        );
    }
    eprintln!("total {:.1?}", t0.elapsed());
}
