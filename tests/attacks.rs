//! Attacked variants of signed PDFs, generated deterministically at test time from the committed
//! fixtures, each with the exact verdict the verifier must give (indication, sub-indication, and
//! integrity / modifications where they matter).
//!
//! Families (pdf-insecurity.org and REFERENCE §6): universal signature forgery, signature
//! wrapping, incremental saving, certified documents (evil annotation, sneaky signature), shadow
//! hide / replace / hide-and-replace, and certificate-path attacks. Each variant, how it is made
//! and why its verdict is what it is: `fixtures/attacks/README.md` (the test checks that every
//! variant is listed there).
//!
//! ```text
//! cargo test --release --test attacks -- --nocapture        # prints the verdict table
//! ATTACKS_OUT=/tmp/attacks cargo test --release --test attacks   # also writes every variant
//! ```

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

#[path = "attacks/certified.rs"]
mod certified;
#[path = "attacks/certs.rs"]
mod certs;
#[path = "attacks/isa.rs"]
mod isa;
#[path = "attacks/kit.rs"]
mod kit;
#[path = "attacks/shadow.rs"]
mod shadow;
#[path = "attacks/usf.rs"]
mod usf;
#[path = "attacks/wrapping.rs"]
mod wrapping;

use std::fmt::Write as _;

use vnedoc::internals::pdf::Modifications;
use vnedoc::sign::{KeySigner, SignOptions, sign_pdf};
use vnedoc::verify::{Indication, SignatureReport, SubIndication};

use Indication::{Indeterminate, TotalFailed, TotalPassed};

/// The expected verdict on one signature of a variant.
#[derive(Clone, Copy, Debug)]
pub struct Exp {
    /// The signature field's name.
    pub field: &'static str,
    /// The expected indication.
    pub ind: Indication,
    /// The expected sub-indication (`None` for TOTAL_PASSED).
    pub sub: Option<SubIndication>,
    /// Checked when set.
    pub integrity: Option<bool>,
    /// Checked when set.
    pub mods: Option<Modifications>,
}

impl Exp {
    /// TOTAL_PASSED with integrity.
    pub fn passed(field: &'static str) -> Exp {
        Exp {
            field,
            ind: TotalPassed,
            sub: None,
            integrity: Some(true),
            mods: None,
        }
    }
    /// TOTAL_FAILED with `sub`.
    pub fn failed(field: &'static str, sub: SubIndication) -> Exp {
        Exp {
            field,
            ind: TotalFailed,
            sub: Some(sub),
            integrity: None,
            mods: None,
        }
    }
    /// INDETERMINATE with `sub`.
    pub fn indeterminate(field: &'static str, sub: SubIndication) -> Exp {
        Exp {
            field,
            ind: Indeterminate,
            sub: Some(sub),
            integrity: None,
            mods: None,
        }
    }
    /// Also checks the integrity flag.
    pub fn integrity(mut self, v: bool) -> Exp {
        self.integrity = Some(v);
        self
    }
    /// Also checks the changes after signing.
    pub fn mods(mut self, m: Modifications) -> Exp {
        self.mods = Some(m);
        self
    }
    /// The signed revision is intact and a later change is not allowed: the verdict of every
    /// incremental-saving and shadow attack.
    pub fn disallowed(field: &'static str) -> Exp {
        Exp::failed(field, SubIndication::FormatFailure)
            .integrity(true)
            .mods(Modifications::Disallowed)
    }
}

/// What the verifier says today when it differs from the expectation and was reported.
/// One attacked document.
pub struct Variant {
    /// The attack family (the submodule that builds it).
    pub group: &'static str,
    /// The variant's name within its family.
    pub name: &'static str,
    /// The attacked document.
    pub pdf: Vec<u8>,
    /// One per signature the report must have, in report order.
    pub expect: Vec<Exp>,
}

impl Variant {
    /// A variant with one expectation per signature.
    pub fn new(group: &'static str, name: &'static str, pdf: Vec<u8>, expect: Vec<Exp>) -> Self {
        Variant {
            group,
            name,
            pdf,
            expect,
        }
    }
    /// A variant with one signature.
    pub fn one(group: &'static str, name: &'static str, pdf: Vec<u8>, e: Exp) -> Self {
        Variant::new(group, name, pdf, vec![e])
    }
}

/// 2026-06-01T09:00:00+07:00: the signing time of the generated signatures (inside every test
/// certificate's validity, before the validation time).
pub fn t_sign() -> i64 {
    vnedoc::time::parse_rfc3339_timestamp("2026-06-01T09:00:00+07:00")
        .expect("time")
        .as_second()
}

/// An RFC 3339 time as Unix seconds.
pub fn time(s: &str) -> i64 {
    vnedoc::time::parse_rfc3339_timestamp(s)
        .expect("time")
        .as_second()
}

/// DER certificates of `fixtures/<rel>`.
pub fn certs_of(rel: &str) -> Vec<Vec<u8>> {
    vnedoc::TrustStore::load_pem_or_der(&common::fixtures::fixture_bytes(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A signer with the key `fixtures/pki/<key>.key`, the certificate `fixtures/<cert>` and the
/// chain `fixtures/<chain…>`.
pub fn signer_with(key: &str, cert: &str, chain: &[&str]) -> KeySigner {
    let k = common::fixtures::fixture_bytes(&format!("pki/{key}.key"));
    let c = certs_of(cert).remove(0);
    let ch: Vec<Vec<u8>> = chain.iter().flat_map(|p| certs_of(p)).collect();
    KeySigner::from_pkcs8(&k, c, ch).unwrap_or_else(|e| panic!("{key}/{cert}: {e}"))
}

/// The fixture signer `fixtures/pki/<leaf>` with the intermediate.
pub fn signer(leaf: &str) -> KeySigner {
    common::fixtures::key_signer(leaf)
}

/// `input` signed by the crate's own signer (`ETSI.CAdES.detached`, invisible) at `t`.
pub fn crate_sign(input: &[u8], key: &KeySigner, t: i64, reserve: Option<usize>) -> Vec<u8> {
    let mut opts = SignOptions::new(vnedoc::time::timestamp(t).expect("time"));
    opts.contents_reserve = reserve;
    sign_pdf(input, key, &opts).expect("the crate's signer signs the base")
}

/// The inputs every family starts from.
pub struct Bases {
    /// `fixtures/pdf/unsigned.pdf`.
    pub unsigned: Vec<u8>,
    /// `fixtures/pdf/pyhanko-rsa2048-cades.pdf` (pyHanko, /ByteRange after /Contents).
    pub pyhanko: Vec<u8>,
    /// `unsigned.pdf` signed by the crate's signer with leaf-rsa2048 at [`t_sign`].
    pub signed: Vec<u8>,
    /// The two-page shadow document of [`shadow::document`] (hidden content, a text field,
    /// an overlay annotation), unsigned.
    pub shadow: Vec<u8>,
    /// [`Bases::shadow`] signed like [`Bases::signed`].
    pub shadow_signed: Vec<u8>,
}

impl Bases {
    /// Reads the fixtures and signs the two unsigned bases.
    pub fn load() -> Bases {
        let unsigned = common::fixtures::fixture_bytes("pdf/unsigned.pdf");
        let key = signer("leaf-rsa2048");
        let signed = crate_sign(&unsigned, &key, t_sign(), None);
        let shadow = shadow::document();
        let shadow_signed = crate_sign(&shadow, &key, t_sign(), None);
        Bases {
            pyhanko: common::fixtures::fixture_bytes("pdf/pyhanko-rsa2048-cades.pdf"),
            unsigned,
            signed,
            shadow,
            shadow_signed,
        }
    }
}

/// Every variant, in table order.
pub fn all_variants() -> Vec<Variant> {
    let b = Bases::load();
    let mut v = vec![
        Variant::one(
            "control",
            "control-pyhanko",
            b.pyhanko.clone(),
            Exp::passed("Signature1").mods(Modifications::None),
        ),
        Variant::one(
            "control",
            "control-crate-signed",
            b.signed.clone(),
            Exp::passed("Signature1").mods(Modifications::None),
        ),
        Variant::one(
            "control",
            "control-shadow-document-signed",
            b.shadow_signed.clone(),
            Exp::passed("Signature1").mods(Modifications::None),
        ),
    ];
    // Controls of the whitelist: what may follow a signature does not break it.
    {
        let mut u = kit::Update::new(&b.signed);
        let info = match u.doc.trailer(u.rev).and_then(|t| t.get(b"Info")) {
            Some(vnedoc::internals::pdf::object::Object::Ref(n, _)) => *n,
            _ => panic!("indirect /Info"),
        };
        let mut d = u.dict(info);
        kit::set(
            &mut d,
            b"ModDate",
            vnedoc::internals::pdf::object::Object::String(
                vnedoc::internals::pdf::object::PdfString {
                    bytes: kit::pdf_date(t_sign() + 60).into_bytes(),
                    hex: false,
                    span: Default::default(),
                },
            ),
        );
        u.put_dict(info, &d);
        v.push(Variant::one(
            "control",
            "control-info-updated-after-signing",
            u.finish(),
            Exp::passed("Signature1").mods(Modifications::Allowed),
        ));
    }
    v.push(Variant::new(
        "control",
        "control-second-signature",
        crate_sign(&b.signed, &signer("leaf-rsa3072"), t_sign() + 600, None),
        vec![
            Exp::passed("Signature1").mods(Modifications::Allowed),
            Exp::passed("Signature2").mods(Modifications::None),
        ],
    ));
    v.extend(usf::variants(&b));
    v.extend(wrapping::variants(&b));
    v.extend(isa::variants(&b));
    v.extend(certified::variants(&b));
    v.extend(shadow::variants(&b));
    v.extend(certs::variants(&b));
    v
}

fn ind_name(i: Indication) -> &'static str {
    match i {
        TotalPassed => "TOTAL_PASSED",
        TotalFailed => "TOTAL_FAILED",
        Indeterminate => "INDETERMINATE",
    }
}

fn sub_name(s: Option<SubIndication>) -> String {
    match s {
        None => "-".into(),
        Some(s) => serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{s:?}")),
    }
}

fn mods_name(m: Modifications) -> &'static str {
    match m {
        Modifications::None => "none",
        Modifications::Allowed => "allowed",
        Modifications::Disallowed => "disallowed",
    }
}

/// Differences between an expectation and a signature's report (empty when it matches).
fn mismatches(e: &Exp, s: &SignatureReport) -> Vec<String> {
    let mut out = Vec::new();
    if s.field != e.field {
        out.push(format!("field {} (expected {})", s.field, e.field));
    }
    if s.indication != e.ind || s.subindication != e.sub {
        out.push(format!(
            "{}/{} (expected {}/{})",
            ind_name(s.indication),
            sub_name(s.subindication),
            ind_name(e.ind),
            sub_name(e.sub)
        ));
    }
    if let Some(i) = e.integrity
        && s.integrity != i
    {
        out.push(format!("integrity {} (expected {i})", s.integrity));
    }
    if let Some(m) = e.mods
        && s.modifications != m
    {
        out.push(format!(
            "modifications {} (expected {})",
            mods_name(s.modifications),
            mods_name(m)
        ));
    }
    out
}

#[test]
fn attacked_variants_get_their_exact_verdicts() {
    let started = std::time::Instant::now();
    let variants = all_variants();
    let built = started.elapsed();
    let verifier = common::fixtures::default_verifier();
    let out_dir = std::env::var_os("ATTACKS_OUT").map(std::path::PathBuf::from);
    if let Some(d) = &out_dir {
        std::fs::create_dir_all(d).expect("ATTACKS_OUT directory");
    }

    let mut names = std::collections::HashSet::new();
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<10} {:<52} {:<14} {:<45} {:<5} {:<10} status",
        "group", "variant", "field", "verdict", "integ", "mods"
    );
    let mut failures = Vec::new();
    for v in &variants {
        assert!(names.insert(v.name), "duplicate variant name {}", v.name);
        if let Some(d) = &out_dir {
            std::fs::write(d.join(format!("{}.pdf", v.name)), &v.pdf).expect("write variant");
        }
        let report = verifier.verify_bytes(v.name, &v.pdf);
        let mut problems = Vec::new();
        if let Some(e) = &report.error {
            problems.push(format!("document error: {e}"));
        }
        if report.signatures.len() != v.expect.len() {
            problems.push(format!(
                "{} signature(s) reported, {} expected: {:?}",
                report.signatures.len(),
                v.expect.len(),
                report
                    .signatures
                    .iter()
                    .map(|s| (&s.field, s.indication, s.subindication))
                    .collect::<Vec<_>>()
            ));
        }
        for (i, (e, s)) in v.expect.iter().zip(&report.signatures).enumerate() {
            let m = mismatches(e, s);
            let status = if m.is_empty() { "ok" } else { "FAIL" };
            let _ = writeln!(
                table,
                "{:<10} {:<52} {:<14} {:<45} {:<5} {:<10} {}{}",
                if i == 0 { v.group } else { "" },
                if i == 0 { v.name } else { "  (next signature)" },
                s.field,
                format!("{}/{}", ind_name(s.indication), sub_name(s.subindication)),
                s.integrity,
                mods_name(s.modifications),
                status,
                if m.is_empty() {
                    String::new()
                } else {
                    format!(" (expected {}/{})", ind_name(e.ind), sub_name(e.sub))
                }
            );
            if std::env::var("ATTACKS_VERBOSE").is_ok_and(|v| v == "1") {
                let _ = writeln!(
                    table,
                    "           errors: {:?}\n           changes: {:?}",
                    s.errors, s.modification_details
                );
            }
            for p in m {
                problems.push(format!(
                    "signature {i} ({}): {p}; errors: {:?}; changes: {:?}",
                    s.field, s.errors, s.modification_details
                ));
            }
        }
        if report.signatures.is_empty() {
            let _ = writeln!(table, "{:<10} {:<52} (no signature) FAIL", v.group, v.name);
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n    {}", v.name, problems.join("\n    ")));
        }
    }
    println!(
        "\n{} variants ({} signatures), built in {:.2}s, verified in {:.2}s\n{table}",
        variants.len(),
        variants.iter().map(|v| v.expect.len()).sum::<usize>(),
        built.as_secs_f64(),
        (started.elapsed() - built).as_secs_f64(),
    );
    assert!(
        failures.is_empty(),
        "{} variant(s) misclassified:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Every variant is documented.
    let readme =
        std::fs::read_to_string(common::fixtures::fixtures_dir().join("attacks/README.md"))
            .expect("fixtures/attacks/README.md");
    let undocumented: Vec<&str> = variants
        .iter()
        .map(|v| v.name)
        .filter(|n| !readme.contains(&format!("`{n}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "variants missing from fixtures/attacks/README.md: {undocumented:?}"
    );
}

/// The generator is deterministic: the same bytes on every run (RSA PKCS#1 v1.5 only, fixed
/// times), so a verdict change is always a verifier change.
#[test]
fn generation_is_deterministic() {
    let digest = |vs: &[Variant]| -> Vec<(&'static str, Vec<u8>)> {
        vs.iter()
            .map(|v| {
                (
                    v.name,
                    vnedoc::internals::crypto::DigestAlgorithm::Sha256.digest(&[&v.pdf]),
                )
            })
            .collect()
    };
    let a = all_variants();
    let b = all_variants();
    assert_eq!(digest(&a), digest(&b));
}
