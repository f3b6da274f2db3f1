//! Deterministic benchmark inputs, shared by the benches and `examples/bench_inputs.rs`
//! (included by path): a one-page PDF padded to a target size with an uncompressed image of
//! xorshift noise, signed with the test PKI of `fixtures/pki` by the crate's own signer.
//!
//! Only `std` and `vnedoc`.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use vnedoc::sign::{KeySigner, SignOptions, SubFilter, sign_pdf};

/// 2025-06-01T02:00:00Z, 09:00 in Hanoi: the signing time of every input.
pub const SIGNING_TIME: vnedoc::time::Timestamp =
    vnedoc::time::Timestamp::constant(1_748_743_200, 0);

/// The keys of the benches: `leaf-rsa2048`, `leaf-rsa3072`, `leaf-p256` (and any other leaf of
/// `fixtures/pki`).
pub fn signer(leaf: &str) -> KeySigner {
    let pki = pki_dir();
    KeySigner::from_files(
        &pki.join(format!("{leaf}.key")),
        &pki.join(format!("{leaf}.pem")),
        &[pki.join("intermediate.pem")],
    )
    .unwrap_or_else(|e| panic!("{leaf}: {e}"))
}

pub fn pki_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pki")
}

/// Deterministic incompressible bytes (xorshift64*).
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(len + 8);
    seed |= 1;
    while v.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        v.extend_from_slice(&seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    v.truncate(len);
    v
}

const IMAGE_WIDTH: usize = 1024;

/// An unsigned one-page PDF of about `target` bytes (never less than ~1 KB): the page shows a
/// grey image of noise whose rows make up the size.
pub fn unsigned_pdf(target: usize) -> Vec<u8> {
    let build = |rows: usize| {
        let mut out: Vec<u8> = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        };
        obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
        obj(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        obj(
            &mut out,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
              /Resources << /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        );
        let content = b"q 495 0 0 700 50 71 cm /Im1 Do Q\nBT /F1 12 Tf 50 800 Td (Cong van) Tj ET";
        let mut s = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        s.extend_from_slice(content);
        s.extend_from_slice(b"\nendstream");
        obj(&mut out, &s);
        let pixels = noise(IMAGE_WIDTH * rows, 0x9e37_79b9_7f4a_7c15 ^ rows as u64);
        let mut s = format!(
            "<< /Type /XObject /Subtype /Image /Width {IMAGE_WIDTH} /Height {rows} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
            pixels.len()
        )
        .into_bytes();
        s.extend_from_slice(&pixels);
        s.extend_from_slice(b"\nendstream");
        obj(&mut out, &s);
        obj(
            &mut out,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
        );
        let xref = out.len();
        let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
        for o in &offsets {
            let _ = writeln!(tail, "{o:010} 00000 n ");
        }
        let _ = write!(
            tail,
            "trailer\n<< /Size {} /Root 1 0 R /ID [<76656e646f63> <76656e646f63>] >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        );
        out.extend_from_slice(tail.as_bytes());
        out
    };
    let overhead = build(1).len() - IMAGE_WIDTH;
    let rows = target.saturating_sub(overhead).div_ceil(IMAGE_WIDTH).max(1);
    build(rows)
}

/// `pdf` signed by `leaf` (ETSI.CAdES.detached, invisible), `n` times in a row (each one an
/// incremental update after the previous signature).
pub fn signed_n(pdf: &[u8], leaf: &str, n: usize) -> Vec<u8> {
    let s = signer(leaf);
    let mut out = pdf.to_vec();
    for i in 0..n {
        let mut opts = SignOptions::new(SIGNING_TIME + jiff::SignedDuration::from_mins(i as i64));
        opts.sub_filter = SubFilter::Cades;
        out = sign_pdf(&out, &s, &opts).unwrap_or_else(|e| panic!("{leaf}: {e}"));
    }
    out
}

/// A PDF of about `target` bytes with one signature by `leaf`.
pub fn signed(target: usize, leaf: &str) -> Vec<u8> {
    signed_n(&unsigned_pdf(target), leaf, 1)
}

/// Sizes in the benches' tables.
pub fn size_label(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{}MB", (bytes + (1 << 19)) >> 20)
    } else {
        format!("{}KB", (bytes + 512) >> 10)
    }
}

/// The last signature of `pdf` as the benches read it: its /ByteRange as (gap start, gap end,
/// length of the second range) and the bytes of its /Contents (the CMS, zero padded).
pub fn last_signature(pdf: &[u8]) -> ((usize, usize, usize), Vec<u8>) {
    let at = pdf
        .windows(12)
        .rposition(|w| w == b"/ByteRange [")
        .expect("/ByteRange")
        + 12;
    let close = at + pdf[at..].iter().position(|b| *b == b']').expect("]");
    let nums: Vec<usize> = std::str::from_utf8(&pdf[at..close])
        .expect("ascii")
        .split_ascii_whitespace()
        .map(|n| n.parse().expect("integer"))
        .collect();
    let (a, b, c) = (nums[1], nums[2], nums[3]);
    let contents = pdf[a + 1..b - 1]
        .chunks_exact(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("hex"), 16).expect("hex"))
        .collect();
    ((a, b, c), contents)
}
