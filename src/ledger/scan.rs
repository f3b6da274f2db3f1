//! Batch scanning for `vnedoc stats`: find the documents under some folders, tell each one's
//! unit, verify them on every core and turn them into ledger [`Entry`]s.
//!
//! Units come from the folder layout ([`UnitsFrom::Folders`]: the first folder level under a
//! root is the agency id, `ROOT/H26.001.00001/**.pdf`) or from edXML envelopes
//! ([`UnitsFrom::Edxml`]: the sender, `From/OrganId`, with the first PDF attachment as the
//! document). A file that cannot be read, verified or placed is a [`Skipped`] with its reason;
//! it never stops the scan.
//!
//! The date of a document is the earliest claimed signing time of its signatures, else the
//! PDF's `/CreationDate` (envelopes: the promulgation date), else the file's modification
//! time; all in Vietnam's time zone.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Direction, Entry, SignerClassifier, Skipped, assess, sha256};
use crate::exchange::AgencyId;
use crate::exchange::edxml::{self, Envelope};
use crate::exchange::engine::is_checked_attachment;
use crate::pdf::object::Object;
use crate::pdf::{Document, Limits};
use crate::time::Date;
use crate::time::{Timestamp, vietnam_date};
use crate::verify::{DocumentReport, Verifier};

/// Deepest folder nesting walked under a root; deeper folders are reported, not entered.
pub const MAX_WALK_DEPTH: usize = 64;

/// Where a document's unit comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnitsFrom {
    /// `ROOT/<agency id>/**.pdf`.
    #[default]
    Folders,
    /// `**.edxml` / `**.xml` envelopes: the sender is the unit.
    Edxml,
}

/// A string that names no [`UnitsFrom`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected folders or edxml, found {found:?}")]
pub struct UnitsFromError {
    /// The string given.
    pub found: String,
}

impl std::str::FromStr for UnitsFrom {
    type Err = UnitsFromError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "folders" => Ok(UnitsFrom::Folders),
            "edxml" => Ok(UnitsFrom::Edxml),
            other => Err(UnitsFromError {
                found: other.to_owned(),
            }),
        }
    }
}

/// One file to look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Where the file is read from.
    pub path: PathBuf,
    /// The path as shown in reports and used as the document id (relative to its root, with
    /// the root's own name in front).
    pub name: String,
    /// The unit, for [`UnitsFrom::Folders`].
    pub unit: Option<AgencyId>,
}

/// The files under `roots`, sorted by name, and the ones that cannot be placed in a unit.
pub fn collect(roots: &[PathBuf], units_from: UnitsFrom) -> (Vec<Job>, Vec<Skipped>) {
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    for root in roots {
        let root_name = root.display().to_string();
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                skipped.push(skip(&root_name, e));
                continue;
            }
        };
        if meta.is_file() {
            match units_from {
                UnitsFrom::Edxml => jobs.push(Job {
                    path: root.clone(),
                    name: root_name,
                    unit: None,
                }),
                UnitsFrom::Folders => skipped.push(Skipped {
                    file: root_name,
                    reason: "not inside a folder named by an agency id".into(),
                }),
            }
            continue;
        }
        let mut files = Vec::new();
        walk(root, 0, &mut files, &mut skipped);
        for path in files {
            let name = path.display().to_string();
            match units_from {
                UnitsFrom::Edxml => {
                    if has_extension(&path, &["edxml", "xml"]) {
                        jobs.push(Job {
                            path,
                            name,
                            unit: None,
                        });
                    }
                }
                UnitsFrom::Folders => {
                    if !has_extension(&path, &["pdf"]) {
                        continue;
                    }
                    let first = path.strip_prefix(root).ok().and_then(|rel| {
                        let mut parts = rel.components();
                        let first = parts.next()?;
                        // A file directly under the root has no unit folder.
                        parts.next()?;
                        Some(first.as_os_str().to_string_lossy().into_owned())
                    });
                    match first.as_deref().map(AgencyId::parse) {
                        Some(Ok(unit)) => jobs.push(Job {
                            path,
                            name,
                            unit: Some(unit),
                        }),
                        Some(Err(e)) => skipped.push(Skipped {
                            file: name,
                            reason: format!(
                                "folder {:?} is not an agency id: {e}",
                                first.unwrap_or_default()
                            ),
                        }),
                        None => skipped.push(Skipped {
                            file: name,
                            reason: "not inside a folder named by an agency id".into(),
                        }),
                    }
                }
            }
        }
    }
    jobs.sort_by(|a, b| a.path.cmp(&b.path));
    jobs.dedup_by(|a, b| a.path == b.path);
    (jobs, skipped)
}

fn skip(file: &str, e: impl std::fmt::Display) -> Skipped {
    Skipped {
        file: file.to_owned(),
        reason: e.to_string(),
    }
}

fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Files under `dir`, depth first. Symbolic links to folders are not followed (no cycles).
fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>, skipped: &mut Vec<Skipped>) {
    let name = dir.display().to_string();
    if depth > MAX_WALK_DEPTH {
        skipped.push(Skipped {
            file: name,
            reason: format!("folder nested deeper than {MAX_WALK_DEPTH} levels"),
        });
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            skipped.push(skip(&name, e));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                skipped.push(skip(&name, e));
                continue;
            }
        };
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, depth.saturating_add(1), files, skipped),
            Ok(t) if t.is_file() => files.push(path),
            Ok(t) if t.is_symlink() => {
                if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                    files.push(path);
                }
            }
            Ok(_) => {}
            Err(e) => skipped.push(skip(&path.display().to_string(), e)),
        }
    }
}

/// What a scan found.
#[derive(Clone, Debug, Default)]
pub struct ScanResult {
    /// One entry per document, in file order.
    pub entries: Vec<Entry>,
    /// Files that could not be read, verified or placed.
    pub skipped: Vec<Skipped>,
    /// Files looked at (entries + skipped files among the jobs).
    pub files: u64,
}

/// Verifies jobs into ledger entries.
pub struct Scanner<'a> {
    /// Verifies each document.
    pub verifier: &'a Verifier,
    /// Tells person from agency signatures, for [`Entry::legally_complete`].
    pub classifier: &'a (dyn SignerClassifier + Sync),
    /// Where each document's unit comes from.
    pub units_from: UnitsFrom,
    /// Direction recorded: a unit's folder holds what it issued (default).
    pub direction: Direction,
    /// Largest file read, in bytes (default: the verifier's input limit).
    pub max_file_size: u64,
}

impl<'a> Scanner<'a> {
    /// A scanner recording [`Direction::Issued`] and reading files up to the verifier's
    /// `max_input_size`.
    pub fn new(
        verifier: &'a Verifier,
        classifier: &'a (dyn SignerClassifier + Sync),
        units_from: UnitsFrom,
    ) -> Self {
        Scanner {
            verifier,
            classifier,
            units_from,
            direction: Direction::Issued,
            max_file_size: u64::try_from(verifier.options().max_input_size).unwrap_or(u64::MAX),
        }
    }

    /// Verifies every job on the current rayon pool; `progress` is called once per file done.
    pub fn scan(&self, jobs: &[Job], progress: &(dyn Fn() + Sync)) -> ScanResult {
        let span = tracing::info_span!("scan", files = jobs.len());
        let _in = span.enter();
        let results: Vec<Result<Entry, Skipped>> = jobs
            .par_iter()
            .map(|job| {
                // The workers' events belong to the scan too.
                let _in = span.enter();
                let r = self.one(job);
                progress();
                r
            })
            .collect();
        let mut out = ScanResult {
            files: u64::try_from(jobs.len()).unwrap_or(u64::MAX),
            ..ScanResult::default()
        };
        for r in results {
            match r {
                Ok(e) => out.entries.push(e),
                Err(s) => out.skipped.push(s),
            }
        }
        let count =
            |f: fn(&super::Outcome) -> bool| out.entries.iter().filter(|e| f(&e.outcome)).count();
        tracing::info!(
            files = out.files,
            signed_valid = count(|o| matches!(o, super::Outcome::SignedValid)),
            signed_invalid = count(|o| matches!(o, super::Outcome::SignedInvalid { .. })),
            unsigned = count(|o| matches!(o, super::Outcome::Unsigned)),
            skipped = out.skipped.len(),
            "scan done"
        );
        out
    }

    /// One file's entry (its classification, or why it was skipped, as a debug event).
    pub fn one(&self, job: &Job) -> Result<Entry, Skipped> {
        let result = self.classify(job);
        match &result {
            Ok(e) => tracing::debug!(
                file = job.name.as_str(),
                unit = e.unit.as_str(),
                outcome = outcome_name(&e.outcome),
                legally_complete = e.legally_complete,
                "document classified"
            ),
            Err(s) => tracing::debug!(
                file = job.name.as_str(),
                reason = s.reason.as_str(),
                "file skipped"
            ),
        }
        result
    }

    fn classify(&self, job: &Job) -> Result<Entry, Skipped> {
        let fail = |reason: String| Skipped {
            file: job.name.clone(),
            reason,
        };
        let meta = std::fs::metadata(&job.path).map_err(|e| fail(e.to_string()))?;
        if meta.len() > self.max_file_size {
            return Err(fail(format!(
                "{} bytes, over the limit of {}",
                meta.len(),
                self.max_file_size
            )));
        }
        let bytes = std::fs::read(&job.path).map_err(|e| fail(e.to_string()))?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| Timestamp::try_from(t).ok());
        match self.units_from {
            UnitsFrom::Folders => {
                let unit = job
                    .unit
                    .clone()
                    .ok_or_else(|| fail("no unit folder".into()))?;
                let report = self.verifier.verify_bytes(&job.name, &bytes);
                if let Some(e) = &report.error {
                    return Err(fail(format!("unreadable: {e}")));
                }
                let date = report_date(&report)
                    .or_else(|| pdf_creation_date(&bytes))
                    .or(mtime)
                    .and_then(vietnam_date)
                    .ok_or_else(|| fail("no date".into()))?;
                Ok(self.entry(unit, job.name.clone(), sha256(&bytes), date, &report))
            }
            UnitsFrom::Edxml => {
                let env = edxml::from_xml(&bytes).map_err(|e| fail(format!("edXML: {e}")))?;
                self.envelope_entry(&job.name, &env, &bytes, mtime)
                    .map_err(|e| fail(e.to_string()))
            }
        }
    }

    fn entry(
        &self,
        unit: AgencyId,
        document_id: String,
        sha256: [u8; 32],
        date: Date,
        report: &DocumentReport,
    ) -> Entry {
        let (outcome, legally_complete) = assess(report, self.classifier);
        Entry {
            unit,
            document_id,
            sha256,
            direction: self.direction,
            date,
            outcome,
            legally_complete,
        }
    }

    fn envelope_entry(
        &self,
        name: &str,
        env: &Envelope,
        raw: &[u8],
        mtime: Option<Timestamp>,
    ) -> Result<Entry, EnvelopeSkip> {
        let header = env.message_header().ok_or(EnvelopeSkip::Status)?;
        let unit = AgencyId::parse(header.from.organ_id.trim()).map_err(EnvelopeSkip::OrganId)?;
        let document_id = header
            .document_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(name)
            .to_owned();
        let promulgated = header
            .promulgation_info
            .as_ref()
            .and_then(|p| p.promulgation_date)
            .and_then(|d| Date::new(d.year(), d.month(), d.day()));
        let main = env.attachments.iter().find(|a| is_checked_attachment(a));
        let Some(main) = main else {
            // No PDF: nothing signed to count (office files and images are not verified).
            let date = promulgated
                .or_else(|| mtime.and_then(vietnam_date))
                .ok_or(EnvelopeSkip::NoDate)?;
            return Ok(Entry {
                unit,
                document_id,
                sha256: sha256(raw),
                direction: self.direction,
                date,
                outcome: super::Outcome::Unsigned,
                legally_complete: Some(false),
            });
        };
        let label = format!(
            "{name}: {}",
            main.name.as_deref().unwrap_or(main.content_id.as_str())
        );
        let report = self.verifier.verify_bytes(&label, &main.content);
        if let Some(e) = &report.error {
            return Err(EnvelopeSkip::Unreadable { reason: e.clone() });
        }
        let date = promulgated
            .or_else(|| report_date(&report).and_then(vietnam_date))
            .or_else(|| mtime.and_then(vietnam_date))
            .ok_or(EnvelopeSkip::NoDate)?;
        Ok(self.entry(unit, document_id, sha256(&main.content), date, &report))
    }
}

/// The outcome as logged: `signed_valid`, `signed_invalid`, `unsigned` (the JSON's names).
fn outcome_name(o: &super::Outcome) -> &'static str {
    match o {
        super::Outcome::SignedValid => "signed_valid",
        super::Outcome::SignedInvalid { .. } => "signed_invalid",
        super::Outcome::Unsigned => "unsigned",
    }
}

/// Why an edXML envelope gives no entry; the message becomes the [`Skipped`] reason.
#[derive(Debug, thiserror::Error)]
enum EnvelopeSkip {
    /// A Status message, not a document.
    #[error("a status envelope, not a document")]
    Status,
    /// `From/OrganId` is not an agency identifier.
    #[error("From/OrganId: {0}")]
    OrganId(#[source] crate::exchange::AgencyIdError),
    /// No promulgation date, signing time or file time.
    #[error("no date")]
    NoDate,
    /// The verifier could not read the main attachment (`reason` is the report's error).
    #[error("attachment unreadable: {reason}")]
    Unreadable { reason: String },
}

/// The earliest claimed signing time of the report's signatures (document timestamps
/// excluded).
fn report_date(report: &DocumentReport) -> Option<Timestamp> {
    report
        .signatures
        .iter()
        .filter(|s| !s.is_doc_timestamp)
        .filter_map(|s| s.signing_time)
        .min()
}

/// `/Info /CreationDate` of the newest revision.
fn pdf_creation_date(bytes: &[u8]) -> Option<Timestamp> {
    let doc = Document::parse(bytes, Limits::default()).ok()?;
    let rev = doc.last_revision();
    let info = doc.trailer(rev)?.get(b"Info")?.clone();
    let info = doc.resolve(&info, rev).ok()?;
    match info.as_dict()?.get(b"CreationDate")? {
        Object::String(s) => crate::time::parse_pdf_timestamp(&s.bytes),
        _ => None,
    }
}
