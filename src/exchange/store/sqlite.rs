//! The durable [`Store`]: one SQLite file (rusqlite, SQLite compiled in), WAL journal.
//!
//! Durability: with WAL, a committed transaction survives the process being killed (SIGKILL,
//! panic, OOM) at any point, whatever `synchronous` says, because the commit is in the WAL file
//! in the OS page cache before `COMMIT` returns. [`Synchronous::Normal`] (the default) fsyncs the
//! WAL only at checkpoints, so an OS crash or power loss may lose the last transactions (never
//! corrupt the file); [`Synchronous::Full`] fsyncs on every commit, for a node whose upstream
//! hop already forgot the envelope once it was acknowledged. The engine batches hops into one
//! transaction per round, so `Full` costs one fsync per batch, not per envelope.
//!
//! rusqlite types stay inside this module; errors come out as [`StoreError`].

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{
    BusinessKind, Counts, Delivery, DocKey, InboxEntry, InsertOutcome, NewDocument, Op, OpOutcome,
    Overdue, SignedFile, StatusRecord, Store, StoreError, StoredDocument, TraceEntry, next_state,
};
use crate::check::CheckResult;
use crate::exchange::agency_id::AgencyId;
use crate::exchange::directory::Date;
use crate::exchange::routing::{Hop, HopKind};
use crate::exchange::status::{
    IllegalTransition, ProcessingState, ProcessingStatus, Transition, TransportAck,
};
use crate::time::Timestamp;

/// SQLite `PRAGMA synchronous` level (see the module docs for the trade-off).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// fsync the WAL at checkpoints only: survives process crashes, not power loss.
    #[default]
    Normal,
    /// fsync on every commit: survives power loss too.
    Full,
}

/// Options for [`SqliteStore::open_with`]; start from `SqliteOptions::default()`.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// How often SQLite fsyncs. Default: [`Synchronous::Normal`].
    pub synchronous: Synchronous,
    /// How long to wait for a lock held by another connection (another process reading the
    /// same file). 5 s: long enough for a batch commit, short enough to surface a stuck writer.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Normal,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Schema version written in `PRAGMA user_version`; a file with another version is refused.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    sender      TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    kind        INTEGER NOT NULL,
    related     TEXT,
    due_date    TEXT,
    envelope    BLOB NOT NULL,
    digest      BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (sender, doc_id)
);
CREATE TABLE IF NOT EXISTS files (
    sender  TEXT NOT NULL,
    doc_id  TEXT NOT NULL,
    idx     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    bytes   BLOB NOT NULL,
    PRIMARY KEY (sender, doc_id, idx)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id           INTEGER PRIMARY KEY,
    sender       TEXT NOT NULL,
    doc_id       TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    ord          INTEGER NOT NULL,
    hops         TEXT NOT NULL,
    hop_count    INTEGER NOT NULL,
    next_hop     INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    trace_len    INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER,
    last_status  TEXT,
    pending      INTEGER NOT NULL DEFAULT 0,
    withdrawn    INTEGER NOT NULL DEFAULT 0,
    due_date     TEXT,
    UNIQUE (sender, doc_id, recipient)
);
-- Deliveries in transit, oldest first: a partial index that shrinks as envelopes arrive.
CREATE INDEX IF NOT EXISTS deliveries_transit ON deliveries (id) WHERE delivered_at IS NULL;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (recipient, due_date)
    WHERE due_date IS NOT NULL;
CREATE TABLE IF NOT EXISTS traces (
    sender     TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    hop_index  INTEGER NOT NULL,
    node       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    ack        TEXT NOT NULL,
    PRIMARY KEY (sender, doc_id, recipient, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbox (
    recipient   TEXT NOT NULL,
    sender      TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    arrived_at  INTEGER NOT NULL,
    checks      TEXT NOT NULL,
    PRIMARY KEY (recipient, sender, doc_id)
);
CREATE TABLE IF NOT EXISTS statuses (
    id          INTEGER PRIMARY KEY,
    sender      TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    status      TEXT NOT NULL,
    description TEXT,
    emitter     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    path        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statuses_doc ON statuses (sender, doc_id);
";

/// The SQLite store. One connection; the engine serialises access.
pub struct SqliteStore {
    conn: Connection,
}

/// The connection settings every SQLite store of the crate uses: busy timeout, WAL and the
/// synchronous level. Errors name the failing step.
pub(crate) fn configure(
    conn: &Connection,
    options: &SqliteOptions,
) -> Result<(), (&'static str, SetupError)> {
    conn.busy_timeout(options.busy_timeout)
        .map_err(|e| ("busy_timeout", e.into()))?;
    // `journal_mode` answers with the mode in force; an in-memory database stays `memory`.
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(|e| ("journal_mode", e.into()))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(("journal_mode", SetupError::WalRefused { mode }));
    }
    let sync = match options.synchronous {
        Synchronous::Normal => "NORMAL",
        Synchronous::Full => "FULL",
    };
    conn.pragma_update(None, "synchronous", sync)
        .map_err(|e| ("synchronous", e.into()))
}

/// Why the connection settings of `configure` could not be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// SQLite refused the setting.
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    /// SQLite kept another journal mode than WAL (a file system without shared memory, …).
    #[error("WAL refused, journal mode is {mode}")]
    WalRefused {
        /// The mode.
        mode: String,
    },
}

fn backend(op: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Backend {
        op,
        source: Box::new(e),
    }
}

fn corrupt(what: &'static str, found: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        found: found.to_string().chars().take(64).collect(),
    }
}

fn to_i64<T: TryInto<i64>>(v: T, what: &'static str) -> Result<i64, StoreError> {
    v.try_into().map_err(|_| StoreError::OutOfRange { what })
}

fn to_u32(v: i64, what: &'static str) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| corrupt(what, v))
}

/// A time read back from an INTEGER column of Unix seconds; a value outside jiff's range
/// (which this store never writes) is corrupt data.
fn to_timestamp(v: i64, what: &'static str) -> Result<Timestamp, StoreError> {
    crate::time::timestamp(v).ok_or_else(|| corrupt(what, v))
}

fn parse_agency(s: &str) -> Result<AgencyId, StoreError> {
    AgencyId::parse(s).map_err(|_| corrupt("agency id", s))
}

fn parse_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.map(|s| s.parse::<Date>().map_err(|_| corrupt("due date", &s)))
        .transpose()
}

fn kind_str(k: HopKind) -> &'static str {
    match k {
        HopKind::Agency => "agency",
        HopKind::ProvincialHub => "provincial_hub",
        HopKind::NationalHub => "national_hub",
    }
}

fn parse_kind(s: &str) -> Result<HopKind, StoreError> {
    match s {
        "agency" => Ok(HopKind::Agency),
        "provincial_hub" => Ok(HopKind::ProvincialHub),
        "national_hub" => Ok(HopKind::NationalHub),
        _ => Err(corrupt("hop kind", s)),
    }
}

fn json<T: serde::Serialize>(v: &T, what: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt(what, e))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|_| corrupt(what, s))
}

/// kind, related, due_date, envelope, digest, created_at.
type DocumentRow = (u8, Option<String>, Option<String>, Vec<u8>, Vec<u8>, i64);

const DELIVERY_COLS: &str = "sender, doc_id, recipient, hops, next_hop, attempts, delivered_at, \
                             last_status, pending, withdrawn, due_date";

/// Reads a row selected with [`DELIVERY_COLS`].
fn delivery_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawDelivery> {
    Ok(RawDelivery {
        sender: row.get(0)?,
        doc_id: row.get(1)?,
        recipient: row.get(2)?,
        hops: row.get(3)?,
        next_hop: row.get(4)?,
        attempts: row.get(5)?,
        delivered_at: row.get(6)?,
        last_status: row.get(7)?,
        pending: row.get(8)?,
        withdrawn: row.get(9)?,
        due_date: row.get(10)?,
    })
}

struct RawDelivery {
    sender: String,
    doc_id: String,
    recipient: String,
    hops: String,
    next_hop: i64,
    attempts: i64,
    delivered_at: Option<i64>,
    last_status: Option<String>,
    pending: bool,
    withdrawn: bool,
    due_date: Option<String>,
}

impl RawDelivery {
    fn decode(self) -> Result<Delivery, StoreError> {
        let hops: Vec<Hop> = from_json(&self.hops, "route")?;
        Ok(Delivery {
            key: DocKey::new(parse_agency(&self.sender)?, self.doc_id),
            recipient: parse_agency(&self.recipient)?,
            hops,
            next_hop: to_u32(self.next_hop, "next hop")?,
            attempts: to_u32(self.attempts, "attempts")?,
            delivered_at: self
                .delivered_at
                .map(|v| to_timestamp(v, "delivery time"))
                .transpose()?,
            state: ProcessingState {
                last: self
                    .last_status
                    .map(|s| ProcessingStatus::parse(&s).ok_or_else(|| corrupt("status", &s)))
                    .transpose()?,
                request_pending: self.pending,
                withdrawn: self.withdrawn,
            },
            due_date: parse_date(self.due_date)?,
        })
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` with the default options.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        SqliteStore::open_with(path, SqliteOptions::default())
    }

    /// Opens (creating if needed) the store at `path` in WAL mode with `options`. Errors if the
    /// file cannot be opened, refuses WAL, or holds a schema of another version.
    pub fn open_with(path: &Path, options: SqliteOptions) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(backend("open"))?;
        SqliteStore::init(conn, options)
    }

    /// Opens an existing store read-only, for monitoring from another process while the engine
    /// runs (WAL lets readers and the writer proceed together). Writing through it fails.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(backend("open"))?;
        conn.busy_timeout(SqliteOptions::default().busy_timeout)
            .map_err(backend("busy_timeout"))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(backend("user_version"))?;
        if version != SCHEMA_VERSION {
            return Err(corrupt("schema version", version));
        }
        Ok(SqliteStore { conn })
    }

    /// A private in-memory SQLite database (no WAL): for tests of the SQL itself.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(backend("open"))?;
        SqliteStore::init(conn, SqliteOptions::default())
    }

    fn init(conn: Connection, options: SqliteOptions) -> Result<Self, StoreError> {
        configure(&conn, &options).map_err(|(op, e)| StoreError::Backend {
            op,
            source: Box::new(e),
        })?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(backend("user_version"))?;
        if version != 0 && version != SCHEMA_VERSION {
            return Err(corrupt("schema version", version));
        }
        conn.execute_batch(SCHEMA).map_err(backend("schema"))?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(backend("user_version"))?;
        Ok(SqliteStore { conn })
    }

    /// The journal mode in force (`wal` for a file store).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(backend("journal_mode"))
    }
}

fn insert_one(tx: &Transaction<'_>, d: &NewDocument) -> Result<InsertOutcome, StoreError> {
    let sender = d.key.sender.as_str();
    let existing: Option<Vec<u8>> = tx
        .prepare_cached("SELECT digest FROM documents WHERE sender = ?1 AND doc_id = ?2")
        .and_then(|mut s| {
            s.query_row(params![sender, d.key.document_id], |r| r.get(0))
                .optional()
        })
        .map_err(backend("insert_documents"))?;
    if let Some(digest) = existing {
        return Ok(if digest == d.digest {
            InsertOutcome::Duplicate
        } else {
            InsertOutcome::Conflict
        });
    }
    let due = d.due_date.map(|x| x.to_string());
    tx.prepare_cached(
        "INSERT INTO documents (sender, doc_id, kind, related, due_date, envelope, digest, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![
            sender,
            d.key.document_id,
            d.kind.code(),
            d.related,
            due,
            d.envelope,
            &d.digest[..],
            d.created_at.as_second()
        ])
    })
    .map_err(backend("insert_documents"))?;
    for (i, f) in d.files.iter().enumerate() {
        let idx = to_i64(i, "file index")?;
        tx.prepare_cached(
            "INSERT INTO files (sender, doc_id, idx, name, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![sender, d.key.document_id, idx, f.name, f.bytes]))
        .map_err(backend("insert_documents"))?;
    }
    for (i, (recipient, hops)) in d.routes.iter().enumerate() {
        let ord = to_i64(i, "recipient index")?;
        let count = to_i64(hops.len(), "hop count")?;
        let hops_json = json(hops, "route")?;
        tx.prepare_cached(
            "INSERT INTO deliveries (sender, doc_id, recipient, ord, hops, hop_count, due_date) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut s| {
            s.execute(params![
                sender,
                d.key.document_id,
                recipient.as_str(),
                ord,
                hops_json,
                count,
                due
            ])
        })
        .map_err(backend("insert_documents"))?;
    }
    Ok(InsertOutcome::Inserted)
}

fn apply_status(tx: &Transaction<'_>, rec: &StatusRecord) -> Result<OpOutcome, StoreError> {
    let sender = rec.key.sender.as_str();
    let row: Option<(Option<String>, bool, bool)> = tx
        .prepare_cached(
            "SELECT last_status, pending, withdrawn FROM deliveries \
             WHERE sender = ?1 AND doc_id = ?2 AND recipient = ?3",
        )
        .and_then(|mut s| {
            s.query_row(
                params![sender, rec.key.document_id, rec.recipient.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
        })
        .map_err(backend("status"))?;
    let Some((last, pending, withdrawn)) = row else {
        return Ok(OpOutcome::Missing);
    };
    let state = ProcessingState {
        last: last
            .map(|s| ProcessingStatus::parse(&s).ok_or_else(|| corrupt("status", &s)))
            .transpose()?,
        request_pending: pending,
        withdrawn,
    };
    let res = next_state(state, rec.status);
    if let Ok(Transition::Changed(st)) = res {
        let path = json(&rec.path, "status path")?;
        tx.prepare_cached(
            "UPDATE deliveries SET last_status = ?4, pending = ?5, withdrawn = ?6 \
             WHERE sender = ?1 AND doc_id = ?2 AND recipient = ?3",
        )
        .and_then(|mut s| {
            s.execute(params![
                sender,
                rec.key.document_id,
                rec.recipient.as_str(),
                st.last.map(|c| c.code()),
                st.request_pending,
                st.withdrawn
            ])
        })
        .map_err(backend("status"))?;
        tx.prepare_cached(
            "INSERT INTO statuses (sender, doc_id, recipient, status, description, emitter, at, \
             path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .and_then(|mut s| {
            s.execute(params![
                sender,
                rec.key.document_id,
                rec.recipient.as_str(),
                rec.status.code(),
                rec.description,
                rec.from.as_str(),
                rec.at.as_second(),
                path
            ])
        })
        .map_err(backend("status"))?;
    }
    Ok(OpOutcome::Status(res))
}

fn apply_one(tx: &Transaction<'_>, op: &Op) -> Result<OpOutcome, StoreError> {
    let (key, recipient, trace, arrival) = match op {
        Op::Status(rec) => return apply_status(tx, rec),
        Op::Hop {
            key,
            recipient,
            trace,
            arrival,
        } => (key, recipient, trace, arrival),
    };
    let sender = key.sender.as_str();
    let row: Option<(i64, i64, i64, Option<i64>)> = tx
        .prepare_cached(
            "SELECT next_hop, hop_count, trace_len, delivered_at FROM deliveries \
             WHERE sender = ?1 AND doc_id = ?2 AND recipient = ?3",
        )
        .and_then(|mut s| {
            s.query_row(params![sender, key.document_id, recipient.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        })
        .map_err(backend("hop"))?;
    let Some((next_hop, hop_count, trace_len, delivered_at)) = row else {
        return Ok(OpOutcome::Missing);
    };
    if next_hop != i64::from(trace.hop_index) || delivered_at.is_some() {
        return Ok(OpOutcome::Stale);
    }
    tx.prepare_cached(
        "INSERT INTO traces (sender, doc_id, recipient, seq, hop_index, node, kind, at, ack) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut s| {
        s.execute(params![
            sender,
            key.document_id,
            recipient.as_str(),
            trace_len,
            trace.hop_index,
            trace.node,
            kind_str(trace.kind),
            trace.at.as_second(),
            trace.ack.as_str()
        ])
    })
    .map_err(backend("hop"))?;
    let failed = trace.ack == TransportAck::Fail;
    let new_next = if failed { next_hop } else { next_hop + 1 };
    let arrived = !failed && new_next >= hop_count;
    tx.prepare_cached(
        "UPDATE deliveries SET next_hop = ?4, trace_len = trace_len + 1, \
         attempts = attempts + ?5, delivered_at = ?6 \
         WHERE sender = ?1 AND doc_id = ?2 AND recipient = ?3",
    )
    .and_then(|mut s| {
        s.execute(params![
            sender,
            key.document_id,
            recipient.as_str(),
            new_next,
            i64::from(failed),
            arrived.then_some(trace.at.as_second())
        ])
    })
    .map_err(backend("hop"))?;
    if failed {
        return Ok(OpOutcome::Failed);
    }
    if !arrived {
        return Ok(OpOutcome::Advanced);
    }
    let checks: &[CheckResult] = arrival.as_ref().map_or(&[], |a| &a.checks);
    let checks = json(&checks, "checks")?;
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO inbox (recipient, sender, doc_id, arrived_at, checks) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| {
            s.execute(params![
                recipient.as_str(),
                sender,
                key.document_id,
                trace.at.as_second(),
                checks
            ])
        })
        .map_err(backend("hop"))?;
    if inserted == 0 {
        return Ok(OpOutcome::Duplicate);
    }
    let mut statuses = Vec::new();
    for rec in arrival.iter().flat_map(|a| a.statuses.iter()) {
        statuses.push(match apply_status(tx, rec)? {
            OpOutcome::Status(r) => r,
            _ => Err(IllegalTransition::NoPendingRequest { to: rec.status }),
        });
    }
    Ok(OpOutcome::Arrived { statuses })
}

impl Store for SqliteStore {
    fn insert_documents(&mut self, docs: &[NewDocument]) -> Result<Vec<InsertOutcome>, StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(backend("insert_documents"))?;
        let out = docs
            .iter()
            .map(|d| insert_one(&tx, d))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().map_err(backend("insert_documents"))?;
        Ok(out)
    }

    fn document(&self, key: &DocKey) -> Result<Option<StoredDocument>, StoreError> {
        let sender = key.sender.as_str();
        let row: Option<DocumentRow> = self
            .conn
            .prepare_cached(
                "SELECT kind, related, due_date, envelope, digest, created_at FROM documents \
                 WHERE sender = ?1 AND doc_id = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![sender, key.document_id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .optional()
            })
            .map_err(backend("document"))?;
        let Some((kind, related, due, envelope, digest, created_at)) = row else {
            return Ok(None);
        };
        let files = self
            .conn
            .prepare_cached(
                "SELECT name, bytes FROM files WHERE sender = ?1 AND doc_id = ?2 ORDER BY idx",
            )
            .and_then(|mut s| {
                s.query_map(params![sender, key.document_id], |r| {
                    Ok(SignedFile {
                        name: r.get(0)?,
                        bytes: r.get(1)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("document"))?;
        let recipients = self
            .conn
            .prepare_cached(
                "SELECT recipient FROM deliveries WHERE sender = ?1 AND doc_id = ?2 ORDER BY ord",
            )
            .and_then(|mut s| {
                s.query_map(params![sender, key.document_id], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("document"))?
            .iter()
            .map(|r| parse_agency(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(StoredDocument {
            key: key.clone(),
            kind: BusinessKind::from_code(kind).ok_or_else(|| corrupt("business kind", kind))?,
            related,
            due_date: parse_date(due)?,
            digest: digest
                .as_slice()
                .try_into()
                .map_err(|_| corrupt("digest", digest.len()))?,
            envelope,
            files,
            created_at: to_timestamp(created_at, "sending time")?,
            recipients,
        }))
    }

    fn in_transit(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let limit = to_i64(limit, "limit")?;
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM deliveries WHERE delivered_at IS NULL \
             ORDER BY id LIMIT ?1"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params![limit], delivery_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("in_transit"))?
            .into_iter()
            .map(RawDelivery::decode)
            .collect()
    }

    fn delivery(&self, key: &DocKey, recipient: &AgencyId) -> Result<Option<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM deliveries \
             WHERE sender = ?1 AND doc_id = ?2 AND recipient = ?3"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_row(
                    params![key.sender.as_str(), key.document_id, recipient.as_str()],
                    delivery_row,
                )
                .optional()
            })
            .map_err(backend("delivery"))?
            .map(RawDelivery::decode)
            .transpose()
    }

    fn deliveries(&self, key: &DocKey) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM deliveries WHERE sender = ?1 AND doc_id = ?2 ORDER BY ord"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params![key.sender.as_str(), key.document_id], delivery_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("deliveries"))?
            .into_iter()
            .map(RawDelivery::decode)
            .collect()
    }

    fn apply(&mut self, ops: &[Op]) -> Result<Vec<OpOutcome>, StoreError> {
        let tx = self.conn.transaction().map_err(backend("apply"))?;
        let out = ops
            .iter()
            .map(|op| apply_one(&tx, op))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().map_err(backend("apply"))?;
        Ok(out)
    }

    fn traces(&self, key: &DocKey, recipient: &AgencyId) -> Result<Vec<TraceEntry>, StoreError> {
        let rows: Vec<(i64, String, String, i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT hop_index, node, kind, at, ack FROM traces \
                 WHERE sender = ?1 AND doc_id = ?2 AND recipient = ?3 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map(
                    params![key.sender.as_str(), key.document_id, recipient.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("traces"))?;
        rows.into_iter()
            .map(|(hop_index, node, kind, at, ack)| {
                Ok(TraceEntry {
                    hop_index: to_u32(hop_index, "hop index")?,
                    node,
                    kind: parse_kind(&kind)?,
                    at: to_timestamp(at, "trace time")?,
                    ack: TransportAck::parse(&ack).ok_or_else(|| corrupt("ack", &ack))?,
                })
            })
            .collect()
    }

    fn inbox(&self, recipient: &AgencyId) -> Result<Vec<InboxEntry>, StoreError> {
        let rows: Vec<(String, String, i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT sender, doc_id, arrived_at, checks FROM inbox WHERE recipient = ?1 \
                 ORDER BY rowid",
            )
            .and_then(|mut s| {
                s.query_map(params![recipient.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("inbox"))?;
        rows.into_iter()
            .map(|(sender, doc_id, arrived_at, checks)| {
                Ok(InboxEntry {
                    recipient: recipient.clone(),
                    key: DocKey::new(parse_agency(&sender)?, doc_id),
                    arrived_at: to_timestamp(arrived_at, "arrival time")?,
                    checks: from_json(&checks, "checks")?,
                })
            })
            .collect()
    }

    fn inbox_entry(
        &self,
        recipient: &AgencyId,
        key: &DocKey,
    ) -> Result<Option<InboxEntry>, StoreError> {
        let row: Option<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT arrived_at, checks FROM inbox \
                 WHERE recipient = ?1 AND sender = ?2 AND doc_id = ?3",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![recipient.as_str(), key.sender.as_str(), key.document_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
            })
            .map_err(backend("inbox_entry"))?;
        row.map(|(arrived_at, checks)| {
            Ok(InboxEntry {
                recipient: recipient.clone(),
                key: key.clone(),
                arrived_at: to_timestamp(arrived_at, "arrival time")?,
                checks: from_json(&checks, "checks")?,
            })
        })
        .transpose()
    }

    fn outbox(&self, sender: &AgencyId) -> Result<Vec<DocKey>, StoreError> {
        self.conn
            .prepare_cached("SELECT doc_id FROM documents WHERE sender = ?1 ORDER BY rowid")
            .and_then(|mut s| {
                s.query_map(params![sender.as_str()], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("outbox"))
            .map(|ids| {
                ids.into_iter()
                    .map(|id| DocKey::new(sender.clone(), id))
                    .collect()
            })
    }

    fn statuses(&self, key: &DocKey) -> Result<Vec<StatusRecord>, StoreError> {
        let rows: Vec<(String, String, Option<String>, String, i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT recipient, status, description, emitter, at, path FROM statuses \
                 WHERE sender = ?1 AND doc_id = ?2 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map(params![key.sender.as_str(), key.document_id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("statuses"))?;
        rows.into_iter()
            .map(|(recipient, status, description, emitter, at, path)| {
                Ok(StatusRecord {
                    key: key.clone(),
                    recipient: parse_agency(&recipient)?,
                    status: ProcessingStatus::parse(&status)
                        .ok_or_else(|| corrupt("status", &status))?,
                    description,
                    from: parse_agency(&emitter)?,
                    at: to_timestamp(at, "status time")?,
                    path: from_json(&path, "status path")?,
                })
            })
            .collect()
    }

    fn overdue(&self, unit: &AgencyId, today: Date) -> Result<Vec<Overdue>, StoreError> {
        // Dates are stored `YYYY-MM-DD`, so text order is date order.
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM deliveries \
             WHERE recipient = ?1 AND due_date IS NOT NULL AND due_date < ?2 \
             AND delivered_at IS NOT NULL ORDER BY due_date, sender, doc_id"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params![unit.as_str(), today.to_string()], delivery_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend("overdue"))?;
        let mut out = Vec::new();
        for raw in rows {
            let d = raw.decode()?;
            if let (Some(due), true) = (d.due_date, d.state.is_open()) {
                out.push(Overdue {
                    key: d.key,
                    recipient: d.recipient,
                    due_date: due,
                    state: d.state,
                });
            }
        }
        Ok(out)
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            let n: i64 = self
                .conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(backend("counts"))?;
            u64::try_from(n).map_err(|_| corrupt("count", n))
        };
        Ok(Counts {
            documents: count("SELECT count(*) FROM documents")?,
            deliveries: count("SELECT count(*) FROM deliveries")?,
            in_transit: count("SELECT count(*) FROM deliveries WHERE delivered_at IS NULL")?,
            inbox: count("SELECT count(*) FROM inbox")?,
            traces: count("SELECT count(*) FROM traces")?,
            statuses: count("SELECT count(*) FROM statuses")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::store::Arrival;

    fn agency(s: &str) -> AgencyId {
        AgencyId::parse(s).unwrap()
    }

    fn hop(node: &str) -> Hop {
        Hop {
            node: node.to_owned(),
            kind: HopKind::Agency,
            name: node.to_owned(),
        }
    }

    /// Times go in as Unix seconds, come back as the same `Timestamp`, and a stored number
    /// outside jiff's range is a corrupt row, not a panic.
    #[test]
    fn times_are_unix_seconds_and_out_of_range_is_corrupt() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let (from, to) = (agency("H26.00070"), agency("H29.26506"));
        let key = DocKey::new(from.clone(), "H26.00070,2024/03/15,1/UBND");
        let sent = crate::time::timestamp(1_710_464_400).unwrap();
        let arrived = crate::time::timestamp(1_710_464_460).unwrap();
        store
            .insert_documents(&[NewDocument {
                key: key.clone(),
                kind: BusinessKind::New,
                related: None,
                due_date: None,
                envelope: b"<edXML/>".to_vec(),
                digest: [0; 32],
                files: Vec::new(),
                created_at: sent,
                routes: vec![(to.clone(), vec![hop(from.as_str())])],
            }])
            .unwrap();
        let trace = TraceEntry {
            hop_index: 0,
            node: from.as_str().to_owned(),
            kind: HopKind::Agency,
            at: arrived,
            ack: TransportAck::Done,
        };
        let out = store
            .apply(&[Op::Hop {
                key: key.clone(),
                recipient: to.clone(),
                trace: trace.clone(),
                arrival: Some(Arrival {
                    checks: Vec::new(),
                    statuses: Vec::new(),
                }),
            }])
            .unwrap();
        assert!(matches!(out[..], [OpOutcome::Arrived { .. }]));

        let doc = store.document(&key).unwrap().unwrap();
        assert_eq!(doc.created_at, sent);
        let d = store.delivery(&key, &to).unwrap().unwrap();
        assert_eq!(d.delivered_at, Some(arrived));
        assert_eq!(store.traces(&key, &to).unwrap(), [trace]);
        assert_eq!(store.inbox(&to).unwrap()[0].arrived_at, arrived);
        let raw: (i64, i64, i64, i64) = store
            .conn
            .query_row(
                "SELECT d.created_at, l.delivered_at, t.at, i.arrived_at \
                 FROM documents d, deliveries l, traces t, inbox i",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            raw,
            (1_710_464_400, 1_710_464_460, 1_710_464_460, 1_710_464_460)
        );

        for sql in [
            "UPDATE documents SET created_at = ?1",
            "UPDATE deliveries SET delivered_at = ?1",
            "UPDATE traces SET at = ?1",
            "UPDATE inbox SET arrived_at = ?1",
        ] {
            store.conn.execute(sql, [i64::MAX]).unwrap();
        }
        let corrupt = |r: Result<_, StoreError>| match r {
            Err(StoreError::Corrupt { what, found }) => {
                assert_eq!(found, i64::MAX.to_string());
                what
            }
            other => panic!("expected a corrupt row, got {other:?}"),
        };
        assert_eq!(corrupt(store.document(&key).map(|_| ())), "sending time");
        assert_eq!(
            corrupt(store.delivery(&key, &to).map(|_| ())),
            "delivery time"
        );
        assert_eq!(corrupt(store.traces(&key, &to).map(|_| ())), "trace time");
        assert_eq!(corrupt(store.inbox(&to).map(|_| ())), "arrival time");
        assert_eq!(
            corrupt(store.inbox_entry(&to, &key).map(|_| ())),
            "arrival time"
        );
    }
}
