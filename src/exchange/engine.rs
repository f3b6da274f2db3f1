//! The exchange engine (issue 4 §5): sending, hop-by-hop delivery with TraceHeaders and
//! transport acknowledgement, verification on arrival, processing statuses flowing back along
//! the reverse route, revoke / update / replace, idempotence on (sender, DocumentId), deadlines.
//!
//! The engine sees an envelope as its serialized edXML bytes plus the metadata it routes on
//! ([`Outgoing`]); it never parses the XML, and it never parses PDFs either: attached files are
//! checked through the [`SignatureCheck`] trait, implemented for [`crate::Verifier`].
//!
//! ```text
//! send ─► outbox (Store) ─► deliver: hop 0 (sender) ─► LGSP ─► VDXP ─► LGSP ─► recipient
//!                                     each hop: TraceEntry + TransportAck; the last one files the
//!                                     envelope in the inbox, checks signatures, answers 01 or 02
//! report_status (recipient) ─► state machine ─► status record with the reverse route
//! send(Revoke|Update|Replace of X) ─► on arrival: 13 on X ─► answer_request: 14/15 or 16
//! ```
//!
//! Every state change goes through one [`Store::apply`] transaction guarded by compare-and-set,
//! so a batch interrupted by a crash is either all there or not at all, and replaying it after a
//! restart finds the deliveries already moved on ([`OpOutcome::Stale`]) instead of duplicating
//! them. Time comes from a [`Clock`] given to the engine; nothing else reads the system clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::agency_id::AgencyId;
use super::directory::{Date, Directory};
use super::routing::{Hop, Recipient, RouteError, Router};
use super::status::{
    IllegalTransition, ProcessingState, ProcessingStatus, Transition, TransportAck,
};
use super::store::{
    Arrival, BusinessKind, Delivery, DocKey, InboxEntry, InsertOutcome, NewDocument, Op, OpOutcome,
    Overdue, SignedFile, StatusRecord, Store, StoreError, StoredDocument, TraceEntry,
};
use crate::verify::{Indication, Verifier};

// ---------------------------------------------------------------------------------------------
// Signature checks

/// The verdict on one attached file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Signed, and every signature passed.
    Valid,
    /// A signature failed, or the file could not be read.
    Invalid,
    /// Neither passed nor failed (e.g. revocation unknown, no checker configured).
    Indeterminate,
    /// No signature.
    Unsigned,
}

/// The result of checking one attached file, kept with the document in the inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The attachment name.
    pub name: String,
    pub verdict: Verdict,
    /// Why it is not valid (first failing signature), for the `02` Description.
    pub reason: Option<String>,
    /// Signatures found.
    pub signatures: u32,
}

/// Checks the signatures of one attached file. The exchange code only sees this trait.
pub trait SignatureCheck: Send + Sync {
    fn check(&self, name: &str, bytes: &[u8]) -> CheckResult;
}

/// Longest reason kept from a verification report (characters): enough for the field name, the
/// ETSI indication and the first error, short enough for an edXML `Description`.
pub const MAX_REASON_CHARS: usize = 500;

fn clip(s: String) -> String {
    if s.chars().count() <= MAX_REASON_CHARS {
        s
    } else {
        s.chars().take(MAX_REASON_CHARS).collect()
    }
}

impl SignatureCheck for Verifier {
    fn check(&self, name: &str, bytes: &[u8]) -> CheckResult {
        let report = self.verify_bytes(name, bytes);
        let signatures = u32::try_from(report.signatures.len()).unwrap_or(u32::MAX);
        let result = |verdict, reason: Option<String>| CheckResult {
            name: name.to_owned(),
            verdict,
            reason: reason.map(clip),
            signatures,
        };
        if let Some(err) = report.error {
            return result(Verdict::Invalid, Some(format!("unreadable: {err}")));
        }
        if !report.signed || report.signatures.is_empty() {
            return result(Verdict::Unsigned, None);
        }
        let failing = report
            .signatures
            .iter()
            .find(|s| s.indication == Indication::TotalFailed)
            .or_else(|| {
                report
                    .signatures
                    .iter()
                    .find(|s| s.indication != Indication::TotalPassed)
            });
        let Some(sig) = failing else {
            return result(Verdict::Valid, None);
        };
        let mut reason = format!("{}: {:?}", sig.field, sig.indication);
        if let Some(sub) = sig.subindication {
            reason.push_str(&format!("/{sub:?}"));
        }
        if let Some(first) = sig.errors.first() {
            reason.push_str(": ");
            reason.push_str(first);
        }
        let verdict = if sig.indication == Indication::TotalFailed {
            Verdict::Invalid
        } else {
            Verdict::Indeterminate
        };
        result(verdict, Some(reason))
    }
}

/// The checker used when none is configured: every file is [`Verdict::Indeterminate`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSignatureCheck;

impl SignatureCheck for NoSignatureCheck {
    fn check(&self, name: &str, _bytes: &[u8]) -> CheckResult {
        CheckResult {
            name: name.to_owned(),
            verdict: Verdict::Indeterminate,
            reason: Some("no signature checker configured".to_owned()),
            signatures: 0,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policy, clock, transport

/// What to answer when a check does not pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnCheck {
    /// Keep the document (the result is stored with it) and answer `01`.
    Accept,
    /// Answer `02` with the reason.
    Reject,
}

/// The recipient's policy on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArrivalPolicy {
    /// For a [`Verdict::Invalid`] file. Default: reject.
    pub on_invalid: OnCheck,
    /// For a [`Verdict::Indeterminate`] file. Default: accept (revocation is often unknown at
    /// arrival; the clerk decides).
    pub on_indeterminate: OnCheck,
    /// For an unsigned file. Default: accept (appendices are often unsigned).
    pub on_unsigned: OnCheck,
    /// Answer `01` automatically when the recipient's software takes the envelope.
    pub acknowledge_arrival: bool,
    /// The code used to agree to a take-back/update request: `14` or `15` (SDKs disagree).
    pub agreed_code: ProcessingStatus,
}

impl Default for ArrivalPolicy {
    fn default() -> Self {
        ArrivalPolicy {
            on_invalid: OnCheck::Reject,
            on_indeterminate: OnCheck::Accept,
            on_unsigned: OnCheck::Accept,
            acknowledge_arrival: true,
            agreed_code: ProcessingStatus::RequestAgreed15,
        }
    }
}

impl ArrivalPolicy {
    fn decide(&self, verdict: Verdict) -> OnCheck {
        match verdict {
            Verdict::Valid => OnCheck::Accept,
            Verdict::Invalid => self.on_invalid,
            Verdict::Indeterminate => self.on_indeterminate,
            Verdict::Unsigned => self.on_unsigned,
        }
    }
}

/// Where the engine gets "now" (Unix seconds).
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        crate::time::now()
    }
}

/// A clock set by hand, for tests and simulations.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(now: i64) -> Self {
        ManualClock(AtomicI64::new(now))
    }
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::SeqCst);
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Carries an envelope to one hop and reports the transport acknowledgement. The default,
/// [`LocalTransport`], always succeeds (every node in one process); a networked deployment
/// calls the hub here.
pub trait Transport: Send + Sync {
    fn carry(&self, delivery: &Delivery, hop: &Hop) -> TransportAck;
}

/// Every hop takes the envelope.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalTransport;

impl Transport for LocalTransport {
    fn carry(&self, _: &Delivery, _: &Hop) -> TransportAck {
        TransportAck::Done
    }
}

// ---------------------------------------------------------------------------------------------
// Requests and results

/// A document to send: the serialized envelope and the metadata the engine routes on (taken from
/// the envelope's `From`, `To`, `DocumentId`, `Bussiness` and `DueDate`).
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub sender: AgencyId,
    /// Agencies or broadcast groups; groups are expanded by the router.
    pub recipients: Vec<Recipient>,
    /// The edXML `DocumentId`, `{sender OrganId},{yyyy/MM/dd},{number}/{notation}`.
    pub document_id: String,
    pub kind: BusinessKind,
    /// For revoke / update / replace: the `DocumentId` of the original (same sender).
    pub related: Option<String>,
    pub due_date: Option<Date>,
    pub envelope: Vec<u8>,
    /// Attached files whose signatures recipients check on arrival.
    pub files: Vec<SignedFile>,
}

impl Outgoing {
    /// A new document to agencies.
    pub fn new(
        sender: AgencyId,
        recipients: impl IntoIterator<Item = AgencyId>,
        document_id: impl Into<String>,
        envelope: Vec<u8>,
    ) -> Self {
        Outgoing {
            sender,
            recipients: recipients.into_iter().map(Recipient::Agency).collect(),
            document_id: document_id.into(),
            kind: BusinessKind::New,
            related: None,
            due_date: None,
            envelope,
            files: Vec::new(),
        }
    }

    pub fn due(mut self, date: Date) -> Self {
        self.due_date = Some(date);
        self
    }

    pub fn file(mut self, name: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.files.push(SignedFile {
            name: name.into(),
            bytes,
        });
        self
    }

    /// Makes this a revoke / update / replace of `original` (a `DocumentId` of the same sender).
    pub fn changing(mut self, kind: BusinessKind, original: impl Into<String>) -> Self {
        self.kind = kind;
        self.related = Some(original.into());
        self
    }
}

/// What `send` did with one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// In the outbox, one delivery per recipient.
    Queued { recipients: Vec<AgencyId> },
    /// The same envelope was already sent under this key: nothing added.
    AlreadySent,
    /// Another envelope was already sent under this key: refused.
    Conflict,
}

/// Counts from [`Engine::deliver`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Hops that took an envelope (arrivals not included).
    pub advanced: u64,
    /// Envelopes that reached a recipient's inbox.
    pub arrived: u64,
    /// Hops that failed (traced with `fail`).
    pub failed: u64,
    /// Ops found already applied (replays after a crash, redeliveries).
    pub stale: u64,
    /// Arrival statuses refused by the state machine (e.g. a 13 on an original already closed).
    pub refused: u64,
}

impl Progress {
    fn add(&mut self, other: Progress) {
        self.advanced += other.advanced;
        self.arrived += other.arrived;
        self.failed += other.failed;
        self.stale += other.stale;
        self.refused += other.refused;
    }

    /// Whether anything moved.
    pub fn moved(&self) -> bool {
        self.advanced > 0 || self.arrived > 0
    }
}

/// Why the engine refused a request.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error(transparent)]
    Route(#[from] RouteError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("document {key:?} was already sent with another envelope")]
    Conflict { key: DocKey },
    #[error("DocumentId {document_id:?} does not start with the sender {sender}")]
    DocumentIdSender {
        document_id: String,
        sender: AgencyId,
    },
    #[error("a {kind:?} document needs the DocumentId of the original")]
    MissingOriginal { kind: BusinessKind },
    #[error("original document {key:?} was not sent")]
    UnknownOriginal { key: DocKey },
    #[error("{recipient} did not receive the original {original:?}")]
    NotRecipientOfOriginal {
        recipient: AgencyId,
        original: DocKey,
    },
    #[error("no delivery of {key:?} to {recipient}")]
    UnknownDelivery { key: DocKey, recipient: AgencyId },
    #[error("{key:?} has not reached {recipient} yet")]
    NotDelivered { key: DocKey, recipient: AgencyId },
    #[error("status {status} is sent by the sender, not by a recipient")]
    WrongEmitter { status: ProcessingStatus },
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
}

// ---------------------------------------------------------------------------------------------
// The engine

/// Largest number of deliveries advanced in one transaction by [`Engine::deliver_all`]: large
/// enough that a commit (one WAL append) is amortised over many hops, small enough that a batch
/// stays a few hundred kilobytes of SQL work. Measured on the crash test (10,000 envelopes).
pub const DEFAULT_BATCH: usize = 1_000;

/// Rounds in a row in which every hop failed before [`Engine::deliver_all`] gives up: a hop
/// that fails three times running is down, not flaky; the next call retries it.
pub const MAX_IDLE_ROUNDS: u32 = 3;

/// The exchange engine over one [`Store`].
pub struct Engine<S: Store> {
    directory: Arc<Directory>,
    store: S,
    checker: Arc<dyn SignatureCheck>,
    policy: ArrivalPolicy,
    clock: Arc<dyn Clock>,
    transport: Arc<dyn Transport>,
    routing_date: Option<Date>,
}

/// Vietnam's offset from UTC, for edXML timestamps (`Asia/Ho_Chi_Minh`, no daylight saving).
pub const VIETNAM_UTC_OFFSET_SECS: i32 = 7 * 3600;

/// Formats Unix seconds as an edXML timestamp `yyyy/MM/dd HH:mm:ss`, Vietnam time.
pub fn edxml_timestamp(unix: i64) -> Option<String> {
    let date = Date::from_unix(unix, VIETNAM_UTC_OFFSET_SECS)?;
    let secs = unix
        .checked_add(i64::from(VIETNAM_UTC_OFFSET_SECS))?
        .rem_euclid(86_400);
    Some(format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
        date.year(),
        date.month(),
        date.day(),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    ))
}

impl<S: Store> Engine<S> {
    /// An engine with the default policy, no signature checker, the system clock and local
    /// transport.
    pub fn new(directory: Arc<Directory>, store: S) -> Self {
        Engine {
            directory,
            store,
            checker: Arc::new(NoSignatureCheck),
            policy: ArrivalPolicy::default(),
            clock: Arc::new(SystemClock),
            transport: Arc::new(LocalTransport),
            routing_date: None,
        }
    }

    pub fn with_checker(mut self, checker: Arc<dyn SignatureCheck>) -> Self {
        self.checker = checker;
        self
    }

    pub fn with_policy(mut self, policy: ArrivalPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = transport;
        self
    }

    /// Check agencies' validity dates against `date` when routing.
    pub fn routing_on(mut self, date: Date) -> Self {
        self.routing_date = Some(date);
        self
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    pub fn into_store(self) -> S {
        self.store
    }

    pub fn policy(&self) -> &ArrivalPolicy {
        &self.policy
    }

    fn router(&self) -> Router<'_> {
        let r = Router::new(&self.directory);
        match self.routing_date {
            Some(d) => r.on(d),
            None => r,
        }
    }

    /// Sends one document: validates the recipients (nothing is stored if one is unknown or
    /// expired) and puts it in the sender's outbox. Sending the same envelope again under the
    /// same (sender, DocumentId) is [`SendOutcome::AlreadySent`]; another envelope is an error.
    pub fn send(&mut self, out: Outgoing) -> Result<SendOutcome, EngineError> {
        let key = DocKey::new(out.sender.clone(), out.document_id.clone());
        let outcome = self
            .send_batch(std::slice::from_ref(&out))?
            .pop()
            .unwrap_or(SendOutcome::AlreadySent);
        match outcome {
            SendOutcome::Conflict => Err(EngineError::Conflict { key }),
            other => Ok(other),
        }
    }

    /// Sends several documents in one transaction. Every document is validated first; one
    /// invalid document fails the whole batch and nothing is stored. Revoke / update / replace
    /// must name an original already stored (not one in the same batch).
    pub fn send_batch(&mut self, outs: &[Outgoing]) -> Result<Vec<SendOutcome>, EngineError> {
        let now = self.clock.now();
        let mut docs = Vec::with_capacity(outs.len());
        for out in outs {
            docs.push(self.prepare(out, now)?);
        }
        let results = self.store.insert_documents(&docs)?;
        Ok(results
            .into_iter()
            .zip(docs)
            .map(|(r, d)| match r {
                InsertOutcome::Inserted => SendOutcome::Queued {
                    recipients: d.routes.into_iter().map(|(r, _)| r).collect(),
                },
                InsertOutcome::Duplicate => SendOutcome::AlreadySent,
                InsertOutcome::Conflict => SendOutcome::Conflict,
            })
            .collect())
    }

    fn prepare(&self, out: &Outgoing, now: i64) -> Result<NewDocument, EngineError> {
        let prefix = out.document_id.split(',').next().unwrap_or_default().trim();
        if AgencyId::parse(prefix).ok().as_ref() != Some(&out.sender) {
            return Err(EngineError::DocumentIdSender {
                document_id: out.document_id.chars().take(128).collect(),
                sender: out.sender.clone(),
            });
        }
        let plan = self.router().plan(&out.sender, &out.recipients)?;
        let routes: Vec<(AgencyId, Vec<Hop>)> =
            plan.routes.into_iter().map(|r| (r.to, r.hops)).collect();
        if out.kind != BusinessKind::New {
            let related = out
                .related
                .as_ref()
                .ok_or(EngineError::MissingOriginal { kind: out.kind })?;
            let original = DocKey::new(out.sender.clone(), related.clone());
            let doc =
                self.store
                    .document(&original)?
                    .ok_or_else(|| EngineError::UnknownOriginal {
                        key: original.clone(),
                    })?;
            if let Some((r, _)) = routes.iter().find(|(r, _)| !doc.recipients.contains(r)) {
                return Err(EngineError::NotRecipientOfOriginal {
                    recipient: r.clone(),
                    original,
                });
            }
        }
        Ok(NewDocument {
            key: DocKey::new(out.sender.clone(), out.document_id.clone()),
            kind: out.kind,
            related: out.related.clone(),
            due_date: out.due_date,
            digest: Sha256::digest(&out.envelope).into(),
            envelope: out.envelope.clone(),
            files: out.files.clone(),
            created_at: now,
            routes,
        })
    }

    /// Moves up to `batch` deliveries in transit one hop each, in one transaction. Each hop
    /// appends its trace entry with the transport acknowledgement; the last hop files the
    /// envelope in the recipient's inbox with its signature checks and the arrival status.
    pub fn deliver(&mut self, batch: usize) -> Result<Progress, EngineError> {
        let pending = self.store.in_transit(batch)?;
        let now = self.clock.now();
        let mut docs: HashMap<DocKey, Arc<StoredDocument>> = HashMap::new();
        let mut ops = Vec::with_capacity(pending.len());
        for d in &pending {
            let Some(op) = self.hop_op(d, now, &mut docs)? else {
                continue;
            };
            ops.push(op);
        }
        let outcomes = self.store.apply(&ops)?;
        let mut p = Progress::default();
        for o in outcomes {
            match o {
                OpOutcome::Advanced => p.advanced += 1,
                OpOutcome::Failed => p.failed += 1,
                OpOutcome::Arrived { statuses } => {
                    p.arrived += 1;
                    p.refused += u64::try_from(statuses.iter().filter(|s| s.is_err()).count())
                        .unwrap_or(u64::MAX);
                }
                OpOutcome::Duplicate | OpOutcome::Stale | OpOutcome::Missing => p.stale += 1,
                OpOutcome::Status(_) => {}
            }
        }
        Ok(p)
    }

    /// Delivers until nothing is in transit, or until [`MAX_IDLE_ROUNDS`] rounds in a row move
    /// nothing (every remaining hop failed: retry later).
    pub fn deliver_all(&mut self, batch: usize) -> Result<Progress, EngineError> {
        let mut total = Progress::default();
        let mut idle = 0;
        loop {
            let p = self.deliver(batch)?;
            total.add(p);
            if p.moved() {
                idle = 0;
            } else if p.failed == 0 || {
                idle += 1;
                idle >= MAX_IDLE_ROUNDS
            } {
                return Ok(total);
            }
        }
    }

    fn document_cached(
        &self,
        key: &DocKey,
        docs: &mut HashMap<DocKey, Arc<StoredDocument>>,
    ) -> Result<Arc<StoredDocument>, EngineError> {
        if let Some(d) = docs.get(key) {
            return Ok(d.clone());
        }
        let d = Arc::new(self.store.document(key)?.ok_or_else(|| {
            EngineError::Store(StoreError::Corrupt {
                what: "delivery without document",
                found: key.document_id.chars().take(64).collect(),
            })
        })?);
        docs.insert(key.clone(), d.clone());
        Ok(d)
    }

    fn hop_op(
        &self,
        d: &Delivery,
        now: i64,
        docs: &mut HashMap<DocKey, Arc<StoredDocument>>,
    ) -> Result<Option<Op>, EngineError> {
        let idx = usize::try_from(d.next_hop).unwrap_or(usize::MAX);
        let Some(hop) = d.hops.get(idx) else {
            return Ok(None);
        };
        let ack = self.transport.carry(d, hop);
        let last = idx.saturating_add(1) == d.hops.len();
        // The document (envelope and files) is read only where it is needed: on arrival.
        let arrival = if last && ack == TransportAck::Done {
            let doc = self.document_cached(&d.key, docs)?;
            Some(self.arrival(d, &doc, now))
        } else {
            None
        };
        Ok(Some(Op::Hop {
            key: d.key.clone(),
            recipient: d.recipient.clone(),
            trace: TraceEntry {
                hop_index: d.next_hop,
                node: hop.node.clone(),
                kind: hop.kind,
                at: now,
                ack,
            },
            arrival,
        }))
    }

    /// Checks the attached files and decides the arrival statuses.
    fn arrival(&self, d: &Delivery, doc: &StoredDocument, now: i64) -> Arrival {
        let checks: Vec<CheckResult> = doc
            .files
            .iter()
            .map(|f| self.checker.check(&f.name, &f.bytes))
            .collect();
        let back = reverse_path(&d.hops);
        let mut statuses = Vec::new();
        let rejection = checks
            .iter()
            .find(|c| self.policy.decide(c.verdict) == OnCheck::Reject);
        let status = |status, description| StatusRecord {
            key: d.key.clone(),
            recipient: d.recipient.clone(),
            status,
            description,
            from: d.recipient.clone(),
            at: now,
            path: back.clone(),
        };
        if let Some(c) = rejection {
            let why = c.reason.as_deref().unwrap_or("no reason given");
            statuses.push(status(
                ProcessingStatus::Rejected,
                Some(clip(format!(
                    "signature check of {} gave {:?}: {why}",
                    c.name, c.verdict
                ))),
            ));
        } else if self.policy.acknowledge_arrival {
            statuses.push(status(ProcessingStatus::Arrived, None));
        }
        if let (true, Some(original)) = (doc.kind != BusinessKind::New, &doc.related) {
            statuses.push(StatusRecord {
                key: DocKey::new(d.key.sender.clone(), original.clone()),
                recipient: d.recipient.clone(),
                status: ProcessingStatus::TakeBackRequested,
                description: Some(format!("{:?} by {}", doc.kind, d.key.document_id)),
                from: d.key.sender.clone(),
                at: now,
                path: d.hops.iter().map(|h| h.node.clone()).collect(),
            });
        }
        Arrival { checks, statuses }
    }

    /// Replays the last hop of a delivery, as a hub does when the recipient's acknowledgement
    /// was lost. Never files the envelope twice: an arrived delivery answers
    /// [`OpOutcome::Stale`].
    pub fn redeliver(
        &mut self,
        key: &DocKey,
        recipient: &AgencyId,
    ) -> Result<OpOutcome, EngineError> {
        let d = self.delivery(key, recipient)?;
        let doc = self.document_cached(key, &mut HashMap::new())?;
        let last = d.hops.len().saturating_sub(1);
        let Some(hop) = d.hops.get(last) else {
            return Ok(OpOutcome::Missing);
        };
        let now = self.clock.now();
        let op = Op::Hop {
            key: key.clone(),
            recipient: recipient.clone(),
            trace: TraceEntry {
                hop_index: u32::try_from(last).unwrap_or(u32::MAX),
                node: hop.node.clone(),
                kind: hop.kind,
                at: now,
                ack: TransportAck::Done,
            },
            arrival: Some(self.arrival(&d, &doc, now)),
        };
        Ok(self
            .store
            .apply(std::slice::from_ref(&op))?
            .pop()
            .unwrap_or(OpOutcome::Missing))
    }

    fn delivery(&self, key: &DocKey, recipient: &AgencyId) -> Result<Delivery, EngineError> {
        self.store
            .delivery(key, recipient)?
            .ok_or_else(|| EngineError::UnknownDelivery {
                key: key.clone(),
                recipient: recipient.clone(),
            })
    }

    /// The recipient reports a processing status (`01`–`06`, or `14`/`15`/`16` answering a
    /// request); it travels back to the sender along the reverse route. Refused when the state
    /// machine forbids it; a repeat of the current status is a no-op.
    pub fn report_status(
        &mut self,
        recipient: &AgencyId,
        key: &DocKey,
        status: ProcessingStatus,
        description: Option<String>,
    ) -> Result<Transition, EngineError> {
        if status.is_from_sender() {
            return Err(EngineError::WrongEmitter { status });
        }
        let d = self.delivery(key, recipient)?;
        if d.delivered_at.is_none() {
            return Err(EngineError::NotDelivered {
                key: key.clone(),
                recipient: recipient.clone(),
            });
        }
        let rec = StatusRecord {
            key: key.clone(),
            recipient: recipient.clone(),
            status,
            description,
            from: recipient.clone(),
            at: self.clock.now(),
            path: reverse_path(&d.hops),
        };
        match self.store.apply(&[Op::Status(rec)])?.pop() {
            Some(OpOutcome::Status(Ok(t))) => Ok(t),
            Some(OpOutcome::Status(Err(e))) => Err(EngineError::Illegal(e)),
            _ => Err(EngineError::UnknownDelivery {
                key: key.clone(),
                recipient: recipient.clone(),
            }),
        }
    }

    /// The recipient answers a take-back / update request (`13`) on `original`: agree
    /// ([`ArrivalPolicy::agreed_code`]) or refuse (`16`).
    pub fn answer_request(
        &mut self,
        recipient: &AgencyId,
        original: &DocKey,
        agree: bool,
        reason: Option<String>,
    ) -> Result<Transition, EngineError> {
        let code = if agree {
            self.policy.agreed_code
        } else {
            ProcessingStatus::RequestRefused
        };
        self.report_status(recipient, original, code, reason)
    }

    pub fn document(&self, key: &DocKey) -> Result<Option<StoredDocument>, EngineError> {
        Ok(self.store.document(key)?)
    }

    /// The processing state of a document at one recipient.
    pub fn state(
        &self,
        key: &DocKey,
        recipient: &AgencyId,
    ) -> Result<ProcessingState, EngineError> {
        Ok(self.delivery(key, recipient)?.state)
    }

    pub fn inbox(&self, recipient: &AgencyId) -> Result<Vec<InboxEntry>, EngineError> {
        Ok(self.store.inbox(recipient)?)
    }

    pub fn outbox(&self, sender: &AgencyId) -> Result<Vec<DocKey>, EngineError> {
        Ok(self.store.outbox(sender)?)
    }

    pub fn traces(
        &self,
        key: &DocKey,
        recipient: &AgencyId,
    ) -> Result<Vec<TraceEntry>, EngineError> {
        Ok(self.store.traces(key, recipient)?)
    }

    /// The `TraceHeaderList` of a delivery as (OrganId, Timestamp) pairs for the edXML writer:
    /// the hops that took the envelope, in order, with Vietnam-time timestamps.
    pub fn trace_headers(
        &self,
        key: &DocKey,
        recipient: &AgencyId,
    ) -> Result<Vec<(String, String)>, EngineError> {
        Ok(self
            .store
            .traces(key, recipient)?
            .into_iter()
            .filter(|t| t.ack == TransportAck::Done)
            .map(|t| (t.node, edxml_timestamp(t.at).unwrap_or_default()))
            .collect())
    }

    pub fn statuses(&self, key: &DocKey) -> Result<Vec<StatusRecord>, EngineError> {
        Ok(self.store.statuses(key)?)
    }

    /// Documents delivered to `unit` past their due date (before `today`) and not done.
    pub fn overdue(&self, unit: &AgencyId, today: Date) -> Result<Vec<Overdue>, EngineError> {
        Ok(self.store.overdue(unit, today)?)
    }
}

/// The nodes of a route from recipient back to sender.
fn reverse_path(hops: &[Hop]) -> Vec<String> {
    hops.iter().rev().map(|h| h.node.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edxml_timestamps_are_vietnam_time() {
        // 2024-03-15T01:02:03Z is 08:02:03 in Hanoi.
        assert_eq!(
            edxml_timestamp(1_710_464_523).as_deref(),
            Some("2024/03/15 08:02:03")
        );
        // 17:30 UTC is past midnight in Hanoi.
        assert_eq!(
            edxml_timestamp(1_710_523_800).as_deref(),
            Some("2024/03/16 00:30:00")
        );
    }
}
