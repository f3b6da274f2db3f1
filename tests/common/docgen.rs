//! Generated document trees for `vnedoc stats`: small one-page PDFs in one folder per unit,
//! signed by the test keys of `fixtures/pki` with the crate's own signer, tampered after
//! signing, or left unsigned, with the counts each unit must show.
//!
//! Shared by `tests/stats.rs` and `examples/stats_scale.rs` (included there by path), so it
//! uses nothing but `std` and `vnedoc`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use vnedoc::exchange::{AgencyId, Date};
use vnedoc::sign::{KeySigner, SignOptions, sign_pdf};
use vnedoc::time::Timestamp;

/// What a generated document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Signed by a person; `sealed` adds the agency's signature after it (Decree 30 Art. 5).
    Signed {
        sealed: bool,
    },
    /// Signed, then one byte of the page content changed: HASH_FAILURE.
    Tampered,
    Unsigned,
}

/// Expected counts of one unit: (signed_valid, signed_invalid, unsigned).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    pub signed_valid: u64,
    pub signed_invalid: u64,
    pub unsigned: u64,
}

impl Expected {
    pub fn total(&self) -> u64 {
        self.signed_valid + self.signed_invalid + self.unsigned
    }
    pub fn add(&mut self, kind: Kind) {
        match kind {
            Kind::Signed { .. } => self.signed_valid += 1,
            Kind::Tampered => self.signed_invalid += 1,
            Kind::Unsigned => self.unsigned += 1,
        }
    }
}

/// One generated document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub unit: AgencyId,
    pub kind: Kind,
    pub date: Date,
    pub path: PathBuf,
}

/// The test keys: persons sign with RSA-2048 or P-256, the agency with its RSA-3072
/// organisation certificate (`CN` = the agency's name, `UID` = `MST:`).
pub struct Keys {
    pub persons: Vec<KeySigner>,
    pub agency: KeySigner,
}

impl Keys {
    pub fn load(pki: &Path) -> Keys {
        let signer = |leaf: &str| {
            KeySigner::from_files(
                &pki.join(format!("{leaf}.key")),
                &pki.join(format!("{leaf}.pem")),
                &[pki.join("intermediate.pem")],
            )
            .unwrap_or_else(|e| panic!("{leaf}: {e}"))
        };
        Keys {
            persons: vec![signer("leaf-p256"), signer("leaf-rsa2048")],
            agency: signer("leaf-rsa3072"),
        }
    }
}

/// SplitMix64: a fixed, dependency-free pseudo-random sequence, so the tree is the same on
/// every run.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The kind of document `n` of unit number `u`: each unit has its own signed share between
/// 55% and 99%, so some units are under a 90% target and some above it; 5% are tampered.
pub fn kind_of(u: u64, n: u64) -> Kind {
    let share = 55 + mix(u) % 45;
    let roll = mix(u.wrapping_mul(1_000_003).wrapping_add(n)) % 100;
    if roll < share {
        Kind::Signed {
            sealed: mix(roll ^ n).is_multiple_of(10),
        }
    } else if roll < share + 5 {
        Kind::Tampered
    } else {
        Kind::Unsigned
    }
}

/// Day `n` of a unit: spread over 2025 and 2026.
pub fn date_of(u: u64, n: u64) -> Date {
    let day = mix(u ^ n.rotate_left(17)) % 730;
    let mut d = Date::new(2025, 1, 1).unwrap();
    for _ in 0..day {
        d = next_day(d);
    }
    d
}

fn next_day(d: Date) -> Date {
    let (y, m, day) = (d.year(), d.month(), d.day());
    Date::new(y, m, day + 1)
        .or_else(|| Date::new(y, m + 1, 1))
        .or_else(|| Date::new(y + 1, 1, 1))
        .unwrap()
}

/// 09:00 in Hanoi on `d`.
pub fn nine_am(d: Date) -> Timestamp {
    vnedoc::time::VIETNAM
        .to_timestamp(d.civil().at(9, 0, 0, 0))
        .unwrap()
}

/// A one-page PDF with its own text (so every document has its own SHA-256) and an
/// `/Info /CreationDate` on `date`.
pub fn minimal_pdf(text: &str, date: Date) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let created = format!(
        "D:{:04}{:02}{:02}090000+07'00'",
        date.year(),
        date.month(),
        date.day()
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>".to_owned(),
        format!("<< /Title ({text}) /CreationDate ({created}) >>"),
    ];
    let mut out = String::from("%PDF-1.7\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = write!(out, "{} 0 obj\n{body}\nendobj\n", i + 1);
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(out, "{o:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.into_bytes()
}

/// The bytes of a document of `kind`.
pub fn document(keys: &Keys, kind: Kind, text: &str, date: Date, pick: u64) -> Vec<u8> {
    let pdf = minimal_pdf(text, date);
    let at = nine_am(date);
    let sign = |pdf: &[u8]| {
        let n = keys.persons.len() as u64;
        let person = &keys.persons[(pick % n) as usize];
        sign_pdf(pdf, person, &SignOptions::new(at)).expect("sign")
    };
    match kind {
        Kind::Unsigned => pdf,
        Kind::Signed { sealed: false } => sign(&pdf),
        Kind::Signed { sealed: true } => {
            let signed = sign(&pdf);
            sign_pdf(
                &signed,
                &keys.agency,
                &SignOptions::new(at + SignedDuration::from_mins(10)),
            )
            .expect("seal")
        }
        Kind::Tampered => {
            let mut signed = sign(&pdf);
            // The page text sits in the signed first range: change its first letter.
            let at = find(&signed, b"Td (").expect("page text") + 4;
            signed[at] ^= 0x20;
            signed
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Plans `per_unit(u)` documents for unit number `u` under `root/<unit>/<n>.pdf` (creating
/// the folders) and returns them with what each unit must count; [`write`] makes each file.
pub fn generate(
    root: &Path,
    units: &[AgencyId],
    per_unit: &dyn Fn(u64) -> u64,
) -> (Vec<Doc>, BTreeMap<AgencyId, Expected>) {
    let mut docs = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        let u = u as u64;
        let folder = root.join(unit.as_str());
        std::fs::create_dir_all(&folder).unwrap();
        for n in 0..per_unit(u) {
            docs.push(Doc {
                unit: unit.clone(),
                kind: kind_of(u, n),
                date: date_of(u, n),
                path: folder.join(format!("{n:05}.pdf")),
            });
        }
    }
    let mut expected: BTreeMap<AgencyId, Expected> = BTreeMap::new();
    for d in &docs {
        expected.entry(d.unit.clone()).or_default().add(d.kind);
    }
    (docs, expected)
}

/// Writes one generated document.
pub fn write(keys: &Keys, doc: &Doc, index: u64) {
    let text = format!(
        "Cong van so {index} cua {} ngay {}",
        doc.unit.as_str(),
        doc.date
    );
    let bytes = document(keys, doc.kind, &text, doc.date, mix(index));
    std::fs::write(&doc.path, bytes).unwrap();
}
