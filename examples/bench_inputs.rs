//! Writes the benchmark inputs into a folder, for `benches/compare.sh` (vnedoc against pdfsig,
//! openssl cms and pyHanko) and `benches/memory.sh`; also times the library in-process.
//!
//! ```text
//! cargo run --release --example bench_inputs -- OUT_DIR [--sizes 20KB,1MB,20MB]
//!     [--algs rsa2048,rsa3072,p256] [--big 200MB]
//! cargo run --release --example bench_inputs -- --time FILE [--runs N] [--trust ROOT]
//! ```
//!
//! Generation writes `OUT_DIR/<size>-<alg>.pdf` (signed once by `fixtures/pki/leaf-<alg>`),
//! `OUT_DIR/<size>-unsigned.pdf` for each size, with `--big` `OUT_DIR/big-<size>.pdf` (signed by
//! `leaf-rsa2048`, built holding at most two copies of the file in memory) and
//! `OUT_DIR/root.pem`. Every written file is then verified with the library; the exit status is
//! non-zero unless every signed file is TOTAL_PASSED (and every unsigned one has no signature).
//!
//! `--time FILE` verifies FILE `N` times (default 20) with one [`Verifier`] after one warm-up
//! run and prints `median_ms <ms>` (per document: read from the page cache + verify), plus
//! `min_ms`/`max_ms`. Every run must be TOTAL_PASSED.

// Example code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "../benches/support/inputs.rs"]
mod inputs;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use vnedoc::{TrustStore, ValidationTime, Verifier};

fn usage() -> ! {
    eprintln!(
        "usage: bench_inputs OUT_DIR [--sizes 20KB,1MB,20MB] [--algs rsa2048,rsa3072,p256] \
         [--big 200MB]\n       bench_inputs --time FILE [--runs N] [--trust ROOT]"
    );
    std::process::exit(2)
}

/// `20KB`, `1MB`, `200MB`, `1GB`, or a plain number of bytes (binary units).
fn parse_size(s: &str) -> Option<usize> {
    let u = s.trim().to_ascii_uppercase();
    let (num, mul) = if let Some(n) = u.strip_suffix("KB").or_else(|| u.strip_suffix('K')) {
        (n, 1usize << 10)
    } else if let Some(n) = u.strip_suffix("MB").or_else(|| u.strip_suffix('M')) {
        (n, 1 << 20)
    } else if let Some(n) = u.strip_suffix("GB").or_else(|| u.strip_suffix('G')) {
        (n, 1 << 30)
    } else if let Some(n) = u.strip_suffix('B') {
        (n, 1)
    } else {
        (u.as_str(), 1)
    };
    num.trim().parse::<usize>().ok()?.checked_mul(mul)
}

fn verifier(root: &Path) -> Verifier {
    let pem = std::fs::read(root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let mut trust = TrustStore::new();
    for der in TrustStore::load_pem_or_der(&pem).expect("trust anchors") {
        trust.add_anchor_der(der).expect("anchor");
    }
    Verifier::new(vnedoc::VerifyOptions::new(
        trust,
        ValidationTime::At(vnedoc::time::now()),
    ))
}

/// The ETSI name of an indication or sub-indication (`TOTAL_PASSED`, `HASH_FAILURE`).
fn etsi<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .map(|s| s.trim_matches('"').to_string())
        .unwrap_or_default()
}

/// One line on a verified file: the verdict of each signature.
fn describe(report: &vnedoc::DocumentReport) -> String {
    if let Some(e) = &report.error {
        return format!("ERROR {e}");
    }
    if report.signatures.is_empty() {
        return "no signature".into();
    }
    let mut s = String::new();
    for sig in &report.signatures {
        let _ = write!(s, "{}: {}", sig.field, etsi(&sig.indication));
        if let Some(sub) = &sig.subindication {
            let _ = write!(s, "/{}", etsi(sub));
        }
        if !sig.errors.is_empty() {
            let _ = write!(s, " ({})", sig.errors.join("; "));
        }
        s.push(' ');
    }
    s.trim_end().to_string()
}

/// The big signed input: the same one-page layout as `inputs::unsigned_pdf` (a grey noise image
/// making up the size), built straight into one buffer (the noise, then the file: two copies at
/// most), then signed (input and output: two copies).
fn big_signed(target: usize, leaf: &str) -> Vec<u8> {
    const WIDTH: usize = 1024;
    let rows = target.saturating_sub(1024).div_ceil(WIDTH).max(1);
    let pixels_len = WIDTH * rows;
    let mut out: Vec<u8> = Vec::with_capacity(pixels_len + 4096);
    out.extend_from_slice(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    let mut offsets = Vec::new();
    let content: &[u8] =
        b"q 495 0 0 700 50 71 cm /Im1 Do Q\nBT /F1 12 Tf 50 800 Td (Cong van) Tj ET";
    let bodies: [Vec<u8>; 4] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
          /Resources << /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >> >>"
            .to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).as_bytes(),
            content,
            b"\nendstream",
        ]
        .concat(),
    ];
    for body in &bodies {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    offsets.push(out.len());
    out.extend_from_slice(
        format!(
            "5 0 obj\n<< /Type /XObject /Subtype /Image /Width {WIDTH} /Height {rows} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {pixels_len} >>\nstream\n"
        )
        .as_bytes(),
    );
    {
        let pixels = inputs::noise(pixels_len, 0x9e37_79b9_7f4a_7c15 ^ rows as u64);
        out.extend_from_slice(&pixels);
    }
    out.extend_from_slice(b"\nendstream\nendobj\n");
    offsets.push(out.len());
    out.extend_from_slice(
        b"6 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>\nendobj\n",
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
    // `signed_n` copies its input once more; sign directly so only input + output are held.
    let signer = inputs::signer(leaf);
    let mut opts = vnedoc::sign::SignOptions::new(inputs::SIGNING_TIME);
    opts.sub_filter = vnedoc::sign::SubFilter::Cades;
    vnedoc::sign::sign_pdf(&out, &signer, &opts).unwrap_or_else(|e| panic!("{leaf}: {e}"))
}

fn time_mode(file: &Path, runs: usize, root: &Path) -> ExitCode {
    let v = verifier(root);
    let check = |i: usize| -> Option<f64> {
        let t = Instant::now();
        let report = v
            .verify_file(file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if !report.all_passed() {
            eprintln!("{} (run {i}): {}", file.display(), describe(&report));
            return None;
        }
        Some(ms)
    };
    if check(0).is_none() {
        return ExitCode::FAILURE;
    }
    let mut times = Vec::with_capacity(runs);
    for i in 1..=runs.max(1) {
        match check(i) {
            Some(ms) => times.push(ms),
            None => return ExitCode::FAILURE,
        }
    }
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    };
    println!("median_ms {median:.4}");
    println!("min_ms {:.4}", times[0]);
    println!("max_ms {:.4}", times[n - 1]);
    println!("runs {n}");
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut root = repo.join("fixtures/pki/root.pem");
    let mut out_dir: Option<PathBuf> = None;
    let mut sizes: Vec<String> = ["20KB", "1MB", "20MB"].map(String::from).to_vec();
    let mut algs: Vec<String> = ["rsa2048", "rsa3072", "p256"].map(String::from).to_vec();
    let mut big: Option<String> = None;
    let mut time_file: Option<PathBuf> = None;
    let mut runs: usize = 20;
    let list = |v: Option<String>| -> Vec<String> {
        v.unwrap_or_else(|| usage())
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => sizes = list(args.next()),
            "--algs" => algs = list(args.next()),
            "--big" => big = Some(args.next().unwrap_or_else(|| usage())),
            "--time" => time_file = Some(PathBuf::from(args.next().unwrap_or_else(|| usage()))),
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--trust" => root = PathBuf::from(args.next().unwrap_or_else(|| usage())),
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => {
                eprintln!("unknown option {s}");
                usage()
            }
            _ if out_dir.is_none() => out_dir = Some(PathBuf::from(a)),
            _ => usage(),
        }
    }
    if let Some(file) = time_file {
        return time_mode(&file, runs, &root);
    }
    let Some(out_dir) = out_dir else { usage() };
    std::fs::create_dir_all(&out_dir).unwrap_or_else(|e| panic!("{}: {e}", out_dir.display()));

    // (path, expected to be signed)
    let mut written: Vec<(PathBuf, bool)> = Vec::new();
    let write = |path: PathBuf, bytes: &[u8], signed: bool, written: &mut Vec<(PathBuf, bool)>| {
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("wrote {} ({} bytes)", path.display(), bytes.len());
        written.push((path, signed));
    };
    for size in &sizes {
        let bytes = parse_size(size).unwrap_or_else(|| {
            eprintln!("bad size {size}");
            usage()
        });
        let unsigned = inputs::unsigned_pdf(bytes);
        for alg in &algs {
            let signed = inputs::signed_n(&unsigned, &format!("leaf-{alg}"), 1);
            write(
                out_dir.join(format!("{size}-{alg}.pdf")),
                &signed,
                true,
                &mut written,
            );
        }
        write(
            out_dir.join(format!("{size}-unsigned.pdf")),
            &unsigned,
            false,
            &mut written,
        );
    }
    if let Some(size) = &big {
        let bytes = parse_size(size).unwrap_or_else(|| {
            eprintln!("bad size {size}");
            usage()
        });
        let t = Instant::now();
        let pdf = big_signed(bytes, "leaf-rsa2048");
        let path = out_dir.join(format!("big-{size}.pdf"));
        write(path, &pdf, true, &mut written);
        drop(pdf);
        println!("  (generated in {:.1} s)", t.elapsed().as_secs_f64());
    }
    let root_out = out_dir.join("root.pem");
    std::fs::copy(&root, &root_out).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    println!("wrote {}", root_out.display());

    let v = verifier(&root);
    let mut ok = true;
    for (path, signed) in &written {
        let report = match v.verify_file(path) {
            Ok(r) => r,
            Err(e) => {
                println!("FAIL {}: {e}", path.display());
                ok = false;
                continue;
            }
        };
        let good = if *signed {
            report.all_passed()
        } else {
            report.error.is_none() && report.signatures.is_empty()
        };
        ok &= good;
        println!(
            "{} {}: {}",
            if good { "ok  " } else { "FAIL" },
            path.display(),
            describe(&report)
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("some inputs did not verify as expected");
        ExitCode::FAILURE
    }
}
