//! `vnedoc`: a thin command line over the library.
//!
//! ```text
//! vnedoc verify [--trust PATH]... [--cert PATH]... [--crl PATH]... [--at RFC3339|claimed] [--json] FILE...
//! ```
//! Exit 0: every file has at least one signature and every signature is TOTAL_PASSED.
//! Exit 1: anything else. Exit 2: usage error or unreadable file.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vnedoc::verify::DocumentReport;
use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

#[derive(Parser)]
#[command(
    name = "vnedoc",
    version,
    about = "Vietnamese government e-documents: PDF signature verification"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify every signature of PDF files.
    Verify {
        /// Trust anchor(s): a PEM/DER file or a directory of them.
        #[arg(long = "trust", value_name = "PATH")]
        trust: Vec<PathBuf>,
        /// Extra intermediate certificate(s): a file or a directory.
        #[arg(long = "cert", value_name = "PATH")]
        cert: Vec<PathBuf>,
        /// CRL(s): a file or a directory.
        #[arg(long = "crl", value_name = "PATH")]
        crl: Vec<PathBuf>,
        /// Validation time: RFC 3339, or `claimed` for each signature's own signing time.
        #[arg(long = "at", value_name = "RFC3339|claimed")]
        at: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Largest file accepted, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = vnedoc::verify::DEFAULT_MAX_INPUT)]
        max_size: usize,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

fn files_in(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let mut out: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        out.sort();
        Ok(out)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

fn load(
    paths: &[PathBuf],
    what: &str,
    mut add: impl FnMut(Vec<u8>) -> Result<(), String>,
) -> Result<(), String> {
    for p in paths {
        for f in files_in(p)? {
            let bytes = std::fs::read(&f).map_err(|e| format!("{what} {}: {e}", f.display()))?;
            let ders = TrustStore::load_pem_or_der(&bytes)
                .map_err(|e| format!("{what} {}: {e}", f.display()))?;
            for der in ders {
                add(der).map_err(|e| format!("{what} {}: {e}", f.display()))?;
            }
        }
    }
    Ok(())
}

fn print_text(r: &DocumentReport) {
    println!("{}", r.file);
    if let Some(e) = &r.error {
        println!("  error: {e}");
        return;
    }
    if r.signatures.is_empty() {
        println!("  no signatures");
    }
    for s in &r.signatures {
        let sub = s
            .subindication
            .map(|x| {
                format!(
                    " / {}",
                    serde_json::to_value(x)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let ind = serde_json::to_value(s.indication)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        println!(
            "  signature {}{}: {ind}{sub}",
            s.field,
            if s.is_doc_timestamp {
                " (document timestamp)"
            } else {
                ""
            }
        );
        if let Some(signer) = &s.signer {
            println!("    signer:        {}", signer.subject);
        }
        println!(
            "    sub filter:    {}",
            s.sub_filter.as_deref().unwrap_or("-")
        );
        println!(
            "    integrity:     {}",
            if s.integrity { "ok" } else { "FAILED" }
        );
        println!("    whole file:    {}", s.covers_whole_file);
        println!(
            "    modifications: {}",
            serde_json::to_value(s.modifications)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        );
        if let Some(t) = &s.signing_time {
            println!("    signing time:  {t}");
        }
        if let Some(t) = &s.validation_time {
            println!("    validated at:  {t} ({})", s.validation_time_source);
        }
        if let (Some(d), Some(a)) = (&s.digest_algorithm, &s.signature_algorithm) {
            println!("    algorithms:    {d}, {a}");
        }
        println!(
            "    revocation:    {}",
            serde_json::to_value(s.revocation)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        );
        for c in s.chain.iter().skip(1) {
            println!("    issued by:     {c}");
        }
        for e in &s.errors {
            println!("    error:         {e}");
        }
        for m in &s.modification_details {
            println!("    change:        {m}");
        }
        for w in &s.warnings {
            println!("    warning:       {w}");
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let cli = Cli::try_parse().map_err(|e| {
        let _ = e.print();
        String::new()
    })?;
    let Command::Verify {
        trust,
        cert,
        crl,
        at,
        json,
        max_size,
        files,
    } = cli.command;
    let mut store = TrustStore::new();
    load(&trust, "trust anchor", |d| {
        store.add_anchor_der(d).map_err(|e| e.to_string())
    })?;
    load(&cert, "certificate", |d| {
        store.add_intermediate_der(d).map_err(|e| e.to_string())
    })?;
    load(&crl, "CRL", |d| {
        store.add_crl_der(d).map_err(|e| e.to_string())
    })?;
    let time = match at.as_deref() {
        None => ValidationTime::At(vnedoc::time::now()),
        Some("claimed") => ValidationTime::Claimed,
        Some(s) => ValidationTime::At(
            vnedoc::time::parse_rfc3339(s).ok_or_else(|| format!("--at: not RFC 3339: {s}"))?,
        ),
    };
    let mut options = VerifyOptions::new(store, time);
    options.max_input_size = max_size;
    let verifier = Verifier::new(options);
    let mut reports = Vec::new();
    let mut unreadable = false;
    for f in &files {
        match verifier.verify_file(f) {
            Ok(r) => reports.push(r),
            Err(e) => {
                unreadable = true;
                reports.push(DocumentReport {
                    file: f.display().to_string(),
                    signed: false,
                    signatures: Vec::new(),
                    error: Some(e.to_string()),
                });
            }
        }
    }
    if json {
        let out = serde_json::json!({ "documents": reports });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        for r in &reports {
            print_text(r);
        }
    }
    if unreadable {
        Ok(ExitCode::from(2))
    } else if reports.iter().all(DocumentReport::all_passed) {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("vnedoc: {e}");
            }
            ExitCode::from(2)
        }
    }
}
