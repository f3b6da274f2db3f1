//! `vnedoc`: a thin command line over the library.
//!
//! ```text
//! vnedoc verify [--trust-profile vn|vn-gov|vn-public|vn-unconfirmed|none]... [--trust PATH]...
//!               [--trust-replace] [--cert PATH]... [--crl PATH]... [--at RFC3339|claimed]
//!               [--json|--summary] [--threads N] FILE...
//! vnedoc dump [-o DIR] [--force] FILE
//! vnedoc stats [--trust PATH]... [--units-from folders|edxml] [--directory 2019|2025|FILE]
//!              [--period 2026-Q3] [--target 90] [--json|--csv|--html OUT] PATH...
//! vnedoc trust list [--profile PROFILE] [--json]
//! vnedoc sign | edxml pack|unpack | directory list|find | route   (see --help of each)
//! ```
//!
//! # Exit codes
//!
//! The same four codes for every command:
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | The command did its job; for `verify`, every file has a signature and every signature is TOTAL_PASSED. |
//! | 1 | A document was read and does not pass: a signature that is not TOTAL_PASSED, no signature, a PDF whose structure is broken (it has the `%PDF-` header but its revisions or fields cannot be read); for `edxml unpack`, an envelope that is cut, malformed or refused by the reader's rules; for `dump`, a signature that could not be taken apart; for `directory find` and `route`, no match or a refused route. |
//! | 2 | A usage error (bad flag or value, a trust anchor that cannot be loaded), or input that cannot be read as any supported format: a missing file or a directory, a file over `--max-size`, a file without the `%PDF-` header (empty, another format), for `edxml unpack` a file that is not XML or whose root is not an edXML envelope, or an output file or folder that cannot be written. |
//! | 3 | An internal error, never expected: a panic (a bug: please report it), or stdout that cannot be written (a closed pipe, as in `vnedoc … \| head`, is not an error). |
//!
//! With several files, every file is reported and the highest code wins: 3 over 2 over 1
//! over 0. So 0 means every file passed, and 1 means every file was read and some did not
//! pass; a 2 says that some input was not verified at all, whatever the others gave.
//!
//! `stats` lists the documents it cannot read in its tables rather than failing on them: it
//! exits 0 with its report, 2 on a usage error.

#![forbid(unsafe_code)]

mod dump;
mod edxml;
mod inputs;
mod logging;
mod sign;
mod stats;
mod trust;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vnedoc::exchange::cli::{self as excli, DirectorySource};

#[derive(Parser)]
#[command(
    name = "vnedoc",
    version,
    about = "Vietnamese government e-documents: PDF signature verification"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More log lines on stderr: -v info, -vv debug, -vvv trace (VNEDOC_LOG overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Errors only on stderr; the report on stdout is unchanged.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Sign a PDF: an incremental PAdES signature, optionally visible (Decree 30/2020) and
    /// timestamped.
    Sign(Box<sign::SignArgs>),
    /// edXML (QCVN 102:2016) envelopes: pack metadata and files, or unpack an envelope.
    Edxml {
        #[command(subcommand)]
        action: edxml::EdxmlAction,
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
        /// The sending agency's identifier.
        #[arg(long, value_name = "ID")]
        from: String,
        /// Recipients: agency identifiers or groups (@communes:H26, @provinces).
        #[arg(long, value_name = "ID", required = true, num_args = 1..)]
        to: Vec<String>,
        /// Print the hops as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Count signed-valid, signed-invalid and unsigned documents per unit, rolled up the
    /// directory: a table, JSON, CSV or an HTML report.
    Stats(Box<stats::StatsArgs>),
    /// Verify every signature of PDF files.
    Verify(Box<verify::VerifyArgs>),
    /// The Vietnamese trust certificates shipped with vnedoc, and their profiles.
    Trust {
        #[command(subcommand)]
        action: trust::TrustAction,
    },
    /// Take a PDF's signatures apart: each signed revision as a PDF, each CMS as a .p7s, each
    /// certificate it carries as DER, and an index.json (like pdfsig -dump).
    Dump(dump::DumpArgs),
}

#[derive(Subcommand)]
enum DirectoryAction {
    /// Every agency.
    List {
        /// 2019, 2025 (embedded samples) or a CSV/JSON file.
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
        /// Print the agencies as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Agencies whose name contains NAME (with or without diacritics).
    Find {
        /// Part of the agency's name.
        name: String,
        /// 2019, 2025 (embedded samples) or a CSV/JSON file.
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
    },
}

/// The exit codes of the module docs, ordered so that the worst of several is their maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Exit {
    /// 0: done; every signature passed.
    Ok,
    /// 1: a document was read and does not pass.
    Fail,
    /// 2: a usage error, or input that cannot be read as any supported format.
    Usage,
    /// 3: an internal error.
    Internal,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Ok => 0,
            Exit::Fail => 1,
            Exit::Usage => 2,
            Exit::Internal => 3,
        })
    }
}

/// Writes `out` to stdout and flushes it. A closed pipe (`vnedoc directory list | head`) is
/// not an error: the reader chose to stop. Any other failure is reported on stderr and is an
/// internal error.
pub(crate) fn write_stdout(out: &str) -> Exit {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("vnedoc: cannot write to stdout: {e}");
            Exit::Internal
        }
    }
}

/// [`write_stdout`] as the exit code of a command whose only output it is.
fn emit(out: &str) -> ExitCode {
    write_stdout(out).into()
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
    logging::init(cli.verbose, cli.quiet);
    match cli.command {
        Command::Sign(a) => sign::run_sign(*a),
        Command::Stats(a) => stats::run_stats(*a),
        Command::Edxml { action } => edxml::run_edxml(action),
        Command::Verify(a) => verify::run_verify(*a),
        Command::Dump(a) => dump::run_dump(a),
        Command::Trust { action } => trust::run_trust(action),
        Command::Directory {
            action: DirectoryAction::List { directory, json },
        } => Ok(exchange_result(excli::directory_list(&directory, json))),
        Command::Directory {
            action: DirectoryAction::Find { name, directory },
        } => Ok(exchange_result(excli::directory_find(&directory, &name))),
        Command::Route {
            directory,
            from,
            to,
            json,
        } => {
            // Validity dates are checked against today in Vietnam (UTC+7).
            let today = vnedoc::time::vietnam_date(vnedoc::time::now());
            Ok(exchange_result(excli::route(
                &directory, &from, &to, json, today,
            )))
        }
    }
}

fn main() -> ExitCode {
    // A panic is a bug wherever it happens (rayon hands a worker's panic back to the thread
    // that waits for it): the default hook has printed where it happened; say what to do.
    match std::panic::catch_unwind(|| {
        panic_for_tests();
        run()
    }) {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            if !e.is_empty() {
                eprintln!("vnedoc: {e}");
            }
            Exit::Usage.into()
        }
        Err(_) => {
            eprintln!(
                "vnedoc: internal error: this is a bug in vnedoc {}. Please report it with the \
                 command line and the panic message above, and the input file if you can share \
                 it, privately at {}/security/advisories/new (a file that crashes vnedoc may \
                 be an attack on others; see SECURITY.md).",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_REPOSITORY")
            );
            Exit::Internal.into()
        }
    }
}

/// In debug builds only (the ones `cargo test` runs), `VNEDOC_TEST_PANIC=1` panics before
/// any command runs, so the tests can check that a panic exits 3 with the report request.
fn panic_for_tests() {
    #[cfg(debug_assertions)]
    if std::env::var_os("VNEDOC_TEST_PANIC").is_some_and(|v| v == "1") {
        panic!("VNEDOC_TEST_PANIC=1");
    }
}
