//! edXML envelopes through the exchange engine, on both stores: an envelope
//! built with the edXML module is sent with `Engine::send_envelope`, delivered hop by hop, and
//! each recipient gets it back (`Engine::received_envelope`) as a valid edXML envelope whose
//! TraceHeaderList holds one entry per hop of its route. The attached PDFs are checked on
//! arrival by the real verifier; revoke links to the original; resending is idempotent.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "common/tmp.rs"]
mod tmp;

use std::path::PathBuf;

use std::sync::{Arc, OnceLock};

use jiff::SignedDuration;

use vnedoc::exchange::edxml::{
    Attachment, Business, BusinessDocType, Code, DocumentId, EdxmlDate, EdxmlTimestamp, Envelope,
    Header, MessageHeader, Organization, ResponseFor, Status, from_xml, to_xml,
};
use vnedoc::exchange::engine::{
    Engine, EngineError, EnvelopeError, ManualClock, Outgoing, SendOutcome, Verdict,
    edxml_timestamp, is_checked_attachment,
};
use vnedoc::exchange::routing::Recipient;
use vnedoc::exchange::status::ProcessingStatus as S;
use vnedoc::exchange::store::{BusinessKind, DocKey, MemoryStore, SqliteStore, Store};
use vnedoc::exchange::{AgencyId, Date, Directory, Sample};
use vnedoc::time::Timestamp;
use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

/// 2024-03-15T01:00:00Z, 08:00 in Hanoi.
const T0: Timestamp = Timestamp::constant(1_710_464_400, 0);
/// One delivery round per minute in the scenarios.
const ROUND: SignedDuration = SignedDuration::from_mins(1);

const HOAN_KIEM: &str = "H26.00070"; // Phường Hoàn Kiếm, Hà Nội (sender)
const VUNG_TAU: &str = "H29.26506"; // Phường Vũng Tàu, TP Hồ Chí Minh
const HAI_CHAU: &str = "H17.20242"; // Phường Hải Châu, TP Đà Nẵng
const MINISTRY: &str = "G06"; // Bộ Khoa học và Công nghệ

const GOOD_PDF: &str = "cong-van-so-1.pdf";
const TAMPERED_PDF: &str = "cong-van-so-1-ban-ky-lai.pdf";
const SUBJECT: &str = "Về việc triển khai chuyển đổi số và gửi, nhận văn bản điện tử năm 2024";

fn dir() -> Arc<Directory> {
    static DIR: OnceLock<Arc<Directory>> = OnceLock::new();
    DIR.get_or_init(|| Arc::new(Directory::sample(Sample::Y2025).unwrap()))
        .clone()
}

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path),
    )
    .unwrap()
}

/// The real verifier, trusting `fixtures/pki/root.pem`, at 2026-11-26T00:00:00Z (the fixtures'
/// validation time, as in tests/verify_fixtures.rs).
fn real_verifier() -> Verifier {
    let mut trust = TrustStore::new();
    for der in TrustStore::load_pem_or_der(&fixture("pki/root.pem")).unwrap() {
        trust.add_anchor_der(der).unwrap();
    }
    let at = vnedoc::time::parse_rfc3339_timestamp("2026-11-26T00:00:00Z").unwrap();
    Verifier::new(VerifyOptions::new(trust, ValidationTime::At(at)))
}

/// A fresh folder (removed when the guard drops) and a SQLite path in it.
fn temp_db(name: &str) -> (tmp::TempDir, PathBuf) {
    let dir = tmp::TempDir::new(&format!("exchange-edxml-engine-{name}"));
    let path = dir.join("store.sqlite");
    (dir, path)
}

fn engine<St: Store>(store: St) -> (Engine<St>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    let e = Engine::new(dir(), store)
        .with_clock(clock.clone())
        .with_checker(Arc::new(real_verifier()));
    (e, clock)
}

macro_rules! both_stores {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn memory() {
                super::$body(vnedoc::exchange::store::MemoryStore::new());
            }
            #[test]
            fn sqlite() {
                let (_dir, path) = super::temp_db(stringify!($name));
                super::$body(vnedoc::exchange::store::SqliteStore::open(&path).unwrap());
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Envelopes

fn promulgated() -> EdxmlDate {
    EdxmlDate::new(2024, 3, 15).unwrap()
}

fn document_id(sender: &str, n: u32) -> String {
    DocumentId::new(sender, promulgated(), n.to_string(), "UBND-VP").to_string()
}

fn key(n: u32) -> DocKey {
    DocKey::new(id(HOAN_KIEM), document_id(HOAN_KIEM, n))
}

fn pdf(content_id: &str, name: &str, bytes: Vec<u8>) -> Attachment {
    Attachment {
        content_type: Some("application/pdf".into()),
        content_id: content_id.into(),
        description: Some("Văn bản đã ký số".into()),
        name: Some(name.into()),
        content: bytes,
    }
}

/// Document number `n` from Phường Hoàn Kiếm to `to`, with the given attachments.
fn edoc(n: u32, to: &[&str], attachments: Vec<Attachment>) -> Envelope {
    let mut from = Organization::new(HOAN_KIEM);
    from.organ_name = Some("Ủy ban nhân dân phường Hoàn Kiếm".into());
    let mut h = MessageHeader::new(from, to.iter().map(|t| Organization::new(*t)).collect());
    h.code = Some(Code {
        code_number: Some(n.to_string()),
        code_notation: Some("UBND-VP".into()),
    });
    h.subject = Some(SUBJECT.into());
    h.content = Some("Kính gửi các cơ quan, đơn vị: đề nghị phối hợp thực hiện.".into());
    h.due_date = Some(EdxmlDate::new(2024, 3, 29).unwrap());
    h.document_id = Some(document_id(HOAN_KIEM, n));
    let mut header = Header::edoc(h);
    header.trace.business = Some(Business {
        doc_type: BusinessDocType::New,
        ..Business::default()
    });
    let mut e = Envelope::new(header);
    for a in attachments {
        e.add_attachment(a);
    }
    e
}

/// Document 1: a good signed PDF, a tampered one, and an unsigned appendix in Word format.
fn edoc_with_tampered_pdf() -> Envelope {
    let appendix = Attachment {
        content_type: Some(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        ),
        content_id: "phu-luc-1".into(),
        description: Some("Phụ lục kèm theo".into()),
        name: Some("Phụ lục danh sách.docx".into()),
        content: b"PK\x03\x04 not really a docx".to_vec(),
    };
    edoc(
        1,
        &[VUNG_TAU, HAI_CHAU, MINISTRY],
        vec![
            pdf(
                "van-ban-1",
                GOOD_PDF,
                fixture("pdf/pyhanko-rsa2048-cades.pdf"),
            ),
            pdf(
                "van-ban-1-sua",
                TAMPERED_PDF,
                fixture("pdf/tamper-one-byte.pdf"),
            ),
            appendix,
        ],
    )
}

/// A revoke (`BussinessDocType` 1) of `original`, document number `n`.
fn revoke(n: u32, original: u32, to: &[&str]) -> Envelope {
    let mut e = edoc(n, to, Vec::new());
    e.header.trace.business = Some(Business {
        doc_type: BusinessDocType::Revoke,
        doc_reason: Some("Thu hồi do sai sót về thể thức".into()),
        document_id: Some(document_id(HOAN_KIEM, original)),
        ..Business::default()
    });
    e
}

fn route(to: &str) -> Vec<String> {
    let nodes: Vec<&str> = match to {
        VUNG_TAU => vec![HOAN_KIEM, "LGSP-H26", "VDXP", "LGSP-H29", VUNG_TAU],
        HAI_CHAU => vec![HOAN_KIEM, "LGSP-H26", "VDXP", "LGSP-H17", HAI_CHAU],
        MINISTRY => vec![HOAN_KIEM, "LGSP-H26", "VDXP", MINISTRY],
        other => panic!("no route for {other}"),
    };
    nodes.into_iter().map(str::to_owned).collect()
}

/// Delivers one hop per round, a minute apart, until nothing moves; returns the rounds run.
fn deliver_by_rounds<St: Store>(e: &mut Engine<St>, clock: &ManualClock) -> i64 {
    let mut rounds = 0;
    loop {
        clock.advance(ROUND);
        let p = e.deliver(100).unwrap();
        assert_eq!(p.failed, 0);
        if !p.moved() {
            return rounds;
        }
        rounds += 1;
    }
}

/// The envelope without its TraceHeaders.
fn untraced(e: &Envelope) -> Envelope {
    let mut e = e.clone();
    e.header.trace.trace_headers.clear();
    e
}

// ---------------------------------------------------------------------------------------------
// Scenarios

both_stores!(envelope_through_engine, envelope_through_engine_on);
fn envelope_through_engine_on<St: Store>(store: St) {
    let (mut e, clock) = engine(store);
    let env = edoc_with_tampered_pdf();
    let to = [VUNG_TAU, HAI_CHAU, MINISTRY];

    // What the engine routes on.
    let out = Outgoing::from_envelope(&env).unwrap();
    assert_eq!(out.sender, id(HOAN_KIEM));
    assert_eq!(
        out.recipients,
        to.iter()
            .map(|t| Recipient::Agency(id(t)))
            .collect::<Vec<_>>()
    );
    assert_eq!(out.document_id, document_id(HOAN_KIEM, 1));
    assert_eq!(out.kind, BusinessKind::New);
    assert_eq!(out.related, None);
    assert_eq!(out.due_date, Date::new(2024, 3, 29));
    assert_eq!(out.envelope, to_xml(&env).into_bytes());
    // The two PDFs are checked on arrival, the Word appendix is only carried.
    let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, [GOOD_PDF, TAMPERED_PDF]);
    assert_eq!(out.files[0].bytes, fixture("pdf/pyhanko-rsa2048-cades.pdf"));

    assert_eq!(
        e.send_envelope(&env).unwrap(),
        SendOutcome::Queued {
            recipients: to.iter().map(|t| id(t)).collect()
        }
    );
    let k = key(1);
    assert!(matches!(
        e.received_envelope(&k, &id(VUNG_TAU)),
        Err(EngineError::NotDelivered { .. })
    ));

    // Cross-province routes have 5 hops, the ministry's 4: five rounds move everything.
    assert_eq!(deliver_by_rounds(&mut e, &clock), 5);

    for r in to {
        let rx = e.received_envelope(&k, &id(r)).unwrap();
        // A valid edXML envelope: it validates, and it survives its own round trip.
        rx.validate().unwrap();
        let xml = to_xml(&rx);
        assert_eq!(from_xml(xml.as_bytes()).unwrap(), rx);
        assert!(xml.contains(&format!("<edXML:Subject>{SUBJECT}</edXML:Subject>")));
        // One TraceHeader per hop, in route order, a minute apart (hop i moved in round i+1).
        let hops = route(r);
        let traces = &rx.header.trace.trace_headers;
        assert_eq!(traces.len(), hops.len(), "{r}");
        assert_eq!(
            traces
                .iter()
                .map(|t| t.organ_id.clone())
                .collect::<Vec<_>>(),
            hops
        );
        for (i, t) in traces.iter().enumerate() {
            let at = T0 + ROUND * (i32::try_from(i).unwrap() + 1);
            let expected = edxml_timestamp(at).unwrap();
            assert_eq!(t.timestamp.unwrap().to_string(), expected);
            assert_eq!(expected, format!("2024/03/15 08:0{}:00", i + 1));
        }
        assert_eq!(
            traces
                .iter()
                .map(|t| (t.organ_id.clone(), t.timestamp.unwrap()))
                .collect::<Vec<_>>(),
            e.trace_headers(&k, &id(r)).unwrap()
        );
        assert_eq!(xml.matches("<edXML:TraceHeader>").count(), hops.len());
        // Everything else is what the sender sent, attachments byte for byte.
        assert_eq!(untraced(&rx), env);
        assert_eq!(
            rx.attachments[1].content,
            fixture("pdf/tamper-one-byte.pdf")
        );

        // The verification results are kept with the document in the inbox.
        let entry = e.store().inbox_entry(&id(r), &k).unwrap().unwrap();
        assert_eq!(entry.checks.len(), 2);
        assert_eq!(entry.checks[0].name, GOOD_PDF);
        assert_eq!(
            entry.checks[0].verdict,
            Verdict::Valid,
            "{:?}",
            entry.checks
        );
        assert_eq!(entry.checks[0].signatures, 1);
        assert_eq!(entry.checks[1].name, TAMPERED_PDF);
        assert_eq!(
            entry.checks[1].verdict,
            Verdict::Invalid,
            "{:?}",
            entry.checks
        );
        // Default policy: the invalid signature is answered with 02 and the reason, sent back
        // along the reverse route.
        assert_eq!(e.state(&k, &id(r)).unwrap().last, Some(S::Rejected));
        let st = e.statuses(&k).unwrap();
        let rejected = st
            .iter()
            .find(|s| s.recipient == id(r) && s.status == S::Rejected)
            .unwrap();
        let why = rejected.description.as_deref().unwrap();
        assert!(
            why.contains(TAMPERED_PDF) && why.contains("Invalid") && why.contains("TotalFailed"),
            "{why}"
        );
        assert!(!why.contains(GOOD_PDF), "{why}");
        let mut back = hops.clone();
        back.reverse();
        assert_eq!(rejected.path, back);
    }
    // The due date is kept with each delivery.
    let doc = e.document(&k).unwrap().unwrap();
    assert_eq!(doc.due_date, Date::new(2024, 3, 29));
    assert_eq!(doc.envelope, to_xml(&env).into_bytes());

    // Idempotence: the same envelope again adds nothing, before or after delivery.
    let before = e.store().counts().unwrap();
    assert_eq!(e.send_envelope(&env).unwrap(), SendOutcome::AlreadySent);
    assert_eq!(
        e.send_envelope(&from_xml(to_xml(&env)).unwrap()).unwrap(),
        SendOutcome::AlreadySent
    );
    assert_eq!(e.deliver_all(100).unwrap().arrived, 0);
    assert_eq!(e.store().counts().unwrap(), before);
    assert_eq!(e.inbox(&id(VUNG_TAU)).unwrap().len(), 1);
    // Another envelope under the same DocumentId is a conflict.
    let mut changed = env.clone();
    if let vnedoc::exchange::edxml::Message::Edoc(h) = &mut changed.header.message {
        h.subject = Some("Về việc khác".into());
    }
    assert!(matches!(
        e.send_envelope(&changed),
        Err(EngineError::Conflict { .. })
    ));
    assert_eq!(e.store().counts().unwrap(), before);
}

both_stores!(revoke_links_to_original, revoke_links_to_original_on);
fn revoke_links_to_original_on<St: Store>(store: St) {
    let (mut e, clock) = engine(store);
    let to = [VUNG_TAU, HAI_CHAU, MINISTRY];
    // Document 2 carries only the good PDF: it arrives (01).
    let original = edoc(
        2,
        &to,
        vec![pdf(
            "van-ban-2",
            "cong-van-so-2.pdf",
            fixture("pdf/pyhanko-rsa2048-cades.pdf"),
        )],
    );
    e.send_envelope(&original).unwrap();
    deliver_by_rounds(&mut e, &clock);
    for r in to {
        assert_eq!(e.state(&key(2), &id(r)).unwrap().last, Some(S::Arrived));
        let entry = e.store().inbox_entry(&id(r), &key(2)).unwrap().unwrap();
        assert_eq!(entry.checks[0].verdict, Verdict::Valid);
    }

    // Document 3 revokes document 2.
    let rv = revoke(3, 2, &to);
    let out = Outgoing::from_envelope(&rv).unwrap();
    assert_eq!(out.kind, BusinessKind::Revoke);
    assert_eq!(
        out.related.as_deref(),
        Some(document_id(HOAN_KIEM, 2).as_str())
    );
    assert!(out.files.is_empty());
    assert!(matches!(
        e.send_envelope(&rv).unwrap(),
        SendOutcome::Queued { .. }
    ));
    let p = e.deliver_all(100).unwrap();
    assert_eq!((p.arrived, p.refused), (3, 0));
    let stored = e.document(&key(3)).unwrap().unwrap();
    assert_eq!(stored.kind, BusinessKind::Revoke);
    assert_eq!(
        stored.related.as_deref(),
        Some(document_id(HOAN_KIEM, 2).as_str())
    );
    for r in to {
        // The recipient reads the revoke as edXML: Bussiness names the original.
        let rx = e.received_envelope(&key(3), &id(r)).unwrap();
        let b = rx.header.trace.business.as_ref().unwrap();
        assert_eq!(b.doc_type, BusinessDocType::Revoke);
        assert_eq!(b.document_id, Some(document_id(HOAN_KIEM, 2)));
        assert_eq!(rx.header.trace.trace_headers.len(), route(r).len());
        // 13 on the original, from the sender; the recipient answers.
        let st = e.state(&key(2), &id(r)).unwrap();
        assert!(st.request_pending, "{r}");
        let thirteen = e
            .statuses(&key(2))
            .unwrap()
            .into_iter()
            .find(|s| s.recipient == id(r) && s.status == S::TakeBackRequested)
            .unwrap();
        assert_eq!(thirteen.from, id(HOAN_KIEM));
    }
    e.answer_request(&id(VUNG_TAU), &key(2), true, None)
        .unwrap();
    e.answer_request(&id(MINISTRY), &key(2), false, Some("Đã xử lý xong".into()))
        .unwrap();
    assert!(e.state(&key(2), &id(VUNG_TAU)).unwrap().withdrawn);
    assert!(!e.state(&key(2), &id(MINISTRY)).unwrap().withdrawn);

    // Resending the revoke is idempotent too.
    let before = e.store().counts().unwrap();
    assert_eq!(e.send_envelope(&rv).unwrap(), SendOutcome::AlreadySent);
    assert_eq!(e.deliver_all(100).unwrap().arrived, 0);
    assert_eq!(e.store().counts().unwrap(), before);
}

/// The received envelope, traces included, comes back after the SQLite file is reopened.
#[test]
fn received_envelope_survives_reopen() {
    let (_dir, path) = temp_db("reopen");
    let env = edoc_with_tampered_pdf();
    {
        let (mut e, clock) = engine(SqliteStore::open(&path).unwrap());
        e.send_envelope(&env).unwrap();
        // Part of the way: three rounds, then a "restart".
        for _ in 0..3 {
            clock.advance(ROUND);
            e.deliver(100).unwrap();
        }
        assert!(matches!(
            e.received_envelope(&key(1), &id(VUNG_TAU)),
            Err(EngineError::NotDelivered { .. })
        ));
    }
    let (mut e, clock) = engine(SqliteStore::open(&path).unwrap());
    clock.set(T0 + 3 * ROUND);
    deliver_by_rounds(&mut e, &clock);
    let rx = e.received_envelope(&key(1), &id(VUNG_TAU)).unwrap();
    let organs: Vec<String> = rx
        .header
        .trace
        .trace_headers
        .iter()
        .map(|t| t.organ_id.clone())
        .collect();
    assert_eq!(organs, route(VUNG_TAU));
    assert_eq!(untraced(&rx), env);
    let rx = e.received_envelope(&key(1), &id(MINISTRY)).unwrap();
    assert_eq!(rx.header.trace.trace_headers.len(), 4);
}

// ---------------------------------------------------------------------------------------------
// What from_envelope refuses

fn assert_refused(env: &Envelope, check: impl Fn(&EnvelopeError) -> bool) {
    let err = Outgoing::from_envelope(env).unwrap_err();
    assert!(check(&err), "{err:?}");
    // And through the engine, with nothing stored.
    let (mut e, _) = engine(MemoryStore::new());
    assert!(
        matches!(e.send_envelope(env), Err(EngineError::Envelope(ref x)) if check(x)),
        "{env:?}"
    );
    assert_eq!(e.store().counts().unwrap().documents, 0);
}

#[test]
fn from_envelope_refusals() {
    // DocumentId of another sender.
    let mut env = edoc(1, &[VUNG_TAU], Vec::new());
    if let vnedoc::exchange::edxml::Message::Edoc(h) = &mut env.header.message {
        h.document_id = Some(document_id(MINISTRY, 1));
    }
    assert_refused(&env, |e| {
        matches!(
            e,
            EnvelopeError::NotFromSender {
                field: "DocumentId",
                ..
            }
        )
    });
    // No DocumentId, or one that is not {OrganId},{yyyy/MM/dd},{number}/{notation}.
    if let vnedoc::exchange::edxml::Message::Edoc(h) = &mut env.header.message {
        h.document_id = None;
    }
    assert_refused(&env, |e| matches!(e, EnvelopeError::MissingDocumentId));
    if let vnedoc::exchange::edxml::Message::Edoc(h) = &mut env.header.message {
        h.document_id = Some(format!("{HOAN_KIEM},15/03/2024,1/UBND-VP"));
    }
    assert_refused(&env, |e| {
        matches!(
            e,
            EnvelopeError::DocumentId {
                field: "DocumentId",
                ..
            }
        )
    });
    // A recipient that is not an agency identifier.
    let env = edoc(1, &[VUNG_TAU, "Sở Nội vụ"], Vec::new());
    assert_refused(&env, |e| {
        matches!(
            e,
            EnvelopeError::OrganId {
                field: "To/OrganId",
                ..
            }
        )
    });
    // A revoke without the original, or with an original of another sender.
    let mut rv = revoke(3, 2, &[VUNG_TAU]);
    rv.header.trace.business.as_mut().unwrap().document_id = None;
    assert_refused(&rv, |e| {
        matches!(
            e,
            EnvelopeError::MissingOriginal {
                kind: BusinessKind::Revoke
            }
        )
    });
    rv.header.trace.business.as_mut().unwrap().document_id = Some(document_id(MINISTRY, 2));
    assert_refused(&rv, |e| {
        matches!(
            e,
            EnvelopeError::NotFromSender {
                field: "Bussiness/DocumentId",
                ..
            }
        )
    });
    // A status message is not a document.
    let status = Envelope::new(Header::status(Status::new(
        ResponseFor {
            organ_id: Some(HOAN_KIEM.into()),
            document_id: Some(document_id(HOAN_KIEM, 1)),
            ..ResponseFor::default()
        },
        Organization::new(VUNG_TAU),
        S::Arrived,
    )));
    assert_refused(&status, |e| matches!(e, EnvelopeError::NotEdoc));
}

#[test]
fn unknown_recipient_stores_nothing() {
    let (mut e, _) = engine(MemoryStore::new());
    let env = edoc(1, &[VUNG_TAU, "H99.99999"], Vec::new());
    assert!(matches!(e.send_envelope(&env), Err(EngineError::Route(_))));
    assert_eq!(e.store().counts().unwrap().documents, 0);
}

#[test]
fn checked_attachments() {
    let a = |ct: Option<&str>, name: Option<&str>, content: &[u8]| Attachment {
        content_type: ct.map(str::to_owned),
        content_id: "x".into(),
        description: None,
        name: name.map(str::to_owned),
        content: content.to_vec(),
    };
    assert!(is_checked_attachment(&a(
        Some("application/pdf"),
        Some("văn bản"),
        b""
    )));
    assert!(is_checked_attachment(&a(
        Some("Application/PDF; name=x"),
        None,
        b""
    )));
    assert!(is_checked_attachment(&a(None, Some("QUYET-DINH.PDF"), b"")));
    assert!(is_checked_attachment(&a(
        Some("application/octet-stream"),
        Some("tệp"),
        b"%PDF-1.7\n"
    )));
    assert!(!is_checked_attachment(&a(
        Some("application/msword"),
        Some("bao-cao.doc"),
        b"\xd0\xcf\x11\xe0"
    )));
    // Without a name, a checked file is named by its ContentId.
    let mut env = edoc(1, &[VUNG_TAU], Vec::new());
    env.add_attachment(a(Some("application/pdf"), None, b"%PDF-1.4\n"));
    let out = Outgoing::from_envelope(&env).unwrap();
    assert_eq!(out.files.len(), 1);
    assert_eq!(out.files[0].name, "x");
}

#[test]
fn trace_timestamps_are_edxml_vietnam_time() {
    // 17:30 UTC is already the next day in Hanoi.
    let at = Timestamp::from_second(1_710_523_800).unwrap();
    let t = vnedoc::exchange::engine::edxml_trace_timestamp(at).unwrap();
    assert_eq!(t, EdxmlTimestamp::parse("2024/03/16 00:30:00").unwrap());
}

// ---------------------------------------------------------------------------------------------
// Ledger: the engine records what it sends and files

/// The engine records one `issued` entry per document sent and one `received` entry per
/// document filed in an inbox, with the first PDF as the document; resending and redelivering
/// count nothing twice. The SQLite run keeps the ledger in the exchange store's own file.
#[test]
fn engine_records_ledger_memory() {
    engine_records_ledger_on(MemoryStore::new(), vnedoc::ledger::MemoryLedger::new());
}

#[test]
fn engine_records_ledger_sqlite() {
    let (_dir, path) = temp_db("engine_records_ledger");
    let store = SqliteStore::open(&path).unwrap();
    let ledger = vnedoc::ledger::SqliteLedger::open(&path).unwrap();
    engine_records_ledger_on(store, ledger);
    // Reopened from the file: the entries are there.
    let reopened = vnedoc::ledger::SqliteLedger::open(&path).unwrap();
    assert_eq!(
        vnedoc::ledger::LedgerStore::len(&reopened).unwrap(),
        4 + 4 * 2
    );
}

fn engine_records_ledger_on<St: Store, L: vnedoc::ledger::LedgerStore + 'static>(
    store: St,
    ledger: L,
) {
    use vnedoc::ledger::{Counts, Direction, Filter, Ledger, Outcome, Scope};
    use vnedoc::verify::{Indication, SubIndication};

    let (e, clock) = engine(store);
    let mut e = e.with_ledger(ledger);
    let to = [VUNG_TAU, MINISTRY];
    // 1: good PDF first, a tampered one second (an appendix: the recipients reject the
    //    envelope, but the document itself is the good one).
    // 2: the tampered PDF is the document. 3: an unsigned PDF. 4: no PDF at all.
    let envelopes = [
        edoc(
            1,
            &to,
            vec![
                pdf("a", GOOD_PDF, fixture("pdf/pyhanko-rsa2048-cades.pdf")),
                pdf("b", TAMPERED_PDF, fixture("pdf/tamper-one-byte.pdf")),
            ],
        ),
        edoc(
            2,
            &to,
            vec![pdf("a", TAMPERED_PDF, fixture("pdf/tamper-one-byte.pdf"))],
        ),
        edoc(
            3,
            &to,
            vec![pdf("a", "du-thao.pdf", fixture("pdf/unsigned.pdf"))],
        ),
        edoc(4, &to, Vec::new()),
    ];
    for env in &envelopes {
        assert!(matches!(
            e.send_envelope(env).unwrap(),
            SendOutcome::Queued { .. }
        ));
    }
    // A retried send is recorded once.
    assert_eq!(
        e.send_envelope(&envelopes[0]).unwrap(),
        SendOutcome::AlreadySent
    );
    for _ in 0..8 {
        clock.advance(ROUND);
        e.deliver(100).unwrap();
    }
    // A hub replays the last hop: the document is filed once and counted once.
    let _ = e.redeliver(&key(2), &id(VUNG_TAU)).unwrap();

    let ledger = Ledger::new(e.ledger_mut().unwrap());
    let issued = Filter::default().with_direction(Direction::Issued);
    let received = Filter::default().with_direction(Direction::Received);
    assert_eq!(
        ledger.counts(Scope::Unit(&id(HOAN_KIEM)), &issued).unwrap(),
        Counts::new(1, 1, 2)
    );
    for r in to {
        assert_eq!(
            ledger.counts(Scope::Unit(&id(r)), &received).unwrap(),
            Counts::new(1, 1, 2),
            "{r}"
        );
        assert_eq!(
            ledger.counts(Scope::Unit(&id(r)), &issued).unwrap(),
            Counts::default()
        );
    }
    let entries = ledger.store().entries(&received).unwrap();
    assert_eq!(entries.len(), 8);
    let bad = entries
        .iter()
        .find(|x| x.unit == id(VUNG_TAU) && x.document_id == document_id(HOAN_KIEM, 2))
        .unwrap();
    assert_eq!(
        bad.outcome,
        Outcome::SignedInvalid {
            indication: Indication::TotalFailed,
            subindication: Some(SubIndication::HashFailure),
        }
    );
    assert_eq!(
        bad.sha256,
        vnedoc::ledger::sha256(&fixture("pdf/tamper-one-byte.pdf"))
    );
    // Arrival day in Hanoi.
    assert!(
        entries
            .iter()
            .all(|x| x.date == Date::new(2024, 3, 15).unwrap())
    );
}
