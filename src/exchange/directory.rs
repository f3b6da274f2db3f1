//! The agency directory: who exists, under whom, and through which hub they exchange.
//!
//! A directory is data, loaded from CSV or JSON (a real deployment loads the list its
//! directory service publishes, REFERENCE.md §3). Two **synthetic** samples built from the GSO
//! divisions ship with the crate (see [`Sample`] and `tools/gen_directories.py`).
//!
//! # File formats
//! CSV, with a header naming the columns (any order; unknown columns are an error):
//!
//! ```text
//! id,name,level,parent,hub,valid_from,valid_to
//! G22,Văn phòng Chính phủ,central,,VDXP,,
//! H26,Thành phố Hà Nội,province,,LGSP-H26,,
//! H26.001,Quận Ba Đình,district,H26,LGSP-H26,,2025-06-30
//! ```
//!
//! `id`, `name` and `level` are required; `parent`, `hub`, `valid_from` and `valid_to` may be
//! missing or empty. JSON: an array of agencies or `{"agencies": [...]}` with the same keys
//! (`parent`, `hub`, `valid_from`, `valid_to` optional), so the output of
//! `vnedoc directory list --json` loads back.
//!
//! # Rules checked on load
//! Identifiers are unique and valid ([`AgencyId`]); every parent exists; the parent links form
//! a forest no deeper than [`MAX_DEPTH`]; `valid_from ≤ valid_to`. An agency without a `hub`
//! inherits its parent's. The parent link is the directory's own: it need not be the
//! identifier's prefix.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::agency_id::{AgencyId, AgencyIdError};
use super::csv::{self, CsvError};
use super::fold;

/// Hub name of the national document axis (VDXP, Trục liên thông văn bản quốc gia, run by the
/// Government Office, REFERENCE.md §4). Agencies whose hub is this connect to the axis directly.
pub const NATIONAL_AXIS: &str = "VDXP";

/// Display name of the national axis hop.
pub const NATIONAL_AXIS_NAME: &str = "Trục liên thông văn bản quốc gia (VDXP)";

/// Largest directory file accepted, in bytes. The 2019 sample (four levels, 10,827 agencies) is
/// about 0.6 MB; a national directory of every agency is estimated at a few hundred thousand
/// rows. 64 MiB leaves a margin of two orders of magnitude.
pub const MAX_DIRECTORY_BYTES: usize = 64 << 20;

/// Most agencies accepted in one directory: Vietnam's 2019 communes, districts and provinces
/// are about 11,000 rows, and every state body with its units a few hundred thousand at most.
/// A file over the bound is refused as soon as its next row starts.
pub const MAX_AGENCIES: usize = 500_000;

/// Deepest parent chain accepted. Vietnam has at most four administrative levels and agencies
/// nest a few levels below them; a 35-character identifier has at most 18 groups.
pub const MAX_DEPTH: usize = 32;

/// Longest hub name accepted, in bytes (hub names are short codes such as `LGSP-H26`).
pub const MAX_HUB_LEN: usize = 64;

/// Longest level name accepted, in bytes.
pub const MAX_LEVEL_LEN: usize = 32;

/// The level of an agency. Levels are data: the four below are the ones the samples use, and a
/// directory may use others (lower-case ASCII letters, digits, `_` and `-`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Level(Cow<'static, str>);

impl Level {
    /// Ministries and other central bodies.
    pub const CENTRAL: Level = Level(Cow::Borrowed("central"));
    /// Provinces and centrally governed cities.
    pub const PROVINCE: Level = Level(Cow::Borrowed("province"));
    /// Districts (abolished on 1 July 2025).
    pub const DISTRICT: Level = Level(Cow::Borrowed("district"));
    /// Communes, wards and special zones.
    pub const COMMUNE: Level = Level(Cow::Borrowed("commune"));

    /// A level name: 1..=[`MAX_LEVEL_LEN`] bytes of `a-z 0-9 _ -`.
    pub fn new(s: &str) -> Result<Self, DirectoryError> {
        let ok = !s.is_empty()
            && s.len() <= MAX_LEVEL_LEN
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Level(Cow::Owned(s.to_owned())))
        } else {
            Err(DirectoryError::BadLevel {
                found: s.chars().take(MAX_LEVEL_LEN).collect(),
            })
        }
    }

    /// The level name as written in the directory (`province`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Level {
    type Error = DirectoryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Level::new(&s)
    }
}

impl From<Level> for String {
    fn from(l: Level) -> String {
        l.0.into_owned()
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Validity dates are dates in Vietnam, without a time of day: the crate's one date type.
pub use crate::time::Date;

fn parse_date(s: &str) -> Result<Date, DirectoryError> {
    Ok(s.parse::<Date>()?)
}

/// Whether an agency exists on a given date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// The date lies within `valid_from..=valid_to` (a missing bound does not limit it).
    Valid,
    /// `valid_from` is after the date.
    NotYetValid {
        /// The agency's first day of existence (its `valid_from`).
        from: Date,
    },
    /// `valid_to` is before the date.
    Expired {
        /// The agency's last day of existence (its `valid_to`).
        to: Date,
    },
}

/// One row of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    /// The agency identifier (mã định danh), held in its Decision 20 form whichever form the
    /// file used; unique within the directory.
    pub id: AgencyId,
    /// Official name (`Thành phố Hà Nội`); not blank. [`Directory::find_by_name`] searches it.
    pub name: String,
    /// Administrative level (`central`, `province`, `district`, `commune`, or another level
    /// the directory uses).
    pub level: Level,
    /// The agency directly above this one in the directory's tree; `None` for a root (a
    /// central agency or a province in the samples). It must be in the directory, and need
    /// not be the identifier's prefix.
    #[serde(default)]
    pub parent: Option<AgencyId>,
    /// The hub this agency exchanges through (`LGSP-H26`, or [`NATIONAL_AXIS`]). `None`:
    /// inherited from the parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<String>,
    /// First day of existence, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Date>,
    /// Last day of existence, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<Date>,
}

impl Agency {
    /// Whether the agency exists on `on`.
    pub fn validity_on(&self, on: Date) -> Validity {
        match (self.valid_from, self.valid_to) {
            (Some(from), _) if on < from => Validity::NotYetValid { from },
            (_, Some(to)) if on > to => Validity::Expired { to },
            _ => Validity::Valid,
        }
    }
}

/// Why a directory could not be loaded. `line` is the 1-based CSV line; for JSON it is the
/// 1-based position of the agency in the list.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// Directory is `size` bytes, over the limit of `limit`.
    #[error("directory is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// Size in bytes.
        size: usize,
        /// The limit that was reached.
        limit: usize,
    },
    /// More than `limit` agencies.
    #[error("more than {limit} agencies")]
    TooManyAgencies {
        /// The limit that was reached.
        limit: usize,
    },
    /// CSV: ….
    #[error("CSV: {0}")]
    Csv(#[from] CsvError),
    /// JSON: ….
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV has no header.
    #[error("CSV has no header")]
    NoHeader,
    /// CSV header lacks the column `name`.
    #[error("CSV header lacks the column {name:?}")]
    MissingColumn {
        /// The name.
        name: &'static str,
    },
    /// CSV header has an unknown or repeated column `name`.
    #[error("CSV header has an unknown or repeated column {name:?}")]
    UnknownColumn {
        /// The name.
        name: String,
    },
    /// Line `line`: `found` fields, the header has `expected`.
    #[error("line {line}: {found} fields, the header has {expected}")]
    FieldCount {
        /// Line number (1-based).
        line: usize,
        /// What was found.
        found: usize,
        /// What was expected.
        expected: usize,
    },
    /// Line `line`: column `column`: `source`.
    #[error("line {line}: column {column}: {source}")]
    BadId {
        /// Line number (1-based).
        line: usize,
        /// Column (1-based).
        column: &'static str,
        /// The underlying error.
        #[source]
        source: AgencyIdError,
    },
    /// Line `line`: `source`.
    #[error("line {line}: {source}")]
    BadField {
        /// Line number (1-based).
        line: usize,
        /// The underlying error.
        #[source]
        source: Box<DirectoryError>,
    },
    /// Level `found` is not 1..={MAX_LEVEL_LEN} bytes of a-z, 0-9, '_' and '-'.
    #[error("level {found:?} is not 1..={MAX_LEVEL_LEN} bytes of a-z, 0-9, '_' and '-'")]
    BadLevel {
        /// What was found.
        found: String,
    },
    /// Bad date.
    #[error(transparent)]
    BadDate(#[from] crate::time::DateError),
    /// Hub `found` is not 1..={MAX_HUB_LEN} bytes of A-Z, a-z, 0-9, '.', '_' and '-'.
    #[error("hub {found:?} is not 1..={MAX_HUB_LEN} bytes of A-Z, a-z, 0-9, '.', '_' and '-'")]
    BadHub {
        /// What was found.
        found: String,
    },
    /// Agency `id` has an empty name.
    #[error("agency {id} has an empty name")]
    EmptyName {
        /// The identifier.
        id: AgencyId,
    },
    /// Agency `id` appears twice.
    #[error("agency {id} appears twice")]
    DuplicateId {
        /// The identifier.
        id: AgencyId,
    },
    /// Agency `id` names the parent `parent`, which is not in the directory.
    #[error("agency {id} names the parent {parent}, which is not in the directory")]
    UnknownParent {
        /// The identifier.
        id: AgencyId,
        /// The parent unit.
        parent: AgencyId,
    },
    /// The parent links of agency `id` form a cycle.
    #[error("the parent links of agency {id} form a cycle")]
    Cycle {
        /// The identifier.
        id: AgencyId,
    },
    /// Agency `id` is more than {MAX_DEPTH} levels deep.
    #[error("agency {id} is more than {MAX_DEPTH} levels deep")]
    TooDeep {
        /// The identifier.
        id: AgencyId,
    },
    /// Agency `id` is valid from `from`, after its end `to`.
    #[error("agency {id} is valid from {from}, after its end {to}")]
    BadValidity {
        /// The identifier.
        id: AgencyId,
        /// First day of validity.
        from: Date,
        /// Last day of validity.
        to: Date,
    },
}

/// The sample directories embedded in the crate, generated by `tools/gen_directories.py` from
/// the GSO divisions in `../shared/data`. Identifiers are synthetic (REFERENCE.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sample {
    /// Four levels: 17 central agencies, 63 provinces, 696 districts, 10,051 communes.
    Y2019,
    /// Two-tier local government since 1 July 2025: 17 central agencies, 34 provinces, 3,321
    /// communes.
    Y2025,
}

impl Sample {
    /// The embedded CSV text.
    pub fn csv(self) -> &'static str {
        match self {
            Sample::Y2019 => include_str!("../../data/directory-2019.csv"),
            Sample::Y2025 => include_str!("../../data/directory-2025.csv"),
        }
    }
}

/// A loaded, checked directory with its indexes.
#[derive(Clone, Debug)]
pub struct Directory {
    agencies: Vec<Agency>,
    index: HashMap<AgencyId, usize>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    /// Effective hub of each agency: an index into `hubs`.
    hub_of: Vec<Option<usize>>,
    hubs: Vec<Hub>,
    folded: Vec<String>,
    exact: Vec<String>,
}

#[derive(Clone, Debug)]
struct Hub {
    id: String,
    name: String,
}

/// The columns of the CSV format.
const COLUMNS: [&str; 7] = [
    "id",
    "name",
    "level",
    "parent",
    "hub",
    "valid_from",
    "valid_to",
];

impl Directory {
    /// One of the embedded samples.
    pub fn sample(sample: Sample) -> Result<Directory, DirectoryError> {
        Directory::from_csv(sample.csv())
    }

    /// CSV or JSON, told apart by the first non-blank character (`[` or `{` for JSON).
    pub fn parse(text: &str) -> Result<Directory, DirectoryError> {
        let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        if t.starts_with('[') || t.starts_with('{') {
            Directory::from_json(t)
        } else {
            Directory::from_csv(text)
        }
    }

    /// Reads the CSV format of the module docs.
    pub fn from_csv(text: &str) -> Result<Directory, DirectoryError> {
        check_size(text)?;
        // The header, then at most MAX_AGENCIES rows.
        let mut records = match csv::parse(text, MAX_AGENCIES.saturating_add(1)) {
            Err(csv::CsvError::TooManyRecords { .. }) => {
                return Err(DirectoryError::TooManyAgencies {
                    limit: MAX_AGENCIES,
                });
            }
            other => other?.into_iter(),
        };
        let header = records.next().ok_or(DirectoryError::NoHeader)?;
        // Position of each known column in the file.
        let mut pos: [Option<usize>; 7] = [None; 7];
        for (i, name) in header.fields.iter().enumerate() {
            let slot = COLUMNS
                .iter()
                .position(|c| c == name)
                .and_then(|k| pos.get_mut(k))
                .filter(|s| s.is_none())
                .ok_or_else(|| DirectoryError::UnknownColumn { name: name.clone() })?;
            *slot = Some(i);
        }
        for (k, name) in COLUMNS.iter().enumerate().take(3) {
            if pos.get(k).copied().flatten().is_none() {
                return Err(DirectoryError::MissingColumn { name });
            }
        }
        let mut agencies = Vec::new();
        for rec in records {
            if agencies.len() >= MAX_AGENCIES {
                return Err(DirectoryError::TooManyAgencies {
                    limit: MAX_AGENCIES,
                });
            }
            let line = rec.line;
            if rec.fields.len() != header.fields.len() {
                return Err(DirectoryError::FieldCount {
                    line,
                    found: rec.fields.len(),
                    expected: header.fields.len(),
                });
            }
            let field = |k: usize| -> &str {
                pos.get(k)
                    .copied()
                    .flatten()
                    .and_then(|i| rec.fields.get(i))
                    .map_or("", String::as_str)
            };
            let id_of = |k: usize, column: &'static str| {
                AgencyId::parse(field(k)).map_err(|source| DirectoryError::BadId {
                    line,
                    column,
                    source,
                })
            };
            let wrap = |e: DirectoryError| DirectoryError::BadField {
                line,
                source: Box::new(e),
            };
            let opt = |k: usize| Some(field(k)).filter(|s| !s.is_empty());
            let agency = Agency {
                id: id_of(0, "id")?,
                name: field(1).to_owned(),
                level: Level::new(field(2)).map_err(wrap)?,
                parent: match opt(3) {
                    Some(_) => Some(id_of(3, "parent")?),
                    None => None,
                },
                hub: opt(4).map(str::to_owned),
                valid_from: opt(5).map(parse_date).transpose().map_err(wrap)?,
                valid_to: opt(6).map(parse_date).transpose().map_err(wrap)?,
            };
            agencies.push(agency);
        }
        Directory::from_agencies(agencies)
    }

    /// Reads the JSON format of the module docs.
    pub fn from_json(text: &str) -> Result<Directory, DirectoryError> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Doc {
            List(Vec<Agency>),
            Object { agencies: Vec<Agency> },
        }
        check_size(text)?;
        // serde_json bounds nesting (128 levels) itself; the size check bounds the rest.
        let agencies = match serde_json::from_str::<Doc>(text) {
            Ok(Doc::List(a)) | Ok(Doc::Object { agencies: a }) => a,
            // The untagged enum hides the precise error: parse again as the object form to
            // report it.
            Err(_) => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Object {
                    #[allow(dead_code)]
                    agencies: Vec<Agency>,
                }
                let t = text.trim_start();
                return Err(if t.starts_with('[') {
                    serde_json::from_str::<Vec<Agency>>(t).err()
                } else {
                    serde_json::from_str::<Object>(t).err()
                }
                .unwrap_or_else(|| {
                    <serde_json::Error as serde::de::Error>::custom(
                        "expected a list of agencies or {\"agencies\": [...]}",
                    )
                })
                .into());
            }
        };
        if agencies.len() > MAX_AGENCIES {
            return Err(DirectoryError::TooManyAgencies {
                limit: MAX_AGENCIES,
            });
        }
        Directory::from_agencies(agencies)
    }

    /// Checks the rules of the module docs and builds the indexes.
    pub fn from_agencies(agencies: Vec<Agency>) -> Result<Directory, DirectoryError> {
        if agencies.len() > MAX_AGENCIES {
            return Err(DirectoryError::TooManyAgencies {
                limit: MAX_AGENCIES,
            });
        }
        let mut index = HashMap::with_capacity(agencies.len());
        for (i, a) in agencies.iter().enumerate() {
            if a.name.trim().is_empty() {
                return Err(DirectoryError::EmptyName { id: a.id.clone() });
            }
            if let Some(h) = &a.hub {
                check_hub(h)?;
            }
            if let (Some(from), Some(to)) = (a.valid_from, a.valid_to)
                && from > to
            {
                return Err(DirectoryError::BadValidity {
                    id: a.id.clone(),
                    from,
                    to,
                });
            }
            if index.insert(a.id.clone(), i).is_some() {
                return Err(DirectoryError::DuplicateId { id: a.id.clone() });
            }
        }
        let n = agencies.len();
        let mut parent_ix: Vec<Option<usize>> = Vec::with_capacity(n);
        for a in &agencies {
            parent_ix.push(match &a.parent {
                None => None,
                Some(p) => Some(*index.get(p).ok_or_else(|| DirectoryError::UnknownParent {
                    id: a.id.clone(),
                    parent: p.clone(),
                })?),
            });
        }
        // Depth of every node, walking each parent chain once (memoised). Indices here are
        // internal (0..n), so indexing cannot go out of bounds.
        let mut depth: Vec<Option<usize>> = vec![None; n];
        for start in 0..n {
            let mut chain: Vec<usize> = Vec::new();
            let mut cur = Some(start);
            let base = loop {
                let Some(c) = cur else { break 0 };
                if let Some(d) = depth[c] {
                    break d.saturating_add(1);
                }
                if chain.contains(&c) {
                    return Err(DirectoryError::Cycle {
                        id: agencies[start].id.clone(),
                    });
                }
                if chain.len() >= MAX_DEPTH {
                    return Err(DirectoryError::TooDeep {
                        id: agencies[start].id.clone(),
                    });
                }
                chain.push(c);
                cur = parent_ix[c];
            };
            for (k, c) in chain.iter().rev().enumerate() {
                let d = base.saturating_add(k);
                if d >= MAX_DEPTH {
                    return Err(DirectoryError::TooDeep {
                        id: agencies[*c].id.clone(),
                    });
                }
                depth[*c] = Some(d);
            }
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, p) in parent_ix.iter().enumerate() {
            match p.and_then(|p| children.get_mut(p)) {
                Some(list) => list.push(i),
                None => roots.push(i),
            }
        }
        // Effective hubs, parents before children (by depth). A hub's display name comes from
        // the shallowest agency that declares it (the province for `LGSP-H26`).
        let mut by_depth: Vec<usize> = (0..n).collect();
        by_depth.sort_by_key(|i| depth.get(*i).copied().flatten().unwrap_or(0));
        let mut hubs: Vec<Hub> = Vec::new();
        let mut hub_index: HashMap<String, usize> = HashMap::new();
        let mut hub_of: Vec<Option<usize>> = vec![None; n];
        for i in by_depth {
            let Some(a) = agencies.get(i) else { continue };
            let h = match &a.hub {
                Some(h) => Some(*hub_index.entry(h.clone()).or_insert_with(|| {
                    hubs.push(Hub {
                        id: h.clone(),
                        name: hub_display_name(h, &a.name),
                    });
                    hubs.len().saturating_sub(1)
                })),
                None => parent_ix
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|p| hub_of.get(p).copied().flatten()),
            };
            if let Some(slot) = hub_of.get_mut(i) {
                *slot = h;
            }
        }
        let folded = agencies.iter().map(|a| fold::fold(&a.name)).collect();
        let exact = agencies.iter().map(|a| fold::exact_key(&a.name)).collect();
        Ok(Directory {
            agencies,
            index,
            children,
            roots,
            hub_of,
            hubs,
            folded,
            exact,
        })
    }

    /// Number of agencies.
    pub fn len(&self) -> usize {
        self.agencies.len()
    }

    /// Whether the directory holds no agency.
    pub fn is_empty(&self) -> bool {
        self.agencies.is_empty()
    }

    /// All agencies, in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, Agency> {
        self.agencies.iter()
    }

    /// The agencies without a parent (central agencies and provinces in the samples).
    pub fn roots(&self) -> impl Iterator<Item = &Agency> {
        self.roots.iter().filter_map(|i| self.agencies.get(*i))
    }

    /// Agencies of a level, in file order.
    pub fn with_level<'a>(&'a self, level: &'a Level) -> impl Iterator<Item = &'a Agency> {
        self.agencies.iter().filter(move |a| &a.level == level)
    }

    /// Lookup by identifier (either written form is accepted by [`AgencyId::parse`]).
    pub fn get(&self, id: &AgencyId) -> Option<&Agency> {
        self.index.get(id).and_then(|i| self.agencies.get(*i))
    }

    /// The direct children of `id`, in file order; empty if `id` is unknown.
    pub fn children(&self, id: &AgencyId) -> Vec<&Agency> {
        self.index
            .get(id)
            .and_then(|i| self.children.get(*i))
            .map(|c| c.iter().filter_map(|i| self.agencies.get(*i)).collect())
            .unwrap_or_default()
    }

    /// `id` and everything below it, depth first (each unit before its children); empty if
    /// `id` is unknown.
    pub fn subtree(&self, id: &AgencyId) -> Vec<&Agency> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.index.get(id).copied().into_iter().collect();
        while let Some(i) = stack.pop() {
            if let Some(a) = self.agencies.get(i) {
                out.push(a);
            }
            if let Some(c) = self.children.get(i) {
                stack.extend(c.iter().rev());
            }
        }
        out
    }

    /// The parent chain of `id`, nearest first (not including `id`).
    pub fn ancestors(&self, id: &AgencyId) -> Vec<&Agency> {
        let mut out = Vec::new();
        let mut cur = self.get(id).and_then(|a| a.parent.as_ref());
        while let Some(p) = cur {
            let Some(a) = self.get(p) else { break };
            out.push(a);
            cur = a.parent.as_ref();
        }
        out
    }

    /// The hub `id` exchanges through: its own or, failing that, its nearest ancestor's.
    pub fn hub_of(&self, id: &AgencyId) -> Option<&str> {
        self.index
            .get(id)
            .and_then(|i| self.hub_of.get(*i).copied().flatten())
            .and_then(|h| self.hubs.get(h))
            .map(|h| h.id.as_str())
    }

    /// Display name of a hub (`LGSP Thành phố Hà Nội`, or [`NATIONAL_AXIS_NAME`]).
    pub fn hub_name(&self, hub: &str) -> Option<&str> {
        if hub == NATIONAL_AXIS {
            return Some(NATIONAL_AXIS_NAME);
        }
        self.hubs
            .iter()
            .find(|h| h.id == hub)
            .map(|h| h.name.as_str())
    }

    /// Agencies whose name contains `query` as whole words, best matches first (the whole name
    /// equal to the query, then the rest in file order). A query without diacritics matches
    /// names with or without them (`ha noi` finds `Hà Nội`); a query with diacritics matches
    /// them exactly, ignoring case and Unicode composition (`Bắc` does not find `Bạc`). An
    /// empty query matches nothing.
    pub fn find_by_name(&self, query: &str) -> Vec<&Agency> {
        let (keys, q) = if fold::has_diacritics(query) {
            (&self.exact, fold::exact_key(query))
        } else {
            (&self.folded, fold::fold(query))
        };
        if q.is_empty() {
            return Vec::new();
        }
        let needle = format!(" {q} ");
        let mut whole = Vec::new();
        let mut part = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if k == &q {
                whole.push(i);
            } else if format!(" {k} ").contains(&needle) {
                part.push(i);
            }
        }
        whole
            .into_iter()
            .chain(part)
            .filter_map(|i| self.agencies.get(i))
            .collect()
    }
}

fn check_size(text: &str) -> Result<(), DirectoryError> {
    if text.len() > MAX_DIRECTORY_BYTES {
        return Err(DirectoryError::TooLarge {
            size: text.len(),
            limit: MAX_DIRECTORY_BYTES,
        });
    }
    Ok(())
}

fn check_hub(h: &str) -> Result<(), DirectoryError> {
    let ok = !h.is_empty()
        && h.len() <= MAX_HUB_LEN
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(DirectoryError::BadHub {
            found: h.chars().take(MAX_HUB_LEN).collect(),
        })
    }
}

/// `LGSP-H26` declared by `Thành phố Hà Nội` → `LGSP Thành phố Hà Nội`; other hubs →
/// `HUB (name)`.
fn hub_display_name(hub: &str, owner: &str) -> String {
    if hub == NATIONAL_AXIS {
        NATIONAL_AXIS_NAME.to_owned()
    } else if hub.starts_with("LGSP") {
        format!("LGSP {owner}")
    } else {
        format!("{hub} ({owner})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AgencyId {
        AgencyId::parse(s).unwrap()
    }

    const SMALL: &str = "id,name,level,parent,hub,valid_from,valid_to\n\
        G22,Văn phòng Chính phủ,central,,VDXP,,\n\
        H26,Thành phố Hà Nội,province,,LGSP-H26,,\n\
        H26.001,Quận Ba Đình,district,H26,,,2025-06-30\n\
        H26.001.00001,Phường Phúc Xá,commune,H26.001,,,\n\
        H26.002,Quận Hoàn Kiếm,district,H26,,,\n";

    #[test]
    fn loads_csv_and_indexes() {
        let d = Directory::from_csv(SMALL).unwrap();
        assert_eq!(d.len(), 5);
        assert_eq!(d.get(&id("H26.001")).unwrap().name, "Quận Ba Đình");
        assert_eq!(d.hub_of(&id("H26.001.00001")), Some("LGSP-H26"));
        assert_eq!(d.hub_of(&id("G22")), Some(NATIONAL_AXIS));
        assert_eq!(d.hub_name("LGSP-H26"), Some("LGSP Thành phố Hà Nội"));
        let kids: Vec<_> = d
            .children(&id("H26"))
            .iter()
            .map(|a| a.id.to_string())
            .collect();
        assert_eq!(kids, ["H26.001", "H26.002"]);
        let sub: Vec<_> = d
            .subtree(&id("H26"))
            .iter()
            .map(|a| a.id.to_string())
            .collect();
        assert_eq!(sub, ["H26", "H26.001", "H26.001.00001", "H26.002"]);
        let anc: Vec<_> = d
            .ancestors(&id("H26.001.00001"))
            .iter()
            .map(|a| a.id.to_string())
            .collect();
        assert_eq!(anc, ["H26.001", "H26"]);
        let until = Date::new(2025, 6, 30).unwrap();
        assert_eq!(d.get(&id("H26.001")).unwrap().valid_to, Some(until));
        assert_eq!(
            d.get(&id("H26.001"))
                .unwrap()
                .validity_on(Date::new(2025, 7, 1).unwrap()),
            Validity::Expired { to: until }
        );
    }

    #[test]
    fn json_round_trip() {
        let d = Directory::from_csv(SMALL).unwrap();
        let agencies: Vec<Agency> = d.iter().cloned().collect();
        let json = serde_json::to_string(&agencies).unwrap();
        let back = Directory::parse(&json).unwrap();
        assert_eq!(back.iter().cloned().collect::<Vec<_>>(), agencies);
        let obj = format!("{{\"agencies\": {json}}}");
        assert_eq!(Directory::parse(&obj).unwrap().len(), 5);
    }

    #[test]
    fn load_errors() {
        let e = |t: &str| Directory::from_csv(t).unwrap_err().to_string();
        assert!(matches!(
            Directory::from_csv("id,name\nH26,x\n"),
            Err(DirectoryError::MissingColumn { name: "level" })
        ));
        assert!(matches!(
            Directory::from_csv("id,name,level,colour\n"),
            Err(DirectoryError::UnknownColumn { .. })
        ));
        assert!(matches!(
            Directory::from_csv("id,name,level\nH26,a,province\nH26,b,province\n"),
            Err(DirectoryError::DuplicateId { .. })
        ));
        assert!(matches!(
            Directory::from_csv("id,name,level,parent\nH26.001,a,district,H26\n"),
            Err(DirectoryError::UnknownParent { .. })
        ));
        assert!(matches!(
            Directory::from_csv("id,name,level,parent\nH26,a,x,H27\nH27,b,x,H26\n"),
            Err(DirectoryError::Cycle { .. })
        ));
        assert!(matches!(
            Directory::from_csv("id,name,level,parent\nH26,a,x,H26\n"),
            Err(DirectoryError::Cycle { .. })
        ));
        assert!(matches!(
            Directory::from_csv("id,name,level\nh26,a,province\n"),
            Err(DirectoryError::BadId {
                line: 2,
                column: "id",
                source: AgencyIdError::BadCharacter { ch: 'h', pos: 0 }
            })
        ));
        assert!(e("id,name,level,valid_to\nH26,a,province,2025-02-30\n").contains("line 2"));
        assert!(e("id,name,level\nH26,a,Province\n").contains("level"));
        assert!(matches!(
            Directory::from_csv(
                "id,name,level,valid_from,valid_to\nH26,a,x,2025-01-02,2025-01-01\n"
            ),
            Err(DirectoryError::BadValidity { .. })
        ));
        assert!(matches!(
            Directory::from_csv("id,name,level\nH26,a\n"),
            Err(DirectoryError::FieldCount {
                line: 2,
                found: 2,
                expected: 3
            })
        ));
        assert!(matches!(
            Directory::from_json("[{\"id\":\"H26\"}]"),
            Err(DirectoryError::Json(_))
        ));
    }

    #[test]
    fn too_deep() {
        // Ids cap the prefix depth at 17; build a deeper chain with flat ids instead.
        let mut t = String::from("id,name,level,parent\nH00,a,x,\n");
        for i in 1..=MAX_DEPTH {
            t.push_str(&format!("H{:02},a,x,H{:02}\n", i, i - 1));
        }
        assert!(matches!(
            Directory::from_csv(&t),
            Err(DirectoryError::TooDeep { .. })
        ));
    }

    #[test]
    fn dates() {
        assert_eq!(
            "2025-07-01".parse::<Date>().unwrap(),
            Date::new(2025, 7, 1).unwrap()
        );
        assert!("2024-02-29".parse::<Date>().is_ok());
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-7-1",
            "20250701",
            "2025-07-01T",
            "+025-07-01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        // Date::from_unix is tested with the type, in crate::time.
    }

    #[test]
    fn find_with_and_without_diacritics() {
        let d = Directory::from_csv(SMALL).unwrap();
        let names = |q: &str| -> Vec<String> {
            d.find_by_name(q).iter().map(|a| a.id.to_string()).collect()
        };
        assert_eq!(names("ha noi"), ["H26"]);
        assert_eq!(names("Hà Nội"), ["H26"]);
        assert_eq!(names("HA NOI"), ["H26"]);
        assert_eq!(names("Ba Dinh"), ["H26.001"]);
        assert_eq!(names("phuc xa"), ["H26.001.00001"]);
        assert_eq!(names("Quận"), ["H26.001", "H26.002"]);
        assert_eq!(names("Hà Nọi"), Vec::<String>::new());
        assert_eq!(names("noi"), ["H26"]);
        assert_eq!(names("no"), Vec::<String>::new());
        assert_eq!(names(""), Vec::<String>::new());
        assert_eq!(names("Quận Ba Đình"), ["H26.001"]);
    }
}
