//! Per-unit statistics: how many of the documents a unit issued or received were signed and
//! valid, signed but invalid, or unsigned; rolled up the directory's hierarchy, per month,
//! quarter or year.
//!
//! Why it matters (REFERENCE.md §1): under Decision 28/2018/QĐ-TTg a document signed per law
//! replaces paper while an unsigned one is "for reference only", and under Decree 30/2020/NĐ-CP
//! Art. 5 an e-document has the legal value of the paper original when it carries the
//! signatures of both the competent person and the issuing agency.
//!
//! - [`Entry`]: one document seen by one unit, built from the verifier's report with
//!   [`Entry::from_report`]. Its [`Outcome`] is [`Outcome::SignedValid`] when every signature
//!   is `TOTAL_PASSED`, [`Outcome::SignedInvalid`] with the first failing indication, or
//!   [`Outcome::Unsigned`]; [`Entry::legally_complete`] applies Art. 5 with a
//!   [`SignerClassifier`].
//! - [`LedgerStore`]: where entries live, in memory ([`MemoryLedger`]) or in SQLite
//!   ([`SqliteLedger`], which may share its file with the exchange store). Recording the same
//!   document twice for the same unit and direction (same document id, or same SHA-256) counts
//!   once.
//! - The exchange engine records what it sends and files through its [`Recorder`]: every
//!   [`LedgerStore`] is one, and [`Entry`] and [`Direction`] are the engine's record types
//!   ([`crate::exchange::record`]), re-exported here. The verifier answers the engine's
//!   [`SignatureCheck`] here too ([`check_with`]), since the answer carries this module's
//!   [`Outcome`] and Decree 30 assessment. So the ledger imports
//!   the exchange, the verifier and [`crate::check`], and none of them imports the ledger.
//! - [`Ledger`]: the queries. Per unit and per subtree of a [`Directory`] ([`Scope`]), per
//!   [`Period`], shares in percent, [`Ledger::rollup`] (the `units` and `rollup` tables of the
//!   JSON contract), [`Ledger::below_target`] and [`Ledger::year_over_year`].
//!
//! ```
//! use vnedoc::exchange::{AgencyId, Date, Directory};
//! use vnedoc::ledger::{Direction, Entry, Ledger, MemoryLedger, Outcome, Period};
//!
//! let dir = Directory::from_csv(
//!     "id,name,level,parent\nH26,Thành phố Hà Nội,province,\nH26.001,Quận Ba Đình,district,H26\n",
//! )?;
//! let unit = AgencyId::parse("H26.001")?;
//! let mut ledger = Ledger::new(MemoryLedger::new());
//! ledger.record(Entry {
//!     unit: unit.clone(),
//!     document_id: "123/QĐ-UBND".into(),
//!     sha256: [7; 32],
//!     direction: Direction::Issued,
//!     date: Date::new(2026, 7, 15).unwrap(),
//!     outcome: Outcome::SignedValid,
//!     legally_complete: Some(true),
//! })?;
//! let (units, rollup) = ledger.rollup(&dir, Some("2026-Q3".parse()?))?;
//! assert_eq!(units[0].counts.signed_share, 100.0);
//! assert_eq!(rollup[0].unit.as_str(), "H26");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod classify;
mod html;
mod memory;
mod period;
mod report;
pub mod scan;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::check::{CheckResult, SignatureCheck};
use crate::exchange::record::{RecordError, Recorder, hex};
use crate::exchange::{AgencyId, Directory};
use crate::time::Date;
use crate::verify::{DocumentReport, Indication, SubIndication, Verifier};

pub use crate::check::Outcome;
pub use crate::exchange::record::{Direction, Entry};

pub use classify::{
    DEFAULT_AGENCY_PREFIXES, DefaultClassifier, ORGANISATION_UID_PREFIXES, PERSONAL_UID_PREFIXES,
    SignerClassifier, SignerRole,
};
pub use memory::MemoryLedger;
pub use period::{Period, PeriodError};
pub use report::{Placement, Skipped, StatsReport};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteLedger;

/// The share of signed-valid documents a unit is expected to reach, in percent: ministries report
/// that over 90% of the documents their units issue are electronic and digitally signed.
pub const DEFAULT_TARGET: f64 = 90.0;

impl Entry {
    /// Builds the entry of a verified document. Fails only for a document the verifier could
    /// not read at all ([`DocumentReport::error`]): such a document is neither signed nor
    /// unsigned, and the caller counts it apart.
    pub fn from_report(
        unit: AgencyId,
        document_id: impl Into<String>,
        sha256: [u8; 32],
        direction: Direction,
        date: Date,
        report: &DocumentReport,
        classifier: &dyn SignerClassifier,
    ) -> Result<Entry, LedgerError> {
        if let Some(reason) = &report.error {
            return Err(LedgerError::Unreadable {
                file: report.file.clone(),
                reason: reason.clone(),
            });
        }
        Ok(Entry {
            unit,
            document_id: document_id.into(),
            sha256,
            direction,
            date,
            outcome: outcome_of(report),
            legally_complete: legally_complete(report, classifier),
        })
    }

    /// [`Entry::sha256`] in lower-case hex.
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// SHA-256 of a document's bytes, for [`Entry::sha256`].
pub use crate::crypto::sha256;

/// The ledger's view of one verified file: its [`Outcome`] and Decree 30 completeness. A file
/// the verifier could not read is not a valid signed document: it counts as
/// `signed_invalid` with `TOTAL_FAILED`/`FORMAT_FAILURE`, and is not legally complete. (Batch
/// scanning reports unreadable files apart instead; the exchange engine, which received the
/// file as the document, counts it here.)
pub fn assess(
    report: &DocumentReport,
    classifier: &dyn SignerClassifier,
) -> (Outcome, Option<bool>) {
    if report.error.is_some() {
        return (
            Outcome::SignedInvalid {
                indication: Indication::TotalFailed,
                subindication: Some(SubIndication::FormatFailure),
            },
            Some(false),
        );
    }
    (outcome_of(report), legally_complete(report, classifier))
}

/// The verifier as the exchange engine's [`SignatureCheck`]: its verdict on the file, with the
/// ledger's [`Outcome`] and Decree 30 completeness told by the [`DefaultClassifier`].
impl SignatureCheck for Verifier {
    fn check(&self, name: &str, bytes: &[u8]) -> CheckResult {
        check_with(self, &DefaultClassifier::new(), name, bytes)
    }
}

/// What [`Verifier`]'s [`SignatureCheck`] does, with any [`SignerClassifier`] for the
/// Decree 30 completeness flag. A deployment with its own classifier implements
/// [`SignatureCheck`] by calling this.
pub fn check_with(
    verifier: &Verifier,
    classifier: &dyn SignerClassifier,
    name: &str,
    bytes: &[u8],
) -> CheckResult {
    let report = verifier.verify_bytes(name, bytes);
    let (outcome, legally_complete) = assess(&report, classifier);
    CheckResult::from_report(name, &report, Some(outcome), legally_complete)
}

/// The [`Outcome`] of a report. Document timestamps are signature dictionaries too: when the
/// document also carries signatures, a failing timestamp makes it invalid like any other
/// failing signature; a document that carries only timestamps was signed by nobody and counts
/// as unsigned (Decision 28 asks whether the document was *signed*).
pub fn outcome_of(report: &DocumentReport) -> Outcome {
    if report.signatures.iter().all(|s| s.is_doc_timestamp) {
        return Outcome::Unsigned;
    }
    match report
        .signatures
        .iter()
        .find(|s| s.indication != Indication::TotalPassed)
    {
        Some(s) => Outcome::SignedInvalid {
            indication: s.indication,
            subindication: s.subindication,
        },
        None => Outcome::SignedValid,
    }
}

/// Decree 30 Art. 5 over the report's valid signatures (document timestamps excluded):
/// `Some(true)` when one is a person's and one the agency's; otherwise `None` when some valid
/// signature's role is unknown (it might be the missing one), else `Some(false)`. An unsigned
/// document is `Some(false)`.
///
/// Whether the agency signature is the *issuing* agency's is not checked: certificates do not
/// carry agency identifiers.
pub fn legally_complete(
    report: &DocumentReport,
    classifier: &dyn SignerClassifier,
) -> Option<bool> {
    let (mut person, mut agency, mut unknown) = (false, false, false);
    for s in report
        .signatures
        .iter()
        .filter(|s| !s.is_doc_timestamp && s.indication == Indication::TotalPassed)
    {
        match s.signer.as_ref().map(|r| classifier.classify(r)) {
            Some(SignerRole::Person) => person = true,
            Some(SignerRole::Agency) => agency = true,
            Some(SignerRole::Unknown) | None => unknown = true,
        }
    }
    if person && agency {
        Some(true)
    } else if unknown {
        None
    } else {
        Some(false)
    }
}

/// Whether a second recording counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The entry is new and now counts.
    Inserted,
    /// The unit already has this document in this direction (same document id or same
    /// SHA-256); the first recording stands.
    Duplicate,
}

/// The counts of a unit or a subtree. Field names are those of the JSON contract of
/// `vnedoc stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Documents counted: `signed_valid + signed_invalid + unsigned`.
    pub total: u64,
    /// Documents with at least one signature, every one `TOTAL_PASSED`
    /// ([`Outcome::SignedValid`]).
    pub signed_valid: u64,
    /// Documents with a signature that is not `TOTAL_PASSED` ([`Outcome::SignedInvalid`]).
    pub signed_invalid: u64,
    /// Documents without a signature, document timestamps aside ([`Outcome::Unsigned`]).
    pub unsigned: u64,
    /// `signed_valid / total` in percent; 0 when there is no document.
    pub signed_share: f64,
}

impl Counts {
    /// Counts of the three outcomes; `total` (saturating at `u64::MAX`) and `signed_share`
    /// follow from them.
    pub fn new(signed_valid: u64, signed_invalid: u64, unsigned: u64) -> Counts {
        let total = signed_valid
            .saturating_add(signed_invalid)
            .saturating_add(unsigned);
        Counts {
            total,
            signed_valid,
            signed_invalid,
            unsigned,
            signed_share: share(signed_valid, total),
        }
    }

    /// Counts one outcome.
    pub fn count(&mut self, outcome: &Outcome) {
        let (mut v, mut i, mut u) = (self.signed_valid, self.signed_invalid, self.unsigned);
        match outcome {
            Outcome::SignedValid => v = v.saturating_add(1),
            Outcome::SignedInvalid { .. } => i = i.saturating_add(1),
            Outcome::Unsigned => u = u.saturating_add(1),
        }
        *self = Counts::new(v, i, u);
    }

    /// Adds another row's counts.
    pub fn add(&mut self, other: &Counts) {
        *self = Counts::new(
            self.signed_valid.saturating_add(other.signed_valid),
            self.signed_invalid.saturating_add(other.signed_invalid),
            self.unsigned.saturating_add(other.unsigned),
        );
    }

    /// Whether no document is counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// `part / total` in percent.
fn share(part: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    // f64 has no lossless `From<u64>` (and `as` is denied): shift both down by the same power
    // of two until the total fits in a u32. The ratio keeps at least 31 bits of precision.
    let shift = 64u32
        .saturating_sub(total.leading_zeros())
        .saturating_sub(32);
    let p = u32::try_from(part >> shift).unwrap_or(u32::MAX);
    let t = u32::try_from(total >> shift).unwrap_or(u32::MAX).max(1);
    100.0 * f64::from(p) / f64::from(t)
}

/// One row of the `units` or `rollup` table: `{"unit","name","total","signed_valid",
/// "signed_invalid","unsigned","signed_share"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The unit's agency id.
    pub unit: AgencyId,
    /// The directory's name for the unit; empty when the unit is not in the directory.
    pub name: String,
    /// The unit's own documents in `units`, its whole subtree in `rollup`; flattened into the
    /// row's JSON.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Which entries a query looks at. The default is everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Filter {
    /// Only entries dated in this period; `None`: any date.
    pub period: Option<Period>,
    /// Only entries the unit issued, or only those it received; `None`: both.
    pub direction: Option<Direction>,
    /// One unit only.
    pub unit: Option<AgencyId>,
}

impl Filter {
    /// Every entry of `period`.
    pub fn period(period: Period) -> Filter {
        Filter {
            period: Some(period),
            ..Filter::default()
        }
    }

    /// The same filter, narrowed to one unit.
    pub fn with_unit(mut self, unit: AgencyId) -> Filter {
        self.unit = Some(unit);
        self
    }

    /// The same filter, narrowed to `direction`.
    pub fn with_direction(mut self, direction: Direction) -> Filter {
        self.direction = Some(direction);
        self
    }

    /// Whether `e` passes the filter.
    pub fn matches(&self, e: &Entry) -> bool {
        self.period.is_none_or(|p| p.contains(e.date))
            && self.direction.is_none_or(|d| d == e.direction)
            && self.unit.as_ref().is_none_or(|u| u == &e.unit)
    }
}

/// What a count covers.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// The unit's own documents.
    Unit(&'a AgencyId),
    /// The unit and everything below it in the directory (a province: itself, its
    /// departments, districts and communes).
    Subtree(&'a Directory, &'a AgencyId),
}

/// A period against the same period a year earlier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearOverYear {
    /// The unit counted; for [`Scope::Subtree`], the subtree's top unit.
    pub unit: AgencyId,
    /// The period asked for.
    pub period: Period,
    /// The same period one year earlier ([`Period::previous_year`]).
    pub previous_period: Period,
    /// The counts of `period`.
    pub current: Counts,
    /// The counts of `previous_period`.
    pub previous: Counts,
    /// Change of the signed share in percentage points; `None` when either year has no
    /// document.
    pub share_change: Option<f64>,
    /// Change of the number of documents.
    pub total_change: i128,
}

/// A ledger failure.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The verifier could not read the document.
    #[error("{file}: unreadable document: {reason}")]
    Unreadable {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The backend failed (I/O, locking, SQL). `op` names the store operation; the source is
    /// the backend's own error (for [`SqliteLedger`], a `rusqlite::Error` or a
    /// [`crate::exchange::store::SetupError`]).
    #[error("ledger backend failed during {op}: {source}")]
    Backend {
        /// The store operation that failed.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Stored data could not be read back.
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
    /// [`Period::previous_year`] of year 1.
    #[error("period {period} has no previous year")]
    NoPreviousYear {
        /// The period.
        period: Period,
    },
}

/// Where entries live. Implementations apply each [`LedgerStore::record`] call atomically and
/// deduplicate on (unit, direction, document id) and on (unit, direction, SHA-256).
pub trait LedgerStore: Send {
    /// Records entries in order; one outcome per entry (a duplicate of an earlier entry of the
    /// same call is a duplicate too).
    fn record(&mut self, entries: &[Entry]) -> Result<Vec<Recorded>, LedgerError>;
    /// The counts of every unit that has an entry passing the filter.
    fn counts_by_unit(&self, filter: &Filter) -> Result<BTreeMap<AgencyId, Counts>, LedgerError>;
    /// The entries passing the filter, by unit, date, direction and document id.
    fn entries(&self, filter: &Filter) -> Result<Vec<Entry>, LedgerError>;
    /// Number of entries recorded.
    fn len(&self) -> Result<u64, LedgerError>;
    /// Whether no entry is recorded.
    fn is_empty(&self) -> Result<bool, LedgerError> {
        Ok(self.len()? == 0)
    }
}

impl<T: LedgerStore + ?Sized> LedgerStore for &mut T {
    fn record(&mut self, entries: &[Entry]) -> Result<Vec<Recorded>, LedgerError> {
        (**self).record(entries)
    }
    fn counts_by_unit(&self, filter: &Filter) -> Result<BTreeMap<AgencyId, Counts>, LedgerError> {
        (**self).counts_by_unit(filter)
    }
    fn entries(&self, filter: &Filter) -> Result<Vec<Entry>, LedgerError> {
        (**self).entries(filter)
    }
    fn len(&self) -> Result<u64, LedgerError> {
        (**self).len()
    }
}

impl<T: LedgerStore + ?Sized> LedgerStore for Box<T> {
    fn record(&mut self, entries: &[Entry]) -> Result<Vec<Recorded>, LedgerError> {
        (**self).record(entries)
    }
    fn counts_by_unit(&self, filter: &Filter) -> Result<BTreeMap<AgencyId, Counts>, LedgerError> {
        (**self).counts_by_unit(filter)
    }
    fn entries(&self, filter: &Filter) -> Result<Vec<Entry>, LedgerError> {
        (**self).entries(filter)
    }
    fn len(&self) -> Result<u64, LedgerError> {
        (**self).len()
    }
}

/// Every store is the exchange engine's [`Recorder`]
/// ([`Engine::with_ledger`](crate::exchange::engine::Engine::with_ledger)).
impl<T: LedgerStore + ?Sized> Recorder for T {
    fn record(&mut self, entries: &[Entry]) -> Result<(), RecordError> {
        LedgerStore::record(self, entries)
            .map(drop)
            .map_err(RecordError::new)
    }
}

/// The queries, over any store.
pub struct Ledger<S> {
    store: S,
}

impl<S: LedgerStore> Ledger<S> {
    /// The queries over `store`.
    pub fn new(store: S) -> Self {
        Ledger { store }
    }

    /// The store the queries read.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Records one entry: [`Recorded::Duplicate`] when the unit already has the document in
    /// that direction (same document id or same SHA-256).
    pub fn record(&mut self, entry: Entry) -> Result<Recorded, LedgerError> {
        let out = self.store.record(std::slice::from_ref(&entry))?;
        out.into_iter().next().ok_or(LedgerError::Corrupt {
            what: "record outcome",
            found: String::new(),
        })
    }

    /// Records a batch in one transaction.
    pub fn record_all(&mut self, entries: &[Entry]) -> Result<Vec<Recorded>, LedgerError> {
        self.store.record(entries)
    }

    /// The counts of one unit or one subtree. A unit missing from the directory has an empty
    /// subtree.
    pub fn counts(&self, scope: Scope<'_>, filter: &Filter) -> Result<Counts, LedgerError> {
        match scope {
            Scope::Unit(unit) => {
                let f = Filter {
                    unit: Some(unit.clone()),
                    ..filter.clone()
                };
                Ok(self
                    .store
                    .counts_by_unit(&f)?
                    .remove(unit)
                    .unwrap_or_default())
            }
            Scope::Subtree(directory, unit) => {
                let members: HashSet<&AgencyId> =
                    directory.subtree(unit).into_iter().map(|a| &a.id).collect();
                let mut sum = Counts::default();
                for (u, c) in self.store.counts_by_unit(filter)? {
                    if members.contains(&u) {
                        sum.add(&c);
                    }
                }
                Ok(sum)
            }
        }
    }

    /// One row per unit that has documents passing the filter, by unit id. Names come from
    /// `directory` when given.
    pub fn units(
        &self,
        directory: Option<&Directory>,
        filter: &Filter,
    ) -> Result<Vec<Row>, LedgerError> {
        Ok(self
            .store
            .counts_by_unit(filter)?
            .into_iter()
            .map(|(unit, counts)| row(directory, unit, counts))
            .collect())
    }

    /// The `units` and `rollup` tables of `vnedoc stats` for `period` (all time when `None`),
    /// both directions.
    pub fn rollup(
        &self,
        directory: &Directory,
        period: Option<Period>,
    ) -> Result<(Vec<Row>, Vec<Row>), LedgerError> {
        self.rollup_with(
            directory,
            &Filter {
                period,
                ..Filter::default()
            },
        )
    }

    /// [`Ledger::rollup`] with any filter. `rollup` has one row for every unit that is an
    /// ancestor, by the directory's parent links, of a unit with documents; its counts cover
    /// the unit's whole subtree (itself included). Units missing from the directory appear in
    /// `units` only. Both tables are ordered by unit id.
    pub fn rollup_with(
        &self,
        directory: &Directory,
        filter: &Filter,
    ) -> Result<(Vec<Row>, Vec<Row>), LedgerError> {
        let own = self.store.counts_by_unit(filter)?;
        let mut below: BTreeMap<AgencyId, Counts> = BTreeMap::new();
        for (unit, counts) in &own {
            for ancestor in directory.ancestors(unit) {
                below.entry(ancestor.id.clone()).or_default().add(counts);
            }
        }
        let rollup = below
            .into_iter()
            .map(|(unit, mut counts)| {
                if let Some(c) = own.get(&unit) {
                    counts.add(c);
                }
                row(Some(directory), unit, counts)
            })
            .collect();
        let units = own
            .into_iter()
            .map(|(unit, counts)| row(Some(directory), unit, counts))
            .collect();
        Ok((units, rollup))
    }

    /// The units whose signed share is below `target` percent ([`DEFAULT_TARGET`] in the
    /// CLI), lowest share first, then by unit id. Units without documents are not listed.
    pub fn below_target(
        &self,
        directory: Option<&Directory>,
        filter: &Filter,
        target: f64,
    ) -> Result<Vec<Row>, LedgerError> {
        let mut rows: Vec<Row> = self
            .units(directory, filter)?
            .into_iter()
            .filter(|r| r.counts.signed_share < target)
            .collect();
        rows.sort_by(|a, b| {
            a.counts
                .signed_share
                .total_cmp(&b.counts.signed_share)
                .then_with(|| a.unit.cmp(&b.unit))
        });
        Ok(rows)
    }

    /// `period` against the same period one year earlier, for a unit or a subtree. The
    /// filter's own period is replaced by each of the two.
    pub fn year_over_year(
        &self,
        scope: Scope<'_>,
        period: Period,
        filter: &Filter,
    ) -> Result<YearOverYear, LedgerError> {
        let previous_period = period
            .previous_year()
            .ok_or(LedgerError::NoPreviousYear { period })?;
        let at = |p: Period| Filter {
            period: Some(p),
            ..filter.clone()
        };
        let current = self.counts(scope, &at(period))?;
        let previous = self.counts(scope, &at(previous_period))?;
        let unit = match scope {
            Scope::Unit(u) | Scope::Subtree(_, u) => u.clone(),
        };
        let share_change = (!current.is_empty() && !previous.is_empty())
            .then_some(current.signed_share - previous.signed_share);
        Ok(YearOverYear {
            unit,
            period,
            previous_period,
            current,
            previous,
            share_change,
            total_change: i128::from(current.total) - i128::from(previous.total),
        })
    }
}

fn row(directory: Option<&Directory>, unit: AgencyId, counts: Counts) -> Row {
    let name = directory
        .and_then(|d| d.get(&unit))
        .map(|a| a.name.clone())
        .unwrap_or_default();
    Row { unit, name, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares() {
        assert_eq!(Counts::new(9, 1, 0).signed_share, 90.0);
        assert_eq!(Counts::new(0, 0, 0).signed_share, 0.0);
        assert_eq!(Counts::new(1, 1, 1).total, 3);
        let big = Counts::new(u64::from(u32::MAX) * 2, u64::from(u32::MAX) * 2, 0);
        assert!((big.signed_share - 50.0).abs() < 1e-6);
    }
}
