//! The exchange engine: sending, hop-by-hop delivery with TraceHeaders and
//! transport acknowledgement, verification on arrival, processing statuses flowing back along
//! the reverse route, revoke / update / replace, idempotence on (sender, DocumentId), deadlines.
//!
//! The engine sees an envelope as its serialized edXML bytes plus the metadata it routes on
//! ([`Outgoing`]); delivery never parses the XML, and nothing here parses PDFs: attached files are
//! checked through the [`SignatureCheck`] trait of [`crate::check`] (implemented for
//! [`crate::Verifier`] by the ledger), and the documents sent and filed are told to a
//! [`Recorder`] ([`super::record`], implemented by the ledger's stores). The engine imports
//! neither the verifier nor the ledger.
//!
//! The edXML module meets the engine at two points only, both outside the delivery path
//! (section "edXML envelopes" below): [`Outgoing::from_envelope`] / [`Engine::send_envelope`]
//! take the routing metadata and the PDF attachments from an [`Envelope`], and
//! [`Engine::received_envelope`] gives a recipient the stored envelope with one `TraceHeader`
//! per hop it passed.
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
use std::sync::{Arc, Mutex, PoisonError};

use jiff::SignedDuration;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::agency_id::{AgencyId, AgencyIdError};
use super::directory::{Date, Directory};
use super::edxml::{
    self, Attachment, BusinessDocType, DocumentId, DocumentIdError, EdxmlDate, EdxmlError,
    EdxmlTimestamp, Envelope,
};
use super::record::{Direction, Entry, NoRecorder, RecordError, Recorder};
use super::routing::{Hop, Recipient, RouteError, Router};
use super::status::{
    IllegalTransition, ProcessingState, ProcessingStatus, Transition, TransportAck,
};
use super::store::{
    Arrival, BusinessKind, Delivery, DocKey, InboxEntry, InsertOutcome, NewDocument, Op, OpOutcome,
    Overdue, SignedFile, StatusRecord, Store, StoreError, StoredDocument, TraceEntry,
};
pub use crate::check::{CheckResult, MAX_REASON_CHARS, NoSignatureCheck, SignatureCheck, Verdict};
use crate::check::{Outcome, clip};
use crate::crypto::sha256;
use crate::time::Timestamp;

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

/// Where the engine gets "now".
pub trait Clock: Send + Sync {
    /// The current time. The engine keeps whole seconds (the SQLite store writes Unix
    /// seconds) and truncates a fraction, so every store sees the same instants.
    fn now(&self) -> Timestamp;
}

/// The system clock, truncated to the second ([`crate::time::now`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        crate::time::now()
    }
}

/// A clock set by hand, for tests and simulations. It keeps the instant it is given exactly
/// and answers it truncated to the second, like [`SystemClock`]: two advances of half a second
/// move [`Clock::now`] by one second.
#[derive(Debug, Default)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    /// A clock stopped at `now`.
    pub fn new(now: Timestamp) -> Self {
        ManualClock(Mutex::new(now))
    }
    /// Sets the time to `now`.
    pub fn set(&self, now: Timestamp) {
        *self.time() = now;
    }
    /// Moves the time forward by `by` (backward if negative), stopping at the ends of
    /// [`Timestamp`]'s range.
    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.time();
        *t = t.saturating_add(by).unwrap_or(*t);
    }
    /// The time, even if a thread panicked while holding it: a `Timestamp` has no
    /// half-written state.
    fn time(&self) -> std::sync::MutexGuard<'_, Timestamp> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        whole_seconds(*self.time())
    }
}

/// `t` truncated to the second, as [`crate::time::now`] truncates.
fn whole_seconds(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// Carries an envelope to one hop and reports the transport acknowledgement. The default,
/// [`LocalTransport`], always succeeds (every node in one process); a networked deployment
/// calls the hub here.
pub trait Transport: Send + Sync {
    /// Hands `delivery`'s envelope to `hop`: [`TransportAck::Done`] if the hop took it,
    /// [`TransportAck::Fail`] if not (the delivery stays at that hop and is retried).
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
#[non_exhaustive]
pub struct Outgoing {
    /// The sending agency (`From/OrganId`); the `DocumentId` must start with it.
    pub sender: AgencyId,
    /// Agencies or broadcast groups; groups are expanded by the router.
    pub recipients: Vec<Recipient>,
    /// The edXML `DocumentId`, `{sender OrganId},{yyyy/MM/dd},{number}/{notation}`.
    pub document_id: String,
    /// New, revoke, update or replace (`BussinessDocType`).
    pub kind: BusinessKind,
    /// For revoke / update / replace: the `DocumentId` of the original (same sender).
    pub related: Option<String>,
    /// The edXML `DueDate` by which recipients must process it; `None` when there is none.
    pub due_date: Option<Date>,
    /// The serialized edXML envelope, stored and delivered byte for byte; its SHA-256 tells a
    /// repeated send from a conflicting one.
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

    /// Sets the due date (`DueDate`) by which recipients must process the document.
    pub fn due(mut self, date: Date) -> Self {
        self.due_date = Some(date);
        self
    }

    /// Attaches a file whose signatures the recipients check on arrival.
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
    Queued {
        /// The recipients, after group expansion, in route order.
        recipients: Vec<AgencyId>,
    },
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
    /// Route.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// Store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Recording in the ledger failed ([`Engine::with_ledger`]); the source is the recorder's
    /// own error (a [`crate::ledger::LedgerError`] for the ledger's stores).
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Document `key` was already sent with another envelope.
    #[error("document {key:?} was already sent with another envelope")]
    Conflict {
        /// The key.
        key: DocKey,
    },
    /// DocumentId `document_id` does not start with the sender `sender`.
    #[error("DocumentId {document_id:?} does not start with the sender {sender}")]
    DocumentIdSender {
        /// The edXML DocumentId.
        document_id: String,
        /// The sender.
        sender: AgencyId,
    },
    /// A `kind` document needs the DocumentId of the original.
    #[error("a {kind:?} document needs the DocumentId of the original")]
    MissingOriginal {
        /// The kind.
        kind: BusinessKind,
    },
    /// Original document `key` was not sent.
    #[error("original document {key:?} was not sent")]
    UnknownOriginal {
        /// The key.
        key: DocKey,
    },
    /// `recipient` did not receive the original `original`.
    #[error("{recipient} did not receive the original {original:?}")]
    NotRecipientOfOriginal {
        /// The recipient as given.
        recipient: AgencyId,
        /// The original.
        original: DocKey,
    },
    /// No delivery of `key` to `recipient`.
    #[error("no delivery of {key:?} to {recipient}")]
    UnknownDelivery {
        /// The key.
        key: DocKey,
        /// The recipient as given.
        recipient: AgencyId,
    },
    /// `key` has not reached `recipient` yet.
    #[error("{key:?} has not reached {recipient} yet")]
    NotDelivered {
        /// The key.
        key: DocKey,
        /// The recipient as given.
        recipient: AgencyId,
    },
    /// Status `status` is sent by the sender, not by a recipient.
    #[error("status {status} is sent by the sender, not by a recipient")]
    WrongEmitter {
        /// The status.
        status: ProcessingStatus,
    },
    /// Illegal.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// The edXML envelope given to [`Engine::send_envelope`] cannot be sent.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The envelope stored for a document does not parse as edXML (it was sent as raw bytes
    /// through [`Engine::send`], or the store is damaged).
    #[error("stored envelope of {key:?} is not edXML: {source}")]
    StoredEnvelope {
        /// The key.
        key: DocKey,
        /// The underlying error.
        #[source]
        source: EdxmlError,
    },
    /// A trace time that cannot be written as an edXML timestamp (outside years 1..=9999 in
    /// Vietnam).
    #[error("trace time {} cannot be written as an edXML timestamp", .at.as_second())]
    TraceTime {
        /// The time of the trace entry.
        at: Timestamp,
    },
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

/// The exchange engine over one [`Store`], recording what it sends and files in `R`
/// ([`Engine::with_ledger`]; by default nothing is recorded).
pub struct Engine<S: Store, R: Recorder = NoRecorder> {
    directory: Arc<Directory>,
    store: S,
    checker: Arc<dyn SignatureCheck>,
    policy: ArrivalPolicy,
    clock: Arc<dyn Clock>,
    transport: Arc<dyn Transport>,
    routing_date: Option<Date>,
    ledger: Option<R>,
}

/// Vietnam's offset from UTC, for edXML timestamps (`Asia/Ho_Chi_Minh`, no daylight saving):
/// [`crate::time::VIETNAM`] in seconds.
pub const VIETNAM_UTC_OFFSET_SECS: i32 = 7 * 3600;

/// `at` written as an edXML timestamp `yyyy/MM/dd HH:mm:ss`, Vietnam time (`None` outside
/// years 1..=9999 there): the text of [`edxml_trace_timestamp`], for display.
pub fn edxml_timestamp(at: Timestamp) -> Option<String> {
    edxml_trace_timestamp(at).map(|t| t.to_string())
}

impl<S: Store> Engine<S> {
    /// An engine with the default policy, no signature checker, the system clock, local
    /// transport and no ledger.
    pub fn new(directory: Arc<Directory>, store: S) -> Self {
        Engine {
            directory,
            store,
            checker: Arc::new(NoSignatureCheck),
            policy: ArrivalPolicy::default(),
            clock: Arc::new(SystemClock),
            transport: Arc::new(LocalTransport),
            routing_date: None,
            ledger: None,
        }
    }
}

impl<S: Store, R: Recorder> Engine<S, R> {
    /// Records every document sent (`issued`, for the sender) and every document filed in an
    /// inbox (`received`, for the recipient) in `ledger`, one [`Entry`] per document: the first
    /// PDF attachment is the document (the others are appendices), its outcome comes from the
    /// configured [`SignatureCheck`], and its date is the day of sending or arrival in Vietnam.
    /// A document without a PDF attachment is `unsigned`. Nothing is recorded for a checker that
    /// gives no [`CheckResult::outcome`] ([`NoSignatureCheck`]).
    ///
    /// Entries are recorded before the delivery transaction commits (arrivals) and after the
    /// documents are stored (sends), and the ledger deduplicates, so a crash and a replay count
    /// each document once. A send interrupted between storing and recording is recorded when
    /// the sender retries it ([`SendOutcome::AlreadySent`]).
    ///
    /// Any [`Recorder`] serves; every [`crate::ledger::LedgerStore`] is one.
    pub fn with_ledger<L: Recorder>(self, ledger: L) -> Engine<S, L> {
        Engine {
            directory: self.directory,
            store: self.store,
            checker: self.checker,
            policy: self.policy,
            clock: self.clock,
            transport: self.transport,
            routing_date: self.routing_date,
            ledger: Some(ledger),
        }
    }

    /// The ledger given to [`Engine::with_ledger`]. Query a ledger store with
    /// `Ledger::new(engine.ledger_mut().unwrap())`.
    pub fn ledger_mut(&mut self) -> Option<&mut R> {
        self.ledger.as_mut()
    }

    /// Takes the ledger out of the engine.
    pub fn take_ledger(&mut self) -> Option<R> {
        self.ledger.take()
    }

    /// The ledger entry of a document seen by `unit`: `None` when the checker does not give
    /// outcomes.
    fn ledger_entry(
        &self,
        (unit, direction): (&AgencyId, Direction),
        document_id: &str,
        files: &[SignedFile],
        check: Option<&CheckResult>,
        envelope: &[u8],
        now: Timestamp,
    ) -> Option<Entry> {
        let date = crate::time::vietnam_date(now)?;
        let (outcome, legally_complete, sha256) = match files.first() {
            Some(f) => {
                let owned;
                let check = match check {
                    Some(c) => c,
                    None => {
                        owned = self.checker.check(&f.name, &f.bytes);
                        &owned
                    }
                };
                (check.outcome?, check.legally_complete, sha256(&f.bytes))
            }
            None => (Outcome::Unsigned, Some(false), sha256(envelope)),
        };
        Some(Entry {
            unit: unit.clone(),
            document_id: document_id.to_owned(),
            sha256,
            direction,
            date,
            outcome,
            legally_complete,
        })
    }

    fn record(&mut self, entries: &[Entry]) -> Result<(), EngineError> {
        if let (Some(ledger), false) = (self.ledger.as_mut(), entries.is_empty()) {
            ledger.record(entries)?;
        }
        Ok(())
    }

    /// The `received` entries of the arrivals among `ops`.
    fn arrival_entries(
        &self,
        ops: &[Op],
        docs: &HashMap<DocKey, Arc<StoredDocument>>,
        now: Timestamp,
    ) -> Vec<Entry> {
        if self.ledger.is_none() {
            return Vec::new();
        }
        ops.iter()
            .filter_map(|op| match op {
                Op::Hop {
                    key,
                    recipient,
                    arrival: Some(arrival),
                    ..
                } => {
                    let doc = docs.get(key)?;
                    self.ledger_entry(
                        (recipient, Direction::Received),
                        &key.document_id,
                        &doc.files,
                        arrival.checks.first(),
                        &doc.envelope,
                        now,
                    )
                }
                _ => None,
            })
            .collect()
    }

    /// Checks attached files on arrival with `checker` (default: [`NoSignatureCheck`]).
    pub fn with_checker(mut self, checker: Arc<dyn SignatureCheck>) -> Self {
        self.checker = checker;
        self
    }

    /// Answers arrivals by `policy` (default: [`ArrivalPolicy::default`]).
    pub fn with_policy(mut self, policy: ArrivalPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Takes the time of sends, hops and statuses from `clock` (default: [`SystemClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Carries envelopes from hop to hop with `transport` (default: [`LocalTransport`]).
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = transport;
        self
    }

    /// Check agencies' validity dates against `date` when routing.
    pub fn routing_on(mut self, date: Date) -> Self {
        self.routing_date = Some(date);
        self
    }

    /// The store the engine works on.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, mutably. Changes made through it bypass the engine: no routing or sender
    /// checks, nothing recorded in the ledger.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Gives the store back, dropping the engine.
    pub fn into_store(self) -> S {
        self.store
    }

    /// The arrival policy in force.
    pub fn policy(&self) -> &ArrivalPolicy {
        &self.policy
    }

    /// The clock's time, whole seconds whatever the [`Clock`] answers.
    fn now(&self) -> Timestamp {
        whole_seconds(self.clock.now())
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
        let result = self.send_batch_unlogged(outs);
        match &result {
            Ok(outcomes) => {
                for (out, o) in outs.iter().zip(outcomes) {
                    let (outcome, recipients) = match o {
                        SendOutcome::Queued { recipients } => ("queued", recipients.len()),
                        SendOutcome::AlreadySent => ("already_sent", 0),
                        SendOutcome::Conflict => ("conflict", 0),
                    };
                    tracing::debug!(
                        sender = out.sender.as_str(),
                        document_id = out.document_id.as_str(),
                        outcome,
                        recipients,
                        "envelope sent"
                    );
                }
                tracing::info!(documents = outs.len(), "batch sent");
            }
            // The caller gets the error; nothing was stored.
            Err(e) => tracing::debug!(documents = outs.len(), error = %e, "batch refused"),
        }
        result
    }

    fn send_batch_unlogged(&mut self, outs: &[Outgoing]) -> Result<Vec<SendOutcome>, EngineError> {
        let now = self.now();
        let mut docs = Vec::with_capacity(outs.len());
        for out in outs {
            docs.push(self.prepare(out, now)?);
        }
        let results = self.store.insert_documents(&docs)?;
        if self.ledger.is_some() {
            let issued: Vec<Entry> = results
                .iter()
                .zip(&docs)
                .filter(|(r, _)| matches!(r, InsertOutcome::Inserted | InsertOutcome::Duplicate))
                .filter_map(|(_, d)| {
                    self.ledger_entry(
                        (&d.key.sender, Direction::Issued),
                        &d.key.document_id,
                        &d.files,
                        None,
                        &d.envelope,
                        now,
                    )
                })
                .collect();
            self.record(&issued)?;
        }
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

    fn prepare(&self, out: &Outgoing, now: Timestamp) -> Result<NewDocument, EngineError> {
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
        let result = self.deliver_unlogged(batch);
        match &result {
            Ok(p) => tracing::debug!(
                advanced = p.advanced,
                arrived = p.arrived,
                failed = p.failed,
                stale = p.stale,
                refused = p.refused,
                "delivery round"
            ),
            Err(e) => tracing::debug!(error = %e, "delivery round failed"),
        }
        result
    }

    fn deliver_unlogged(&mut self, batch: usize) -> Result<Progress, EngineError> {
        let pending = self.store.in_transit(batch)?;
        let now = self.now();
        let mut docs: HashMap<DocKey, Arc<StoredDocument>> = HashMap::new();
        let mut ops = Vec::with_capacity(pending.len());
        for d in &pending {
            let Some(op) = self.hop_op(d, now, &mut docs)? else {
                continue;
            };
            ops.push(op);
        }
        let received = self.arrival_entries(&ops, &docs, now);
        self.record(&received)?;
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
                tracing::info!(
                    advanced = total.advanced,
                    arrived = total.arrived,
                    failed = total.failed,
                    stale = total.stale,
                    refused = total.refused,
                    "deliveries done"
                );
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
        now: Timestamp,
        docs: &mut HashMap<DocKey, Arc<StoredDocument>>,
    ) -> Result<Option<Op>, EngineError> {
        let idx = usize::try_from(d.next_hop).unwrap_or(usize::MAX);
        let Some(hop) = d.hops.get(idx) else {
            return Ok(None);
        };
        let ack = self.transport.carry(d, hop);
        let last = idx.saturating_add(1) == d.hops.len();
        if ack == TransportAck::Fail {
            // Retried by the next round; a hop that keeps failing shows here.
            tracing::warn!(
                sender = d.key.sender.as_str(),
                document_id = d.key.document_id.as_str(),
                recipient = d.recipient.as_str(),
                hop = idx,
                node = hop.node.as_str(),
                attempts = d.attempts,
                "hop did not take the envelope"
            );
        } else {
            tracing::debug!(
                sender = d.key.sender.as_str(),
                document_id = d.key.document_id.as_str(),
                recipient = d.recipient.as_str(),
                hop = idx,
                node = hop.node.as_str(),
                last,
                "envelope hop"
            );
        }
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
    fn arrival(&self, d: &Delivery, doc: &StoredDocument, now: Timestamp) -> Arrival {
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
            tracing::info!(
                document_id = d.key.document_id.as_str(),
                recipient = d.recipient.as_str(),
                file = c.name.as_str(),
                verdict = ?c.verdict,
                "envelope rejected on arrival"
            );
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
        tracing::debug!(
            document_id = d.key.document_id.as_str(),
            recipient = d.recipient.as_str(),
            files = checks.len(),
            statuses = statuses.len(),
            "envelope arrived"
        );
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
        let now = self.now();
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
        let docs = HashMap::from([(key.clone(), doc)]);
        let received = self.arrival_entries(std::slice::from_ref(&op), &docs, now);
        self.record(&received)?;
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
        let result = self.report_status_unlogged(recipient, key, status, description);
        match &result {
            Ok(_) => tracing::info!(
                sender = key.sender.as_str(),
                document_id = key.document_id.as_str(),
                recipient = recipient.as_str(),
                status = status.code(),
                "status reported"
            ),
            Err(e) => tracing::debug!(
                document_id = key.document_id.as_str(),
                recipient = recipient.as_str(),
                status = status.code(),
                error = %e,
                "status refused"
            ),
        }
        result
    }

    fn report_status_unlogged(
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
            at: self.now(),
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

    /// The document sent under `key`; `None` if it was never sent.
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

    /// The documents filed in `recipient`'s inbox, in order of arrival.
    pub fn inbox(&self, recipient: &AgencyId) -> Result<Vec<InboxEntry>, EngineError> {
        Ok(self.store.inbox(recipient)?)
    }

    /// The documents `sender` sent, oldest first.
    pub fn outbox(&self, sender: &AgencyId) -> Result<Vec<DocKey>, EngineError> {
        Ok(self.store.outbox(sender)?)
    }

    /// The trace entries of one delivery in the order recorded, failed hops included (see
    /// [`Engine::trace_headers`] for the edXML `TraceHeaderList`).
    pub fn traces(
        &self,
        key: &DocKey,
        recipient: &AgencyId,
    ) -> Result<Vec<TraceEntry>, EngineError> {
        Ok(self.store.traces(key, recipient)?)
    }

    /// The `TraceHeaderList` of a delivery as (OrganId, Timestamp) pairs, ready for
    /// [`Envelope::append_trace`]: the hops that took the envelope, in order, with Vietnam-time
    /// timestamps. [`EngineError::TraceTime`] for a hop time outside years 1..=9999 in Vietnam.
    pub fn trace_headers(
        &self,
        key: &DocKey,
        recipient: &AgencyId,
    ) -> Result<Vec<(String, EdxmlTimestamp)>, EngineError> {
        self.store
            .traces(key, recipient)?
            .into_iter()
            .filter(|t| t.ack == TransportAck::Done)
            .map(|t| {
                let at = edxml_trace_timestamp(t.at).ok_or(EngineError::TraceTime { at: t.at })?;
                Ok((t.node, at))
            })
            .collect()
    }

    /// The processing statuses recorded for a document at all its recipients, in the order
    /// recorded (repeats and refused statuses are not recorded).
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

// ---------------------------------------------------------------------------------------------
// edXML envelopes
//
// Where the edXML module meets the engine. Sending reads the routing metadata out of an
// [`Envelope`] and keeps the envelope as `to_xml` bytes; receiving parses those bytes back and
// appends the TraceHeaders the engine recorded for the delivery.

/// Longest identifier or DocumentId echoed in an [`EnvelopeError`] (characters): envelopes come
/// from other systems, and an error message should not carry a megabyte of their text.
const MAX_ECHO_CHARS: usize = 128;

fn echo(s: &str) -> String {
    s.chars().take(MAX_ECHO_CHARS).collect()
}

/// Why an edXML [`Envelope`] cannot be turned into an [`Outgoing`].
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// A `Status` message: processing statuses go back with [`Engine::report_status`].
    #[error("a Status message is not a document to send")]
    NotEdoc,
    /// [`Envelope::validate`] refused it (no recipient, a manifest reference to nothing, …).
    #[error("envelope is not valid to send: {0}")]
    Invalid(#[source] EdxmlError),
    /// `From/OrganId` or a `To/OrganId` is not an agency identifier.
    #[error("{field} {organ_id:?} is not an agency identifier: {source}")]
    OrganId {
        /// The field.
        field: &'static str,
        /// The organ id.
        organ_id: String,
        /// The underlying error.
        #[source]
        source: AgencyIdError,
    },
    /// MessageHeader has no DocumentId.
    #[error("MessageHeader has no DocumentId")]
    MissingDocumentId,
    /// `DocumentId` or `Bussiness/DocumentId` is not `{OrganId},{yyyy/MM/dd},{number}/{notation}`.
    #[error("{field} {document_id:?}: {source}")]
    DocumentId {
        /// The field.
        field: &'static str,
        /// The edXML DocumentId.
        document_id: String,
        /// The underlying error.
        #[source]
        source: DocumentIdError,
    },
    /// `DocumentId` or `Bussiness/DocumentId` names another sender than `From/OrganId`.
    #[error("{field} {document_id:?} does not start with the sender {sender}")]
    NotFromSender {
        /// The field.
        field: &'static str,
        /// The edXML DocumentId.
        document_id: String,
        /// The sender.
        sender: AgencyId,
    },
    /// `BussinessDocType` 1, 2 or 3 without the `DocumentId` of the original.
    #[error("BussinessDocType {} ({kind:?}) needs Bussiness/DocumentId of the original", .kind.code())]
    MissingOriginal {
        /// The kind.
        kind: BusinessKind,
    },
    /// `DueDate` outside the engine's calendar; the date as the envelope gave it.
    #[error("DueDate {0} is outside the engine's calendar")]
    DueDate(EdxmlDate),
}

/// `BussinessDocType` as the engine's [`BusinessKind`] (same digits).
pub fn business_kind(doc_type: BusinessDocType) -> BusinessKind {
    match doc_type {
        BusinessDocType::New => BusinessKind::New,
        BusinessDocType::Revoke => BusinessKind::Revoke,
        BusinessDocType::Update => BusinessKind::Update,
        BusinessDocType::Replace => BusinessKind::Replace,
    }
}

/// Whether the recipients check this attachment's signatures on arrival: a PDF by its content
/// type (`application/pdf`, `application/x-pdf`, parameters ignored), by its name (`.pdf`, any
/// case), or by its first bytes (`%PDF-`, for senders that label everything
/// `application/octet-stream`). Unsigned PDFs are checked too; the checker answers
/// [`Verdict::Unsigned`] and the policy decides. Other attachments (office files, images) are
/// carried but not checked.
pub fn is_checked_attachment(a: &Attachment) -> bool {
    let by_type = a.content_type.as_deref().is_some_and(|t| {
        let essence = t.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/pdf")
            || essence.eq_ignore_ascii_case("application/x-pdf")
    });
    let by_name = a.name.as_deref().is_some_and(|n| {
        let n = n.trim();
        n.get(n.len().saturating_sub(4)..)
            .is_some_and(|ext| ext.eq_ignore_ascii_case(".pdf"))
    });
    by_type || by_name || a.content.starts_with(b"%PDF-")
}

fn organ(field: &'static str, organ_id: &str) -> Result<AgencyId, EnvelopeError> {
    AgencyId::parse(organ_id.trim()).map_err(|source| EnvelopeError::OrganId {
        field,
        organ_id: echo(organ_id),
        source,
    })
}

/// Parses a DocumentId with the edXML rule and checks that it starts with `sender` (the engine
/// keys documents on (sender, DocumentId); a revoke / update / replace names an original of the
/// same sender).
fn sender_document_id(
    field: &'static str,
    document_id: &str,
    sender: &AgencyId,
) -> Result<(), EnvelopeError> {
    let parsed = DocumentId::parse(document_id).map_err(|source| EnvelopeError::DocumentId {
        field,
        document_id: echo(document_id),
        source,
    })?;
    if AgencyId::parse(&parsed.organ_id).ok().as_ref() != Some(sender) {
        return Err(EnvelopeError::NotFromSender {
            field,
            document_id: echo(document_id),
            sender: sender.clone(),
        });
    }
    Ok(())
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

impl Outgoing {
    /// The document an edXML edoc envelope carries, ready for [`Engine::send`]:
    ///
    /// | `Outgoing` | from the envelope |
    /// |---|---|
    /// | `sender` | `From/OrganId` |
    /// | `recipients` | every `To/OrganId`, in order (agencies, never groups) |
    /// | `document_id` | `DocumentId`, trimmed, checked with [`DocumentId::parse`] and required to start with the sender |
    /// | `kind` | `Bussiness/BussinessDocType` (no `Bussiness` block: new) |
    /// | `related` | for 1 / 2 / 3: `Bussiness/DocumentId` (or the single `ReplacementInfo/DocumentId`), same checks |
    /// | `due_date` | `DueDate` |
    /// | `files` | the PDF attachments ([`is_checked_attachment`]), named by `AttachmentName` (else `ContentId`) |
    /// | `envelope` | [`edxml::to_xml`] of the envelope |
    ///
    /// The envelope is also checked with [`Envelope::validate`]. Serialization is deterministic,
    /// so the same envelope sent twice has the same digest and the second send is
    /// [`SendOutcome::AlreadySent`]. TraceHeaders already in the envelope are kept; the engine
    /// appends its own after them ([`Engine::received_envelope`]), so a sender should leave the
    /// list empty (hop 0 of every route is the sender itself).
    pub fn from_envelope(envelope: &Envelope) -> Result<Outgoing, EnvelopeError> {
        let header = envelope.message_header().ok_or(EnvelopeError::NotEdoc)?;
        envelope.validate().map_err(EnvelopeError::Invalid)?;
        let sender = organ("From/OrganId", &header.from.organ_id)?;
        let recipients = header
            .to
            .iter()
            .map(|o| organ("To/OrganId", &o.organ_id).map(Recipient::Agency))
            .collect::<Result<Vec<_>, _>>()?;
        let document_id = header
            .document_id
            .as_deref()
            .and_then(non_empty)
            .ok_or(EnvelopeError::MissingDocumentId)?;
        sender_document_id("DocumentId", document_id, &sender)?;
        let business = envelope.header.trace.business.as_ref();
        let kind = business.map_or(BusinessKind::New, |b| business_kind(b.doc_type));
        let related = match business {
            Some(b) if kind != BusinessKind::New => {
                let original = b
                    .document_id
                    .as_deref()
                    .and_then(non_empty)
                    .or_else(|| match b.replacement_info.as_slice() {
                        [only] => non_empty(&only.document_id),
                        _ => None,
                    })
                    .ok_or(EnvelopeError::MissingOriginal { kind })?;
                sender_document_id("Bussiness/DocumentId", original, &sender)?;
                Some(original.to_owned())
            }
            _ => None,
        };
        let due_date = header
            .due_date
            .map(|d| Date::new(d.year(), d.month(), d.day()).ok_or(EnvelopeError::DueDate(d)))
            .transpose()?;
        let files = envelope
            .attachments
            .iter()
            .filter(|a| is_checked_attachment(a))
            .map(|a| SignedFile {
                name: a
                    .name
                    .as_deref()
                    .and_then(non_empty)
                    .unwrap_or(&a.content_id)
                    .to_owned(),
                bytes: a.content.clone(),
            })
            .collect();
        Ok(Outgoing {
            sender,
            recipients,
            document_id: document_id.to_owned(),
            kind,
            related,
            due_date,
            envelope: edxml::to_xml(envelope).into_bytes(),
            files,
        })
    }
}

/// `at` as an [`EdxmlTimestamp`], Vietnam time (`None` outside years 1..=9999 there):
/// [`EdxmlTimestamp::in_vietnam`].
pub fn edxml_trace_timestamp(at: Timestamp) -> Option<EdxmlTimestamp> {
    EdxmlTimestamp::in_vietnam(at)
}

impl<S: Store, R: Recorder> Engine<S, R> {
    /// Sends an edXML edoc envelope: [`Outgoing::from_envelope`], then [`Engine::send`]. The
    /// same envelope sent again is [`SendOutcome::AlreadySent`]; another envelope under the same
    /// (sender, DocumentId) is [`EngineError::Conflict`].
    pub fn send_envelope(&mut self, envelope: &Envelope) -> Result<SendOutcome, EngineError> {
        self.send(Outgoing::from_envelope(envelope)?)
    }

    /// The envelope as `recipient` received it: the stored envelope, parsed, with one
    /// `TraceHeader` appended per hop that took it (`OrganId` = the hop's node, agency id or
    /// hub name; `Timestamp` = when that hop took it, `yyyy/MM/dd HH:mm:ss` Vietnam time), in
    /// hop order from the sender to the recipient. Hops that failed and were retried appear
    /// once, with the time of the successful attempt. Errors if the envelope has not reached
    /// the recipient yet.
    ///
    /// Why the headers are added when the envelope is read, not written into the stored bytes
    /// at each hop: the store keeps one envelope per document, shared by all its recipients,
    /// and uses its SHA-256 for idempotence on (sender, DocumentId), while the trace is per
    /// (document, recipient) and is already stored, one row per hop, inside the same
    /// compare-and-set transaction that moves the delivery on. Rewriting the envelope at every
    /// hop would mean one copy of the envelope (attachments included) per recipient and per
    /// hop, parsing and re-serializing XML inside the delivery transaction, and a digest that
    /// no longer identifies what the sender sent. Appending at read time gives the recipient the
    /// same envelope a hop-by-hop rewrite would, because `append_trace` only ever adds at the
    /// end of the list.
    pub fn received_envelope(
        &self,
        key: &DocKey,
        recipient: &AgencyId,
    ) -> Result<Envelope, EngineError> {
        let d = self.delivery(key, recipient)?;
        if d.delivered_at.is_none() {
            return Err(EngineError::NotDelivered {
                key: key.clone(),
                recipient: recipient.clone(),
            });
        }
        let doc = self.document_cached(key, &mut HashMap::new())?;
        let mut envelope =
            edxml::from_xml(&doc.envelope).map_err(|source| EngineError::StoredEnvelope {
                key: key.clone(),
                source,
            })?;
        for (node, at) in self.trace_headers(key, recipient)? {
            envelope.append_trace(node, at);
        }
        Ok(envelope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The manual clock keeps the exact instant and answers whole seconds; advancing past
    /// the end of the range stops there.
    #[test]
    fn manual_clock_answers_whole_seconds() {
        let t0 = crate::time::timestamp(1_710_464_400).unwrap();
        let clock = ManualClock::new(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(SignedDuration::from_millis(500));
        assert_eq!(clock.now(), t0);
        clock.advance(SignedDuration::from_millis(500));
        assert_eq!(clock.now().as_second(), 1_710_464_401);
        clock.advance(SignedDuration::from_secs(-61));
        assert_eq!(clock.now().as_second(), 1_710_464_340);
        clock.set(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(SignedDuration::MAX);
        assert_eq!(clock.now(), crate::time::saturating_timestamp(i64::MAX));
        assert_eq!(clock.now().subsec_nanosecond(), 0);
        assert_eq!(SystemClock.now().subsec_nanosecond(), 0);
    }

    #[test]
    fn edxml_timestamps_are_vietnam_time() {
        // 2024-03-15T01:02:03Z is 08:02:03 in Hanoi.
        let at = |unix| crate::time::timestamp(unix).unwrap();
        assert_eq!(
            edxml_timestamp(at(1_710_464_523)).as_deref(),
            Some("2024/03/15 08:02:03")
        );
        // 17:30 UTC is past midnight in Hanoi.
        assert_eq!(
            edxml_timestamp(at(1_710_523_800)).as_deref(),
            Some("2024/03/16 00:30:00")
        );
    }
}
