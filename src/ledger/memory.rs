//! The in-memory [`LedgerStore`]: for tests and for one-shot runs (`vnedoc stats` over a
//! folder) that need no file.

use std::collections::{BTreeMap, HashSet};

use super::{Counts, Direction, Entry, Filter, LedgerError, LedgerStore, Recorded};
use crate::exchange::AgencyId;

/// Entries in a vector, with the two deduplication keys in hash sets.
#[derive(Clone, Debug, Default)]
pub struct MemoryLedger {
    entries: Vec<Entry>,
    by_id: HashSet<(AgencyId, Direction, String)>,
    by_hash: HashSet<(AgencyId, Direction, [u8; 32])>,
}

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        MemoryLedger::default()
    }
}

impl LedgerStore for MemoryLedger {
    fn record(&mut self, entries: &[Entry]) -> Result<Vec<Recorded>, LedgerError> {
        // Nothing here can fail, so the batch is trivially atomic.
        Ok(entries
            .iter()
            .map(|e| {
                let id_key = (e.unit.clone(), e.direction, e.document_id.clone());
                let hash_key = (e.unit.clone(), e.direction, e.sha256);
                if self.by_id.contains(&id_key) || self.by_hash.contains(&hash_key) {
                    return Recorded::Duplicate;
                }
                self.by_id.insert(id_key);
                self.by_hash.insert(hash_key);
                self.entries.push(e.clone());
                Recorded::Inserted
            })
            .collect())
    }

    fn counts_by_unit(&self, filter: &Filter) -> Result<BTreeMap<AgencyId, Counts>, LedgerError> {
        let mut out: BTreeMap<AgencyId, Counts> = BTreeMap::new();
        for e in self.entries.iter().filter(|e| filter.matches(e)) {
            out.entry(e.unit.clone()).or_default().count(&e.outcome);
        }
        Ok(out)
    }

    fn entries(&self, filter: &Filter) -> Result<Vec<Entry>, LedgerError> {
        let mut out: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| filter.matches(e))
            .cloned()
            .collect();
        out.sort_by(|a, b| {
            (&a.unit, a.date, a.direction, &a.document_id).cmp(&(
                &b.unit,
                b.date,
                b.direction,
                &b.document_id,
            ))
        });
        Ok(out)
    }

    fn len(&self) -> Result<u64, LedgerError> {
        u64::try_from(self.entries.len()).map_err(|_| LedgerError::OutOfRange { what: "length" })
    }
}
