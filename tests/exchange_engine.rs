//! The exchange engine through the public API, on both stores: delivery hop by hop,
//! statuses and the state machine, revoke / update / replace, idempotence, deadlines, and
//! verification on arrival (a fake checker, then the real verifier on the PDF fixtures).

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "common/tmp.rs"]
mod tmp;

use std::path::PathBuf;

use std::sync::{Arc, Mutex, OnceLock};

use jiff::SignedDuration;

use vnedoc::exchange::edxml::EdxmlTimestamp;
use vnedoc::exchange::engine::{
    ArrivalPolicy, CheckResult, Engine, EngineError, ManualClock, OnCheck, Outgoing, SendOutcome,
    SignatureCheck, Transport, Verdict,
};
use vnedoc::exchange::routing::{Hop, HopKind, RouteError};
use vnedoc::exchange::status::{
    IllegalTransition, ProcessingStatus as S, Transition, TransportAck,
};
use vnedoc::exchange::store::{
    BusinessKind, Delivery, DocKey, MemoryStore, OpOutcome, SqliteStore, Store,
};
use vnedoc::exchange::{AgencyId, Date, Directory, Sample};
use vnedoc::ledger::Outcome;
use vnedoc::time::Timestamp;
use vnedoc::verify::{Indication, SubIndication};
use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

/// 2024-03-15T01:00:00Z, 08:00 in Hanoi.
const T0: Timestamp = Timestamp::constant(1_710_464_400, 0);

fn dir() -> Arc<Directory> {
    static DIR: OnceLock<Arc<Directory>> = OnceLock::new();
    DIR.get_or_init(|| Arc::new(Directory::sample(Sample::Y2025).unwrap()))
        .clone()
}

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn doc_id(sender: &str, n: u32) -> String {
    format!("{sender},2024/03/15,{n}/UBND-VP")
}

fn key(sender: &str, n: u32) -> DocKey {
    DocKey::new(id(sender), doc_id(sender, n))
}

fn envelope(sender: &str, n: u32) -> Vec<u8> {
    format!("<edXML:edXML><!-- {sender} {n} --></edXML:edXML>").into_bytes()
}

fn outgoing(sender: &str, n: u32, to: &[&str]) -> Outgoing {
    Outgoing::new(
        id(sender),
        to.iter().map(|t| id(t)),
        doc_id(sender, n),
        envelope(sender, n),
    )
}

/// A fresh folder (removed when the guard drops) and a SQLite path in it.
fn temp_db(name: &str) -> (tmp::TempDir, PathBuf) {
    let dir = tmp::TempDir::new(&format!("exchange-engine-{name}"));
    let path = dir.join("store.sqlite");
    (dir, path)
}

fn engine<St: Store>(store: St) -> (Engine<St>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    (Engine::new(dir(), store).with_clock(clock.clone()), clock)
}

/// Runs a scenario, written once generic over the store, on the memory store and on a SQLite
/// file.
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

const HOAN_KIEM: &str = "H26.00070"; // Hà Nội commune
const CUA_NAM: &str = "H26.00073"; // Hà Nội commune
const VUNG_TAU: &str = "H29.26506"; // commune in another province
const MINISTRY: &str = "G06";

both_stores!(delivery_hop_by_hop, delivery_hop_by_hop_on);
fn delivery_hop_by_hop_on<St: Store>(store: St) {
    let (mut e, clock) = engine(store);
    let out = outgoing(HOAN_KIEM, 1, &[VUNG_TAU, CUA_NAM, MINISTRY]);
    let sent = e.send(out).unwrap();
    assert_eq!(
        sent,
        SendOutcome::Queued {
            recipients: vec![id(VUNG_TAU), id(CUA_NAM), id(MINISTRY)]
        }
    );
    let k = key(HOAN_KIEM, 1);
    assert_eq!(e.outbox(&id(HOAN_KIEM)).unwrap(), vec![k.clone()]);
    // Nothing arrives before delivery runs.
    assert!(e.inbox(&id(VUNG_TAU)).unwrap().is_empty());

    clock.advance(SignedDuration::from_mins(1));
    let p = e.deliver_all(10).unwrap();
    // Cross-province: sender, LGSP-H26, VDXP, LGSP-H29, recipient = 5 hops; same province: 3;
    // ministry: sender, LGSP-H26, VDXP, G06 = 4.
    assert_eq!(p.arrived, 3);
    assert_eq!(p.advanced, (5 - 1) + (3 - 1) + (4 - 1));
    assert_eq!(p.failed, 0);

    let nodes = |r: &str| -> Vec<String> {
        e.traces(&k, &id(r))
            .unwrap()
            .into_iter()
            .inspect(|t| assert_eq!(t.ack, TransportAck::Done))
            .map(|t| t.node)
            .collect()
    };
    assert_eq!(
        nodes(VUNG_TAU),
        [HOAN_KIEM, "LGSP-H26", "VDXP", "LGSP-H29", VUNG_TAU]
    );
    assert_eq!(nodes(CUA_NAM), [HOAN_KIEM, "LGSP-H26", CUA_NAM]);
    assert_eq!(nodes(MINISTRY), [HOAN_KIEM, "LGSP-H26", "VDXP", MINISTRY]);
    let headers = e.trace_headers(&k, &id(VUNG_TAU)).unwrap();
    assert_eq!(
        headers[0],
        (
            HOAN_KIEM.to_owned(),
            EdxmlTimestamp::parse("2024/03/15 08:01:00").unwrap()
        )
    );

    for r in [VUNG_TAU, CUA_NAM, MINISTRY] {
        let inbox = e.inbox(&id(r)).unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].key, k);
        assert_eq!(e.state(&k, &id(r)).unwrap().last, Some(S::Arrived));
    }
    // 01 travels back along the reverse route.
    let st = e.statuses(&k).unwrap();
    let back = st.iter().find(|s| s.recipient == id(VUNG_TAU)).unwrap();
    assert_eq!(back.status, S::Arrived);
    assert_eq!(back.from, id(VUNG_TAU));
    assert_eq!(
        back.path,
        [VUNG_TAU, "LGSP-H29", "VDXP", "LGSP-H26", HOAN_KIEM]
    );
    let counts = e.store().counts().unwrap();
    assert_eq!(counts.in_transit, 0);
    assert_eq!(counts.inbox, 3);
    assert_eq!(counts.traces, 12);
    assert_eq!(
        e.document(&k).unwrap().unwrap().envelope,
        envelope(HOAN_KIEM, 1)
    );
}

both_stores!(unknown_recipient_sends_nothing, unknown_recipient_on);
fn unknown_recipient_on<St: Store>(store: St) {
    let (mut e, _) = engine(store);
    let err = e
        .send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU, "H26.99999"]))
        .unwrap_err();
    match err {
        EngineError::Route(RouteError::Recipients { problems }) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].recipient, "H26.99999");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.store().counts().unwrap().documents, 0);
    // A DocumentId of another sender is refused too.
    let mut out = outgoing(HOAN_KIEM, 2, &[VUNG_TAU]);
    out.document_id = doc_id(CUA_NAM, 2);
    assert!(matches!(
        e.send(out),
        Err(EngineError::DocumentIdSender { .. })
    ));
}

both_stores!(state_machine, state_machine_on);
fn state_machine_on<St: Store>(store: St) {
    let (mut e, _) = engine(store);
    e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU, MINISTRY]))
        .unwrap();
    let k = key(HOAN_KIEM, 1);
    let r = id(VUNG_TAU);
    // A status before arrival is refused.
    assert!(matches!(
        e.report_status(&r, &k, S::Accepted, None),
        Err(EngineError::NotDelivered { .. })
    ));
    e.deliver_all(10).unwrap();

    // 06 before 03.
    assert!(matches!(
        e.report_status(&r, &k, S::Done, None),
        Err(EngineError::Illegal(IllegalTransition::OutOfOrder {
            from: Some(S::Arrived),
            to: S::Done
        }))
    ));
    // The recipient may not send 13.
    assert!(matches!(
        e.report_status(&r, &k, S::TakeBackRequested, None),
        Err(EngineError::WrongEmitter { .. })
    ));
    for s in [S::Accepted, S::Assigned, S::InProgress, S::Done] {
        assert!(matches!(
            e.report_status(&r, &k, s, None).unwrap(),
            Transition::Changed(_)
        ));
    }
    // A redelivered status is a repeat, recorded once.
    assert_eq!(
        e.report_status(&r, &k, S::Done, None).unwrap(),
        Transition::Repeat
    );
    let done: Vec<_> = e
        .statuses(&k)
        .unwrap()
        .into_iter()
        .filter(|s| s.recipient == r)
        .map(|s| s.status)
        .collect();
    assert_eq!(
        done,
        [S::Arrived, S::Accepted, S::Assigned, S::InProgress, S::Done]
    );

    // Anything after 02.
    let m = id(MINISTRY);
    e.report_status(&m, &k, S::Rejected, Some("wrong recipient".into()))
        .unwrap();
    for s in [S::Arrived, S::Accepted, S::Done, S::RequestRefused] {
        assert!(matches!(
            e.report_status(&m, &k, s, None),
            Err(EngineError::Illegal(
                IllegalTransition::AfterRejected { .. }
            ))
        ));
    }
    let rejected = e
        .statuses(&k)
        .unwrap()
        .into_iter()
        .find(|s| s.recipient == m && s.status == S::Rejected)
        .unwrap();
    assert_eq!(rejected.description.as_deref(), Some("wrong recipient"));
    assert_eq!(rejected.path, [MINISTRY, "VDXP", "LGSP-H26", HOAN_KIEM]);
}

both_stores!(revoke_update_replace, revoke_update_replace_on);
fn revoke_update_replace_on<St: Store>(store: St) {
    let (mut e, _) = engine(store);
    e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU, CUA_NAM]))
        .unwrap();
    e.deliver_all(10).unwrap();
    let original = key(HOAN_KIEM, 1);
    let (a, b) = (id(VUNG_TAU), id(CUA_NAM));

    // No answer without a request.
    assert!(matches!(
        e.answer_request(&a, &original, true, None),
        Err(EngineError::Illegal(
            IllegalTransition::NoPendingRequest { .. }
        ))
    ));
    // A change needs an original the recipients received.
    assert!(matches!(
        e.send(
            outgoing(HOAN_KIEM, 2, &[VUNG_TAU])
                .changing(BusinessKind::Revoke, doc_id(HOAN_KIEM, 99))
        ),
        Err(EngineError::UnknownOriginal { .. })
    ));
    assert!(matches!(
        e.send(
            outgoing(HOAN_KIEM, 2, &[MINISTRY])
                .changing(BusinessKind::Revoke, doc_id(HOAN_KIEM, 1))
        ),
        Err(EngineError::NotRecipientOfOriginal { .. })
    ));
    let mut bad = outgoing(HOAN_KIEM, 2, &[VUNG_TAU]);
    bad.kind = BusinessKind::Update;
    assert!(matches!(
        e.send(bad),
        Err(EngineError::MissingOriginal { .. })
    ));

    // Revoke: 13 on the original at each recipient when the revoke arrives.
    e.send(
        outgoing(HOAN_KIEM, 2, &[VUNG_TAU, CUA_NAM])
            .changing(BusinessKind::Revoke, doc_id(HOAN_KIEM, 1)),
    )
    .unwrap();
    let p = e.deliver_all(10).unwrap();
    assert_eq!((p.arrived, p.refused), (2, 0));
    for r in [&a, &b] {
        let st = e.state(&original, r).unwrap();
        assert!(st.request_pending);
        assert_eq!(st.last, Some(S::Arrived));
    }
    let thirteen = e
        .statuses(&original)
        .unwrap()
        .into_iter()
        .find(|s| s.status == S::TakeBackRequested && s.recipient == a)
        .unwrap();
    assert_eq!(thirteen.from, id(HOAN_KIEM));
    assert_eq!(
        e.document(&key(HOAN_KIEM, 2))
            .unwrap()
            .unwrap()
            .related
            .as_deref(),
        Some(doc_id(HOAN_KIEM, 1).as_str())
    );

    // One agrees (15 by default), the other refuses (16).
    e.answer_request(&a, &original, true, None).unwrap();
    e.answer_request(&b, &original, false, Some("already processed".into()))
        .unwrap();
    let sa = e.state(&original, &a).unwrap();
    assert!(sa.withdrawn && !sa.request_pending);
    let sb = e.state(&original, &b).unwrap();
    assert!(!sb.withdrawn && !sb.request_pending);
    assert_eq!(sb.last, Some(S::Arrived));
    // Withdrawn: nothing more at A; B goes on processing.
    assert!(matches!(
        e.report_status(&a, &original, S::Accepted, None),
        Err(EngineError::Illegal(
            IllegalTransition::AfterWithdrawn { .. }
        ))
    ));
    e.report_status(&b, &original, S::Accepted, None).unwrap();

    // Update at B: 13 again, agreed with 14 under a policy that uses 14.
    e.send(outgoing(HOAN_KIEM, 3, &[CUA_NAM]).changing(BusinessKind::Update, doc_id(HOAN_KIEM, 1)))
        .unwrap();
    e.deliver_all(10).unwrap();
    assert!(e.state(&original, &b).unwrap().request_pending);
    e.report_status(&b, &original, S::RequestAgreed14, None)
        .unwrap();
    assert!(e.state(&original, &b).unwrap().withdrawn);
    let codes: Vec<S> = e
        .statuses(&original)
        .unwrap()
        .into_iter()
        .filter(|s| s.recipient == b)
        .map(|s| s.status)
        .collect();
    assert_eq!(
        codes,
        [
            S::Arrived,
            S::TakeBackRequested,
            S::RequestRefused,
            S::Accepted,
            S::TakeBackRequested,
            S::RequestAgreed14
        ]
    );

    // A replace of a document already withdrawn at A: the 13 is refused by the state machine
    // and counted, the replacement itself still arrives.
    e.send(
        outgoing(HOAN_KIEM, 4, &[VUNG_TAU]).changing(BusinessKind::Replace, doc_id(HOAN_KIEM, 1)),
    )
    .unwrap();
    let p = e.deliver_all(10).unwrap();
    assert_eq!((p.arrived, p.refused), (1, 1));
    assert_eq!(e.inbox(&a).unwrap().len(), 3);
}

both_stores!(idempotence, idempotence_on);
fn idempotence_on<St: Store>(store: St) {
    let (mut e, _) = engine(store);
    let k = key(HOAN_KIEM, 1);
    assert!(matches!(
        e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU])).unwrap(),
        SendOutcome::Queued { .. }
    ));
    assert_eq!(
        e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU])).unwrap(),
        SendOutcome::AlreadySent
    );
    let mut other = outgoing(HOAN_KIEM, 1, &[VUNG_TAU]);
    other.envelope = b"<other/>".to_vec();
    assert!(matches!(e.send(other), Err(EngineError::Conflict { .. })));
    // A batch holding the same document twice stores it once.
    let outs = [
        outgoing(HOAN_KIEM, 2, &[VUNG_TAU]),
        outgoing(HOAN_KIEM, 2, &[VUNG_TAU]),
    ];
    let r = e.send_batch(&outs).unwrap();
    assert!(matches!(r[0], SendOutcome::Queued { .. }));
    assert_eq!(r[1], SendOutcome::AlreadySent);

    e.deliver_all(1).unwrap();
    let before = e.store().counts().unwrap();
    // The recipient's hub redelivers (lost acknowledgement): no duplicate, no new status.
    assert_eq!(e.redeliver(&k, &id(VUNG_TAU)).unwrap(), OpOutcome::Stale);
    assert_eq!(e.redeliver(&k, &id(VUNG_TAU)).unwrap(), OpOutcome::Stale);
    // Delivery again finds nothing to do; re-sending after delivery adds nothing.
    assert_eq!(e.deliver_all(10).unwrap().arrived, 0);
    assert_eq!(
        e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU])).unwrap(),
        SendOutcome::AlreadySent
    );
    assert_eq!(e.store().counts().unwrap(), before);
    assert_eq!(e.inbox(&id(VUNG_TAU)).unwrap().len(), 2);
    assert_eq!(before.statuses, 2);
}

both_stores!(overdue_per_unit, overdue_on);
fn overdue_on<St: Store>(store: St) {
    let (mut e, _) = engine(store);
    let d = |m, day| Date::new(2024, m, day).unwrap();
    e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU, CUA_NAM]).due(d(3, 20)))
        .unwrap();
    e.send(outgoing(HOAN_KIEM, 2, &[VUNG_TAU]).due(d(3, 25)))
        .unwrap();
    e.send(outgoing(HOAN_KIEM, 3, &[VUNG_TAU])).unwrap(); // no due date
    e.send(outgoing(HOAN_KIEM, 4, &[VUNG_TAU]).due(d(3, 18)))
        .unwrap();
    e.deliver_all(10).unwrap();
    let (a, b) = (id(VUNG_TAU), id(CUA_NAM));
    assert_eq!(
        e.document(&key(HOAN_KIEM, 1)).unwrap().unwrap().due_date,
        Some(d(3, 20))
    );

    fn overdue_keys<St: Store>(e: &Engine<St>, unit: &AgencyId, today: Date) -> Vec<DocKey> {
        e.overdue(unit, today)
            .unwrap()
            .into_iter()
            .map(|o| o.key)
            .collect()
    }
    macro_rules! keys {
        ($unit:expr, $today:expr) => {
            overdue_keys(&e, $unit, $today)
        };
    }
    // Due on the 20th: not overdue on the 20th, overdue on the 21st.
    assert_eq!(keys!(&a, d(3, 20)), [key(HOAN_KIEM, 4)]);
    assert_eq!(keys!(&a, d(3, 21)), [key(HOAN_KIEM, 4), key(HOAN_KIEM, 1)]);
    assert_eq!(keys!(&b, d(3, 21)), [key(HOAN_KIEM, 1)]);
    assert_eq!(keys!(&a, d(4, 1)).len(), 3);
    // Done (06) or rejected leaves the list; the other unit's copy stays overdue.
    for s in [S::Accepted, S::Done] {
        e.report_status(&a, &key(HOAN_KIEM, 1), s, None).unwrap();
    }
    e.report_status(&a, &key(HOAN_KIEM, 4), S::Rejected, None)
        .unwrap();
    assert_eq!(keys!(&a, d(4, 1)), [key(HOAN_KIEM, 2)]);
    assert_eq!(keys!(&b, d(4, 1)), [key(HOAN_KIEM, 1)]);
    assert!(keys!(&id(MINISTRY), d(4, 1)).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Transport acknowledgement

/// Fails the first attempt at each national-axis hop.
#[derive(Default)]
struct FlakyAxis(Mutex<std::collections::HashSet<(DocKey, AgencyId)>>);

impl Transport for FlakyAxis {
    fn carry(&self, d: &Delivery, hop: &Hop) -> TransportAck {
        if hop.kind == HopKind::NationalHub
            && self
                .0
                .lock()
                .unwrap()
                .insert((d.key.clone(), d.recipient.clone()))
        {
            TransportAck::Fail
        } else {
            TransportAck::Done
        }
    }
}

both_stores!(
    transport_failure_is_traced_and_retried,
    transport_failure_on
);
fn transport_failure_on<St: Store>(store: St) {
    let (e, _) = engine(store);
    let mut e = e.with_transport(Arc::new(FlakyAxis::default()));
    e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU])).unwrap();
    let p = e.deliver_all(10).unwrap();
    assert_eq!((p.failed, p.arrived), (1, 1));
    let k = key(HOAN_KIEM, 1);
    let t: Vec<(String, TransportAck)> = e
        .traces(&k, &id(VUNG_TAU))
        .unwrap()
        .into_iter()
        .map(|t| (t.node, t.ack))
        .collect();
    let done = TransportAck::Done;
    assert_eq!(
        t,
        [
            (HOAN_KIEM.into(), done),
            ("LGSP-H26".into(), done),
            ("VDXP".into(), TransportAck::Fail),
            ("VDXP".into(), done),
            ("LGSP-H29".into(), done),
            (VUNG_TAU.into(), done),
        ]
    );
    assert_eq!(
        e.store()
            .delivery(&k, &id(VUNG_TAU))
            .unwrap()
            .unwrap()
            .attempts,
        1
    );
    // The TraceHeaderList only lists the hops that took the envelope.
    assert_eq!(e.trace_headers(&k, &id(VUNG_TAU)).unwrap().len(), 5);
}

// ---------------------------------------------------------------------------------------------
// Verification on arrival

/// Calls a file invalid when its name says so.
struct FakeCheck;

impl SignatureCheck for FakeCheck {
    fn check(&self, name: &str, bytes: &[u8]) -> CheckResult {
        let bad = name.contains("bad");
        CheckResult {
            name: name.to_owned(),
            verdict: if bad {
                Verdict::Invalid
            } else {
                Verdict::Valid
            },
            reason: bad.then(|| format!("HASH_FAILURE over {} bytes", bytes.len())),
            signatures: 1,
            outcome: Some(if bad {
                Outcome::SignedInvalid {
                    indication: Indication::TotalFailed,
                    subindication: Some(SubIndication::HashFailure),
                }
            } else {
                Outcome::SignedValid
            }),
            legally_complete: Some(!bad),
        }
    }
}

both_stores!(invalid_signature_answered_02, invalid_signature_on);
fn invalid_signature_on<St: Store>(store: St) {
    let (e, _) = engine(store);
    let mut e = e.with_checker(Arc::new(FakeCheck));
    e.send(
        outgoing(HOAN_KIEM, 1, &[VUNG_TAU])
            .file("good.pdf", b"%PDF good".to_vec())
            .file("bad.pdf", b"%PDF bad".to_vec()),
    )
    .unwrap();
    e.send(outgoing(HOAN_KIEM, 2, &[VUNG_TAU]).file("good.pdf", b"%PDF".to_vec()))
        .unwrap();
    e.deliver_all(10).unwrap();
    let a = id(VUNG_TAU);
    let k1 = key(HOAN_KIEM, 1);
    assert_eq!(e.state(&k1, &a).unwrap().last, Some(S::Rejected));
    let st = e.statuses(&k1).unwrap();
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].status, S::Rejected);
    let why = st[0].description.as_deref().unwrap();
    assert!(
        why.contains("bad.pdf") && why.contains("HASH_FAILURE"),
        "{why}"
    );
    // The results are kept with the document, in the inbox.
    let entry = e.store().inbox_entry(&a, &k1).unwrap().unwrap();
    let verdicts: Vec<_> = entry
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [("good.pdf", Verdict::Valid), ("bad.pdf", Verdict::Invalid)]
    );
    assert_eq!(
        e.state(&key(HOAN_KIEM, 2), &a).unwrap().last,
        Some(S::Arrived)
    );
}

#[test]
fn invalid_signature_accepted_by_policy() {
    let (e, _) = engine(MemoryStore::new());
    let policy = ArrivalPolicy {
        on_invalid: OnCheck::Accept,
        ..ArrivalPolicy::default()
    };
    let mut e = e.with_checker(Arc::new(FakeCheck)).with_policy(policy);
    e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU]).file("bad.pdf", b"x".to_vec()))
        .unwrap();
    e.deliver_all(10).unwrap();
    let k = key(HOAN_KIEM, 1);
    assert_eq!(e.state(&k, &id(VUNG_TAU)).unwrap().last, Some(S::Arrived));
    let entry = e.store().inbox_entry(&id(VUNG_TAU), &k).unwrap().unwrap();
    assert_eq!(entry.checks[0].verdict, Verdict::Invalid);
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path),
    )
    .unwrap()
}

/// The real verifier, trusting `fixtures/pki/root.pem`, at the fixtures' validation time
/// (2026-11-26T00:00:00Z, as in tests/verify_fixtures.rs).
fn real_verifier() -> Verifier {
    let mut trust = TrustStore::new();
    for der in TrustStore::load_pem_or_der(&fixture("pki/root.pem")).unwrap() {
        trust.add_anchor_der(der).unwrap();
    }
    let at = vnedoc::time::parse_rfc3339_timestamp("2026-11-26T00:00:00Z").unwrap();
    Verifier::new(VerifyOptions::new(trust, ValidationTime::At(at)))
}

#[test]
fn real_verifier_on_arrival() {
    let verifier = real_verifier();
    let valid = verifier.check("signed.pdf", &fixture("pdf/pyhanko-rsa2048-cades.pdf"));
    assert_eq!(valid.verdict, Verdict::Valid, "{valid:?}");
    let tampered = verifier.check("tampered.pdf", &fixture("pdf/tamper-one-byte.pdf"));
    assert_eq!(tampered.verdict, Verdict::Invalid, "{tampered:?}");
    let unsigned = verifier.check("unsigned.pdf", &fixture("pdf/unsigned.pdf"));
    assert_eq!(unsigned.verdict, Verdict::Unsigned, "{unsigned:?}");

    let (_dir, path) = temp_db("real-verifier");
    let (e, _) = engine(SqliteStore::open(&path).unwrap());
    let mut e = e.with_checker(Arc::new(verifier));
    e.send(
        outgoing(HOAN_KIEM, 1, &[VUNG_TAU])
            .file("cv-1.pdf", fixture("pdf/pyhanko-rsa2048-cades.pdf")),
    )
    .unwrap();
    e.send(
        outgoing(HOAN_KIEM, 2, &[VUNG_TAU]).file("cv-2.pdf", fixture("pdf/tamper-one-byte.pdf")),
    )
    .unwrap();
    e.deliver_all(10).unwrap();
    let a = id(VUNG_TAU);
    assert_eq!(
        e.state(&key(HOAN_KIEM, 1), &a).unwrap().last,
        Some(S::Arrived)
    );
    assert_eq!(
        e.state(&key(HOAN_KIEM, 2), &a).unwrap().last,
        Some(S::Rejected)
    );
    let st = e.statuses(&key(HOAN_KIEM, 2)).unwrap();
    let why = st[0].description.as_deref().unwrap();
    assert!(
        why.contains("cv-2.pdf") && why.contains("TotalFailed"),
        "{why}"
    );
    drop(e);
    // The verification result survives a restart.
    let store = SqliteStore::open(&path).unwrap();
    let entry = store.inbox_entry(&a, &key(HOAN_KIEM, 1)).unwrap().unwrap();
    assert_eq!(entry.checks[0].verdict, Verdict::Valid);
    assert_eq!(entry.checks[0].signatures, 1);
}

// ---------------------------------------------------------------------------------------------
// SQLite specifics

#[test]
fn sqlite_is_wal_and_survives_reopen() {
    let (_dir, path) = temp_db("reopen");
    {
        let (mut e, _) = engine(SqliteStore::open(&path).unwrap());
        assert_eq!(e.store().journal_mode().unwrap(), "wal");
        e.send(outgoing(HOAN_KIEM, 1, &[VUNG_TAU, MINISTRY]).due(Date::new(2024, 4, 1).unwrap()))
            .unwrap();
        // Deliver part of the way, then "restart".
        e.deliver(10).unwrap();
        e.deliver(10).unwrap();
    }
    let (mut e, _) = engine(SqliteStore::open(&path).unwrap());
    let k = key(HOAN_KIEM, 1);
    let doc = e.document(&k).unwrap().unwrap();
    assert_eq!(doc.recipients, [id(VUNG_TAU), id(MINISTRY)]);
    assert_eq!(doc.kind, BusinessKind::New);
    assert_eq!(e.store().counts().unwrap().in_transit, 2);
    let p = e.deliver_all(10).unwrap();
    assert_eq!(p.arrived, 2);
    // Resumed where it stopped: every hop traced once.
    assert_eq!(e.traces(&k, &id(VUNG_TAU)).unwrap().len(), 5);
    assert_eq!(e.traces(&k, &id(MINISTRY)).unwrap().len(), 4);
}

/// A clock that answers a fraction of a second: the engine keeps whole seconds, so both stores
/// hold the same instants (the SQLite store writes Unix seconds).
struct FractionalClock;

impl vnedoc::exchange::engine::Clock for FractionalClock {
    fn now(&self) -> Timestamp {
        Timestamp::new(T0.as_second(), 750_000_000).unwrap()
    }
}

both_stores!(
    engine_times_are_whole_seconds,
    engine_times_are_whole_seconds_on
);
fn engine_times_are_whole_seconds_on<St: Store>(store: St) {
    let mut e = Engine::new(dir(), store).with_clock(Arc::new(FractionalClock));
    let k = key(HOAN_KIEM, 1);
    e.send(outgoing(HOAN_KIEM, 1, &[CUA_NAM])).unwrap();
    e.deliver_all(10).unwrap();
    assert_eq!(e.document(&k).unwrap().unwrap().created_at, T0);
    assert!(
        e.traces(&k, &id(CUA_NAM))
            .unwrap()
            .iter()
            .all(|t| t.at == T0)
    );
    assert_eq!(e.inbox(&id(CUA_NAM)).unwrap()[0].arrived_at, T0);
    assert!(e.statuses(&k).unwrap().iter().all(|s| s.at == T0));
    assert_eq!(
        e.store()
            .delivery(&k, &id(CUA_NAM))
            .unwrap()
            .unwrap()
            .delivered_at,
        Some(T0)
    );
}
