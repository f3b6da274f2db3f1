//! An in-memory [`Store`], for tests and simulations. Nothing survives the process.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{
    Counts, Delivery, DocKey, InboxEntry, InsertOutcome, NewDocument, Op, OpOutcome, Overdue,
    StatusRecord, Store, StoreError, StoredDocument, TraceEntry, next_state,
};
use crate::exchange::agency_id::AgencyId;
use crate::exchange::directory::Date;
use crate::exchange::status::{Transition, TransportAck};

type DeliveryKey = (DocKey, AgencyId);

struct Row {
    delivery: Delivery,
    traces: Vec<TraceEntry>,
    seq: u64,
}

/// The in-memory store.
#[derive(Default)]
pub struct MemoryStore {
    documents: HashMap<DocKey, StoredDocument>,
    outbox: BTreeMap<AgencyId, Vec<DocKey>>,
    deliveries: HashMap<DeliveryKey, Row>,
    /// Deliveries in transit, by insertion order.
    transit: BTreeSet<(u64, DocKey, AgencyId)>,
    inbox: BTreeMap<(AgencyId, DocKey), InboxEntry>,
    inbox_order: BTreeMap<AgencyId, Vec<DocKey>>,
    statuses: Vec<StatusRecord>,
    next_seq: u64,
    trace_count: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn apply_status(&mut self, rec: &StatusRecord) -> OpOutcome {
        let Some(row) = self
            .deliveries
            .get_mut(&(rec.key.clone(), rec.recipient.clone()))
        else {
            return OpOutcome::Missing;
        };
        let res = next_state(row.delivery.state, rec.status);
        if let Ok(Transition::Changed(st)) = res {
            row.delivery.state = st;
            self.statuses.push(rec.clone());
        }
        OpOutcome::Status(res)
    }

    fn apply_one(&mut self, op: &Op) -> OpOutcome {
        let (key, recipient, trace, arrival) = match op {
            Op::Status(rec) => return self.apply_status(rec),
            Op::Hop {
                key,
                recipient,
                trace,
                arrival,
            } => (key, recipient, trace, arrival),
        };
        let dk = (key.clone(), recipient.clone());
        let Some(row) = self.deliveries.get_mut(&dk) else {
            return OpOutcome::Missing;
        };
        if row.delivery.next_hop != trace.hop_index || row.delivery.delivered_at.is_some() {
            return OpOutcome::Stale;
        }
        row.traces.push(trace.clone());
        self.trace_count += 1;
        if trace.ack == TransportAck::Fail {
            row.delivery.attempts = row.delivery.attempts.saturating_add(1);
            return OpOutcome::Failed;
        }
        row.delivery.next_hop = trace.hop_index.saturating_add(1);
        let last = usize::try_from(row.delivery.next_hop).ok() >= Some(row.delivery.hops.len());
        if !last {
            return OpOutcome::Advanced;
        }
        row.delivery.delivered_at = Some(trace.at);
        let seq = row.seq;
        self.transit.remove(&(seq, key.clone(), recipient.clone()));
        let ik = (recipient.clone(), key.clone());
        if self.inbox.contains_key(&ik) {
            return OpOutcome::Duplicate;
        }
        let checks = arrival
            .as_ref()
            .map(|a| a.checks.clone())
            .unwrap_or_default();
        self.inbox.insert(
            ik,
            InboxEntry {
                recipient: recipient.clone(),
                key: key.clone(),
                arrived_at: trace.at,
                checks,
            },
        );
        self.inbox_order
            .entry(recipient.clone())
            .or_default()
            .push(key.clone());
        let statuses = arrival
            .iter()
            .flat_map(|a| a.statuses.iter())
            .map(|rec| match self.apply_status(rec) {
                OpOutcome::Status(r) => r,
                // The original of a revoke/update was never sent to this recipient: the engine
                // checks this at send time, so it is only reachable through a hand-built op.
                _ => Err(
                    crate::exchange::status::IllegalTransition::NoPendingRequest { to: rec.status },
                ),
            })
            .collect();
        OpOutcome::Arrived { statuses }
    }
}

impl Store for MemoryStore {
    fn insert_documents(&mut self, docs: &[NewDocument]) -> Result<Vec<InsertOutcome>, StoreError> {
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            if let Some(existing) = self.documents.get(&d.key) {
                out.push(if existing.digest == d.digest {
                    InsertOutcome::Duplicate
                } else {
                    InsertOutcome::Conflict
                });
                continue;
            }
            let recipients = d.routes.iter().map(|(r, _)| r.clone()).collect();
            self.documents.insert(
                d.key.clone(),
                StoredDocument {
                    key: d.key.clone(),
                    kind: d.kind,
                    related: d.related.clone(),
                    due_date: d.due_date,
                    envelope: d.envelope.clone(),
                    digest: d.digest,
                    files: d.files.clone(),
                    created_at: d.created_at,
                    recipients,
                },
            );
            self.outbox
                .entry(d.key.sender.clone())
                .or_default()
                .push(d.key.clone());
            for (recipient, hops) in &d.routes {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.transit.insert((seq, d.key.clone(), recipient.clone()));
                self.deliveries.insert(
                    (d.key.clone(), recipient.clone()),
                    Row {
                        delivery: Delivery {
                            key: d.key.clone(),
                            recipient: recipient.clone(),
                            hops: hops.clone(),
                            next_hop: 0,
                            attempts: 0,
                            delivered_at: None,
                            state: Default::default(),
                            due_date: d.due_date,
                        },
                        traces: Vec::new(),
                        seq,
                    },
                );
            }
            out.push(InsertOutcome::Inserted);
        }
        Ok(out)
    }

    fn document(&self, key: &DocKey) -> Result<Option<StoredDocument>, StoreError> {
        Ok(self.documents.get(key).cloned())
    }

    fn in_transit(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        Ok(self
            .transit
            .iter()
            .take(limit)
            .filter_map(|(_, k, r)| self.deliveries.get(&(k.clone(), r.clone())))
            .map(|row| row.delivery.clone())
            .collect())
    }

    fn delivery(&self, key: &DocKey, recipient: &AgencyId) -> Result<Option<Delivery>, StoreError> {
        Ok(self
            .deliveries
            .get(&(key.clone(), recipient.clone()))
            .map(|r| r.delivery.clone()))
    }

    fn deliveries(&self, key: &DocKey) -> Result<Vec<Delivery>, StoreError> {
        let Some(doc) = self.documents.get(key) else {
            return Ok(Vec::new());
        };
        Ok(doc
            .recipients
            .iter()
            .filter_map(|r| self.deliveries.get(&(key.clone(), r.clone())))
            .map(|row| row.delivery.clone())
            .collect())
    }

    fn apply(&mut self, ops: &[Op]) -> Result<Vec<OpOutcome>, StoreError> {
        Ok(ops.iter().map(|op| self.apply_one(op)).collect())
    }

    fn traces(&self, key: &DocKey, recipient: &AgencyId) -> Result<Vec<TraceEntry>, StoreError> {
        Ok(self
            .deliveries
            .get(&(key.clone(), recipient.clone()))
            .map(|r| r.traces.clone())
            .unwrap_or_default())
    }

    fn inbox(&self, recipient: &AgencyId) -> Result<Vec<InboxEntry>, StoreError> {
        Ok(self
            .inbox_order
            .get(recipient)
            .into_iter()
            .flatten()
            .filter_map(|k| self.inbox.get(&(recipient.clone(), k.clone())).cloned())
            .collect())
    }

    fn inbox_entry(
        &self,
        recipient: &AgencyId,
        key: &DocKey,
    ) -> Result<Option<InboxEntry>, StoreError> {
        Ok(self.inbox.get(&(recipient.clone(), key.clone())).cloned())
    }

    fn outbox(&self, sender: &AgencyId) -> Result<Vec<DocKey>, StoreError> {
        Ok(self.outbox.get(sender).cloned().unwrap_or_default())
    }

    fn statuses(&self, key: &DocKey) -> Result<Vec<StatusRecord>, StoreError> {
        Ok(self
            .statuses
            .iter()
            .filter(|s| &s.key == key)
            .cloned()
            .collect())
    }

    fn overdue(&self, unit: &AgencyId, today: Date) -> Result<Vec<Overdue>, StoreError> {
        let mut out: Vec<Overdue> = self
            .inbox_order
            .get(unit)
            .into_iter()
            .flatten()
            .filter_map(|k| self.deliveries.get(&(k.clone(), unit.clone())))
            .filter_map(|row| {
                let d = &row.delivery;
                let due = d.due_date?;
                (due < today && d.state.is_open()).then(|| Overdue {
                    key: d.key.clone(),
                    recipient: d.recipient.clone(),
                    due_date: due,
                    state: d.state,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.due_date, &a.key).cmp(&(b.due_date, &b.key)));
        Ok(out)
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        let n = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
        Ok(Counts {
            documents: n(self.documents.len()),
            deliveries: n(self.deliveries.len()),
            in_transit: n(self.transit.len()),
            inbox: n(self.inbox.len()),
            traces: self.trace_count,
            statuses: n(self.statuses.len()),
        })
    }
}
