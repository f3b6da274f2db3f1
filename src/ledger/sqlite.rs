//! The durable [`LedgerStore`]: SQLite (rusqlite, compiled in), WAL journal.
//!
//! The ledger has its own tables (`ledger_*`) and its own schema version (in `ledger_meta`, not
//! `PRAGMA user_version`, which belongs to the exchange store), so it can live in the same
//! file as the exchange store: open both on the same path, each with its own connection. WAL
//! lets the two connections and outside readers proceed together; writers wait for each other
//! up to the busy timeout.
//!
//! rusqlite types stay inside this module; errors come out as [`LedgerError`].

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Counts, Direction, Entry, Filter, LedgerError, LedgerStore, Outcome, Recorded};
use crate::check::{indication_code, parse_indication, parse_subindication, subindication_code};
use crate::exchange::AgencyId;
use crate::exchange::store::SqliteOptions;
use crate::time::Date;

/// Version of the `ledger_*` tables; a file with another version is refused.
const SCHEMA_VERSION: i64 = 1;

/// Outcome codes in the `outcome` column.
const SIGNED_VALID: i64 = 0;
const SIGNED_INVALID: i64 = 1;
const UNSIGNED: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger_meta (
    key    TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_entries (
    id                INTEGER PRIMARY KEY,
    unit              TEXT NOT NULL,
    direction         TEXT NOT NULL,
    doc_id            TEXT NOT NULL,
    sha256            BLOB NOT NULL,
    date              TEXT NOT NULL,
    outcome           INTEGER NOT NULL,
    indication        TEXT,
    subindication     TEXT,
    legally_complete  INTEGER,
    UNIQUE (unit, direction, doc_id),
    UNIQUE (unit, direction, sha256)
);
-- Period queries over all units: dates are YYYY-MM-DD, so text order is date order.
CREATE INDEX IF NOT EXISTS ledger_by_date ON ledger_entries (date, unit);
";

/// The SQLite ledger. One connection.
pub struct SqliteLedger {
    conn: Connection,
}

fn backend(op: &'static str) -> impl Fn(rusqlite::Error) -> LedgerError {
    move |e| LedgerError::Backend {
        op,
        source: Box::new(e),
    }
}

fn corrupt(what: &'static str, found: impl std::fmt::Display) -> LedgerError {
    LedgerError::Corrupt {
        what,
        found: found.to_string().chars().take(64).collect(),
    }
}

fn to_u64(v: i64, what: &'static str) -> Result<u64, LedgerError> {
    u64::try_from(v).map_err(|_| corrupt(what, v))
}

impl SqliteLedger {
    /// Opens (creating if needed) the ledger tables in the file at `path`, which may be the
    /// exchange store's file.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        SqliteLedger::open_with(path, SqliteOptions::default())
    }

    /// [`SqliteLedger::open`] with the connection's `PRAGMA synchronous` level and lock wait
    /// set by `options` (the exchange store's [`SqliteOptions`]).
    pub fn open_with(path: &Path, options: SqliteOptions) -> Result<Self, LedgerError> {
        let conn = Connection::open(path).map_err(backend("open"))?;
        SqliteLedger::init(conn, options)
    }

    /// A private in-memory database (no WAL).
    pub fn open_in_memory() -> Result<Self, LedgerError> {
        let conn = Connection::open_in_memory().map_err(backend("open"))?;
        SqliteLedger::init(conn, SqliteOptions::default())
    }

    fn init(conn: Connection, options: SqliteOptions) -> Result<Self, LedgerError> {
        crate::exchange::store::sqlite::configure(&conn, &options).map_err(|(op, e)| {
            LedgerError::Backend {
                op,
                source: Box::new(e),
            }
        })?;
        conn.execute_batch(SCHEMA).map_err(backend("schema"))?;
        let version: Option<i64> = conn
            .query_row(
                "SELECT value FROM ledger_meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend("schema_version"))?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO ledger_meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION],
                )
                .map_err(backend("schema_version"))?;
            }
            Some(SCHEMA_VERSION) => {}
            Some(v) => return Err(corrupt("ledger schema version", v)),
        }
        Ok(SqliteLedger { conn })
    }

    /// The journal mode in force (`wal` for a file).
    pub fn journal_mode(&self) -> Result<String, LedgerError> {
        self.conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(backend("journal_mode"))
    }
}

/// The WHERE clause and parameters of a filter.
fn where_clause(filter: &Filter) -> (String, Vec<String>) {
    let mut conds: Vec<&str> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    if let Some(p) = filter.period {
        // A period built by hand out of range has no days: match nothing.
        match (p.first_day(), p.last_day()) {
            (Some(first), Some(last)) => {
                conds.push("date BETWEEN ? AND ?");
                args.push(first.to_string());
                args.push(last.to_string());
            }
            _ => conds.push("0"),
        }
    }
    if let Some(d) = filter.direction {
        conds.push("direction = ?");
        args.push(d.as_str().to_owned());
    }
    if let Some(u) = &filter.unit {
        conds.push("unit = ?");
        args.push(u.as_str().to_owned());
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    (clause, args)
}

type RawEntry = (
    String,
    String,
    String,
    Vec<u8>,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<bool>,
);

fn decode(r: RawEntry) -> Result<Entry, LedgerError> {
    let (unit, direction, doc_id, sha, date, outcome, ind, sub, complete) = r;
    let outcome = match outcome {
        SIGNED_VALID => Outcome::SignedValid,
        UNSIGNED => Outcome::Unsigned,
        SIGNED_INVALID => {
            let ind = ind.unwrap_or_default();
            Outcome::SignedInvalid {
                indication: parse_indication(&ind).ok_or_else(|| corrupt("indication", &ind))?,
                subindication: sub
                    .map(|s| parse_subindication(&s).ok_or_else(|| corrupt("subindication", &s)))
                    .transpose()?,
            }
        }
        other => return Err(corrupt("outcome", other)),
    };
    Ok(Entry {
        unit: AgencyId::parse(&unit).map_err(|_| corrupt("agency id", &unit))?,
        document_id: doc_id,
        sha256: <[u8; 32]>::try_from(sha.as_slice())
            .map_err(|_| corrupt("sha256", crate::exchange::record::hex(&sha)))?,
        direction: Direction::parse(&direction).ok_or_else(|| corrupt("direction", &direction))?,
        date: date.parse::<Date>().map_err(|_| corrupt("date", &date))?,
        outcome,
        legally_complete: complete,
    })
}

impl LedgerStore for SqliteLedger {
    fn record(&mut self, entries: &[Entry]) -> Result<Vec<Recorded>, LedgerError> {
        let tx = self.conn.transaction().map_err(backend("record"))?;
        let mut out = Vec::with_capacity(entries.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO ledger_entries (unit, direction, doc_id, sha256, date, \
                     outcome, indication, subindication, legally_complete) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(backend("record"))?;
            for e in entries {
                let (code, ind, sub) = match e.outcome {
                    Outcome::SignedValid => (SIGNED_VALID, None, None),
                    Outcome::Unsigned => (UNSIGNED, None, None),
                    Outcome::SignedInvalid {
                        indication,
                        subindication,
                    } => (
                        SIGNED_INVALID,
                        Some(indication_code(indication)),
                        subindication.map(subindication_code),
                    ),
                };
                let changed = insert
                    .execute(params![
                        e.unit.as_str(),
                        e.direction.as_str(),
                        e.document_id,
                        e.sha256.as_slice(),
                        e.date.to_string(),
                        code,
                        ind,
                        sub,
                        e.legally_complete,
                    ])
                    .map_err(backend("record"))?;
                out.push(if changed == 0 {
                    Recorded::Duplicate
                } else {
                    Recorded::Inserted
                });
            }
        }
        tx.commit().map_err(backend("record"))?;
        Ok(out)
    }

    fn counts_by_unit(&self, filter: &Filter) -> Result<BTreeMap<AgencyId, Counts>, LedgerError> {
        let (clause, args) = where_clause(filter);
        let sql = format!(
            "SELECT unit, SUM(outcome = {SIGNED_VALID}), SUM(outcome = {SIGNED_INVALID}), \
             SUM(outcome = {UNSIGNED}) FROM ledger_entries{clause} GROUP BY unit"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(backend("counts"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(backend("counts"))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (unit, v, i, u) = row.map_err(backend("counts"))?;
            let id = AgencyId::parse(&unit).map_err(|_| corrupt("agency id", &unit))?;
            out.insert(
                id,
                Counts::new(
                    to_u64(v, "count")?,
                    to_u64(i, "count")?,
                    to_u64(u, "count")?,
                ),
            );
        }
        Ok(out)
    }

    fn entries(&self, filter: &Filter) -> Result<Vec<Entry>, LedgerError> {
        let (clause, args) = where_clause(filter);
        let sql = format!(
            "SELECT unit, direction, doc_id, sha256, date, outcome, indication, subindication, \
             legally_complete FROM ledger_entries{clause} ORDER BY unit, date, direction, doc_id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(backend("entries"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })
            .map_err(backend("entries"))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(decode(row.map_err(backend("entries"))?)?);
        }
        Ok(out)
    }

    fn len(&self) -> Result<u64, LedgerError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM ledger_entries", [], |r| r.get(0))
            .map_err(backend("len"))?;
        to_u64(n, "length")
    }
}
