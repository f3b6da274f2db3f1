//! The per-unit statistics ledger: deduplication, roll-up over the directory, periods,
//! targets, year over year, Decree 30 Art. 5 completeness, both stores, and entries built from
//! real verifier reports on the fixtures.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use std::path::PathBuf;

use common::fixtures::{default_verifier, fixture_bytes};
use common::tmp::TempDir;
use vnedoc::exchange::store::{SqliteStore, Store};
use vnedoc::exchange::{AgencyId, Date, Directory, Sample};
use vnedoc::ledger::{
    Counts, DEFAULT_TARGET, DefaultClassifier, Direction, Entry, Filter, Ledger, LedgerError,
    LedgerStore, MemoryLedger, Outcome, Period, Recorded, Row, Scope, SignerClassifier, SignerRole,
    SqliteLedger,
};
use vnedoc::verify::{DocumentReport, SignatureReport, SignerReport};
use vnedoc::{Indication, SubIndication};

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// A fresh folder for a store (removed when the guard drops) and the store's path in it.
fn temp_db(name: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(&format!("ledger-{name}"));
    let path = dir.join("store.sqlite");
    (dir, path)
}

/// Both stores, boxed, so every query test runs on each; the folder of the SQLite one.
#[allow(clippy::type_complexity)]
fn stores(name: &str) -> (TempDir, Vec<(&'static str, Ledger<Box<dyn LedgerStore>>)>) {
    let (dir, path) = temp_db(name);
    let list = vec![
        (
            "memory",
            Ledger::new(Box::new(MemoryLedger::new()) as Box<dyn LedgerStore>),
        ),
        (
            "sqlite",
            Ledger::new(Box::new(SqliteLedger::open(&path).unwrap()) as Box<dyn LedgerStore>),
        ),
    ];
    (dir, list)
}

/// An entry whose SHA-256 is derived from the unit and document id (distinct documents have
/// distinct digests).
fn entry(unit: &str, doc: &str, day: &str, outcome: Outcome) -> Entry {
    Entry {
        unit: id(unit),
        document_id: doc.to_owned(),
        sha256: vnedoc::ledger::sha256(format!("{unit}/{doc}").as_bytes()),
        direction: Direction::Issued,
        date: date(day),
        outcome,
        legally_complete: None,
    }
}

const INVALID: Outcome = Outcome::SignedInvalid {
    indication: Indication::TotalFailed,
    subindication: Some(SubIndication::HashFailure),
};

/// `n` entries of one outcome for a unit on a day, with document ids `{tag}-{i}`.
fn many(unit: &str, tag: &str, n: usize, day: &str, outcome: Outcome) -> Vec<Entry> {
    (0..n)
        .map(|i| entry(unit, &format!("{tag}-{i}"), day, outcome))
        .collect()
}

fn counts(total: u64, valid: u64, invalid: u64, unsigned: u64) -> Counts {
    let c = Counts::new(valid, invalid, unsigned);
    assert_eq!(c.total, total, "test arithmetic");
    c
}

#[test]
fn dedup_same_document_counts_once() {
    let (_dir, list) = stores("dedup");
    for (store, mut ledger) in list {
        let first = entry("H26.001", "1/QĐ", "2026-07-01", Outcome::SignedValid);
        assert_eq!(
            ledger.record(first.clone()).unwrap(),
            Recorded::Inserted,
            "{store}"
        );
        // Same id again, even with another digest and outcome: the first recording stands.
        let mut same_id = first.clone();
        same_id.sha256 = [9; 32];
        same_id.outcome = Outcome::Unsigned;
        assert_eq!(
            ledger.record(same_id).unwrap(),
            Recorded::Duplicate,
            "{store}"
        );
        // Same bytes under another id.
        let mut same_hash = first.clone();
        same_hash.document_id = "copy-of-1".into();
        assert_eq!(
            ledger.record(same_hash).unwrap(),
            Recorded::Duplicate,
            "{store}"
        );
        // Another direction or another unit is another record.
        let mut received = first.clone();
        received.direction = Direction::Received;
        assert_eq!(
            ledger.record(received).unwrap(),
            Recorded::Inserted,
            "{store}"
        );
        let mut other_unit = first.clone();
        other_unit.unit = id("H26.002");
        assert_eq!(
            ledger.record(other_unit).unwrap(),
            Recorded::Inserted,
            "{store}"
        );
        // Duplicates inside one batch.
        let a = entry("H26.003", "a", "2026-07-02", Outcome::Unsigned);
        let out = ledger.record_all(&[a.clone(), a.clone()]).unwrap();
        assert_eq!(out, [Recorded::Inserted, Recorded::Duplicate], "{store}");

        assert_eq!(ledger.store().len().unwrap(), 4, "{store}");
        let c = ledger
            .counts(Scope::Unit(&id("H26.001")), &Filter::default())
            .unwrap();
        assert_eq!(c, counts(2, 2, 0, 0), "{store}");
        let issued = ledger
            .counts(
                Scope::Unit(&id("H26.001")),
                &Filter::default().with_direction(Direction::Issued),
            )
            .unwrap();
        assert_eq!(issued, counts(1, 1, 0, 0), "{store}");
        // The stored entry is the first one, intact.
        let stored = ledger
            .store()
            .entries(
                &Filter::default()
                    .with_unit(id("H26.001"))
                    .with_direction(Direction::Issued),
            )
            .unwrap();
        assert_eq!(stored, [first], "{store}");
    }
}

#[test]
fn rollup_commune_to_province_on_2019_directory() {
    let dir = Directory::sample(Sample::Y2019).unwrap();
    // Hà Nội (H26) > Quận Ba Đình (H26.001) > Phường Phúc Xá (H26.001.00001); Hà Tĩnh (H27).
    assert_eq!(
        dir.get(&id("H26.001.00001")).unwrap().parent,
        Some(id("H26.001"))
    );
    let (_dir, list) = stores("rollup2019");
    for (store, mut ledger) in list {
        let mut batch = Vec::new();
        batch.extend(many(
            "H26.001.00001",
            "c",
            3,
            "2026-07-10",
            Outcome::SignedValid,
        ));
        batch.extend(many(
            "H26.001.00001",
            "cu",
            1,
            "2026-07-10",
            Outcome::Unsigned,
        ));
        batch.extend(many("H26.001", "d", 2, "2026-07-11", INVALID));
        batch.extend(many(
            "H26.002.00037",
            "c2",
            4,
            "2026-08-01",
            Outcome::SignedValid,
        ));
        batch.extend(many("H26", "p", 1, "2026-09-30", Outcome::SignedValid));
        batch.extend(many("H27", "other", 5, "2026-07-01", Outcome::Unsigned));
        // Outside the period: counted nowhere.
        batch.extend(many(
            "H26.001.00001",
            "old",
            7,
            "2026-06-30",
            Outcome::Unsigned,
        ));
        ledger.record_all(&batch).unwrap();

        let q3: Period = "2026-Q3".parse().unwrap();
        let (units, rollup) = ledger.rollup(&dir, Some(q3)).unwrap();
        let ids = |rows: &[Row]| rows.iter().map(|r| r.unit.to_string()).collect::<Vec<_>>();
        assert_eq!(
            ids(&units),
            ["H26", "H26.001", "H26.001.00001", "H26.002.00037", "H27"],
            "{store}"
        );
        let unit = |u: &str| units.iter().find(|r| r.unit.as_str() == u).unwrap();
        assert_eq!(unit("H26.001.00001").counts, counts(4, 3, 0, 1), "{store}");
        assert_eq!(unit("H26.001.00001").name, "Phường Phúc Xá");
        assert_eq!(unit("H26.001.00001").counts.signed_share, 75.0);

        // One roll-up row per ancestor of a unit with documents: the province and the two
        // districts. H27 has documents but no documented descendant; the communes have none.
        assert_eq!(ids(&rollup), ["H26", "H26.001", "H26.002"], "{store}");
        let up = |u: &str| rollup.iter().find(|r| r.unit.as_str() == u).unwrap();
        assert_eq!(up("H26").counts, counts(11, 8, 2, 1), "{store}");
        assert_eq!(up("H26").name, "Thành phố Hà Nội");
        assert_eq!(up("H26.001").counts, counts(6, 3, 2, 1), "{store}");
        assert_eq!(up("H26.002").counts, counts(4, 4, 0, 0), "{store}");

        // The same through Scope::Subtree, and all time includes the June documents.
        let h26 = id("H26");
        let sub = ledger
            .counts(Scope::Subtree(&dir, &h26), &Filter::period(q3))
            .unwrap();
        assert_eq!(sub, up("H26").counts, "{store}");
        let all = ledger
            .counts(Scope::Subtree(&dir, &h26), &Filter::default())
            .unwrap();
        assert_eq!(all, counts(18, 8, 2, 8), "{store}");
        let unknown = ledger
            .counts(Scope::Subtree(&dir, &id("H99")), &Filter::default())
            .unwrap();
        assert_eq!(unknown, Counts::default());
    }
}

#[test]
fn rollup_covers_departments_and_unknown_units() {
    // A province with a department (Sở), a district and a commune.
    let dir = Directory::from_csv(
        "id,name,level,parent\n\
         H20,Tỉnh Đồng Tháp,province,\n\
         H20.14,Sở Tư pháp,department,H20\n\
         H20.001,Thành phố Cao Lãnh,district,H20\n\
         H20.001.00001,Phường 1,commune,H20.001\n",
    )
    .unwrap();
    let mut ledger = Ledger::new(MemoryLedger::new());
    let mut batch = many("H20.14", "s", 9, "2026-03-01", Outcome::SignedValid);
    batch.extend(many(
        "H20.001.00001",
        "x",
        1,
        "2026-03-02",
        Outcome::Unsigned,
    ));
    // Not in the directory: listed as a unit with an empty name, rolled up nowhere.
    batch.extend(many("H63.001", "y", 2, "2026-03-03", Outcome::SignedValid));
    ledger.record_all(&batch).unwrap();
    let (units, rollup) = ledger.rollup(&dir, None).unwrap();
    assert_eq!(units.len(), 3);
    assert_eq!(
        units
            .iter()
            .find(|r| r.unit.as_str() == "H63.001")
            .unwrap()
            .name,
        ""
    );
    let up: Vec<(String, Counts)> = rollup
        .iter()
        .map(|r| (r.unit.to_string(), r.counts))
        .collect();
    assert_eq!(
        up,
        [
            ("H20".to_owned(), counts(10, 9, 0, 1)),
            ("H20.001".to_owned(), counts(1, 0, 0, 1)),
        ]
    );
    assert_eq!(rollup[0].counts.signed_share, 90.0);
}

#[test]
fn periods_month_quarter_year_boundaries() {
    let (_dir, list) = stores("periods");
    for (store, mut ledger) in list {
        let u = "H26.001";
        let days = [
            "2025-12-31",
            "2026-01-01",
            "2026-03-31",
            "2026-04-01",
            "2026-06-30",
            "2026-07-01",
            "2026-07-31",
            "2026-08-01",
            "2026-09-30",
            "2026-10-01",
            "2026-12-31",
            "2027-01-01",
        ];
        let batch: Vec<Entry> = days
            .iter()
            .map(|d| entry(u, d, d, Outcome::SignedValid))
            .collect();
        ledger.record_all(&batch).unwrap();
        let n = |p: &str| {
            ledger
                .counts(Scope::Unit(&id(u)), &Filter::period(p.parse().unwrap()))
                .unwrap()
                .total
        };
        assert_eq!(n("2025"), 1, "{store}");
        assert_eq!(n("2026"), 10, "{store}");
        assert_eq!(n("2027"), 1, "{store}");
        assert_eq!(n("2026-Q1"), 2, "{store}");
        assert_eq!(n("2026-Q2"), 2, "{store}");
        assert_eq!(n("2026-Q3"), 4, "{store}");
        assert_eq!(n("2026-Q4"), 2, "{store}");
        assert_eq!(n("2026-07"), 2, "{store}");
        assert_eq!(n("2026-08"), 1, "{store}");
        assert_eq!(n("2026-09"), 1, "{store}");
        assert_eq!(n("2026-02"), 0, "{store}");
        assert_eq!(n("2025-12"), 1, "{store}");
    }
    assert!("2026-Q5".parse::<Period>().is_err());
    assert!("2026-13".parse::<Period>().is_err());
    assert_eq!(
        "2026-Q3".parse::<Period>().unwrap(),
        Period::Quarter(2026, 3)
    );
}

#[test]
fn units_below_target() {
    let (_dir, list) = stores("target");
    for (store, mut ledger) in list {
        let mut batch = Vec::new();
        // 95 %, exactly 90 %, 50 %, 0 %.
        batch.extend(many("H26.001", "v", 19, "2026-05-05", Outcome::SignedValid));
        batch.extend(many("H26.001", "u", 1, "2026-05-05", Outcome::Unsigned));
        batch.extend(many("H26.002", "v", 9, "2026-05-05", Outcome::SignedValid));
        batch.extend(many("H26.002", "i", 1, "2026-05-05", INVALID));
        batch.extend(many("H26.003", "v", 1, "2026-05-05", Outcome::SignedValid));
        batch.extend(many("H26.003", "u", 1, "2026-05-05", Outcome::Unsigned));
        batch.extend(many("H26.004", "u", 3, "2026-05-05", Outcome::Unsigned));
        ledger.record_all(&batch).unwrap();
        let below = |target: f64| -> Vec<String> {
            ledger
                .below_target(None, &Filter::default(), target)
                .unwrap()
                .iter()
                .map(|r| r.unit.to_string())
                .collect()
        };
        // 90 % meets the target: "below" is strict.
        assert_eq!(below(DEFAULT_TARGET), ["H26.004", "H26.003"], "{store}");
        assert_eq!(
            below(100.0),
            ["H26.004", "H26.003", "H26.002", "H26.001"],
            "{store}"
        );
        assert_eq!(below(0.0), Vec::<String>::new(), "{store}");
        // Another period has no documents, so no unit is below.
        let empty = ledger
            .below_target(None, &Filter::period(Period::Year(2025)), DEFAULT_TARGET)
            .unwrap();
        assert!(empty.is_empty(), "{store}");
    }
}

#[test]
fn year_over_year_for_a_unit_and_a_subtree() {
    let dir = Directory::sample(Sample::Y2019).unwrap();
    let (_dir, list) = stores("yoy");
    for (store, mut ledger) in list {
        let mut batch = Vec::new();
        // 2025: 1 of 4 signed; 2026: 3 of 4 signed, plus a commune below.
        batch.extend(many("H26.001", "a", 1, "2025-08-01", Outcome::SignedValid));
        batch.extend(many("H26.001", "b", 3, "2025-08-02", Outcome::Unsigned));
        batch.extend(many("H26.001", "c", 3, "2026-08-01", Outcome::SignedValid));
        batch.extend(many("H26.001", "d", 1, "2026-08-02", INVALID));
        batch.extend(many(
            "H26.001.00001",
            "e",
            2,
            "2026-08-03",
            Outcome::SignedValid,
        ));
        ledger.record_all(&batch).unwrap();
        let unit = id("H26.001");
        let y = ledger
            .year_over_year(Scope::Unit(&unit), Period::Year(2026), &Filter::default())
            .unwrap();
        assert_eq!(y.previous_period, Period::Year(2025));
        assert_eq!(y.current, counts(4, 3, 1, 0), "{store}");
        assert_eq!(y.previous, counts(4, 1, 0, 3), "{store}");
        assert_eq!(y.share_change, Some(50.0), "{store}");
        assert_eq!(y.total_change, 0);

        let q = ledger
            .year_over_year(
                Scope::Subtree(&dir, &unit),
                "2026-Q3".parse().unwrap(),
                &Filter::default(),
            )
            .unwrap();
        assert_eq!(q.previous_period, Period::Quarter(2025, 3));
        assert_eq!(q.current, counts(6, 5, 1, 0), "{store}");
        assert_eq!(q.total_change, 2, "{store}");

        // No document a year earlier: no share change.
        let m = ledger
            .year_over_year(
                Scope::Unit(&id("H26.001.00001")),
                Period::Year(2026),
                &Filter::default(),
            )
            .unwrap();
        assert_eq!(m.share_change, None);
        assert!(matches!(
            ledger.year_over_year(Scope::Unit(&unit), Period::Year(1), &Filter::default()),
            Err(LedgerError::NoPreviousYear { .. })
        ));
    }
}

fn signer(cn: &str, uid: Option<&str>) -> SignerReport {
    let mut s = SignerReport::default();
    s.common_name = Some(cn.to_owned());
    s.organization = Some("UBND Tỉnh Đồng Tháp".to_owned());
    s.country = Some("VN".to_owned());
    s.uid = uid.map(str::to_owned);
    s.serial = "01".to_owned();
    s.issuer = "CN=CA".to_owned();
    s.subject = format!("CN={cn}");
    s
}

fn signature(signer: Option<SignerReport>, indication: Indication) -> SignatureReport {
    let mut s = SignatureReport::new("Signature1");
    s.sub_filter = Some("ETSI.CAdES.detached".to_owned());
    s.indication = indication;
    s.subindication = match indication {
        Indication::TotalPassed => None,
        Indication::TotalFailed => Some(SubIndication::HashFailure),
        Indication::Indeterminate => Some(SubIndication::NoCertificateChainFound),
    };
    s.integrity = indication == Indication::TotalPassed;
    s.covers_whole_file = true;
    s.signer = signer;
    s
}

fn report(signatures: Vec<SignatureReport>) -> DocumentReport {
    let mut r = DocumentReport::new("doc.pdf");
    r.signed = !signatures.is_empty();
    r.signatures = signatures;
    r
}

fn from_report(r: &DocumentReport, classifier: &dyn SignerClassifier) -> Entry {
    Entry::from_report(
        id("H20.14"),
        "doc",
        [0; 32],
        Direction::Issued,
        date("2026-07-01"),
        r,
        classifier,
    )
    .unwrap()
}

#[test]
fn classifier_sets_legally_complete() {
    let c = DefaultClassifier::new();
    let person = || signer("Nguyễn Văn An", Some("CCCD:001088000123"));
    let agency = || signer("Sở Tư pháp", Some("MST:0301234567"));
    let unknown = || signer("Trần Văn Bình", None);
    let pass = Indication::TotalPassed;
    assert_eq!(c.classify(&person()), SignerRole::Person);
    assert_eq!(c.classify(&agency()), SignerRole::Agency);
    assert_eq!(c.classify(&unknown()), SignerRole::Unknown);

    let complete = |sigs: Vec<SignatureReport>| from_report(&report(sigs), &c).legally_complete;
    // Person and agency: complete (Decree 30 Art. 5).
    assert_eq!(
        complete(vec![
            signature(Some(person()), pass),
            signature(Some(agency()), pass)
        ]),
        Some(true)
    );
    // Person only, or agency only: not complete.
    assert_eq!(complete(vec![signature(Some(person()), pass)]), Some(false));
    assert_eq!(complete(vec![signature(Some(agency()), pass)]), Some(false));
    // Person and an unknown signer: the unknown one may be the agency.
    assert_eq!(
        complete(vec![
            signature(Some(person()), pass),
            signature(Some(unknown()), pass)
        ]),
        None
    );
    // An agency signature that failed does not count: person + failed agency is incomplete.
    assert_eq!(
        complete(vec![
            signature(Some(person()), pass),
            signature(Some(agency()), Indication::TotalFailed)
        ]),
        Some(false)
    );
    // Unsigned: not complete.
    assert_eq!(complete(vec![]), Some(false));

    // A custom classifier: everything is a person.
    struct AllPersons;
    impl SignerClassifier for AllPersons {
        fn classify(&self, _: &SignerReport) -> SignerRole {
            SignerRole::Person
        }
    }
    let e = from_report(
        &report(vec![
            signature(Some(agency()), pass),
            signature(Some(unknown()), pass),
        ]),
        &AllPersons,
    );
    assert_eq!(e.legally_complete, Some(false));
}

#[test]
fn outcome_takes_the_first_failing_signature() {
    let c = DefaultClassifier::new();
    let s = || Some(signer("Nguyễn Văn An", Some("CCCD:1")));
    let r = report(vec![
        signature(s(), Indication::TotalPassed),
        signature(s(), Indication::Indeterminate),
        signature(s(), Indication::TotalFailed),
    ]);
    assert_eq!(
        from_report(&r, &c).outcome,
        Outcome::SignedInvalid {
            indication: Indication::Indeterminate,
            subindication: Some(SubIndication::NoCertificateChainFound),
        }
    );
    let all = report(vec![
        signature(s(), Indication::TotalPassed),
        signature(s(), Indication::TotalPassed),
    ]);
    assert_eq!(from_report(&all, &c).outcome, Outcome::SignedValid);
    assert_eq!(from_report(&report(vec![]), &c).outcome, Outcome::Unsigned);
    // Only a document timestamp: nobody signed.
    let mut ts = signature(None, Indication::TotalPassed);
    ts.is_doc_timestamp = true;
    assert_eq!(
        from_report(&report(vec![ts]), &c).outcome,
        Outcome::Unsigned
    );
    // An unreadable document is not an entry.
    let mut broken = report(vec![]);
    broken.error = Some("not a PDF".into());
    assert!(matches!(
        Entry::from_report(
            id("H20"),
            "x",
            [0; 32],
            Direction::Received,
            date("2026-01-01"),
            &broken,
            &c
        ),
        Err(LedgerError::Unreadable { .. })
    ));
}

#[test]
fn sqlite_store_persists_and_shares_the_exchange_file() {
    let (_dir, path) = temp_db("sqlite-shared");
    // The exchange store first, then the ledger in the same file, then both again.
    drop(SqliteStore::open(&path).unwrap());
    let invalid = Entry {
        legally_complete: Some(false),
        ..entry("H20.14", "2/QĐ", "2026-02-03", INVALID)
    };
    let no_sub = entry(
        "H20.14",
        "3/QĐ",
        "2026-02-04",
        Outcome::SignedInvalid {
            indication: Indication::Indeterminate,
            subindication: None,
        },
    );
    let valid = Entry {
        legally_complete: Some(true),
        direction: Direction::Received,
        ..entry("H20.14", "1/QĐ", "2026-02-01", Outcome::SignedValid)
    };
    {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        assert_eq!(ledger.journal_mode().unwrap(), "wal");
        let out = ledger
            .record(&[valid.clone(), invalid.clone(), no_sub.clone()])
            .unwrap();
        assert_eq!(out, [Recorded::Inserted; 3]);
    }
    let exchange = SqliteStore::open(&path).unwrap();
    assert_eq!(exchange.counts().unwrap().documents, 0);
    let mut ledger = SqliteLedger::open(&path).unwrap();
    assert_eq!(ledger.len().unwrap(), 3);
    assert_eq!(
        ledger.record(std::slice::from_ref(&invalid)).unwrap(),
        [Recorded::Duplicate]
    );
    // Every field reads back as written.
    assert_eq!(
        ledger.entries(&Filter::default()).unwrap(),
        [valid, invalid, no_sub]
    );
    let c = ledger.counts_by_unit(&Filter::default()).unwrap();
    assert_eq!(c[&id("H20.14")], counts(3, 1, 2, 0));
}

#[test]
fn both_stores_answer_alike() {
    let mut memory = MemoryLedger::new();
    let mut sqlite = SqliteLedger::open_in_memory().unwrap();
    let mut batch = Vec::new();
    for (i, unit) in ["H26", "H26.001", "H26.001.00001", "H27", "G22"]
        .iter()
        .enumerate()
    {
        for k in 0..(i + 3) {
            let outcome = match k % 3 {
                0 => Outcome::SignedValid,
                1 => INVALID,
                _ => Outcome::Unsigned,
            };
            let day = format!("2026-{:02}-{:02}", k % 12 + 1, k % 28 + 1);
            let mut e = entry(unit, &format!("{k}"), &day, outcome);
            if k % 2 == 1 {
                e.direction = Direction::Received;
            }
            batch.push(e);
        }
    }
    batch.push(batch[0].clone());
    assert_eq!(
        memory.record(&batch).unwrap(),
        sqlite.record(&batch).unwrap()
    );
    for filter in [
        Filter::default(),
        Filter::period("2026-Q1".parse().unwrap()),
        Filter::period("2026-02".parse().unwrap()).with_direction(Direction::Received),
        Filter::default().with_unit(id("H27")),
    ] {
        assert_eq!(
            memory.counts_by_unit(&filter).unwrap(),
            sqlite.counts_by_unit(&filter).unwrap(),
            "{filter:?}"
        );
        assert_eq!(
            memory.entries(&filter).unwrap(),
            sqlite.entries(&filter).unwrap(),
            "{filter:?}"
        );
    }
}

#[test]
fn json_contract_and_entry_round_trip() {
    let row = Row {
        unit: id("H26"),
        name: "Thành phố Hà Nội".into(),
        counts: Counts::new(9, 0, 1),
    };
    let v = serde_json::to_value(&row).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "name",
            "signed_invalid",
            "signed_share",
            "signed_valid",
            "total",
            "unit",
            "unsigned"
        ]
    );
    assert_eq!(v["signed_share"], 90.0);
    assert_eq!(serde_json::from_value::<Row>(v).unwrap(), row);

    let e = Entry {
        legally_complete: None,
        ..entry("H26.001", "7/CV", "2026-07-01", INVALID)
    };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["outcome"], "signed_invalid");
    assert_eq!(json["indication"], "TOTAL_FAILED");
    assert_eq!(json["subindication"], "HASH_FAILURE");
    assert_eq!(json["direction"], "issued");
    assert_eq!(json["date"], "2026-07-01");
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(serde_json::from_value::<Entry>(json).unwrap(), e);
}

/// Entries from the verifier's reports on real fixtures (anchor pki/root.pem, validated at
/// 2026-11-26T00:00:00Z): two valid signatures by two persons, a tampered file, an unsigned one.
#[test]
fn entries_from_verified_fixtures() {
    let verifier = default_verifier();
    let classifier = DefaultClassifier::new();
    let unit = id("H20.14");
    let mut ledger = Ledger::new(SqliteLedger::open_in_memory().unwrap());
    let mut make = |name: &str| {
        let bytes = fixture_bytes(&format!("pdf/{name}"));
        let report = verifier.verify_bytes(name, &bytes);
        let e = Entry::from_report(
            unit.clone(),
            name,
            vnedoc::ledger::sha256(&bytes),
            Direction::Issued,
            date("2026-11-20"),
            &report,
            &classifier,
        )
        .unwrap();
        assert_eq!(ledger.record(e.clone()).unwrap(), Recorded::Inserted);
        e
    };
    let two = make("pyhanko-two-signatures.pdf");
    assert_eq!(two.outcome, Outcome::SignedValid);
    // Both signers carry CCCD numbers (leaf-rsa2048, leaf-p256): two persons, no agency.
    assert_eq!(two.legally_complete, Some(false));
    let tampered = make("tamper-one-byte.pdf");
    assert_eq!(
        tampered.outcome,
        Outcome::SignedInvalid {
            indication: Indication::TotalFailed,
            subindication: Some(SubIndication::HashFailure),
        }
    );
    assert_eq!(tampered.legally_complete, Some(false));
    let unsigned = make("unsigned.pdf");
    assert_eq!(unsigned.outcome, Outcome::Unsigned);
    assert_eq!(unsigned.legally_complete, Some(false));

    let c = ledger
        .counts(
            Scope::Unit(&unit),
            &Filter::period("2026-11".parse().unwrap()),
        )
        .unwrap();
    assert_eq!(c, counts(3, 1, 1, 1));
    assert!((c.signed_share - 100.0 / 3.0).abs() < 1e-9);
    // The same bytes under another name are the same document.
    let bytes = fixture_bytes("pdf/unsigned.pdf");
    let again = Entry {
        document_id: "renamed.pdf".into(),
        sha256: vnedoc::ledger::sha256(&bytes),
        ..unsigned
    };
    assert_eq!(ledger.record(again).unwrap(), Recorded::Duplicate);
}
