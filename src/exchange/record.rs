//! What the exchange engine tells a recorder: one [`Entry`] per document a unit issued or
//! received, handed to a [`Recorder`] as the documents are sent and filed.
//!
//! The engine defines this seam and the ledger implements it (every
//! [`crate::ledger::LedgerStore`] is a [`Recorder`]), so the exchange never imports the ledger;
//! the ledger imports the exchange for its agencies, dates and envelopes. The verdict in an
//! entry ([`Outcome`]) comes from [`crate::check`], which both sides import.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::agency_id::AgencyId;
use super::directory::Date;
use crate::check::Outcome;

/// Whether the unit issued or received the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The unit sent the document (it is the sender).
    Issued,
    /// The document was filed in the unit's inbox.
    Received,
}

impl Direction {
    /// The lower-case name, as serialized and stored: `issued` or `received`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Issued => "issued",
            Direction::Received => "received",
        }
    }

    /// Reads [`Direction::as_str`]'s names (exactly, lower case); `None` for anything else.
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "issued" => Some(Direction::Issued),
            "received" => Some(Direction::Received),
            _ => None,
        }
    }
}

/// One document seen by one unit: what the engine records, and what the ledger counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The agency unit whose ledger counts the document.
    pub unit: AgencyId,
    /// The document's own identifier (the edXML document id, or a path for scanned files).
    pub document_id: String,
    /// SHA-256 of the document's bytes, written as lower-case hex.
    #[serde(with = "hex32")]
    pub sha256: [u8; 32],
    /// Whether `unit` issued or received it.
    pub direction: Direction,
    /// Issue or arrival date, in Vietnam.
    pub date: Date,
    /// The verifier's verdict on the document's signatures (serialized inline, as the
    /// `outcome` tag and its fields).
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Decree 30 Art. 5: the document carries valid signatures of both a competent person and
    /// the agency. `None` when the classifier could not tell the role of some valid signature
    /// and the other roles found do not settle it.
    pub legally_complete: Option<bool>,
}

/// Where the engine records the documents it sends and files
/// ([`Engine::with_ledger`](super::engine::Engine::with_ledger)). Implementations apply each call atomically and count a document once per unit and
/// direction, so that a replayed batch is not counted twice.
pub trait Recorder: Send {
    /// Records `entries`, in order.
    fn record(&mut self, entries: &[Entry]) -> Result<(), RecordError>;
}

/// The recorder of an engine that records nothing (the default of
/// [`super::engine::Engine::new`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRecorder;

impl Recorder for NoRecorder {
    fn record(&mut self, _: &[Entry]) -> Result<(), RecordError> {
        Ok(())
    }
}

/// A recorder's failure; its message and source are the recorder's own error (a
/// [`crate::ledger::LedgerError`] for the ledger's stores), which
/// [`RecordError::downcast_ref`] gives back.
#[derive(Debug, Error)]
#[error(transparent)]
pub struct RecordError(Box<dyn std::error::Error + Send + Sync>);

impl RecordError {
    /// Wraps a recorder's own error.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        RecordError(Box::new(error))
    }

    /// The recorder's own error, when it is an `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

pub(crate) fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *slot = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

/// `[u8; 32]` as 64 lower-case hex digits.
mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::hex(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        super::unhex32(&s).ok_or_else(|| D::Error::custom("expected 64 hex digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sha256;

    #[test]
    fn hex_round_trip() {
        let h = sha256(b"abc");
        assert_eq!(
            hex(&h),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(unhex32(&hex(&h)), Some(h));
        assert_eq!(unhex32("zz"), None);
    }
}
