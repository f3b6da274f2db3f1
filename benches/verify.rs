//! `cargo bench --bench verify`: signature throughput against its physical bound, measured in
//! the same run and printed as ratios (the machines are shared and noisy; ratios survive).
//!
//! - `verify/<alg>/<size>` and `bound/<alg>/<size>`: one signed PDF of 20 KB, 1 MB and 20 MB for
//!   RSA-2048, RSA-3072 and P-256, verified by one reused [`Verifier`] (as in a batch: issuers
//!   already checked), against the bound of the same document: ring SHA-256 over its signed
//!   ranges plus the SignerInfo signature verification. The table also gives the bound with the
//!   two chain verifications (a cold single document).
//! - `batch/<n>threads`: 2,048 distinct 20 KB documents on a rayon pool of 1 and 2 threads.
//! - `multisig/20MB`: a 20 MB document with 5 signatures against the same with 1.
//! - `sign/1MB/rsa2048`: signing into a sink against ring SHA-256 of the file plus one
//!   RSA-2048 signature.
//! - The fallback table (`benches/support/fallback.rs`): one fixture of fixtures/algos/ per
//!   algorithm ring lacks, verified, against the digest of its ranges plus one verification
//!   done directly with the RustCrypto crate that serves it.
//!
//! Inputs come from `benches/support/inputs.rs`, signed by the crate's own signer with the test
//! PKI; each must verify `TOTAL_PASSED` before anything is timed.

// Bench code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "support/fallback.rs"]
mod fallback;
#[path = "support/inputs.rs"]
mod inputs;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use rayon::prelude::*;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use vnedoc::internals::cms::signed_data::SignedData;
use vnedoc::sign::SignOptions;
use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

const ALGS: [&str; 3] = ["rsa2048", "rsa3072", "p256"];
const SIZES: [usize; 3] = [20 << 10, 1 << 20, 20 << 20];
/// Documents in the batch benches.
const BATCH: usize = 2048;

/// One public-key verification: algorithm, key, message, signature.
struct KeyCheck {
    alg: &'static dyn VerificationAlgorithm,
    key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl KeyCheck {
    fn run(&self) {
        UnparsedPublicKey::new(self.alg, &self.key)
            .verify(&self.message, &self.signature)
            .expect("bound verification");
    }
}

/// The unavoidable work of one signature: its ranges, its SignerInfo check and its chain.
struct Bound {
    gap: (usize, usize),
    end: usize,
    digest: &'static ring::digest::Algorithm,
    signer: KeyCheck,
    chain: Vec<KeyCheck>,
}

impl Bound {
    /// Hash + SignerInfo signature (issuers cached, as in a batch).
    fn run(&self, pdf: &[u8]) {
        let mut ctx = ring::digest::Context::new(self.digest);
        ctx.update(&pdf[..self.gap.0]);
        ctx.update(&pdf[self.gap.1..self.end]);
        black_box(ctx.finish());
        self.signer.run();
    }

    /// Plus the chain: a cold single document.
    fn run_with_chain(&self, pdf: &[u8]) {
        self.run(pdf);
        for c in &self.chain {
            c.run();
        }
    }
}

fn ring_alg(sig_oid: &[u8]) -> &'static dyn VerificationAlgorithm {
    match vnedoc::internals::der::oid_to_string(sig_oid).as_str() {
        "1.2.840.113549.1.1.11" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "1.2.840.113549.1.1.12" => &signature::RSA_PKCS1_2048_8192_SHA384,
        "1.2.840.10045.4.3.2" => &signature::ECDSA_P256_SHA256_ASN1,
        "1.2.840.10045.4.3.3" => &signature::ECDSA_P384_SHA384_ASN1,
        other => panic!("bench: signature algorithm {other}"),
    }
}

/// The subjectPublicKey bits of a certificate, and for P-384 issuers the right curve.
fn cert_key(der: &[u8]) -> Vec<u8> {
    let (_, c) = x509_parser::parse_x509_certificate(der).expect("certificate");
    c.tbs_certificate
        .subject_pki
        .subject_public_key
        .data
        .to_vec()
}

fn cert_check(child: &[u8], issuer: &[u8]) -> KeyCheck {
    let (_, c) = x509_parser::parse_x509_certificate(child).expect("certificate");
    let oid = c.signature_algorithm.algorithm.as_bytes().to_vec();
    KeyCheck {
        alg: ring_alg(&oid),
        key: cert_key(issuer),
        message: c.tbs_certificate.as_ref().to_vec(),
        signature: c.signature_value.data.to_vec(),
    }
}

fn pem(name: &str) -> Vec<u8> {
    let bytes = std::fs::read(inputs::pki_dir().join(name)).expect(name);
    TrustStore::load_pem_or_der(&bytes).expect(name).remove(0)
}

/// The bound of the last signature of `pdf`, made by `leaf`.
fn bound_of(pdf: &[u8], leaf: &str) -> Bound {
    let ((a, b, c), contents) = inputs::last_signature(pdf);
    let sd = SignedData::from_pdf_contents(&contents).expect("CMS");
    let si = sd.single_signer().expect("SignerInfo");
    let digest = match vnedoc::internals::der::oid_to_string(si.digest_algorithm.oid).as_str() {
        "2.16.840.1.101.3.4.2.1" => &ring::digest::SHA256,
        "2.16.840.1.101.3.4.2.2" => &ring::digest::SHA384,
        other => panic!("digest {other}"),
    };
    let leaf_der = pem(&format!("{leaf}.pem"));
    let intermediate = pem("intermediate.pem");
    let root = pem("root.pem");
    Bound {
        gap: (a, b),
        end: b + c,
        digest,
        signer: KeyCheck {
            alg: ring_alg(si.signature_algorithm.oid),
            key: cert_key(&leaf_der),
            message: si
                .signed_attrs
                .as_ref()
                .expect("signed attributes")
                .signed_bytes(),
            signature: si.signature.to_vec(),
        },
        chain: vec![
            cert_check(&leaf_der, &intermediate),
            cert_check(&intermediate, &root),
        ],
    }
}

fn verifier() -> Verifier {
    let mut trust = TrustStore::new();
    trust.add_anchor_der(pem("root.pem")).expect("anchor");
    Verifier::new(VerifyOptions::new(
        trust,
        ValidationTime::At(vnedoc::time::now()),
    ))
}

fn passes(v: &Verifier, pdf: &[u8]) -> bool {
    let r = v.verify_bytes("bench.pdf", pdf);
    r.all_passed()
}

struct Input {
    name: String,
    pdf: Vec<u8>,
    bound: Bound,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt_dur(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

/// Interleaved medians of `a` and `b`, `n` rounds.
fn paired(n: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    let (mut ta, mut tb) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let s = Instant::now();
        a();
        ta.push(s.elapsed());
        let s = Instant::now();
        b();
        tb.push(s.elapsed());
    }
    (median(ta), median(tb))
}

fn rounds(bench_mode: bool, bytes: usize) -> usize {
    match (bench_mode, bytes > (4 << 20)) {
        (false, _) => 1,
        (true, true) => 21,
        (true, false) => 401,
    }
}

fn main() {
    let t0 = Instant::now();
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` does not (criterion's test mode).
    let bench_mode = args.iter().any(|a| a == "--bench");
    let v = verifier();

    let mut singles = Vec::new();
    for size in SIZES {
        let unsigned = inputs::unsigned_pdf(size);
        for alg in ALGS {
            let leaf = format!("leaf-{alg}");
            let pdf = inputs::signed_n(&unsigned, &leaf, 1);
            assert!(passes(&v, &pdf), "{alg} {size}: does not verify");
            let bound = bound_of(&pdf, &leaf);
            bound.run_with_chain(&pdf);
            singles.push(Input {
                name: format!("{alg}/{}", inputs::size_label(size)),
                pdf,
                bound,
            });
        }
    }
    // Batch: distinct 20 KB documents (distinct digests), one signer. Enough of them that one
    // pass lasts about 0.1 s on one thread: a short pass measures how fast an idle virtual CPU
    // is given back to the pool rather than the sustained rate a service sees.
    let batch: Vec<Vec<u8>> = (0..BATCH)
        .map(|i| {
            let mut base = inputs::unsigned_pdf(20 << 10);
            let at = base
                .windows(8)
                .position(|w| w == b"Cong van")
                .expect("text");
            base[at..at + 8].copy_from_slice(format!("{:08}", i).as_bytes());
            inputs::signed_n(&base, "leaf-rsa2048", 1)
        })
        .collect();
    assert!(batch.iter().all(|d| passes(&v, d)));
    let batch_bounds: Vec<Bound> = batch.iter().map(|d| bound_of(d, "leaf-rsa2048")).collect();
    let pool = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("pool")
    };
    let (pool1, pool2) = (pool(1), pool(2));
    let run_batch = |p: &rayon::ThreadPool| {
        p.install(|| {
            batch
                .par_iter()
                .map(|d| usize::from(black_box(v.verify_bytes("b.pdf", d)).all_passed()))
                .sum::<usize>()
        })
    };
    // Multi-signature: 5 signatures against 1, same 20 MB.
    let big = inputs::unsigned_pdf(20 << 20);
    let one_sig = inputs::signed_n(&big, "leaf-rsa2048", 1);
    let five_sig = inputs::signed_n(&big, "leaf-rsa2048", 5);
    // Two digest algorithms (P-256 signs with SHA-256, P-384 with SHA-384): independent
    // chains, hashed on separate threads.
    let mixed_sig = inputs::signed_n(&inputs::signed_n(&big, "leaf-p256", 1), "leaf-p384", 1);
    assert!(v.verify_bytes("mixed.pdf", &mixed_sig).all_passed());
    // Its slower chain alone (SHA-384 runs without the CPU's SHA-256 instructions).
    let p384_sig = inputs::signed_n(&big, "leaf-p384", 1);
    let five_report = v.verify_bytes("five.pdf", &five_sig);
    assert!(five_report.all_passed() && five_report.signatures.len() == 5);
    // Signing: 1 MB with RSA-2048, into a sink.
    let to_sign = inputs::unsigned_pdf(1 << 20);
    let signer = inputs::signer("leaf-rsa2048");
    let sign_opts = SignOptions::new(inputs::SIGNING_TIME);
    let sign_once =
        || vnedoc::sign::sign_pdf_to(&to_sign, &signer, &sign_opts, std::io::sink()).expect("sign");
    let sign_bound_key = ring::signature::RsaKeyPair::from_pkcs8(
        &TrustStore::load_pem_or_der(
            &std::fs::read(inputs::pki_dir().join("leaf-rsa2048.key")).expect("key"),
        )
        .expect("key")
        .remove(0),
    );
    let sign_bound_key = sign_bound_key.expect("RSA PKCS#8 key");
    let rng = ring::rand::SystemRandom::new();
    let sign_bound = || {
        black_box(ring::digest::digest(&ring::digest::SHA256, &to_sign));
        let mut sig = vec![0u8; sign_bound_key.public().modulus_len()];
        sign_bound_key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                b"signed attributes",
                &mut sig,
            )
            .expect("RSA");
        black_box(sig);
    };
    eprintln!("inputs built and checked in {:.1?}", t0.elapsed());

    // VNEDOC_BENCH_TABLES=1: only the ratio tables below (a quick look while tuning).
    let tables_only = std::env::var_os("VNEDOC_BENCH_TABLES").is_some();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for (group, bound) in [("verify", false), ("bound", true)] {
        if tables_only {
            break;
        }
        let mut g = c.benchmark_group(group);
        for input in &singles {
            g.throughput(Throughput::Bytes(input.pdf.len() as u64));
            g.sample_size(if input.pdf.len() > (4 << 20) { 10 } else { 30 });
            if bound {
                g.bench_function(&input.name, |b| {
                    b.iter(|| input.bound.run(black_box(&input.pdf)))
                });
            } else {
                g.bench_function(&input.name, |b| {
                    b.iter(|| black_box(v.verify_bytes("b.pdf", black_box(&input.pdf))))
                });
            }
        }
        g.finish();
    }
    if !tables_only {
        let mut g = c.benchmark_group("batch");
        g.throughput(Throughput::Elements(batch.len() as u64));
        g.sample_size(10);
        g.bench_function("1threads", |b| b.iter(|| run_batch(&pool1)));
        g.bench_function("2threads", |b| b.iter(|| run_batch(&pool2)));
        g.finish();
    }
    if !tables_only {
        let mut g = c.benchmark_group("multisig");
        g.sample_size(10);
        g.bench_function("20MB/1sig", |b| {
            b.iter(|| v.verify_bytes("b.pdf", &one_sig))
        });
        g.bench_function("20MB/5sig", |b| {
            b.iter(|| v.verify_bytes("b.pdf", &five_sig))
        });
        g.bench_function("20MB/sha256+sha384", |b| {
            b.iter(|| v.verify_bytes("b.pdf", &mixed_sig))
        });
        g.finish();
    }
    if !tables_only {
        let mut g = c.benchmark_group("sign");
        g.sample_size(20);
        g.bench_function("1MB/rsa2048", |b| b.iter(sign_once));
        g.bench_function("1MB/rsa2048-bound", |b| b.iter(sign_bound));
        g.finish();
    }
    c.final_summary();
    if args.iter().any(|a| a == "--list") {
        return;
    }

    // Ratios from our own interleaved medians: both sides under the same load.
    println!();
    println!("Single documents (one reused Verifier; bound = hash + SignerInfo signature;");
    println!("cold bound adds the two chain signatures):");
    println!(
        "{:<16} {:>11} {:>11} {:>11} {:>9} {:>9}",
        "document", "verify", "bound", "cold bound", "v/bound", "v/cold"
    );
    for input in &singles {
        let n = rounds(bench_mode, input.pdf.len());
        let (tv, tb) = paired(
            n,
            || {
                black_box(v.verify_bytes("b.pdf", black_box(&input.pdf)));
            },
            || input.bound.run(black_box(&input.pdf)),
        );
        let (_, tc) = paired(
            n,
            || {},
            || input.bound.run_with_chain(black_box(&input.pdf)),
        );
        println!(
            "{:<16} {:>11} {:>11} {:>11} {:>9.2} {:>9.2}",
            input.name,
            fmt_dur(tv),
            fmt_dur(tb),
            fmt_dur(tc),
            tv.as_secs_f64() / tb.as_secs_f64(),
            tv.as_secs_f64() / tc.as_secs_f64()
        );
    }

    // The algorithms ring lacks, each against its own bound (same crate, same run).
    println!();
    println!(
        "Algorithms ring lacks (fallback crate; bound = digest + one verification by that crate):"
    );
    println!(
        "{:<40} {:>11} {:>11} {:>9}",
        "document", "verify", "bound", "v/bound"
    );
    for (rel, family, hash) in fallback::INPUTS {
        let input = fallback::load(rel, *family, *hash);
        assert!(passes(&v, &input.pdf), "{rel}: does not verify");
        input.bound();
        let n = rounds(bench_mode, input.pdf.len()).min(101);
        let (tv, tb) = paired(
            n,
            || {
                black_box(v.verify_bytes("b.pdf", black_box(&input.pdf)));
            },
            || input.bound(),
        );
        println!(
            "{:<40} {:>11} {:>11} {:>9.2}",
            input.name,
            fmt_dur(tv),
            fmt_dur(tb),
            tv.as_secs_f64() / tb.as_secs_f64()
        );
    }

    // Interleaved rounds (1 thread, 2 threads, bound), ratios taken per round and their median
    // reported: on a shared machine the load drifts between rounds, not within one.
    let n = if bench_mode { 15 } else { 1 };
    let time = |f: &dyn Fn()| {
        let s = Instant::now();
        f();
        s.elapsed()
    };
    let (mut t1s_, mut t2s_, mut tbs_) = (Vec::new(), Vec::new(), Vec::new());
    let (mut scaling, mut over_bound, mut bound_scaling) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let t1 = time(&|| assert_eq!(run_batch(&pool1), batch.len()));
        let t2 = time(&|| assert_eq!(run_batch(&pool2), batch.len()));
        let tb = time(&|| batch.iter().zip(&batch_bounds).for_each(|(d, b)| b.run(d)));
        // The machine's own scaling: the bound's work alone on the same two threads.
        let tb2 = time(&|| {
            pool2.install(|| {
                batch
                    .par_iter()
                    .zip(&batch_bounds)
                    .for_each(|(d, b)| b.run(d))
            })
        });
        scaling.push(t1.as_secs_f64() / t2.as_secs_f64());
        over_bound.push(t1.as_secs_f64() / tb.as_secs_f64());
        bound_scaling.push(tb.as_secs_f64() / tb2.as_secs_f64());
        t1s_.push(t1);
        t2s_.push(t2);
        tbs_.push(tb);
    }
    let median_f = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (t1, t2, tb) = (median(t1s_), median(t2s_), median(tbs_));
    let docs = batch.len() as f64;
    println!();
    println!(
        "Batch of {} distinct 20 KB RSA-2048 documents (median of {n} interleaved rounds): 1 thread {:.0} docs/s ({} per doc, {:.2}× the amortised bound {}), 2 threads {:.0} docs/s: scaling {:.2}× (the bound alone scales {:.2}× on this machine)",
        batch.len(),
        docs / t1.as_secs_f64(),
        fmt_dur(t1 / batch.len() as u32),
        median_f(over_bound),
        fmt_dur(tb / batch.len() as u32),
        docs / t2.as_secs_f64(),
        median_f(scaling),
        median_f(bound_scaling)
    );

    let n = if bench_mode { 11 } else { 1 };
    let (t5, t1s) = paired(
        n,
        || {
            black_box(v.verify_bytes("b.pdf", &five_sig));
        },
        || {
            black_box(v.verify_bytes("b.pdf", &one_sig));
        },
    );
    println!(
        "20 MB with 5 signatures: {} against {} with 1: {:.2}×",
        fmt_dur(t5),
        fmt_dur(t1s),
        t5.as_secs_f64() / t1s.as_secs_f64()
    );

    let (tm, t384) = paired(
        n,
        || {
            black_box(v.verify_bytes("b.pdf", &mixed_sig));
        },
        || {
            black_box(v.verify_bytes("b.pdf", &p384_sig));
        },
    );
    println!(
        "20 MB with a SHA-256 and a SHA-384 signature (two chains, two threads): {} against {} for the SHA-384 signature alone: {:.2}×",
        fmt_dur(tm),
        fmt_dur(t384),
        tm.as_secs_f64() / t384.as_secs_f64()
    );

    let n = if bench_mode { 41 } else { 1 };
    let (ts, tsb) = paired(
        n,
        || {
            black_box(sign_once());
        },
        sign_bound,
    );
    println!(
        "Signing 1 MB with RSA-2048: {} against the bound {} (SHA-256 of the file + one RSA signature): {:.2}×",
        fmt_dur(ts),
        fmt_dur(tsb),
        ts.as_secs_f64() / tsb.as_secs_f64()
    );
    eprintln!("total {:.1?}", t0.elapsed());
}
