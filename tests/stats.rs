//! `vnedoc stats` end to end: generated trees of unit folders holding signed, sealed, tampered
//! and unsigned PDFs (made with the crate's own signer), and edXML envelopes, whose counts the
//! test knows; the JSON contract, the roll-up, periods, the text and CSV forms, unreadable
//! files, a persistent SQLite ledger and the thread count.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::tmp::TempDir;
use std::collections::BTreeMap;
use std::process::Command;

use common::docgen::{self, Doc, Expected, Keys, Kind};
use serde_json::Value;
use vnedoc::exchange::{AgencyId, Directory, Sample};
use vnedoc::ledger::Period;

fn tmp(name: &str) -> TempDir {
    TempDir::new(&format!("stats-{name}"))
}

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn directory() -> Directory {
    Directory::sample(Sample::Y2025).unwrap()
}

fn keys() -> Keys {
    Keys::load(&common::repo_dir().join("fixtures/pki"))
}

fn root_pem() -> String {
    common::repo_dir()
        .join("fixtures/pki/root.pem")
        .display()
        .to_string()
}

fn write_all(keys: &Keys, docs: &[Doc]) {
    let indexed: Vec<(u64, &Doc)> = (0u64..).zip(docs).collect();
    common::parallel_map(&indexed, |(i, d)| docgen::write(keys, d, *i));
}

/// Runs `vnedoc stats ARGS` and returns stdout; the command must succeed.
fn stats(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vnedoc"))
        .arg("stats")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vnedoc stats {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn stats_json(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&stats(&all)).unwrap()
}

/// Expected rows by unit id: (name, counts).
type Table = BTreeMap<String, (String, Expected)>;

/// The `units` and `rollup` tables the documents must give, computed here from the directory's
/// parent links: `units` has each unit's own counts, `rollup` every ancestor of a unit with
/// documents, with its whole subtree.
fn expected_tables(dir: &Directory, own: &BTreeMap<AgencyId, Expected>) -> (Table, Table) {
    let name = |u: &AgencyId| dir.get(u).map(|a| a.name.clone()).unwrap_or_default();
    let units = own
        .iter()
        .filter(|(_, e)| e.total() > 0)
        .map(|(u, e)| (u.as_str().to_owned(), (name(u), *e)))
        .collect();
    let mut rollup: Table = BTreeMap::new();
    for (u, e) in own.iter().filter(|(_, e)| e.total() > 0) {
        let mut parent = dir.get(u).and_then(|a| a.parent.clone());
        while let Some(p) = parent {
            let slot = rollup
                .entry(p.as_str().to_owned())
                .or_insert_with(|| (name(&p), Expected::default()));
            slot.1.signed_valid += e.signed_valid;
            slot.1.signed_invalid += e.signed_invalid;
            slot.1.unsigned += e.unsigned;
            parent = dir.get(&p).and_then(|a| a.parent.clone());
        }
    }
    // An ancestor's own documents are in its subtree too.
    for (u, slot) in rollup.iter_mut() {
        if let Some(e) = own.get(&id(u)) {
            slot.1.signed_valid += e.signed_valid;
            slot.1.signed_invalid += e.signed_invalid;
            slot.1.unsigned += e.unsigned;
        }
    }
    (units, rollup)
}

/// Checks one JSON table against the expected rows, field by field.
fn assert_table(json: &Value, table: &str, expected: &Table) {
    let rows = json[table].as_array().unwrap_or_else(|| panic!("{table}"));
    let got: BTreeMap<String, &Value> = rows
        .iter()
        .map(|r| (r["unit"].as_str().unwrap().to_owned(), r))
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{table}: units"
    );
    for (unit, (name, e)) in expected {
        let r = got[unit];
        let ctx = format!("{table} {unit}");
        assert_eq!(r["name"], *name, "{ctx}");
        assert_eq!(r["total"], e.total(), "{ctx}");
        assert_eq!(r["signed_valid"], e.signed_valid, "{ctx}");
        assert_eq!(r["signed_invalid"], e.signed_invalid, "{ctx}");
        assert_eq!(r["unsigned"], e.unsigned, "{ctx}");
        let share = 100.0 * e.signed_valid as f64 / e.total() as f64;
        let got_share = r["signed_share"].as_f64().unwrap();
        assert!(
            (got_share - share).abs() < 1e-9,
            "{ctx}: {got_share} vs {share}"
        );
    }
}

fn count(docs: &[Doc], keep: impl Fn(&Doc) -> bool) -> BTreeMap<AgencyId, Expected> {
    let mut out: BTreeMap<AgencyId, Expected> = BTreeMap::new();
    for d in docs.iter().filter(|d| keep(d)) {
        out.entry(d.unit.clone()).or_default().add(d.kind);
    }
    out
}

/// The units of the folder test: Hà Nội itself, three of its wards, a ministry and a ward of
/// Hồ Chí Minh City.
fn folder_units(dir: &Directory) -> Vec<AgencyId> {
    let hanoi = id("H26");
    let mut units = vec![hanoi.clone()];
    units.extend(dir.children(&hanoi).iter().take(3).map(|a| a.id.clone()));
    units.push(id("G06"));
    units.push(dir.children(&id("H29")).first().unwrap().id.clone());
    units
}

#[test]
fn folders_tree_counts_rollup_and_periods() {
    let dir = directory();
    let root = tmp("folders");
    let keys = keys();
    let units = folder_units(&dir);
    let (docs, expected) = docgen::generate(&root, &units, &|u| 18 + 7 * u);
    write_all(&keys, &docs);
    // Every kind is present, so every column is exercised.
    for k in [
        Kind::Signed { sealed: true },
        Kind::Tampered,
        Kind::Unsigned,
    ] {
        assert!(docs.iter().any(|d| d.kind == k), "{k:?}");
    }
    // Files that are not documents of a unit: counted and listed, never fatal.
    std::fs::write(
        root.join(units[1].as_str()).join("hong.pdf"),
        b"%PDF-1.7 truncated",
    )
    .unwrap();
    std::fs::write(root.join("lac-loai.pdf"), minimal()).unwrap();
    std::fs::create_dir_all(root.join("khong-phai-ma")).unwrap();
    std::fs::write(root.join("khong-phai-ma/x.pdf"), minimal()).unwrap();
    std::fs::write(
        root.join(units[0].as_str()).join("ghi-chu.txt"),
        b"not a PDF",
    )
    .unwrap();

    let r = root.display().to_string();
    let trust = root_pem();
    let json = stats_json(&["--trust", &trust, &r]);
    let (eu, er) = expected_tables(&dir, &expected);
    assert_table(&json, "units", &eu);
    assert_table(&json, "rollup", &er);
    // Hà Nội's roll-up covers itself and its wards; the nation-level rows are absent (the
    // 2025 directory has no parent above provinces and ministries).
    assert!(er.contains_key("H26") && !er.contains_key("G06"));
    assert_eq!(json["files"], docs.len() as u64 + 3);
    let unreadable = json["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 3, "{unreadable:?}");
    let reasons: Vec<String> = unreadable.iter().map(|u| u.to_string()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("hong.pdf") && r.contains("unreadable")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("lac-loai.pdf")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("khong-phai-ma")),
        "{reasons:?}"
    );
    assert_eq!(json["target"], 90.0);
    assert_eq!(json["period"], Value::Null);

    // Periods: the documents' own dates (signing time, else /CreationDate).
    for p in ["2025-Q3", "2026", "2026-02"] {
        let period: Period = p.parse().unwrap();
        let json = stats_json(&["--trust", &trust, "--period", p, &r]);
        let (eu, er) = expected_tables(&dir, &count(&docs, |d| period.contains(d.date)));
        assert_table(&json, "units", &eu);
        assert_table(&json, "rollup", &er);
        assert_eq!(json["period"], p);
    }

    // Without the trust anchor no signature is valid: signed documents become invalid.
    let untrusted = stats_json(&[&r]);
    let total_valid: u64 = untrusted["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["signed_valid"].as_u64().unwrap())
        .sum();
    assert_eq!(total_valid, 0);

    // One thread gives the same tables.
    assert_eq!(stats_json(&["--trust", &trust, "--threads", "1", &r]), json);

    // Text: the tables with names, the below-target list and the unreadable files.
    let text = stats(&["--trust", &trust, &r]);
    assert!(
        text.contains("signed_valid") && text.contains("Roll-up"),
        "{text}"
    );
    for (unit, (name, _)) in &eu {
        assert!(
            text.contains(unit.as_str()) && text.contains(name.as_str()),
            "{unit}"
        );
    }
    assert!(text.contains("hong.pdf"));
    let below = units_below(&eu, 90.0);
    if !below.is_empty() {
        assert!(text.contains("Below target"), "{text}");
    }
    // A lower target lists fewer units.
    let low = stats(&["--trust", &trust, "--target", "50", &r]);
    assert!(!low.contains("Below target") || units_below(&eu, 50.0).len() < below.len());

    // CSV: a byte-order mark for Excel, a header and one line per row of both tables.
    let csv = stats(&["--trust", &trust, "--csv", &r]);
    let csv = csv
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("--csv starts with the UTF-8 byte-order mark: {csv:.40}"));
    assert_eq!(
        stats(&["--trust", &trust, "--csv", "--no-bom", &r]),
        csv,
        "--no-bom: the same table without the mark"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "table,unit,name,total,signed_valid,signed_invalid,unsigned,signed_share"
    );
    assert_eq!(lines.len(), 1 + eu.len() + er.len());
    for (unit, (_, e)) in &eu {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("units,{unit},")))
            .unwrap();
        assert!(
            line.contains(&format!(
                ",{},{},{},{},",
                e.total(),
                e.signed_valid,
                e.signed_invalid,
                e.unsigned
            )),
            "{line}"
        );
    }

    // A persistent ledger: scanning the same tree twice counts every document once.
    let db = root.join("ledger.sqlite").display().to_string();
    let first = stats_json(&["--trust", &trust, "--ledger", &db, &r]);
    let second = stats_json(&["--trust", &trust, "--ledger", &db, &r]);
    assert_eq!(first["units"], json["units"]);
    assert_eq!(second["units"], json["units"]);
    assert_eq!(second["rollup"], json["rollup"]);

    // HTML: written to the file, nothing on stdout.
    let html = root.join("bao-cao.html");
    let out = stats(&["--trust", &trust, "--html", &html.display().to_string(), &r]);
    assert!(out.is_empty());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<html") && page.contains(&eu.values().next().unwrap().0));
}

fn units_below(rows: &Table, target: f64) -> Vec<String> {
    rows.iter()
        .filter(|(_, (_, e))| (100.0 * e.signed_valid as f64 / e.total() as f64) < target)
        .map(|(u, _)| u.clone())
        .collect()
}

fn minimal() -> Vec<u8> {
    docgen::minimal_pdf("Lac loai", vnedoc::exchange::Date::new(2025, 5, 5).unwrap())
}

/// Units from edXML envelopes: the sender is the unit, the first PDF attachment the document.
#[test]
fn edxml_envelopes_counted_by_sender() {
    use vnedoc::exchange::edxml::{
        Attachment, Code, EdxmlDate, Envelope, Header, MessageHeader, Organization, to_xml,
    };
    let dir = directory();
    let root = tmp("edxml");
    let keys = keys();
    let senders = [id("H26"), id("G06"), dir.children(&id("H26"))[0].id.clone()];
    let (docs, _) = docgen::generate(&root.join("pdf"), &senders, &|_| 6);
    write_all(&keys, &docs);
    let mut expected: BTreeMap<AgencyId, Expected> = BTreeMap::new();
    let envelopes = root.join("envelopes");
    std::fs::create_dir_all(&envelopes).unwrap();
    for (n, d) in docs.iter().enumerate() {
        let mut h = MessageHeader::new(
            Organization::new(d.unit.as_str()),
            vec![Organization::new("H29")],
        );
        h.code = Some(Code {
            code_number: Some(n.to_string()),
            code_notation: Some("VP".into()),
        });
        h.document_id = Some(format!("{},2025/01/02,{n},VP", d.unit.as_str()));
        h.promulgation_info = None;
        let mut env = Envelope::new(Header::edoc(h));
        // An unsigned Word appendix first: the document is the first PDF, not the first file.
        env.add_attachment(Attachment {
            content_type: Some("application/msword".into()),
            content_id: "phu-luc".into(),
            description: None,
            name: Some("phu-luc.doc".into()),
            content: b"not a pdf".to_vec(),
        });
        env.add_attachment(Attachment {
            content_type: Some("application/pdf".into()),
            content_id: "van-ban".into(),
            description: None,
            name: Some("van-ban.pdf".into()),
            content: std::fs::read(&d.path).unwrap(),
        });
        std::fs::write(envelopes.join(format!("{n:03}.edxml")), to_xml(&env)).unwrap();
        expected.entry(d.unit.clone()).or_default().add(d.kind);
    }
    // An envelope without a PDF is an unsigned document of its sender, dated by promulgation.
    let mut h = MessageHeader::new(Organization::new("G06"), vec![Organization::new("H26")]);
    h.document_id = Some("G06,2025/03/04,99,VP".into());
    h.promulgation_info = Some(vnedoc::exchange::edxml::PromulgationInfo {
        place: Some("Hà Nội".into()),
        promulgation_date: EdxmlDate::new(2025, 3, 4),
    });
    std::fs::write(
        envelopes.join("no-pdf.edxml"),
        to_xml(&Envelope::new(Header::edoc(h))),
    )
    .unwrap();
    expected.entry(id("G06")).or_default().add(Kind::Unsigned);
    // Not an envelope.
    std::fs::write(envelopes.join("broken.xml"), b"<edXMLEnvelope><oops").unwrap();

    let json = stats_json(&[
        "--trust",
        &root_pem(),
        "--units-from",
        "edxml",
        &envelopes.display().to_string(),
    ]);
    let (eu, er) = expected_tables(&dir, &expected);
    assert_table(&json, "units", &eu);
    assert_table(&json, "rollup", &er);
    assert_eq!(json["unreadable"].as_array().unwrap().len(), 1);
    assert_eq!(json["files"], docs.len() as u64 + 2);
}

/// The scale run of `examples/stats_scale.rs`, small: documents across every 11th unit of the
/// 2025 directory, every unit and roll-up row checked.
#[test]
fn directory_wide_tree() {
    let dir = directory();
    let root = tmp("wide");
    let keys = keys();
    let units: Vec<AgencyId> = dir.iter().step_by(11).map(|a| a.id.clone()).collect();
    assert!(units.len() > 250);
    let (docs, expected) = docgen::generate(&root, &units, &|u| 2 + u % 5);
    write_all(&keys, &docs);
    let json = stats_json(&["--trust", &root_pem(), &root.display().to_string()]);
    let (eu, er) = expected_tables(&dir, &expected);
    assert_table(&json, "units", &eu);
    assert_table(&json, "rollup", &er);
    assert!(json["unreadable"].as_array().unwrap().is_empty());
    // Some units are below the 90% target and some at or above it.
    let below = units_below(&eu, 90.0).len();
    assert!(below > 0 && below < eu.len(), "{below} of {}", eu.len());
}

#[test]
fn usage_errors_exit_2() {
    let bin = env!("CARGO_BIN_EXE_vnedoc");
    let dir = tmp("usage");
    let d = dir.display().to_string();
    for args in [
        vec!["stats", "--period", "2026-Q5", &d],
        vec!["stats", "--target", "120", &d],
        vec!["stats", "--units-from", "zip", &d],
        vec!["stats", "--json", "--csv", &d],
        vec!["stats", "--directory", "/khong/co/tep.csv", &d],
    ] {
        let out = Command::new(bin).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // An empty folder is not an error: empty tables.
    let json = stats_json(&[&d]);
    assert_eq!(json["units"], serde_json::json!([]));
    assert_eq!(json["files"], 0);
}
