//! `vnedoc verify`: the report as text, JSON or one line per signature (`--summary`), and the
//! exit code of the worst file (main.rs, "Exit codes").
//!
//! `--summary` prints six tab-separated columns per line, no header, like pyHanko's
//! `--executive-summary` but with every column always present (`-` when there is nothing):
//!
//! ```text
//! FILE  FIELD  STATUS  SIGNER  SIGNING_TIME  KIND
//! ```
//!
//! - one line per signature: STATUS is the indication with its sub-indication
//!   (`TOTAL_PASSED`, `TOTAL_FAILED/HASH_FAILURE`, `INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND`),
//!   SIGNER the certificate's subject CN (else its whole subject), SIGNING_TIME the claimed
//!   signing time (RFC 3339, UTC), KIND `signature` or `document-timestamp`;
//! - one line for a file without signatures: `FILE  -  NO_SIGNATURE  -  -  -`;
//! - one line for a file that cannot be read: STATUS `UNREADABLE` (I/O), `TOO_LARGE`, `NOT_PDF`,
//!   `ENCRYPTED` (no or a wrong password, an unsupported handler) (exit 2) or `MALFORMED` (a
//!   broken PDF, exit 1), and the error message in the KIND column.
//!
//! Tabs, line breaks and other control characters in a value (a field name or a subject comes
//! from the file) are printed as spaces, so a line is always one record of six columns.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use vnedoc::verify::{DocumentErrorKind, DocumentReport, SignatureReport};

use crate::Exit;
use crate::inputs::verifier_from;

/// `vnedoc verify` arguments.
#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    trust: crate::inputs::TrustArgs,
    /// Validation time: RFC 3339, or `claimed` for each signature's own signing time.
    #[arg(long = "at", value_name = "RFC3339|claimed")]
    at: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Print one tab-separated line per signature: FILE FIELD STATUS SIGNER SIGNING_TIME KIND
    /// (like pyHanko's --executive-summary; a file without signatures or unreadable gets one
    /// line too).
    #[arg(long, conflicts_with = "json")]
    summary: bool,
    /// Largest file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = vnedoc::verify::DEFAULT_MAX_INPUT)]
    max_size: usize,
    /// Password of encrypted documents (user or owner); the empty user password is always tried.
    #[arg(long, value_name = "PASSWORD")]
    password: Option<String>,
    /// Files verified at once (default: one per core). Each holds one file in memory.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// PDF files to verify.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub(crate) fn run_verify(a: VerifyArgs) -> Result<ExitCode, String> {
    let verifier = verifier_from(&a.trust, a.at.as_deref(), a.max_size, a.password.as_deref())?;
    let results = match a.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| format!("--threads: {e}"))?
            .install(|| verifier.verify_files(&a.files)),
        None => verifier.verify_files(&a.files),
    };
    let reports: Vec<DocumentReport> = a
        .files
        .iter()
        .zip(results)
        .map(|(f, result)| {
            result.unwrap_or_else(|e| {
                DocumentReport::unreadable(f.display().to_string(), e.kind(), e)
            })
        })
        .collect();
    let mut out = String::new();
    if a.json {
        let json = serde_json::json!({ "documents": reports });
        out = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        out.push('\n');
    } else {
        for r in &reports {
            let written = if a.summary {
                summary(r, &mut out)
            } else {
                text(r, &mut out)
            };
            written.map_err(|e| e.to_string())?;
        }
    }
    let verdict = reports.iter().map(exit_code).max().unwrap_or(Exit::Ok);
    Ok(verdict.max(crate::write_stdout(&out)).into())
}

/// The exit code for one document (main.rs, "Exit codes").
fn exit_code(r: &DocumentReport) -> Exit {
    match r.error_kind {
        Some(k) if k.is_unreadable_input() => Exit::Usage,
        _ if r.all_passed() => Exit::Ok,
        _ => Exit::Fail,
    }
}

/// A value's name in the JSON report (`TOTAL_PASSED`, `not_checked`, …).
fn wire<T: serde::Serialize>(x: T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The indication, with its sub-indication after a `/` when there is one.
fn status(s: &SignatureReport) -> String {
    match s.subindication {
        Some(sub) => format!("{}/{}", wire(s.indication), wire(sub)),
        None => wire(s.indication),
    }
}

/// One `--summary` column: control characters (tabs, line breaks) as spaces, `-` when empty.
fn cell(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.trim().is_empty() { "-".into() } else { s }
}

/// The `--summary` lines of one document (module docs).
fn summary(r: &DocumentReport, out: &mut String) -> std::fmt::Result {
    let file = cell(&r.file);
    if let Some(e) = &r.error {
        let status = match r.error_kind {
            Some(DocumentErrorKind::Io) => "UNREADABLE",
            Some(DocumentErrorKind::TooLarge) => "TOO_LARGE",
            Some(DocumentErrorKind::NotPdf) => "NOT_PDF",
            Some(DocumentErrorKind::Encrypted) => "ENCRYPTED",
            _ => "MALFORMED",
        };
        return writeln!(out, "{file}\t-\t{status}\t-\t-\t{}", cell(e));
    }
    if r.signatures.is_empty() {
        return writeln!(out, "{file}\t-\tNO_SIGNATURE\t-\t-\t-");
    }
    for s in &r.signatures {
        let signer = s
            .signer
            .as_ref()
            .map(|x| x.common_name.clone().unwrap_or_else(|| x.subject.clone()))
            .unwrap_or_default();
        let time = s.signing_time.map(|t| t.to_string()).unwrap_or_default();
        let kind = if s.is_doc_timestamp {
            "document-timestamp"
        } else {
            "signature"
        };
        writeln!(
            out,
            "{file}\t{}\t{}\t{}\t{}\t{kind}",
            cell(&s.field),
            status(s),
            cell(&signer),
            cell(&time)
        )?;
    }
    Ok(())
}

/// The text report of one document.
fn text(r: &DocumentReport, out: &mut String) -> std::fmt::Result {
    writeln!(out, "{}", r.file)?;
    if let Some(e) = &r.error {
        return writeln!(out, "  error: {e}");
    }
    if r.signatures.is_empty() {
        writeln!(out, "  no signatures")?;
    }
    for s in &r.signatures {
        let sub = s
            .subindication
            .map(|x| format!(" / {}", wire(x)))
            .unwrap_or_default();
        writeln!(
            out,
            "  signature {}{}: {}{sub}",
            s.field,
            if s.is_doc_timestamp {
                " (document timestamp)"
            } else {
                ""
            },
            wire(s.indication)
        )?;
        if let Some(signer) = &s.signer {
            writeln!(out, "    signer:        {}", signer.subject)?;
        }
        writeln!(
            out,
            "    sub filter:    {}",
            s.sub_filter.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "    integrity:     {}",
            if s.integrity { "ok" } else { "FAILED" }
        )?;
        writeln!(out, "    whole file:    {}", s.covers_whole_file)?;
        writeln!(out, "    modifications: {}", wire(s.modifications))?;
        if let Some(t) = &s.signing_time {
            writeln!(out, "    signing time:  {t}")?;
        }
        if let Some(t) = &s.validation_time {
            writeln!(out, "    validated at:  {t} ({})", s.validation_time_source)?;
        }
        if let (Some(d), Some(a)) = (&s.digest_algorithm, &s.signature_algorithm) {
            writeln!(out, "    algorithms:    {d}, {a}")?;
        }
        writeln!(out, "    revocation:    {}", wire(s.revocation))?;
        for c in s.chain.iter().skip(1) {
            writeln!(out, "    issued by:     {c}")?;
        }
        for e in &s.errors {
            writeln!(out, "    error:         {e}")?;
        }
        for m in &s.modification_details {
            writeln!(out, "    change:        {m}")?;
        }
        for w in &s.warnings {
            writeln!(out, "    warning:       {w}")?;
        }
    }
    Ok(())
}
