//! `vnedoc verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use vnedoc::verify::DocumentReport;

use crate::inputs::verifier_from;

/// `vnedoc verify` arguments.
#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
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
    /// Password of encrypted documents (user or owner); the empty user password is always tried.
    #[arg(long, value_name = "PASSWORD")]
    password: Option<String>,
    /// Files verified at once (default: one per core). Each holds one file in memory.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub(crate) fn run_verify(a: VerifyArgs) -> Result<ExitCode, String> {
    let verifier = verifier_from(
        &a.trust,
        &a.cert,
        &a.crl,
        a.at.as_deref(),
        a.max_size,
        a.password.as_deref(),
    )?;
    let results = match a.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| format!("--threads: {e}"))?
            .install(|| verifier.verify_files(&a.files)),
        None => verifier.verify_files(&a.files),
    };
    let mut reports = Vec::new();
    let mut unreadable = false;
    for (f, result) in a.files.iter().zip(results) {
        match result {
            Ok(r) => reports.push(r),
            Err(e) => {
                unreadable = true;
                let mut r = DocumentReport::new(f.display().to_string());
                r.error = Some(e.to_string());
                reports.push(r);
            }
        }
    }
    if a.json {
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
