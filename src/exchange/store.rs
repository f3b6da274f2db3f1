//! Where the exchange engine keeps outboxes, deliveries in transit, traces, inboxes, statuses and
//! verification results.
//!
//! Everything goes through the [`Store`] trait, so a multi-node backend (PostgreSQL) can be added
//! without touching routing or the engine. Two implementations ship:
//! - [`SqliteStore`], the default: one embedded SQLite file in WAL mode, durable across crashes;
//! - [`MemoryStore`], for tests and simulations.
//!
//! The trait is deliberately coarse: [`Store::apply`] takes a batch of [`Op`]s and applies them
//! in one transaction, each op guarded by a compare-and-set on the delivery's hop counter or on
//! the processing state. That is what makes delivery idempotent and crash-safe: an op computed
//! from a state that has since moved on (a retry after a crash, a redelivery) comes back
//! [`OpOutcome::Stale`] or [`OpOutcome::Duplicate`] instead of being applied twice.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::agency_id::AgencyId;
use super::directory::Date;
use super::routing::{Hop, HopKind};
use super::status::{
    IllegalTransition, ProcessingState, ProcessingStatus, Transition, TransportAck,
};
use crate::check::CheckResult;
use crate::time::Timestamp;

mod memory;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::{SetupError, SqliteOptions, SqliteStore, Synchronous};

/// Identifies a document for idempotence: the sender and the edXML `DocumentId`
/// (`{sender OrganId},{yyyy/MM/dd},{number}/{notation}`), kept as the string the sender wrote.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DocKey {
    /// The sending agency (`From/OrganId`).
    pub sender: AgencyId,
    /// The edXML `DocumentId` as sent; keys compare it byte for byte.
    pub document_id: String,
}

impl DocKey {
    /// The key of the document `document_id` sent by `sender`.
    pub fn new(sender: AgencyId, document_id: impl Into<String>) -> Self {
        DocKey {
            sender,
            document_id: document_id.into(),
        }
    }
}

/// `BussinessDocType`: what the document does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessKind {
    /// `0` a new document.
    #[default]
    New,
    /// `1` revokes an earlier document.
    Revoke,
    /// `2` updates an earlier document.
    Update,
    /// `3` replaces an earlier document.
    Replace,
}

impl BusinessKind {
    /// The digit written in `BussinessDocType`.
    pub fn code(self) -> u8 {
        match self {
            BusinessKind::New => 0,
            BusinessKind::Revoke => 1,
            BusinessKind::Update => 2,
            BusinessKind::Replace => 3,
        }
    }

    /// Reads the digit of `BussinessDocType`; `None` for anything but `0`–`3`.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(BusinessKind::New),
            1 => Some(BusinessKind::Revoke),
            2 => Some(BusinessKind::Update),
            3 => Some(BusinessKind::Replace),
            _ => None,
        }
    }
}

/// A file attached to a document whose signature the recipient checks on arrival.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedFile {
    /// The file name (the edXML `AttachmentName`, else its `ContentId`), given to the checker
    /// and shown in rejection reasons.
    pub name: String,
    /// The file's bytes, as the signature checker reads them.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for SignedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedFile")
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A document to put in the sender's outbox, with one route per recipient.
#[derive(Clone, Debug)]
pub struct NewDocument {
    /// Sender and `DocumentId`: the idempotence key.
    pub key: DocKey,
    /// New, revoke, update or replace (`BussinessDocType`).
    pub kind: BusinessKind,
    /// For revoke / update / replace: the `DocumentId` of the original (same sender).
    pub related: Option<String>,
    /// The edXML `DueDate` by which recipients must process it; `None` when there is none.
    pub due_date: Option<Date>,
    /// The serialized edXML envelope, kept byte for byte.
    pub envelope: Vec<u8>,
    /// SHA-256 of `envelope`: a second send with the same key and another digest is a conflict.
    pub digest: [u8; 32],
    /// The attached files whose signatures the recipients check on arrival.
    pub files: Vec<SignedFile>,
    /// When it was sent (put in the outbox), whole seconds.
    pub created_at: Timestamp,
    /// One route per recipient; the first hop is the sender, the last the recipient.
    pub routes: Vec<(AgencyId, Vec<Hop>)>,
}

/// What [`Store::insert_documents`] did with one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertOutcome {
    /// New key: the document and one delivery per route are stored.
    Inserted,
    /// Same key, same envelope: already there, nothing added.
    Duplicate,
    /// Same key, another envelope: refused.
    Conflict,
}

/// A document as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDocument {
    /// Sender and `DocumentId`.
    pub key: DocKey,
    /// New, revoke, update or replace (`BussinessDocType`).
    pub kind: BusinessKind,
    /// For revoke / update / replace: the `DocumentId` of the original (same sender).
    pub related: Option<String>,
    /// The edXML `DueDate`; `None` when there is none.
    pub due_date: Option<Date>,
    /// The serialized edXML envelope, byte for byte as sent.
    pub envelope: Vec<u8>,
    /// SHA-256 of `envelope`.
    pub digest: [u8; 32],
    /// The attached files checked on arrival, in the order sent.
    pub files: Vec<SignedFile>,
    /// When it was sent, whole seconds.
    pub created_at: Timestamp,
    /// The recipients it was routed to (after group expansion), in route order.
    pub recipients: Vec<AgencyId>,
}

/// One (document, recipient) pair: where it is on its route and its processing state there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The document delivered.
    pub key: DocKey,
    /// The agency it is delivered to.
    pub recipient: AgencyId,
    /// The route, from the sender (hop 0) through any hubs (LGSP, the national axis) to the
    /// recipient (the last hop).
    pub hops: Vec<Hop>,
    /// Index in `hops` of the next hop to take the envelope; `hops.len()` once delivered.
    pub next_hop: u32,
    /// Failed transport attempts so far.
    pub attempts: u32,
    /// When the recipient took the envelope; `None` while in transit.
    pub delivered_at: Option<Timestamp>,
    /// The recipient's processing state (default before the first status).
    pub state: ProcessingState,
    /// The document's `DueDate`, copied here for the overdue query; `None` when there is none.
    pub due_date: Option<Date>,
}

/// One TraceHeader: a hop took (or failed to take) the envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// Index of the hop in [`Delivery::hops`] (0 is the sender).
    pub hop_index: u32,
    /// Agency id or hub name.
    pub node: String,
    /// Whether the node is an agency, a provincial hub (LGSP) or the national axis.
    pub kind: HopKind,
    /// When the hop took (or failed to take) the envelope. Serialized as Unix seconds (a
    /// number), as it always has been.
    #[serde(with = "unix_seconds")]
    pub at: Timestamp,
    /// Whether the hop took the envelope (`done`) or not (`fail`).
    pub ack: TransportAck,
}

/// A processing status for one (document, recipient) pair, with the path it travelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRecord {
    /// The document the status is about.
    pub key: DocKey,
    /// The recipient whose processing state this is.
    pub recipient: AgencyId,
    /// The edXML `StatusCode`.
    pub status: ProcessingStatus,
    /// The edXML `Description` (the reason of a `02` rejection, for instance), if any.
    pub description: Option<String>,
    /// Who emitted it: the recipient, or the sender for `13`.
    pub from: AgencyId,
    /// When the status was emitted. Serialized as Unix seconds (a number), as it always has
    /// been.
    #[serde(with = "unix_seconds")]
    pub at: Timestamp,
    /// The nodes the status message passed, first to last (the reverse route for a status
    /// going back to the sender).
    pub path: Vec<String>,
}

/// Applied when the last hop (the recipient) takes the envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// Signature checks of the attached files.
    pub checks: Vec<CheckResult>,
    /// Statuses emitted on arrival (`01`, or `02` by policy; `13` on the original of a
    /// revoke / update / replace). Applied only when the arrival is new.
    pub statuses: Vec<StatusRecord>,
}

/// One change, applied by [`Store::apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Hop `trace.hop_index` took (or failed to take) the envelope. Applied only if the
    /// delivery's `next_hop` still equals `trace.hop_index`. With `TransportAck::Done` the
    /// delivery moves on; on the last hop `arrival` must be set and the document enters the
    /// recipient's inbox (once: an existing inbox entry makes it a [`OpOutcome::Duplicate`]).
    Hop {
        /// The document delivered.
        key: DocKey,
        /// The recipient of the delivery.
        recipient: AgencyId,
        /// The hop's TraceHeader, appended when the op applies (`done` or `fail`).
        trace: TraceEntry,
        /// What the recipient found on arrival: set on a `done` at the last hop, `None` otherwise.
        arrival: Option<Arrival>,
    },
    /// A processing status, checked against the state machine inside the transaction.
    Status(StatusRecord),
}

/// What one [`Op`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpOutcome {
    /// The hop took the envelope; the delivery moved on.
    Advanced,
    /// The hop failed; the failure is traced and the delivery stays.
    Failed,
    /// The recipient took the envelope; one result per arrival status.
    Arrived {
        /// The outcome of each [`Arrival::statuses`] entry, in the same order.
        statuses: Vec<Result<Transition, IllegalTransition>>,
    },
    /// Already in the inbox: nothing changed.
    Duplicate,
    /// The delivery is no longer at that hop (already applied): nothing changed.
    Stale,
    /// No such delivery.
    Missing,
    /// A status op: changed, repeated, or refused by the state machine (then nothing changed).
    Status(Result<Transition, IllegalTransition>),
}

/// A document in a recipient's inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    /// The agency whose inbox this is.
    pub recipient: AgencyId,
    /// The document filed.
    pub key: DocKey,
    /// When the recipient took the envelope.
    pub arrived_at: Timestamp,
    /// The signature checks of the attached files made on arrival, in file order.
    pub checks: Vec<CheckResult>,
}

/// A document past its due date at a unit, not done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overdue {
    /// The document.
    pub key: DocKey,
    /// The unit that has not finished processing it.
    pub recipient: AgencyId,
    /// The edXML `DueDate` that has passed.
    pub due_date: Date,
    /// Where the unit's processing stands.
    pub state: ProcessingState,
}

/// Row counts, for monitoring and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Documents sent (one per (sender, `DocumentId`)).
    pub documents: u64,
    /// (document, recipient) pairs.
    pub deliveries: u64,
    /// Deliveries not yet in their recipient's inbox.
    pub in_transit: u64,
    /// Documents filed in inboxes, over all recipients.
    pub inbox: u64,
    /// Trace entries, failed hops included.
    pub traces: u64,
    /// Processing statuses recorded (repeats and refused ones are not).
    pub statuses: u64,
}

/// A storage failure.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend failed (I/O, locking, SQL). `op` names the store operation; the source is
    /// the backend's own error (for [`SqliteStore`], a `rusqlite::Error` or a [`SetupError`]).
    #[error("store backend failed during {op}: {source}")]
    Backend {
        /// The store operation that failed.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Stored data could not be read back (a corrupt row or a schema from another version).
    #[error("corrupt stored {what}: {found:?}")]
    Corrupt {
        /// What is wrong.
        what: &'static str,
        /// What was found.
        found: String,
    },
    /// A number does not fit the backend's integer type.
    #[error("{what} out of range")]
    OutOfRange {
        /// What is wrong.
        what: &'static str,
    },
}

/// Storage behind the exchange engine. Implementations must apply each call atomically: either
/// every op of a batch is applied, or none (an `Err` return).
pub trait Store: Send {
    /// Puts documents and their deliveries in the outboxes, idempotently on [`DocKey`].
    fn insert_documents(&mut self, docs: &[NewDocument]) -> Result<Vec<InsertOutcome>, StoreError>;
    /// The document stored under `key`; `None` if it was never sent.
    fn document(&self, key: &DocKey) -> Result<Option<StoredDocument>, StoreError>;
    /// Up to `limit` deliveries not yet in their recipient's inbox, oldest first.
    fn in_transit(&self, limit: usize) -> Result<Vec<Delivery>, StoreError>;
    /// The delivery of `key` to `recipient`; `None` if the document was not routed to it.
    fn delivery(&self, key: &DocKey, recipient: &AgencyId) -> Result<Option<Delivery>, StoreError>;
    /// Every delivery of one document.
    fn deliveries(&self, key: &DocKey) -> Result<Vec<Delivery>, StoreError>;
    /// Applies the ops in one transaction, in order; one outcome per op.
    fn apply(&mut self, ops: &[Op]) -> Result<Vec<OpOutcome>, StoreError>;
    /// The TraceHeaders of one delivery, in order.
    fn traces(&self, key: &DocKey, recipient: &AgencyId) -> Result<Vec<TraceEntry>, StoreError>;
    /// The documents filed in `recipient`'s inbox, in order of arrival.
    fn inbox(&self, recipient: &AgencyId) -> Result<Vec<InboxEntry>, StoreError>;
    /// One document in `recipient`'s inbox; `None` if it has not arrived there.
    fn inbox_entry(
        &self,
        recipient: &AgencyId,
        key: &DocKey,
    ) -> Result<Option<InboxEntry>, StoreError>;
    /// The documents a sender sent, oldest first.
    fn outbox(&self, sender: &AgencyId) -> Result<Vec<DocKey>, StoreError>;
    /// Status history of a document (all recipients), in the order recorded.
    fn statuses(&self, key: &DocKey) -> Result<Vec<StatusRecord>, StoreError>;
    /// Documents delivered to `unit` whose due date is before `today` and that are still open
    /// (not `06`, not rejected, not withdrawn).
    fn overdue(&self, unit: &AgencyId, today: Date) -> Result<Vec<Overdue>, StoreError>;
    /// Row counts of the whole store.
    fn counts(&self) -> Result<Counts, StoreError>;
}

/// A [`Timestamp`] in serde as Unix seconds, the number the exchange's records have always
/// serialized; a number outside jiff's range does not deserialize.
mod unix_seconds {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::time::Timestamp;

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(t.as_second())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let secs = i64::deserialize(d)?;
        crate::time::timestamp(secs)
            .ok_or_else(|| D::Error::custom(format!("Unix time {secs} is out of range")))
    }
}

/// Applies a status to a state: the shared rule of both stores.
pub(crate) fn next_state(
    current: ProcessingState,
    status: ProcessingStatus,
) -> Result<Transition, IllegalTransition> {
    current.apply(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trace entries and status records serialize their time as the number of Unix seconds
    /// they always have; a number past jiff's range is refused.
    #[test]
    fn record_times_serialize_as_unix_seconds() {
        let trace = TraceEntry {
            hop_index: 0,
            node: "VDXP".to_owned(),
            kind: HopKind::NationalHub,
            at: crate::time::timestamp(1_710_464_400).unwrap(),
            ack: TransportAck::Done,
        };
        let json = serde_json::to_string(&trace).unwrap();
        assert_eq!(
            json,
            r#"{"hop_index":0,"node":"VDXP","kind":"national_hub","at":1710464400,"ack":"done"}"#
        );
        assert_eq!(serde_json::from_str::<TraceEntry>(&json).unwrap(), trace);
        let far = json.replace("1710464400", &i64::MAX.to_string());
        assert!(serde_json::from_str::<TraceEntry>(&far).is_err());
    }
}
