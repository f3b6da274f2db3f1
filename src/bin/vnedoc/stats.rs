//! `vnedoc stats`.

use std::path::PathBuf;
use std::process::ExitCode;

use vnedoc::exchange::cli::{self as excli, DirectorySource};

use crate::inputs::{check_output_file, io, verifier_from};

#[derive(clap::Args)]
pub(crate) struct StatsArgs {
    #[command(flatten)]
    trust: crate::inputs::TrustArgs,
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
    /// Password of encrypted documents (user or owner); the empty user password is always tried.
    #[arg(long, value_name = "PASSWORD")]
    password: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Largest file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = vnedoc::verify::DEFAULT_MAX_INPUT)]
    max_size: usize,
    /// Print JSON: {"units": [...], "rollup": [...], ...}.
    #[arg(long, conflicts_with_all = ["csv", "html"])]
    json: bool,
    /// Print CSV (columns in the README): UTF-8 with a byte-order mark, so Excel shows the
    /// Vietnamese names.
    #[arg(long, conflicts_with = "html")]
    csv: bool,
    /// With --csv: leave out the byte-order mark (for programs that do not skip it).
    #[arg(long, requires = "csv")]
    no_bom: bool,
    /// Write a self-contained HTML report to OUT.
    #[arg(long, value_name = "OUT")]
    html: Option<PathBuf>,
    /// Folders (with --units-from folders, each holds one folder per agency) or envelopes.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

pub(crate) fn run_stats(a: StatsArgs) -> Result<ExitCode, String> {
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
    // Before the scan, which may take minutes: where the report and the ledger go.
    if let Some(out) = &a.html {
        check_output_file(out).map_err(|e| format!("--html: {e}"))?;
    }
    if let Some(ledger) = &a.ledger {
        check_output_file(ledger).map_err(|e| format!("--ledger: {e}"))?;
    }
    let directory = excli::load_directory(&a.directory).map_err(|e| e.to_string())?;
    let verifier = verifier_from(&a.trust, a.at.as_deref(), a.max_size, a.password.as_deref())?;
    let classifier = DefaultClassifier::new();
    let (jobs, mut skipped) = collect(&a.paths, a.units_from);
    let mut scanner = Scanner::new(&verifier, &classifier, a.units_from);
    scanner.direction = direction;

    let bar = if std::io::stderr().is_terminal() && !crate::logging::quiet() {
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
        std::fs::write(out, report.to_html())
            .map_err(|e| format!("--html: output {}: {}", out.display(), io(&e)))?;
        if !crate::logging::quiet() {
            eprintln!(
                "vnedoc: wrote {} ({} units, {} files)",
                out.display(),
                report.units.len(),
                report.files
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Through `emit`: a closed pipe is not an error, another write failure exits 3.
    let text = if a.json {
        format!("{}\n", report.to_json())
    } else if a.csv && a.no_bom {
        report.to_csv()
    } else if a.csv {
        report.to_csv_for_excel()
    } else {
        report.to_text()
    };
    Ok(crate::emit(&text))
}
