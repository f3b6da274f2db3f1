//! `vnedoc`: a thin command line over the library.
//!
//! ```text
//! vnedoc verify [--trust PATH]... [--cert PATH]... [--crl PATH]... [--at RFC3339|claimed] [--json] [--threads N] FILE...
//! ```
//! Exit 0: every file has at least one signature and every signature is TOTAL_PASSED.
//! Exit 1: anything else. Exit 2: usage error or unreadable file.
//!
//! ```text
//! vnedoc stats [--trust PATH]... [--units-from folders|edxml] [--directory 2019|2025|FILE]
//!              [--period 2026-Q3] [--target 90] [--json|--csv|--html OUT] PATH...
//! ```
//! Exit 0 with the tables (unreadable files are listed, never fatal); exit 2 on a usage error.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vnedoc::exchange::cli::{self as excli, DirectorySource};
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
    /// Sign a PDF: an incremental PAdES signature, optionally visible (Decree 30/2020) and
    /// timestamped.
    Sign(Box<SignArgs>),
    /// edXML (QCVN 102:2016) envelopes: pack metadata and files, or unpack an envelope.
    Edxml {
        #[command(subcommand)]
        action: EdxmlAction,
    },
    /// Agency directory: list or search.
    Directory {
        #[command(subcommand)]
        action: DirectoryAction,
    },
    /// Hops from one agency to others (ids, or groups such as @communes:H26, @provinces).
    Route {
        /// 2019, 2025 (embedded samples) or a CSV/JSON file.
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
        #[arg(long, value_name = "ID")]
        from: String,
        #[arg(long, value_name = "ID", required = true, num_args = 1..)]
        to: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Count signed-valid, signed-invalid and unsigned documents per unit, rolled up the
    /// directory: a table, JSON, CSV or an HTML report.
    Stats(Box<StatsArgs>),
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
        /// Files verified at once (default: one per core). Each holds one file in memory.
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct StatsArgs {
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
    /// Where units come from: `folders` (PATH/<agency id>/**.pdf) or `edxml` (the sender of
    /// each envelope, its first PDF attachment being the document).
    #[arg(long, value_name = "folders|edxml", default_value = "folders")]
    units_from: vnedoc::ledger::scan::UnitsFrom,
    /// 2019, 2025 (embedded samples) or a CSV/JSON file: names and the roll-up hierarchy.
    #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
    directory: DirectorySource,
    /// Count only documents dated in this period: 2026, 2026-Q3 or 2026-07.
    #[arg(long, value_name = "PERIOD")]
    period: Option<vnedoc::ledger::Period>,
    /// Target signed share, in percent.
    #[arg(long, value_name = "PERCENT", default_value_t = vnedoc::ledger::DEFAULT_TARGET)]
    target: f64,
    /// Record the documents as `issued` (default) or `received` by their unit.
    #[arg(long, value_name = "issued|received", default_value = "issued")]
    direction: String,
    /// Also record into this SQLite ledger (created if missing; documents already there count
    /// once) and report everything it holds.
    #[arg(long, value_name = "FILE.sqlite")]
    ledger: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Largest file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = vnedoc::verify::DEFAULT_MAX_INPUT)]
    max_size: usize,
    /// Print JSON: {"units": [...], "rollup": [...], ...}.
    #[arg(long, conflicts_with_all = ["csv", "html"])]
    json: bool,
    /// Print CSV.
    #[arg(long, conflicts_with = "html")]
    csv: bool,
    /// Write a self-contained HTML report to OUT.
    #[arg(long, value_name = "OUT")]
    html: Option<PathBuf>,
    /// Folders (with --units-from folders, each holds one folder per agency) or envelopes.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

fn verifier_from(
    trust: &[PathBuf],
    cert: &[PathBuf],
    crl: &[PathBuf],
    at: Option<&str>,
    max_size: usize,
) -> Result<Verifier, String> {
    let mut store = TrustStore::new();
    load(trust, "trust anchor", |d| {
        store.add_anchor_der(d).map_err(|e| e.to_string())
    })?;
    load(cert, "certificate", |d| {
        store.add_intermediate_der(d).map_err(|e| e.to_string())
    })?;
    load(crl, "CRL", |d| {
        store.add_crl_der(d).map_err(|e| e.to_string())
    })?;
    let time = match at {
        None => ValidationTime::At(vnedoc::time::now()),
        Some("claimed") => ValidationTime::Claimed,
        Some(s) => ValidationTime::At(
            vnedoc::time::parse_rfc3339_timestamp(s)
                .ok_or_else(|| format!("--at: not RFC 3339: {s}"))?,
        ),
    };
    let mut options = VerifyOptions::new(store, time);
    options.max_input_size = max_size;
    Ok(Verifier::new(options))
}

fn run_stats(a: StatsArgs) -> Result<ExitCode, String> {
    use std::io::IsTerminal;
    use vnedoc::ledger::scan::{Scanner, collect};
    use vnedoc::ledger::{
        DefaultClassifier, Direction, Filter, Ledger, LedgerStore, MemoryLedger, SqliteLedger,
        StatsReport,
    };

    let direction = Direction::parse(&a.direction).ok_or_else(|| {
        format!(
            "--direction: expected issued or received, found {:?}",
            a.direction
        )
    })?;
    if !(0.0..=100.0).contains(&a.target) {
        return Err(format!("--target: {} is not a percentage", a.target));
    }
    let directory = excli::load_directory(&a.directory).map_err(|e| e.to_string())?;
    let verifier = verifier_from(&a.trust, &a.cert, &a.crl, a.at.as_deref(), a.max_size)?;
    let classifier = DefaultClassifier::new();
    let (jobs, mut skipped) = collect(&a.paths, a.units_from);
    let mut scanner = Scanner::new(&verifier, &classifier, a.units_from);
    scanner.direction = direction;

    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(u64::try_from(jobs.len()).unwrap_or(u64::MAX));
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} files [{bar:40}] {per_sec} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let tick = || bar.inc(1);
    let scan = match a.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| format!("--threads: {e}"))?
            .install(|| scanner.scan(&jobs, &tick)),
        None => scanner.scan(&jobs, &tick),
    };
    bar.finish_and_clear();
    let files = scan
        .files
        .saturating_add(u64::try_from(skipped.len()).unwrap_or(u64::MAX));
    skipped.extend(scan.skipped);

    let filter = match a.period {
        Some(p) => Filter::period(p),
        None => Filter::default(),
    };
    let report = match &a.ledger {
        Some(path) => {
            let store = SqliteLedger::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut ledger = Ledger::new(store);
            ledger
                .record_all(&scan.entries)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            StatsReport::build(&ledger, &directory, &filter, a.target, files, skipped)
        }
        None => {
            let mut store = MemoryLedger::new();
            store.record(&scan.entries).map_err(|e| e.to_string())?;
            StatsReport::build(
                &Ledger::new(store),
                &directory,
                &filter,
                a.target,
                files,
                skipped,
            )
        }
    }
    .map_err(|e| e.to_string())?;

    if let Some(out) = &a.html {
        std::fs::write(out, report.to_html()).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!(
            "vnedoc: wrote {} ({} units, {} files)",
            out.display(),
            report.units.len(),
            report.files
        );
    } else if a.json {
        println!("{}", report.to_json());
    } else if a.csv {
        print!("{}", report.to_csv());
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
enum EdxmlAction {
    /// Build an envelope from a metadata JSON file (the header fields, as `unpack` writes them)
    /// and attachment files.
    Pack {
        /// Metadata JSON.
        #[arg(long, value_name = "JSON")]
        meta: PathBuf,
        /// Output envelope.
        #[arg(short = 'o', long = "output", value_name = "OUT.edxml")]
        output: PathBuf,
        /// Attachments.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Write an envelope's metadata (metadata.json) and attachments into a folder.
    Unpack {
        #[arg(value_name = "FILE.edxml")]
        file: PathBuf,
        /// Output folder (default: the envelope's name without extension).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
    },
}

fn run_edxml(action: EdxmlAction) -> Result<ExitCode, String> {
    use vnedoc::exchange::edxml;
    match action {
        EdxmlAction::Pack {
            meta,
            output,
            files,
        } => {
            let text = std::fs::read(&meta).map_err(|e| format!("{}: {e}", meta.display()))?;
            let meta: edxml::Metadata =
                serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", meta.display()))?;
            let files = files
                .iter()
                .map(|f| edxml::PackFile::from_path(f).map_err(|e| format!("{}: {e}", f.display())))
                .collect::<Result<Vec<_>, _>>()?;
            let env = edxml::pack(&meta, files);
            env.validate().map_err(|e| e.to_string())?;
            let out =
                std::fs::File::create(&output).map_err(|e| format!("{}: {e}", output.display()))?;
            edxml::write_xml(&env, std::io::BufWriter::new(out))
                .map_err(|e| format!("{}: {e}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        EdxmlAction::Unpack { file, output } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let env = match edxml::from_xml(bytes) {
                Ok(env) => env,
                Err(e) => {
                    eprintln!("vnedoc: {}: {e}", file.display());
                    return Ok(ExitCode::from(1));
                }
            };
            let dir = output.unwrap_or_else(|| file.with_extension(""));
            let report = edxml::unpack(&env, &dir).map_err(|e| e.to_string())?;
            let mut out = format!("{}\n", report.metadata.display());
            for f in &report.files {
                out.push_str(&format!("{}\n", f.display()));
            }
            Ok(emit(&out))
        }
    }
}

#[derive(Subcommand)]
enum DirectoryAction {
    /// Every agency.
    List {
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
        #[arg(long)]
        json: bool,
    },
    /// Agencies whose name contains NAME (with or without diacritics).
    Find {
        name: String,
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
    },
}

/// Writes `out` to stdout; a closed pipe (`vnedoc directory list | head`) is not an error.
fn emit(out: &str) -> ExitCode {
    use std::io::Write;
    match std::io::stdout().write_all(out.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

fn exchange_result(result: Result<String, excli::CliError>) -> ExitCode {
    match result {
        Ok(out) => emit(&out),
        Err(e) => {
            eprintln!("vnedoc: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[derive(clap::Args)]
struct SignArgs {
    /// Private key (PKCS#8, PEM or DER). Not needed with --pkcs11-module.
    #[arg(long, value_name = "KEY")]
    key: Option<PathBuf>,
    /// Signer certificate (PEM or DER; further certificates in the file are the chain).
    #[arg(long, value_name = "CERT")]
    cert: PathBuf,
    /// Intermediate certificate(s) to embed.
    #[arg(long = "chain", value_name = "CERT")]
    chain: Vec<PathBuf>,
    /// pades (ETSI.CAdES.detached) or pkcs7 (adbe.pkcs7.detached).
    #[arg(long, value_name = "pades|pkcs7", default_value = "pades")]
    sub_filter: String,
    #[arg(long, value_name = "NAME")]
    field: Option<String>,
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    #[arg(long, value_name = "TEXT")]
    location: Option<String>,
    /// Visible appearance: person, seal, attachment or copy (Decree 30/2020 Appendix I).
    #[arg(long, value_name = "person|seal|attachment|copy")]
    appearance: Option<String>,
    /// PNG image for person (blue signature) or seal (red seal).
    #[arg(long, value_name = "PNG")]
    image: Option<PathBuf>,
    /// Page number, 1-based.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Rectangle X1,Y1,X2,Y2 in points: the person image's box, or for a seal the person box it
    /// overlaps (the seal goes over its left third).
    #[arg(long, value_name = "X1,Y1,X2,Y2")]
    rect: Option<String>,
    /// Real size of the seal in millimetres.
    #[arg(long, default_value_t = 35.0)]
    seal_size_mm: f64,
    /// Document number and notation, for the attachment stamp ("123/UBND-VP").
    #[arg(long, value_name = "TEXT")]
    doc_number: Option<String>,
    /// SAO Y, SAO LỤC or TRÍCH SAO, for the copy stamp.
    #[arg(long, value_name = "TEXT")]
    copy_form: Option<String>,
    /// Name of the copying agency, for the copy stamp.
    #[arg(long, value_name = "TEXT")]
    agency: Option<String>,
    /// RFC 3161 timestamp authority URL (PAdES B-T).
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Signing time (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    time: Option<String>,
    /// PKCS#11 module of a token or HSM (e.g. /usr/lib/softhsm/libsofthsm2.so).
    #[arg(long, value_name = "PATH")]
    pkcs11_module: Option<PathBuf>,
    /// Token label.
    #[arg(long, value_name = "LABEL")]
    pkcs11_token: Option<String>,
    /// Private key label on the token.
    #[arg(long, value_name = "LABEL")]
    pkcs11_key_label: Option<String>,
    /// User PIN (or set VNEDOC_PKCS11_PIN).
    #[arg(long, value_name = "PIN")]
    pkcs11_pin: Option<String>,
    #[arg(value_name = "IN.pdf")]
    input: PathBuf,
    #[arg(short = 'o', long = "output", value_name = "OUT.pdf")]
    output: PathBuf,
}

fn parse_rect(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("--rect: not a number: {p}"))
        })
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [a, b, c, d] => Ok([*a, *b, *c, *d]),
        _ => Err("--rect needs X1,Y1,X2,Y2".to_string()),
    }
}

fn run_sign(a: SignArgs) -> Result<ExitCode, String> {
    use vnedoc::sign::appearance::{Appearance, SealPlacement};
    use vnedoc::sign::{SignOptions, SubFilter};
    let input = std::fs::read(&a.input).map_err(|e| format!("{}: {e}", a.input.display()))?;
    let time = match &a.time {
        Some(t) => vnedoc::time::parse_rfc3339_timestamp(t)
            .ok_or_else(|| format!("--time: not RFC 3339: {t}"))?,
        None => vnedoc::time::now(),
    };
    let mut opts = SignOptions::new(time);
    opts.sub_filter = match a.sub_filter.as_str() {
        "pades" | "cades" => SubFilter::Cades,
        "pkcs7" => SubFilter::Pkcs7,
        other => return Err(format!("--sub-filter: pades or pkcs7, not {other}")),
    };
    opts.field_name = a.field.clone();
    opts.reason = a.reason.clone();
    opts.location = a.location.clone();
    opts.page = a.page.checked_sub(1).ok_or("--page starts at 1")?;
    let image = || -> Result<Vec<u8>, String> {
        let p = a
            .image
            .as_ref()
            .ok_or("--image is required for this appearance")?;
        std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
    };
    let rect = a.rect.as_deref().map(parse_rect).transpose()?;
    opts.appearance = match a.appearance.as_deref() {
        None => None,
        Some("person") => Some(Appearance::Person {
            png: image()?,
            rect: rect.ok_or("--rect is required for person")?,
        }),
        Some("seal") => Some(Appearance::Seal {
            png: image()?,
            size_mm: a.seal_size_mm,
            placement: SealPlacement::OverlapPerson(
                rect.ok_or("--rect (the person signature's box) is required for seal")?,
            ),
        }),
        Some("attachment") => Some(Appearance::Attachment {
            doc_number: a
                .doc_number
                .clone()
                .ok_or("--doc-number is required for attachment")?,
        }),
        Some("copy") => Some(Appearance::Copy {
            form: a.copy_form.clone().unwrap_or_else(|| "SAO Y".to_string()),
            agency: a.agency.clone().ok_or("--agency is required for copy")?,
        }),
        Some(other) => {
            return Err(format!(
                "--appearance: person, seal, attachment or copy, not {other}"
            ));
        }
    };
    let tsa = a.tsa.as_ref().map(vnedoc::sign::tsa::HttpTsa::new);
    opts.tsa = tsa
        .as_ref()
        .map(|t| -> &dyn vnedoc::sign::tsa::TsaClient { t });
    match &a.pkcs11_module {
        Some(module) => {
            let pin = match &a.pkcs11_pin {
                Some(p) => p.clone(),
                None => std::env::var("VNEDOC_PKCS11_PIN")
                    .map_err(|_| "--pkcs11-pin or VNEDOC_PKCS11_PIN is required")?,
            };
            let mut certs = TrustStore::load_pem_or_der(
                &std::fs::read(&a.cert).map_err(|e| format!("{}: {e}", a.cert.display()))?,
            )
            .map_err(|e| e.to_string())?;
            if certs.is_empty() {
                return Err("--cert holds no certificate".to_string());
            }
            let cert = certs.remove(0);
            for c in &a.chain {
                certs.extend(
                    TrustStore::load_pem_or_der(
                        &std::fs::read(c).map_err(|e| format!("{}: {e}", c.display()))?,
                    )
                    .map_err(|e| e.to_string())?,
                );
            }
            let signer = vnedoc::sign::pkcs11::Pkcs11Signer::open(
                module,
                a.pkcs11_token
                    .as_deref()
                    .ok_or("--pkcs11-token is required")?,
                &pin,
                a.pkcs11_key_label
                    .as_deref()
                    .ok_or("--pkcs11-key-label is required")?,
                cert,
                certs,
            )
            .map_err(|e| e.to_string())?;
            write_signed(&input, &signer, &opts, &a.output)
        }
        None => {
            let key = a
                .key
                .as_ref()
                .ok_or("--key or --pkcs11-module is required")?;
            let signer = vnedoc::sign::KeySigner::from_files(key, &a.cert, &a.chain)
                .map_err(|e| e.to_string())?;
            write_signed(&input, &signer, &opts, &a.output)
        }
    }?;
    Ok(ExitCode::SUCCESS)
}

/// Streams the signed document into a temporary file beside `output`, then renames it: memory
/// stays about the input's size, and a failure never leaves a half-written output (the input
/// may be the output).
fn write_signed(
    input: &[u8],
    signer: &dyn vnedoc::sign::Signer,
    opts: &vnedoc::sign::SignOptions<'_>,
    output: &Path,
) -> Result<(), String> {
    let mut tmp = output.as_os_str().to_owned();
    tmp.push(format!(".partial-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = std::fs::File::create(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))
        .and_then(|f| {
            vnedoc::sign::sign_pdf_to(input, signer, opts, std::io::BufWriter::new(f))
                .map_err(|e| e.to_string())
        })
        .and_then(|_| {
            std::fs::rename(&tmp, output).map_err(|e| format!("{}: {e}", output.display()))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // `--help` and `--version` are answers, not errors: clap gives them exit code 0,
            // and a usage error 2.
            return Ok(ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)));
        }
    };
    let (trust, cert, crl, at, json, max_size, threads, files) = match cli.command {
        Command::Sign(a) => return run_sign(*a),
        Command::Stats(a) => return run_stats(*a),
        Command::Edxml { action } => return run_edxml(action),
        Command::Verify {
            trust,
            cert,
            crl,
            at,
            json,
            max_size,
            threads,
            files,
        } => (trust, cert, crl, at, json, max_size, threads, files),
        Command::Directory {
            action: DirectoryAction::List { directory, json },
        } => {
            return Ok(exchange_result(excli::directory_list(&directory, json)));
        }
        Command::Directory {
            action: DirectoryAction::Find { name, directory },
        } => {
            return Ok(exchange_result(excli::directory_find(&directory, &name)));
        }
        Command::Route {
            directory,
            from,
            to,
            json,
        } => {
            // Validity dates are checked against today in Vietnam (UTC+7).
            let today = vnedoc::time::vietnam_date(vnedoc::time::now());
            return Ok(exchange_result(excli::route(
                &directory, &from, &to, json, today,
            )));
        }
    };
    let verifier = verifier_from(&trust, &cert, &crl, at.as_deref(), max_size)?;
    let results = match threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| format!("--threads: {e}"))?
            .install(|| verifier.verify_files(&files)),
        None => verifier.verify_files(&files),
    };
    let mut reports = Vec::new();
    let mut unreadable = false;
    for (f, result) in files.iter().zip(results) {
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
